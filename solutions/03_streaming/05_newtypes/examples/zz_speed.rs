use std::io::BufReader;
use std::time::Instant;

use newtypes_solution::{Reader, RecordBuf};

fn main() {
    let mut text = String::from("customer_id,email,amount_cents\n");
    let mut i = 1u64;
    while text.len() < 100 << 20 {
        text.push_str(&format!("{i},\"customer{i}@example.com\",{}\n", i % 100000));
        i += 1;
    }
    for _ in 0..2 {
        let start = Instant::now();
        let mut reader = Reader::new(BufReader::new(text.as_bytes()));
        let mut record = RecordBuf::new();
        let mut n = 0;
        while reader.read_record(&mut record).unwrap() {
            n += record.len();
        }
        let t = start.elapsed();
        println!(
            "records: {n} fields, {:.0} MB/s",
            text.len() as f64 / 1e6 / t.as_secs_f64()
        );
    }
}

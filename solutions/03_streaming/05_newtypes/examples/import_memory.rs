//! Peak memory of the import edge, on an orders upload generated on the fly.
//!
//! ```text
//! cargo run --release -q -p newtypes_solution --example import_memory -- stream 1000
//! cargo run --release -q -p newtypes_solution --example import_memory -- collect 10
//! ```
//!
//! `stream` imports with `import_orders_with` (each order handed on, none kept), `collect`
//! with `import_orders` (every order in a `Vec`). The upload is `MB` megabytes of valid rows,
//! made as it is read, so the figure is the import's own memory, not the file's. Prints the
//! rows imported and the peak resident memory (`VmHWM` from Linux's `/proc/self/status`).
//! Figures, not a pass or fail: run each size in its own process.

use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::process::ExitCode;

use newtypes_solution::{ErrorBudget, import_orders, import_orders_with};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, megabytes) = match args.as_slice() {
        [mode, mb] if mode == "stream" || mode == "collect" => match mb.parse::<u64>() {
            Ok(mb) => (mode.as_str(), mb),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let upload = BufReader::new(Orders::new(megabytes * 1_000_000));
    let budget = ErrorBudget::default();
    let result = if mode == "stream" {
        let mut total: i64 = 0;
        import_orders_with(upload, &budget, |order| {
            total = total.saturating_add(order.amount_cents.get())
        })
        .map(|report| report.good_rows())
    } else {
        import_orders(upload, &budget).map(|import| import.orders.len())
    };
    match result {
        Ok(rows) => {
            println!(
                "{mode} {megabytes} MB: {rows} orders, peak RSS {:.1} MB",
                peak_rss_kib() as f64 / 1024.0
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("import failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: import_memory stream|collect MEGABYTES");
    ExitCode::from(2)
}

/// Peak resident memory of this process so far, in KiB (0 where `/proc` is not available).
fn peak_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// An orders upload of at most `remaining` bytes, made a row at a time as it is read.
struct Orders {
    remaining: u64,
    row: u64,
    pending: Vec<u8>,
    offset: usize,
}

impl Orders {
    fn new(bytes: u64) -> Orders {
        Orders {
            remaining: bytes,
            row: 0,
            pending: b"customer_id,email,amount_cents\r\n".to_vec(),
            offset: 0,
        }
    }
}

impl Read for Orders {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.offset == self.pending.len() {
            self.row += 1;
            self.pending.clear();
            self.offset = 0;
            let n = self.row;
            let amount = (n * 7919 % 200_000) as i64 - 50_000;
            write!(self.pending, "{n},customer{n}@example.com,{amount}\r\n")?;
        }
        // Only whole rows: a row cut short would be a bad row.
        if self.pending.len() as u64 > self.remaining && self.offset == 0 {
            return Ok(0);
        }
        let available = self.pending.get(self.offset..).unwrap_or_default();
        let len = available.len().min(buf.len());
        buf.get_mut(..len)
            .unwrap_or_default()
            .copy_from_slice(available.get(..len).unwrap_or_default());
        self.offset += len;
        self.remaining = self.remaining.saturating_sub(len as u64);
        Ok(len)
    }
}

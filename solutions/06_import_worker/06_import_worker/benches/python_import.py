"""The same import job done the usual way in Python: csv reader, validation, json.dumps per row.

    python3 python_import.py UPLOAD OUT_DIR

Writes OUT_DIR/py.jsonl (good rows) and OUT_DIR/py.rejects.jsonl (line, field, value, reason),
and prints `rows=N good=N bad=N`. The checks are the reference parser's: a customer number of
digits and not zero, an email with one @ and a dot after it, an amount in cents within +-10^9.
"""

import csv
import json
import sys


def check(row):
    customer = row.get("customer_id", "")
    if not customer.isdigit() or int(customer) == 0:
        return "customer_id", customer, "not a customer number"
    email = row.get("email", "")
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email or len(email) > 254:
        return "email", email, "not an email address"
    amount = row.get("amount_cents", "")
    try:
        cents = int(amount)
    except ValueError:
        return "amount_cents", amount, "not an amount in cents"
    if abs(cents) > 1_000_000_000:
        return "amount_cents", amount, "not an amount in cents"
    return None


def main():
    upload, out_dir = sys.argv[1], sys.argv[2]
    rows = good = bad = 0
    with open(upload, newline="", encoding="utf-8") as src, \
            open(f"{out_dir}/py.jsonl", "w", encoding="utf-8") as good_out, \
            open(f"{out_dir}/py.rejects.jsonl", "w", encoding="utf-8") as bad_out:
        reader = csv.DictReader(src)
        for row in reader:
            rows += 1
            problem = check(row)
            if problem is None:
                good += 1
                good_out.write(json.dumps({
                    "customer_id": int(row["customer_id"]),
                    "email": row["email"],
                    "amount_cents": int(row["amount_cents"]),
                }) + "\n")
            else:
                bad += 1
                field, value, reason = problem
                bad_out.write(json.dumps({
                    "line": reader.line_num, "field": field, "value": value[:100], "reason": reason,
                }) + "\n")
    print(f"rows={rows} good={good} bad={bad}")


if __name__ == "__main__":
    main()

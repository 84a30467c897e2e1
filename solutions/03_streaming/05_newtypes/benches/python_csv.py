"""Python's csv module on the benchmark file: what a product team runs today.

Usage: python3 python_csv.py FILE
Prints one line: `rows=N seconds=S max_rss_kib=K`.
"""

import csv
import resource
import sys
import time


def main() -> None:
    path = sys.argv[1]
    start = time.perf_counter()
    rows = 0
    # newline="" hands line endings to the csv module, as its documentation requires for
    # quoted fields with embedded newlines.
    with open(path, newline="", encoding="utf-8") as upload:
        reader = csv.reader(upload, strict=True)
        next(reader)  # the header
        for _row in reader:
            rows += 1
    seconds = time.perf_counter() - start
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"rows={rows} seconds={seconds:.4f} max_rss_kib={max_rss_kib}")


if __name__ == "__main__":
    main()

"""The same no-op workload through Python's asyncio.Queue: what a product team runs today.

Usage: python3 python_asyncio.py JOBS CONCURRENCY CAPACITY
Prints one line: `jobs=N seconds=S max_rss_kib=K`.

Like the Rust pool: a bounded queue, CONCURRENCY workers, each job run under a timeout and
retried on a retryable failure (a no-op job never fails, so there is one attempt each), and
every outcome counted as it arrives rather than kept.
"""

import asyncio
import resource
import sys
import time


async def no_op_job(job_id: int) -> int:
    return job_id


async def run_with_retries(job_id: int, attempts: int, timeout: float) -> bool:
    for _attempt in range(attempts):
        try:
            await asyncio.wait_for(no_op_job(job_id), timeout)
            return True
        except asyncio.TimeoutError:
            continue
    return False


async def main(jobs: int, concurrency: int, capacity: int) -> int:
    queue: asyncio.Queue = asyncio.Queue(maxsize=capacity)
    done = 0

    async def worker() -> None:
        nonlocal done
        while True:
            job_id = await queue.get()
            if job_id is None:
                return
            if await run_with_retries(job_id, attempts=3, timeout=5.0):
                done += 1

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    for job_id in range(jobs):
        await queue.put(job_id)
    for _ in workers:
        await queue.put(None)
    await asyncio.gather(*workers)
    return done


if __name__ == "__main__":
    jobs, concurrency, capacity = (int(arg) for arg in sys.argv[1:4])
    start = time.perf_counter()
    done = asyncio.run(main(jobs, concurrency, capacity))
    seconds = time.perf_counter() - start
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"jobs={done} seconds={seconds:.4f} max_rss_kib={max_rss_kib}")

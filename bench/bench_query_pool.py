"""Benchmark: policykg's QueryPool against pebble's ProcessPool for the killable query workers (decision 0016).

Usage: python bench/bench_query_pool.py [--seconds 5] [--threads 1 8]   (needs: pip install pebble; a build)
Both pools keep two worker processes, each with the same store loaded once (pebble through an initializer in a
spawned interpreter), and run the six-query `simple` mix of bench_endpoint.py through `run(job, timeout)`:
round trips per second from 1 and 8 calling threads, and the time from a runaway query's timeout until the pool
answers a simple query again (both workers were killed). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_endpoint import SIMPLE_MIX  # noqa: E402

from policykg.config import default_build_dir, locate_dpv_dir  # noqa: E402
from policykg.store.jobs import QueryJob, QueryOutcome, QueryTimeout, execute_job  # noqa: E402
from policykg.store.pool import QueryPool  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

_STORE = None


def _pebble_init(build_dir: str, dpv_dir: str | None) -> None:
    global _STORE
    from policykg.store.dataset import load_store

    _STORE = load_store(Path(build_dir), Path(dpv_dir) if dpv_dir else None)


def _pebble_task(job: QueryJob) -> QueryOutcome:
    return execute_job(_STORE, job)


class PebblePool:
    """The same contract as QueryPool.run, on pebble.ProcessPool (what adopting it would look like)."""

    def __init__(self, build_dir: Path, dpv_dir: Path | None, size: int = 2) -> None:
        from pebble import ProcessPool

        self.size = size
        self.pool = ProcessPool(max_workers=size, initializer=_pebble_init,
                                initargs=(str(build_dir), str(dpv_dir) if dpv_dir else None),
                                context=multiprocessing.get_context("spawn"))

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        future = self.pool.schedule(_pebble_task, args=(job,), timeout=timeout)
        try:
            return future.result(timeout=timeout)  # queueing counts too: give up at the same deadline
        except (TimeoutError, FutureTimeout):
            future.cancel()  # a running task's worker is killed
            raise QueryTimeout(f"the query did not finish within {timeout:g} s") from None

    def close(self) -> None:
        self.pool.stop()
        self.pool.join()


def throughput(pool, threads: int, seconds: float) -> float:
    jobs = [QueryJob(text) for _, text in SIMPLE_MIX]
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        i = slot
        while time.perf_counter() < stop:
            outcome = pool.run(jobs[i % len(jobs)], 10.0)
            assert outcome.status == "ok", outcome
            done[slot] += 1
            i += 1

    workers = [threading.Thread(target=loop, args=(slot,)) for slot in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def recovery(pool) -> float:
    """Seconds from a runaway query's timeout until a simple query is answered (both workers were busy with it)."""
    jobs = [threading.Thread(target=_swallow_timeout, args=(pool,)) for _ in range(2)]
    for thread in jobs:
        thread.start()
    for thread in jobs:
        thread.join()
    started = time.perf_counter()
    assert pool.run(QueryJob(SIMPLE_MIX[0][1]), 60.0).status == "ok"
    return time.perf_counter() - started


def _swallow_timeout(pool) -> None:
    try:
        pool.run(QueryJob(RUNAWAY), 0.5)
    except QueryTimeout:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args(argv)
    build_dir = default_build_dir()
    dpv_dir = locate_dpv_dir(None).path
    rows = []
    for name in ("QueryPool", "pebble ProcessPool"):
        started = time.perf_counter()
        if name == "QueryPool":
            pool = QueryPool(build_dir, dpv_dir, size=2)
            pool.start()
        else:
            pool = PebblePool(build_dir, dpv_dir, size=2)
            pool.run(QueryJob("ASK {}"), 120.0)
            pool.run(QueryJob("ASK {}"), 120.0)
        ready = time.perf_counter() - started
        try:
            rates = [throughput(pool, threads, args.seconds) for threads in args.threads]
            back = recovery(pool)
        finally:
            pool.close()
        rows.append((name, ready, rates, back))
    print("| pool | ready s | " + " | ".join(f"q/s, {n} thread{'s' if n > 1 else ''}" for n in args.threads)
          + " | first answer after two timeouts, s |")
    print("|---|---:|" + "---:|" * len(args.threads) + "---:|")
    for name, ready, rates, back in rows:
        print(f"| {name} | {ready:.2f} | " + " | ".join(f"{rate:.0f}" for rate in rates) + f" | {back:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A query process: opens or loads its store, then answers the jobs its pool sends over a socket until it closes.

Started by policykg.store.pool.QueryPool as `python -m policykg.store.worker` (a fresh interpreter); the pool kills
it when a query overruns.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from policykg.store.jobs import execute_job


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent exits (best effort; no-op elsewhere)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _worker_main(conn: Connection, build_dir: str | None, dpv_dir: str | None, memory_limit: int | None,
                 parent: int, store_path: str | None = None) -> None:
    """Worker process body: open or load the store (an empty one without a build folder), then answer jobs until the
    socket closes."""
    _die_with_parent()
    if os.getppid() != parent:
        return
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        store, quads = _open_store(build_dir, dpv_dir, store_path)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", quads))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(execute_job(store, job))


def _open_store(build_dir: str | None, dpv_dir: str | None, store_path: str | None) -> tuple[object, int]:
    """A worker's store and its quad count: the on-disk store read-only, the build loaded in memory, or empty."""
    if store_path is not None:
        from policykg.store.disk import open_disk_store

        return open_disk_store(Path(store_path))
    if build_dir is None:
        import pyoxigraph as ox

        return ox.Store(), 0
    from policykg.store.dataset import load_store

    store = load_store(Path(build_dir), Path(dpv_dir) if dpv_dir else None, primary_default=True)
    return store, len(store)


def main(argv: list[str] | None = None) -> int:
    """Worker entry point: `python -m policykg.store.worker --fd N --build-dir DIR ...` (started by QueryPool)."""
    parser = argparse.ArgumentParser(prog="python -m policykg.store.worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--build-dir", default=None)
    parser.add_argument("--empty", action="store_true", help="no dataset: an empty store, for parsing queries")
    parser.add_argument("--dpv-dir", default=None)
    parser.add_argument("--store", default=None, help="open this on-disk store read-only instead of loading the build")
    parser.add_argument("--memory-limit", type=int, default=None)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    if not args.build_dir and not args.empty:
        parser.error("--build-dir or --empty is required")
    _worker_main(Connection(args.fd), args.build_dir, args.dpv_dir, args.memory_limit, args.parent, args.store)
    return 0


if __name__ == "__main__":
    # Re-import under the real module name so pickled QueryJob/QueryOutcome classes resolve in both processes.
    from policykg.store.worker import main as _main

    sys.exit(_main())

"""Killable query workers: each process holds its own store; a query that overruns is stopped by killing it.

A worker either loads the build into an in-memory store of its own (store_path None) or opens the on-disk store
that policykg.store.disk built once, read-only (store_path: its folder), which takes milliseconds and little
memory; see docs/decisions/0023.

pyoxigraph cannot cancel a running query, so a runaway query would otherwise keep a core busy forever.
The pool keeps N worker processes (fresh interpreters via subprocess, so nothing is inherited from a threaded
parent and the parent's __main__ is never re-run), each talking over a socketpair;
a request borrows one, and if the answer is not back before the deadline the process is SIGKILLed and a fresh
one is started in the background. A query whose worker dies under it (killed from outside, out of memory) is run
once more on another worker within the same deadline; a query that timed out is never run again.

A pool without a dataset (build_dir None) parses queries for the remote-engine proxy: pyoxigraph's parser is only
reachable through Store.query, which plans the query and may evaluate part of it, and a deeply nested query can
overflow its stack; so even parsing an untrusted query happens in a killable process (docs/decisions/0017).
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import math
import os
import queue
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, cast

log = logging.getLogger("policykg.store.pool")


class QueryTimeout(Exception):
    """The query did not finish in time (or no worker became free in time)."""


class WorkerCrashed(Exception):
    """The worker died while running the query (e.g. it exceeded its memory limit)."""


class PoolUnavailable(Exception):
    """The pool could not start its workers."""


@dataclass(frozen=True)
class QueryJob:
    """What a worker runs: the query, the protocol dataset, and the acceptable output formats."""

    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    results_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_result_bytes: int = 50 * 1024 * 1024
    union_default_graph: bool = True
    #: Only parse (and plan) the query, never read a solution: the answer is ok or syntax.
    parse_only: bool = False
    #: The IRI relative IRIs in the query resolve against (the endpoint's URL); None: relative IRIs are errors.
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryOutcome:
    """A backend's answer. status: ok | syntax | error | too_large | not_acceptable (and, from a remote engine,
    truncated | backend_error); headers: response headers the client should see with it."""

    status: str
    body: bytes = b""
    format_key: str = ""
    kind: str = ""
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()


class ResultTooLarge(Exception):
    """A CappedBuffer was asked to grow beyond its limit."""


class _WorkerDied(Exception):
    """The worker process went away (or answered garbage) while running a job."""


class CappedBuffer:
    """A binary writer that refuses to grow beyond a limit (so huge results stop early)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.overflowed = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.overflowed = True
            raise ResultTooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts stay in memory."""

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


#: The base the parse-only probe is read against: relative IRIs are resolved against the endpoint's URL when the
#: query is run, so any absolute base will do for telling whether it parses.
PARSE_BASE = "http://localhost/sparql"


def parse_only(store, text: str) -> QueryOutcome:
    """Have pyoxigraph parse and plan a query without reading any solution: ok, or syntax with its message.

    Store.query plans the query and evaluates it up to its first solution, so `text` must be a probe that makes
    evaluation empty (server/guard.py wraps the WHERE group in { { ... } FILTER(false) }); calls to functions
    pyoxigraph does not know are not errors here (the guard reads those itself).
    """
    try:
        store.query(text, base_iri=PARSE_BASE)
    except SyntaxError as exc:
        return QueryOutcome("syntax", message=str(exc))
    except Exception as exc:  # noqa: BLE001 - planning errors (unknown functions) are not syntax errors
        return QueryOutcome("ok", message=str(exc))
    return QueryOutcome("ok")


def execute_job(store, job: QueryJob) -> QueryOutcome:
    """Run one job against a store and serialize the result (used in the worker process)."""
    import pyoxigraph as ox

    from policykg.store.dataset import query
    from policykg.store.formats import BY_KEY, GRAPH, RESULTS

    if job.parse_only:
        return parse_only(store, job.query)
    try:
        result = query(
            store, job.query, default_graph_uris=job.default_graph_uris, named_graph_uris=job.named_graph_uris,
            union_default_graph=job.union_default_graph, base_iri=job.base_iri,
        )
    except SyntaxError as exc:
        return QueryOutcome("syntax", message=str(exc))
    except Exception as exc:  # noqa: BLE001 - evaluation errors are reported to the client as text
        return QueryOutcome("error", message=str(exc))
    kind = GRAPH if isinstance(result, ox.QueryTriples) else RESULTS
    key = job.graph_format if kind == GRAPH else job.results_format
    if key is None:
        return QueryOutcome("not_acceptable", kind=kind)
    buffer = CappedBuffer(job.max_result_bytes)
    out = cast("IO[bytes]", buffer)  # all serialize() uses of it are write()
    try:
        if isinstance(result, ox.QueryTriples):
            result.serialize(out, BY_KEY[key].rdf_format())
        else:
            result.serialize(out, BY_KEY[key].results_format())
    except Exception as exc:  # noqa: BLE001
        if buffer.overflowed:
            return QueryOutcome("too_large", kind=kind, message=f"the result is larger than {job.max_result_bytes} bytes")
        return QueryOutcome("error", kind=kind, message=str(exc))
    return QueryOutcome("ok", body=buffer.getvalue(), format_key=key, kind=kind)


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


class _Worker:
    def __init__(self, process: subprocess.Popen, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.busy = False
        # One poll object per worker, made once (Connection.poll builds a selector on every call).
        self.poller = select.poll()
        self.poller.register(conn.fileno(), select.POLLIN)

    def wait_readable(self, seconds: float) -> bool:
        """Whether the worker's answer (or its EOF) is there to read within `seconds`."""
        return bool(self.poller.poll(math.ceil(max(0.0, seconds) * 1000)))

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait for anything
            pass
        self.conn.close()


class QueryPool:
    """A fixed number of query worker processes, each with the dataset loaded or opened; see the module docstring."""

    def __init__(
        self,
        build_dir: Path | None,
        dpv_dir: Path | None,
        *,
        size: int = 2,
        memory_limit_mb: int | None = 4096,
        start_timeout: float = 120.0,
        store_path: Path | None = None,
    ) -> None:
        self.build_dir = Path(build_dir) if build_dir is not None else None
        #: The on-disk store every worker opens read-only (policykg.store.disk); None: each loads the build in memory.
        self.store_path = Path(store_path) if store_path is not None else None
        self.dpv_dir = Path(dpv_dir) if dpv_dir else None
        self.size = max(1, size)
        self.memory_limit = memory_limit_mb * 1024 * 1024 if memory_limit_mb else None
        self.start_timeout = start_timeout
        self.triples = 0
        self.restarts = 0
        self.retries = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._wanted: queue.Queue[int | None] = queue.Queue()
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        """Start all workers and wait until each has loaded the dataset."""
        pending = [self._spawn() for _ in range(self.size)]
        try:
            for worker in pending:
                self._await_ready(worker)
                self._idle.put(worker)
        except PoolUnavailable:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        parent_sock, child_sock = socket.socketpair()
        command = [sys.executable, "-m", "policykg.store.pool", "--fd", str(child_sock.fileno()),
                   "--parent", str(os.getpid())]
        command += ["--build-dir", str(self.build_dir)] if self.build_dir else ["--empty"]
        if self.dpv_dir:
            command += ["--dpv-dir", str(self.dpv_dir)]
        if self.store_path:
            command += ["--store", str(self.store_path)]
        if self.memory_limit:
            command += ["--memory-limit", str(self.memory_limit)]
        process = subprocess.Popen(command, pass_fds=[child_sock.fileno()], stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        child_sock.close()
        worker = _Worker(process, Connection(parent_sock.detach()))
        with self._lock:
            self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(self.start_timeout):
            self._discard(worker)
            raise PoolUnavailable(f"a query worker did not load the dataset within {self.start_timeout:.0f} s")
        try:
            status, detail = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise PoolUnavailable("a query worker died while loading the dataset") from exc
        if status != "ready":
            self._discard(worker)
            raise PoolUnavailable(f"a query worker could not load the dataset: {detail}")
        self.triples = int(detail)

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _replace_later(self, worker: _Worker) -> None:
        """Kill a worker and have the supervisor thread start its successor."""
        self._discard(worker)
        self.restarts += 1
        if self._closed:
            return
        with self._lock:
            if self._supervisor is None:
                # One long-lived thread spawns all replacements: Linux's parent-death signal is tied to the
                # spawning *thread*, so a short-lived thread would take its workers down with it.
                self._supervisor = threading.Thread(target=self._supervise, name="policykg-pool-supervisor",
                                                    daemon=True)
                self._supervisor.start()
        self._wanted.put(1)

    def _supervise(self) -> None:
        while not self._closed:
            if self._wanted.get() is None:
                return
            for attempt in range(5):
                if self._closed:
                    return
                try:
                    fresh = self._spawn()
                    self._await_ready(fresh)
                except PoolUnavailable as exc:
                    log.error("query worker restart failed (attempt %d): %s", attempt + 1, exc)
                    time.sleep(1 + attempt)
                    continue
                if self._closed:
                    self._discard(fresh)
                else:
                    self._idle.put(fresh)
                break

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run a job within `timeout` seconds (waiting for a free worker counts); raise QueryTimeout otherwise.

        If the worker dies while running the job (not a timeout: that kill is ours), the job runs once more on
        another worker within what is left of the deadline; a second death raises WorkerCrashed.
        """
        deadline = time.monotonic() + timeout
        for attempt in (1, 2):
            worker = self._borrow(deadline, timeout)
            try:
                outcome = self._ask(worker, job, deadline, timeout)
            except _WorkerDied as exc:
                self._replace_later(worker)
                if attempt == 2:
                    raise WorkerCrashed("the query worker stopped while running the query (memory limit?)") from exc
                self.retries += 1
                log.warning("query worker %d died while running a query; running it again on another worker", worker.pid)
                continue
            except QueryTimeout:
                self._replace_later(worker)
                raise
            worker.busy = False
            self._idle.put(worker)
            return outcome
        raise AssertionError("unreachable")  # pragma: no cover

    def _borrow(self, deadline: float, timeout: float) -> _Worker:
        """A live idle worker, marked busy; QueryTimeout if none becomes free before the deadline."""
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise QueryTimeout(f"no query worker became free within {timeout:g} s") from None
            if worker.is_alive():
                worker.busy = True
                return worker
            self._replace_later(worker)

    @staticmethod
    def _ask(worker: _Worker, job: QueryJob, deadline: float, timeout: float) -> QueryOutcome:
        """Send the job and wait for the answer: QueryTimeout at the deadline, _WorkerDied if the worker is lost."""
        try:
            worker.conn.send(job)
            if not worker.wait_readable(deadline - time.monotonic()):
                raise QueryTimeout(f"the query did not finish within {timeout:g} s and was stopped")
            return worker.conn.recv()
        except QueryTimeout:
            raise
        except Exception as exc:
            raise _WorkerDied() from exc

    @property
    def idle(self) -> int:
        """How many workers are free right now."""
        return self._idle.qsize()

    @property
    def alive(self) -> int:
        """How many worker processes exist (busy or idle)."""
        with self._lock:
            return sum(1 for worker in self._all if worker.is_alive())

    def worker_pids(self) -> set[int]:
        """The process ids of the current worker processes (busy or idle)."""
        with self._lock:
            return {worker.pid for worker in self._all}

    def busy_pids(self) -> set[int]:
        """The process ids of the workers running a query right now."""
        with self._lock:
            return {worker.pid for worker in self._all if worker.busy}

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        self._wanted.put(None)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


def main(argv: list[str] | None = None) -> int:
    """Worker entry point: `python -m policykg.store.pool --fd N --build-dir DIR ...` (started by QueryPool)."""
    parser = argparse.ArgumentParser(prog="python -m policykg.store.pool")
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
    from policykg.store.pool import main as _main

    sys.exit(_main())

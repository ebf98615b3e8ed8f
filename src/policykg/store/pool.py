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

import logging
import math
import os
import queue
import select
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from policykg.store.jobs import PoolUnavailable, QueryJob, QueryOutcome, QueryTimeout, WorkerCrashed

log = logging.getLogger("policykg.store.pool")


class _WorkerDied(Exception):
    """The worker process went away (or answered garbage) while running a job."""


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
        command = [sys.executable, "-m", "policykg.store.worker", "--fd", str(child_sock.fileno()),
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

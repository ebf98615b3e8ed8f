"""Fixtures for the server tests: a real gunicorn server, a real Oxigraph server, a local 'trap' socket."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    """Poll url until it answers 2xx, failing early if the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 300:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate a server started by a fixture and wait for it."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="session")
def live_server(server_build_dir, dpv_dir):
    """`python -m policykg.serve` (gunicorn, 2 workers x 4 threads, 2 s query timeout) on 127.0.0.1."""
    port = free_port()
    command = [sys.executable, "-m", "policykg.serve", "--host", "127.0.0.1", "--port", str(port),
               "--build-dir", str(server_build_dir), "--timeout", "2", "--workers", "2", "--threads", "4",
               "--query-workers", "2", "--log-level", "warning", "--no-build",
               "--source-text", str(server_build_dir / "source.txt")]
    command += ["--dpv-dir", str(dpv_dir)] if dpv_dir else ["--no-dpv"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", process)
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` (the oxigraph PyPI package) on 127.0.0.1 with an empty store, union default graph."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-store")
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph", "--timeout-s", "5"]
    process = subprocess.Popen(command,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?query=ASK%7B%7D", process)
        yield base
    finally:
        stop(process)


class Trap:
    """A listening socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(4096))
            except OSError:
                self.connections.append(b"")
            conn.close()


@pytest.fixture()
def trap():
    """A local socket that must never be contacted by a refused SERVICE or a FROM clause."""
    found = Trap()
    yield found
    found.sock.close()

"""Fixtures for the server tests: a real gunicorn server, a real Oxigraph server, a local 'trap' socket."""

from __future__ import annotations

import socket
import sys
import threading

import pytest

from server_fixture import free_port, oxigraph_serve, running


@pytest.fixture(scope="session")
def live_server(server_build_dir, dpv_dir):
    """`python -m policykg.serve` (gunicorn, 2 workers x 4 threads, 2 s query timeout) on 127.0.0.1."""
    port = free_port()
    command = [sys.executable, "-m", "policykg.serve", "--host", "127.0.0.1", "--port", str(port),
               "--build-dir", str(server_build_dir), "--timeout", "2", "--workers", "2", "--threads", "4",
               "--query-workers", "2", "--log-level", "warning", "--no-build",
               "--source-text", str(server_build_dir / "source.txt")]
    command += ["--dpv-dir", str(dpv_dir)] if dpv_dir else ["--no-dpv"]
    base = f"http://127.0.0.1:{port}"
    with running(command, base + "/healthz"):
        yield base


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` (the oxigraph PyPI package) on 127.0.0.1 with an empty store, union default graph."""
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph-store")) as base:
        yield base


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

"""Fixtures for the server tests: the real server (granian), a real Oxigraph server, a local 'trap' socket."""

from __future__ import annotations

import pytest

from policykg.local_server import free_port
from server_fixture import oxigraph_serve, policykg_command, running, trap_socket


@pytest.fixture(scope="session")
def live_server(server_build_dir, dpv_dir):
    """`policykg serve` (the console script; granian, 2 workers x 4 threads, 2 s query timeout) on 127.0.0.1."""
    port = free_port()
    command = [*policykg_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--build-dir", str(server_build_dir), "--timeout", "2", "--workers", "2", "--threads", "4",
               "--query-workers", "2", "--log-level", "warning", "--no-build",
               "--texts-dir", str(server_build_dir / "texts")]
    command += ["--dpv-dir", str(dpv_dir)] if dpv_dir else ["--no-dpv"]
    base = f"http://127.0.0.1:{port}"
    with running(command, base + "/healthz"):
        yield base


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` (the oxigraph PyPI package) on 127.0.0.1 with an empty store, union default graph."""
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph-store")) as base:
        yield base


@pytest.fixture()
def trap():
    """A local socket that must never be contacted by a refused SERVICE or a FROM clause."""
    with trap_socket() as found:
        yield found

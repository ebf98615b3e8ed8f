"""`policykg serve` refuses an address it cannot listen on, clearly and before doing any work."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from server_fixture import policykg_command


def test_a_port_in_use_is_named_and_nothing_is_prepared(tmp_path: Path) -> None:
    build = tmp_path / "build"  # absent: the address is checked before the build or the store is looked at
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run([*policykg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-build",
                               "--build-dir", str(build)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not build.exists() and list(tmp_path.iterdir()) == []

"""Servers on 127.0.0.1 that this project starts (tests, benchmarks, notebooks): a free port, and waiting until one
answers. Standard library only."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable


class ServerNotUp(RuntimeError):
    """The server exited, or did not answer in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_2xx(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return 200 <= response.status < 300


def wait_until_answers(url: str, process: subprocess.Popen, seconds: float = 60.0, *, interval: float = 0.1,
                       probe: Callable[[str], bool] = _answers_2xx) -> None:
    """Poll url with probe (a 2xx GET by default) until it answers, failing early with the server's last stderr
    if the process exits; ServerNotUp after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode("utf-8", "replace")[-2000:] if process.stderr else ""
            raise ServerNotUp(f"the server for {url} exited with {process.returncode}:\n{error}")
        try:
            if probe(url):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(interval)
    raise ServerNotUp(f"{url} did not answer within {seconds:g} s")

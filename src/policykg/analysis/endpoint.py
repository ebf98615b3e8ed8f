"""The notebooks' HTTP route: start `policykg serve` on 127.0.0.1 in a child process, query it with SPARQLWrapper,
stop it. The analysis package only speaks HTTP to the endpoint (it never imports the web app)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.local_server import free_port, wait_until_answers

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas

#: The server modules `policykg serve` needs (checked without starting anything by endpoint_available).
_SERVER_CHECK = "import policykg.server as s, policykg.cli.serve; s.create_app; import policykg.server.state, policykg.server.pages.resources"


def endpoint_available() -> bool:
    """True when `policykg serve` can start here (its web app is installed and imports cleanly)."""
    import importlib.util

    try:
        if importlib.util.find_spec("policykg.server") is None:
            return False
    except ModuleNotFoundError:
        return False
    check = subprocess.run([sys.executable, "-c", _SERVER_CHECK], capture_output=True, timeout=60)
    return check.returncode == 0


@contextmanager
def running_endpoint(build: Path | str | None = None, dpv_dir: Path | str | None = None, *,
                     startup_timeout: float = 60.0) -> Iterator[str]:
    """Serve the build with `policykg serve` on 127.0.0.1 (a free port, one worker) in a child process; yield the
    /sparql URL; stop the server on exit. The same URL shape as a deployed endpoint's."""
    from policykg.analysis.session import build_dir

    port = free_port()
    command = [sys.executable, "-m", "policykg", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--build-dir", str(build_dir(build)), "--workers", "1", "--threads", "4", "--query-workers", "1",
               "--log-level", "warning"]
    if dpv_dir:
        command += ["--dpv-dir", str(dpv_dir)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(base + "/healthz", process, startup_timeout)
        yield base + "/sparql"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            process.kill()
            process.wait(5)
        if process.stderr:
            process.stderr.close()


def sparqlwrapper_df(endpoint: str, query: str) -> pandas.DataFrame:
    """Run a query against a SPARQL endpoint with SPARQLWrapper and return the result as a DataFrame (exact IRIs,
    as a tool would get them; add labels with policykg.analysis.add_labels)."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    from policykg.store.questions import from_sparql_json, to_dataframe

    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    document = client.query().convert()
    if not isinstance(document, dict):
        raise ValueError(f"{endpoint} did not answer with SPARQL JSON results")
    return to_dataframe(from_sparql_json(document))

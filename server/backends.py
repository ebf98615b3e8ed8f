"""Where queries run: the embedded pool of pyoxigraph workers, or a remote SPARQL 1.1 endpoint."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from policykg.query_pool import QueryJob, QueryOutcome, QueryPool, QueryTimeout
from policykg.sparql_formats import BY_KEY, GRAPH, GRAPH_FORMATS, RESULT_FORMATS, RESULTS


class Backend(Protocol):
    """Runs a query job within a time limit."""

    name: str

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Answer the job or raise QueryTimeout / WorkerCrashed."""

    def health(self) -> dict:
        """A small status dict for /healthz."""

    def close(self) -> None:
        """Release processes and connections."""


class EmbeddedBackend:
    """The default: an in-memory store in each of a pool of killable worker processes."""

    name = "embedded"

    def __init__(self, pool: QueryPool) -> None:
        self.pool = pool

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run the job in a worker process."""
        return self.pool.run(job, timeout)

    def health(self) -> dict:
        """Worker counts; unhealthy when no worker is alive."""
        alive = self.pool.alive
        return {"ok": alive > 0, "workers": self.pool.size, "alive": alive, "idle": self.pool.idle,
                "restarts": self.pool.restarts, "retries": self.pool.retries, "triples": self.pool.triples}

    def close(self) -> None:
        """Stop the workers."""
        self.pool.close()


class RemoteBackend:
    """Fronts any SPARQL 1.1 Protocol endpoint (Fuseki, Virtuoso, QLever, GraphDB, Oxigraph server)."""

    name = "remote"

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--backend must be an http(s) URL of a SPARQL endpoint, not {url!r}")
        self.url = url

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """POST the query to the remote endpoint and relay its answer, enforcing the deadline and size cap."""
        deadline = time.monotonic() + timeout
        # Relative IRIs resolve against this endpoint's URL, not the remote engine's: say so in the query itself.
        text = f"BASE <{job.base_iri}>\n{job.query}" if job.base_iri else job.query
        fields = [("query", text)]
        fields += [("default-graph-uri", iri) for iri in job.default_graph_uris]
        fields += [("named-graph-uri", iri) for iri in job.named_graph_uris]
        accept = []
        if job.results_format:
            accept.append(BY_KEY[job.results_format].media_type)
        if job.graph_format:
            accept.append(BY_KEY[job.graph_format].media_type)
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ", ".join(accept),
                     "User-Agent": "policykg-endpoint"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = _read_capped(response, deadline, job.max_result_bytes, timeout)
                media_type = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            message = exc.read(4000).decode("utf-8", "replace").strip()
            if exc.code == 400:
                return QueryOutcome("syntax", message=message or "the backend rejected the query")
            return QueryOutcome("backend_error", message=f"the backend answered {exc.code}: {message}")
        except TimeoutError:
            raise QueryTimeout(f"the backend did not answer within {timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise QueryTimeout(f"the backend did not answer within {timeout:g} s") from None
            return QueryOutcome("backend_error", message=f"the backend is unreachable: {exc.reason}")
        except _TooLarge:
            return QueryOutcome("too_large", message=f"the result is larger than {job.max_result_bytes} bytes")
        for fmt in RESULT_FORMATS + GRAPH_FORMATS:
            if media_type in (fmt.media_type, *fmt.accepted_types) and fmt.key in (job.results_format, job.graph_format):
                return QueryOutcome("ok", body=body, format_key=fmt.key, kind=fmt.kind)
        wanted = RESULTS if job.results_format and not job.graph_format else GRAPH if job.graph_format and not job.results_format else ""
        return QueryOutcome("backend_error", kind=wanted,
                            message=f"the backend answered in {media_type}, which was not asked for")

    def health(self) -> dict:
        """Remote mode is alive when the app is; the backend is checked per query."""
        return {"ok": True, "backend": self.url}

    def close(self) -> None:
        """Nothing to release: every query opens its own connection."""


class _TooLarge(Exception):
    pass


def _read_capped(response, deadline: float, limit: int, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise QueryTimeout(f"the backend did not finish answering within {timeout:g} s")
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)

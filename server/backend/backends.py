"""Where queries run: the embedded pool of pyoxigraph workers, or a remote SPARQL 1.1 endpoint."""

from __future__ import annotations

import http.client
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Protocol

from policykg.store.disk import DiskStore
from policykg.store.formats import GRAPH, RESULTS
from policykg.store.jobs import QueryJob, QueryOutcome, QueryTimeout, ResultTooLarge
from policykg.store.pool import QueryPool

from .engines import ENGINE_NAMES, ENGINES, Engine, detect, row_cap_header, stopped_at_time_limit
from .guard import shape
from .normalise import (
    GRAPH_ACCEPT,
    JSON_TYPES,
    RESULTS_ACCEPT,
    XML_TYPES,
    BadAnswer,
    Solutions,
    as_ask,
    read_graph,
    read_results,
    serialise_graph,
    serialise_results,
)

log = logging.getLogger("policykg.server")
USER_AGENT = "policykg-endpoint"


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
    """The default: pyoxigraph in each of a pool of killable worker processes (the on-disk store, or in memory)."""

    name = "embedded"

    def __init__(self, pool: QueryPool, disk: DiskStore | None = None) -> None:
        self.pool = pool
        #: The on-disk store the workers open (held until close), or None when each loads the build in memory.
        self.disk = disk

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run the job in a worker process."""
        return self.pool.run(job, timeout)

    def health(self) -> dict:
        """Worker counts; unhealthy when no worker is alive."""
        alive = self.pool.alive
        return {"ok": alive > 0, "workers": self.pool.size, "alive": alive, "idle": self.pool.idle,
                "restarts": self.pool.restarts, "retries": self.pool.retries, "triples": self.pool.triples,
                "store": "disk" if self.disk else "memory"}

    def close(self) -> None:
        """Stop the workers and release the on-disk store."""
        self.pool.close()
        if self.disk:
            self.disk.release()


class RemoteBackend:
    """Fronts any SPARQL 1.1 Protocol endpoint (Fuseki, Virtuoso, QLever, GraphDB, Oxigraph server).

    Every answer is read and re-serialised (server/normalise.py), so clients get standard results whatever the
    engine; the query deadline is passed to engines that take one (server/engines.py); an answer the engine cut
    short, at its row cap or at its own time limit, is never passed on as if it were the whole answer.
    """

    name = "remote"

    def __init__(self, url: str, engine: str = "auto", max_rows: int | None = None, parsers: int = 2) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--backend must be an http(s) URL of a SPARQL endpoint, not {url!r}")
        if engine not in ENGINE_NAMES:
            raise ValueError(f"--backend-engine must be one of {', '.join(ENGINE_NAMES)}, not {engine!r}")
        # Processes with an empty store that parse each query before it is forwarded (server/guard.py).
        self.parsers = QueryPool(None, None, size=parsers, memory_limit_mb=1024)
        self.parsers.start()
        self.url = url
        self.engine: Engine | None = None if engine == "auto" else ENGINES[engine]
        self.configured_max_rows = max_rows
        self.learned_max_rows: int | None = None
        self.timeout_refused = False
        self._lock = threading.Lock()

    def parse(self, probe: str, timeout: float) -> QueryOutcome:
        """Parse a guard probe in a parser process (ok or syntax); QueryTimeout / WorkerCrashed propagate."""
        return self.parsers.run(QueryJob(probe, parse_only=True), timeout)

    @property
    def max_rows(self) -> int | None:
        """The backend's row cap: as configured, else as the engine last said, else the engine's stock cap."""
        if self.configured_max_rows:
            return self.configured_max_rows
        if self.learned_max_rows:
            return self.learned_max_rows
        return self.engine.row_cap if self.engine else None

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """POST the query to the remote endpoint and relay its answer, enforcing the deadline and size cap."""
        deadline = time.monotonic() + timeout
        engine = self._engine(deadline)
        form, limit = shape(job.query)
        # Relative IRIs resolve against this endpoint's URL, not the remote engine's: say so in the query itself.
        text = f"BASE <{job.base_iri}>\n{job.query}" if job.base_iri else job.query
        fields = [("query", text)]
        fields += [("default-graph-uri", iri) for iri in job.default_graph_uris]
        fields += [("named-graph-uri", iri) for iri in job.named_graph_uris]
        accept = []
        if job.results_format:
            accept.append(RESULTS_ACCEPT)
        if job.graph_format:
            accept.append(GRAPH_ACCEPT)
        deadline_fields = [] if self.timeout_refused else engine.timeout_fields(max(0.001, deadline - time.monotonic()))
        reply = self._post(fields + deadline_fields, accept, deadline, timeout, job.max_result_bytes)
        if isinstance(reply, QueryOutcome):
            return reply
        if reply.status == 403 and deadline_fields and "timeout" in reply.text.lower():
            # QLever refuses a deadline above its own default: its default, shorter than ours, applies instead
            self.timeout_refused = True
            reply = self._post(fields, accept, deadline, timeout, job.max_result_bytes)
            if isinstance(reply, QueryOutcome):
                return reply
        if stopped_at_time_limit(reply.status, reply.headers, reply.text):
            detail = f" ({_plain_text(reply.text)[:300]})" if reply.status >= 400 and reply.text else ""
            raise QueryTimeout(f"the backend stopped the query at its time limit{detail}")
        if reply.status >= 400:
            return self._error(reply)
        return self._relay(reply, job, form, limit)

    # ---- the parts of run() ----

    def _engine(self, deadline: float) -> Engine:
        """The configured engine, or the one detected from the endpoint's headers (asked once, briefly)."""
        if self.engine is not None:
            return self.engine
        with self._lock:
            if self.engine is not None:
                return self.engine
            probe = urllib.request.Request(self.url + ("&" if "?" in self.url else "?") + "query=ASK%7B%7D",
                                           headers={"Accept": RESULTS_ACCEPT, "User-Agent": USER_AGENT})
            try:
                with urllib.request.urlopen(probe, timeout=max(0.1, min(2.0, deadline - time.monotonic()))) as r:
                    headers = r.headers
            except urllib.error.HTTPError as exc:
                headers = exc.headers
            except (OSError, ValueError):
                return ENGINES["generic"]  # unreachable now: try again with the next query
            self.engine = detect(headers)
            log.info("the backend %s is %s", self.url, self.engine.name)
            return self.engine

    def _post(self, fields, accept, deadline: float, timeout: float, limit: int) -> _Reply | QueryOutcome:
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ", ".join(accept),
                     "User-Agent": USER_AGENT},
            method="POST",
        )
        remaining = max(0.001, deadline - time.monotonic())
        try:
            with urllib.request.urlopen(request, timeout=remaining) as response:
                body = _read_capped(response, deadline, limit, timeout)
                return _Reply(response.status, response.headers, response.headers.get_content_type(), body)
        except urllib.error.HTTPError as exc:
            try:
                text = exc.read(4000).decode("utf-8", "replace")
            except (OSError, ValueError):
                text = ""
            return _Reply(exc.code, exc.headers, exc.headers.get_content_type() if exc.headers else "", b"", text)
        except TimeoutError:
            raise QueryTimeout(f"the backend did not answer within {_seconds(timeout)} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise QueryTimeout(f"the backend did not answer within {_seconds(timeout)} s") from None
            return QueryOutcome("backend_error", message=f"the backend is unreachable: {exc.reason}")
        except _TooLarge:
            return QueryOutcome("too_large", message=f"the result is larger than {limit} bytes")
        except (http.client.HTTPException, OSError) as exc:
            return QueryOutcome("backend_error", message=f"the backend's answer broke off: {exc}")

    def _error(self, reply: _Reply) -> QueryOutcome:
        message = _plain_text(reply.text) or "no message"
        if reply.status == 400:
            return QueryOutcome("syntax", message=f"the backend rejected the query: {message}")
        return QueryOutcome("backend_error", message=f"the backend answered {reply.status}: {message}")

    def _relay(self, reply: _Reply, job: QueryJob, form: str | None, limit: int | None) -> QueryOutcome:
        media_type = reply.media_type
        is_results = media_type in JSON_TYPES + XML_TYPES and form not in ("CONSTRUCT", "DESCRIBE")
        try:
            if is_results:
                return self._results(reply, job, form, limit)
            return self._graph(reply, job, form)
        except BadAnswer as exc:
            wanted = RESULTS if job.results_format and not job.graph_format else GRAPH if job.graph_format and not job.results_format else ""
            return QueryOutcome("backend_error", kind=wanted, message=str(exc))
        except ResultTooLarge:
            return QueryOutcome("too_large", message=f"the result is larger than {job.max_result_bytes} bytes")

    def _results(self, reply: _Reply, job: QueryJob, form: str | None, limit: int | None) -> QueryOutcome:
        solutions = read_results(reply.body, reply.media_type)
        if form == "ASK":
            solutions = Solutions(boolean=as_ask(solutions))
        elif solutions.boolean is not None:
            raise BadAnswer("the backend answered a SELECT query with a boolean")
        else:
            cap = row_cap_header(reply.headers)
            if cap:
                self.learned_max_rows = cap
                if len(solutions.rows) >= cap and (limit is None or limit > cap):
                    return _truncated(cap, f"the backend returns at most {cap} rows (its row cap), so this answer "
                                           "would be incomplete", RESULTS)
        if job.results_format is None:
            return QueryOutcome("not_acceptable", kind=RESULTS)
        body = serialise_results(solutions, job.results_format, job.max_result_bytes)
        return QueryOutcome("ok", body=body, format_key=job.results_format, kind=RESULTS)

    def _graph(self, reply: _Reply, job: QueryJob, form: str | None) -> QueryOutcome:
        triples = read_graph(reply.body, reply.media_type)
        cap = self.max_rows
        if form == "CONSTRUCT" and cap and _statements(reply.body, reply.media_type, len(triples)) >= cap:
            return _truncated(cap, f"the backend returns at most {cap} triples for a CONSTRUCT (its row cap), so "
                                   "this answer would be incomplete", GRAPH)
        if job.graph_format is None:
            return QueryOutcome("not_acceptable", kind=GRAPH)
        body = serialise_graph(triples, job.graph_format, job.max_result_bytes)
        return QueryOutcome("ok", body=body, format_key=job.graph_format, kind=GRAPH)

    def health(self) -> dict:
        """Remote mode is alive when the app is; the backend is checked per query."""
        return {"ok": self.parsers.alive > 0, "backend": self.url,
                "engine": self.engine.name if self.engine else "not yet detected", "parsers": self.parsers.alive}

    def close(self) -> None:
        """Stop the parser processes (every query opens its own connection)."""
        self.parsers.close()


@dataclass
class _Reply:
    status: int
    headers: Message
    media_type: str
    body: bytes
    text: str = ""


def _truncated(cap: int, what: str, kind: str) -> QueryOutcome:
    return QueryOutcome(
        "truncated", kind=kind, headers=(("X-SPARQL-MaxRows", str(cap)),),
        message=f"{what}. Ask for fewer rows (a LIMIT of at most {cap}, a narrower pattern, or an aggregate), or "
                "have the operator raise the engine's cap (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
                "virtuoso.ini, then --backend-max-rows)",
    )


def _statements(body: bytes, media_type: str, distinct: int) -> int:
    """Triples as the engine sent them, duplicates included, for N-Triples (else the distinct count)."""
    if media_type in ("application/n-triples", "text/plain"):
        return sum(1 for line in body.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))
    return distinct


def _seconds(value: float) -> str:
    return f"{round(value, 1):g}"


def _plain_text(text: str) -> str:
    """An engine's error page as one readable line (tags dropped, whitespace collapsed, at most 500 characters)."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:500]


class _TooLarge(Exception):
    pass


def _read_capped(response, deadline: float, limit: int, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise QueryTimeout(f"the backend did not finish answering within {_seconds(timeout)} s")
        chunk = response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)

"""What a query process is asked and answers: the job, the outcome, the exceptions the pool raises, and running one
job on a store with its result capped in size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, cast


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
    from policykg.store.formats import BY_KEY, GRAPH, RESULTS, rdf_with_prefixes

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
        if isinstance(result, ox.QueryTriples) and key == "turtle":
            rdf_with_prefixes(_collected(result, job.max_result_bytes), key, out)
        elif isinstance(result, ox.QueryTriples):
            result.serialize(out, BY_KEY[key].rdf_format())
        else:
            result.serialize(out, BY_KEY[key].results_format())
    except Exception as exc:  # noqa: BLE001
        if buffer.overflowed or isinstance(exc, ResultTooLarge):
            return QueryOutcome("too_large", kind=kind, message=f"the result is larger than {job.max_result_bytes} bytes")
        return QueryOutcome("error", kind=kind, message=str(exc))
    return QueryOutcome("ok", body=buffer.getvalue(), format_key=key, kind=kind)


def _collected(triples, limit: int) -> list:
    """The triples of a graph answer, gathered to find the prefixes they use before writing them; ResultTooLarge once
    their N-Triples form passes four times the limit (Turtle with prefixes is seldom a quarter of it)."""
    gathered = []
    size = 0
    for triple in triples:
        gathered.append(triple)
        size += len(str(triple))
        if size > 4 * limit:
            raise ResultTooLarge()
    return gathered

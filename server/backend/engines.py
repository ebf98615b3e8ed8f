"""What the proxy knows about each kind of remote SPARQL engine: how to pass it the query deadline, whether it caps
result rows, and how it says that it stopped a query at its own time limit.

The kind is configured (`--backend-engine`) or, by default, detected once from the `Server` header of a small
`ASK {}` sent to the endpoint. docs/remote-engines.md lists what each engine needs from its operator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

ENGINE_NAMES = ("auto", "virtuoso", "fuseki", "qlever", "graphdb", "rdf4j", "oxigraph", "generic")


def _milliseconds(seconds: float) -> str:
    return str(max(1, int(seconds * 1000)))


def _whole_seconds(seconds: float) -> str:
    return str(max(1, int(seconds)))


def _qlever_duration(seconds: float) -> str:
    return f"{max(1, int(seconds * 1000))}ms"


@dataclass(frozen=True)
class Engine:
    """One kind of engine: the request parameter that carries the deadline, and its stock row cap."""

    name: str
    #: (parameter name, seconds -> value), or None when the engine takes no per-request deadline.
    timeout: tuple[str, Callable[[float], str]] | None = None
    #: Rows the engine returns at most unless its operator changed it (Virtuoso's ResultSetMaxRows), or None.
    row_cap: int | None = None

    def timeout_fields(self, seconds: float) -> list[tuple[str, str]]:
        """The form fields that ask the engine to stop the query after `seconds`."""
        if self.timeout is None:
            return []
        name, encode = self.timeout
        return [(name, encode(seconds))]


ENGINES: dict[str, Engine] = {
    # Virtuoso: `timeout` in milliseconds ("anytime" queries: it answers 200 with partial results and
    # X-SQL-State: S1TAT when it hits the limit, which the proxy turns into a 503). ResultSetMaxRows = 10000 stock.
    "virtuoso": Engine("virtuoso", ("timeout", _milliseconds), 10000),
    # Fuseki: `timeout` in seconds (older versions truncate a fraction, so whole seconds are sent).
    "fuseki": Engine("fuseki", ("timeout", _whole_seconds)),
    # QLever: `timeout` as a duration; it refuses (403) one above its default-query-timeout without an access token.
    "qlever": Engine("qlever", ("timeout", _qlever_duration)),
    # GraphDB and other RDF4J servers: the RDF4J protocol's `timeout`, in whole seconds.
    "graphdb": Engine("graphdb", ("timeout", _whole_seconds)),
    "rdf4j": Engine("rdf4j", ("timeout", _whole_seconds)),
    # Oxigraph server: no per-request deadline; start it with --timeout-s.
    "oxigraph": Engine("oxigraph"),
    "generic": Engine("generic"),
}


class Headers(Protocol):
    """Response headers: a Mapping, or the email.message.Message urllib gives."""

    def get(self, name: str, /) -> str | None: ...


def detect(headers: Headers) -> Engine:
    """The engine a response came from, by its headers (generic when they do not say)."""
    server = (headers.get("Server") or "").lower()
    if "virtuoso" in server:
        return ENGINES["virtuoso"]
    if "fuseki" in server or headers.get("Fuseki-Request-Id"):
        return ENGINES["fuseki"]
    if "qlever" in server:
        return ENGINES["qlever"]
    if "graphdb" in server:
        return ENGINES["graphdb"]
    if "rdf4j" in server:
        return ENGINES["rdf4j"]
    if "oxigraph" in server:
        return ENGINES["oxigraph"]
    return ENGINES["generic"]


_TIME_LIMIT_MESSAGES = re.compile(
    r"estimated execution time .* exceeds the limit"  # Virtuoso refuses what its planner thinks is too slow
    r"|timed? ?out|timeout|time limit|deadline exceeded|query cancelled|operation cancelled",
    re.IGNORECASE,
)


def stopped_at_time_limit(status: int, headers: Headers, message: str) -> bool:
    """True when an engine's answer says it stopped the query at a time limit (or refused it as too slow).

    Virtuoso answers 200 with whatever it found so far and `X-SQL-State: S1TAT` ("anytime" queries): that partial
    answer must never reach the client as if it were the answer.
    """
    if (headers.get("X-SQL-State") or "").upper().startswith("S1T"):
        return True
    if status in (408, 503, 504):
        return True
    return status >= 500 and bool(_TIME_LIMIT_MESSAGES.search(message))


def row_cap_header(headers: Headers) -> int | None:
    """The row cap an engine says it applied (Virtuoso's X-SPARQL-MaxRows), if any."""
    value = (headers.get("X-SPARQL-MaxRows") or "").strip()
    return int(value) if value.isdigit() else None

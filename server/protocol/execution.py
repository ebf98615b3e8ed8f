"""Running a query through the backend with the cache in front: shared by /sparql and the linked-data pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, has_request_context, request

from policykg.store.jobs import QueryJob, QueryOutcome

from ..backend.guard import QueryInfo, inspect_query
from ..backend.standard import check_standard
from ..state import ServerState
from .cache import CachedResponse


class QueryFailed(Exception):
    """An internal query (for a page) did not succeed."""


@dataclass(frozen=True)
class Answer:
    """A finished query: the outcome, its cache key, and whether it came from the cache."""

    outcome: QueryOutcome
    key: str
    cached: bool


def state() -> ServerState:
    """The shared state of the current app."""
    return current_app.extensions["policykg"]


def cache_key(st: ServerState, query: str, dgu: Sequence[str], ngu: Sequence[str],
              results_format: str | None, graph_format: str | None, base_iri: str | None = None) -> str:
    """A digest identifying a query's answer under the current dataset version."""
    material = json.dumps([st.version, query, list(dgu), list(ngu), results_format, graph_format, base_iri])
    return hashlib.sha256(material.encode()).hexdigest()


def admit(st: ServerState, query: str) -> QueryInfo:
    """The guard, as both /sparql and the fast lane apply it: the lexical look, then the strict parse (in the remote
    backend's parser processes) and the function check. Raises Refused (403), NotStandard (400) or QueryTimeout."""
    info = inspect_query(query, st.service_allowlist)
    parse = getattr(st.backend, "parse", None)
    check_standard(query, info, st.allowed_functions, (lambda probe: parse(probe, st.timeout)) if parse else None)
    return info


#: Where the fast lane leaves, for /sparql, a query it ran whose outcome it does not answer itself.
PREFETCHED = "policykg.prefetched"


def run(query: str, *, results_format: str | None, graph_format: str | None,
        dgu: Sequence[str] = (), ngu: Sequence[str] = (), use_cache: bool = True,
        union_default_graph: bool = True, base_iri: str | None = None, st: ServerState | None = None,
        timeout: float | None = None) -> Answer:
    """Answer a query from the cache or the backend within `timeout` (default: the endpoint's query timeout);
    QueryTimeout / WorkerCrashed propagate.

    `st` is given outside a Flask request (the fast lane); inside one, an outcome the fast lane already got for
    the same query is used instead of running it again.
    """
    in_request = st is None
    st = st or state()
    if union_default_graph and not dgu and not ngu and st.manifest is not None:
        dgu, union_default_graph = st.every_graph(), False  # see ServerState.every_graph
    key = cache_key(st, query, dgu, ngu, results_format, graph_format, base_iri)
    if in_request and has_request_context():
        prefetched = request.environ.get(PREFETCHED)
        if prefetched is not None and prefetched[0] == key:
            if isinstance(prefetched[1], Exception):
                raise prefetched[1]
            return Answer(prefetched[1], key, False)
    if use_cache:
        hit = st.cache.get(key)
        if hit is not None:
            return Answer(QueryOutcome("ok", body=hit.body, format_key=hit.format_key, kind=hit.kind), key, True)
    job = QueryJob(query, tuple(dgu), tuple(ngu), results_format, graph_format, st.max_result_bytes,
                   union_default_graph, base_iri=base_iri)
    outcome = st.backend.run(job, st.timeout if timeout is None else timeout)
    if outcome.status == "ok" and use_cache:
        st.cache.put(key, CachedResponse(outcome.body, outcome.format_key, outcome.kind))
    return Answer(outcome, key, False)


def select_rows(query: str) -> list[dict[str, dict]]:
    """Run a SELECT for a page and return its SPARQL JSON bindings (raises QueryFailed)."""
    answer = run(query, results_format="json", graph_format=None)
    if answer.outcome.status != "ok":
        raise QueryFailed(f"{answer.outcome.status}: {answer.outcome.message}")
    return json.loads(answer.outcome.body)["results"]["bindings"]


def construct(query: str, graph_format: str) -> QueryOutcome:
    """Run a CONSTRUCT for a page in the given RDF format (raises QueryFailed)."""
    answer = run(query, results_format=None, graph_format=graph_format)
    if answer.outcome.status != "ok":
        raise QueryFailed(f"{answer.outcome.status}: {answer.outcome.message}")
    return answer.outcome

"""The SPARQL 1.1 Protocol endpoint: /sparql (query via GET, POST form, POST sparql-query)."""

from __future__ import annotations

import hashlib
import time

from flask import Blueprint, Response, g, request, url_for

from policykg.store.formats import BY_KEY, GRAPH, RESULTS, formats_for
from policykg.store.jobs import QueryTimeout, WorkerCrashed
from policykg.store.sparql_lexer import explain_syntax_error

from ..backend.guard import NotStandard, Refused, inspect_update
from ..errors import plain
from . import execution
from .negotiation import UnknownFormat, negotiate, prefers_html
from .service_description import endpoint_url, service_description, service_page

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/<dataset>", methods=["GET", "POST"])
def endpoint(dataset: str | None = None) -> Response:
    """Dispatch a protocol request: a query, an (always refused) update, or the service description.

    /sparql answers over the primary version's dataset, /sparql/<version> over another version's, /sparql/all
    over every graph at once (see ServerState.dataset)."""
    st = execution.state()
    if dataset is not None and dataset not in st.dataset_names:
        return plain(404, f"404 Not Found: no dataset {dataset!r}; this endpoint serves /sparql (the "
                          f"{st.manifest.primary if st.manifest else 'union'} dataset) and "
                          + ", ".join(f"/sparql/{name}" for name in st.dataset_names))
    g.dataset = dataset
    args = request.args
    if request.method == "GET":
        if "update" in args:
            return _refused_update(args.get("update", ""))
        queries = args.getlist("query")
        if not queries:
            if not args.get("format") and prefers_html(request.headers.get("Accept")):
                return _page_for_a_browser(dataset)
            return service_description(dataset)
        return _answer(queries, args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))
    mimetype = request.mimetype
    if mimetype == FORM:
        form = request.form
        if "update" in form:
            return _refused_update(form.get("update", ""))
        dgu = form.getlist("default-graph-uri") + args.getlist("default-graph-uri")
        ngu = form.getlist("named-graph-uri") + args.getlist("named-graph-uri")
        return _answer(form.getlist("query"), dgu, ngu)
    if mimetype == SPARQL_QUERY:
        charset = request.mimetype_params.get("charset", "utf-8")
        if charset.strip().lower() not in ("utf-8", "utf8"):
            return plain(415, f"415 Unsupported Media Type: a {SPARQL_QUERY} body must be UTF-8 (SPARQL 1.1 Protocol "
                              f"2.1.3); this one was declared charset={charset}. Send it as UTF-8, or as a form.")
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            return plain(400, "400 Bad Request: the query body is not valid UTF-8")
        return _answer([text], args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))
    if mimetype == SPARQL_UPDATE:
        return _refused_update(request.get_data(cache=False).decode("utf-8", "replace"))
    shown = mimetype or "none"
    return plain(415, f"415 Unsupported Media Type: a POST to /sparql must be {FORM} or {SPARQL_QUERY} "
                      f"(Content-Type was {shown})")


def _page_for_a_browser(dataset: str | None) -> Response:
    """A browser opening an endpoint URL: /sparql gets its service description as a page; /sparql/<dataset> the query
    page with that dataset picked (tools, which do not ask for text/html first, keep their RDF)."""
    if dataset is None:
        response = Response(service_page())
    else:
        response = Response(status=303, headers={"Location": url_for("query_page.index", dataset=dataset)})
    response.vary.add("Accept")
    return response


def _refused_update(text: str) -> Response:
    try:
        inspect_update(text)
    except Refused as exc:
        return plain(403, f"403 Forbidden: {exc}")
    return plain(403, "403 Forbidden: SPARQL Update is not allowed")  # pragma: no cover - inspect_update raises


def _answer(queries: list[str], dgu: list[str], ngu: list[str]) -> Response:
    st = execution.state()
    if not queries:
        return plain(400, "400 Bad Request: no query was given (send it as the 'query' parameter)")
    if len(queries) > 1:
        return plain(400, "400 Bad Request: exactly one 'query' parameter is allowed")
    query = queries[0]
    if not query.strip():
        return plain(400, "400 Bad Request: the query is empty")
    g.query_hash = hashlib.sha256(query.encode()).hexdigest()[:12]
    started = time.monotonic()
    try:
        info = execution.admit(st, query)
    except Refused as exc:
        return plain(403, f"403 Forbidden: {exc}")
    except NotStandard as exc:
        return plain(400, f"400 Bad Request: {exc}")
    except QueryTimeout as exc:
        return plain(503, f"503 Service Unavailable: the query could not be parsed in time ({exc})",
                     {"Retry-After": "5"})
    format_param = request.values.get("format") or request.values.get("output")
    kinds = [info.kind] if info.kind else [RESULTS, GRAPH]
    try:
        chosen = {kind: negotiate(request.headers.get("Accept"), kind, format_param) for kind in kinds}
    except UnknownFormat as exc:
        return plain(400, f"400 Bad Request: {exc}; known: " + ", ".join(BY_KEY))
    if all(fmt is None for fmt in chosen.values()):
        return _not_acceptable(kinds)
    results_fmt = chosen.get(RESULTS)
    graph_fmt = chosen.get(GRAPH)
    results_key = results_fmt.key if results_fmt else None
    graph_key = graph_fmt.key if graph_fmt else None
    # Relative IRIs resolve against this endpoint's URL, as the request addressed it (RFC 3986 5.1.3, as Oxigraph's
    # server does). Such answers depend on the Host header, so they are never kept in the response cache.
    base_iri = endpoint_url() if info.uses_base else None
    dgu, ngu, union = st.dataset(g.get("dataset"), dgu, ngu, info.has_dataset_clause)
    etag = execution.cache_key(st, query, dgu, ngu, results_key, graph_key, base_iri)[:32]
    if request.if_none_match.contains(etag):
        g.cache = "etag"
        return _with_cache_headers(Response(status=304), etag)
    try:
        answer = execution.run(query, results_format=results_key, graph_format=graph_key, dgu=dgu, ngu=ngu,
                               union_default_graph=union, base_iri=base_iri,
                               use_cache=base_iri is None,
                               timeout=max(0.1, st.timeout - (time.monotonic() - started)))
    except QueryTimeout as exc:
        return plain(503, f"503 Service Unavailable: {exc}. Simplify the query or add a LIMIT.", {"Retry-After": "5"})
    except WorkerCrashed as exc:
        return plain(503, f"503 Service Unavailable: {exc}", {"Retry-After": "5"})
    g.cache = "hit" if answer.cached else "miss"
    outcome = answer.outcome
    if outcome.status == "ok":
        response = Response(outcome.body, content_type=BY_KEY[outcome.format_key].content_type)
        return _with_cache_headers(response, etag)
    if outcome.status == "syntax":
        return plain(400, f"400 Bad Request: malformed query: {explain_syntax_error(query, outcome.message)}")
    if outcome.status == "not_acceptable":
        return _not_acceptable([outcome.kind])
    if outcome.status == "too_large":
        return plain(422, f"422 Unprocessable Content: {outcome.message}; add a LIMIT or select fewer variables")
    if outcome.status == "truncated":
        return plain(422, f"422 Unprocessable Content: {outcome.message}", dict(outcome.headers))
    if outcome.status == "backend_error":
        return plain(502, f"502 Bad Gateway: {outcome.message}")
    return plain(400, f"400 Bad Request: the query could not be evaluated: {outcome.message}")


def _not_acceptable(kinds: list[str]) -> Response:
    offered = ", ".join(fmt.media_type for kind in kinds for fmt in formats_for(kind))
    return plain(406, f"406 Not Acceptable: this query's results can be served as {offered} "
                      "(Accept header or format= parameter)")


def _with_cache_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept")
    return response

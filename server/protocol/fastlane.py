"""The fast lane: plain /sparql queries answered before Flask sees the request.

Only the plainest requests take it: GET with ?query=, or POST of a form, one query that the guard lets through
and whose answer does not depend on the Host, no If-None-Match, and a format that Accept or format= names. It
uses the same guard, negotiation, cache and backend as /sparql and sends the same headers. A successful answer
is sent from here; any other outcome (a syntax error, a timeout...) is handed to /sparql to word, without
running the query again; every other request goes on to Flask unchanged (a form body read here is handed on).
tests/server/test_fastlane.py compares the two lanes header for header.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from policykg.store.formats import BY_KEY, GRAPH, RESULTS

from ..backend.guard import QueryInfo
from ..hooks import DEFAULT_HEADERS, access_log
from ..state import ServerState
from .execution import PREFETCHED, admit, cache_key, run
from .limits import refuse, too_long
from .negotiation import UnknownFormat, negotiate

FORM = "application/x-www-form-urlencoded"
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass(frozen=True)
class Params:
    """The protocol parameters of a request, as /sparql reads them."""

    queries: list[str]
    update: bool
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None


def _first(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name)
    return found[0] if found else None


class FastLane:
    """WSGI middleware in front of the Flask app (see the module docstring)."""

    def __init__(self, inner: WSGIApp, state: ServerState, config: Any) -> None:
        self.inner = inner
        self.state = state
        self.config = config
        self.taken = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        refused = too_long(environ)  # before anything reads it: a URL or headers too long, refused in words
        if refused is not None:
            return refuse(start_response, *refused)
        path = environ.get("PATH_INFO", "")
        if not (path == "/sparql" or path.startswith("/sparql/")) or "HTTP_IF_NONE_MATCH" in environ:
            return self.inner(environ, start_response)
        started = time.perf_counter()
        params = self._params(environ)
        plan = self._plan(environ, params) if params is not None else None
        if params is None or plan is None:
            return self.inner(environ, start_response)
        query, info, results_key, graph_key = plan
        st = self.state
        try:
            dgu, ngu, union = st.dataset(path[len("/sparql/"):] or None if path != "/sparql" else None,
                                         params.default_graphs, params.named_graphs, info.has_dataset_clause)
        except KeyError:  # an unknown dataset: /sparql/<name> words the 404
            return self.inner(environ, start_response)
        try:
            answer = run(query, results_format=results_key, graph_format=graph_key, dgu=dgu, ngu=ngu,
                         union_default_graph=union, st=st, use_cache=st.cache.max_entries > 0)
        except Exception as exc:  # noqa: BLE001 - a timeout, a crash or a bug: /sparql words it (and logs a bug)
            environ[PREFETCHED] = (cache_key(st, query, dgu, ngu, results_key, graph_key), exc)
            return self.inner(environ, start_response)
        outcome = answer.outcome
        if outcome.status != "ok":
            environ[PREFETCHED] = (answer.key, outcome)
            return self.inner(environ, start_response)
        self.taken += 1
        body = outcome.body
        start_response("200 OK", [
            ("Content-Type", BY_KEY[outcome.format_key].content_type), ("Content-Length", str(len(body))),
            ("ETag", f'"{answer.key[:32]}"'), ("Cache-Control", "public, max-age=300"), ("Vary", "Accept"),
            *DEFAULT_HEADERS])
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(json.dumps({
                "method": environ["REQUEST_METHOD"], "path": path, "status": 200,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "query_hash": hashlib.sha256(query.encode()).hexdigest()[:12],
                "cache": "hit" if answer.cached else "miss", "bytes": len(body), "remote": environ.get("REMOTE_ADDR"),
            }, separators=(",", ":")))
        return [body]

    def _params(self, environ: dict) -> Params | None:
        """What /sparql would read from a GET or a form POST (the body is put back for Flask), else None."""
        method = environ.get("REQUEST_METHOD")
        query_string = environ.get("QUERY_STRING", "")
        if not query_string.isascii():
            return None
        args = parse_qs(query_string, keep_blank_values=True)
        if method == "GET":
            return Params(args.get("query", []), "update" in args, args.get("default-graph-uri", []),
                          args.get("named-graph-uri", []), _first(args, "format") or _first(args, "output"))
        if method != "POST" or environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != FORM:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if length > (self.config.get("MAX_CONTENT_LENGTH") or 0):
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # Flask reads it again if we pass
        if not body.isascii():
            return None
        form = parse_qs(body.decode("ascii"), keep_blank_values=True)
        # as /sparql reads it: the query from the form, graphs from both, format= from the URL first
        return Params(form.get("query", []), "update" in form,
                      form.get("default-graph-uri", []) + args.get("default-graph-uri", []),
                      form.get("named-graph-uri", []) + args.get("named-graph-uri", []),
                      _first(args, "format") or _first(form, "format") or _first(args, "output") or _first(form, "output"))

    def _plan(self, environ: dict, params: Params) -> tuple[str, QueryInfo, str | None, str | None] | None:
        """The query, what the guard learnt and the chosen formats, if this request may take the lane."""
        if len(params.queries) != 1 or params.update or not params.queries[0].strip():
            return None
        trusted = self.config.get("TRUSTED_HOSTS")
        if trusted:
            try:
                get_host(environ, trusted)
            except SecurityError:
                return None
        query = params.queries[0]
        try:
            info = admit(self.state, query)
        except Exception:  # noqa: BLE001 - refused, not standard, a parse timeout: /sparql words it
            return None
        if info.uses_base:
            return None
        kinds = [info.kind] if info.kind else [RESULTS, GRAPH]
        try:
            chosen = {kind: negotiate(environ.get("HTTP_ACCEPT"), kind, params.format) for kind in kinds}
        except UnknownFormat:
            return None
        if all(fmt is None for fmt in chosen.values()):
            return None
        results_fmt, graph_fmt = chosen.get(RESULTS), chosen.get(GRAPH)
        return query, info, results_fmt.key if results_fmt else None, graph_fmt.key if graph_fmt else None

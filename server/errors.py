"""Readable error responses: a plain-text message and the right status, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, SecurityError

from policykg.store.jobs import QueryTimeout, WorkerCrashed

from .protocol.execution import QueryFailed

log = logging.getLogger("policykg.server")

#: How much of a refused (413) body is read and thrown away so that the connection closes cleanly and the client
#: can read the 413; a larger body is not read, and such a client may see the connection reset instead.
DRAIN_LIMIT = 16 * 1024 * 1024


def drain_request_body(limit: int = DRAIN_LIMIT) -> None:
    """Read and discard the rest of the request body (up to limit), so closing the socket does not reset it."""
    length = request.content_length
    if not length or length > limit:
        return
    stream = request.environ.get("wsgi.input")
    remaining = length
    while stream is not None and remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            break
        remaining -= len(chunk)


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A text/plain response carrying a message for people and tools."""
    response = Response(message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Install handlers so every error (HTTP or unexpected) becomes a short plain-text response."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = exc.get_response()
        message = f"{exc.code} {exc.name}: {exc.description}"
        if isinstance(exc, SecurityError) and app.config.get("TRUSTED_HOSTS"):
            message = (f"400 Bad Request: {exc.description} This endpoint answers only to the host names "
                       f"{', '.join(app.config['TRUSTED_HOSTS'])} (its --trusted-host settings).")
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"413 Content Too Large: the request body exceeds this endpoint's limit of {limit} bytes"
            drain_request_body()
        out = plain(exc.code or 500, message)
        if exc.code == 413:
            out.headers["Connection"] = "close"
        for name in ("Allow", "Retry-After"):
            if name in response.headers:
                out.headers[name] = response.headers[name]
        return out

    @app.errorhandler(QueryTimeout)
    def timeout(exc: QueryTimeout) -> Response:
        return plain(503, f"503 Service Unavailable: {exc}", {"Retry-After": "5"})

    @app.errorhandler(WorkerCrashed)
    def crashed(exc: WorkerCrashed) -> Response:
        return plain(503, f"503 Service Unavailable: {exc}", {"Retry-After": "5"})

    @app.errorhandler(QueryFailed)
    def failed(exc: QueryFailed) -> Response:
        return plain(502, f"502 Bad Gateway: a query behind this page failed: {exc}")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return plain(500, "500 Internal Server Error: the server could not answer this request (the error was logged)")

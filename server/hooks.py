"""Per-request hooks: CORS for reading, security headers, structured access log lines."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, g, request

access_log = logging.getLogger("policykg.access")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Length, Content-Type, Repr-Digest, X-Checksum-SHA256, Retry-After",
}
#: What every response carries unless its handler set the header itself.
DEFAULT_HEADERS = tuple(SECURITY_HEADERS.items()) + tuple(CORS_HEADERS.items())
CORS_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match, Cache-Control, X-Requested-With",
    "Access-Control-Max-Age": "86400",
}


def register(app: Flask) -> None:
    """Install the before/after request hooks."""

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def decorate(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name in headers.keys()}  # (Headers.setdefault raises and catches per miss)
        for name, value in DEFAULT_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if request.method == "OPTIONS":
            response.headers.update(CORS_PREFLIGHT)
        _log(response)
        return response


def _log(response: Response) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    started = g.get("started")
    record = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        "query_hash": g.get("query_hash"),
        "cache": g.get("cache"),
        "bytes": response.calculate_content_length(),
        "remote": request.remote_addr,
    }
    access_log.info(json.dumps(record, separators=(",", ":")))

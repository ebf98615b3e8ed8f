"""Request lines and headers too long to read: a 414 or 431 with a body saying what to do (POST the query).

granian's HTTP layer (hyper) refuses a URL over 64 KiB with an empty 414 and headers over about 400 KiB, or more than
100 of them, with an empty 431, before the app sees the request. The app's outermost layer (the fast lane, which
asks too_long() first) refuses earlier and in words: a URL over MAX_URL_BYTES (a GET query that long belongs in a POST body) and header fields over
MAX_HEADER_BYTES or MAX_HEADER_FIELDS. Only a request past hyper's own limits still gets hyper's empty answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..hooks import DEFAULT_HEADERS

MAX_URL_BYTES = 32 * 1024
MAX_HEADER_BYTES = 256 * 1024
MAX_HEADER_FIELDS = 90
POST_ADVICE = ("Send a long query with POST instead, as a form (Content-Type: application/x-www-form-urlencoded, "
               "query=...) or as the body itself (Content-Type: application/sparql-query).")


def too_long(environ: dict) -> tuple[str, str] | None:
    """(status line, message) for a request whose URL or header fields are over the limits, else None."""
    url = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 1
    if url > MAX_URL_BYTES:
        return ("414 URI Too Long", f"414 URI Too Long: this URL is {url} bytes long and this endpoint reads URLs of "
                                    f"at most {MAX_URL_BYTES} bytes. {POST_ADVICE}")
    count = size = 0
    for key, value in environ.items():  # one pass, a few microseconds: every request goes through it
        if key[:5] == "HTTP_":
            count += 1
            size += len(key) + len(value)
    if size > MAX_HEADER_BYTES or count > MAX_HEADER_FIELDS:
        return ("431 Request Header Fields Too Large",
                f"431 Request Header Fields Too Large: this request has {count} header fields of {size} bytes in "
                f"all; this endpoint reads at most {MAX_HEADER_FIELDS} fields of {MAX_HEADER_BYTES} bytes. Put the "
                f"query in the request body, not in a header: {POST_ADVICE}")
    return None


def refuse(start_response: Callable, status: str, message: str) -> Iterable[bytes]:
    """Send the 414 or 431 of too_long() as plain text, with the headers every response carries."""
    body = (message + "\n").encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Connection", "close"), *DEFAULT_HEADERS])
    return [body]

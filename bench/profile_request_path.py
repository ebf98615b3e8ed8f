"""Profile the request path without HTTP: the WSGI app called in-process with the benchmark's requests.

Usage: python bench/profile_request_path.py [--mix simple|cq] [--requests 3000] [--profile] [--build-dir DIR]
Prints the time per request (fast lane, guard, negotiation, the hop to a query process and back, the query, JSON),
cache off, one query process; with --profile, the 25 functions with the most time of their own. Set against the
per-request time over HTTP (bench_endpoint.py, one client), the difference is the HTTP server's share
(decision 24).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_endpoint import query_mix  # noqa: E402


def environ(body: bytes) -> dict:
    """A form POST to /sparql asking for SPARQL JSON, as wrk sends it."""
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/sparql", "QUERY_STRING": "",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), "HTTP_ACCEPT": "application/sparql-results+json",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.errors": sys.stderr}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mix", choices=["cq", "simple"], default="simple")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--dpv-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    from policykg.config import default_build_dir, locate_dpv_dir
    from policykg.server import create_app

    dpv = locate_dpv_dir(args.dpv_dir).path
    app = create_app({"BUILD_DIR": str(args.build_dir or default_build_dir()), "DPV_DIR": str(dpv) if dpv else False,
                      "QUERY_WORKERS": 1, "CACHE_ENTRIES": 0})
    bodies = [urllib.parse.urlencode({"query": text}).encode() for _, text in query_mix(args.mix)]

    def call(body: bytes) -> None:
        status: list[str] = []
        b"".join(app(environ(body), lambda line, headers, exc=None: status.append(line)))
        if not status[0].startswith("200"):
            raise SystemExit(f"the app answered {status[0]}")

    try:
        for body in bodies * 20:  # warm-up: the store's caches, the guard's memo
            call(body)
        started = time.perf_counter()
        for number in range(args.requests):
            call(bodies[number % len(bodies)])
        per_request = (time.perf_counter() - started) / args.requests * 1000
        print(f"mix {args.mix}: {per_request:.3f} ms a request in-process ({args.requests} requests, cache off)")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for number in range(args.requests):
                call(bodies[number % len(bodies)])
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    finally:
        app.extensions["policykg"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

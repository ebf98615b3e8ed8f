"""`policykg serve`: build the graph if needed and serve the SPARQL endpoint with granian (decision 24)."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.errors import PolicyKGError

if TYPE_CHECKING:
    from policykg.store.disk import DiskStore

log = logging.getLogger("policykg.cli.serve")


def register(subparsers) -> argparse.ArgumentParser:
    """Register `serve` on an argparse subparsers object (func(args) -> exit code)."""
    parser = subparsers.add_parser("serve", help="serve the SPARQL endpoint, query page and linked data",
                                   description=__doc__)
    add_serve_arguments(parser)
    parser.set_defaults(func=run_serve)
    return parser


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `policykg serve`."""
    from policykg.cli.options import add_resource_options

    add_resource_options(parser, build=True)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--no-dpv", action="store_true", help="serve without the DPV vocabulary")
    parser.add_argument("--no-build", action="store_true", help="use the build folder as it is (never rebuild)")
    parser.add_argument("--backend", metavar="URL", default=None,
                        help="front this SPARQL 1.1 endpoint instead of the embedded store")
    parser.add_argument("--backend-engine", default="auto",
                        choices=["auto", "virtuoso", "fuseki", "qlever", "graphdb", "rdf4j", "oxigraph", "generic"],
                        help="the --backend engine, for its deadline parameter and row cap (default: detect it)")
    parser.add_argument("--backend-max-rows", type=int, default=None, metavar="N",
                        help="the --backend engine's cap on result rows, if not its stock value (Virtuoso: "
                             "ResultSetMaxRows, 10000 stock)")
    parser.add_argument("--allow-function", action="append", default=[], metavar="IRI",
                        help="allow queries to call this function besides the SPARQL 1.1 built-ins and XSD casts; "
                             "repeatable")
    parser.add_argument("--workers", type=int, default=2, help="HTTP worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per HTTP worker (default 8)")
    parser.add_argument("--query-workers", type=int, default=2,
                        help="query processes per HTTP worker (default 2)")
    parser.add_argument("--store", choices=["disk", "memory"], default="disk",
                        help="disk: build one on-disk store from the build (cached, reused while the build is "
                             "unchanged) that every query process opens read-only; memory: each query process loads "
                             "the build into memory (default: disk; docs/decisions/0023)")
    parser.add_argument("--store-dir", default=None, metavar="DIR",
                        help="where the on-disk store is cached (default: .BUILD-store beside the build folder)")
    parser.add_argument("--timeout", type=float, default=10.0, help="query timeout in seconds (default 10)")
    parser.add_argument("--max-result-mb", type=float, default=50.0, help="largest result in MB (default 50)")
    parser.add_argument("--cache-entries", type=int, default=512, help="cached responses per worker (0: off)")
    parser.add_argument("--allow-service", action="append", default=[], metavar="HOST",
                        help="allow SERVICE calls to this host (or host:port); repeatable")
    parser.add_argument("--trusted-host", action="append", default=[], metavar="HOST",
                        help="answer only requests whose Host header names this host (port ignored; '.policykg.org' "
                             "also matches its subdomains); repeatable; default: any host")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def app_settings(args: argparse.Namespace, build_dir: Path, dpv_dir: Path | None) -> dict:
    """The create_app() settings for parsed serve options."""
    return {
        "BUILD_DIR": str(build_dir),
        "DPV_DIR": False if args.no_dpv or dpv_dir is None else str(dpv_dir),
        "BACKEND_URL": args.backend,
        "BACKEND_ENGINE": args.backend_engine,
        "BACKEND_MAX_ROWS": args.backend_max_rows,
        "ALLOWED_FUNCTIONS": tuple(args.allow_function),
        "QUERY_TIMEOUT": args.timeout,
        "QUERY_WORKERS": args.query_workers,
        "STORE": args.store,
        "STORE_DIR": args.store_dir,
        "MAX_RESULT_BYTES": int(args.max_result_mb * 1024 * 1024),
        "CACHE_ENTRIES": args.cache_entries,
        "SERVICE_ALLOWLIST": tuple(args.allow_service),
        "TEXTS_DIR": args.texts_dir,
        "TRUSTED_HOSTS": list(args.trusted_host) or None,
    }


def prepare(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """Resolve the build and DPV folders, building the graph first when the build folder lacks it."""
    from policykg.config import default_build_dir, locate_dpv_dir

    build_dir = Path(args.build_dir) if args.build_dir else default_build_dir()
    dpv_dir = None
    if not args.no_dpv:
        found = locate_dpv_dir(args.dpv_dir)
        dpv_dir = found.path
        if dpv_dir is None and not args.backend:
            log.warning("DPV 2.3 not found (looked in %s): serving without the DPV vocabulary", "; ".join(found.tried))
    from policykg.store.dataset import locate_dataset_files

    if args.backend:
        return build_dir, dpv_dir
    if args.no_build:
        locate_dataset_files(build_dir, None)
        return build_dir, dpv_dir

    from policykg.build.pipeline import ensure_built

    return Path(ensure_built(build_dir, dpv_dir)), dpv_dir


def prepare_store(args: argparse.Namespace, build_dir: Path, dpv_dir: Path | None) -> DiskStore | None:
    """With --store disk, build the on-disk store before any worker starts (or find it cached), and hold it."""
    if args.backend or args.store != "disk":
        return None
    from policykg.store.disk import ensure_disk_store

    started = time.perf_counter()
    disk = ensure_disk_store(build_dir, None if args.no_dpv else dpv_dir,
                             Path(args.store_dir) if args.store_dir else None)
    log.info("%s the on-disk store %s (%d quads) in %.1f s", "built" if disk.built else "reusing", disk.path,
             disk.quads, time.perf_counter() - started)
    return disk


def run_serve(args: argparse.Namespace) -> int:
    """Entry point of `policykg serve`."""
    logging.basicConfig(level=getattr(logging, args.log_level.upper()), format="%(message)s", stream=sys.stderr)
    try:
        check_address(args.host, args.port)
        build_dir, dpv_dir = prepare(args)
        disk = prepare_store(args, build_dir, dpv_dir)
    except PolicyKGError as exc:
        print(f"policykg serve: {exc}", file=sys.stderr)
        return exc.exit_code
    settings = app_settings(args, build_dir, dpv_dir)
    print(f"policykg: serving on http://{args.host}:{args.port}/ (SPARQL endpoint /sparql)", file=sys.stderr)
    try:
        http_server(args).serve(target_loader=lambda _target: _create_app(settings))
    finally:
        if disk:
            disk.release()
    return 0


def _create_app(settings: dict):
    """The WSGI app each HTTP worker runs (each opens its own query pool)."""
    from policykg.server import create_app

    return create_app(settings)


def check_address(host: str, port: int) -> None:
    """Fail with a clear message, before any work, when the address cannot be listened on (in use, not ours)."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise PolicyKGError(f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc} (choose another --port or "
                            "--host, or stop what is using it)") from None


def http_server(args: argparse.Namespace):
    """A granian server (HTTP in Rust, the WSGI app in each worker's threads) for parsed serve options."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    return Granian(  # the target is only named here: run_serve's target_loader builds the app with its settings
        "policykg.server:create_app", address=args.host, port=args.port, interface=Interfaces.WSGI,
        workers=max(1, args.workers), blocking_threads=max(1, args.threads),
        http1_settings=HTTP1Settings(keep_alive=True),
        respawn_failed_workers=True, respawn_interval=0.5, workers_kill_timeout=10,
        log_level=LogLevels(args.log_level))


def main(argv: list[str] | None = None) -> int:
    """`python -m policykg.cli.serve [options]` (the same options as `policykg serve`)."""
    parser = argparse.ArgumentParser(prog="python -m policykg.cli.serve", description=__doc__)
    add_serve_arguments(parser)
    return run_serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

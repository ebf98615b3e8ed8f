"""`policykg publish URL`: load the dumps (and DPV) into a triple store through the SPARQL 1.1 Graph Store Protocol."""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import PolicyKGError
from .store import BUILD_GRAPHS, DPV_GRAPH, locate_dataset_files

CONTENT_TYPES = {".nt": "application/n-triples", ".ttl": "text/turtle"}


class PublishError(PolicyKGError):
    """The graph store refused or could not be reached."""


@dataclass(frozen=True)
class Upload:
    """One file sent into one named graph (PUT replaces the graph, POST adds to it)."""

    path: Path
    graph: str
    method: str


def add_publish_parser(subparsers) -> argparse.ArgumentParser:
    """Register `publish` on an argparse subparsers object (func(args) -> exit code)."""
    parser = subparsers.add_parser(
        "publish", help="load the dumps into a SPARQL store via the Graph Store Protocol",
        description=__doc__ + " URL is the store's Graph Store Protocol endpoint, e.g. http://localhost:7878/store "
        "(Oxigraph) or http://localhost:3030/ds/data (Fuseki). Each graph is replaced.",
    )
    parser.add_argument("url", help="the Graph Store Protocol endpoint")
    parser.add_argument("--build-dir", type=Path, default=None, help="the build folder (default: ./build)")
    parser.add_argument("--dpv-dir", type=Path, default=None, help="folder with the DPV 2.3 Turtle files")
    parser.add_argument("--no-dpv", action="store_true", help="do not publish the DPV vocabulary")
    parser.add_argument("--no-build", action="store_true", help="use the build folder as it is (never rebuild)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per upload (default 120)")
    parser.set_defaults(func=run_publish)
    return parser


def plan_uploads(build_dir: Path, dpv_dir: Path | None) -> list[Upload]:
    """The uploads that publish a build (and DPV): one PUT per graph, then POSTs for DPV's further files."""
    files = locate_dataset_files(build_dir, dpv_dir)
    uploads = [Upload(path, BUILD_GRAPHS[name], "PUT") for name, path in files.build_files.items()]
    for index, path in enumerate(files.dpv_files):
        uploads.append(Upload(path, DPV_GRAPH, "PUT" if index == 0 else "POST"))
    return uploads


def graph_url(endpoint: str, graph: str) -> str:
    """The GSP URL addressing a named graph with ?graph= (indirect identification)."""
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + separator + urllib.parse.urlencode({"graph": graph})


def send(endpoint: str, upload: Upload, timeout: float) -> int:
    """Send one upload; return the HTTP status or raise PublishError."""
    body = upload.path.read_bytes()
    request = urllib.request.Request(
        graph_url(endpoint, upload.graph), data=body, method=upload.method,
        headers={"Content-Type": CONTENT_TYPES[upload.path.suffix], "User-Agent": "policykg-publish"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace").strip()
        raise PublishError(f"{upload.method} {upload.path.name} -> <{upload.graph}> was refused: "
                           f"HTTP {exc.code} {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PublishError(f"cannot reach the graph store at {endpoint}: {reason}") from exc


def publish(endpoint: str, build_dir: Path, dpv_dir: Path | None, timeout: float = 120.0, out=sys.stdout) -> int:
    """Upload every planned file; return the number of files sent."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PublishError(f"the graph store URL must be http(s), not {endpoint!r}")
    uploads = plan_uploads(build_dir, dpv_dir)
    for upload in uploads:
        status = send(endpoint, upload, timeout)
        print(f"{upload.method} {upload.path.name} -> <{upload.graph}>: HTTP {status}", file=out)
    return len(uploads)


def run_publish(args: argparse.Namespace) -> int:
    """Entry point of `policykg publish`."""
    from .config import default_build_dir, locate_dpv_dir

    build_dir = args.build_dir or default_build_dir()
    dpv_dir = None
    if not args.no_dpv:
        found = locate_dpv_dir(args.dpv_dir)
        dpv_dir = found.path
        if dpv_dir is None:
            print("policykg publish: DPV 2.3 not found (looked in " + "; ".join(found.tried)
                  + "); publishing the ontology and data only", file=sys.stderr)
    try:
        if not args.no_build:
            from .build import ensure_built

            build_dir = Path(ensure_built(build_dir, dpv_dir))
        count = publish(args.url, build_dir, dpv_dir, args.timeout)
    except PolicyKGError as exc:
        print(f"policykg publish: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"published {count} files to {args.url}", file=sys.stderr)
    return 0

"""`policykg publish URL`: load every graph into a store through the Graph Store Protocol (exit 0 ok, 2 error)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykg.cli.options import resource_options
from policykg.errors import PolicyKGError
from policykg.store.publish import PASSWORD_ENV, USER_ENV, find_credentials, publish, split_credentials


def register(subparsers) -> argparse.ArgumentParser:
    """Register `publish` on an argparse subparsers object (func(args) -> exit code)."""
    parser = subparsers.add_parser(
        "publish", parents=[resource_options(texts=False, build=True)], help="load the dumps into a SPARQL store via the Graph Store Protocol",
        description=__doc__ + " URL is the store's Graph Store Protocol endpoint, e.g. http://localhost:7878/store "
        "(Oxigraph), http://localhost:3030/ds/data (Fuseki), http://localhost:8890/sparql-graph-crud-auth "
        "(Virtuoso, digest authentication as a user with the SPARQL_UPDATE role) or "
        "http://localhost:7200/repositories/REPO/rdf-graphs/service (GraphDB); see docs/remote-engines.md. "
        "Each graph is replaced. When the store asks for credentials (HTTP basic or digest authentication) they "
        f"come from --user, the URL, ${USER_ENV} and ${PASSWORD_ENV}, or ~/.netrc, in that order; the password "
        "is never printed.",
    )
    parser.add_argument("url", help="the Graph Store Protocol endpoint")
    parser.add_argument("--user", metavar="NAME[:PASSWORD]", default=None,
                        help=f"user name for the store (password after a colon, else from ${PASSWORD_ENV}, else "
                             "asked for on a terminal); a password here is visible to other local users, so prefer "
                             "the environment or ~/.netrc")
    parser.add_argument("--no-dpv", action="store_true", help="do not publish the DPV vocabulary")
    parser.add_argument("--no-build", action="store_true", help="use the build folder as it is (never rebuild)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per upload (default 120)")
    parser.set_defaults(func=run_publish)
    return parser


def run_publish(args: argparse.Namespace) -> int:
    """Entry point of `policykg publish`."""
    from policykg.config import default_build_dir, locate_dpv_dir

    build_dir = Path(args.build_dir) if args.build_dir else default_build_dir()
    dpv_dir = None
    if not args.no_dpv:
        found = locate_dpv_dir(args.dpv_dir)
        dpv_dir = found.path
        if dpv_dir is None:
            print("policykg publish: DPV 2.3 not found (looked in " + "; ".join(found.tried)
                  + "); publishing the ontology and data only", file=sys.stderr)
    try:
        credentials = find_credentials(args.url, args.user)
        if not args.no_build:
            from policykg.build.pipeline import ensure_built

            build_dir = Path(ensure_built(build_dir, dpv_dir))
        count = publish(args.url, build_dir, dpv_dir, args.timeout, credentials=credentials)
    except PolicyKGError as exc:
        print(f"policykg publish: {exc}", file=sys.stderr)
        return exc.exit_code
    shown = split_credentials(args.url)[0]
    print(f"published {count} files to {shown}" + (f" as {credentials}" if credentials else ""), file=sys.stderr)
    return 0

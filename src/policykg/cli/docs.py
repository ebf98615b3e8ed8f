"""`policykg docs --out DIR`: the ontology's HTML documentation (exit 0 ok, 2 error)."""

from __future__ import annotations

import argparse
from pathlib import Path

from policykg.errors import PolicyKGError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the `docs` subcommand."""
    p = subparsers.add_parser("docs", help="generate HTML documentation of the ontology")
    p.add_argument("--out", required=True, help="output folder (index.html is written there)")
    p.add_argument("--ontology", help="the ontology Turtle file (default: ontology/policykg.ttl)")
    p.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    """Write the ontology documentation."""
    from policykg.build.docs import write_docs

    path = Path(args.ontology) if args.ontology else None
    if path is not None and not path.is_file():
        raise PolicyKGError("no such ontology file", path=path)
    target = write_docs(args.out, path)
    print(f"wrote {target}")
    return 0

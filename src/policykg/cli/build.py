"""`policykg build`: compile every version, link and compare them, and write the dumps (exit 0 ok, 2 error)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykg.cli.options import EXIT_OK, resource_options


def cmd_build(args: argparse.Namespace) -> int:
    """Compile the sources into dumps, VoID, CSV and checksums."""
    from policykg.build.pipeline import build
    from policykg.config import default_build_dir

    out = Path(args.out) if args.out else default_build_dir()
    report = build(out, args.dpv_dir, args.texts_dir, strict=args.strict)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    counts = ", ".join(f"{name} {n} triples" for name, n in report.counts.items())
    print(f"built {report.out_dir}: {counts}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `policykg build`."""
    p = sub.add_parser("build", parents=[resource_options()],
                       help="compile every version into RDF dumps, VoID, CSV and SHA256SUMS")
    p.add_argument("--out", help="output folder (default: ./build or $POLICYKG_BUILD_DIR)")
    p.add_argument("--strict", action="store_true", help="fail instead of warning when a policy text or DPV is missing")
    p.set_defaults(func=cmd_build)

"""`policykg fetch-dpv`: download the pinned DPV 2.3 release and check it (exit 0 ok, 1 mismatch, 2 error)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykg.cli.options import EXIT_NONCONFORMANT, EXIT_OK


def cmd_fetch_dpv(args: argparse.Namespace) -> int:
    """Download the pinned DPV 2.3 files and verify their sha256."""
    from policykg.config import DPV_RELEASE_BASE, user_dpv_dir
    from policykg.sources.dpv import fetch_dpv, verify_dpv_dir

    dest = Path(args.dest) if args.dest else user_dpv_dir()
    if args.check:
        problems = verify_dpv_dir(dest)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{dest}: {'DPV 2.3 verified' if not problems else 'does not match the pinned DPV 2.3'}")
        return EXIT_NONCONFORMANT if problems else EXIT_OK
    fetch_dpv(dest, args.base_url or DPV_RELEASE_BASE)
    print(f"DPV 2.3 downloaded and verified in {dest}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `policykg fetch-dpv`."""
    p = sub.add_parser("fetch-dpv", help="download the pinned DPV 2.3 Turtle files and check their sha256 (needs internet)")
    p.add_argument("--dest", help="where to put them (default: ~/.cache/policykg/dpv/2.3)")
    p.add_argument("--base-url", help="release base URL (default: the pinned DPV 2.3 release)")
    p.add_argument("--check", action="store_true", help="only verify an existing folder against the pinned checksums")
    p.set_defaults(func=cmd_fetch_dpv)

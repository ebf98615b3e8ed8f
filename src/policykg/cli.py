"""The `policykg` command: one entry point, a subcommand per pipeline stage.

Exit codes (as pySHACL's): 0 success / conforms, 1 does not conform (validation or reasoning
found a problem), 2 error (bad input, missing file or DPV folder, anything unexpected).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import PolicyKGError
from .options import resource_options

EXIT_OK, EXIT_NONCONFORMANT, EXIT_ERROR = 0, 1, 2

#: Modules that register further subcommands: (module, function taking the subparsers object).
EXTENSIONS: tuple[tuple[str, str], ...] = (
    ("policykg.validate_cli", "add_validate_parser"),
    ("policykg.query_cli", "add_query_parser"),
    ("policykg.docs", "add_docs_parser"),
    ("policykg.serve", "add_serve_parser"),
    ("policykg.publish", "add_publish_parser"),
    ("policykg.ingest", "add_ingest_parser"),
    ("policykg.diff_cli", "add_diff_parser"),
)


def cmd_build(args: argparse.Namespace) -> int:
    """Compile the sources into dumps, VoID, CSV and checksums."""
    from .build import build
    from .config import default_build_dir

    out = Path(args.out) if args.out else default_build_dir()
    report = build(out, args.dpv_dir, args.texts_dir, strict=args.strict)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    counts = ", ".join(f"{name} {n} triples" for name, n in report.counts.items())
    print(f"built {report.out_dir}: {counts}")
    return EXIT_OK


def cmd_fetch_dpv(args: argparse.Namespace) -> int:
    """Download the pinned DPV 2.3 files and verify their sha256."""
    from .config import DPV_RELEASE_BASE, user_dpv_dir
    from .dpv import fetch_dpv, verify_dpv_dir

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


def cmd_reason(args: argparse.Namespace) -> int:
    """Run HermiT over ontology + data; report consistency and unsatisfiable classes."""
    from .reason import reason

    result = reason(args.dpv_dir, args.texts_dir)
    print(result.summary())
    return EXIT_OK if result.consistent and not result.unsatisfiable else EXIT_NONCONFORMANT


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="policykg", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[resource_options()],
                       help="compile every version into RDF dumps, VoID, CSV and SHA256SUMS")
    p.add_argument("--out", help="output folder (default: ./build or $POLICYKG_BUILD_DIR)")
    p.add_argument("--strict", action="store_true", help="fail instead of warning when a policy text or DPV is missing")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("fetch-dpv", help="download the pinned DPV 2.3 Turtle files and check their sha256 (needs internet)")
    p.add_argument("--dest", help="where to put them (default: ~/.cache/policykg/dpv/2.3)")
    p.add_argument("--base-url", help="release base URL (default: the pinned DPV 2.3 release)")
    p.add_argument("--check", action="store_true", help="only verify an existing folder against the pinned checksums")
    p.set_defaults(func=cmd_fetch_dpv)

    p = sub.add_parser("reason", parents=[resource_options()],
                       help="check ontology + data consistency with the HermiT reasoner (needs Java)")
    p.set_defaults(func=cmd_reason)

    for module_name, function in EXTENSIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        register: Callable[[argparse._SubParsersAction], None] = getattr(module, function)
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PolicyKGError as exc:
        print(f"policykg {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"policykg {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception:  # noqa: BLE001 - a bug, not bad input: show it, but keep exit code 1 for "does not conform"
        traceback.print_exc()
        print(f"policykg {args.command}: internal error (please report it)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

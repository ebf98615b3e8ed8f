"""The `policykg` command: one entry point, a subcommand per pipeline stage.

Exit codes (as pySHACL's): 0 success / conforms, 1 does not conform (validation or reasoning
found a problem), 2 error (bad input, missing file or DPV folder, anything unexpected).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from policykg.cli import build, diff, docs, dpv, ingest, publish, query, reason, serve, track, validate
from policykg.cli.options import EXIT_ERROR
from policykg.errors import PolicyKGError

#: The subcommands, one module each; each module's register(sub) adds its parser (imports here are light: a command
#: loads what it needs when it runs).
COMMANDS = (build, ingest, track, diff, validate, query, reason, serve, publish, dpv, docs)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="policykg", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
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

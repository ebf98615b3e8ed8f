"""The command line's shared options (where DPV, the policy texts and the build are; --out) and report output,
one definition each."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from policykg.errors import PolicyKGError

#: Exit codes, as pySHACL's: 0 success / conforms, 1 does not conform (or something to look at), 2 error.
EXIT_OK, EXIT_NONCONFORMANT, EXIT_ERROR = 0, 1, 2


def resource_options(*, dpv: bool = True, texts: bool = True, build: bool = False) -> argparse.ArgumentParser:
    """A parent parser with --dpv-dir, --texts-dir and --build-dir, for subcommands that need them."""
    parent = argparse.ArgumentParser(add_help=False)
    add_resource_options(parent, dpv=dpv, texts=texts, build=build)
    return parent


def add_resource_options(parent: argparse.ArgumentParser, *, dpv: bool = True, texts: bool = True,
                         build: bool = False) -> None:
    """Add --dpv-dir, --texts-dir and --build-dir to a parser."""
    if dpv:
        parent.add_argument("--dpv-dir", help="folder with the DPV 2.3 Turtle files (default: $POLICYKG_DPV_DIR, "
                            "../shared/dpv/2.3, or where `policykg fetch-dpv` put them)")
    if texts:
        parent.add_argument("--texts-dir", help="folder holding the policy texts (also searched: its seed/ and "
                            "policies/ subfolders; default: $POLICYKG_TEXTS_DIR or ../shared)")
    if build:
        parent.add_argument("--build-dir", help="the build folder (default: ./build or $POLICYKG_BUILD_DIR; "
                            "built if missing or stale)")


def add_out_option(parser: argparse.ArgumentParser) -> None:
    """Add --out (a report file written atomically instead of standard output) to a parser."""
    parser.add_argument("--out", help="write the report to this file (atomically) instead of standard output")


def emit(rendered: str, out: str | None, summary: str, *, to_stderr: bool) -> None:
    """Write a report to --out (printing its summary) or to standard output (the summary to standard error when
    the report is for tools)."""
    if out:
        write_atomically(Path(out), rendered)
        print(f"{out}: {summary}")
    else:
        sys.stdout.write(rendered)
        if to_stderr:
            print(summary, file=sys.stderr)


def write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary file in the same folder, so no partial file is ever left."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise PolicyKGError(f"cannot write the report: {exc}", path=path) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PolicyKGError(f"cannot write the report: {exc}", path=path) from exc
        raise

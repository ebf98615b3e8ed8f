"""The `policykg validate` subcommand: SHACL shapes over the built graph or given RDF files."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PolicyKGError

if TYPE_CHECKING:
    from .validate import SourceText

EXIT_OK, EXIT_NONCONFORMANT = 0, 1

DESCRIPTION = """Validate a privacy-notice graph with the SHACL shapes in shapes/ (structure, completeness,
transparency, rights), with the DPV 2.3 files as the ontology graph.

With no FILE, the graph compiled from the curated sources (ontology + data) is validated; with FILEs
(Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; optionally gzipped), those files are, e.g. the
build's policykg.ttl or another notice encoded the same way (give its ontology too).

Exit codes: 0 conforms (warnings and info allowed), 1 violations, 2 error."""


def add_validate_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `validate` subcommand."""
    from .report import FORMATS

    p = subparsers.add_parser("validate", help="check the graph (or RDF files) with the SHACL shapes",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="*", metavar="FILE", help="RDF files to validate (default: the compiled sources)")
    p.add_argument("--shapes", nargs="+", metavar="NAME",
                   help="shape files to use, by name: structure, completeness, transparency, rights (default: all)")
    p.add_argument("--format", default="text", choices=FORMATS, help="report format (default: text)")
    p.add_argument("--out", help="write the report to this file (atomically) instead of standard output")
    p.add_argument("--dpv-dir", help="folder with the DPV 2.3 Turtle files (default: $POLICYKG_DPV_DIR, "
                   "../shared/dpv/2.3, or where `policykg fetch-dpv` put them)")
    p.add_argument("--source-text", help="the policy text, to quote source spans (default: "
                   "$POLICYKG_SOURCE_TEXT or ../shared/seed/...; without it spans are given as offsets)")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the validation and write the report; return the exit code."""
    from .config import locate_source_text, require_dpv_dir, require_source_text
    from .report import render, summary_line
    from .validate import available_shape_sets, load_dpv_graph, validate_graph

    available = available_shape_sets()
    unknown = [n for n in (args.shapes or []) if n not in available]
    if unknown:
        hint = (" (files given after --shapes are read as shape names: put them first, or end the list with --)"
                if any(Path(n).suffix for n in unknown) else "")
        raise PolicyKGError(f"unknown shapes {', '.join(repr(n) for n in unknown)}; available: "
                            f"{', '.join(available)}{hint}")
    if args.out and Path(args.out).is_dir():
        raise PolicyKGError("--out names a folder; give a file name", path=args.out)

    if args.files:
        from .rdf_input import parse_rdf_files

        graphs = [parse_rdf_files(args.files)]
        title = ", ".join(args.files)
        dpv_dir = require_dpv_dir(args.dpv_dir)
    else:
        from .build import compile_graphs

        dpv_dir = require_dpv_dir(args.dpv_dir)
        compiled = compile_graphs(dpv_dir, args.source_text)
        for warning in compiled.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        graphs = [compiled.ontology, compiled.data]
        title = f"compiled sources ({compiled.notice_url}, effective {compiled.effective})"

    text_path = require_source_text(args.source_text) if args.source_text else locate_source_text().path
    source = _read_text(text_path) if text_path else None

    outcome = validate_graph(graphs, load_dpv_graph(dpv_dir), args.shapes, source)
    rendered = render(outcome, args.format, title)
    if args.out:
        write_atomically(Path(args.out), rendered)
        print(f"{args.out}: {summary_line(outcome)}")
    else:
        sys.stdout.write(rendered)
        if args.format != "text":
            print(summary_line(outcome), file=sys.stderr)
    return EXIT_OK if outcome.conforms else EXIT_NONCONFORMANT


def _read_text(path: Path) -> SourceText:
    from .validate import SourceText

    try:
        return SourceText.read(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyKGError(f"cannot read the policy text: {exc}", path=path) from exc


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

"""The `policykg validate` subcommand: SHACL shapes and rules over each encoded version, or over given RDF files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.cli.options import add_out_option, emit
from policykg.errors import PolicyKGError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.validate.versions import ValidationRun

EXIT_OK, EXIT_NONCONFORMANT = 0, 1

DESCRIPTION = """Validate privacy-notice graphs with the SHACL shapes in shapes/ (structure, completeness,
transparency, rights) and the rule library in shapes/rules/ (gdpr: UK and EU GDPR; aadc: the ICO's Age
Appropriate Design Code, UK; dsa: the Digital Services Act, EU), with the DPV 2.3 files mixed in.

With no FILE, every encoded version (data/<name>/) is compiled and validated on its own, the ontology with that
version's data (never the union of versions), or only the one --version names; when several versions of a
jurisdiction are validated, the report also lists the findings that appeared or disappeared between consecutive
ones. A rule applies only to notices of its jurisdiction (dpv:hasApplicableLaw legal-gb:law-GDPR: uk;
legal-eu:law-GDPR: eu). With FILEs (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; optionally gzipped),
those files are validated together, e.g. another notice encoded the same way (give its ontology too).

Exit codes: 0 conforms (warnings and info allowed), 1 violations, 2 error."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the `validate` subcommand."""
    from policykg.cli.options import resource_options
    from policykg.validate.render import FORMATS

    p = subparsers.add_parser("validate", parents=[resource_options()],
                              help="check each version (or RDF files) with the SHACL shapes and rules",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="*", metavar="FILE", help="RDF files to validate (default: the encoded versions)")
    p.add_argument("--version", metavar="NAME", help="validate this encoded version only (default: every one)")
    p.add_argument("--shapes", nargs="+", metavar="NAME",
                   help="shape or rule files to use, by name: structure, completeness, transparency, rights, "
                        "gdpr, aadc, dsa (default: all)")
    p.add_argument("--rules-only", action="store_true", help="run the rule library alone (with --shapes: "
                   "only the rule files named)")
    p.add_argument("--format", default="text", choices=FORMATS, help="report format (default: text)")
    add_out_option(p)
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the validation and write the report; return the exit code."""
    from policykg.config import require_dpv_dir
    from policykg.validate.library import ShapeLibrary
    from policykg.validate.render import render
    from policykg.validate.report import summary_line

    sets = _choose(args)
    if args.out and Path(args.out).is_dir():
        raise PolicyKGError("--out names a folder; give a file name", path=args.out)
    if args.files and args.version:
        raise PolicyKGError("--version names an encoded version; it cannot be combined with FILEs")
    dpv_dir = require_dpv_dir(args.dpv_dir)
    run, title = (_files_run(args, ShapeLibrary.load(sets), dpv_dir) if args.files
                  else _versions_run(args, sets, dpv_dir))
    rendered = render(run, args.format, title)
    emit(rendered, args.out, summary_line(run), to_stderr=args.format != "text")
    return EXIT_OK if run.conforms else EXIT_NONCONFORMANT


def _choose(args: argparse.Namespace) -> tuple[str, ...]:
    """The shape and rule sets the options name, with a hint when file names were taken for shape names."""
    from policykg.validate.library import available_rule_sets, available_shape_sets, choose_sets, unknown_sets_error

    known = set(available_shape_sets()) | set(available_rule_sets())
    unknown = [n for n in args.shapes or [] if n not in known]
    if unknown and any(Path(n).suffix for n in unknown):
        raise unknown_sets_error(unknown, hint=" (files given after --shapes are read as shape names: put them "
                                 "first, or end the list with --)")
    return choose_sets(args.shapes, args.rules_only)


def _files_run(args: argparse.Namespace, library, dpv_dir: Path) -> tuple[ValidationRun, str]:
    """The given files, validated together."""
    from policykg.sources.rdf_files import parse_rdf_files
    from policykg.validate.shacl import Workspace, load_dpv_graph
    from policykg.validate.spans import texts_for_graph
    from policykg.validate.versions import Validated, ValidationRun

    data = parse_rdf_files(args.files)
    title = ", ".join(args.files)
    outcome = Workspace(library, load_dpv_graph(dpv_dir)).validate(data, texts_for_graph(data, args.texts_dir))
    return ValidationRun([Validated("", title, outcome)]), title


def _versions_run(args: argparse.Namespace, sets: tuple[str, ...], dpv_dir: Path) -> tuple[ValidationRun, str]:
    """Every encoded version (or the one --version names), each compiled and validated on its own."""
    from policykg.validate.versions import run_encoded_versions

    run = run_encoded_versions(dpv_dir, args.texts_dir, args.version, sets,
                               warn=lambda w: print(f"warning: {w}", file=sys.stderr))
    names = [r.name for r in run.results]
    return run, f"{len(names)} encoded version{'s' if len(names) != 1 else ''} ({', '.join(names)})"

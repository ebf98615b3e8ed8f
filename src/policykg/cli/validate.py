"""The `policykg validate` subcommand: SHACL shapes and rules over each encoded version, or over given RDF files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.cli.options import add_out_option, emit
from policykg.errors import PolicyKGError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from datetime import date

    from policykg.validate.versions import ValidationRun

EXIT_OK, EXIT_NONCONFORMANT = 0, 1

DESCRIPTION = """Validate privacy-notice graphs with the SHACL shapes in shapes/ (structure and completeness: does
the graph say what the text says; transparency and rights: what GDPR Art. 13 asks a notice to say) and the rule
library in shapes/rules/ (gdpr: UK and EU GDPR, with the case law on behavioural advertising; eprivacy: PECR in the
UK, the ePrivacy rules as transposed in Ireland in the EU; aadc: the ICO's Children's code, UK; dsa: the Digital
Services Act, EU), with the DPV 2.3 files mixed in.

Two kinds of result are kept apart. A completeness failure means the graph does not say what the text says: an
encoding bug. A finding is what the law asks of the notice, with a verdict: conflicts-with (what the notice states
is contrary to the cited law as the cited authority reads it), does-not-state (the law asks the notice to say
something it does not) or check (the notice states facts that engage the law; a person must weigh the rest). Each
finding cites the provisions of the notice's jurisdiction in force on the date whose law is applied: the version's
effective date, or the date --as-of gives (for FILEs: --as-of, else the date the notice records, else today), with
each provision's kind of authority, its weight there and its dates in force.

With no FILE, every encoded version (data/<name>/) is compiled and validated on its own, the ontology with that
version's data (never the union of versions), or only the one --version names; when several versions of a
jurisdiction are validated, the report also lists the findings that appeared in or were resolved in each version.
A rule applies only to notices of its jurisdiction (dpv:hasApplicableLaw legal-gb:law-GDPR: uk; legal-eu:law-GDPR:
eu); a notice that states neither (Meta's global notice) is checked for completeness only, and the report says it
was not assessed against the UK GDPR / EU GDPR / DSA. With FILEs (Turtle, N-Triples, N-Quads, TriG, RDF/XML,
JSON-LD; optionally gzipped), those files are validated together, e.g. another notice encoded the same way (give
its ontology too).

Exit codes: 0 the encoding is complete (findings allowed), 1 a completeness failure (an encoding bug), or, with
--fail-on VERDICT, a finding of that verdict or a stronger one (conflicts-with > does-not-state > check),
2 error (bad input, named with its file and line)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the `validate` subcommand."""
    from policykg.cli.options import resource_options
    from policykg.validate.library import VERDICTS
    from policykg.validate.render import FORMATS

    p = subparsers.add_parser("validate", parents=[resource_options()],
                              help="check each version (or RDF files) with the SHACL shapes and rules",
                              description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="*", metavar="FILE", help="RDF files to validate (default: the encoded versions)")
    p.add_argument("--version", metavar="NAME", help="validate this encoded version only (default: every one)")
    p.add_argument("--shapes", nargs="+", metavar="NAME",
                   help="shape or rule files to use, by name: structure, completeness, transparency, rights, "
                        "gdpr, eprivacy, aadc, dsa (default: all)")
    p.add_argument("--rules-only", action="store_true", help="run the rule library alone (with --shapes: "
                   "only the rule files named)")
    p.add_argument("--as-of", metavar="DATE", help="apply the law in force on this date (YYYY-MM-DD; default: each "
                   "version's effective date)")
    p.add_argument("--fail-on", choices=VERDICTS, metavar="VERDICT",
                   help="exit 1 also when a finding has this verdict or a stronger one: check, does-not-state or "
                        "conflicts-with (default: only completeness failures exit 1)")
    p.add_argument("--format", default="text", choices=FORMATS, help="report format (default: text)")
    add_out_option(p)
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the validation and write the report; return the exit code."""
    from policykg.config import require_dpv_dir
    from policykg.validate.law import parse_day
    from policykg.validate.library import ShapeLibrary
    from policykg.validate.render import render
    from policykg.validate.report import summary_line

    sets = _choose(args)
    if args.out and Path(args.out).is_dir():
        raise PolicyKGError("--out names a folder; give a file name", path=args.out)
    if args.files and args.version:
        raise PolicyKGError("--version names an encoded version; it cannot be combined with FILEs")
    as_of = parse_day(args.as_of) if args.as_of else None
    dpv_dir = require_dpv_dir(args.dpv_dir)
    run, title = (_files_run(args, ShapeLibrary.load(sets), dpv_dir, as_of) if args.files
                  else _versions_run(args, sets, dpv_dir, as_of))
    rendered = render(run, args.format, title)
    emit(rendered, args.out, summary_line(run), to_stderr=args.format != "text")
    return exit_code(run, args.fail_on)


def exit_code(run: ValidationRun, fail_on: str | None) -> int:
    """0 when the encoding is complete and no finding reaches the --fail-on verdict; 1 otherwise."""
    from policykg.validate.library import VERDICTS

    if not run.complete:
        return EXIT_NONCONFORMANT
    if fail_on is None:
        return EXIT_OK
    failing = VERDICTS[:VERDICTS.index(fail_on) + 1]
    counts = run.counts()
    return EXIT_NONCONFORMANT if any(counts[v] for v in failing) else EXIT_OK


def _choose(args: argparse.Namespace) -> tuple[str, ...]:
    """The shape and rule sets the options name, with a hint when file names were taken for shape names."""
    from policykg.validate.library import available_rule_sets, available_shape_sets, choose_sets, unknown_sets_error

    known = set(available_shape_sets()) | set(available_rule_sets())
    unknown = [n for n in args.shapes or [] if n not in known]
    if unknown and any(Path(n).suffix for n in unknown):
        raise unknown_sets_error(unknown, hint=" (files given after --shapes are read as shape names: put them "
                                 "first, or end the list with --)")
    return choose_sets(args.shapes, args.rules_only)


def _files_run(args: argparse.Namespace, library, dpv_dir: Path, as_of: date | None) -> tuple[ValidationRun, str]:
    """The given files, validated together, with the law in force on --as-of, else on the date the notice records,
    else today."""
    from datetime import date as day

    from policykg.sources.rdf_files import parse_rdf_files
    from policykg.validate.law import LawAsOf, notice_date
    from policykg.validate.shacl import Workspace, load_dpv_graph
    from policykg.validate.spans import texts_for_graph
    from policykg.validate.versions import Validated, ValidationRun

    data = parse_rdf_files(args.files)
    title = ", ".join(args.files)
    recorded = notice_date(data)
    law_as_of = (LawAsOf(as_of, "as-of") if as_of else LawAsOf(recorded, "notice") if recorded
                 else LawAsOf(day.today(), "today"))
    outcome = Workspace(library, load_dpv_graph(dpv_dir)).validate(data, texts_for_graph(data, args.texts_dir),
                                                                   law_as_of=law_as_of)
    return ValidationRun([Validated("", title, outcome)]), title


def _versions_run(args: argparse.Namespace, sets: tuple[str, ...], dpv_dir: Path,
                  as_of: date | None) -> tuple[ValidationRun, str]:
    """Every encoded version (or the one --version names), each compiled and validated on its own, with the law in
    force on its effective date or on --as-of."""
    from policykg.validate.versions import run_encoded_versions

    run = run_encoded_versions(dpv_dir, args.texts_dir, args.version, sets,
                               warn=lambda w: print(f"warning: {w}", file=sys.stderr), as_of=as_of)
    names = [r.name for r in run.results]
    return run, f"{len(names)} encoded version{'s' if len(names) != 1 else ''} ({', '.join(names)})"

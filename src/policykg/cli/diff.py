"""`policykg diff OLD NEW`: what changed between two versions (encoded versions, or policy texts read on the fly).

Exit codes: 0 nothing changed, 1 something changed, 2 error.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.cli.options import add_out_option, emit
from policykg.errors import PolicyKGError

if TYPE_CHECKING:  # pragma: no cover - typing only (the command loads them when it runs)
    from policykg.sources.load import VersionSources
    from policykg.text.capture import PolicyText

EXIT_SAME, EXIT_CHANGED = 0, 1


@dataclass(frozen=True)
class Operand:
    """One side of a diff: checked sources and the text."""

    sources: VersionSources
    text: PolicyText


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the `diff` subcommand."""
    from policykg.changes.render import FORMATS
    from policykg.cli.options import resource_options

    p = subparsers.add_parser(
        "diff", parents=[resource_options()], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="what changed between two versions (names, or policy text files read on the fly)",
        description=__doc__ + "\nOLD and NEW are version names (see data/versions.yaml) or policy text files; a text "
        "file is read with `policykg ingest`'s reader and matched against the encoded versions, without curation.")
    p.add_argument("old", metavar="OLD", help="a version name or a policy text file")
    p.add_argument("new", metavar="NEW", help="a version name or a policy text file")
    p.add_argument("--format", default="text", choices=FORMATS, help="output format (default: text)")
    add_out_option(p)
    p.set_defaults(func=cmd_diff)


def resolve(name: str, texts_dir: str | None, jurisdiction: str | None = None) -> Operand:
    """A version name's checked sources and text, or a text file ingested on the fly (drafted from the newest
    curated version of `jurisdiction`, when given)."""
    from policykg.sources.load import load_version_sources
    from policykg.sources.versions import load_registry, read_version_text, text_missing_message
    from policykg.text.capture import read_policy_text

    registry = load_registry()
    if name in registry.names:
        version = registry.get(name)
        text = read_version_text(version, texts_dir)
        if text is None:
            raise PolicyKGError(text_missing_message(version, texts_dir))
        return Operand(load_version_sources(version), text)
    path = Path(name)
    if not path.is_file():
        raise PolicyKGError(f"{name!r} is neither a version ({', '.join(registry.names)}) nor a file")
    from policykg.ingest.ingest import draft_sources

    text = read_policy_text(path)
    return Operand(draft_sources(text, registry, jurisdiction, texts_dir), text)


def compute(old: Operand, new: Operand, dpv_dir: str | None = None):
    """The diff of two operands (labels from the ontology)."""
    from policykg.changes.diff import diff_versions
    from policykg.changes.graph import counterpart_pairs
    from policykg.config import ontology_path
    from policykg.labels import Labeller
    from policykg.sources.rdf_files import parse_rdf_file
    from policykg.sources.versions import load_registry

    label = Labeller([parse_rdf_file(ontology_path())])
    pairs = counterpart_pairs(load_registry(), old.sources.version.name, new.sources.version.name)
    return diff_versions(old.sources, new.sources, old.text, new.text, label, pairs)


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare two versions and print (or write) the changes; exit 0 when nothing changed, 1 when something did."""
    from policykg.build.dumps import serialise, sorted_triples
    from policykg.changes.graph import Comparison, change_graph
    from policykg.changes.render import render, summary

    if args.out and Path(args.out).is_dir():
        raise PolicyKGError("--out names a folder; give a file name", path=args.out)
    from policykg.sources.versions import load_registry

    names = load_registry().names
    # A text read on the fly is drafted from the closest curated version of the regime it states (the other side's
    # jurisdiction when it states none): a fresh capture against its own notice.
    known = next((load_registry().get(n).jurisdiction for n in (args.old, args.new) if n in names), None)
    old, new = resolve(args.old, args.texts_dir, known), resolve(args.new, args.texts_dir, known)
    diff = compute(old, new)
    if args.format == "turtle":
        graph = change_graph(Comparison(old.sources.version, new.sources.version), diff)
        rendered = serialise(sorted_triples(graph), "ttl").decode("utf-8")
    else:
        rendered = render(diff, args.format)
    emit(rendered, args.out, summary(diff), to_stderr=args.format != "text")
    return EXIT_SAME if diff.empty else EXIT_CHANGED

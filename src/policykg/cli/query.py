"""`policykg query FILE|--cq NAME`: run a SPARQL query or a competency question against the embedded store.

The table format is for people: each IRI is shown by its label (GDPR provisions as cited, processes told apart by
basis and audience) with its CURIE in the column beside it. CSV and JSON stay exact (full IRIs), for tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from policykg.iris import PREFIXES, compact_iri
from policykg.store.applicability import ALL
from policykg.store.questions import (
    CompetencyQuestion,
    NotApplicable,
    QueryError,
    QueryResult,
    dumps_csv,
    dumps_json,
    get_question,
    load_question,
    run_query,
)

FORMATS = ("table", "csv", "json")

#: Prefixes used to shorten IRIs in the table format (longest namespace first when matching).
TABLE_PREFIXES: dict[str, str] = {p: PREFIXES[p] for p in ("pkd", "pko", "dpv", "pd", "eu-gdpr", "legal-gb", "legal-eu", "legal-ie", "tech")}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the `query` subcommand."""
    from policykg.cli.options import resource_options

    p = subparsers.add_parser(
        "query", help="run a SPARQL query file or a competency question against the graph",
        parents=[resource_options(texts=False, build=True)],
        description="Run a SELECT or ASK query over one version's dataset (the ontology, that version's data, the "
                    "links and changes across versions, and DPV when found), or over every version with --version all.",
    )
    p.add_argument("file", nargs="?", help="a .rq file with a SELECT or ASK query")
    p.add_argument("--cq", metavar="NAME", help="a competency question by name (cq01-purposes-by-legal-basis) or number (cq01)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--version", metavar="NAME", help="the dataset to query: a version name, or 'all' for every version "
                   "at once (default: the question's own `# dataset:`, else the primary version); a competency question "
                   "that does not apply to it is refused with the reason (exit 2)")
    p.add_argument("--list", action="store_true", help="list the competency questions and exit")
    p.set_defaults(func=cmd_query)


def cmd_query(args: argparse.Namespace) -> int:
    """Run the query named on the command line and print its result (exit 2, with the reason, when the question
    does not apply to the dataset asked of)."""
    from policykg.store.questions import load_questions

    if args.list:
        for cq in load_questions():
            print(f"{cq.name}\t{cq.question}")
        return 0
    if bool(args.file) == bool(args.cq):
        raise QueryError("give either a query FILE or --cq NAME (see --list)")
    if args.cq:
        cq = get_question(args.cq)
    else:
        path = Path(args.file)
        if not path.is_file():
            raise QueryError("no such query file", path=path)
        cq = load_question(path)
    dataset = args.version or (ALL if cq.across_versions else None)
    try:
        store, build = _store(args.build_dir, args.dpv_dir, cq.requires_dpv)
        graphs, name = _default_graphs(build, dataset)
        _refuse_if_not_applicable(store, build, cq if args.cq else replace(cq, dataset=ALL if name == ALL else None), name)
        result = run_query(store, cq.text, graphs)
    except NotApplicable:
        raise
    except QueryError as exc:
        raise QueryError(str(exc), path=cq.path) from exc
    sys.stdout.write(render(result, args.format, _labeller(store, dataset) if args.format == "table" else None))
    return 0


def _default_graphs(build: Path, dataset: str | None) -> tuple[list[str], str]:
    """The default graph a query runs on, and the dataset's name: one version's dataset (the primary one unless
    named), or every graph ('all')."""
    from policykg.store.dataset import read_manifest

    if dataset == ALL:
        return [], ALL
    manifest = read_manifest(build)
    try:
        return manifest.default_graphs(dataset), dataset or manifest.primary
    except KeyError:
        known = ", ".join([*(v["name"] for v in manifest.versions), ALL])
        raise QueryError(f"unknown version {dataset!r}; known: {known}") from None


def _refuse_if_not_applicable(store, build: Path, cq: CompetencyQuestion, name: str) -> None:
    """NotApplicable with the reason when the question cannot be asked of the dataset (its `# dataset:` and
    `# requires:` marks against what the version's notice states; a file of one's own: its marks alone)."""
    from policykg.iris import DPV_GRAPH
    from policykg.store.applicability import refusal
    from policykg.store.dataset import read_manifest
    from policykg.store.views import version_facts

    manifest = read_manifest(build)
    facts = version_facts(store, {v["name"]: v["jurisdiction"] for v in manifest.versions if v.get("jurisdiction")})
    dpv = any(g.value == DPV_GRAPH for g in store.named_graphs())
    reason = refusal(cq, name, facts.get(name), versions=[v["name"] for v in manifest.versions], dpv=dpv)
    if reason:
        raise NotApplicable(reason)


def _store(build_dir: str | None, dpv_dir: str | None, needs_dpv: bool):
    from policykg.build.pipeline import ensure_built
    from policykg.config import default_build_dir, locate_dpv_dir, require_dpv_dir
    from policykg.store.dataset import load_store

    dpv = require_dpv_dir(dpv_dir) if (needs_dpv or dpv_dir) else locate_dpv_dir().path
    out = ensure_built(Path(build_dir) if build_dir else default_build_dir(), dpv)
    return load_store(out, dpv), out


def _labeller(store, dataset: str | None) -> Callable[[str], str] | None:
    """The labels of the dataset the query ran on (None when the store holds no version to label from)."""
    from policykg.store.labels import label_index

    try:
        return label_index(store, dataset)
    except QueryError:
        return None


def render(result: QueryResult, fmt: str, label: Callable[[str], str] | None = None) -> str:
    """The result as text in one of FORMATS (labels, when given, only in the table)."""
    if fmt == "json":
        return dumps_json(result)
    if fmt == "csv":
        return dumps_csv(result)
    return render_table(result, label)


def shorten(value: str) -> str:
    """An IRI written with a known prefix where one fits."""
    return compact_iri(value, TABLE_PREFIXES)


def render_table(result: QueryResult, label: Callable[[str], str] | None = None) -> str:
    """A plain-text table with aligned columns: IRIs by label with their CURIE in a column beside
    ('<var> id'), or by CURIE alone where nothing has a label (or no labeller is given)."""
    if result.is_boolean:
        return ("true" if result.boolean else "false") + "\n"
    header: list[str] = []
    columns: list[list[str]] = []
    for name in result.variables:
        terms = [row.get(name) for row in result.rows]
        shown = [_plain(t) for t in terms]
        iris = [t[1] for t in terms if t is not None and t[0] == "uri"]
        labels = [label(t[1]) if label and t is not None and t[0] == "uri" else s for t, s in zip(terms, shown, strict=False)]
        if label and iris and labels != shown:
            header += [name, f"{name} id"]
            columns += [labels, shown]
        else:
            header.append(name)
            columns.append(shown)
    cells = [[c.replace("\n", " ") for c in line] for line in zip(*columns, strict=False)] if columns else []
    widths = [max([len(h), *(len(line[i]) for line in cells)]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _plain(term) -> str:
    if term is None:
        return ""
    return shorten(term[1]) if term[0] == "uri" else term[1]

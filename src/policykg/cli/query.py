"""`policykg query FILE|--cq NAME`: run a SPARQL query or a competency question against the embedded store.

The table format is for people: each IRI is shown by its label (GDPR provisions as cited, processes told apart by
basis and audience) with its CURIE in the column beside it. CSV and JSON stay exact (full IRIs), for tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from policykg.iris import PREFIXES, compact_iri
from policykg.store.questions import QueryError, QueryResult, dumps_csv, dumps_json, get_question, load_question, run_query

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
                   "at once (default: the question's own `# dataset:`, else the primary version)")
    p.add_argument("--list", action="store_true", help="list the competency questions and exit")
    p.set_defaults(func=cmd_query)


def cmd_query(args: argparse.Namespace) -> int:
    """Run the query named on the command line and print its result."""
    from policykg.store.questions import load_questions

    if args.list:
        for cq in load_questions():
            print(f"{cq.name}\t{cq.question}")
        return 0
    if bool(args.file) == bool(args.cq):
        raise QueryError("give either a query FILE or --cq NAME (see --list)")
    if args.cq:
        cq = get_question(args.cq)
        text, needs_dpv = cq.text, cq.requires_dpv
    else:
        path = Path(args.file)
        if not path.is_file():
            raise QueryError("no such query file", path=path)
        cq = load_question(path)
        text, needs_dpv = cq.text, cq.requires_dpv
    dataset = args.version or cq.dataset
    try:
        store, build = _store(args.build_dir, args.dpv_dir, needs_dpv)
        result = run_query(store, text, _default_graphs(build, dataset))
    except QueryError as exc:
        raise QueryError(str(exc), path=cq.path) from exc
    sys.stdout.write(render(result, args.format, _labeller(store, dataset) if args.format == "table" else None))
    return 0


def _default_graphs(build: Path, dataset: str | None) -> list[str]:
    """The default graph a query runs on: one version's dataset (the primary one unless named), or every graph."""
    from policykg.store.dataset import read_manifest

    if dataset == "all":
        return []
    manifest = read_manifest(build)
    try:
        return manifest.default_graphs(dataset)
    except KeyError:
        known = ", ".join([*(v["name"] for v in manifest.versions), "all"])
        raise QueryError(f"unknown version {dataset!r}; known: {known}") from None


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

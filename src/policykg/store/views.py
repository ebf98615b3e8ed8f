"""One version's view of the store: which versions it holds, the default graph of a version's dataset, and SPARQL
run on it (named analysis queries, competency questions or text). No pandas: the command line and the server use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from policykg.config import analysis_sparql_dir
from policykg.iris import CHANGES_GRAPH_PREFIX, DPV_GRAPH, GRAPH_BASE, LINKS_GRAPH, ONTOLOGY_GRAPH
from policykg.store.questions import QueryError, QueryResult, get_question, question_of, run_query

#: version= value meaning "every graph at once" (for questions across versions).
ALL = "all"
_CQ_NAME = re.compile(r"cq\d+(-[a-z0-9-]+)?")


@dataclass(frozen=True)
class Sparql:
    """A query's text and the file it comes from (shown in notebooks before the table or figure it makes)."""

    name: str
    path: Path
    text: str

    @property
    def question(self) -> str:
        """The first comment line: what the query asks, in English."""
        return question_of(self.text)

    def __str__(self) -> str:
        return f"# {self.path}\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"<details><summary>SPARQL: <code>{self.path.name}</code> — {self.question}</summary>\n\n" \
               f"```sparql\n{self.text.rstrip()}\n```\n</details>"


def sparql(name: str) -> Sparql:
    """The SPARQL of an analysis query (e.g. 'processes', from store/sparql/processes.rq) or of a competency
    question ('cq09'), with the file it is read from."""
    if _CQ_NAME.fullmatch(name):
        cq = get_question(name)
        return Sparql(cq.name, cq.path, cq.text)
    folder = analysis_sparql_dir()
    path = folder / f"{name.removesuffix('.rq')}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.rq")))
        raise QueryError(f"unknown analysis query {name!r}; known: {known} (or a competency question, cqNN)")
    return Sparql(path.stem, path, path.read_text(encoding="utf-8"))


def version_names(store: pyoxigraph.Store) -> list[str]:
    """The names of the versions the store holds, oldest first."""
    return [row["version"] for row in run_on(store, sparql("versions").text, None).values()]


def primary_version(store: pyoxigraph.Store) -> str:
    """The version questions are asked of unless another is named: the registry's primary if the store holds it,
    else the newest version held."""
    from policykg.sources.versions import load_registry  # the registry's YAML is read only when asked

    held = version_names(store)
    if not held:
        raise QueryError("the store holds no version of the policy (no dpv:PrivacyNotice with dct:identifier)")
    try:
        primary = load_registry().primary
    except Exception:  # noqa: BLE001 - a store without the project's registry still has a newest version
        primary = None
    return primary if primary in held else held[-1]


def dataset_graphs(store: pyoxigraph.Store, version: str | None = None) -> list[str] | None:
    """The default graph of one version's dataset: the ontology, that version, the links, the changes and DPV
    (as policykg.store.dataset.Manifest.default_graphs). version=None is the primary version; version='all' (ALL) is
    the union of every graph (None: for questions across versions)."""
    if version == ALL:
        return None
    name = version or primary_version(store)
    graphs = {g.value for g in store.named_graphs()}
    wanted = GRAPH_BASE + name
    if wanted not in graphs:
        raise QueryError(f"the store holds no version {name!r}; it holds: {', '.join(version_names(store))}")
    out = [g for g in (ONTOLOGY_GRAPH, wanted, LINKS_GRAPH) if g in graphs]
    out += sorted(g for g in graphs if g.startswith(CHANGES_GRAPH_PREFIX))
    return out + ([DPV_GRAPH] if DPV_GRAPH in graphs else [])


def run_on(store: pyoxigraph.Store, text: str, graphs: list[str] | None) -> QueryResult:
    """Run SPARQL text with these graphs as the default graph (None: the union of every graph)."""
    return run_query(store, text, graphs or ())


def run(store: pyoxigraph.Store, query: str, *, version: str | None = None) -> QueryResult:
    """Run SPARQL text, a competency question ('cq02') or an analysis query ('processes') on a version's dataset."""
    name = query.strip()
    text = sparql(name).text if (_CQ_NAME.fullmatch(name) or re.fullmatch(r"[a-z][a-z0-9-]*", name)) else query
    return run_on(store, text, dataset_graphs(store, version))

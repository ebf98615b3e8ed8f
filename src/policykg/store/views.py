"""One version's view of the store: which versions it holds, the default graph of a version's dataset, what each
version's notice does not state, and SPARQL run on a dataset (named analysis queries, competency questions or
text), refused with the reason where a question does not apply (policykg.store.applicability). No pandas: the
command line and the server use it."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from policykg.config import analysis_sparql_dir
from policykg.iris import CHANGES_GRAPH_PREFIX, DPV_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH
from policykg.store.applicability import ALL, NOT_STATED_QUERY, VersionFacts, facts_from_rows, refusal
from policykg.store.questions import (
    CompetencyQuestion,
    NotApplicable,
    QueryError,
    QueryResult,
    get_question,
    header_marks,
    question_of,
    run_query,
)

_CQ_NAME = re.compile(r"cq\d+(-[a-z0-9-]+)?")
_FACTS: OrderedDict[int, tuple[object, dict[str, VersionFacts]]] = OrderedDict()
_FACTS_SIZE = 8


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

    @property
    def requires(self) -> frozenset[str]:
        """What the query needs of the version it runs on (its `# requires:` line)."""
        return header_marks(self.text, self.path)[0]

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


def held_versions(store: pyoxigraph.Store) -> dict[str, str]:
    """The versions the store holds, oldest first: {name: the named graph holding its notice}."""
    return {row["version"]: row["graph"] for row in run_on(store, sparql("versions").text, None).values()}


def version_names(store: pyoxigraph.Store) -> list[str]:
    """The names of the versions the store holds, oldest first."""
    return list(held_versions(store))


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
    held = held_versions(store)
    if name not in held:
        raise QueryError(f"the store holds no version {name!r}; it holds: {', '.join(held)}")
    graphs = {g.value for g in store.named_graphs()}
    out = [g for g in (ONTOLOGY_GRAPH, held[name], LINKS_GRAPH) if g in graphs]
    out += sorted(g for g in graphs if g.startswith(CHANGES_GRAPH_PREFIX))
    return out + ([DPV_GRAPH] if DPV_GRAPH in graphs else [])


def version_facts(store: pyoxigraph.Store, jurisdictions: dict[str, str] | None = None) -> dict[str, VersionFacts]:
    """What each version's notice does not state (not-stated.rq), with its jurisdiction (as given, e.g. from the
    build's manifest, else from the registry where it knows the version); cached for the last few stores."""
    hit = _FACTS.get(id(store))
    if hit is not None and hit[0] is store and jurisdictions is None:
        return hit[1]
    if jurisdictions is None:
        try:
            from policykg.sources.versions import load_registry

            jurisdictions = {v.name: v.jurisdiction for v in load_registry().versions}
        except Exception:  # noqa: BLE001 - versions the registry does not know: refusals name no jurisdiction
            jurisdictions = {}
    rows = run_on(store, sparql(NOT_STATED_QUERY).text, None).values()
    facts = facts_from_rows(rows, version_names(store), jurisdictions)
    _FACTS[id(store)] = (store, facts)
    while len(_FACTS) > _FACTS_SIZE:
        _FACTS.popitem(last=False)
    return facts


def question_refusal(store: pyoxigraph.Store, cq: CompetencyQuestion, version: str | None = None) -> str | None:
    """Why a competency question cannot be asked of a version's dataset (None: the primary, or every graph for a
    question across versions), or None when it can."""
    name = version or (ALL if cq.across_versions else primary_version(store))
    facts = version_facts(store)
    if name != ALL and name not in facts:
        raise QueryError(f"the store holds no version {name!r}; it holds: {', '.join(facts)}")
    dpv = any(g.value == DPV_GRAPH for g in store.named_graphs())
    return refusal(cq, name, facts.get(name), versions=list(facts), dpv=dpv)


def require(store: pyoxigraph.Store, kinds: frozenset[str] | set[str], what: str, version: str | None = None) -> None:
    """Raise NotApplicable when a version's notice does not state one of `kinds` (what: the helper asked, named in
    the reason)."""
    if version == ALL or not kinds:
        return
    cq = CompetencyQuestion(what, "", "", Path(what), frozenset(kinds))
    reason = question_refusal(store, cq, version)
    if reason:
        raise NotApplicable(reason)


def run_on(store: pyoxigraph.Store, text: str, graphs: list[str] | None) -> QueryResult:
    """Run SPARQL text with these graphs as the default graph (None: the union of every graph)."""
    return run_query(store, text, graphs or ())


def run(store: pyoxigraph.Store, query: str, *, version: str | None = None) -> QueryResult:
    """Run SPARQL text, a competency question ('cq02') or an analysis query ('processes') on a version's dataset
    (None: the primary version's; for a question across versions, every graph). A question or analysis query that
    does not apply to that dataset raises NotApplicable with the reason; SPARQL text is run as it is."""
    name = query.strip()
    if _CQ_NAME.fullmatch(name):
        cq = get_question(name)
        reason = question_refusal(store, cq, version)
        if reason:
            raise NotApplicable(reason)
        return run_on(store, cq.text, dataset_graphs(store, version or (ALL if cq.across_versions else None)))
    if re.fullmatch(r"[a-z][a-z0-9-]*", name):
        named = sparql(name)
        require(store, named.requires, named.name, version)
        return run_on(store, named.text, dataset_graphs(store, version))
    return run_on(store, query, dataset_graphs(store, version))

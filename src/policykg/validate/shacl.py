"""SHACL validation: run pySHACL over a graph with the DPV statements mixed in and turn the report into findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from policykg.config import shapes_dir
from policykg.errors import PolicyKGError
from policykg.namespaces import DPV, bind_prefixes
from policykg.text.capture import PolicyText
from policykg.validate.findings import COUNT_KEYS, PKS_LAW_AS_OF, Evidence, Finding, findings_from_report
from policykg.validate.law import NOT_ASSESSED, LawAsOf, notice_date, notice_jurisdictions, notices_without_regime
from policykg.validate.library import (
    PROVISIONS_FILE,
    RULE_SETS,
    SHAPE_SETS,
    SHAPES_NS,
    VERDICTS,
    Provision,
    ShapeLibrary,
    available_rule_sets,
    available_shape_sets,
    choose_sets,
    load_shapes,
    set_path,
    shape_concerns,
)
from policykg.validate.spans import SourceSpan, SpanReader

__all__ = [
    "COUNT_KEYS", "RULE_SETS", "SHAPE_SETS", "SHAPES_NS", "VERDICTS", "Evidence", "Finding", "LawAsOf", "Outcome",
    "Provision", "SourceSpan", "Workspace", "available_rule_sets", "available_shape_sets", "load_dpv_graph",
    "load_shapes", "notice_jurisdictions", "shape_concerns", "validate_graph",
]

PKS_LAW = URIRef(SHAPES_NS + "law")
PKS_NOT_ASSESSED = URIRef(SHAPES_NS + "notAssessed")


@dataclass
class Outcome:
    """The result of validating one graph (one version, or the files given)."""

    findings: list[Finding]
    report: Graph
    shape_sets: tuple[str, ...]
    triples: int
    source_text_checked: bool = False
    notes: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    law_as_of: LawAsOf | None = None
    not_assessed: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when the graph says everything the shapes check the text says (no completeness failure)."""
        return not any(f.kind == "completeness" for f in self.findings)

    @property
    def law(self) -> str | None:
        """The law applied, in words ('UK GDPR (…) as in force on 2025-06-16 (…)'), or None without a regime."""
        return self.law_as_of.describe(self.jurisdiction) if self.law_as_of else None

    def counts(self) -> dict[str, int]:
        """Completeness failures, and findings per verdict."""
        return {key: sum(1 for f in self.findings if f.count_key == key) for key in COUNT_KEYS}


#: The DPV statements the shapes and reports use; the rest (contributors, dates, notes ...) is left out.
DPV_PREDICATES: frozenset[str] = frozenset(str(p) for p in (
    RDF.type, RDFS.subClassOf, SKOS.broader, SKOS.exactMatch, SKOS.prefLabel, SKOS.definition, RDFS.label,
)) | {str(DPV.hasRight)}


def load_dpv_graph(dpv_dir: Path | str) -> Graph:
    """The DPV 2.3 files as one rdflib graph, limited to the statements the shapes use (DPV_PREDICATES)."""
    from policykg.sources.dpv import dpv_triples
    from policykg.sources.rdf_files import add_triples

    return add_triples(Graph(), (t for t in dpv_triples(Path(dpv_dir)) if t.predicate.value in DPV_PREDICATES))


#: SPARQL texts parsed once per process (a parsed query does not depend on the graph it runs on).
_PREPARED: dict[tuple[str, tuple[tuple[str, str], ...]], object] = {}


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once: pySHACL runs the same constraint query for every focus node,
    and rdflib's parser, not the evaluation, is then most of the cost."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,
              use_store_provided=True, **kwargs):
        """Graph.query, with string queries prepared once (per process) and reused."""
        if isinstance(query_object, str) and processor == "sparql":  # pySHACL passes its sh:prefixes as initNs
            from rdflib.plugins.sparql import prepareQuery

            text = _sorted_prefixes(query_object)
            key = (text, tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())))
            if key not in _PREPARED:
                _PREPARED[key] = prepareQuery(text, initNs=initNs)
            query_object, initNs = _PREPARED[key], None
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def _sorted_prefixes(text: str) -> str:
    """The query with its leading PREFIX lines sorted: pySHACL writes them in set order, which differs by run."""
    lines = text.split("\n")
    head = 0
    while head < len(lines) and lines[head].startswith("PREFIX "):
        head += 1
    return "\n".join(sorted(lines[:head]) + lines[head:])


class Workspace:
    """The graph pySHACL runs on: DPV and shared graphs (the ontology) loaded once, each data graph added for
    its run and taken out after, so several versions are validated one by one without copying DPV each time.

    DPV is mixed in rather than given as pySHACL's ``ont_graph``: that option copies only RDFS/OWL axioms, not
    ``skos:broader`` nor the ``dpv:hasRight`` statements the shapes need (as PYSHACL_USE_FULL_MIXIN would).
    """

    def __init__(self, library: ShapeLibrary, dpv: Graph | None, shared: Iterable[Graph] = ()) -> None:
        self.library = library
        self.graph = _PreparedQueryGraph()
        for source in ([dpv] if dpv is not None else []) + list(shared):
            self.graph.addN((s, p, o, self.graph) for s, p, o in source)
        self._base = set(self.graph.triples((None, None, None)))

    def validate(self, data: Graph | Sequence[Graph], texts: Iterable[PolicyText] = (),
                 jurisdiction: str | None = None, law_as_of: LawAsOf | None = None) -> Outcome:
        """Validate data (added for this run only); findings read while the data is in place. law_as_of is the day
        whose law is applied (default: the date the notice records; without one, every provision counts)."""
        graphs = [data] if isinstance(data, Graph) else list(data)
        added = list({t for g in graphs for t in g.triples((None, None, None)) if t not in self._base})
        self.graph.addN((s, p, o, self.graph) for s, p, o in added)
        try:
            report = run_shacl(self.graph, self.library.graph)
            spans = SpanReader.over(self.graph, texts)
            notes = list(spans.notes)
            known = jurisdiction or _single_jurisdiction(self.graph, notes)
            if law_as_of is None:
                recorded = notice_date(self.graph)
                law_as_of = LawAsOf(recorded, "notice") if recorded else None
            findings = findings_from_report(report, self.graph, self.library, spans, known,
                                            law_as_of.day if law_as_of else None)
            not_assessed = _not_assessed(self.graph, self.library, known)
        finally:
            for triple in added:
                self.graph.remove(triple)
        outcome = Outcome(findings, report, self.library.names, sum(len(g) for g in graphs), spans.checked, notes,
                          known, law_as_of, not_assessed)
        _describe_report(outcome)
        return outcome


def run_shacl(working: Graph, shapes: Graph) -> Graph:
    """Run pySHACL (no inference, SPARQL features on) in place over a working graph; return the report graph."""
    from pyshacl import validate
    from pyshacl.errors import ReportableRuntimeError

    try:
        _conforms, report, text = validate(working, shacl_graph=shapes, inference="none", advanced=True,
                                           allow_warnings=True, inplace=True)
    except ReportableRuntimeError as exc:
        raise PolicyKGError(f"the shapes cannot be run: {exc.message}") from exc
    if not isinstance(report, Graph):  # pySHACL returns a failure object, not a report, for a bad shapes graph
        raise PolicyKGError(f"the shapes cannot be run: {text.strip()}")
    return report


def validate_graph(
    data: Graph | Sequence[Graph],
    dpv: Graph | None,
    shape_sets: Sequence[str] | None = None,
    texts: PolicyText | Iterable[PolicyText] | None = None,
    *,
    directory: Path | None = None,
    jurisdiction: str | None = None,
    as_of: date | None = None,
) -> Outcome:
    """Validate data (one graph or several, e.g. ontology and data) against the named shape and rule files, with the
    law in force on as_of (default: the date the notice records; without one, every provision counts)."""
    chosen = [texts] if isinstance(texts, PolicyText) else list(texts or [])
    workspace = _workspace(shape_sets, directory, dpv)
    return workspace.validate(data, chosen, jurisdiction, LawAsOf(as_of, "as-of") if as_of else None)


#: The last few workspaces (shapes loaded, DPV copied in) by shape files and DPV graph: validating many small
#: graphs, as the shape tests and `policykg validate FILE ...` do, then costs the SHACL run alone. A changed shape
#: file (its size or time) is loaded anew; the DPV graph is held, so its id names it while cached.
_WORKSPACES: dict[tuple, tuple[Graph | None, Workspace]] = {}
_WORKSPACES_SIZE = 4


def _workspace(shape_sets: Sequence[str] | None, directory: Path | None, dpv: Graph | None) -> Workspace:
    names = tuple(shape_sets) if shape_sets else choose_sets(None, directory=directory)
    files = [set_path(n, directory) for n in names] + [(directory or shapes_dir()) / PROVISIONS_FILE]
    stamps = tuple((str(path), stat.st_mtime_ns, stat.st_size) for path in files if path.is_file()
                   for stat in [path.stat()])
    key = (names, str(directory), stamps, id(dpv))
    hit = _WORKSPACES.pop(key, None)
    if hit is None:
        hit = (dpv, Workspace(ShapeLibrary.load(names, directory), dpv))
    _WORKSPACES[key] = hit
    while len(_WORKSPACES) > _WORKSPACES_SIZE:
        _WORKSPACES.pop(next(iter(_WORKSPACES)))
    return hit[1]


def _single_jurisdiction(data: Graph, notes: list[str]) -> str | None:
    found = set(notice_jurisdictions(data).values())
    if len(found) > 1:
        notes.append(f"the graph holds notices of several jurisdictions ({', '.join(sorted(found))}); "
                     "each finding is reported with the jurisdiction of its own notice")
    return found.pop() if len(found) == 1 else None


def _not_assessed(data: Graph, library: ShapeLibrary, jurisdiction: str | None) -> list[str]:
    """What the report must say was not assessed: notices that state no applicable law the rules know (Meta's global
    notice), or, with no notice at all, that no law could be applied. Empty when only encoding shapes ran."""
    if not library.legal:
        return []
    lacking = notices_without_regime(data)
    if lacking:
        return [f"{_label(data, n)}: {NOT_ASSESSED}" for n in lacking]
    if jurisdiction is None and not notice_jurisdictions(data):
        return ["not assessed against the UK GDPR / EU GDPR / DSA: the graph holds no privacy notice stating an "
                "applicable law of those regimes"]
    return []


def _label(data: Graph, node) -> str:
    return next((str(v) for p in (RDFS.label, SKOS.prefLabel) for v in data.objects(node, p)), str(node))


def _describe_report(outcome: Outcome) -> None:
    """Say on the SHACL report node whose law was applied, as of when, and what was not assessed."""
    report = outcome.report
    bind_prefixes(report)
    report.bind("sh", str(SH))
    report.bind("pks", SHAPES_NS)
    for node in report.subjects(RDF.type, SH.ValidationReport):
        if outcome.law_as_of:
            report.add((node, PKS_LAW_AS_OF, Literal(outcome.law_as_of.day)))
        if outcome.law:
            report.add((node, PKS_LAW, Literal(outcome.law, lang="en")))
        for text in outcome.not_assessed:
            report.add((node, PKS_NOT_ASSESSED, Literal(text, lang="en")))



"""SHACL validation: run pySHACL over a graph with the DPV statements mixed in and turn the report into findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from policykg.errors import PolicyKGError
from policykg.iris import compact_iri
from policykg.labels import Labeller
from policykg.namespaces import DPV, bind_prefixes
from policykg.text.capture import PolicyText
from policykg.validate.library import (
    JURISDICTION_OF_LAW,
    PKS_JURISDICTION,
    RULE_SETS,
    SHAPE_SETS,
    SHAPES_NS,
    Provision,
    ShapeLibrary,
    available_rule_sets,
    available_shape_sets,
    load_shapes,
    shape_concerns,
)
from policykg.validate.spans import SourceSpan, SpanReader, node_id

__all__ = [
    "RULE_SETS", "SEVERITIES", "SHAPE_SETS", "SHAPES_NS", "Finding", "Outcome", "Provision", "SourceSpan", "Workspace",
    "available_rule_sets", "available_shape_sets", "load_dpv_graph", "load_shapes", "shape_concerns",
    "validate_graph",
]

SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")
PKS_PROVISION_OF = URIRef(SHAPES_NS + "provision")


@dataclass(frozen=True)
class Finding:
    """One SHACL result in readable form, with the provisions it applies in its jurisdiction."""

    shape: str
    shape_label: str
    concern: str
    severity: str
    focus: str
    focus_label: str
    message: str
    value: str | None = None
    value_label: str | None = None
    path: str | None = None
    spans: tuple[SourceSpan, ...] = ()
    jurisdiction: str | None = None
    provisions: tuple[Provision, ...] = ()
    rule: bool = False

    def key(self) -> tuple[str, str]:
        """(shape IRI, focus IRI): what a finding is about."""
        return (self.shape, self.focus)


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

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and info allowed)."""
        return not any(f.severity == "Violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        return {sev: sum(1 for f in self.findings if f.severity == sev) for sev in SEVERITIES}


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
_PREPARED: dict[str, object] = {}


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once: pySHACL runs the same constraint query for every focus node,
    and rdflib's parser, not the evaluation, is then most of the cost."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,
              use_store_provided=True, **kwargs):
        """Graph.query, with string queries prepared once (per process) and reused."""
        if isinstance(query_object, str) and not initNs and processor == "sparql":
            from rdflib.plugins.sparql import prepareQuery

            if query_object not in _PREPARED:
                _PREPARED[query_object] = prepareQuery(query_object)
            query_object = _PREPARED[query_object]
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


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
                 jurisdiction: str | None = None) -> Outcome:
        """Validate data (added for this run only); findings read while the data is in place."""
        graphs = [data] if isinstance(data, Graph) else list(data)
        added = list({t for g in graphs for t in g.triples((None, None, None)) if t not in self._base})
        self.graph.addN((s, p, o, self.graph) for s, p, o in added)
        try:
            report = run_shacl(self.graph, self.library.graph)
            spans = SpanReader.over(self.graph, texts)
            notes = list(spans.notes)
            known = jurisdiction or _single_jurisdiction(self.graph, notes)
            findings = findings_from_report(report, self.graph, self.library, spans, known)
        finally:
            for triple in added:
                self.graph.remove(triple)
        bind_prefixes(report)
        report.bind("sh", str(SH))
        report.bind("pks", SHAPES_NS)
        return Outcome(findings, report, self.library.names, sum(len(g) for g in graphs), spans.checked, notes, known)


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
) -> Outcome:
    """Validate data (one graph or several, e.g. ontology and data) against the named shape and rule files."""
    library = ShapeLibrary.load(shape_sets, directory)
    chosen = [texts] if isinstance(texts, PolicyText) else list(texts or [])
    return Workspace(library, dpv).validate(data, chosen, jurisdiction)


# ---- reading the report ----

def notice_jurisdictions(data: Graph) -> dict[Node, str]:
    """Each notice with an applicable law the rules know, and its jurisdiction."""
    out = {}
    for notice, law in data.subject_objects(DPV.hasApplicableLaw):
        if str(law) in JURISDICTION_OF_LAW and (notice, RDF.type, DPV.PrivacyNotice) in data:
            out[notice] = JURISDICTION_OF_LAW[str(law)]
    return out


def _single_jurisdiction(data: Graph, notes: list[str]) -> str | None:
    found = set(notice_jurisdictions(data).values())
    if len(found) > 1:
        notes.append(f"the graph holds notices of several jurisdictions ({', '.join(sorted(found))}); "
                     "each finding is reported with the jurisdiction of its own notice")
    return found.pop() if len(found) == 1 else None


def findings_from_report(report: Graph, data: Graph, library: ShapeLibrary, spans: SpanReader,
                         jurisdiction: str | None = None) -> list[Finding]:
    """Readable findings from a SHACL report graph over data, each annotated in the report with its provisions."""
    label = Labeller([data])
    notices = notice_jurisdictions(data)
    findings = []
    # Top-level results only: nested results (sh:detail of an sh:node failure) repeat what the parent says.
    top = [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]
    for result in top:
        shape = _named_shape(report.value(result, SH.sourceShape), library.graph)
        focus, value = report.value(result, SH.focusNode), report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        info = library.info(node_id(shape))
        where = _notice_jurisdiction(data, focus, notices) or jurisdiction
        provisions = info.provisions_in(where)
        _annotate(report, result, provisions, where)
        findings.append(Finding(
            shape=info.iri, shape_label=info.label, concern=info.concern,
            severity=str(report.value(result, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1],
            focus=node_id(focus), focus_label=_label(label, data, focus),
            message=_pick_message([m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]),
            value=node_id(value) if value is not None else None,
            value_label=_label(label, data, value) if value is not None else None,
            path=compact_iri(str(path)) if isinstance(path, URIRef) else None,
            spans=spans.spans_of(focus), jurisdiction=where, provisions=provisions, rule=info.rule,
        ))
    order = {sev: i for i, sev in enumerate(SEVERITIES)}
    concern_order = {name: i for i, name in enumerate((*SHAPE_SETS, *RULE_SETS))}
    findings.sort(key=lambda f: (order.get(f.severity, 9), concern_order.get(f.concern, 99), f.concern, f.shape,
                                 f.focus, f.value or ""))
    return _dedupe(findings)


def _notice_jurisdiction(data: Graph, focus: Node | None, notices: dict[Node, str]) -> str | None:
    """The jurisdiction of the notice a focus node belongs to (the notice itself, a process or a part of it)."""
    if focus is None or not notices:
        return None
    if focus in notices:
        return notices[focus]
    for predicate in (DPV.hasProcess, DCTERMS.hasPart):
        for notice in data.subjects(predicate, focus):
            if notice in notices:
                return notices[notice]
    return None


def _annotate(report: Graph, result: Node, provisions: tuple[Provision, ...], jurisdiction: str | None) -> None:
    """Name the provisions and jurisdiction of a result in the SHACL report itself (for the Turtle format)."""
    if jurisdiction:
        report.add((result, PKS_JURISDICTION, Literal(jurisdiction)))
    for p in provisions:
        iri = URIRef(p.iri)
        report.add((result, PKS_PROVISION_OF, iri))
        report.add((iri, RDFS.label, Literal(p.label, lang="en")))
        if p.url:
            report.add((iri, RDFS.seeAlso, URIRef(p.url)))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.shape, f.severity, f.focus, f.value, f.path, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _named_shape(shape: Node | None, shapes: Graph) -> Node | None:
    """The shape itself if it has an IRI, else the nearest named shape holding it (sh:property / sh:node)."""
    seen: set[Node] = set()
    current = shape
    while isinstance(current, BNode) and current not in seen:
        seen.add(current)
        parent = shapes.value(None, SH.property, current) or shapes.value(None, SH.node, current)
        if parent is None:
            break
        current = parent
    return current


def _pick_message(messages: list[Literal]) -> str:
    if not messages:
        return ""
    english = [m for m in messages if (m.language or "").startswith("en")]
    # Prefer the most specific message (a SPARQL constraint's, with its variables filled in).
    chosen = sorted(english or messages, key=lambda m: ("{" in str(m), -len(str(m))))[0]
    return " ".join(str(chosen).split())


def _label(labeller: Labeller, data: Graph, node: Node | None) -> str:
    """A node's label: a literal's text, '(unnamed node)' for a blank node, the Labeller's for an IRI."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        return next((str(v) for p in (RDFS.label, SKOS.prefLabel) for v in data.objects(node, p)),
                    "(unnamed node)")
    return labeller(str(node))

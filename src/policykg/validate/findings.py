"""From a SHACL report to findings a regulator can cite: one finding per rule and thing it is about (the results
of one shape on one focus merged, their values kept as evidence), each with its kind and verdict, and the provisions
of its notice's jurisdiction in force on the date whose law is applied (decision 25)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from policykg.iris import compact_iri
from policykg.labels import Labeller
from policykg.namespaces import DPV
from policykg.validate.library import (
    PKS_AUTHORITY,
    PKS_FROM,
    PKS_JURISDICTION,
    PKS_TO,
    PKS_VERDICT,
    PKS_WEIGHT,
    RULE_SETS,
    SHAPE_SETS,
    SHAPES_NS,
    VERDICTS,
    Provision,
    ShapeLibrary,
)
from policykg.validate.spans import SourceSpan, SpanReader, node_id

KINDS: tuple[str, ...] = ("completeness", "finding")
#: The keys of Outcome.counts(): completeness failures, then findings by verdict.
COUNT_KEYS: tuple[str, ...] = ("completeness", *VERDICTS)
PKS_PROVISION_OF = URIRef(SHAPES_NS + "provision")
PKS_KIND = URIRef(SHAPES_NS + "kind")
PKS_LAW_AS_OF = URIRef(SHAPES_NS + "lawAsOf")


@dataclass(frozen=True)
class Evidence:
    """Something a finding rests on besides its focus (a row, a statement, an audience), with its spans."""

    iri: str
    label: str
    spans: tuple[SourceSpan, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One fact a shape or rule found about one thing, with its kind, verdict and the provisions it cites."""

    shape: str
    shape_label: str
    concern: str
    kind: str
    verdict: str | None
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
    law_as_of: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def key(self) -> tuple[str, str]:
        """(shape IRI, focus IRI): what a finding is about."""
        return (self.shape, self.focus)

    @property
    def count_key(self) -> str:
        """The key of Outcome.counts() this finding adds to: "completeness" or its verdict."""
        return "completeness" if self.kind == "completeness" else (self.verdict or "check")

    @property
    def lead(self) -> Provision | None:
        """The first provision it applies (what the report groups it under), if any."""
        return next((p for p in self.provisions if p.role == "applies"), None)

    def to_json(self) -> dict:
        """The finding as JSON (field names fixed: kind, verdict, law_as_of; per provision in_force, authority,
        weight)."""
        return {
            "kind": self.kind, "verdict": self.verdict, "law_as_of": self.law_as_of,
            "shape": self.shape, "shape_label": self.shape_label, "concern": self.concern, "rule": self.rule,
            "focus": self.focus, "focus_label": self.focus_label, "message": self.message,
            "value": self.value, "value_label": self.value_label, "path": self.path,
            "jurisdiction": self.jurisdiction,
            "provisions": [provision_json(p) for p in self.provisions],
            "spans": [span_json(s) for s in self.spans],
            "evidence": [{"iri": e.iri, "label": e.label, "spans": [span_json(s) for s in e.spans]} for e in self.evidence],
        }


def provision_json(p: Provision) -> dict:
    """A cited provision as JSON."""
    return {"id": p.id, "iri": p.iri, "label": p.label, "url": p.url, "jurisdiction": p.jurisdiction,
            "authority": p.authority, "weight": p.weight, "role": p.role,
            "in_force": {"from": p.in_force_from.isoformat() if p.in_force_from else None,
                         "to": p.in_force_to.isoformat() if p.in_force_to else None}}


def span_json(s: SourceSpan) -> dict:
    """A span as JSON: its IRI, offsets (code points, end exclusive), section link and quoted text if known."""
    return {"iri": s.iri, "start": s.start, "end": s.end, "scope": s.scope, "text": s.text}


@dataclass(frozen=True)
class _Result:
    node: Node
    shape: Node | None
    focus: Node | None
    value: Node | None
    path: Node | None
    message: str


def findings_from_report(report: Graph, data: Graph, library: ShapeLibrary, spans: SpanReader,
                         jurisdiction: str | None = None, law_as_of: date | None = None) -> list[Finding]:
    """Readable findings from a SHACL report over data: the results of a shape on one focus merged into one finding;
    a finding about the law kept only where its notice states a law the rules know and one of the provisions it
    applies is in force on law_as_of. Results dropped are taken out of the report graph too, and the ones kept are
    annotated there with their kind, verdict and provisions."""
    from policykg.validate.law import notice_jurisdictions

    label = Labeller([data])
    notices = notice_jurisdictions(data)
    groups: dict[tuple[str, str], list[_Result]] = {}
    for result in _top_results(report):
        shape = _named_shape(report.value(result, SH.sourceShape), library.graph)
        focus = report.value(result, SH.focusNode)
        message = _pick_message([m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)])
        row = _Result(result, shape, focus, report.value(result, SH.value), report.value(result, SH.resultPath), message)
        groups.setdefault((node_id(shape), node_id(focus)), []).append(row)
    findings, dropped = [], []
    day = law_as_of.isoformat() if law_as_of else None
    for (shape_id, _focus_id), rows in groups.items():
        info = library.info(shape_id)
        focus = rows[0].focus
        where = _notice_jurisdiction(data, focus, notices) or jurisdiction
        cited = info.cited(where, law_as_of) if where or info.kind == "completeness" else None
        if info.kind == "finding" and (cited is None or not info.provisions_in(where)):
            dropped += [r.node for r in rows]
            continue
        values = sorted({r.value for r in rows if r.value is not None and r.value != focus}, key=node_id)
        evidence = tuple(sorted((Evidence(node_id(v), _label(label, data, v),
                                          () if (v, RDF.type, SKOS.Concept) in data else spans.spans_of(v))
                                 for v in values if not isinstance(v, Literal)),
                                key=lambda e: (e.spans[0].start if e.spans else -1, e.iri)))
        focus_spans = spans.spans_of(focus)
        if (focus, RDF.type, DPV.PrivacyNotice) in data and any(e.spans for e in evidence):
            focus_spans = ()  # a notice-level finding quotes what it rests on, not the notice's heading
        value = values[0] if len(values) == 1 else None
        messages = sorted({r.message for r in rows if r.message})
        path = min((r.path for r in rows if r.path is not None), key=str, default=None)
        finding = Finding(
            shape=info.iri, shape_label=info.label, concern=info.concern, kind=info.kind, verdict=info.verdict,
            focus=node_id(focus), focus_label=_label(label, data, focus), message=" ".join(messages),
            value=node_id(value) if value is not None else None,
            value_label=_label(label, data, value) if value is not None else None,
            path=compact_iri(str(path)) if isinstance(path, URIRef) else None,
            spans=focus_spans, jurisdiction=where, provisions=cited or (), rule=info.rule, law_as_of=day,
            evidence=evidence)
        for r in rows:
            _annotate(report, r.node, finding, library)
        findings.append(finding)
    _drop(report, dropped)
    verdict_order = {v: i for i, v in enumerate(VERDICTS)}
    concern_order = {name: i for i, name in enumerate((*SHAPE_SETS, *RULE_SETS))}
    findings.sort(key=lambda f: (KINDS.index(f.kind), verdict_order.get(f.verdict or "", 9),
                                 concern_order.get(f.concern, 99), f.concern, f.shape, f.focus))
    return findings


def _top_results(report: Graph) -> list[Node]:
    """Top-level results only: nested results (sh:detail of an sh:node failure) repeat what the parent says."""
    return [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]


def _notice_jurisdiction(data: Graph, focus: Node | None, notices: dict[Node, str]) -> str | None:
    """The jurisdiction of the notice a focus node belongs to (the notice itself, a process or a part of it)."""
    if focus is None or not notices:
        return None
    if focus in notices:
        return notices[focus]
    for predicate in (DPV.hasProcess, DCTERMS.hasPart, URIRef("https://w3id.org/policykg/ontology#hasStatement"),
                      DPV.hasDataController, DPV.hasStorageCondition):
        for notice in data.subjects(predicate, focus):
            if notice in notices:
                return notices[notice]
    for part in data.subjects(DPV.hasTechnicalOrganisationalMeasure, focus):  # a transfer safeguard of a section
        found = _notice_jurisdiction(data, part, notices)
        if found:
            return found
    return None


def _annotate(report: Graph, result: Node, finding: Finding, library: ShapeLibrary) -> None:
    """Name a result's kind, verdict, law_as_of, jurisdiction and provisions in the SHACL report itself."""
    report.add((result, PKS_KIND, Literal(finding.kind)))
    if finding.verdict:
        report.add((result, PKS_VERDICT, Literal(finding.verdict)))
    if finding.law_as_of:
        report.add((result, PKS_LAW_AS_OF, Literal(finding.law_as_of, datatype=XSD.date)))
    if finding.jurisdiction:
        report.add((result, PKS_JURISDICTION, Literal(finding.jurisdiction)))
    for p in finding.provisions:
        iri = URIRef(p.iri)
        report.add((result, PKS_PROVISION_OF, iri))
        report.add((iri, RDFS.label, Literal(p.label, lang="en")))
        for predicate in (RDFS.seeAlso, PKS_AUTHORITY, PKS_WEIGHT, PKS_FROM, PKS_TO):
            for value in library.graph.objects(iri, predicate):
                report.add((iri, predicate, value))


def _drop(report: Graph, results: list[Node]) -> None:
    """Take results out of a report (with what hangs off them) and restate whether it conforms."""
    for result in results:
        for node in list(report.subjects(SH.result, result)):
            report.remove((node, SH.result, result))
        stack = [result]
        while stack:
            current = stack.pop()
            for _, predicate, obj in list(report.triples((current, None, None))):
                if predicate == SH.detail and isinstance(obj, BNode):
                    stack.append(obj)
                report.remove((current, predicate, obj))
    for node in report.subjects(RDF.type, SH.ValidationReport):
        violations = any(report.value(r, SH.resultSeverity) == SH.Violation for r in report.objects(node, SH.result))
        report.set((node, SH.conforms, Literal(not violations)))


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

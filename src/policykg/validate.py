"""SHACL validation: load the shapes, run pySHACL with DPV as the ontology graph, turn the report into findings."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from .config import shapes_dir
from .errors import PolicyKGError
from .namespaces import OA, SPDX, bind_prefixes

#: The shape files, one per concern, in report order.
SHAPE_SETS: tuple[str, ...] = ("structure", "completeness", "transparency", "rights")
SHAPES_NS = "https://w3id.org/policykg/shapes#"
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class SourceSpan:
    """A place in the policy text: offsets (code points, end exclusive), section link, quoted text if known."""

    iri: str
    start: int
    end: int
    scope: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Finding:
    """One SHACL result in readable form."""

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

    def key(self) -> tuple[str, str]:
        """(shape IRI, focus IRI): what a finding is about."""
        return (self.shape, self.focus)


@dataclass
class Outcome:
    """The result of validating one graph."""

    findings: list[Finding]
    report: Graph
    shape_sets: tuple[str, ...]
    triples: int
    source_text_checked: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and info allowed)."""
        return not any(f.severity == "Violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        return {sev: sum(1 for f in self.findings if f.severity == sev) for sev in SEVERITIES}


@dataclass(frozen=True)
class SourceText:
    """The policy text, with its sha256 to check it is the text a graph's spans point into."""

    text: str
    sha256: str

    @classmethod
    def read(cls, path: Path) -> SourceText:
        """Read a UTF-8 text file."""
        data = path.read_bytes()
        return cls(data.decode("utf-8"), hashlib.sha256(data).hexdigest())


# ---- loading ----

def available_shape_sets(directory: Path | None = None) -> list[str]:
    """The shape files present (names without .ttl), in report order."""
    folder = directory or shapes_dir()
    present = {p.stem for p in folder.glob("*.ttl")}
    return [n for n in SHAPE_SETS if n in present] + sorted(present - set(SHAPE_SETS))


def load_shapes(names: list[str] | tuple[str, ...] | None = None, directory: Path | None = None) -> Graph:
    """One graph of the named shape files (all by default); PolicyKGError for an unknown name."""
    folder = directory or shapes_dir()
    available = available_shape_sets(folder)
    wanted = list(names) if names else available
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise PolicyKGError(f"unknown shapes {', '.join(repr(n) for n in unknown)}; available: {', '.join(available)}")
    if not wanted:
        raise PolicyKGError(f"no shape files found in {folder}")
    graph = Graph()
    for name in wanted:
        graph.parse(folder / f"{name}.ttl", format="turtle")
    return graph


#: The DPV statements the shapes and reports use; the rest (contributors, dates, notes ...) is left out.
DPV_PREDICATES: frozenset[str] = frozenset(str(p) for p in (
    RDF.type, RDFS.subClassOf, SKOS.broader, SKOS.exactMatch, SKOS.prefLabel, SKOS.definition, RDFS.label,
)) | {"https://w3id.org/dpv#hasRight"}


def load_dpv_graph(dpv_dir: Path | str) -> Graph:
    """The five DPV 2.3 files as one rdflib graph, limited to the statements the shapes use (DPV_PREDICATES)."""
    from .dpv import dpv_triples
    from .rdf_input import add_triples

    wanted = DPV_PREDICATES
    return add_triples(Graph(), (t for t in dpv_triples(Path(dpv_dir)) if t.predicate.value in wanted))


def shape_concerns(directory: Path | None = None, names: Sequence[str] | None = None) -> dict[str, str]:
    """Map each shape IRI to the shape file (concern) it comes from."""
    folder = directory or shapes_dir()
    concerns: dict[str, str] = {}
    for name in names or available_shape_sets(folder):
        g = Graph().parse(folder / f"{name}.ttl", format="turtle")
        for s in set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape)):
            if isinstance(s, URIRef):
                concerns[str(s)] = name
    return concerns


# ---- running ----

def working_graph(data: Graph | Sequence[Graph], dpv: Graph | None) -> Graph:
    """One graph holding the data graph(s) and DPV, to validate: the inputs are not modified."""
    working = _PreparedQueryGraph()
    for graph in ([data] if isinstance(data, Graph) else data):
        working.addN((s, p, o, working) for s, p, o in graph)
    if dpv is not None:
        working.addN((s, p, o, working) for s, p, o in dpv)
    return working


def run_shacl(working: Graph, shapes: Graph) -> Graph:
    """Run pySHACL (no inference, SPARQL features on) in place over a working graph; return the report graph.

    DPV is the ontology graph. pySHACL's own ``ont_graph`` option copies only RDFS/OWL axioms (class and
    property declarations), not ``skos:broader`` nor the ``dpv:hasRight`` statements the shapes need, so
    working_graph mixes the DPV statements into a copy of the data instead (as PYSHACL_USE_FULL_MIXIN would).
    """
    from pyshacl import validate

    _conforms, report, _text = validate(
        working,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    return report


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once: pySHACL runs the same constraint query for every focus node,
    and rdflib's parser, not the evaluation, is then most of the cost."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, object] = {}

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,
              use_store_provided=True, **kwargs):
        """Graph.query, with string queries prepared once and reused."""
        if isinstance(query_object, str) and not initNs and processor == "sparql":
            from rdflib.plugins.sparql import prepareQuery

            if query_object not in self._prepared:
                self._prepared[query_object] = prepareQuery(query_object)
            query_object = self._prepared[query_object]
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def validate_graph(
    data: Graph | Sequence[Graph],
    dpv: Graph | None,
    shape_sets: Sequence[str] | None = None,
    source_text: SourceText | None = None,
    *,
    directory: Path | None = None,
) -> Outcome:
    """Validate data (one graph or several, e.g. ontology and data) against the named shape files."""
    names = tuple(shape_sets) if shape_sets else tuple(available_shape_sets(directory))
    shapes = load_shapes(names, directory)
    graphs = [data] if isinstance(data, Graph) else list(data)
    working = working_graph(graphs, dpv)
    report = run_shacl(working, shapes)
    concerns = shape_concerns(directory, names)
    findings, checked, notes = findings_from_report(report, working, shapes, concerns, source_text)
    bind_prefixes(report)
    report.bind("sh", str(SH))
    report.bind("pks", SHAPES_NS)
    return Outcome(findings, report, names, sum(len(g) for g in graphs), checked, notes)


# ---- reading the report ----

def findings_from_report(
    report: Graph,
    data: Graph,
    shapes: Graph,
    concerns: dict[str, str],
    source_text: SourceText | None = None,
) -> tuple[list[Finding], bool, list[str]]:
    """Readable findings from a SHACL report graph over data; also whether spans were quoted, and notes."""
    labels = _Labels(data)
    notes: list[str] = []
    text_ok = _text_matches(data, source_text, notes)
    findings = []
    # Top-level results only: nested results (sh:detail of an sh:node failure) repeat what the parent says.
    top = [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]
    for result in top:
        shape = _named_shape(report.value(result, SH.sourceShape), shapes)
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        severity = str(report.value(result, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
        messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
        shape_iri = str(shape) if shape is not None else ""
        findings.append(Finding(
            shape=shape_iri,
            shape_label=_shape_label(shapes, shape),
            concern=concerns.get(shape_iri, ""),
            severity=severity,
            focus=_node_id(focus),
            focus_label=labels.label(focus),
            message=_pick_message(messages),
            value=_node_id(value) if value is not None else None,
            value_label=labels.label(value) if value is not None else None,
            path=labels.compact(path) if isinstance(path, URIRef) else None,
            spans=tuple(_spans_of(data, focus, source_text if text_ok else None)),
        ))
    order = {sev: i for i, sev in enumerate(SEVERITIES)}
    concern_order = {name: i for i, name in enumerate(SHAPE_SETS)}
    findings.sort(key=lambda f: (order.get(f.severity, 9), concern_order.get(f.concern, 9), f.shape, f.focus,
                                 f.value or ""))
    return _dedupe(findings), text_ok, notes


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


def _shape_label(shapes: Graph, shape: Node | None) -> str:
    if shape is None:
        return ""
    label = shapes.value(shape, RDFS.label)
    return str(label) if label is not None else _node_id(shape)


def _pick_message(messages: list[Literal]) -> str:
    if not messages:
        return ""
    english = [m for m in messages if (m.language or "").startswith("en")]
    # Prefer the most specific message (a SPARQL constraint's, with its variables filled in).
    chosen = sorted(english or messages, key=lambda m: ("{" in str(m), -len(str(m))))[0]
    return " ".join(str(chosen).split())


def _node_id(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node)


class _Labels:
    """Labels for nodes, looked up in the (data + DPV) graph; compact IRIs otherwise."""

    PREDICATES = (RDFS.label, SKOS.prefLabel, DCTERMS.title)

    def __init__(self, data: Graph) -> None:
        self.graphs = [data]
        self.namespaces = Graph()
        bind_prefixes(self.namespaces)
        self.cache: dict[Node, str] = {}

    def compact(self, node: Node) -> str:
        try:
            return self.namespaces.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)
        except Exception:  # noqa: BLE001 - rdflib raises plain exceptions for IRIs it cannot split
            return str(node)

    def label(self, node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, Literal):
            return str(node)
        if node not in self.cache:
            self.cache[node] = self._find(node)
        return self.cache[node]

    def _find(self, node: Node) -> str:
        for graph in self.graphs:
            for predicate in self.PREDICATES:
                values = list(graph.objects(node, predicate))
                if values:
                    english = [v for v in values if isinstance(v, Literal) and (v.language or "en").startswith("en")]
                    return str(sorted(english or values)[0])  # type: ignore[type-var]  # rdflib terms do compare
        if isinstance(node, BNode):
            return "(unnamed node)"
        return self.compact(node)


# ---- source spans ----

def _text_matches(data: Graph, source: SourceText | None, notes: list[str]) -> bool:
    """True when the policy text is available and is the text the graph's spans were made against."""
    if source is None:
        return False
    declared = {str(v) for v in data.objects(None, SPDX.checksumValue)}
    if declared and source.sha256 not in declared:
        notes.append("the policy text found does not have the sha256 the graph records for its source; "
                     "spans are given as offsets only")
        return False
    return True


def _spans_of(data: Graph, focus: Node | None, source: SourceText | None) -> list[SourceSpan]:
    if focus is None:
        return []
    candidates = list(data.objects(focus, PROV.wasDerivedFrom))
    if not candidates and (focus, OA.hasSelector, None) in data:
        candidates = [focus]
    spans = []
    for span in candidates:
        for selector in data.objects(span, OA.hasSelector):
            start, end = data.value(selector, OA.start), data.value(selector, OA.end)
            try:
                s, e = int(start), int(end)  # type: ignore[call-overload]  # None or a non-number: skipped
            except (TypeError, ValueError):
                continue
            scope = data.value(span, OA.hasScope)
            text = None
            if source is not None and 0 <= s < e <= len(source.text):
                text = source.text[s:e]
            spans.append(SourceSpan(_node_id(span), s, e, str(scope) if scope is not None else None, text))
    spans.sort(key=lambda sp: (sp.start, sp.end))
    return spans

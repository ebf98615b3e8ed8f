"""`policykg docs --out DIR`: HTML documentation of the ontology, generated from the ontology graph itself.

A small deterministic generator (pyLODE 3.4.1 fails at import and 3.3.4 writes its embedded JSON-LD in a different
order on every run and leaves out SKOS concepts, which are most of this ontology). One self-contained page, no
external CSS or scripts: the ontology's metadata, then every class, object property, datatype property and concept
(grouped by concept scheme) with its label, definition, comment, scope note (why its DPV alignment holds), types,
broader / narrower concepts, alignments (skos:exactMatch / closeMatch / related), domain and range, each with an
anchor named by its local name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from policykg.iris import PREFIXES, compact_iri
from policykg.namespaces import PKO as PKO_NS
from policykg.templating import render

PKO = str(PKO_NS)
#: Prefixes for writing IRIs in the documentation: the project's, plus vann for the ontology header.
KNOWN_PREFIXES: dict[str, str] = {**PREFIXES, "vann": "http://purl.org/vocab/vann/"}
ALIGNMENTS = (("exact match", SKOS.exactMatch), ("close match", SKOS.closeMatch), ("related", SKOS.related))
def curie(iri: str) -> str:
    """An IRI written as prefix:local where a known prefix fits, else the IRI."""
    return compact_iri(iri, KNOWN_PREFIXES)


def _local(iri: str) -> str:
    return iri[len(PKO):] if iri.startswith(PKO) else iri


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    values = sorted(graph.objects(subject, predicate), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
    return str(values[0]) if values else None


def _value(node: Node) -> dict[str, str | None]:
    """A value as the template shows it: a link (to the term's anchor for local terms) or plain text."""
    if isinstance(node, Literal):
        return {"text": str(node), "href": None}
    text = str(node)
    return {"text": curie(text), "href": f"#{_local(text)}" if text.startswith(PKO) else text}


def _values(nodes: Iterable[Node]) -> list[dict[str, str | None]]:
    return [_value(v) for v in sorted(set(nodes), key=lambda v: curie(str(v)))]


def _texts(*texts: str | None) -> list[dict[str, str | None]]:
    return [{"text": t, "href": None} for t in texts if t]


def _restriction(graph: Graph, node: BNode) -> list[dict[str, str | None]]:
    """An anonymous class (an OWL restriction) as its statements: `owl:onProperty pko:p`, `owl:someValuesFrom pko:C`."""
    shown: list[dict[str, str | None]] = []
    for predicate, value in sorted(graph.predicate_objects(node), key=lambda po: (curie(str(po[0])), str(po[1]))):
        if predicate == RDF.type:
            continue
        shown += [{"text": curie(str(predicate)), "href": None}, _value(value)]
    return shown


def _sorted_terms(graph: Graph, subjects: Iterable[Node]) -> list[URIRef]:
    local = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(PKO)}
    return sorted(local, key=lambda s: (_text(graph, s, RDFS.label) or _local(str(s))).lower())


def _term(graph: Graph, term: URIRef, kind: str) -> dict[str, Any]:
    label = _text(graph, term, RDFS.label) or _text(graph, term, SKOS.prefLabel) or _local(str(term))
    rows: list[tuple[str, list[dict[str, str | None]]]] = [("IRI", _texts(str(term)))]
    for name, predicate in (("Definition", SKOS.definition), ("Comment", RDFS.comment), ("Scope note", SKOS.scopeNote)):
        text = _text(graph, term, predicate)
        if text:
            rows.append((name, _texts(text)))
    types = [t for t in graph.objects(term, RDF.type) if t not in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)]
    if types:
        rows.append(("Types", _values(types)))
    for name, predicate in (("Subclass of", RDFS.subClassOf), ("Subproperty of", RDFS.subPropertyOf),
                            ("Domain", RDFS.domain), ("Range", RDFS.range), ("Broader", SKOS.broader)):
        found = [v for v in graph.objects(term, predicate) if isinstance(v, URIRef)]
        if found:
            rows.append((name, _values(found)))
        rows += [(f"{name} (restriction)", _restriction(graph, node))
                 for node in sorted((v for v in graph.objects(term, predicate) if isinstance(v, BNode)),
                                    key=lambda n: sorted(curie(str(o)) for o in graph.objects(n, None)))]
    narrower = list(graph.subjects(SKOS.broader, term))
    if narrower:
        rows.append(("Narrower", _values(narrower)))
    for name, predicate in ALIGNMENTS:
        aligned = list(graph.objects(term, predicate))
        if aligned:
            rows.append((name.capitalize(), _values(aligned)))
    if (term, RDF.type, OWL.FunctionalProperty) in graph:
        rows.append(("Characteristics", _texts("functional")))
    return {"anchor": _local(str(term)), "label": label, "kind": kind, "curie": curie(str(term)), "rows": rows}


def ontology_document(graph: Graph) -> dict[str, Any]:
    """What the documentation shows of an ontology graph: its metadata and every local term, by section (one model
    for `policykg docs` and the site's /ontology page; deterministic)."""
    ontologies = sorted(graph.subjects(RDF.type, OWL.Ontology), key=str)
    onto = ontologies[0] if ontologies else None
    meta: list[tuple[str, list[dict[str, str | None]]]] = []
    if onto is not None:
        meta.append(("IRI", _texts(str(onto))))
        for name, predicate in (("Version IRI", OWL.versionIRI), ("Version", OWL.versionInfo),
                                ("Creator", DCTERMS.creator), ("Created", DCTERMS.created),
                                ("License", DCTERMS.license), ("Source", DCTERMS.source), ("See also", RDFS.seeAlso)):
            found = list(graph.objects(onto, predicate))
            if found:
                meta.append((name, _values(found)))
    classes = _sorted_terms(graph, graph.subjects(RDF.type, OWL.Class))
    object_properties = _sorted_terms(graph, graph.subjects(RDF.type, OWL.ObjectProperty))
    datatype_properties = _sorted_terms(graph, graph.subjects(RDF.type, OWL.DatatypeProperty))
    schemes = _sorted_terms(graph, graph.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = set(_sorted_terms(graph, graph.subjects(RDF.type, SKOS.Concept)))
    in_scheme = {s: [c for c in _sorted_terms(graph, graph.subjects(SKOS.inScheme, s)) if c in concepts] for s in schemes}
    other = [c for c in _sorted_terms(graph, concepts) if not any(c in v for v in in_scheme.values())]
    individuals = [s for s in _sorted_terms(graph, graph.subjects(RDFS.isDefinedBy, onto) if onto else [])
                   if s not in concepts and s not in classes and s not in object_properties
                   and s not in datatype_properties and s not in schemes]

    def section(sid: str, name: str, terms: list[URIRef], kind: str, scheme: URIRef | None = None) -> dict[str, Any]:
        return {"id": sid, "name": name, "terms": [_term(graph, t, kind) for t in terms],
                "definition": _text(graph, scheme, SKOS.definition) if scheme is not None else None,
                "curie": curie(str(scheme)) if scheme is not None else None}

    sections = [section("classes", "Classes", classes, "class"),
                section("object-properties", "Object properties", object_properties, "object property"),
                section("datatype-properties", "Datatype properties", datatype_properties, "datatype property")]
    sections += [section(_local(str(s)), _text(graph, s, RDFS.label) or _local(str(s)), in_scheme[s], "concept", s)
                 for s in schemes]
    if other:
        sections.append(section("other-concepts", "Other concepts", other, "concept"))
    if individuals:
        sections.append(section("other-terms", "Other terms", individuals, "term"))
    return {"title": (_text(graph, onto, DCTERMS.title) if onto else None) or "Ontology",
            "description": _text(graph, onto, DCTERMS.description) if onto else None, "meta": meta,
            "sections": sections}


def render_graph_html(graph: Graph) -> str:
    """The documentation page for an ontology graph (deterministic: the same graph gives the same bytes)."""
    return render("ontology.html", doc=ontology_document(graph))


def render_ontology_html(ontology_path: Path | str | None = None) -> str:
    """The documentation page for an ontology Turtle file (default: the project's ontology/policykg.ttl)."""
    from policykg.config import ontology_path as default_ontology_path

    path = Path(ontology_path) if ontology_path else default_ontology_path()
    graph = Graph()
    graph.parse(path, format="turtle")
    return render_graph_html(graph)


def write_docs(out_dir: Path | str, ontology_path: Path | str | None = None) -> Path:
    """Write index.html into out_dir; return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    target.write_text(render_ontology_html(ontology_path), encoding="utf-8")
    return target



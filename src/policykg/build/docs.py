"""`policykg docs --out DIR`: HTML documentation of the ontology, generated from the ontology graph itself.

A small deterministic generator (pyLODE 3.4.1 fails at import and 3.3.4 writes its embedded JSON-LD in a different
order on every run and leaves out SKOS concepts, which are most of this ontology). One self-contained page, no
external CSS or scripts: the ontology's metadata, then every class, object property, datatype property and concept
(grouped by concept scheme) with its label, definition, comment, scope note (why its DPV alignment holds), types,
broader / narrower concepts, alignments (skos:exactMatch / closeMatch / related), domain and range, each with an
anchor named by its local name.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from policykg.iris import PREFIXES, compact_iri
from policykg.namespaces import PKO as PKO_NS

PKO = str(PKO_NS)
#: Prefixes for writing IRIs in the documentation: the project's, plus vann for the ontology header.
KNOWN_PREFIXES: dict[str, str] = {**PREFIXES, "vann": "http://purl.org/vocab/vann/"}
ALIGNMENTS = (("exact match", SKOS.exactMatch), ("close match", SKOS.closeMatch), ("related", SKOS.related))
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#222}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd}h3{margin-top:2rem}
section.term{border-left:3px solid #4C72B0;padding:.2rem 0 .2rem 1rem;margin:1.2rem 0}
section.term h4{margin:.2rem 0;font-size:1.05rem}code{background:#f4f4f4;padding:0 .2rem}
dl{display:grid;grid-template-columns:10rem 1fr;gap:.2rem .8rem;margin:.4rem 0}dt{color:#666}dd{margin:0}
nav ul{columns:2}a{color:#1a5fb4}
"""


def curie(iri: str) -> str:
    """An IRI written as prefix:local where a known prefix fits, else the IRI."""
    return compact_iri(iri, KNOWN_PREFIXES)


def _local(iri: str) -> str:
    return iri[len(PKO):] if iri.startswith(PKO) else iri


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    values = sorted(graph.objects(subject, predicate), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
    return str(values[0]) if values else None


def _link(iri: Node) -> str:
    if isinstance(iri, Literal):
        return html.escape(str(iri))
    text = str(iri)
    if text.startswith(PKO):
        return f'<a href="#{html.escape(_local(text))}"><code>{html.escape(curie(text))}</code></a>'
    return f'<a href="{html.escape(text)}"><code>{html.escape(curie(text))}</code></a>'


def _links(values: Iterable[Node]) -> str:
    return ", ".join(_link(v) for v in sorted(set(values), key=lambda v: curie(str(v))))


def _sorted_terms(graph: Graph, subjects: Iterable[Node]) -> list[URIRef]:
    local = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(PKO)}
    return sorted(local, key=lambda s: (_text(graph, s, RDFS.label) or _local(str(s))).lower())


def _term(graph: Graph, term: URIRef, kind: str) -> str:
    label = _text(graph, term, RDFS.label) or _text(graph, term, SKOS.prefLabel) or _local(str(term))
    rows: list[tuple[str, str]] = [("IRI", f"<code>{html.escape(str(term))}</code>")]
    definition = _text(graph, term, SKOS.definition)
    if definition:
        rows.append(("Definition", html.escape(definition)))
    comment = _text(graph, term, RDFS.comment)
    if comment:
        rows.append(("Comment", html.escape(comment)))
    scope_note = _text(graph, term, SKOS.scopeNote)
    if scope_note:
        rows.append(("Scope note", html.escape(scope_note)))
    types = [t for t in graph.objects(term, RDF.type) if t not in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)]
    if types:
        rows.append(("Types", _links(types)))
    for name, predicate in (("Subclass of", RDFS.subClassOf), ("Subproperty of", RDFS.subPropertyOf),
                            ("Domain", RDFS.domain), ("Range", RDFS.range), ("Broader", SKOS.broader)):
        values = [v for v in graph.objects(term, predicate) if isinstance(v, URIRef)]
        if values:
            rows.append((name, _links(values)))
    narrower = list(graph.subjects(SKOS.broader, term))
    if narrower:
        rows.append(("Narrower", _links(narrower)))
    for name, predicate in ALIGNMENTS:
        aligned = list(graph.objects(term, predicate))
        if aligned:
            rows.append((name.capitalize(), _links(aligned)))
    if (term, RDF.type, OWL.FunctionalProperty) in graph:
        rows.append(("Characteristics", "functional"))
    body = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    anchor = html.escape(_local(str(term)))
    return (f'<section class="term" id="{anchor}"><h4>{html.escape(label)} '
            f'<small>({kind}, <code>{html.escape(curie(str(term)))}</code>)</small></h4><dl>{body}</dl></section>\n')


def render_graph_html(graph: Graph) -> str:
    """The documentation page for an ontology graph (deterministic: the same graph gives the same bytes)."""
    ontologies = sorted(graph.subjects(RDF.type, OWL.Ontology), key=str)
    onto = ontologies[0] if ontologies else None
    title = (_text(graph, onto, DCTERMS.title) if onto else None) or "Ontology"
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
             f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>\n',
             f"<h1>{html.escape(title)}</h1>\n"]
    if onto is not None:
        meta = [("IRI", f"<code>{html.escape(str(onto))}</code>")]
        for name, predicate in (("Version IRI", OWL.versionIRI), ("Version", OWL.versionInfo),
                                ("Creator", DCTERMS.creator), ("Created", DCTERMS.created),
                                ("License", DCTERMS.license), ("Source", DCTERMS.source), ("See also", RDFS.seeAlso)):
            values = list(graph.objects(onto, predicate))
            if values:
                meta.append((name, _links(values)))
        description = _text(graph, onto, DCTERMS.description)
        if description:
            parts.append(f"<p>{html.escape(description)}</p>\n")
        parts.append("<dl>" + "".join(f"<dt>{n}</dt><dd>{v}</dd>" for n, v in meta) + "</dl>\n")

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

    sections = [("classes", "Classes", classes, "class"), ("object-properties", "Object properties", object_properties,
                 "object property"), ("datatype-properties", "Datatype properties", datatype_properties, "datatype property")]
    toc = [f'<li><a href="#{sid}">{name}</a> ({len(items)})</li>' for sid, name, items, _ in sections]
    toc += [f'<li><a href="#{html.escape(_local(str(s)))}">{html.escape(_text(graph, s, RDFS.label) or _local(str(s)))}</a>'
            f" ({len(in_scheme[s])})</li>" for s in schemes]
    if other:
        toc.append(f'<li><a href="#other-concepts">Other concepts</a> ({len(other)})</li>')
    if individuals:
        toc.append(f'<li><a href="#other-terms">Other terms</a> ({len(individuals)})</li>')
    parts.append("<nav><h2>Contents</h2><ul>" + "".join(toc) + "</ul></nav>\n")
    for sid, name, items, kind in sections:
        parts.append(f'<h2 id="{sid}">{name}</h2>\n')
        parts += [_term(graph, t, kind) for t in items]
    for scheme in schemes:
        parts.append(f'<h2 id="{html.escape(_local(str(scheme)))}">'
                     f"{html.escape(_text(graph, scheme, RDFS.label) or _local(str(scheme)))}</h2>\n")
        definition = _text(graph, scheme, SKOS.definition)
        if definition:
            parts.append(f"<p>{html.escape(definition)} <code>{html.escape(curie(str(scheme)))}</code></p>\n")
        parts += [_term(graph, c, "concept") for c in in_scheme[scheme]]
    if other:
        parts.append('<h2 id="other-concepts">Other concepts</h2>\n')
        parts += [_term(graph, c, "concept") for c in other]
    if individuals:
        parts.append('<h2 id="other-terms">Other terms</h2>\n')
        parts += [_term(graph, c, "term") for c in individuals]
    parts.append("<footer><p>Generated by <code>policykg docs</code> from the ontology.</p></footer>\n</body></html>\n")
    return "".join(parts)


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



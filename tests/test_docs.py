"""`policykg docs`: ontology documentation generated from the ontology, complete and deterministic."""

from __future__ import annotations

import html
import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policykg.build.docs import PKO, render_ontology_html
from policykg.cli.main import main
from policykg.config import ontology_dir

ONTOLOGY = ontology_dir() / "policykg.ttl"


def _local_terms(graph: Graph, kind) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(PKO)}


def test_every_local_term_is_documented_with_label_and_definition() -> None:
    graph = Graph().parse(ONTOLOGY)
    page = render_ontology_html(ONTOLOGY)
    terms = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme):
        terms |= _local_terms(graph, kind)
    assert len(terms) > 50
    for term in sorted(terms):
        local = term[len(PKO):]
        assert f'id="{local}"' in page, f"{term} has no section"
        label = graph.value(URIRef(term), RDFS.label)
        assert str(label) in html.unescape(page), f"{term}: label missing"
        definition = graph.value(URIRef(term), SKOS.definition)
        if definition is not None and (URIRef(term), RDF.type, SKOS.ConceptScheme) not in graph:
            assert str(definition) in html.unescape(page), f"{term}: definition missing"


def test_broader_links_and_alignments_are_shown() -> None:
    page = render_ontology_html(ONTOLOGY)
    assert 'href="https://w3id.org/dpv/pd#Religion"' in page  # pko:ReligiousViews skos:broader pd:Religion
    assert 'href="#InformationWithSpecialProtections"' in page
    assert "Close match" in page
    assert "<dt>Scope note</dt>" in page and "pd:AccountIdentifier: DPV defines that as a financial account" in page


def test_deterministic_and_self_contained(tmp_path: Path) -> None:
    assert main(["docs", "--out", str(tmp_path / "a")]) == 0
    assert main(["docs", "--out", str(tmp_path / "b")]) == 0
    a, b = (tmp_path / "a" / "index.html").read_bytes(), (tmp_path / "b" / "index.html").read_bytes()
    assert a == b
    assert b"<script" not in a and b'rel="stylesheet"' not in a


def test_missing_ontology_file(tmp_path: Path, capsys) -> None:
    assert main(["docs", "--out", str(tmp_path), "--ontology", str(tmp_path / "none.ttl")]) == 2
    assert "no such ontology file" in capsys.readouterr().err


def test_every_decision_record_is_in_the_index_with_a_status() -> None:
    folder = Path(__file__).resolve().parent.parent / "docs" / "decisions"
    index = (folder / "README.md").read_text(encoding="utf-8")
    records = sorted(p.name for p in folder.glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert len(records) >= 25
    for name in records:
        line = next((ln for ln in index.splitlines() if f"]({name})" in ln), None)
        assert line is not None, f"{name} is not listed in docs/decisions/README.md"
        status = line.rstrip(" |").rsplit("|", 1)[-1].strip()
        assert status.startswith(("accepted", "amended", "superseded")), f"{name}: status {status!r}"
    linked = set(re.findall(r"\]\((\d{4}-[^)]+\.md)\)", index))
    assert linked == set(records), sorted(linked ^ set(records))

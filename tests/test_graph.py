"""What the built graph says: DPV terms exist, no blank nodes, provenance everywhere, HermiT consistency."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from policykg.dpv import dpv_term_index, is_dpv_iri
from policykg.namespaces import DATA, DPV, EU_GDPR, OA, PKO
from policykg.reason import check_consistency, java_available


def test_every_dpv_iri_used_exists_in_dpv_2_3(compiled, dpv_folder: Path) -> None:
    terms = dpv_term_index(dpv_folder)
    used = {n for g in (compiled.ontology, compiled.data) for t in g for n in t if isinstance(n, URIRef) and is_dpv_iri(str(n))}
    assert len(used) > 80
    missing = sorted(str(n) for n in used if str(n) not in terms)
    assert not missing


def test_no_blank_nodes(compiled) -> None:
    assert not [t for t in compiled.ontology + compiled.data if any(isinstance(n, BNode) for n in t)]


def test_local_terms_have_label_and_definition(compiled) -> None:
    onto = compiled.ontology
    local = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PKO))}
    assert len(local) > 120
    for term in local:
        assert onto.value(term, RDFS.label), term
        assert onto.value(term, SKOS.definition), term


def test_information_items_are_aligned_to_dpv(compiled) -> None:
    onto = compiled.ontology
    items = set(onto.subjects(SKOS.inScheme, PKO.InformationScheme))
    for item in items:
        # skos:broader where a DPV term subsumes the item, else skos:closeMatch or skos:related (decision 18)
        links = {o for p in (SKOS.broader, SKOS.exactMatch, SKOS.closeMatch, SKOS.related) for o in onto.objects(item, p)}
        assert any(is_dpv_iri(str(o)) for o in links), f"{item} has no DPV alignment"


@pytest.mark.parametrize("kind", ["process", "purpose", "item", "recipient", "right", "interest"])
def test_every_fact_kind_has_provenance(compiled, kind: str) -> None:
    g = compiled.ontology + compiled.data
    if kind == "process":
        nodes = set(g.subjects(RDF.type, DPV.Process))
    elif kind == "purpose":
        nodes = set(g.objects(None, DPV.hasPurpose))
    elif kind == "item":
        nodes = set(g.objects(None, DPV.hasPersonalData))
    elif kind == "recipient":
        nodes = set(g.objects(None, DPV.hasRecipient))
    elif kind == "right":
        nodes = set(g.subjects(RDF.type, DPV.RightExerciseNotice))
    else:
        nodes = set(g.objects(None, PKO.hasLegitimateInterest))
    assert nodes
    for node in nodes:
        spans = list(g.objects(node, PROV.wasDerivedFrom))
        assert spans, f"{node} has no provenance"
        for span in spans:
            assert (span, RDF.type, OA.SpecificResource) in g
            assert g.value(span, OA.hasScope) is not None


def test_notice_has_the_required_parts(compiled) -> None:
    g = compiled.data
    notice = DATA["notice"]
    assert (notice, RDF.type, DPV.PrivacyNotice) in g
    assert len(list(g.objects(notice, DPV.hasProcess))) == 39
    assert (notice, DPV.hasApplicableLaw, URIRef("https://w3id.org/dpv/legal/gb#law-GDPR")) in g
    assert (notice, DPV.hasAuthority, URIRef("https://w3id.org/dpv/legal/gb#DPA-GB")) in g
    controller = g.value(notice, DPV.hasDataController)
    assert g.value(controller, DPV.hasAddress) and g.value(controller, DPV.hasContact)
    assert g.value(controller, DPV.hasDataProtectionOfficer) is not None
    retention = g.value(notice, DPV.hasStorageCondition)
    assert g.value(retention, DPV.hasDuration) == DPV.IndeterminateDuration
    assert len(list(g.objects(retention, PKO.hasRetentionCriterion))) >= 4


def test_legitimate_interest_rows_name_their_interests(compiled) -> None:
    g = compiled.data
    li = {p for p in g.subjects(DPV.hasLegalBasis, EU_GDPR["A6-1-f"]) if (p, RDF.type, DPV.Process) in g}
    assert len(li) == 23
    assert all(list(g.objects(p, PKO.hasLegitimateInterest)) for p in li)


@pytest.mark.skipif(not java_available(), reason="Java is not installed; HermiT needs it")
def test_hermit_finds_ontology_and_data_consistent(compiled) -> None:
    result = check_consistency(compiled.ontology + compiled.data)
    assert result.consistent and not result.unsatisfiable, result.summary()


@pytest.mark.skipif(not java_available(), reason="Java is not installed; HermiT needs it")
def test_hermit_catches_a_purpose_used_as_a_legal_basis(compiled) -> None:
    broken: Graph = compiled.ontology + compiled.data
    broken.add((PKO.ProvidingAds, RDF.type, DPV.LegalBasis))
    assert not check_consistency(broken).consistent

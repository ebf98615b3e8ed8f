"""What the built graph says: DPV terms exist, no blank nodes, provenance everywhere, each version's notice facts.

(HermiT runs in tests/test_reason.py, through the command line, once on the graph and once on a broken copy.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from policykg.namespaces import DPV, EU_GDPR, OA, PKO, version_namespace
from policykg.sources.dpv import dpv_term_index, is_dpv_iri


def test_every_dpv_iri_used_exists_in_dpv_2_3(compiled, dpv_folder: Path) -> None:
    terms = dpv_term_index(dpv_folder)
    graphs = (compiled.ontology, *compiled.versions.values(), compiled.links, *compiled.changes.values())
    used = {n for g in graphs for t in g for n in t if isinstance(n, URIRef) and is_dpv_iri(str(n))}
    assert len(used) > 80
    missing = sorted(str(n) for n in used if str(n) not in terms)
    assert not missing


@pytest.fixture(scope="module")
def everything(compiled):
    """The ontology and every version's data, links and changes as one graph (made once for the module)."""
    return compiled.ontology + compiled.data


def test_no_blank_nodes(everything) -> None:
    assert not [t for t in everything if any(isinstance(n, BNode) for n in t)]


def test_versions_are_disjoint_data(compiled) -> None:
    """No two versions describe the same subject: instance IRIs carry the version."""
    subjects = {name: {s for s in g.subjects() if str(s).startswith("https://w3id.org/policykg/" + name)}
                for name, g in compiled.versions.items()}
    for name, g in compiled.versions.items():
        foreign = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith("https://w3id.org/policykg/meta-")
                   and not str(s).startswith("https://w3id.org/policykg/" + name + "/")}
        assert not foreign, f"{name} describes another version's resources: {sorted(foreign)[:3]}"
        assert subjects[name]


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
def test_every_fact_kind_has_provenance(everything, kind: str) -> None:
    g = everything
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


#: Per version: rows of the legal-basis section (the global notice's processing section), applicable law, authority,
#: controller, legitimate-interest rows. The row counts are the ones ../shared/policies/README.md gives (a source
#: other than this program); the EU ones are counted in its text by `grep -c`: 39 lines "Why and how we process
#: your information:" (one per block) and 23 "Legitimate interests relied on" parts (one per legitimate-interest
#: block). The global notice names no law and no authority and states no basis (None, None, 0).
NOTICES = {
    "meta-uk-2024-11-14": (36, "gb#law-GDPR", "gb#DPA-GB", "Meta Platforms, Inc.", 21),
    "meta-uk-2025-04-07": (36, "gb#law-GDPR", "gb#DPA-GB", "Meta Platforms, Inc.", 21),
    "meta-uk-2025-06-16": (39, "gb#law-GDPR", "gb#DPA-GB", "Meta Platforms, Inc.", 23),
    "meta-eu-2025-12-16": (39, "eu#law-GDPR", "ie#DPA-IE", "Meta Platforms Ireland Limited", 23),
    "meta-global-2022-07-26": (17, None, None, "Meta Platforms, Inc.", 0),
    "meta-global-2023-01-01": (17, None, None, "Meta Platforms, Inc.", 0),
    "meta-global-2023-06-15": (18, None, None, "Meta Platforms, Inc.", 0),
    "meta-global-2025-12-16": (19, None, None, "Meta Platforms, Inc.", 0),
    "meta-global-2026-07-23": (19, None, None, "Meta Platforms, Inc.", 0),
}


def test_every_version_is_pinned_here(registry) -> None:
    assert set(registry.names) == set(NOTICES)


@pytest.mark.parametrize("version", sorted(NOTICES))
def test_notice_has_the_required_parts(compiled, version: str) -> None:
    rows, law, authority, controller_name, _ = NOTICES[version]
    g = compiled.version_data(version)
    notice = version_namespace(version)["notice"]
    assert (notice, RDF.type, DPV.PrivacyNotice) in g
    assert len(list(g.objects(notice, DPV.hasProcess))) == rows
    if law is None:  # recorded as not stated, never filled in
        assert g.value(notice, DPV.hasApplicableLaw) is None and g.value(notice, DPV.hasAuthority) is None
        assert (notice, PKO.statesApplicableLaw, Literal(False)) in g and (notice, PKO.statesAuthority, Literal(False)) in g
    else:
        assert (notice, DPV.hasApplicableLaw, URIRef("https://w3id.org/dpv/legal/" + law)) in g
        assert (notice, DPV.hasAuthority, URIRef("https://w3id.org/dpv/legal/" + authority)) in g
    controller = g.value(notice, DPV.hasDataController)
    assert str(g.value(controller, DPV.hasName)) == controller_name
    assert g.value(controller, DPV.hasAddress) and g.value(controller, DPV.hasContact)
    dpo = g.value(controller, DPV.hasDataProtectionOfficer)
    assert dpo is not None
    assert (g.value(dpo, DPV.hasContact) is None) == (law is None)  # the global text gives no way to reach its DPO
    if law is None:
        assert (dpo, PKO.statesContact, Literal(False)) in g
    retention = g.value(notice, DPV.hasStorageCondition)
    assert g.value(retention, DPV.hasDuration) == DPV.IndeterminateDuration
    assert len(list(g.objects(retention, PKO.hasRetentionCriterion))) >= 4


@pytest.mark.parametrize("version", sorted(NOTICES))
def test_legitimate_interest_rows_name_their_interests(compiled, version: str) -> None:
    g = compiled.version_data(version)
    li = {p for p in g.subjects(DPV.hasLegalBasis, EU_GDPR["A6-1-f"]) if (p, RDF.type, DPV.Process) in g}
    assert len(li) == NOTICES[version][4]
    assert all(list(g.objects(p, PKO.hasLegitimateInterest)) for p in li)
    assert li or NOTICES[version][4] == 0


@pytest.mark.parametrize("version", [v for v in sorted(NOTICES) if NOTICES[v][1] is None])
def test_a_notice_without_bases_records_what_it_does_not_state(compiled, version: str) -> None:
    """Every process of the global notice: no basis, audience or interest, and the three flags saying so."""
    g = compiled.version_data(version)
    processes = set(g.subjects(RDF.type, DPV.Process))
    assert len(processes) == NOTICES[version][0]
    for p in processes:
        for stated in (DPV.hasLegalBasis, DPV.hasDataSubject, PKO.hasLegitimateInterest, DPV.hasRight):
            assert g.value(p, stated) is None, (p, stated)
        for flag in (PKO.statesLegalBasis, PKO.statesAudience, PKO.statesLegitimateInterest):
            assert list(g.objects(p, flag)) == [Literal(False)], (p, flag)
            assert str(g.value(p, flag).datatype) == "http://www.w3.org/2001/XMLSchema#boolean"
        assert g.value(p, DPV.hasPurpose) is not None and g.value(p, PKO.hasQualifiedPersonalData) is not None


def test_notices_with_bases_carry_no_not_stated_flags(compiled) -> None:
    for version in (v for v in NOTICES if NOTICES[v][1] is not None):
        g = compiled.version_data(version)
        for flag in (PKO.statesLegalBasis, PKO.statesAudience, PKO.statesLegitimateInterest, PKO.statesApplicableLaw,
                     PKO.statesAuthority, PKO.statesContact):
            assert not list(g.subject_objects(flag)), (version, flag)

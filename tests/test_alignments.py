"""The local terms' DPV alignments (decision 18): each says why it holds, skos:broader only where DPV's definition
subsumes ours, every local concept still reaches its DPV family, and the alignments a review rejected stay fixed."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policykg.iris import PREFIXES, compact_iri
from policykg.namespaces import DPV, EU_GDPR, PKO
from policykg.sources.dpv import dpv_triples, is_dpv_iri

#: Properties that align a local term with another vocabulary's term (SKOS hierarchy and mappings, OWL/RDFS axioms).
ALIGNMENT_PROPERTIES = (SKOS.broader, SKOS.narrower, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch,
                        SKOS.narrowMatch, SKOS.related, SKOS.relatedMatch, RDFS.subClassOf, RDFS.subPropertyOf,
                        OWL.equivalentClass, OWL.equivalentProperty)
ONTOLOGY_IRI = URIRef("https://w3id.org/policykg/ontology")


def _curie(iri: str) -> str:
    return compact_iri(iri, PREFIXES)


def _dpv_alignments(onto: Graph, term: URIRef) -> set[URIRef]:
    return {o for p in ALIGNMENT_PROPERTIES for o in onto.objects(term, p) if isinstance(o, URIRef) and is_dpv_iri(str(o))}


def _local_terms(onto: Graph) -> set[URIRef]:
    return {s for s in onto.subjects(RDFS.isDefinedBy, ONTOLOGY_IRI) if isinstance(s, URIRef) and str(s).startswith(str(PKO))}


def _english(onto: Graph, term: URIRef, predicate: URIRef) -> list[str]:
    return [str(v) for v in onto.objects(term, predicate) if getattr(v, "language", None) == "en"]


@pytest.fixture(scope="module")
def broader(compiled, dpv_folder: Path) -> dict[str, set[str]]:
    """skos:broader edges of the ontology and of DPV 2.3 together, as IRI strings."""
    edges: dict[str, set[str]] = defaultdict(set)
    for s, o in compiled.ontology.subject_objects(SKOS.broader):
        edges[str(s)].add(str(o))
    for t in dpv_triples(dpv_folder):
        if t.predicate.value == str(SKOS.broader):
            edges[t.subject.value].add(t.object.value)
    return edges


def _ancestors(edges: dict[str, set[str]], term: str) -> set[str]:
    """Everything term reaches by skos:broader+ (what a query with skos:broader+ finds)."""
    seen: set[str] = set()
    todo = list(edges.get(term, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


def test_every_term_aligned_to_dpv_says_why(compiled) -> None:
    onto = compiled.ontology
    aligned = {t: _dpv_alignments(onto, t) for t in _local_terms(onto)}
    aligned = {t: targets for t, targets in aligned.items() if targets}
    assert len(aligned) > 110
    for term, targets in sorted(aligned.items()):
        notes = _english(onto, term, SKOS.scopeNote)
        assert len(notes) == 1, f"{_curie(str(term))} is aligned to DPV but has no (or several) English skos:scopeNote"
        unnamed = sorted(_curie(str(t)) for t in targets if _curie(str(t)) not in notes[0])
        assert not unnamed, f"{_curie(str(term))}: the scope note does not say why it is aligned to {unnamed}"


@pytest.mark.parametrize(("scheme", "family"), [
    ("InformationScheme", "PersonalData"),
    ("PurposeScheme", "Purpose"),
    ("AudienceScheme", "HumanSubject"),
    ("InterestScheme", "LegitimateInterest"),
    ("ProcessingScheme", "Processing"),
])
def test_every_local_concept_reaches_its_dpv_family_by_broader(compiled, broader, scheme: str, family: str) -> None:
    # Queries (cq21, cq22, cq03...) and readers walk skos:broader+ into DPV: a corrected alignment may move a concept
    # to a more general DPV parent, but never out of its family.
    concepts = set(compiled.ontology.subjects(SKOS.inScheme, PKO[scheme]))
    assert concepts
    lost = sorted(_curie(str(c)) for c in concepts if str(DPV[family]) not in _ancestors(broader, str(c)))
    assert not lost, f"these {scheme} concepts no longer reach dpv:{family} by skos:broader+: {lost}"


def test_items_under_a_special_category_are_typed_special_category(compiled, broader, dpv_folder: Path) -> None:
    # The special-category shapes and cq10 look for the dpv:SpecialCategoryPersonalData type; an item placed under a
    # DPV special category (pd:Religion, pd:Sexual, ...) must carry it, or they would miss it.
    special = str(DPV.SpecialCategoryPersonalData)
    dpv_special = {t.subject.value for t in dpv_triples(dpv_folder)
                   if t.predicate.value == str(RDF.type) and t.object.value == special} | {special}
    onto = compiled.ontology
    items = set(onto.subjects(SKOS.inScheme, PKO.InformationScheme))
    typed = {i for i in items if (i, RDF.type, DPV.SpecialCategoryPersonalData) in onto}
    under = {i for i in items if _ancestors(broader, str(i)) & dpv_special}
    assert under <= typed, f"under a DPV special category but not typed so: {sorted(map(str, under - typed))}"
    assert PKO.InformationWithSpecialProtections in under and len(typed) >= 8


def test_legal_compliance_only_where_the_law_obliges(primary_data, broader) -> None:
    # dpv:LegalCompliance is processing to fulfil a legal obligation (DPV: "typically used with Legal Obligation"):
    # a purpose under it must not sit on a row that rests on another basis, such as the legitimate-interest rows on
    # legal requests Meta answers where the law does not compel it.
    data = primary_data
    rows = [(p, purpose) for p, purpose in data.subject_objects(DPV.hasPurpose)
            if str(DPV.LegalCompliance) in _ancestors(broader, str(purpose)) | {str(purpose)}]
    assert rows, "no process pursues legal compliance any more (the legal-obligation row should)"
    for process, purpose in rows:
        assert set(data.objects(process, DPV.hasLegalBasis)) == {EU_GDPR["A6-1-c"]}, (process, purpose)


class Case(NamedTuple):
    term: str          #: the local term (pko: local name)
    rejected: str      #: the DPV term a review rejected as its parent: not reachable by skos:broader+ any more
    parent: str        #: a DPV term it must still fall under (skos:broader+)
    linked: str        #: how the rejected or a better term is still linked (skos:related or skos:closeMatch)


REVIEWED = [
    pytest.param(Case("AccountInformation", "pd:AccountIdentifier", "dpv:PersonalData", "pd:Identifier"),
                 id="account-information-is-not-a-financial-account-identifier"),
    pytest.param(Case("AIInteractions", "pd:Interaction", "pd:Communication", "pd:Interaction"),
                 id="ai-chats-are-communication-not-public-interaction"),
    pytest.param(Case("RespondingToLegalRequests", "dpv:LegalCompliance", "dpv:Purpose", "dpv:LegalCompliance"),
                 id="voluntary-legal-requests-are-not-legal-compliance"),
    pytest.param(Case("ProtectingVitalInterests", "dpv:ProtectionOfPublicSecurity", "dpv:Purpose", "dpv:VitalInterest"),
                 id="vital-interests-are-not-public-security"),
    pytest.param(Case("ProvidingMeasurementAndBusinessServices", "dpv:Advertising", "dpv:ServiceProvision",
                      "dpv:Advertising"),
                 id="measurement-services-are-not-advertising"),
]


def _iri(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return str(PREFIXES[prefix]) + local


@pytest.mark.parametrize("case", REVIEWED)
def test_reviewed_alignment_stays_corrected(compiled, broader, case: Case) -> None:
    onto = compiled.ontology
    term = PKO[case.term]
    reached = _ancestors(broader, str(term))
    assert _iri(case.rejected) not in reached, f"pko:{case.term} falls under {case.rejected} again"
    assert _iri(case.parent) in reached, f"pko:{case.term} no longer falls under {case.parent}"
    linked = set(onto.objects(term, SKOS.related)) | set(onto.objects(term, SKOS.closeMatch))
    assert URIRef(_iri(case.linked)) in linked, f"pko:{case.term} lost its link to {case.linked}"
    note = _english(onto, term, SKOS.scopeNote)
    assert note and case.rejected in note[0], f"pko:{case.term}: the scope note should say why not {case.rejected}"

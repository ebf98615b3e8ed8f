"""The GDPR basis -> rights table the build applies (policykg.encode.law) is DPV 2.3's, and processes carry the rights
the notice offers for their basis and the law attaches to it, with the exceptions the law makes, each with its
article: objection to direct marketing whatever the basis (Art. 21(2)-(3); in the UK targeted ads too), portability
only of data the person provided (Art. 20(1)), Art. 22 never by basis."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from policykg.encode.law import EXCEPTIONS, RIGHTS_BY_BASIS, ProcessFacts, carries, law_gives, rights_of
from policykg.namespaces import DPV, EU_GDPR, PKO


def test_the_table_is_dpvs(dpv_folder) -> None:
    stated: dict[str, set[str]] = {}
    for triple in ox.parse(path=str(dpv_folder / "eu-gdpr.ttl"), format=ox.RdfFormat.TURTLE):
        basis = triple.subject.value
        if triple.predicate.value == str(DPV.hasRight) and basis.startswith(str(EU_GDPR) + "A6-1-") \
                and basis[len(str(EU_GDPR)):] in RIGHTS_BY_BASIS:
            stated.setdefault(basis[len(str(EU_GDPR)):], set()).add(triple.object.value[len(str(EU_GDPR)):])
    assert stated == {k: set(v) for k, v in RIGHTS_BY_BASIS.items()}


@pytest.mark.parametrize(("right", "basis", "given"), [
    ("A17", "A6-1-c", False), ("A17", "A6-1-e", False), ("A17", "A6-1-f", True),   # Art. 17(3)(b)
    ("A20", "A6-1-a", True), ("A20", "A6-1-b", True), ("A20", "A6-1-f", False),    # Art. 20(1)(a)
    ("A21", "A6-1-e", True), ("A21", "A6-1-f", True), ("A21", "A6-1-a", False),    # Art. 21(1)
    ("A7-3", "A6-1-a", True), ("A7-3", "A6-1-b", False),
])
def test_law_gives(right: str, basis: str, given: bool) -> None:
    assert law_gives(str(EU_GDPR[right]), [str(EU_GDPR[basis])]) is given


def test_only_article_6_bases_have_a_row() -> None:
    assert rights_of(str(EU_GDPR["A9-2-a"])) is None and rights_of("https://example.invalid/x") is None


A20, A21, A22 = (str(EU_GDPR[r]) for r in ("A20", "A21", "A22"))
CONTRACT, CONSENT, LEGAL_OBLIGATION = (str(EU_GDPR[b]) for b in ("A6-1-b", "A6-1-a", "A6-1-c"))


@pytest.mark.parametrize(("right", "offered_for", "facts", "given"), [
    # Art. 22 concerns solely automated decisions, not a basis: DPV pairs it with contract, the law does not.
    (A22, [CONTRACT], ProcessFacts(), False),
    (A22, [], ProcessFacts(automated_decisions=True), True),
    # Art. 21(2)-(3): objection to direct marketing whatever the basis, where the notice offers the right at all.
    (A21, [], ProcessFacts(direct_marketing=True), True),
    (A21, [], ProcessFacts(), False),
    # Art. 20(1): portability of data the person provided, on consent or contract; not of partner data alone.
    (A20, [CONSENT], ProcessFacts(provided_data=False), False),
    (A20, [CONSENT], ProcessFacts(), True),
    (A20, [LEGAL_OBLIGATION], ProcessFacts(), False),
])
def test_carries_applies_the_exceptions(right: str, offered_for: list[str], facts: ProcessFacts, given: bool) -> None:
    assert carries(right, offered_for, True, facts) is given


def test_every_exception_names_its_article() -> None:
    assert {e.right for e in EXCEPTIONS} == {"A20", "A21", "A22"}
    assert all(e.article.startswith(f"Art. {e.right[1:]}") and e.depends_on for e in EXCEPTIONS)


def _carried(data, version_base: str, process: str) -> set[str]:
    return {str(r).rsplit("#", 1)[-1] for r in data.objects(URIRef(version_base + "process/" + process), DPV.hasRight)}


def test_the_rights_of_meta_rows_follow_the_exceptions(compiled) -> None:
    """UK June 2025: the rows that personalise ads on contract carry the right to object (Art. 21(2)-(3): the ICO
    counts targeted ads as direct marketing) though the notice offers it only for legitimate interests and public
    tasks; the consent row that tailors ads with partner data carries it too, and no portability (Art. 20(1): the
    data are partners', not the person's); no row carries Art. 22. EU December 2025: the contract row excludes ads
    ("other than ads"), so it does not carry objection."""
    june = compiled.registry.get("meta-uk-2025-06-16")
    data = compiled.version_data(june.name)
    assert "A21" in _carried(data, june.base, "contract-personalising") & _carried(data, june.base, "contract-providing-ads")
    assert {"A21", "A7-3"} <= _carried(data, june.base, "consent-partner-data-ads")
    assert "A20" not in _carried(data, june.base, "consent-partner-data-ads")
    assert "A20" in _carried(data, june.base, "consent-face-analysis")
    assert not any(o == EU_GDPR["A22"] for s, o in data.subject_objects(DPV.hasRight) if (s, RDF.type, DPV.Process) in data)
    eu = compiled.registry.get("meta-eu-2025-12-16")
    assert "A21" not in _carried(compiled.version_data(eu.name), eu.base, "contract-personalising")


def test_processes_carry_a_right_the_basis_withholds_only_by_an_exception(compiled) -> None:
    data = compiled.version_data(compiled.registry.primary)
    checked, by_exception = 0, 0
    for process in set(data.subjects(DPV.hasLegalBasis, None)):
        bases = [str(b) for b in data.objects(process, DPV.hasLegalBasis)]
        for right in data.objects(process, DPV.hasRight):
            checked += 1
            if not law_gives(str(right), bases):
                assert str(right) == A21, f"{process} carries {right}, which the law withholds for {bases}"
                by_exception += 1
    assert checked > 100 and by_exception == 3


def test_derived_biometric_data_keeps_its_modality(compiled) -> None:
    """"using face analysis which may include facial recognition technology if you select it": a possible use."""
    with_face_analysis = [v for v in compiled.registry.versions if v.jurisdiction in ("uk", "eu")]
    assert len(with_face_analysis) >= 4  # the global notice has no face-analysis row
    for version in with_face_analysis:
        data = compiled.version_data(version.name)
        node = URIRef(version.base + "process/consent-face-analysis/derived/facial-recognition-data")
        assert data.value(node, PKO.useModality) == PKO.PossibleUse, version.name

"""The GDPR basis -> rights table the build applies (policykg.encode.law) is DPV 2.3's, and processes carry exactly the
rights the notice offers for their basis and the law attaches to it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.encode.law import RIGHTS_BY_BASIS, law_gives, rights_of
from policykg.namespaces import DPV, EU_GDPR


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


def test_processes_never_carry_a_right_the_law_withholds(compiled) -> None:
    data = compiled.version_data(compiled.registry.primary)
    checked = 0
    for process in set(data.subjects(DPV.hasLegalBasis, None)):
        bases = [str(b) for b in data.objects(process, DPV.hasLegalBasis)]
        for right in data.objects(process, DPV.hasRight):
            assert law_gives(str(right), bases), f"{process} carries {right}, which the law withholds for {bases}"
            checked += 1
    assert checked > 100

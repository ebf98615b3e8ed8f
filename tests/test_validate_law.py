"""The law in force on a date: the same notice judged as of two dates cites different provisions, and a rule whose
provisions are not yet in force does not run. Each case says which change of the law it shows and where the date
comes from (shapes/provisions.ttl; decision 25)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policykg.validate.shacl import SHAPES_NS, Outcome, load_dpv_graph, validate_graph

JUNE, EU = "meta-uk-2025-06-16", "meta-eu-2025-12-16"


@pytest.fixture(scope="module")
def compiled(dpv_folder: Path):
    """The June 2025 UK notice and the December 2025 EU notice, compiled."""
    from policykg.build.pipeline import compile_graphs

    return compile_graphs(dpv_folder, versions=[JUNE, EU])


@pytest.fixture(scope="module")
def dpv_graph(dpv_folder: Path):
    """DPV 2.3 (the statements the shapes use)."""
    return load_dpv_graph(dpv_folder)


def judged(compiled, dpv_graph, name: str, day: date | None, sets=("gdpr", "eprivacy", "aadc", "dsa")) -> Outcome:
    """A version validated with the rules, as of a day (None: the date the notice records)."""
    return validate_graph([compiled.ontology, compiled.versions[name]], dpv_graph, list(sets), as_of=day)


def cited(outcome: Outcome, rule: str) -> set[str]:
    """The ids of what the findings of one rule cite."""
    return {p.id for f in outcome.findings if f.shape == SHAPES_NS + rule for p in f.provisions}


def test_the_notices_own_date_is_the_default(compiled, dpv_graph):
    outcome = judged(compiled, dpv_graph, JUNE, None)
    assert outcome.law_as_of and (outcome.law_as_of.day, outcome.law_as_of.source) == (date(2025, 6, 16), "notice")
    assert outcome.law == ("UK GDPR (with the Data Protection Act 2018, PECR and the ICO's Children's code) as in force "
                           "on 2025-06-16 (the date the notice records (dct:valid))")
    assert {f.law_as_of for f in outcome.findings} == {"2025-06-16"}


def test_uk_automated_decisions_art_22_before_and_arts_22a_22d_after_5_february_2026(compiled, dpv_graph):
    """The Data (Use and Access) Act 2025 s. 80 replaced UK GDPR Art. 22 by Arts. 22A-22D from 5 February 2026 (SI
    2026/82 reg. 2(j)); the ICO's updated guidance of 31 March 2026 is cited only from that day."""
    own = judged(compiled, dpv_graph, JUNE, date(2025, 6, 16))
    later = judged(compiled, dpv_graph, JUNE, date(2026, 3, 1))
    april = judged(compiled, dpv_graph, JUNE, date(2026, 4, 15))
    assert cited(own, "AutomatedDecisionsRule") == {"uk-gdpr-22", "uk-gdpr-13-2-f", "uk-gdpr-recital-71"}
    assert cited(later, "AutomatedDecisionsRule") == {"uk-gdpr-22a-22d", "uk-gdpr-13-2-f", "uk-gdpr-recital-71"}
    assert cited(april, "AutomatedDecisionsRule") == cited(later, "AutomatedDecisionsRule") | {"uk-ico-adm-guidance"}
    (finding,) = [f for f in later.findings if f.shape == SHAPES_NS + "AutomatedDecisionsRule"]
    assert finding.lead and finding.lead.label.startswith("UK GDPR Arts. 22A-22D") and finding.law_as_of == "2026-03-01"


def test_uk_recognised_legitimate_interests_and_pecr_from_5_february_2026(compiled, dpv_graph):
    """Art. 6(1)(ea) and Annex 1 (DUAA s. 70) and PECR reg. 6 with Sch. A1 (DUAA s. 112, Sch. 12) from 5 February
    2026; the ICO's statement that ads in Meta's standard terms are not in line with UK law (26 September 2025)."""
    own = judged(compiled, dpv_graph, JUNE, date(2025, 6, 16))
    later = judged(compiled, dpv_graph, JUNE, date(2026, 3, 1))
    assert "uk-gdpr-6-1-ea" not in cited(own, "PartnerDataAdsOnLegitimateInterestsRule")
    assert "uk-gdpr-6-1-ea" in cited(later, "PartnerDataAdsOnLegitimateInterestsRule")
    assert "uk-pecr-6" in cited(own, "CookiesForAdsRule") and "uk-pecr-6-2026" not in cited(own, "CookiesForAdsRule")
    assert "uk-pecr-6-2026" in cited(later, "CookiesForAdsRule") and "uk-pecr-6" not in cited(later, "CookiesForAdsRule")
    assert "uk-ico-meta-ads-2025" not in cited(own, "ContractAdvertisingRule")
    assert "uk-ico-meta-ads-2025" in cited(later, "ContractAdvertisingRule")
    assert "uk-gdpr-25-children" in cited(later, "ChildAdvertisingRule") - cited(own, "ChildAdvertisingRule")


def test_authorities_are_cited_only_from_their_date(compiled, dpv_graph):
    """Judged as of 1 June 2023, before C-252/21 (4 July 2023): the contract-ads finding rests on the EDPB's and the
    DPC's decisions of December 2022 only; the O'Carroll statement (22 March 2025) is not yet there either."""
    early = judged(compiled, dpv_graph, JUNE, date(2023, 6, 1), ["gdpr"])
    assert cited(early, "ContractAdvertisingRule") == {
        "uk-gdpr-6-1-b", "uk-edpb-bd-3-2022", "uk-edpb-bd-4-2022", "uk-ie-dpc-meta-2022"}
    assert "uk-ico-ocarroll-2025" not in cited(early, "DirectMarketingObjectionRule")
    assert "uk-ico-ocarroll-2025" in cited(judged(compiled, dpv_graph, JUNE, None, ["gdpr"]), "DirectMarketingObjectionRule")


def test_rules_do_not_run_before_their_law_applies(compiled, dpv_graph):
    """The Children's code: conformance expected from 2 September 2021. The UK GDPR as retained law: from 1 January
    2021 (before that the EU GDPR applied in the UK). DSA Art. 28: for Facebook and Instagram from 25 August 2023,
    for every online platform from 17 February 2024."""
    before_code = judged(compiled, dpv_graph, JUNE, date(2021, 6, 1), ["aadc"])
    assert before_code.findings == [] and judged(compiled, dpv_graph, JUNE, date(2021, 9, 2), ["aadc"]).findings
    assert judged(compiled, dpv_graph, JUNE, date(2020, 6, 1), ["gdpr"]).findings == []
    assert judged(compiled, dpv_graph, EU, date(2023, 6, 1), ["dsa"]).findings == []
    assert cited(judged(compiled, dpv_graph, EU, date(2023, 9, 1), ["dsa"]), "MinorProfilingAdsRule") == {"eu-dsa-28-2-vlop"}
    assert cited(judged(compiled, dpv_graph, EU, None, ["dsa"]), "MinorProfilingAdsRule") == {"eu-dsa-28-2"}


def test_the_eu_notice_never_cites_uk_law(compiled, dpv_graph):
    """No Art. 6(1)(ea), no Arts. 22A-22D, no ICO guidance for the EU notice, whatever the date."""
    outcome = judged(compiled, dpv_graph, EU, date(2026, 6, 1))
    ids = {p.id for f in outcome.findings for p in f.provisions}
    assert ids and all(i.startswith("eu-") for i in ids)
    assert "eu-gdpr-22" in cited(outcome, "AutomatedDecisionsRule")

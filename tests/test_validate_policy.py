"""The shapes and rules on each encoded version of Meta's policy, with the law in force on its effective date: the
encoding is complete (no completeness failure, so `policykg validate` exits 0), and the findings are pinned here
exactly per version, each with a one-line legal reason a lawyer would accept (the README's account is generated
from the same report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from policykg.text.capture import PolicyText
from policykg.validate.shacl import SHAPES_NS, Outcome, load_dpv_graph, validate_graph
from policykg.validate.versions import ValidationRun, identity

JUNE = "meta-uk-2025-06-16"
EU = "meta-eu-2025-12-16"
GLOBAL = ("meta-global-2022-07-26", "meta-global-2023-01-01", "meta-global-2023-06-15", "meta-global-2025-12-16",
          "meta-global-2026-07-23")
META = f"https://w3id.org/policykg/{JUNE}/"

#: What every UK version (14 Nov 2024, 7 Apr 2025, 16 Jun 2025) is found to say: (rule, focus) -> (verdict, reason).
UK: dict[tuple[str, str], tuple[str, str]] = {
    ("ContractAdvertisingRule", "process/contract-personalising"): (
        "conflicts-with", "ads personalised under the contract: Art. 6(1)(b) covers only what the contract objectively "
        "needs, and C-252/21 and EDPB BD 3/2022 and 4/2022 hold behavioural ads are not that"),
    ("ContractAdvertisingRule", "process/contract-providing-ads"): (
        "conflicts-with", "the ads row itself rests on the contract: same authorities, same conflict with Art. 6(1)(b)"),
    ("DirectMarketingObjectionRule", "statement/objection-assessment"): (
        "conflicts-with", "the notice weighs every objection against Meta's compelling grounds, direct marketing "
        "included; Art. 21(3) says objection to direct marketing must always stop it"),
    ("AdsObjectionNotOfferedRule", "right/object"): (
        "does-not-state", "objection is offered only for legitimate interests and public tasks, not for the ads rows "
        "on contract; targeted ads are direct marketing (ICO), objectionable whatever the basis (Art. 21(2), (4))"),
    ("RestrictionForEveryBasisShape", "right/restrict"): (
        "does-not-state", "restriction is offered only for legitimate interests and public tasks; Art. 18(1)(a)-(c) "
        "give it whatever the basis, so Art. 13(2)(b) is not met for consent, contract, legal obligation, vital interests"),
    ("SpecialCategoryConditionRule", "process/consent-face-analysis"): (
        "does-not-state", "face analysis may use facial recognition, biometric data to identify a person (Art. 9(1)); "
        "the row states consent, not explicit consent or another Art. 9(2) condition (Art. 9(2)(a), 13(1)(c))"),
    ("MarketingEmailNonUsersRule", "process/non-user-marketing-communications"): (
        "does-not-state", "marketing e-mail to people with no account on legitimate interests: PECR reg. 22 asks "
        "consent, the soft opt-in needs a sale or negotiations, and the notice states neither"),
    ("MarketingEmailUsersRule", "process/li-marketing-communications"): (
        "check", "marketing e-mail to members on legitimate interests 'depending on your settings': consent or the "
        "soft opt-in may be given by those settings, which the notice does not describe"),
    ("PartnerDataAdsOnLegitimateInterestsRule", "process/li-audience-network-ads"): (
        "check", "Audience Network ads on legitimate interests list partner data, while another row puts tailoring "
        "ads with partner data on consent (C-252/21; basis per use unclear, Art. 13(1)(c))"),
    ("PartnerDataAdsOnLegitimateInterestsRule", "process/li-business-list-ads"): (
        "check", "business-list ads on legitimate interests use partner data: same question"),
    ("OffPlatformAdsSpecialCategoryRule", "process/consent-partner-data-ads"): (
        "check", "partner data about activity elsewhere can reveal special categories (C-252/21); no Art. 9(2) "
        "condition and no exclusion of special categories on this row"),
    ("OffPlatformAdsSpecialCategoryRule", "process/li-audience-network-ads"): (
        "check", "Audience Network ads use partner data with no Art. 9(2) condition or special-category exclusion"),
    ("OffPlatformAdsSpecialCategoryRule", "process/li-business-list-ads"): (
        "check", "a business's customer list for ads: partner data, no Art. 9(2) condition or exclusion"),
    ("AdsMinimisationRule", "process/contract-personalising"): (
        "check", "ads from every kind of data with retention only as criteria: C-446/21 precludes using all data "
        "without limit of type or time for ads (Art. 5(1)(c), (e))"),
    ("AdsMinimisationRule", "process/li-minors-personalising"): (
        "check", "under-18s' data of three categories for ads, retention as criteria (C-446/21, Art. 5(1)(c), (e))"),
    ("AdsMinimisationRule", "process/li-audience-network-ads"): (
        "check", "Audience Network ads from three categories of data, retention as criteria (C-446/21)"),
    ("AutomatedDecisionsRule", "notice"): (
        "check", "automated removal of content and accounts, and profiling of under-18s, with nothing on decisions "
        "based solely on automated processing (Art. 13(2)(f), Art. 22; Recital 71)"),
    ("UKRepresentativeRule", "controller/meta-platforms-inc"): (
        "check", "the controller is Meta Platforms, Inc. (US) and no UK representative is named: needed if Art. 3(2) "
        "applies (Art. 27(1), 13(1)(a)), which depends on Meta's UK establishments"),
    ("CookiesForAdsRule", "process/contract-personalising"): (
        "check", "cookie information for ads on a basis other than consent: PECR reg. 6 asks consent unless strictly "
        "necessary; a cookies policy outside the notice may give it"),
    ("CookiesForAdsRule", "process/li-minors-personalising"): (
        "check", "cookie information for under-18s' ads on legitimate interests: PECR reg. 6 asks consent"),
    ("CookiesForAdsRule", "process/li-audience-network-ads"): (
        "check", "cookie information for Audience Network ads on legitimate interests: PECR reg. 6 asks consent"),
    ("CookiesForAdsRule", "process/li-measurement-analytics-business-services"): (
        "check", "cookie information for measurement for businesses on legitimate interests: PECR reg. 6 asks consent"),
    ("RetentionPeriodShape", "retention"): (
        "check", "retention given as criteria only; Art. 13(2)(a) allows criteria where a period is not possible"),
    ("TransferPageNotCapturedShape", "transfer-safeguards"): (
        "check", "the notice refers to a page not captured for transfer safeguards: nothing rests on its text"),
    ("ChildGeolocationRule", "process/li-minors-personalising"): (
        "check", "GPS location listed for under-18s: Children's code standard 10 expects it off by default"),
    ("ChildProfilingByDefaultRule", "process/li-minors-personalising"): (
        "check", "profiling under-18s on legitimate interests runs by default (Children's code standards 7, 12)"),
    ("ChildProfilingByDefaultRule", "process/li-minors-providing-and-improving"): (
        "check", "under-18s profiled to provide and improve the products, by default (standards 7, 12)"),
    ("ChildProfilingByDefaultRule", "process/li-audience-network-ads"): (
        "check", "all registered users, under-18s included, profiled for Audience Network ads by default"),
    ("ChildAdvertisingRule", "process/li-minors-personalising"): (
        "check", "under-18s' data for ads or marketing by default (Children's code standards 5, 12)"),
    ("ChildAdvertisingRule", "process/li-audience-network-ads"): (
        "check", "all registered users' data, under-18s included, for Audience Network ads by default"),
    ("ChildAdvertisingRule", "process/li-business-list-ads"): (
        "check", "all registered users' data, under-18s included, for business-list ads by default"),
    ("ChildAdvertisingRule", "process/li-marketing-communications"): (
        "check", "all registered users' data, under-18s included, for Meta's own marketing by default"),
    **{("ChildConsentUKRule", f"process/{row}"): (
        "check", "consent rows for all users: under 13s need a parent's consent or authorisation (UK GDPR Art. 8(1))")
       for row in ("consent-special-protections", "consent-partner-data-ads", "consent-sharing-on-request",
                   "consent-device-based-settings", "consent-face-analysis")},
}
#: June 2025 adds a WhatsApp consent row and AI development on all registered users' data.
JUNE_ONLY = {
    ("ChildConsentUKRule", "process/consent-whatsapp-accounts-center"): (
        "check", "a new consent row for all users: UK GDPR Art. 8(1) as above"),
    ("ChildAITrainingRule", "process/li-ai-development"): (
        "check", "AI developed on all registered users' data, under-18s included, on legitimate interests "
        "(Children's code standards 8, 5)"),
}
#: The EU notice of 16 December 2025: ads rest on consent, so no contract-ads or partner-data-on-LI finding.
EU_FINDINGS = {
    ("DirectMarketingObjectionRule", "statement/objection-assessment"): (
        "conflicts-with", "objection to the marketing rows on legitimate interests is weighed against compelling "
        "grounds; GDPR Art. 21(3) says it must stop"),
    ("RestrictionForEveryBasisShape", "right/restrict"): (
        "does-not-state", "restriction offered for legitimate interests and public tasks only (Art. 18(1), 13(2)(b))"),
    ("SpecialCategoryConditionRule", "process/consent-face-analysis"): (
        "does-not-state", "face analysis on consent with no Art. 9(2) condition stated (Art. 9(2)(a), 13(1)(c))"),
    ("MarketingEmailNonUsersRule", "process/non-user-marketing-communications"): (
        "does-not-state", "marketing e-mail to people with no account on legitimate interests: S.I. 336/2011 reg. 13 "
        "(ePrivacy Art. 13) asks consent"),
    ("MarketingEmailUsersRule", "process/li-marketing-communications"): (
        "check", "marketing e-mail to members on legitimate interests: reg. 13 asks consent unless the customer exception applies"),
    ("ConsentAdsAlternativeRule", "notice"): (
        "check", "ads only on consent and no alternative described: consent freely given only with an equivalent "
        "alternative (C-252/21; EDPB Opinion 08/2024)"),
    ("OffPlatformAdsSpecialCategoryRule", "process/consent-partner-data-ads"): (
        "check", "partner data for ads, no Art. 9(2) condition (C-252/21, C-446/21)"),
    ("AdsMinimisationRule", "process/consent-personalising-ads"): (
        "check", "ads from every kind of data, retention as criteria: consent does not lift Art. 5(1)(c) (C-446/21)"),
    ("AutomatedDecisionsRule", "notice"): (
        "check", "automated removal and profiling of under-18s, nothing on solely automated decisions (Art. 13(2)(f), 22)"),
    ("CookiesForAdsRule", "process/li-measurement-analytics-partners"): (
        "check", "cookie information for measurement on legitimate interests: S.I. 336/2011 reg. 5 asks consent"),
    ("CookiesForAdsRule", "process/li-measurement-analytics-business-services"): (
        "check", "cookie information for measurement for businesses on legitimate interests: reg. 5 asks consent"),
    ("RetentionPeriodShape", "retention"): (
        "check", "retention as criteria only; Art. 13(2)(a) allows that only where a period is not possible"),
    ("TransferPageNotCapturedShape", "transfer-safeguards"): (
        "check", "transfer safeguards on a separate page the capture lacks: nothing rests on its text"),
    ("MinorGeolocationRule", "process/li-minors-personalising"): (
        "check", "GPS location for under-18s: DSA Art. 28(1) asks a high level of privacy for minors"),
    ("MinorProfilingAdsRule", "process/consent-personalising-ads"): (
        "check", "ads based on profiling for all users, minors included: DSA Art. 28(2) bars them for known minors"),
    ("MinorProfilingAdsRule", "process/consent-partner-data-ads"): (
        "check", "partner-data ads with profiling for all users, minors included: DSA Art. 28(2)"),
    **{("ChildConsentEURule", f"process/{row}"): (
        "check", "consent rows for all users: under 16s (or a member state's age) need a parent (GDPR Art. 8(1))")
       for row in ("consent-special-protections", "consent-personalising-ads", "consent-whatsapp-accounts-center",
                   "consent-partner-data-ads", "consent-sharing-on-request", "consent-device-based-settings",
                   "consent-face-analysis")},
}
EXPECTED = {
    "meta-uk-2024-11-14": UK,
    "meta-uk-2025-04-07": UK,
    JUNE: {**UK, **JUNE_ONLY},
    EU: EU_FINDINGS,
    # The global notice states no applicable law: no GDPR, PECR, Children's code or DSA rule runs on it (each
    # report says so), and the shapes it is complete by find nothing to add.
    **{name: {} for name in GLOBAL},
}


def found(run: ValidationRun, name: str) -> dict[tuple[str, str], str]:
    """(rule, focus with the version's namespace stripped) -> verdict, for one validated version."""
    result = next(r for r in run.results if r.name == name)
    return {(f.shape.removeprefix(SHAPES_NS), identity(f, result.version)[1]): f.verdict or f.kind
            for f in result.outcome.findings}


def test_every_reason_is_stated():
    assert all(verdict and len(reason) > 20 for table in EXPECTED.values() for verdict, reason in table.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_findings_per_version_are_pinned(every_version: ValidationRun, name: str):
    assert found(every_version, name) == {key: verdict for key, (verdict, _reason) in EXPECTED[name].items()}


def test_every_version_is_complete_and_judged_by_its_own_date(every_version: ValidationRun):
    assert every_version.complete
    assert {r.name for r in every_version.results} == set(EXPECTED)
    for result in every_version.results:
        assert result.outcome.complete, result.name
        if result.jurisdiction == "global":  # no regime: said, never "conforms" by omission
            assert result.outcome.law is None and result.outcome.findings == []
            assert [n for n in result.outcome.not_assessed if "not assessed against the UK GDPR / EU GDPR / DSA" in n]
            continue
        assert not result.outcome.not_assessed, result.name
        assert result.version and result.outcome.law_as_of
        assert result.outcome.law_as_of.day == result.version.effective, result.name
        expected = "UK GDPR" if result.jurisdiction == "uk" else "EU GDPR"
        assert result.outcome.law and result.outcome.law.startswith(expected), result.name
        assert f"as in force on {result.version.effective.isoformat()}" in result.outcome.law


def test_the_behavioural_advertising_case_law_fires_on_uk_contract_rows_only(every_version: ValidationRun):
    """C-252/21, EDPB BD 3/2022 and 4/2022 and the DPC's decisions: cited on the UK rows that rest ads on the contract,
    persuasive there (judgments and EU acts after 31 December 2020); the EU notice moved ads to consent."""
    for result in every_version.results:
        ads = [f for f in result.outcome.findings if f.shape == SHAPES_NS + "ContractAdvertisingRule"]
        if result.jurisdiction != "uk":
            assert ads == []
            continue
        assert {f.focus.rsplit("/", 1)[-1] for f in ads} == {"contract-personalising", "contract-providing-ads"}
        for f in ads:
            cited = {p.id: p for p in f.provisions}
            assert cited["uk-gdpr-6-1-b"].weight == "binding" and cited["uk-gdpr-6-1-b"].role == "applies"
            for case in ("uk-cjeu-c-252-21", "uk-edpb-bd-3-2022", "uk-edpb-bd-4-2022", "uk-ie-dpc-meta-2022"):
                assert cited[case].weight == "persuasive" and cited[case].role == "supports", case
            assert "uk-ico-meta-ads-2025" not in cited  # the ICO's statement of 26 September 2025 came later


def test_the_face_analysis_row_has_one_does_not_state_finding(every_version: ValidationRun):
    for result in (r for r in every_version.results if r.jurisdiction in ("uk", "eu")):  # no such row in the global text
        on_row = [f for f in result.outcome.findings if f.focus.endswith("/process/consent-face-analysis")]
        stated = [f for f in on_row if f.verdict == "does-not-state"]
        assert len(stated) == 1 and all(f.kind == "finding" for f in on_row), result.name
        (finding,) = stated
        prefix = "uk" if result.jurisdiction == "uk" else "eu"
        applied = {p.id for p in finding.provisions if p.role == "applies"}
        assert applied == {f"{prefix}-gdpr-9-2-a", f"{prefix}-gdpr-13-1-c"}
        assert "may use" in finding.message  # the derived biometric data is a possible use
        (derived,) = finding.evidence
        assert derived.iri.endswith("/derived/facial-recognition-data")


def test_every_finding_carries_kind_verdict_law_and_dated_weighed_provisions(every_version: ValidationRun):
    from policykg.validate.render import render

    document = json.loads(render(every_version, "json"))
    assert document["complete"] is True and len(document["findings"]) > 100
    for f in document["findings"]:
        assert f["kind"] == "finding" and f["verdict"] in ("conflicts-with", "does-not-state", "check")
        assert f["law_as_of"] == next(v["effective"] for v in document["versions"] if v["name"] == f["version"])
        assert f["provisions"], f["shape"]
        for p in f["provisions"]:
            assert set(p["in_force"]) == {"from", "to"} and p["in_force"]["from"] <= f["law_as_of"]
            assert p["in_force"]["to"] is None or f["law_as_of"] <= p["in_force"]["to"]
            assert p["authority"] in ("legislation", "judgment", "decision", "guidance")
            assert p["weight"] in ("binding", "persuasive", "guidance") and p["label"]
            assert p["jurisdiction"] == f["jurisdiction"]


def test_no_finding_rests_on_text_the_capture_lacks(every_version: ValidationRun):
    """The transfer safeguards link to a page the capture does not hold: the finding says so and quotes only the
    link in the captured text."""
    for result in (r for r in every_version.results if r.jurisdiction in ("uk", "eu")):
        (transfer,) = [f for f in result.outcome.findings if "Transfer" in f.shape]
        assert transfer.shape == SHAPES_NS + "TransferPageNotCapturedShape" and transfer.verdict == "check"
        assert "refers to a page not captured" in transfer.message


def test_the_eu_minors_row_no_longer_rests_on_ads(compiled):
    """The EU text of the minors' personalisation row lists features, content and suggestions, not 'Personalise the
    ads people see' (the UK row's words): no advertising purpose is drawn from it."""
    from rdflib import URIRef

    from policykg.namespaces import DPV, PKO

    eu = compiled.registry.get(EU)
    data = compiled.version_data(EU)
    purposes = set(data.objects(URIRef(eu.base + "process/li-minors-personalising"), DPV.hasPurpose))
    assert purposes == {PKO.PersonalisingMetaProducts}
    june = compiled.registry.get(JUNE)
    assert PKO.ProvidingAds in set(compiled.version_data(JUNE).objects(
        URIRef(june.base + "process/li-minors-personalising"), DPV.hasPurpose))


def test_changes_between_versions_are_listed(every_version: ValidationRun):
    changes = {(c.old, c.new): c for c in every_version.changes}
    assert set(changes) == {("meta-uk-2024-11-14", "meta-uk-2025-04-07"), ("meta-uk-2025-04-07", JUNE),
                            *zip(GLOBAL, GLOBAL[1:], strict=False)}
    assert all(not c.appeared and not c.disappeared for (old, _), c in changes.items() if old in GLOBAL)
    assert changes[("meta-uk-2024-11-14", "meta-uk-2025-04-07")].appeared == ()
    june = changes[("meta-uk-2025-04-07", JUNE)]
    version = next(r.version for r in every_version.results if r.name == JUNE)
    assert {identity(f, version) for f in june.appeared} == {
        (SHAPES_NS + rule, focus) for rule, focus in JUNE_ONLY}
    assert june.disappeared == ()


@pytest.fixture(scope="module")
def june(dpv_folder: Path):
    """The June 2025 version compiled on its own, with its text when found."""
    from policykg.build.pipeline import compile_graphs

    return compile_graphs(dpv_folder, versions=[JUNE])


@pytest.fixture(scope="module")
def dpv_graph(dpv_folder: Path):
    """DPV 2.3 (the statements the shapes use)."""
    return load_dpv_graph(dpv_folder)


@pytest.fixture(scope="module")
def outcome(june, dpv_graph) -> Outcome:
    """Every shape and rule on ontology + the June data, with the policy text (law as of the notice's own date)."""
    if JUNE not in june.texts:
        pytest.skip("the June 2025 policy text was not found")
    return validate_graph([june.ontology, june.versions[JUNE]], dpv_graph, None, june.texts[JUNE])


def test_findings_quote_the_policy_where_they_rest_on_it(outcome: Outcome, june):
    from policykg.validate.report import rests_on

    text = june.texts[JUNE].text
    assert outcome.source_text_checked and outcome.law_as_of and outcome.law_as_of.source == "notice"
    for finding in outcome.findings:
        spans = rests_on(finding)
        assert spans, f"{finding.shape} on {finding.focus} rests on no span"
        for _owner, span in spans:
            assert span.text == text[span.start:span.end]
            assert span.scope and span.scope.startswith("https://")


def test_rules_of_the_other_jurisdiction_on_the_june_data_moved_to_the_eu(june, dpv_graph):
    """The same data with the EU's applicable law: no UK-only rule fires (Children's code, UK Art. 8, UK
    representative, targeted ads as direct marketing), the EU's Art. 8 and the DSA's Art. 28 do."""
    from collections import Counter

    from policykg.namespaces import LEGAL_EU, LEGAL_GB

    moved = Graph()
    for s, p, o in june.versions[JUNE]:
        moved.add((s, p, LEGAL_EU["law-GDPR"] if o == LEGAL_GB["law-GDPR"] else o))
    result = validate_graph([june.ontology, moved], dpv_graph, ["gdpr", "aadc", "dsa"])
    counts = Counter(f.shape.removeprefix(SHAPES_NS) for f in result.findings)
    assert not {"ChildConsentUKRule", "ChildProfilingByDefaultRule", "ChildAdvertisingRule", "ChildAITrainingRule",
                "ChildGeolocationRule", "UKRepresentativeRule", "AdsObjectionNotOfferedRule"} & set(counts)
    assert counts["ChildConsentEURule"] == 6 and counts["MinorGeolocationRule"] == 1
    assert {f.focus.removeprefix(META + "process/") for f in result.findings
            if f.shape == SHAPES_NS + "MinorProfilingAdsRule"} == {
        "consent-partner-data-ads", "li-minors-personalising", "li-audience-network-ads"}
    assert all(p.jurisdiction == "eu" for f in result.findings for p in f.provisions)


def test_without_the_policy_text_spans_are_offsets_only(june, dpv_graph):
    result = validate_graph([june.ontology, june.versions[JUNE]], dpv_graph, ["transparency"])
    assert not result.source_text_checked
    assert all(span.text is None and span.end > span.start for f in result.findings for span in f.spans)


def test_a_text_with_another_checksum_is_not_quoted(june, dpv_graph, tmp_path: Path):
    if JUNE not in june.texts:
        pytest.skip("the June 2025 policy text was not found")
    real = june.texts[JUNE]
    wrong = PolicyText(tmp_path / "other.txt", real.text + " ", "0" * 64)
    result = validate_graph([june.ontology, june.versions[JUNE]], dpv_graph, ["transparency"], wrong)
    assert not result.source_text_checked
    assert result.notes and "sha256" in result.notes[0]
    assert all(span.text is None for f in result.findings for span in f.spans)


def test_an_encoding_defect_is_caught(june, dpv_graph):
    """Sanity check on the real graph: drop one process's legal basis and the completeness shape fires there, and
    only there: the encoding is then incomplete (exit 1)."""
    from rdflib import URIRef

    data = Graph()
    data += june.versions[JUNE]
    process = URIRef(META + "process/li-anonymising")
    data.remove((process, URIRef("https://w3id.org/dpv#hasLegalBasis"), None))
    result = validate_graph([june.ontology, data], dpv_graph, ["completeness"])
    assert {(f.shape, f.focus, f.kind) for f in result.findings} == {
        (SHAPES_NS + "ProcessHasLegalBasisShape", str(process), "completeness")}
    assert not result.complete


# ---- README.md's account of the findings (between <!-- findings:start --> and <!-- findings:end -->) is this report,
# as `policykg validate --format markdown` gives it; `python -m policykg.validate.readme` rewrites it. Here, beside the
# other users of the every_version run, so a parallel run makes that run once. ----

def test_readme_findings_match_the_report(every_version) -> None:
    from policykg.sources.versions import load_registry, locate_text
    from policykg.validate.readme import START, current_block, readme_path
    from policykg.validate.render import render

    june = load_registry().get("meta-uk-2025-06-16")
    if locate_text(june) is None:
        pytest.skip("the June 2025 policy text was not found (the block quotes its spans' offsets)")
    block = render(every_version, "markdown")  # what findings_markdown() writes
    current = current_block(readme_path().read_text(encoding="utf-8"))
    assert current is not None, f"README.md has no {START} block; add one and run python -m policykg.validate.readme"
    assert current == block, "README findings are stale: run python -m policykg.validate.readme; it should read:\n" + block


def test_replace_block_keeps_the_rest() -> None:
    from policykg.errors import PolicyKGError
    from policykg.validate.readme import START, replace_block

    readme = f"intro\n{START}\nold\n<!-- findings:end -->\noutro\n"
    assert replace_block(readme, "new\n") == f"intro\n{START}\nnew\n<!-- findings:end -->\noutro\n"
    with pytest.raises(PolicyKGError, match="no <!-- findings:start -->"):
        replace_block("no markers here\n", "new\n")

"""The shapes and rules on each encoded version of Meta's policy: structure and completeness hold; the
transparency, rights and rule findings are what the policy leaves out, says vaguely or does that the law asks a
person to weigh, pinned here exactly per version (the README's account is generated from the same report)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

from policykg.text.capture import PolicyText
from policykg.validate.shacl import SHAPES_NS, Outcome, load_dpv_graph, validate_graph
from policykg.validate.versions import ValidationRun

JUNE = "meta-uk-2025-06-16"
META = f"https://w3id.org/policykg/{JUNE}/"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"

#: Notice-level transparency findings: (shape, focus, severity).
TRANSPARENCY = {
    ("AutomatedDecisionMakingShape", "notice", "Warning"),  # nothing on Art. 22 decisions
    ("RetentionPeriodShape", "retention", "Warning"),  # criteria, no period
    ("TransferMechanismShape", "transfer-safeguards", "Warning"),  # safeguards named, mechanism not
    ("TransferDestinationsShape", "section/transfers", "Info"),  # no destination countries
}

#: Processes whose basis carries the right to restriction (Art. 18) that the notice offers only for
#: legitimate interests and public-interest tasks: consent, contract, legal obligation, vital interests.
NO_RESTRICTION = {
    "consent-device-based-settings", "consent-face-analysis", "consent-partner-data-ads",
    "consent-sharing-on-request", "consent-special-protections", "consent-whatsapp-accounts-center",
    "contract-communicating", "contract-global-transfers", "contract-personalising", "contract-providing-ads",
    "contract-providing-and-improving", "contract-safety-integrity-security", "legal-obligation", "vital-interests",
}

#: Processes whose basis carries the Art. 22 right on automated decisions, which the notice never mentions
#: (every process but the legal-obligation one: GDPR attaches no Art. 22 right to Art. 6(1)(c)).
NO_AUTOMATED_DECISION_RIGHT = {
    "consent-device-based-settings", "consent-face-analysis", "consent-partner-data-ads",
    "consent-sharing-on-request", "consent-special-protections", "consent-whatsapp-accounts-center",
    "contract-communicating", "contract-global-transfers", "contract-personalising", "contract-providing-ads",
    "contract-providing-and-improving", "contract-safety-integrity-security",
    "li-adults-ai-development", "li-ai-development", "li-anonymising", "li-audience-network-ads",
    "li-business-intelligence", "li-business-list-ads", "li-cross-product-experiences",
    "li-law-enforcement-legal-requests", "li-marketing-communications",
    "li-measurement-analytics-business-services", "li-minors-communicating", "li-minors-personalising",
    "li-minors-providing-and-improving", "li-minors-safety-integrity-security", "li-research-social-good",
    "li-safety-outside-contract", "li-sharing-with-partners-on-request", "non-user-ai-development",
    "non-user-law-enforcement-legal-requests", "non-user-marketing-communications",
    "non-user-product-improvement", "non-user-research-social-good", "non-user-safety-integrity-security",
    "public-interest-research", "public-interest-safety-integrity-security", "vital-interests",
}


#: Consent processes, whose audience (product users) reaches people under 18.
MINORS_CONSENT = {
    "consent-special-protections", "consent-whatsapp-accounts-center", "consent-partner-data-ads",
    "consent-sharing-on-request", "consent-device-based-settings", "consent-face-analysis",
}

#: The rule findings on the June 2025 UK text: rule -> {(process, audience or None)}.
RULES = {
    # Art. 6(1)(f) finds nothing: the text states how minors' interests weigh in the balancing (characters
    # 106824-107315), encoded as a balancing test for under-18s (statement minors-balancing), which the rule reads.
    # Art. 8 / DPA 2018 s. 9: consent rows for all users, nothing on younger users' consent or age checks.
    "ChildConsentUKRule": {(p, "pko:ProductUser") for p in MINORS_CONSENT},
    # Art. 9(2): face analysis derives biometric data (pd:FacialPrint) and rests on consent with no Art. 9(2)
    # condition stated.
    "SpecialCategoryConditionRule": {("consent-face-analysis", None)},
    # Art. 21(2)-(3): objection offered only in general terms, subject to Meta's compelling grounds.
    "DirectMarketingObjectionRule": {("li-marketing-communications", None), ("non-user-marketing-communications", None)},
    # Art. 22(1) and Recital 71: profiling that reaches children, no human involvement stated, no Art. 22 right.
    "ChildProfilingDecisionRule": {("consent-partner-data-ads", "pko:ProductUser"),
                                   ("li-minors-personalising", "pko:RegisteredUserUnderAgeOfMajority"),
                                   ("li-audience-network-ads", "pko:RegisteredUser")},
    # Children's Code standards 7 and 12: profiling of children on legitimate interests (on by default).
    "ChildProfilingByDefaultRule": {("li-minors-personalising", "pko:RegisteredUserUnderAgeOfMajority"),
                                    ("li-minors-providing-and-improving", "pko:RegisteredUserUnderAgeOfMajority"),
                                    ("li-audience-network-ads", "pko:RegisteredUser")},
    # Children's Code standards 5 and 12: advertising and marketing purposes for children on legitimate interests.
    "ChildAdvertisingRule": {("li-minors-personalising", "pko:RegisteredUserUnderAgeOfMajority"),
                             ("li-audience-network-ads", "pko:RegisteredUser"),
                             ("li-business-list-ads", "pko:RegisteredUser"),
                             ("li-marketing-communications", "pko:RegisteredUser")},
    # Children's Code standards 8 and 5: AI development on all registered users' data, on legitimate interests.
    "ChildAITrainingRule": {("li-ai-development", "pko:RegisteredUser")},
}

#: Findings per shape or rule in every encoded version (README: the same report, as Markdown). In every version
#: the one violation is completeness's Art. 9(2) check on face analysis, whose derived biometric data
#: (pko:FacialRecognitionData under pd:FacialPrint) has no Art. 9(2) condition among the row's bases.
_NOTICE_LEVEL = {"AutomatedDecisionMakingShape": 1, "RetentionPeriodShape": 1, "TransferDestinationsShape": 1,
                 "TransferMechanismShape": 1, "RightOfferedBeyondTheLawShape": 2, "SpecialCategoryBasisShape": 1,
                 "SpecialCategoryConditionRule": 1, "DirectMarketingObjectionRule": 2, "ChildProfilingDecisionRule": 3}
_UK_BEFORE_JUNE = {**_NOTICE_LEVEL, "RightsForLegalBasisShape": 48,
                   "ChildConsentUKRule": 5, "ChildAdvertisingRule": 4, "ChildProfilingByDefaultRule": 3}
COUNTS = {
    "meta-uk-2024-11-14": _UK_BEFORE_JUNE,
    "meta-uk-2025-04-07": _UK_BEFORE_JUNE,
    JUNE: {**_NOTICE_LEVEL, **{rule: len(found) for rule, found in RULES.items()}, "RightsForLegalBasisShape": 52},
    "meta-eu-2025-12-16": {**_NOTICE_LEVEL, "RightsForLegalBasisShape": 52,
                           "ChildConsentEURule": 7, "MinorProfilingAdsRule": 3},
}
KNOWN_VIOLATION = ("SpecialCategoryBasisShape", "process/consent-face-analysis")


def test_findings_per_version_are_pinned(every_version: ValidationRun):
    from collections import Counter

    found = {r.name: dict(Counter(f.shape.removeprefix(SHAPES_NS) for f in r.outcome.findings))
             for r in every_version.results}
    assert found == COUNTS
    assert {r.name: r.jurisdiction for r in every_version.results} == {
        name: "eu" if "-eu-" in name else "uk" for name in COUNTS}


def test_structure_holds_and_completeness_has_one_known_violation(every_version: ValidationRun):
    for result in every_version.results:
        base = result.version.base if result.version else ""
        problems = {(f.shape.removeprefix(SHAPES_NS), f.focus.removeprefix(base)) for f in result.outcome.findings
                    if f.concern in ("structure", "completeness") or f.severity == "Violation"}
        assert problems == {KNOWN_VIOLATION}, result.name


def test_changes_between_versions_are_listed(every_version: ValidationRun):
    from policykg.validate.versions import identity

    changes = {(c.old, c.new): c for c in every_version.changes}
    assert set(changes) == {("meta-uk-2024-11-14", "meta-uk-2025-04-07"), ("meta-uk-2025-04-07", JUNE)}
    june = changes[("meta-uk-2025-04-07", JUNE)]
    version = every_version.results[[r.name for r in every_version.results].index(JUNE)].version
    assert {identity(f, version)[:2] for f in june.appeared if f.rule} == {
        (SHAPES_NS + "ChildConsentUKRule", "process/consent-whatsapp-accounts-center"),
        (SHAPES_NS + "ChildAITrainingRule", "process/li-ai-development")}
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
    """Every shape and rule on ontology + the June data, with the policy text."""
    if JUNE not in june.texts:
        pytest.skip("the June 2025 policy text was not found")
    return validate_graph([june.ontology, june.versions[JUNE]], dpv_graph, None, june.texts[JUNE])


def test_transparency_findings_are_pinned(outcome: Outcome):
    found = {(f.shape, f.focus, f.severity) for f in outcome.findings if f.concern == "transparency"}
    assert found == {(SHAPES_NS + shape, META + focus, sev) for shape, focus, sev in TRANSPARENCY}


def test_rights_findings_are_pinned(outcome: Outcome):
    shape = SHAPES_NS + "RightsForLegalBasisShape"
    found = {(f.shape, f.focus, f.value) for f in outcome.findings if f.shape == shape}
    expected = ({(shape, META + "process/" + p, GDPR + "A18") for p in NO_RESTRICTION}
                | {(shape, META + "process/" + p, GDPR + "A22") for p in NO_AUTOMATED_DECISION_RIGHT})
    assert found == expected
    assert {f.severity for f in outcome.findings if f.shape == shape} == {"Warning"}


def test_rule_findings_are_pinned(outcome: Outcome):
    from policykg.iris import compact_iri

    found: dict[str, set] = {}
    for f in outcome.findings:
        if f.rule:
            process = f.focus.removeprefix(META + "process/")
            found.setdefault(f.shape.removeprefix(SHAPES_NS), set()).add(
                (process, compact_iri(f.value) if f.value and f.value != f.focus else None))
    assert found == RULES
    assert {f.jurisdiction for f in outcome.findings} == {"uk"}
    assert all(p.jurisdiction == "uk" for f in outcome.findings for p in f.provisions)


def test_rules_of_the_other_jurisdiction_on_the_june_data_moved_to_the_eu(june, dpv_graph):
    """The same data with the EU's applicable law: no UK-only rule fires (Children's Code, UK Art. 8), the EU's
    Art. 8 and the DSA's Art. 28(2) do."""
    from policykg.namespaces import LEGAL_EU, LEGAL_GB

    moved = Graph()
    for s, p, o in june.versions[JUNE]:
        moved.add((s, p, LEGAL_EU["law-GDPR"] if o == LEGAL_GB["law-GDPR"] else o))
    result = validate_graph([june.ontology, moved], dpv_graph, ["gdpr", "aadc", "dsa"])
    counts = Counter(f.shape.removeprefix(SHAPES_NS) for f in result.findings)
    assert not {"ChildConsentUKRule", "ChildProfilingByDefaultRule", "ChildAdvertisingRule",
                "ChildAITrainingRule"} & set(counts)
    assert counts["ChildConsentEURule"] == len(MINORS_CONSENT)
    assert {f.focus.removeprefix(META + "process/") for f in result.findings
            if f.shape == SHAPES_NS + "MinorProfilingAdsRule"} == {
        "consent-partner-data-ads", "li-minors-personalising", "li-audience-network-ads"}
    assert all(p.jurisdiction == "eu" for f in result.findings for p in f.provisions)


def test_findings_quote_the_policy_where_the_focus_has_a_span(outcome: Outcome, june):
    text = june.texts[JUNE].text
    assert outcome.source_text_checked
    for finding in outcome.findings:
        assert finding.spans, f"{finding.focus} has no source span"
        for span in finding.spans:
            assert span.text == text[span.start:span.end]
            assert span.scope and span.scope.startswith("https://")


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
    """Sanity check on the real graph: drop one process's legal basis and the completeness shape fires there."""
    from rdflib import URIRef

    data = Graph()
    data += june.versions[JUNE]
    process = URIRef(META + "process/li-anonymising")
    data.remove((process, URIRef("https://w3id.org/dpv#hasLegalBasis"), None))
    result = validate_graph([june.ontology, data], dpv_graph, ["completeness"])
    assert {(f.shape, f.focus) for f in result.findings} == {
        (SHAPES_NS + "ProcessHasLegalBasisShape", str(process)),
        (SHAPES_NS + KNOWN_VIOLATION[0], META + KNOWN_VIOLATION[1])}
    assert not result.conforms

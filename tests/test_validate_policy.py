"""The shapes on the encoded Meta UK policy: structure and completeness hold; the transparency and rights
findings are what the policy leaves out or says vaguely, pinned here exactly (README, "Validation")."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from policykg.validate import SHAPES_NS, Outcome, SourceText, load_dpv_graph, validate_graph

META = "https://w3id.org/policykg/meta-uk-2025-06-16/"
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


@pytest.fixture(scope="module")
def outcome(compiled, dpv_folder: Path, policy_text_path: Path) -> Outcome:
    """All shapes on ontology + data, with DPV and the policy text."""
    return validate_graph([compiled.ontology, compiled.data], load_dpv_graph(dpv_folder), None,
                          SourceText.read(policy_text_path))


def test_structure_and_completeness_hold(outcome: Outcome):
    problems = [(f.shape, f.focus, f.value, f.message) for f in outcome.findings
                if f.concern in ("structure", "completeness") or f.severity == "Violation"]
    assert problems == []
    assert outcome.conforms


def test_transparency_findings_are_pinned(outcome: Outcome):
    found = {(f.shape, f.focus, f.severity) for f in outcome.findings if f.concern == "transparency"}
    assert found == {(SHAPES_NS + shape, META + focus, sev) for shape, focus, sev in TRANSPARENCY}


def test_rights_findings_are_pinned(outcome: Outcome):
    found = {(f.shape, f.focus, f.value) for f in outcome.findings if f.concern == "rights"}
    shape = SHAPES_NS + "RightsForLegalBasisShape"
    expected = ({(shape, META + "process/" + p, GDPR + "A18") for p in NO_RESTRICTION}
                | {(shape, META + "process/" + p, GDPR + "A22") for p in NO_AUTOMATED_DECISION_RIGHT})
    assert found == expected
    assert {f.severity for f in outcome.findings if f.concern == "rights"} == {"Warning"}


def test_findings_quote_the_policy_where_the_focus_has_a_span(outcome: Outcome, policy_text: str):
    assert outcome.source_text_checked
    for finding in outcome.findings:
        assert finding.spans, f"{finding.focus} has no source span"
        for span in finding.spans:
            assert span.text == policy_text[span.start:span.end]
            assert span.scope and span.scope.startswith("https://")


def test_without_the_policy_text_spans_are_offsets_only(compiled, dpv_folder: Path):
    result = validate_graph([compiled.ontology, compiled.data], load_dpv_graph(dpv_folder), ["transparency"])
    assert not result.source_text_checked
    assert all(span.text is None and span.end > span.start for f in result.findings for span in f.spans)


def test_a_text_with_another_checksum_is_not_quoted(compiled, dpv_folder: Path, policy_text: str):
    wrong = SourceText(policy_text + " ", "0" * 64)
    result = validate_graph([compiled.ontology, compiled.data], load_dpv_graph(dpv_folder), ["transparency"], wrong)
    assert not result.source_text_checked
    assert result.notes and "sha256" in result.notes[0]
    assert all(span.text is None for f in result.findings for span in f.spans)


def test_an_encoding_defect_is_caught(compiled, dpv_folder: Path):
    """Sanity check on the real graph: drop one process's legal basis and the completeness shape fires there."""
    from rdflib import URIRef

    data = Graph()
    data += compiled.data
    process = URIRef(META + "process/li-anonymising")
    data.remove((process, URIRef("https://w3id.org/dpv#hasLegalBasis"), None))
    result = validate_graph([compiled.ontology, data], load_dpv_graph(dpv_folder), ["completeness"])
    assert {(f.shape, f.focus) for f in result.findings} == {(SHAPES_NS + "ProcessHasLegalBasisShape", str(process))}
    assert not result.conforms

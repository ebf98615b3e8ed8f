"""The (question, dataset) pairs every route runs: each question of one version on every registered version, each
question across versions on every graph at once ('all'). Read from queries/ and data/versions.yaml when the tests are
collected, so a new version or question adds its pairs without a change here."""

from __future__ import annotations

from policykg.sources.versions import load_registry
from policykg.store.applicability import ALL
from policykg.store.questions import CompetencyQuestion, load_questions

QUESTIONS: list[CompetencyQuestion] = load_questions()
BY_NAME = {cq.name: cq for cq in QUESTIONS}
REGISTRY = load_registry()
VERSIONS: list[str] = REGISTRY.names
#: Meta's global notices: they state no legal basis, audience, legitimate interest or applicable law.
GLOBAL_VERSIONS: frozenset[str] = frozenset(v.name for v in REGISTRY.versions if v.jurisdiction == "global")
CASES: list[tuple[str, str]] = [(cq.name, dataset) for cq in QUESTIONS
                                for dataset in ([ALL] if cq.across_versions else VERSIONS)]
#: The pairs with an expected answer: the ones the other routes ask. A refused pair has none, and tests/test_queries.py
#: checks on every pair that the engine refuses exactly these (so a lost answer file fails there, not silently here).
ANSWERED: list[tuple[str, str]] = [case for case in CASES
                                   if BY_NAME[case[0]].expected_file(None if case[1] == ALL else case[1]) is not None]


def case_id(case: tuple[str, str]) -> str:
    """A short test id: cq02@meta-eu-2025-12-16."""
    return f"{case[0][:4]}@{case[1]}"


def endpoint_path(dataset: str) -> str:
    """Where a dataset is served: /sparql for the primary version (the endpoint's default dataset), /sparql/<name>
    for the others and /sparql/all for every graph at once."""
    return "/sparql" if dataset == REGISTRY.primary else f"/sparql/{dataset}"

"""Every notebook helper that takes version= gives that version's answer, or refuses with the reason (NotApplicable),
on every version: the four encoded ones (issue 18: on the EU version they returned empty frames) and a version that
states no legal basis, audience, interest or law, as Meta's global notice (tests/global_like.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import global_like
from build_fixtures import dpv_or_skip
from policykg import analysis as A
from policykg.store.questions import get_question
from question_cases import GLOBAL_VERSIONS, VERSIONS

EVERY_VERSION = [*VERSIONS, global_like.NAME]
#: The versions whose notice states no legal basis or audience: Meta's global notices (by the registry, not by the
#: graph the helpers read) and the test variant made like them.
STATES_NONE = GLOBAL_VERSIONS | {global_like.NAME}


@pytest.fixture(scope="module")
def store(build_dir: Path):
    from policykg.store.dataset import load_store

    loaded = load_store(build_dir, dpv_or_skip())
    global_like.add_to(loaded)
    return loaded


def _size(result) -> int:
    if isinstance(result, (set, list, dict)):
        return len(result)
    if hasattr(result, "data"):  # a plotly figure: its traces
        return len(result.data)
    return len(result.index) if hasattr(result, "index") else len(result.rows)


#: Each helper, called on a version; and whether it must refuse on a notice that states no basis or audience.
HELPERS: dict[str, tuple[Callable, bool]] = {
    "query_df cq02": (lambda s, v: A.query_df(s, "cq02", version=v), True),
    "query_df cq16": (lambda s, v: A.query_df(s, "cq16", version=v), False),
    "select_df processes": (lambda s, v: A.select_df(s, "processes", version=v), False),
    "run cq09": (lambda s, v: A.run(s, "cq09", version=v), True),
    "processes": (lambda s, v: A.processes(s, version=v), False),
    "processes audience=": (lambda s, v: A.processes(s, version=v, audience="minors"), True),
    "processes basis=": (lambda s, v: A.processes(s, version=v, basis="legitimate interests"), True),
    "processes_per_basis": (lambda s, v: A.processes_per_basis(s, version=v), True),
    "several_bases": (lambda s, v: A.several_bases(s, version=v), True),
    "process_information": (lambda s, v: A.process_information(s, version=v), False),
    "basis_matrix": (lambda s, v: A.basis_matrix(s, level="category", version=v), True),
    "basis_matrix item": (lambda s, v: A.basis_matrix(s, level="item", audience="no account", version=v), True),
    "audience_groups": (lambda s, v: A.audience_groups(s, version=v), True),
    "basis_by_audience_group": (lambda s, v: A.basis_by_audience_group(s, version=v), True),
    "audience_comparison": (lambda s, v: A.audience_comparison(s, version=v), True),
    "processes_for_audience": (lambda s, v: A.processes_for_audience(s, "adults", version=v), True),
    "graph_summary": (lambda s, v: {k: n for k, n in A.graph_summary(s, version=v).items() if n}, False),
    "sankey_flows": (lambda s, v: A.sankey_flows(s, version=v), False),
    "sankey_flows basis=": (lambda s, v: A.sankey_flows(s, basis="consent", version=v), True),
    "sankey_interactive": (lambda s, v: A.sankey_interactive(s, version=v), False),
    "basis_choices": (lambda s, v: A.basis_choices(s, version=v), True),
    "add_labels": (lambda s, v: A.add_labels(A.select_df(s, "process-purposes", version=v), s, version=v), False),
    "readable": (lambda s, v: A.readable(A.select_df(s, "process-information", version=v), s, version=v), False),
    "labeller": (lambda s, v: A.labeller(s, v).processes, False),
    "dataset_graphs": (lambda s, v: A.dataset_graphs(s, v), False),
}


@pytest.mark.parametrize("version", EVERY_VERSION)
@pytest.mark.parametrize("helper", list(HELPERS))
def test_each_helper_on_each_version(store, helper: str, version: str) -> None:
    call, refuses_where_not_stated = HELPERS[helper]
    if version in STATES_NONE and refuses_where_not_stated:
        with pytest.raises(A.NotApplicable) as refused:
            call(store, version)
        assert version in refused.value.reason and " states no " in refused.value.reason, refused.value.reason
        return
    assert _size(call(store, version)) > 0, f"{helper} gave nothing on {version}"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_question_as_a_frame_is_that_versions_answer(store, version: str) -> None:
    for name in ("cq02", "cq09", "cq16"):
        if get_question(name).expected_file(version) is None:  # refused there (a global notice states no basis)
            assert version in STATES_NONE
            continue
        expected = get_question(name).expected(version)
        frame = A.query_df(store, name, version=version, labels=False)
        assert len(frame) == len(expected.rows), (name, version)


def test_the_audience_groups_differ_between_versions(store) -> None:
    """Not the primary version's table under another name: the EU text has six rows for people whose device Meta
    cannot associate with a registered user, the UK text of November 2024 five (counted in the texts: cq06)."""
    def written_for_no_account(version: str) -> int:
        groups = A.audience_groups(store, version=version)
        return groups[groups["audience"] == "https://w3id.org/policykg/ontology#NonAccountHolder"]["process"].nunique()

    assert written_for_no_account("meta-eu-2025-12-16") == 6 and written_for_no_account("meta-uk-2024-11-14") == 5


def test_the_global_like_version_is_described_without_bases(store) -> None:
    table = A.processes(store, version=global_like.NAME)
    assert set(table["basis_label"]) == {"not stated"} and set(table["audience_label"]) == {"not stated"}
    assert len(table) == len(A.processes(store, version=global_like.SOURCE))
    figure = A.sankey_interactive(store, version=global_like.NAME)
    assert [b["label"] for b in figure.layout.updatemenus[0].buttons] == ["all processes"]
    assert not A.states(store, "legal-bases", global_like.NAME) and A.states(store, "legal-bases", "meta-eu-2025-12-16")


def test_figures_of_every_version(store) -> None:
    """Every version that states its bases draws both figures (the others refuse: test_each_helper_on_each_version)."""
    for version in [v for v in VERSIONS if v not in STATES_NONE]:
        assert A.plot_basis_heatmap(A.basis_matrix(store, level="item", version=version)).axes
        assert A.plot_audience_bases(A.basis_by_audience_group(store, version=version)).axes

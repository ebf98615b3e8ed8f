"""The notebooks' figures read well: no tick label overlaps another (the item and findings heatmaps), axes are titled in
words, comparisons come in date order, and a panel with one comparison's few bars is drawn like the others."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip
from policykg import analysis as A


@pytest.fixture(scope="module")
def store(build_dir: Path):
    from policykg.store.dataset import load_store

    return load_store(build_dir, dpv_or_skip())


def overlapping(fig) -> list[tuple[str, str]]:
    """Pairs of tick labels (on one axis of one panel) whose drawn boxes overlap."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    found = []
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_text() and t.get_visible()]
            found += [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    return found


def test_the_item_heatmap_has_no_overlapping_labels(store) -> None:
    for version in ("meta-uk-2025-06-16", "meta-eu-2025-12-16"):
        fig = A.plot_basis_heatmap(A.basis_matrix(store, level="item", version=version))
        assert overlapping(fig) == []
        assert fig.axes[0].get_xlabel() == "information item" and fig.axes[0].get_ylabel() == "process"


def test_a_findings_heatmap_with_long_labels_has_no_overlapping_labels() -> None:
    """As plot_findings draws it (plot_matrix): long provision names across, long process names down."""
    import pandas as pd

    provisions = ["Art. 13(1)(f)", "Art. 22 automated decisions",
                  "Children's data used for advertising or marketing by default (Children's Code standards 5 and 12)",
                  "Children's data used to develop AI by default (Children's Code standards 8 and 5)",
                  "Profiling of children on by default (Children's Code standards 7 and 12)", *(f"Art. {n}" for n in range(9))]
    about = [f"Verifying your identity or account, or helping to protect against suspicious activity number {i} · "
             "legitimate interests · under 18" for i in range(30)]
    rows = [{"about": a, "provision": p, "findings": 1} for i, a in enumerate(about) for p in provisions[i % 3::4]]
    fig = A.plot_matrix(pd.DataFrame(rows), "about", "provision", "findings", row_title="what the finding is about")
    assert overlapping(fig) == []


def test_axes_are_titled_in_words(store) -> None:
    flows = A.sankey_flows(store)
    first = flows[flows["stage"] == "information → purpose"]
    ax = A.plot_matrix(first, row="target_label", col="source_label", value="processes").axes[0]
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("purpose", "information category")
    second = flows[flows["stage"] == "purpose → recipient"]
    ax = A.plot_matrix(second, row="source_label", col="target_label", value="processes").axes[0]
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("purpose", "recipient")
    assert A.plot_matrix(A.processes(store), "process_label", "basis_label").axes[0].get_xlabel() == "basis"


def test_comparisons_come_in_date_order(store) -> None:
    effective = dict(zip(A.versions(store)["version"], A.versions(store)["effective"].astype(str), strict=True))
    table = A.comparisons(store)
    pairs = [(effective[n], effective[o]) for o, n in zip(table["old_version"], table["new_version"], strict=True)]
    assert pairs == sorted(pairs) and len(pairs) >= 3
    order = list(table["comparison"])
    for frame in (A.changes_by_basis(store), A.items_gained(store), A.process_changes(store)):
        seen = list(dict.fromkeys(frame["comparison"]))
        assert seen == [c for c in order if c in seen]


def test_a_one_comparison_panel_is_drawn_like_the_others(store) -> None:
    from matplotlib.patches import Rectangle

    changes = A.plot_changes_by_basis(A.changes_by_basis(store))
    widths = {round(p.get_width(), 6) for ax in changes.axes for p in ax.patches if isinstance(p, Rectangle)}
    assert len(widths) == 1
    assert len({ax.get_xlim() for ax in changes.axes}) == 1
    for ax in changes.axes:
        assert all(float(t).is_integer() for t in ax.get_yticks())
    gained = A.plot_items_gained(A.items_gained(store))
    heights = {round(p.get_height(), 6) for ax in gained.axes for p in ax.patches if isinstance(p, Rectangle)}
    assert len(heights) == 1 and len({ax.get_xlim() for ax in gained.axes}) == 1
    assert overlapping(changes) == [] and overlapping(gained) == []

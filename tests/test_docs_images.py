"""The figures in docs/img are drawn from the current build: `make screenshots` records, for each figure, the table it
was drawn from (rows and a sha256 of its CSV, docs/img/figures.json); here the same tables are computed from this
session's build and must match, and none may be empty (an empty-data placeholder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict]:
    return json.loads((IMAGES / "figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def current(build_dir: Path) -> dict[str, dict]:
    pytest.importorskip("pandas", reason="the docs figures need the notebook extras (pip install -e '.[notebooks]')")
    dpv_or_skip()
    from policykg.analysis import open_store
    from policykg.analysis.screenshots import figure_tables, page_table, table_digest

    store = open_store(build_dir)
    digests = {name: table_digest(df) for name, (df, _) in figure_tables(store, build_dir).items()}
    return {**digests, "query-page": table_digest(page_table(store))}


def test_every_image_in_docs_is_recorded_and_every_record_has_its_image(recorded) -> None:
    images = {p.stem for p in IMAGES.glob("*.png")}
    assert len(images) >= 9
    assert images == set(recorded), sorted(images ^ set(recorded))


def test_no_figure_was_drawn_from_empty_data(recorded) -> None:
    assert {name: r["rows"] for name, r in recorded.items() if r["rows"] <= 0} == {}


def test_every_figure_was_drawn_from_the_data_of_this_build(recorded, current) -> None:
    stale = {name: (recorded.get(name), digest) for name, digest in current.items() if recorded.get(name) != digest}
    assert stale == {}, "docs/img is stale: run `make screenshots` (the release steps say so)"


def test_an_empty_table_is_refused_rather_than_drawn(tmp_path, monkeypatch, build_dir: Path) -> None:
    pytest.importorskip("pandas", reason="the docs figures need the notebook extras")
    import pandas

    from policykg.analysis import screenshots

    monkeypatch.setattr(screenshots, "figure_tables", lambda store, build: {"empty": (pandas.DataFrame(), None)})
    monkeypatch.setattr("policykg.analysis.open_store", lambda build=None: None)
    with pytest.raises(RuntimeError, match="no data for the figure 'empty'"):
        screenshots.figures(build_dir, tmp_path)

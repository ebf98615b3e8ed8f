"""The analysts' helpers: DataFrames, matrices, network and figures agree with the graph they come from."""

from __future__ import annotations

import pytest

from cq_support import dpv_or_skip, fresh_build
from policykg import analysis as A
from policykg.queries import get_question, run_question


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    from policykg.store import load_store

    build = fresh_build(tmp_path_factory.mktemp("analysis") / "build")
    return load_store(build, dpv_or_skip())


def _count(store, pattern: str) -> int:
    return A._count(store, A._PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")


def test_basis_code() -> None:
    assert A.basis_code("https://w3id.org/dpv/legal/eu/gdpr#A6-1-a") == "Art. 6(1)(a)"
    assert A.basis_code("https://w3id.org/dpv/legal/eu/gdpr#A9-2-a") == "Art. 9(2)(a)"
    assert A.basis_code("https://w3id.org/dpv/legal/eu/gdpr#A77") == "Art. 77"
    assert A.basis_code("https://w3id.org/dpv#Consent") == "Consent"


def test_query_df_accepts_text_or_question_name(store) -> None:
    by_name = A.query_df(store, "cq02")
    by_text = A.query_df(store, get_question("cq02").text)
    assert by_name.equals(by_text) and len(by_name) == len(get_question("cq02").expected().rows)


def test_processes_per_basis_sums_to_process_basis_pairs(store) -> None:
    df = A.processes_per_basis(store)
    assert df["processes"].sum() == _count(store, "?p a dpv:Process ; dpv:hasLegalBasis ?b . BIND(CONCAT(STR(?p), STR(?b)) AS ?x)")
    assert set(df["article"]) >= {"Art. 6(1)(a)", "Art. 6(1)(f)"}
    assert all(df["label"].str.len() > 0)


def test_basis_category_matrix_matches_the_graph(store) -> None:
    matrix = A.basis_category_matrix(store)
    assert len(matrix) == _count(store, "?x a dpv:Process")
    assert len(matrix.columns) == _count(store, "?x skos:topConceptOf pko:InformationScheme")
    filled = int((matrix != "").to_numpy().sum())
    assert filled == _count(store, "?p pko:hasQualifiedPersonalData/pko:listedUnder ?c . BIND(CONCAT(STR(?p), STR(?c)) AS ?x)")
    assert set(matrix.to_numpy().ravel()) - {""} <= set(A.BASIS_COLOURS)


def test_audience_group_tables_agree_with_cq09(store) -> None:
    rows = run_question(store, get_question("cq09")).values()
    table = A.basis_by_audience_group(store)
    for group in table.index:
        expected = len({r["process"] for r in rows if r["group"] == group and "A6-" in r["basis"]})
        assert table.loc[group].sum() == expected
    comparison = A.audience_comparison(store)
    assert list(comparison.columns) == [g for g in ("minors", "adults", "no account") if g in table.index]
    assert len(comparison) == _count(store, "?p a dpv:Process ; dpv:hasPurpose ?x")


def test_network_graph(store) -> None:
    graph = A.network_graph(store)
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert kinds == {"purpose", "category", "recipient"}
    purposes = [n for n, d in graph.nodes(data=True) if d["kind"] == "purpose"]
    assert len(purposes) <= _count(store, "?p a dpv:Process ; dpv:hasPurpose ?x")
    assert all(d["weight"] >= 1 for _, _, d in graph.edges(data=True))
    assert all(graph.nodes[n]["label"] for n in graph.nodes)


def test_figures_are_drawn(store) -> None:
    from matplotlib.figure import Figure

    figures = [A.plot_basis_heatmap(A.basis_category_matrix(store)),
               A.plot_processes_per_basis(A.processes_per_basis(store)),
               A.plot_audience_bases(A.basis_by_audience_group(store)),
               A.plot_network(A.network_graph(store))]
    for fig in figures:
        assert isinstance(fig, Figure) and fig.axes


def test_graph_summary_counts(store) -> None:
    summary = A.graph_summary(store)
    assert summary["processes"] == len(get_question("cq23").expected().rows)
    assert summary["information categories"] == 4
    assert summary["recipients"] == len(get_question("cq16").expected().rows)
    assert all(isinstance(v, int) and v > 0 for v in summary.values())
    assert A.parse_summary_markdown(A.summary_markdown(summary)) == summary


def test_endpoint_availability(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    assert A.endpoint_available() is True  # this environment installs policykg.server
    real_find_spec = importlib.util.find_spec

    def without_server(name: str, *args):
        return None if name == "policykg.server" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_server)
    assert A.endpoint_available() is False


def test_findings_table_reads_the_validators_findings() -> None:
    from policykg import validate

    span = validate.SourceSpan("https://w3id.org/policykg/meta-uk-2025-06-16/span/1-5", 1, 5,
                               "https://privacycenter.instagram.com/policy/", "text")
    finding = validate.Finding(shape="https://w3id.org/policykg/shapes#S", shape_label="A shape", concern="rights",
                               severity="Warning", focus="https://w3id.org/dpv#Use", focus_label="Use",
                               message="m", spans=(span,))
    row = A.findings_table([finding]).iloc[0]
    assert (row["severity"], row["shape"], row["focus"], row["span"], row["quote"], row["link"]) == (
        "Warning", "A shape", "Use", "1–5", "text", "https://privacycenter.instagram.com/policy/")
    assert '<a href="https://privacycenter.instagram.com/policy/">' in A.links_as_html(A.findings_table([finding]))

"""The analysts' helpers: labelled DataFrames, matrices, Sankey flows, findings and changes agree with the graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip
from policykg import analysis as A
from policykg.store.questions import get_question

PROCESS = "https://w3id.org/policykg/meta-uk-2025-06-16/process/"


@pytest.fixture(scope="module")
def build(build_dir: Path) -> Path:
    return build_dir


@pytest.fixture(scope="module")
def store(build: Path):
    from policykg.store.dataset import load_store

    return load_store(build, dpv_or_skip())


def _count(store, pattern: str) -> int:
    return A.tables._count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}", A.dataset_graphs(store))


# ---- labels ----

def test_basis_labels_and_codes() -> None:
    assert A.basis_code("https://w3id.org/dpv/legal/eu/gdpr#A6-1-a") == "Art. 6(1)(a)"
    assert A.basis_code("https://w3id.org/dpv/legal/eu/gdpr#A77") == "Art. 77"
    assert A.basis_short("https://w3id.org/dpv/legal/eu/gdpr#A6-1-f") == "legitimate interests"
    assert A.resolve_basis("legitimate interests") == A.resolve_basis("Art. 6(1)(f)") == \
        A.resolve_basis("eu-gdpr:A6-1-f") == "https://w3id.org/dpv/legal/eu/gdpr#A6-1-f"
    assert A.resolve_audience("under 18") == A.resolve_audience("minors") == \
        "https://w3id.org/policykg/ontology#RegisteredUserUnderAgeOfMajority"


def test_labeller_reads_gdpr_citations_process_audiences_and_curies(store) -> None:
    label = A.labeller(store)
    assert label("https://w3id.org/dpv/legal/eu/gdpr#A6-1-f") == "Art. 6(1)(f) legitimate interests"
    assert label(PROCESS + "li-minors-personalising") == "Personalising the Meta Products · legitimate interests · under 18"
    assert label(PROCESS + "li-anonymising") == "Anonymising your information"
    assert label("https://w3id.org/policykg/ontology#NoSuchThing") == "pko:NoSuchThing"
    processes = A.processes(store)
    assert processes["process_label"].is_unique, "two processes read the same"


def test_query_df_puts_a_label_beside_each_iri_column(store) -> None:
    df = A.query_df(store, "cq02")
    assert list(df.columns) == ["basis", "basis_label", "processes"]
    assert "Art. 6(1)(f) legitimate interests" in set(df["basis_label"])
    bare = A.query_df(store, get_question("cq02").text, labels=False)
    assert bare.equals(df.drop(columns="basis_label"))
    assert len(bare) == len(get_question("cq02").expected().rows)


def test_the_sparql_behind_each_table_is_a_file() -> None:
    for name in ("processes", "process-information", "process-flows", "process-changes", "value-changes", "cq09"):
        shown = A.sparql(name)
        assert shown.path.is_file() and shown.text == shown.path.read_text(encoding="utf-8")
        assert shown.question and "<details>" in shown._repr_markdown_()


# ---- tables ----

def test_processes_per_basis_and_processes_on_two_bases(store) -> None:
    df = A.processes_per_basis(store)
    pairs = _count(store, "?p a dpv:Process ; dpv:hasLegalBasis ?b . BIND(CONCAT(STR(?p), STR(?b)) AS ?x)")
    assert df["processes"].sum() == pairs
    assert df.attrs["distinct processes"] == _count(store, "?x a dpv:Process")
    assert "Art. 9(2)(a) explicit consent" in set(df["basis_label"])
    several = A.several_bases(store)
    assert len(several) == pairs - _count(store, "?x a dpv:Process")
    assert several["basis_label"].str.contains(" + ", regex=False).all()


def test_basis_matrix_matches_the_graph_at_both_levels(store) -> None:
    matrix = A.basis_matrix(store)
    assert len(matrix) == _count(store, "?x a dpv:Process")
    assert len(matrix.columns) == _count(store, "?x skos:topConceptOf pko:InformationScheme")
    filled = int((matrix != "").to_numpy().sum())
    assert filled == _count(store, "?p pko:hasQualifiedPersonalData/pko:listedUnder ?c . BIND(CONCAT(STR(?p), STR(?c)) AS ?x)")
    art9 = {v for v in matrix.to_numpy().ravel() if "Art. 9" in v}
    assert art9 == {"Art. 6(1)(a) consent + Art. 9(2)(a) explicit consent"}
    items = A.basis_matrix(store, level="item")
    assert int((items != "").to_numpy().sum()) == _count(
        store, "?p pko:hasQualifiedPersonalData/pko:personalData ?i . BIND(CONCAT(STR(?p), STR(?i)) AS ?x)")
    with pytest.raises(ValueError):
        A.basis_matrix(store, level="purpose")


def test_audience_filters_follow_the_hierarchy(store) -> None:
    minors = A.processes(store, audience="minors")
    assert not minors["basis_label"].str.contains("contract").any()
    assert "Personalising the Meta Products · legitimate interests · under 18" in set(minors["process_label"])
    no_account = A.basis_matrix(store, audience="no account")
    rows = A.query_df(store, "cq09", labels=False)
    assert len(no_account) == rows[rows["group"] == "no account"]["process"].nunique()


def test_audience_group_tables_agree_with_cq09(store) -> None:
    rows = A.query_df(store, "cq09", labels=False)
    table = A.basis_by_audience_group(store)
    for group in table.index:
        assert table.loc[group, "processes"] == rows[rows["group"] == group]["process"].nunique()
        assert table.loc[group].drop("processes").sum() == len(rows[rows["group"] == group][["process", "basis"]].drop_duplicates())
    assert "Art. 6(1)(b) contract" in table.columns
    comparison = A.audience_comparison(store)
    assert list(comparison.columns) == [g for g in ("minors", "adults", "no account") if g in table.index]
    assert len(comparison) == _count(store, "?p a dpv:Process ; dpv:hasPurpose ?x")


def test_sankey_flows_count_processes_and_filter(store) -> None:
    flows = A.sankey_flows(store)
    first = flows[flows["stage"] == "information → purpose"]
    assert set(first["source_kind"]) == {"category"} and set(flows["target_kind"]) == {"purpose", "recipient"}
    assert first["processes"].sum() == _count(
        store, "?p pko:hasQualifiedPersonalData/pko:listedUnder ?c ; dpv:hasPurpose ?u . "
               "BIND(CONCAT(STR(?p), STR(?c), STR(?u)) AS ?x)")
    assert A.NO_RECIPIENT in set(flows["target_label"])
    li_minors = A.sankey_flows(store, basis="legitimate interests", audience="minors", level="item")
    processes = {p for ps in li_minors["process_iris"] for p in ps.split(" | ")}
    assert processes and processes <= set(A.processes(store, basis="Art. 6(1)(f)", audience="minors")["process"])
    assert set(li_minors[li_minors["stage"] == "information → purpose"]["source_kind"]) == {"item"}


def test_figures_are_drawn(store, tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    flows = A.sankey_flows(store)
    figures = [A.plot_basis_heatmap(A.basis_matrix(store)),
               A.plot_processes_per_basis(A.processes_per_basis(store)),
               A.plot_audience_bases(A.basis_by_audience_group(store)),
               A.plot_sankey(flows),
               A.plot_matrix(flows, "target_label", "source_label", "processes"),
               A.plot_matrix(A.process_information(store), "process_label", "category_label")]
    for fig in figures:
        assert isinstance(fig, Figure) and fig.axes
    first = A.save_figure(figures[0], tmp_path / "a.png").read_bytes()
    assert A.save_figure(A.plot_basis_heatmap(A.basis_matrix(store)), tmp_path / "b.png").read_bytes() == first
    heat_legend = [t.get_text() for t in figures[0].axes[0].get_legend().get_texts()]
    assert "not used" in heat_legend and any("Art. 9" in t for t in heat_legend)
    assert [t.get_text() for t in figures[2].axes[0].get_xticklabels()][0].startswith("Art. 6(1)(a)")
    assert A.sankey_interactive(store) is not None


def test_every_table_exports_to_csv_and_excel(store, build: Path, tmp_path: Path) -> None:
    import pandas as pd

    matrix = A.basis_matrix(store)
    back = pd.read_csv(A.to_csv(matrix, tmp_path / "m.csv"), index_col=0, keep_default_na=False)
    assert back.shape == matrix.shape
    workbook = A.export({"matrix": matrix, "per basis": A.processes_per_basis(store)}, tmp_path / "t.xlsx")
    assert set(pd.read_excel(workbook, sheet_name=None)) == {"matrix", "per basis"}
    csv_matrix = A.processing_matrix(build)
    assert {"version", "process", "process_label", "legal_basis", "item_label"} <= set(csv_matrix.columns)
    with pytest.raises(ValueError):
        A.export(matrix, tmp_path / "t.txt")


def test_graph_summary_counts(store) -> None:
    summary = A.graph_summary(store)
    assert summary["processes"] == len(get_question("cq23").expected().rows)
    assert summary["information categories"] == 4
    assert all(isinstance(v, int) and v > 0 for v in summary.values())
    assert A.parse_summary_markdown(A.summary_markdown(summary)) == summary


# ---- findings ----

def _finding(**kw):
    from policykg.validate import shacl as validate
    from policykg.validate.library import Provision

    span = validate.SourceSpan("https://w3id.org/policykg/meta-uk-2025-06-16/span/1-5", 1, 5,
                               "https://privacycenter.instagram.com/policy/", kw.pop("text", "text"))
    base = dict(shape="https://w3id.org/policykg/shapes#S", shape_label="Notice names the DPO (Art. 13(1)(b))",
                concern="transparency", kind="finding", verdict="does-not-state", focus=PROCESS + "li-minors-personalising",
                focus_label="Personalising the Meta Products (long)", message="m", spans=(span,), law_as_of="2025-06-16")
    if kw.pop("cited", False):
        base["provisions"] = (Provision("https://w3id.org/policykg/shapes#uk-gdpr-21-2",
                                        "UK GDPR Art. 21(2)-(3) (objection to direct marketing)", None, "uk",
                                        "legislation", "binding"),)
    return validate.Finding(**{**base, **kw})


def test_findings_table_quotes_whole_words_and_names_the_provision(store) -> None:
    long = "word " * 80
    table = A.findings_table([_finding(text=long), _finding(value="https://w3id.org/dpv/legal/eu/gdpr#A21"),
                              _finding(cited=True, verdict="conflicts-with")], A.labeller(store))
    first, second, third = table.iloc[0], table.iloc[1], table.iloc[2]
    assert first["provision"] == "Art. 13(1)(b)" and second["provision"] == "Art. 21 objection"
    assert third["provision"] == "Art. 21(2)-(3)"  # the first provision a finding applies comes first
    assert list(table["verdict"]) == ["does-not-state", "does-not-state", "conflicts-with"]
    assert set(table["kind"]) == {"finding"} and set(table["law_as_of"]) == {"2025-06-16"}
    assert "severity" not in table.columns
    assert first["quote"].endswith(" …") and all(w == "word" for w in first["quote"][:-2].split())
    assert first["focus_label"] == "Personalising the Meta Products · legitimate interests · under 18"
    assert first["link"] == "https://privacycenter.instagram.com/policy/"
    assert '<a href="https://privacycenter.instagram.com/policy/">' in A.links_as_html(table)
    pivot = A.findings_pivot(table)
    assert pivot.loc[first["focus_label"]].sum() == 3
    assert A.quote("a short one") == "a short one"


def test_rule_sources_say_where_each_rule_comes_from() -> None:
    sources = A.rule_sources()
    assert set(sources["concern"]) >= {"structure", "completeness", "transparency", "rights"}
    rights = sources[sources["concern"] == "rights"].iloc[0]
    assert "DPV" in rights["source"] and rights["file"] == "shapes/rights.ttl" and rights["rules"] > 0


# ---- over time ----

def test_one_version_has_no_changes_and_says_so(build: Path) -> None:
    import pyoxigraph as ox

    from policykg.iris import GRAPH_BASE, ONTOLOGY_GRAPH

    full = ox.Store()
    full.bulk_load(path=str(build / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    keep = {ONTOLOGY_GRAPH, GRAPH_BASE + "meta-uk-2025-06-16"}
    store = ox.Store()
    store.extend(q for q in full if q.graph_name.value in keep)
    assert A.comparisons(store).empty and A.process_changes(store).empty
    assert list(A.changes_by_basis(store).columns) == ["comparison", "basis_label", "added", "removed", "changed"]
    assert A.plot_changes_by_basis(A.changes_by_basis(store)).axes
    assert A.plot_items_gained(A.items_gained(store)).axes


JUNE_2025 = "meta-uk-2025-04-07--meta-uk-2025-06-16"


def test_changes_between_versions(store, registry) -> None:
    assert A.version_names(store) == registry.names
    assert A.primary_version(store) == "meta-uk-2025-06-16"
    comparisons = A.comparisons(store)
    assert JUNE_2025 in set(comparisons["comparison"])
    changes = A.process_changes(store)
    june = changes[changes["comparison"] == JUNE_2025]
    added = june[june["kind"] == "added"]
    assert sorted(added["process"]) == sorted(PROCESS + p for p in (
        "consent-whatsapp-accounts-center", "li-ai-development", "non-user-ai-development"))
    assert june[june["kind"] == "removed"].empty
    by_basis = A.changes_by_basis(store).set_index(["comparison", "basis_label"])
    assert by_basis.loc[(JUNE_2025, "Art. 6(1)(f) legitimate interests"), "added"] == 2
    assert by_basis.loc[(JUNE_2025, "Art. 6(1)(a) consent"), "added"] == 1
    gained = A.items_gained(store)
    assert (gained["gained"] > 0).any()
    values = A.value_changes(store)
    assert values["start"].notna().all()
    assert A.processes_per_basis(store, version="meta-uk-2025-04-07")["processes"].sum() == \
        A.processes_per_basis(store)["processes"].sum() - 3
    assert A.plot_changes_by_basis(A.changes_by_basis(store)).axes


# ---- the package ----

def test_the_analysis_package_never_imports_the_web_app() -> None:
    code = ("import sys, policykg.analysis as a; a.query_df; "
            "assert not [m for m in sys.modules if m.startswith('policykg.server')], 'imports the server'")
    subprocess.run([sys.executable, "-c", code], check=True)
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(A.__file__).parent.glob("*.py"))
    assert "from ..server" not in source and "policykg.server import" not in source


def test_query_table_format_shows_labels_and_curies_while_csv_and_json_stay_exact(store) -> None:
    from policykg.cli.query import render
    from policykg.store.questions import run_query

    result = run_query(store, get_question("cq02").text, A.dataset_graphs(store))
    table = render(result, "table", A.labeller(store))
    header = table.splitlines()[0].split()
    assert header[:3] == ["basis", "basis", "id"]
    assert "Art. 6(1)(f) legitimate interests  eu-gdpr:A6-1-f" in table
    assert "https://w3id.org/dpv/legal/eu/gdpr#A6-1-f" in render(result, "csv")
    assert '"value": "https://w3id.org/dpv/legal/eu/gdpr#A6-1-f"' in render(result, "json")
    assert "eu-gdpr:A6-1-f" in render(result, "table") and "legitimate interests" not in render(result, "table")


def test_endpoint_availability_says_whether_the_server_imports(monkeypatch) -> None:
    """True here (the test extras install the web app), False when the server's modules do not import."""
    from policykg.analysis import endpoint as endpoint_module

    assert A.endpoint_available() is True
    monkeypatch.setattr(endpoint_module, "_SERVER_CHECK", "import policykg.server.no_such_module")
    assert A.endpoint_available() is False

"""Every competency question asked of every version gives exactly its expected answer, or is refused with its
reason: data-driven over every (question, version) pair on the embedded engine (pyoxigraph in-process). The
same pairs go over HTTP in tests/test_queries_http.py and through a remote engine (Virtuoso) in test_virtuoso.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import global_like
from build_fixtures import dpv_or_skip
from policykg.store.applicability import ALL, REQUIREMENTS, STATEMENT_KINDS
from policykg.store.questions import (
    EXPECTED_DIR,
    QueryError,
    QueryResult,
    check_question,
    compare,
    dumps_csv,
    dumps_json,
    from_sparql_csv,
    from_sparql_json,
    get_question,
    question_of,
    read_result,
    run_question,
    to_dataframe,
)
from policykg.store.sparql_lexer import is_ordered
from question_cases import ANSWERED, CASES, QUESTIONS, REGISTRY, VERSIONS, case_id

#: The number of competency questions: change it only together with adding or removing a question.
EXPECTED_QUESTIONS = 64
#: At least this many (question, dataset) pairs are collected: a loader that finds fewer is broken.
MIN_CASES = 150
#: ... and at least this many have an expected answer (the rest are refused: the global notice states no basis).
MIN_ANSWERED = 240
NAMES = [cq.name for cq in QUESTIONS]
PER_VERSION = [cq.name for cq in QUESTIONS if not cq.across_versions]
#: Versions other than the primary where a question that applies answers with no row, each with the reason the
#: empty answer is right (none so far).
ALLOWED_EMPTY: dict[tuple[str, str], str] = {}
#: The test variants (tests/global_like.py): each does not state one kind; the last states none (like the global notice).
VARIANTS = {f"test-without-{kind}": (kind,) for kind in STATEMENT_KINDS} | {global_like.NAME: tuple(STATEMENT_KINDS)}


@pytest.fixture(scope="module")
def cq_build(build_dir: Path) -> Path:
    return build_dir


@pytest.fixture(scope="module")
def store(cq_build: Path):
    """The build with DPV, and the test variants that do not state what the global notice does not state."""
    from policykg.store.dataset import load_store

    loaded = load_store(cq_build, dpv_or_skip())
    for name, kinds in VARIANTS.items():
        global_like.add_to(loaded, name, kinds)
    return loaded


@pytest.fixture(scope="module")
def store_without_dpv(cq_build: Path):
    from policykg.store.dataset import load_store

    return load_store(cq_build, None)


def graphs_for(build: Path, dataset: str, *, dpv: bool = True) -> list[str]:
    """The default graph of a dataset as the endpoint defines it: a version's dataset, or every graph of the build."""
    from policykg.iris import DPV_GRAPH
    from policykg.store.dataset import read_manifest

    manifest = read_manifest(build)
    if dataset == ALL:
        return manifest.graphs + ([DPV_GRAPH] if dpv else [])
    return manifest.default_graphs(dataset, dpv=dpv)


def test_number_of_questions_is_pinned() -> None:
    assert len(QUESTIONS) == EXPECTED_QUESTIONS, f"competency questions appeared or disappeared: {NAMES}"


def test_enough_cases_are_collected() -> None:
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} (question, dataset) pairs collected"
    assert {dataset for _, dataset in CASES} == {*VERSIONS, ALL}
    assert len(ANSWERED) >= MIN_ANSWERED, f"only {len(ANSWERED)} pairs have an expected answer"
    assert {dataset for _, dataset in ANSWERED} == {*VERSIONS, ALL}


def test_questions_are_well_formed() -> None:
    numbers = [cq.name.split("-", 1)[0] for cq in QUESTIONS]
    assert len(set(numbers)) == len(numbers), "two questions share a number"
    for cq in QUESTIONS:
        assert re.fullmatch(r"cq\d{2}-[a-z0-9]+(-[a-z0-9]+)*", cq.name), cq.name
        assert cq.question.endswith("?"), f"{cq.name}: the first comment line must be the question"
        assert cq.expected_file(REGISTRY.primary) is not None, f"{cq.name}: no expected result for the primary version"


@pytest.mark.parametrize("name", PER_VERSION)
def test_a_question_of_one_version_names_no_version(name: str) -> None:
    """It reads the notice of the dataset it is asked of, so one text answers on every version."""
    text = get_question(name).text
    assert "?notice a dpv:PrivacyNotice" in text or " a dpv:PrivacyNotice" in text, name
    for version in VERSIONS:
        assert version not in text, f"{name} names {version}"
    assert not re.search(r"w3id\.org/policykg/[a-z]+-[a-z]+-\d{4}-\d\d-\d\d", text), f"{name} names a version's IRI"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_question_on_every_version(store, cq_build: Path, case: tuple[str, str]) -> None:
    """Answers exactly as expected, or is refused with its reason and has no expected answer there."""
    from policykg.store.views import question_refusal

    name, dataset = case
    cq = get_question(name)
    reason = question_refusal(store, cq, dataset)
    if reason:
        assert cq.name in reason and cq.expected_file(dataset) is None, reason
        return
    assert cq.expected_file(None if dataset == ALL else dataset) is not None, f"{name}: no expected answer on {dataset}"
    assert check_question(store, cq, graphs_for(cq_build, dataset), None if dataset == ALL else dataset) == []


@pytest.mark.parametrize("case", [c for c in ANSWERED if c[1] != ALL], ids=case_id)
def test_the_answer_comes_from_that_version_alone(store, case: tuple[str, str]) -> None:
    """A second route to the same answer: the version's graph, the ontology and DPV only (no links, no change
    graphs, no other version), so nothing another version says can reach the answer."""
    from policykg.iris import DPV_GRAPH, GRAPH_BASE, ONTOLOGY_GRAPH

    name, version = case
    cq = get_question(name)
    assert check_question(store, cq, [ONTOLOGY_GRAPH, GRAPH_BASE + version, DPV_GRAPH], version) == []


@pytest.mark.parametrize("name", PER_VERSION)
def test_requires_markers_are_truthful(store, name: str) -> None:
    """On a version that does not state one kind (a variant of June 2025, its IRIs mapped back), a question marked
    `requires: KIND` is refused and would not give June's answer; an unmarked one gives June's answer exactly."""
    from policykg.store.views import dataset_graphs, question_refusal

    cq = get_question(name)
    june = cq.expected(global_like.SOURCE)
    for variant, kinds in VARIANTS.items():
        result = run_question(store, cq, dataset_graphs(store, variant))
        mapped = QueryResult(result.variables, tuple({k: (t[0], global_like.to_source(t[1]), t[2]) for k, t in row.items()}
                                                     for row in result.rows), result.boolean)
        needed = bool(cq.requires & set(kinds))
        differs = compare(june, mapped, ordered=cq.ordered, concatenated=cq.concatenated) != []
        assert differs == needed, f"{name} on {variant}: " + ("marked, but answers the same: drop the mark" if needed
                                                              else f"answers differently: mark it '# requires: {kinds[0]}'")
        reason = question_refusal(store, cq, variant)
        assert bool(reason) == needed, reason
        if needed:
            kind = next(k for k in STATEMENT_KINDS if k in cq.requires and k in kinds)
            assert reason == f"{name} {REQUIREMENTS[kind].about}: the notice of {variant} {REQUIREMENTS[kind].lacking}"


def test_a_question_across_versions_is_refused_on_one_version_and_one_of_a_version_on_all(store) -> None:
    from policykg.store.views import question_refusal

    across, one = get_question("cq36"), get_question("cq02")
    assert question_refusal(store, across, "meta-eu-2025-12-16") == (
        "cq36-processes-added-removed compares versions: it is asked of every version at once (dataset 'all'), "
        "not of one version (meta-eu-2025-12-16)")
    assert question_refusal(store, across) is None and question_refusal(store, across, ALL) is None
    reason = question_refusal(store, one, ALL)
    assert reason and reason.startswith("cq02-processes-per-legal-basis asks about one version's notice") \
        and "meta-eu-2025-12-16" in reason
    with pytest.raises(QueryError, match="holds no version 'meta-xx-1999-01-01'"):
        question_refusal(store, one, "meta-xx-1999-01-01")


@pytest.mark.parametrize("name", NAMES)
def test_requires_dpv_marker_is_truthful(store_without_dpv, cq_build: Path, name: str) -> None:
    """Questions not marked `requires: dpv` give the same answer without DPV; marked ones do not (primary version)."""
    cq = get_question(name)
    dataset = ALL if cq.across_versions else REGISTRY.primary
    actual = run_question(store_without_dpv, cq, graphs_for(cq_build, dataset, dpv=False))
    differences = compare(cq.expected(REGISTRY.primary), actual, ordered=cq.ordered)
    if cq.requires_dpv:
        assert differences, f"{name} is marked 'requires: dpv' but answers the same without DPV"
    else:
        assert differences == [], f"{name} needs DPV: mark it '# requires: dpv'"


def _expected_files() -> list[Path]:
    folder = QUESTIONS[0].path.parent
    return sorted([*folder.glob("*.srj"), *folder.glob(f"{EXPECTED_DIR}/*/*.srj")])


def test_expected_results_are_not_empty() -> None:
    for path in _expected_files():
        version = path.parent.name if path.parent.parent.name == EXPECTED_DIR else None
        expected = read_result(path)
        if version not in (None, REGISTRY.primary) and (path.stem, version) in ALLOWED_EMPTY:
            continue
        assert expected.is_boolean or expected.rows, f"{path}: an empty expected result tests nothing"


def test_every_expected_file_belongs_to_a_question_and_a_version() -> None:
    by_name = {cq.name: cq for cq in QUESTIONS}
    for path in _expected_files():
        assert path.stem in by_name, f"{path}: no such question"
        if path.parent.parent.name == EXPECTED_DIR:
            assert path.parent.name in VERSIONS, f"{path}: no such version"
            assert not by_name[path.stem].across_versions, f"{path}: a question across versions has one file beside it"
        else:
            assert by_name[path.stem].across_versions, f"{path}: a question of one version keeps its answers in expected/"


def test_stored_expectations_are_in_the_canonical_format() -> None:
    """`policykg query --cq NAME --version V --format json` reproduces each stored .srj byte for byte."""
    for path in _expected_files():
        assert path.read_text(encoding="utf-8") == dumps_json(read_result(path)), path


def test_an_unknown_requirement_or_a_dataset_naming_a_version_is_an_error(tmp_path: Path) -> None:
    from policykg.store.questions import load_question

    bad = tmp_path / "cq99-bad.rq"
    bad.write_text("# Which?\n# requires: dpv, legal-basis\nSELECT * {}\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"cq99-bad.rq:2: unknown requirement 'legal-basis'.*known: dpv, legal-bases"):
        load_question(bad)
    bad.write_text("# Which?\n# dataset: meta-uk-2025-06-16\nSELECT * {}\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"cq99-bad.rq:2: '# dataset: meta-uk-2025-06-16': a question names no version"):
        load_question(bad)


# ---- the comparison itself can fail ----

def _result(*rows: dict, variables=("a", "b")) -> QueryResult:
    return QueryResult(tuple(variables), tuple({k: ("literal", v, "") for k, v in r.items()} for r in rows))


def test_compare_multiset_counts_duplicates() -> None:
    one = _result({"a": "1", "b": "2"})
    two = _result({"a": "1", "b": "2"}, {"a": "1", "b": "2"})
    assert compare(one, one) == []
    assert compare(one, two) and compare(two, one)


def test_compare_reports_missing_and_unexpected_rows() -> None:
    diffs = compare(_result({"a": "1"}), _result({"a": "2"}))
    assert any(d.startswith("missing") for d in diffs) and any(d.startswith("unexpected") for d in diffs)


def test_compare_ordered_only_when_asked() -> None:
    ab, ba = _result({"a": "1"}, {"a": "2"}), _result({"a": "2"}, {"a": "1"})
    assert compare(ab, ba) == []
    assert compare(ab, ba, ordered=True)


def test_compare_distinguishes_term_kinds_and_datatypes() -> None:
    iri = QueryResult(("a",), ({"a": ("uri", "http://x/1", "")},))
    lit = QueryResult(("a",), ({"a": ("literal", "http://x/1", "")},))
    typed = QueryResult(("a",), ({"a": ("literal", "1", "http://www.w3.org/2001/XMLSchema#integer")},))
    plain = QueryResult(("a",), ({"a": ("literal", "1", "")},))
    assert compare(iri, lit) and compare(typed, plain)
    assert compare(iri, lit, lexical=True) != []  # CSV still tells IRIs from literals by their scheme
    assert compare(typed, plain, lexical=True) == []


def test_compare_numbers_and_booleans_by_value() -> None:
    """What engines write differently for the same value compares equal; different values do not."""
    xsd = "http://www.w3.org/2001/XMLSchema#"

    def one(value: str, datatype: str) -> QueryResult:
        return QueryResult(("a",), ({"a": ("literal", value, datatype)},))

    assert compare(one("24203", xsd + "integer"), one("24203", xsd + "nonNegativeInteger")) == []
    assert compare(one("1.5", xsd + "decimal"), one("1.50", xsd + "decimal")) == []
    assert compare(one("2", xsd + "integer"), one("2.0E0", xsd + "double")) == []
    assert compare(one("false", xsd + "boolean"), one("0", xsd + "boolean")) == []
    assert compare(one("24203", xsd + "integer"), one("24204", xsd + "integer"))
    assert compare(one("true", xsd + "boolean"), one("0", xsd + "boolean"))
    assert compare(one("1", xsd + "integer"), one("1", xsd + "string"))
    assert compare(one("1", xsd + "integer"), one("true", xsd + "boolean"))


def test_compare_concatenated_values_as_multisets() -> None:
    """GROUP_CONCAT joins its items in an order SPARQL leaves to the engine; `# concatenated:` variables say so."""
    a, b = _result({"a": "A6-1-d A6-1-a", "b": "x y"}), _result({"a": "A6-1-a A6-1-d", "b": "x y"})
    assert compare(a, b)
    assert compare(a, b, concatenated=["a"]) == []
    assert compare(a, _result({"a": "A6-1-a A6-1-a", "b": "x y"}), concatenated=["a"])
    assert all(not cq.concatenated or {"bases", "fields"} >= cq.concatenated for cq in QUESTIONS)


def test_compare_booleans_and_variables() -> None:
    assert compare(QueryResult(boolean=True), QueryResult(boolean=False))
    assert compare(QueryResult(boolean=True), QueryResult(boolean=True)) == []
    assert compare(_result({"a": "1"}), _result({"a": "1"}, variables=("a", "c")))


def test_json_round_trip_and_xsd_string_normalised() -> None:
    doc = {"head": {"vars": ["x", "y"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "v", "datatype": "http://www.w3.org/2001/XMLSchema#string"},
         "y": {"type": "literal", "value": "w", "xml:lang": "EN"}}]}}
    parsed = from_sparql_json(doc)
    assert parsed.rows[0]["x"] == ("literal", "v", "") and parsed.rows[0]["y"] == ("literal", "w", "@en")
    assert from_sparql_json(dumps_json(parsed)) == parsed


def test_csv_reading() -> None:
    parsed = from_sparql_csv(dumps_csv(QueryResult(("s", "n"), ({"s": ("uri", "https://w3id.org/dpv#Use", ""),
                                                                  "n": ("literal", "3", "")},))))
    assert parsed.rows == ({"s": ("uri", "https://w3id.org/dpv#Use", ""), "n": ("literal", "3", "")},)


def test_order_by_detection_ignores_comments_and_strings() -> None:
    assert is_ordered("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s")
    assert is_ordered("select * where { ?s ?p ?o }\norder  by desc(?s)")
    assert not is_ordered("# we ORDER BY nothing\nSELECT * WHERE { ?s ?p \"ORDER BY\" }")


def test_question_of_reads_first_comment_line() -> None:
    assert question_of("\n# Which?\n# more\nSELECT") == "Which?"
    assert question_of("SELECT * {}") == ""


def test_lookup_by_number_and_unknown_name() -> None:
    assert get_question("cq01").name == NAMES[0]
    with pytest.raises(QueryError, match="unknown competency question"):
        get_question("cq99-nothing")


def test_syntax_error_names_the_position(store) -> None:
    from policykg.store.questions import run_query

    with pytest.raises(QueryError, match=r"2:\d+"):
        run_query(store, "SELECT ?x WHERE {\n ?x ?y }")


def test_to_dataframe_types(store, cq_build: Path) -> None:
    june = graphs_for(cq_build, REGISTRY.primary)
    df = to_dataframe(run_question(store, get_question("cq02"), june))
    assert list(df.columns) == ["basis", "processes"]
    assert df["processes"].dtype.kind == "i"
    assert to_dataframe(run_question(store, get_question("cq29"), june))["boolean"].tolist() == [True]


def test_an_order_by_inside_a_long_string_is_not_an_ordering() -> None:
    assert not is_ordered('SELECT * WHERE { ?s ?p """ORDER BY ?s""" }')
    assert not is_ordered("SELECT * WHERE { ?s ?p '''\nORDER BY\n''' }")
    assert is_ordered('SELECT * WHERE { ?s ?p """x""" } ORDER BY ?s')

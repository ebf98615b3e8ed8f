"""Every competency question, run on the embedded store, gives exactly its expected result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip
from policykg.store.questions import (
    QueryError,
    QueryResult,
    check_question,
    compare,
    dumps_csv,
    dumps_json,
    from_sparql_csv,
    from_sparql_json,
    get_question,
    load_questions,
    question_of,
    run_question,
    to_dataframe,
)
from policykg.store.sparql_lexer import is_ordered

#: The number of competency questions: change it only together with adding or removing a question.
EXPECTED_QUESTIONS = 64
QUESTIONS = load_questions()
NAMES = [cq.name for cq in QUESTIONS]


@pytest.fixture(scope="module")
def cq_build(build_dir: Path) -> Path:
    return build_dir


@pytest.fixture(scope="module")
def store(cq_build: Path):
    from policykg.store.dataset import load_store

    return load_store(cq_build, dpv_or_skip())


@pytest.fixture(scope="module")
def store_without_dpv(cq_build: Path):
    from policykg.store.dataset import load_store

    return load_store(cq_build, None)


def test_number_of_questions_is_pinned() -> None:
    assert len(QUESTIONS) >= 25
    assert len(QUESTIONS) == EXPECTED_QUESTIONS, f"competency questions appeared or disappeared: {NAMES}"


def test_questions_are_well_formed() -> None:
    numbers = [cq.name.split("-", 1)[0] for cq in QUESTIONS]
    assert len(set(numbers)) == len(numbers), "two questions share a number"
    for cq in QUESTIONS:
        assert re.fullmatch(r"cq\d{2}-[a-z0-9]+(-[a-z0-9]+)*", cq.name), cq.name
        assert cq.question.endswith("?"), f"{cq.name}: the first comment line must be the question"
        assert cq.expected_path is not None, f"{cq.name}: no expected result beside it"


@pytest.mark.parametrize("name", NAMES)
def test_question_gives_expected_result(store, name: str) -> None:
    """On the union of every graph (as Oxigraph's or Virtuoso's server would serve the dump): the question is
    scoped to its version inside the query, so other versions cannot change its answer."""
    cq = get_question(name)
    assert check_question(store, cq) == []


@pytest.mark.parametrize("name", [cq.name for cq in QUESTIONS if cq.dataset != "all"])
def test_question_gives_the_same_answer_on_its_versions_dataset(store, cq_build: Path, name: str) -> None:
    """The same answer on the primary version's dataset, what /sparql serves a client that names no dataset."""
    from policykg.store.dataset import read_manifest

    cq = get_question(name)
    assert check_question(store, cq, read_manifest(cq_build).default_graphs()) == []


def test_cross_version_questions_are_marked() -> None:
    """A question that names a notice other than the June 2025 UK one, or no notice, says `# dataset: all`."""
    for cq in QUESTIONS:
        scoped = "meta-uk-2025-06-16/notice>" in cq.text
        assert scoped or cq.dataset == "all", f"{cq.name} is neither scoped to one version nor marked 'dataset: all'"


@pytest.mark.parametrize("name", NAMES)
def test_requires_dpv_marker_is_truthful(store_without_dpv, name: str) -> None:
    """Questions not marked `requires: dpv` give the same answer without DPV; marked ones do not."""
    cq = get_question(name)
    differences = compare(cq.expected(), run_question(store_without_dpv, cq), ordered=cq.ordered)
    if cq.requires_dpv:
        assert differences, f"{name} is marked 'requires: dpv' but answers the same without DPV"
    else:
        assert differences == [], f"{name} needs DPV: mark it '# requires: dpv'"


@pytest.mark.parametrize("name", NAMES)
def test_expected_results_are_not_empty(name: str) -> None:
    expected = get_question(name).expected()
    assert expected.is_boolean or expected.rows, f"{name}: an empty expected result tests nothing"


def test_stored_expectations_are_in_the_canonical_format(store) -> None:
    """`policykg query --cq NAME --format json` reproduces each stored .srj byte for byte."""
    for cq in QUESTIONS:
        if cq.expected_path.suffix == ".srj":
            assert cq.expected_path.read_text(encoding="utf-8") == dumps_json(cq.expected()), cq.name


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


def test_to_dataframe_types(store) -> None:
    df = to_dataframe(run_question(store, get_question("cq02")))
    assert list(df.columns) == ["basis", "processes"]
    assert df["processes"].dtype.kind == "i"
    assert to_dataframe(run_question(store, get_question("cq29")))["boolean"].tolist() == [True]


def test_an_order_by_inside_a_long_string_is_not_an_ordering() -> None:
    assert not is_ordered('SELECT * WHERE { ?s ?p """ORDER BY ?s""" }')
    assert not is_ordered("SELECT * WHERE { ?s ?p '''\nORDER BY\n''' }")
    assert is_ordered('SELECT * WHERE { ?s ?p """x""" } ORDER BY ?s')

"""The SHACL shapes and rules, case by case: each valid graph gives no result at all, each invalid graph breaks
exactly the shapes it names; the structure and completeness shapes are completeness failures (an encoding bug), the
others findings with a verdict whose severity follows it.

Cases are files: tests/shapes/valid/*.ttl (a leading `# covers: pks:Shape ...` or `# covers: all` names the
shapes the graph exercises) and tests/shapes/invalid/*.ttl (leading `# expect: pks:Shape <focus>` lines,
focus as a CURIE of the file's prefixes, a full IRI, or `_:` for a blank node). A `# sets: NAME ...` line
validates the case with those shape or rule files only (`rules`: every rule file), e.g. a rule case that is not
a complete notice; without it, every shape and rule file is used.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from policykg.validate.library import (
    COMPLETENESS_SETS,
    PKS_VERDICT,
    RULE_SETS,
    SHAPE_SETS,
    SHAPES_NS,
    VERDICTS,
    available_rule_sets,
    load_shapes,
    set_path,
)
from policykg.validate.shacl import load_dpv_graph, validate_graph

CASES = Path(__file__).parent / "shapes"
VALID = sorted((CASES / "valid").glob("*.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
MIN_VALID, MIN_INVALID = 20, 75


@pytest.fixture(scope="module")
def dpv_graph(dpv_folder: Path) -> Graph:
    """DPV 2.3 (the statements the shapes use), parsed once for the module."""
    return load_dpv_graph(dpv_folder)


def targeted_shapes() -> set[str]:
    """Every shape with a target: the shapes a finding can come from."""
    graph = load_shapes()
    target_predicates = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    return {str(s) for p in target_predicates for s in graph.subjects(p, None) if isinstance(s, URIRef)}


def header(path: Path, keyword: str) -> list[list[str]]:
    """The word lists of the leading `# keyword: ...` comment lines of a case file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(rf"#\s*{keyword}:\s*(.+)$", line)
        if match:
            rows.append(match.group(1).split())
    return rows


def expand(graph: Graph, term: str) -> str:
    """A CURIE (with the case file's prefixes or pks:), <IRI> or `_:` as a comparable string."""
    if term == "_:":
        return "_:"
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    prefix, _, local = term.partition(":")
    if prefix == "pks":
        return SHAPES_NS + local
    namespaces = dict(graph.namespaces())
    assert prefix in namespaces, f"unknown prefix in {term!r}"
    return str(namespaces[prefix]) + local


def case_sets(path: Path) -> list[str] | None:
    """The shape and rule files a case names in `# sets:` (`rules` for every rule file), or None for all."""
    rows = header(path, "sets")
    if not rows:
        return None
    names = [n for row in rows for n in row]
    return [s for n in names for s in (available_rule_sets() if n == "rules" else [n])]


def found(outcome) -> set[tuple[str, str]]:
    """(shape, focus) pairs of the findings; blank-node focus nodes as `_:`."""
    return {(f.shape, "_:" if f.focus.startswith("_:") else f.focus) for f in outcome.findings}


def test_enough_cases():
    assert len(VALID) >= MIN_VALID, f"only {len(VALID)} valid cases"
    assert len(INVALID) >= MIN_INVALID, f"only {len(INVALID)} invalid cases"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms_without_findings(path: Path, dpv_graph: Graph):
    outcome = validate_graph(Graph().parse(path), dpv_graph, case_sets(path))
    assert outcome.complete
    assert [(f.shape, f.focus, f.message) for f in outcome.findings] == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_case_breaks_exactly_its_shape(path: Path, dpv_graph: Graph):
    graph = Graph().parse(path)
    expected = {(expand(graph, shape), expand(graph, focus)) for shape, focus in header(path, "expect")}
    assert expected, f"{path.name} names no expected finding (# expect: pks:Shape focus)"
    outcome = validate_graph(graph, dpv_graph, case_sets(path))
    assert found(outcome) == expected
    assert outcome.complete == all(f.kind == "finding" for f in outcome.findings)
    assert all((f.kind == "completeness") == (f.concern in COMPLETENESS_SETS) for f in outcome.findings)
    assert all(f.message and "{" not in f.message for f in outcome.findings)


def test_every_shape_has_a_valid_and_an_invalid_case():
    shapes = targeted_shapes()
    assert len(shapes) >= 70
    broken = {expand(Graph(), shape) for path in INVALID for shape, _ in header(path, "expect")}
    covered: set[str] = set()
    for path in VALID:
        for words in header(path, "covers"):
            covered |= shapes if words == ["all"] else {expand(Graph(), w) for w in words}
    assert covered <= shapes and broken <= shapes
    assert shapes - broken == set(), "shapes without an invalid case"
    assert shapes - covered == set(), "shapes without a valid case"


def test_every_shape_is_documented_and_has_a_severity():
    graph = load_shapes()
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if isinstance(shape, BNode):
                continue
            assert graph.value(shape, URIRef("http://www.w3.org/2000/01/rdf-schema#label")), shape
            assert graph.value(shape, SH.message), shape
    for shape in targeted_shapes():
        assert graph.value(URIRef(shape), SH.severity) is not None, shape


#: The SHACL severity of each verdict: a completeness failure is a Violation (sh:conforms false in the report); a
#: finding that the notice conflicts with the law or does not state what it asks is a Warning, a check is Info.
SEVERITY_OF = {"conflicts-with": SH.Warning, "does-not-state": SH.Warning, "check": SH.Info}


def test_severities_and_verdicts_follow_the_kind():
    for name in (*SHAPE_SETS, *RULE_SETS):
        graph = load_shapes([name])
        in_file = [URIRef(s) for s in targeted_shapes() if (URIRef(s), None, None) in graph]
        assert in_file, name
        for shape in in_file:
            severity, verdict = graph.value(shape, SH.severity), graph.value(shape, PKS_VERDICT)
            if name in COMPLETENESS_SETS:
                assert (severity, verdict) == (SH.Violation, None), shape
            else:
                assert str(verdict) in VERDICTS and severity == SEVERITY_OF[str(verdict)], shape


@pytest.mark.parametrize("name", (*SHAPE_SETS, *RULE_SETS))
def test_shapes_file_passes_shacl_shacl(name: str):
    from pyshacl import validate
    from pyshacl.errors import ReportableRuntimeError

    graph = Graph().parse(set_path(name))
    try:
        conforms, _report, text = validate(Graph(), shacl_graph=graph, meta_shacl=True, advanced=True)
    except ReportableRuntimeError as exc:  # raised when the shapes graph fails SHACL-SHACL
        pytest.fail(str(exc))
    assert conforms, text


def test_unknown_shape_set_is_an_error():
    from policykg.errors import PolicyKGError

    with pytest.raises(PolicyKGError, match="unknown shapes 'nonsense'"):
        load_shapes(["structure", "nonsense"])

"""The rule library (shapes/rules/): every rule says what it applies and draws on, where, and its verdict; every
provision it cites says its authority, weight and dates in force; a rule fires only on notices of its own
jurisdictions (the invalid cases of tests/shapes, moved to the other jurisdiction, or given no applicable law)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH

from policykg.validate.library import (
    AUTHORITIES,
    JURISDICTION_OF_LAW,
    JURISDICTIONS,
    PKS_FROM,
    PKS_JURISDICTION,
    PKS_PROVISION,
    RULE_SETS,
    VERDICTS,
    WEIGHTS,
    ShapeLibrary,
    available_rule_sets,
    choose_sets,
    set_path,
)
from policykg.validate.shacl import load_dpv_graph, validate_graph
from test_shapes import INVALID, case_sets, expand, found, header

LAW_OF = {j: URIRef(law) for law, j in JURISDICTION_OF_LAW.items()}
APPLICABLE_LAW = URIRef("https://w3id.org/dpv#hasApplicableLaw")
RULE_CASES = [p for p in INVALID if case_sets(p) and set(case_sets(p)) <= set(RULE_SETS)]
MIN_RULES, MIN_RULE_CASES = 24, 20


@pytest.fixture(scope="module")
def library() -> ShapeLibrary:
    """Every shape and rule file, loaded once."""
    return ShapeLibrary.load()


@pytest.fixture(scope="module")
def dpv_graph(dpv_folder: Path) -> Graph:
    """DPV 2.3 (the statements the shapes use), parsed once for the module."""
    return load_dpv_graph(dpv_folder)


def rules(library: ShapeLibrary) -> list[str]:
    """The IRIs of the rules (shapes from shapes/rules/)."""
    return sorted(iri for iri, info in library.shapes.items() if info.rule)


def test_the_rule_files_are_there():
    assert available_rule_sets() == list(RULE_SETS)
    assert choose_sets(None, rules_only=True) == RULE_SETS


def test_enough_rules_and_cases(library: ShapeLibrary):
    assert len(rules(library)) >= MIN_RULES
    assert len(RULE_CASES) >= MIN_RULE_CASES


@pytest.mark.parametrize("name", RULE_SETS)
def test_every_rule_names_label_provisions_jurisdictions_verdict_and_message(name: str, library: ShapeLibrary):
    graph = Graph().parse(set_path(name))
    shapes = [s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    assert shapes
    for shape in shapes:
        info = library.info(str(shape))
        assert graph.value(shape, RDFS.label) and graph.value(shape, SH.message), shape
        assert graph.value(shape, SH.severity) in (SH.Warning, SH.Info), f"{shape}: rules are findings, never Violations"
        assert info.kind == "finding" and info.verdict in VERDICTS, shape
        assert info.jurisdictions and set(info.jurisdictions) <= set(JURISDICTIONS), shape
        assert info.provisions, f"{shape} names no provision (dct:source)"
        # a rule applies legislation or a statutory code in each jurisdiction it runs in; what it draws on comes from there too
        assert {p.jurisdiction for p in info.provisions} == set(info.jurisdictions), shape
        assert all(p.authority in ("legislation", "guidance") for p in info.provisions), shape
        assert {p.jurisdiction for p in info.references} <= set(info.jurisdictions), shape
        # legislation always links to its text; a judgment, decision or guidance links where a link was verified
        assert all(p.url and p.url.startswith("https://") for p in info.provisions if p.authority == "legislation"), shape


@pytest.mark.parametrize("name", RULE_SETS)
def test_every_rule_target_asks_for_the_laws_of_its_jurisdictions(name: str, library: ShapeLibrary):
    """The SPARQL target of a rule names exactly the applicable laws of the jurisdictions the rule declares."""
    graph = Graph().parse(set_path(name))
    curie = {"uk": "legal-gb:law-GDPR", "eu": "legal-eu:law-GDPR"}
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        target = graph.value(shape, SH.target)
        select = str(graph.value(target, SH.select))
        named = {j for j, law in curie.items() if law in select}
        assert named == set(library.info(str(shape)).jurisdictions), shape
        assert "dpv:hasApplicableLaw" in select, shape


def test_every_cited_provision_is_defined(library: ShapeLibrary):
    graph = library.graph
    cited = [(shape, source) for predicate in (DCTERMS.source, DCTERMS.references)
             for shape, source in graph.subject_objects(predicate) if str(shape) in library.shapes]
    assert len({source for _, source in cited}) >= 60
    for shape, source in cited:
        assert (source, RDF.type, PKS_PROVISION) in graph, f"{shape} cites {source}, not in shapes/provisions.ttl"
        provision = library.provision(source)
        assert provision.label != str(source) and provision.jurisdiction in JURISDICTIONS, source
        assert provision.authority in AUTHORITIES and provision.weight in WEIGHTS, source
        assert provision.in_force_from is not None and (graph.value(source, PKS_FROM) is not None), source
        assert provision.in_force_to is None or provision.in_force_from <= provision.in_force_to, source
        assert provision.url is None or provision.url.startswith("https://"), source
        assert provision.url or provision.authority != "legislation", f"{source}: legislation without a link"


def test_weights_follow_the_jurisdiction(library: ShapeLibrary):
    """A CJEU judgment or EDPB decision after 31 December 2020 binds in the EU and is persuasive in the UK (European
    Union (Withdrawal) Act 2018 s. 6(2)); the ICO's guidance is guidance; legislation binds where it applies."""
    graph = library.graph
    provisions = [library.provision(p) for p in graph.subjects(RDF.type, PKS_PROVISION)]
    assert len(provisions) >= 80
    for p in provisions:
        if p.authority == "legislation":
            assert p.weight == "binding", p.iri
        if p.id.startswith(("uk-cjeu-", "uk-edpb-", "uk-ie-dpc-")):
            assert p.weight == "persuasive" and p.in_force_from and p.in_force_from.year > 2020, p.iri
        if p.id.startswith(("eu-cjeu-", "eu-edpb-bd-", "eu-ie-dpc-")):
            assert p.weight == "binding", p.iri
        if p.id.startswith(("uk-ico-", "uk-aadc-")):
            assert (p.authority, p.weight) == ("guidance", "guidance"), p.iri


def _with_law(graph: Graph, jurisdiction: str | None) -> Graph:
    """A copy of a case whose notices have the applicable law of another jurisdiction (or none)."""
    moved = Graph()
    for prefix, namespace in graph.namespaces():
        moved.bind(prefix, namespace)
    for s, p, o in graph:
        if p == APPLICABLE_LAW:
            if jurisdiction is None:
                continue
            o = LAW_OF[jurisdiction]
        moved.add((s, p, o))
    return moved


def _case_jurisdiction(graph: Graph) -> str:
    (law,) = set(graph.objects(None, APPLICABLE_LAW))
    return JURISDICTION_OF_LAW[str(law)]


@pytest.mark.parametrize("path", RULE_CASES, ids=lambda p: p.stem)
def test_a_rule_fires_only_in_its_jurisdictions(path: Path, library: ShapeLibrary, dpv_graph: Graph):
    """Each invalid rule case, moved to the other jurisdiction: its rule still fires there if it applies there,
    and never otherwise (a UK-only rule never fires on an EU notice, and the reverse); with no applicable law,
    no rule fires at all."""
    graph = Graph().parse(path)
    expected = {(expand(graph, shape), expand(graph, focus)) for shape, focus in header(path, "expect")}
    home = _case_jurisdiction(graph)
    (other,) = set(JURISDICTIONS) - {home}
    moved = found(validate_graph(_with_law(graph, other), dpv_graph, RULE_SETS))
    for shape, focus in expected:
        applies = other in library.info(shape).jurisdictions
        assert ((shape, focus) in moved) == applies, (shape, other)
    assert found(validate_graph(_with_law(graph, None), dpv_graph, RULE_SETS)) == set()


def test_findings_name_the_provisions_of_their_jurisdiction(dpv_graph: Graph):
    path = next(p for p in RULE_CASES if p.stem == "rule-child-interests-no-balancing")
    graph = Graph().parse(path)
    for jurisdiction, label, link in (
            ("uk", "UK GDPR Art. 6(1)(f) (legitimate interests)", "https://www.legislation.gov.uk/eur/2016/679/article/6"),
            ("eu", "GDPR Art. 6(1)(f) (legitimate interests)", "https://eur-lex.europa.eu/eli/reg/2016/679/oj")):
        outcome = validate_graph(_with_law(graph, jurisdiction), dpv_graph, ["gdpr"])
        (finding,) = outcome.findings
        assert finding.jurisdiction == jurisdiction and outcome.jurisdiction == jurisdiction
        assert [(p.label, p.url) for p in finding.provisions] == [(label, link)]
        result = next(outcome.report.subjects(SH.focusNode, URIRef(finding.focus)))
        assert (result, PKS_JURISDICTION, Literal(jurisdiction)) in outcome.report


def test_messages_explain_what_is_checked(library: ShapeLibrary):
    """Each rule's constraint message says what the rule looked for (the terms it matched); a rule whose verdict is
    check asks a person to check or weigh; none calls what it finds a breach or a violation."""
    graph = library.graph
    for iri in rules(library):
        constraint = graph.value(URIRef(iri), SH.sparql)
        message = str(graph.value(constraint, SH.message))
        assert re.search(r"(dpv|pko|eu-gdpr|pd):\w+", message), iri
        if library.info(iri).verdict == "check":
            assert re.search(r"\b(check|weigh)\b", message, re.IGNORECASE), iri
        assert not re.search(r"\b(breach|breaches|violat\w*|unlawful)\b", message, re.IGNORECASE), iri


def test_a_broken_rule_file_is_a_clear_error(tmp_path: Path):
    """A syntax error in a rule file names the file and line (the command exits 2 before any output)."""
    import shutil

    from policykg.config import shapes_dir
    from policykg.errors import PolicyKGError

    folder = tmp_path / "shapes"
    shutil.copytree(shapes_dir(), folder)
    broken = folder / "rules" / "dsa.ttl"
    broken.write_text(broken.read_text(encoding="utf-8").replace("sh:severity sh:Info ;", "sh:severity sh:Info", 1),
                      encoding="utf-8")
    with pytest.raises(PolicyKGError, match=re.escape(str(broken)) + r":\d+: Turtle syntax error"):
        ShapeLibrary.load(directory=folder)

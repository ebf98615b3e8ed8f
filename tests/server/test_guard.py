"""The lexical query guard and the Accept parser, on their own."""

from __future__ import annotations

import time

import pytest

from policykg.server.backend.guard import Refused, inspect_query
from policykg.server.protocol.negotiation import best_media_type
from policykg.store.sparql_lexer import tokens


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("prefix ex: <http://e/> base <http://b/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
    ("# comment\nASK {}", "ASK"),
    ("DESCRIBE <http://e/x>", "DESCRIBE"),
    ("SELEKT * {}", None),
])
def test_query_forms(query, form):
    assert inspect_query(query).form == form


def test_tokens_skip_strings_comments_and_iris():
    kinds = [(t.kind, t.text) for t in tokens('SELECT ?x { ?x ?p """SERVICE""" } # SERVICE\n<urn:SERVICE>')]
    assert ("word", "SERVICE") not in kinds
    assert ("string", '"""SERVICE"""') in kinds and ("iri", "<urn:SERVICE>") in kinds


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://a.example/s> {} }",
    "SELECT * { SERVICE ?x {} }",
    "SELECT * { SERVICE:x {} }",
    "PREFIX p: <http://a.example/> SELECT * { SERVICE SILENT p:s {} }",
    "SELECT * { SERVICE <file:///etc/passwd> {} }",
])
def test_service_refused_without_allowlist(query):
    with pytest.raises(Refused):
        inspect_query(query)


def test_service_allowlist_by_host_or_host_and_port():
    assert inspect_query("SELECT * { SERVICE <http://a.example/s> {} }", ["a.example"]).service_iris
    assert inspect_query("SELECT * { SERVICE <http://a.example:81/s> {} }", ["a.example:81"]).service_iris
    with pytest.raises(Refused):
        inspect_query("SELECT * { SERVICE <http://a.example:82/s> {} }", ["a.example:81"])
    with pytest.raises(Refused):
        inspect_query("SELECT * { SERVICE <http://a.example.evil/s> {} }", ["a.example"])


@pytest.mark.parametrize("header, offers, expected", [
    ("text/csv;q=0.3, */*;q=0.5", ["text/csv", "application/json"], "application/json"),
    ("application/*", ["text/csv", "application/json"], "application/json"),
    ("text/csv;q=0", ["text/csv"], None),
    ("TEXT/CSV", ["text/csv"], "text/csv"),
    ("text/csv;q=abc, application/json;q=0.1", ["text/csv", "application/json"], "application/json"),
    (None, ["a/b", "c/d"], "a/b"),
    ("c/d, a/b", ["a/b", "c/d"], "c/d"),
])
def test_best_media_type(header, offers, expected):
    assert best_media_type(header, offers) == expected


# ---- the strict SPARQL 1.1 parse: only standard queries reach an engine ----

import pyoxigraph as ox  # noqa: E402

from policykg.server.backend.guard import NotStandard, shape  # noqa: E402
from policykg.server.backend.standard import check_standard  # noqa: E402
from policykg.store.jobs import parse_only  # noqa: E402


def in_process(probe: str):
    """The parser processes' work, done here: these test queries are known not to crash it."""
    return parse_only(ox.Store(), probe)


def check(query: str, allowed_functions=(), allowed_hosts=()) -> None:
    check_standard(query, inspect_query(query, allowed_hosts), allowed_functions, in_process)


@pytest.mark.parametrize("query, refusal, says", [
    # what reached a writable Virtuoso through the first-keyword guard
    ("DEFINE sql:log-enable 2 INSERT DATA { <urn:a> <urn:b> <urn:c> }", Refused, "SPARQL Update (INSERT)"),
    ("MODIFY GRAPH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", Refused, "(MODIFY)"),
    ("define input:same-as \"yes\" PREFIX e: <http://e/> DELETE WHERE { ?s ?p ?o }", Refused, "SPARQL Update (DELETE)"),
    ('SELECT (bif:http_get("http://127.0.0.1:9/") AS ?x) {}', Refused, "bif: scheme"),
    ('PREFIX bif: <bif:> SELECT (bif:http_get("http://127.0.0.1:9/") AS ?x) {}', Refused, "bif: scheme"),
    ('SELECT (<bif:http_get>("http://127.0.0.1:9/") AS ?x) {}', Refused, "bif: scheme"),
    ("PREFIX b: <BIF:> SELECT * { ?s b:contains 'x' }", Refused, "magic predicates"),
    ("SELECT * { ?s <sql:whatever> ?o }", Refused, "sql: scheme"),
    ('SELECT (<java:org.example.F>(1) AS ?x) {}', Refused, "java: scheme"),
    ('DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> { ?s ?p ?o }', NotStandard, "Virtuoso pragma"),
    ("DEFINE input:inference 'x' SELECT * { ?s ?p ?o }", NotStandard, "remove the DEFINE line"),
    ("SELECT * { ?s ?p ?o } DEFINE x 1", NotStandard, "DEFINE pragmas are Virtuoso's"),
    # functions: SPARQL 1.1 built-ins and XSD casts only (fn:doc would read a URL on an XPath engine)
    ("PREFIX fn: <http://www.w3.org/2005/xpath-functions#> SELECT (fn:doc('http://e/') AS ?x) {}", Refused,
     "function <http://www.w3.org/2005/xpath-functions#doc> is not allowed"),
    ("SELECT * { ?s ?p ?o FILTER(<http://e/f>(?o)) }", Refused, "--allow-function"),
    ("ASK { FILTER(<http://e/f>(1)) }", Refused, "--allow-function"),
    # Virtuoso's syntax extensions and plain errors
    ("SELECT * { ?s <urn:p>{1,3} ?o }", NotStandard, "not a SPARQL 1.1 query"),
    ("SELECT * { ?s ?p ?o OPTION (TRANSITIVE) }", NotStandard, "not a SPARQL 1.1 query"),
    ("SPARQL SELECT * { ?s ?p ?o }", NotStandard, "not a SPARQL 1.1 query"),
    ("SELECT * { ?s rdfs:label ?o }", NotStandard, ": declare it with PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>; "
     "this query declares none; the project's prefixes are pko:, pkd:"),
    ("SELECT * { ?s ?p ?o } GROUP BY ?s", NotStandard, "not a SPARQL 1.1 query"),
    ("SELECT ?x (1 AS ?x) {}", NotStandard, "not a SPARQL 1.1 query"),
])
def test_non_standard_queries_are_refused_with_the_reason(query, refusal, says):
    with pytest.raises(refusal) as caught:
        check(query)
    assert says in str(caught.value)


@pytest.mark.parametrize("query", [
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:boolean(EXISTS { ?s ?p ?o }) AS ?b) {}",
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:date('2025-06-16') AS ?d) {}",
    "ASK { ?s ?p ?o FILTER EXISTS { ?o ?p ?s } }",
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> SELECT * { ?s rdf:first (1 2) }",
    "DESCRIBE <http://e/x>",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
    "SELECT ?define { ?define ?p 'DEFINE sql:x 1' } # DEFINE in a comment",
])
def test_standard_queries_pass(query):
    check(query)


def test_an_allowlisted_function_passes():
    check("SELECT * { ?s ?p ?o FILTER(<http://e/f>(?o)) }", ["http://e/f"])
    check("ASK { FILTER(<http://e/f>(1)) }", ["http://e/f"])


def test_the_check_evaluates_nothing(trap):
    """A SERVICE is never called and a VALUES product never expanded by the check, an ASK included."""
    url = f"http://127.0.0.1:{trap.port}/sparql"
    for query in [f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                  f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                  f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"]:
        check(query, allowed_hosts=[f"127.0.0.1:{trap.port}"])
    assert trap.connections == []  # the check returns only after any HTTP call it made, so nothing is pending
    numbers = " ".join(map(str, range(3000)))
    bomb = f"ASK {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} VALUES ?c {{ {numbers} }} FILTER(false) }}"
    started = time.monotonic()
    check(bomb)
    check(bomb.replace("ASK", "SELECT *", 1))
    assert time.monotonic() - started < 2  # 2.7e10 combinations if anything were evaluated


def test_syntax_errors_point_into_the_clients_text():
    """The check parses the query wrapped in { { ... } FILTER(false) }; errors are reported where the client wrote them."""
    for query in ["ASK { ?s ?p }", "SELECT * WHERE { ?s ?p ?o . FILTER(?o = ) }", "SELECT *\nWHERE { ?s ?p\n ?o ?x }",
                  "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT x"]:
        with pytest.raises(SyntaxError) as direct:
            ox.Store().query(query)
        with pytest.raises(NotStandard) as caught:
            check(query)
        assert str(direct.value).split(":", 2)[:2] == str(caught.value).split("query: ", 1)[1].split(":", 2)[:2]


@pytest.mark.parametrize("query, expected", [
    ("SELECT * { ?s ?p ?o }", ("SELECT", None)),
    ("PREFIX e: <http://e/> ask { }", ("ASK", None)),
    ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } ORDER BY ?s LIMIT 20 OFFSET 3", ("SELECT", 20)),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10 VALUES ?s { <http://e/> }", ("CONSTRUCT", 10)),
    ("DESCRIBE <http://e/LIMIT>", ("DESCRIBE", None)),
])
def test_shape_reads_form_and_top_level_limit(query, expected):
    assert shape(query) == expected


def test_refusals_over_http_are_readable(client):
    for query, status in [
        ("DEFINE sql:log-enable 2 INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
        ('SELECT (bif:http_get("http://127.0.0.1:9/") AS ?x) {}', 403),
        ('DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> { ?s ?p ?o }', 400),
        ("SELECT * { ?s rdfs:label ?o }", 400),
    ]:
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == status, response.data
        assert response.mimetype == "text/plain" and b"Traceback" not in response.data
        assert response.data.startswith(f"{status} ".encode())


PFX = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX e: <http://e/> "


@pytest.mark.parametrize("query, calls", [
    # collections and path groups after a predicate are not calls
    ("SELECT * { ?s rdf:first (1 2) }", []),
    ("SELECT * { ?s a (1 2) }", []),
    ("SELECT * { ( <http://e/a> ( <http://e/b> ) ) e:p ?o }", []),
    ("SELECT * { ?s e:p [ e:q (1 2) ] }", []),
    ("SELECT * { ?s e:p/(e:q|e:r) ?o . ?s !(e:x) ?o }", []),
    ("CONSTRUCT { ?s e:p (1 2) } WHERE { ?s ?p ?o }", []),
    ("SELECT * { VALUES (?a ?b) { (e:x e:y) } FILTER(?a IN (e:x, e:y)) FILTER regex(str(?a), 'x') }", []),
    # calls in every kind of expression
    ("SELECT * { ?s ?p ?o FILTER e:f(?o) }", ["http://e/f"]),
    ("SELECT * { ?s ?p ?o FILTER (e:f(?o) && e:g(?s)) }", ["http://e/f", "http://e/g"]),
    ("SELECT * { BIND(e:f(1) AS ?x) }", ["http://e/f"]),
    ("SELECT (e:f(1) AS ?y) {}", ["http://e/f"]),
    ("SELECT ?s { ?s ?p ?o } GROUP BY ?s HAVING (e:f(?s)) ORDER BY e:g(?s)", ["http://e/f", "http://e/g"]),
    ("SELECT * { { SELECT (e:f(1) AS ?x) WHERE { ?s rdf:first (1) } ORDER BY e:g(?x) } }", ["http://e/f", "http://e/g"]),
    ("SELECT * { ?s ?p ?o FILTER EXISTS { ?s e:p (1) FILTER(e:f(?s)) } }", ["http://e/f"]),
    ("SELECT * { SERVICE <http://e/s> { ?s ?p ?o FILTER(e:f(?o)) } }", ["http://e/f"]),
    ("SELECT * { ?s ?p ?o FILTER(<http://e/f>(?o)) }", ["http://e/f"]),
])
def test_function_calls_are_told_from_collections(query, calls):
    from policykg.server.backend.guard import _prologue
    from policykg.server.backend.standard import function_calls

    toks = tokens(PFX + query)
    prologue = _prologue(toks)
    assert function_calls(toks[prologue.end:], prologue.prefixes, prologue.base) == calls
    check(PFX + query, calls, ["e"])  # each case is valid SPARQL 1.1
    if calls:
        with pytest.raises(Refused, match="--allow-function"):
            check(PFX + query, (), ["e"])

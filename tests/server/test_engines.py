"""The remote proxy against a scripted engine that answers the way Virtuoso 7.2 does: non-standard results are
re-serialised, truncated and timed-out answers never pass for complete ones, and the deadline is passed on."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from policykg.server import create_app
from policykg.server.backend.engines import ENGINE_NAMES, ENGINES, detect, stopped_at_time_limit
from policykg.server.backend.normalise import as_ask, read_graph, read_results

XSD = "http://www.w3.org/2001/XMLSchema#"

#: What Virtuoso 7.2 sent for a SELECT of an IRI, a language string, an integer, a boolean and a blank node.
VIRTUOSO_JSON = json.dumps({
    "head": {"link": [], "vars": ["s", "l", "n", "b", "x"]},
    "results": {"distinct": False, "ordered": True, "bindings": [
        {"s": {"type": "uri", "value": "https://w3id.org/policykg/x"},
         "l": {"type": "literal", "xml:lang": "en", "value": "A label"},
         "n": {"type": "typed-literal", "datatype": XSD + "integer", "value": "3"},
         "b": {"type": "typed-literal", "datatype": XSD + "boolean", "value": "0"},
         "x": {"type": "bnode", "value": "nodeID://b10023"}},
    ]},
})
VIRTUOSO_ASK = json.dumps({"head": {"link": [], "vars": ["__ASK_RETVAL"]}, "results": {"distinct": False,
                           "ordered": True, "bindings": [{"__ASK_RETVAL": {"type": "typed-literal",
                                                                            "datatype": XSD + "integer", "value": "1"}}]}})


class Engine:
    """A scripted SPARQL endpoint on 127.0.0.1: `answer(form_fields) -> (status, headers, body)`; records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        self.server_header = "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"
        self.answer = lambda fields: (200, {"Content-Type": "application/sparql-results+json"}, VIRTUOSO_JSON)
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def version_string(self):  # the Server header the proxy reads to tell engines apart
                return engine.server_header

            def _reply(self, fields):
                status, headers, body = engine.answer(fields)
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                body = VIRTUOSO_ASK.encode()
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                fields = urllib.parse.parse_qs(self.rfile.read(length).decode())
                fields["accept"] = [self.headers.get("Accept", "")]
                engine.requests.append(fields)
                self._reply(fields)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def engine():
    found = Engine()
    yield found
    found.close()


@pytest.fixture()
def proxy(engine, server_settings):
    """An app fronting the scripted engine (one per test, so the engine is detected afresh)."""
    apps = []

    def make(**settings):
        application = create_app({**server_settings, "BACKEND_URL": engine.url, "QUERY_TIMEOUT": 3.0,
                                  "CACHE_ENTRIES": 0, **settings})
        apps.append(application)
        return application.test_client()

    yield make
    for application in apps:
        application.extensions["policykg"].close()


SELECT = "SELECT ?s ?l ?n ?b ?x WHERE { ?s ?p ?o }"


def test_virtuoso_json_is_served_as_standard_results_in_every_format(engine, proxy):
    client = proxy()
    body = json.loads(client.post("/sparql", data={"query": SELECT}, headers={"Accept": "application/json"}).data)
    (row,) = body["results"]["bindings"]
    assert body["head"] == {"vars": ["s", "l", "n", "b", "x"]}
    assert row["n"] == {"type": "literal", "value": "3", "datatype": XSD + "integer"}
    assert row["b"] == {"type": "literal", "value": "false", "datatype": XSD + "boolean"}
    assert row["l"] == {"type": "literal", "value": "A label", "xml:lang": "en"}
    assert row["x"]["type"] == "bnode" and "/" not in row["x"]["value"]
    tsv = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/tab-separated-values"})
    header, line = tsv.data.decode().splitlines()
    assert header == "?s\t?l\t?n\t?b\t?x"
    assert line.startswith('<https://w3id.org/policykg/x>\t"A label"@en\t3\tfalse\t_:')
    xml = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "application/sparql-results+xml"})
    assert list(ox.parse_query_results(xml.data, ox.QueryResultsFormat.XML))[0]["b"] == ox.Literal(
        "false", datatype=ox.NamedNode(XSD + "boolean"))
    # the backend was asked for results the proxy can read exactly, never for its CSV or TSV
    assert all(r["accept"][0].startswith("application/sparql-results+json") for r in engine.requests)


def test_an_ask_answered_as_a_select_of_ask_retval_becomes_a_boolean(engine, proxy):
    engine.answer = lambda fields: (200, {"Content-Type": "application/sparql-results+json"}, VIRTUOSO_ASK)
    client = proxy()
    assert json.loads(client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).data) == {"head": {}, "boolean": True}
    csv = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.data.decode().strip() == "true"


def test_a_select_cut_at_the_engines_row_cap_is_refused_with_the_cap(engine, proxy):
    rows = [{"s": {"type": "uri", "value": f"http://e/{i}"}} for i in range(5)]
    doc = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}})
    engine.answer = lambda fields: (200, {"Content-Type": "application/sparql-results+json",
                                          "X-SPARQL-MaxRows": "5"}, doc)
    client = proxy()
    cut = client.post("/sparql", data={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert cut.status_code == 422 and cut.headers["X-SPARQL-MaxRows"] == "5"
    assert b"at most 5 rows" in cut.data and b"ResultSetMaxRows" in cut.data
    asked_for_five = client.post("/sparql", data={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"})
    assert asked_for_five.status_code == 200  # its own LIMIT explains the five rows
    assert len(json.loads(asked_for_five.data)["results"]["bindings"]) == 5
    more = client.post("/sparql", data={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 6"})
    assert more.status_code == 422


def test_a_construct_at_virtuosos_triple_cap_is_refused(engine, proxy):
    triples = "".join(f"<http://e/{i}> <http://e/p> <http://e/o> .\n" for i in range(4))
    engine.answer = lambda fields: (200, {"Content-Type": "application/n-triples"}, triples)
    client = proxy(BACKEND_MAX_ROWS=4)
    cut = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                     headers={"Accept": "text/turtle"})
    assert cut.status_code == 422 and cut.headers["X-SPARQL-MaxRows"] == "4"
    whole = proxy(BACKEND_MAX_ROWS=5).get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                                           headers={"Accept": "text/turtle"})
    assert whole.status_code == 200 and whole.mimetype == "text/turtle"
    assert len(list(ox.parse(whole.data, format=ox.RdfFormat.TURTLE))) == 4


def test_the_deadline_is_passed_to_the_engine_in_its_own_unit(engine, proxy):
    expected = {"Virtuoso/07.20.3229": lambda v: 2000 <= int(v) <= 3000,  # milliseconds
                "Apache Jena Fuseki (5.1.0)": lambda v: v in ("2", "3"),  # whole seconds
                "QLever": lambda v: v.endswith("ms") and 2000 <= int(v[:-2]) <= 3000,
                "Oxigraph/0.5.13": None}
    for server, accepts in expected.items():
        engine.server_header = server
        engine.requests.clear()
        client = proxy()
        assert client.post("/sparql", data={"query": SELECT}).status_code == 200
        sent = engine.requests[-1].get("timeout")
        assert (sent is None) if accepts is None else accepts(sent[0]), (server, sent)


def test_an_engine_that_stopped_at_its_time_limit_gives_503_not_its_partial_answer(engine, proxy):
    engine.answer = lambda fields: (200, {"Content-Type": "application/sparql-results+json", "X-SQL-State": "S1TAT",
                                          "X-SQL-Message": "RC...: Returning incomplete results"}, VIRTUOSO_JSON)
    client = proxy()
    response = client.post("/sparql", data={"query": SELECT})
    assert response.status_code == 503 and b"time limit" in response.data
    engine.answer = lambda fields: (500, {"Content-Type": "text/plain"}, "Virtuoso 42000 Error The estimated "
                                    "execution time 0 (sec) exceeds the limit of 400 (sec).")
    assert client.post("/sparql", data={"query": SELECT}).status_code == 503


def test_qlever_refusing_a_long_deadline_is_asked_again_without_one(engine, proxy):
    def answer(fields):
        if "timeout" in fields:
            return 403, {"Content-Type": "text/plain"}, "User submitted timeout was higher than what is allowed"
        return 200, {"Content-Type": "application/sparql-results+json"}, VIRTUOSO_JSON

    engine.server_header = "QLever"
    engine.answer = answer
    client = proxy()
    assert client.post("/sparql", data={"query": SELECT}).status_code == 200
    assert client.post("/sparql", data={"query": SELECT}).status_code == 200
    assert [("timeout" in r) for r in engine.requests] == [True, False, False]


def test_engine_errors_are_readable(engine, proxy):
    engine.answer = lambda fields: (403, {"Content-Type": "text/html"}, "<html><title>Forbidden</title></html>")
    client = proxy()
    response = client.post("/sparql", data={"query": SELECT})
    assert response.status_code == 502 and b"answered 403: Forbidden" in response.data
    engine.answer = lambda fields: (200, {"Content-Type": "text/csv"}, "s\nx\n")
    response = client.post("/sparql", data={"query": SELECT})
    assert response.status_code == 502 and b"text/csv" in response.data and b"Traceback" not in response.data
    engine.answer = lambda fields: (400, {"Content-Type": "text/plain"}, "SP030: syntax error")
    response = client.post("/sparql", data={"query": SELECT})
    assert response.status_code == 400 and b"SP030" in response.data


def test_the_engine_is_detected_or_configured(engine, proxy):
    client = proxy()
    client.post("/sparql", data={"query": SELECT})
    assert json.loads(client.get("/healthz").data)["detail"]["engine"] == "virtuoso"
    assert json.loads(proxy(BACKEND_ENGINE="fuseki").get("/healthz").data)["detail"]["engine"] == "fuseki"
    assert detect({"Server": "nginx"}) is ENGINES["generic"]
    assert detect({"Fuseki-Request-Id": "7"}) is ENGINES["fuseki"]
    assert set(ENGINE_NAMES) == set(ENGINES) | {"auto"}


def test_the_parser_processes_survive_a_query_that_crashes_the_parser(engine, proxy):
    client = proxy(QUERY_TIMEOUT=5.0)
    deep = "SELECT * { ?s ?p ?o FILTER(" + "(" * 20000 + "?o" + ")" * 20000 + ") }"
    response = client.post("/sparql", data={"query": deep})
    assert response.status_code == 400 and b"nested too deeply" in response.data
    assert client.post("/sparql", data={"query": SELECT}).status_code == 200  # a fresh parser took over
    assert len(engine.requests) == 1


# ---- the readers on their own ----

def test_readers_accept_what_engines_send_and_refuse_what_is_not_results():
    solutions = read_results(VIRTUOSO_JSON.encode(), "application/sparql-results+json")
    assert solutions.rows[0]["n"] == {"type": "literal", "value": "3", "datatype": XSD + "integer"}
    assert as_ask(read_results(VIRTUOSO_ASK.encode(), "application/sparql-results+json")) is True
    xml = (b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="b"/></head><results>'
           b'<result><binding name="b"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">1</literal>'
           b'</binding></result></results></sparql>')
    assert read_results(xml, "application/sparql-results+xml").rows[0]["b"]["value"] == "true"
    turtle = b"@prefix a: <http://e/> .\n_:b1 a:p a:o .\n@prefix b: <http://f/> .\n_:b1 a:p a:o .\n_:b1 b:q 1 ."
    assert len(read_graph(turtle, "text/turtle")) == 2  # mid-document @prefix read, the duplicate dropped
    from policykg.server.backend.normalise import BadAnswer

    for body, media in [(b"{", "application/sparql-results+json"), (b"<html/>", "application/sparql-results+xml"),
                        (b"s,p\n", "text/csv"), (b"<a> <b> .", "application/n-triples")]:
        with pytest.raises(BadAnswer):
            read_graph(body, media) if media == "application/n-triples" else read_results(body, media)


def test_time_limit_signals():
    assert stopped_at_time_limit(200, {"X-SQL-State": "S1TAT"}, "")
    assert stopped_at_time_limit(503, {}, "")
    assert stopped_at_time_limit(500, {}, "Query timed out")
    assert not stopped_at_time_limit(400, {}, "SELECT ?timeout WHERE { } -- syntax error")
    assert not stopped_at_time_limit(200, {}, "")


def test_both_lanes_forward_only_standard_queries(engine, proxy):
    """GET and form POST (the fast lane's requests) and application/sparql-query (Flask's) are guarded alike."""
    client = proxy()
    for query, status in [
        ('DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> { ?s ?p ?o }', 400),
        ("SELECT * { ?s ?p ?o OPTION (TRANSITIVE) }", 400),
        ("PREFIX fn: <http://www.w3.org/2005/xpath-functions#> SELECT (fn:doc('http://127.0.0.1:9/') AS ?d) {}", 403),
        ('SELECT (bif:http_get("http://127.0.0.1:9/") AS ?x) {}', 403),
    ]:
        for response in [client.get("/sparql", query_string={"query": query}),
                         client.post("/sparql", data={"query": query}),
                         client.post("/sparql", data=query, content_type="application/sparql-query")]:
            assert response.status_code == status, (query, response.data)
            assert b"Traceback" not in response.data
    assert engine.requests == []


def test_a_query_with_relative_iris_parses_and_is_forwarded(engine, proxy):
    response = proxy().post("/sparql", data={"query": "SELECT ?s ?l ?n ?b ?x WHERE { ?s <label> ?l }"})
    assert response.status_code == 200, response.data
    assert engine.requests and "<label>" in engine.requests[-1]["query"][0]

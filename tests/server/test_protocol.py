"""SPARQL 1.1 Protocol conformance: methods, formats, negotiation, errors, service description, VoID, downloads."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from policykg.iris import DPV_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH
from server_fixture import EARLIER, GRAPH, PRIMARY

DATA_GRAPH = GRAPH + PRIMARY

PROCESSES = """PREFIX dpv: <https://w3id.org/dpv#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?process ?label WHERE { ?process a dpv:Process ; rdfs:label ?label } ORDER BY ?label"""
EXPECTED_LABELS = ["Personalising the Meta Products", "Using information from partners to show ads"]
CONSTRUCT = """PREFIX dpv: <https://w3id.org/dpv#>
CONSTRUCT { ?p dpv:hasLegalBasis ?b } WHERE { ?p dpv:hasLegalBasis ?b }"""
SRX = "{http://www.w3.org/2005/sparql-results#}"


def labels(body: bytes) -> list[str]:
    return [row["label"]["value"] for row in json.loads(body)["results"]["bindings"]]


def test_get_query_returns_sparql_json(client):
    response = client.get("/sparql", query_string={"query": PROCESSES})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert labels(response.data) == EXPECTED_LABELS


def test_post_form_and_post_sparql_query_give_the_same_answer(client):
    form = client.post("/sparql", data={"query": PROCESSES})
    direct = client.post("/sparql", data=PROCESSES.encode(), content_type="application/sparql-query")
    assert form.status_code == direct.status_code == 200
    assert labels(form.data) == labels(direct.data) == EXPECTED_LABELS


@pytest.mark.parametrize("accept, mimetype", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_result_formats_by_accept(client, accept, mimetype):
    response = client.get("/sparql", query_string={"query": PROCESSES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    text = response.data.decode()
    if mimetype.endswith("json"):
        assert labels(response.data) == EXPECTED_LABELS
    elif mimetype.endswith("xml"):
        root = ET.fromstring(response.data)
        found = [lit.text for lit in root.iter(SRX + "literal")]
        assert found == EXPECTED_LABELS
    elif mimetype == "text/csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [row["label"] for row in rows] == EXPECTED_LABELS
    else:
        lines = text.strip().splitlines()
        assert lines[0].split("\t") == ["?process", "?label"]
        assert [line.split("\t")[1] for line in lines[1:]] == [f'"{label}"@en' for label in EXPECTED_LABELS]


@pytest.mark.parametrize("param, mimetype", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
])
def test_format_parameter_overrides_accept(client, param, mimetype):
    response = client.get("/sparql", query_string={"query": PROCESSES, "format": param},
                          headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == mimetype


@pytest.mark.parametrize("accept, mimetype, fmt", [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_construct_formats_parse_back_to_the_same_triples(client, accept, mimetype, fmt):
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    triples = {str(t) for t in ox.parse(response.data, format=fmt)}
    assert len(triples) == 2
    assert any("A6-1-b" in t for t in triples) and any("A6-1-a" in t for t in triples)


def test_ask_and_describe(client):
    ask = client.get("/sparql", query_string={"query": "ASK { ?s a <https://w3id.org/dpv#PrivacyNotice> }"})
    assert ask.status_code == 200 and json.loads(ask.data)["boolean"] is True
    ask_xml = client.get("/sparql", query_string={"query": "ASK { <urn:x:nothing> ?p ?o }", "format": "xml"})
    assert ET.fromstring(ask_xml.data).find(SRX + "boolean").text == "false"
    describe = client.get("/sparql", query_string={
        "query": "DESCRIBE <https://w3id.org/policykg/meta-uk-2025-06-16/notice>"}, headers={"Accept": "text/turtle"})
    assert describe.status_code == 200
    assert b"PrivacyNotice" in describe.data


@pytest.mark.parametrize("accept, mimetype", [
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv;q=0.9, application/sparql-results+xml;q=0.4", "text/csv"),
    ("text/*", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("text/html, application/xhtml+xml, */*;q=0.8", "application/sparql-results+json"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
])
def test_accept_q_values_and_wildcards(client, accept, mimetype):
    response = client.get("/sparql", query_string={"query": PROCESSES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_406_when_no_acceptable_format(client):
    select = client.get("/sparql", query_string={"query": PROCESSES}, headers={"Accept": "text/turtle"})
    assert select.status_code == 406 and b"text/csv" in select.data
    construct = client.get("/sparql", query_string={"query": CONSTRUCT},
                           headers={"Accept": "application/sparql-results+json"})
    assert construct.status_code == 406 and b"text/turtle" in construct.data
    wrong_kind = client.get("/sparql", query_string={"query": PROCESSES, "format": "turtle"})
    assert wrong_kind.status_code == 406


def test_unknown_format_parameter_is_400(client):
    response = client.get("/sparql", query_string={"query": PROCESSES, "format": "yaml"})
    assert response.status_code == 400 and b"yaml" in response.data


def test_415_for_unknown_body_type(client):
    response = client.post("/sparql", data=PROCESSES, content_type="text/plain")
    assert response.status_code == 415
    assert b"application/sparql-query" in response.data


def test_400_malformed_query_carries_the_parser_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    # the position is the parser's (line 3, where the triple pattern lacks its object); its wording is pyoxigraph's
    assert re.fullmatch(rb"400 Bad Request: malformed query: error at 3:\d+: [^\n]+\n", response.data), response.data


@pytest.mark.parametrize("data, message", [
    ({}, "no query was given (send it as the 'query' parameter)"),
    ({"query": ["ASK {}", "ASK {}"]}, "exactly one 'query' parameter is allowed"),
    ({"query": "   "}, "the query is empty"),
])
def test_400_for_missing_repeated_or_empty_query(client, data, message):
    response = client.post("/sparql", data=data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.data == f"400 Bad Request: {message}\n".encode()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_405_for_other_methods(client, method):
    response = getattr(client, method)("/sparql", data="x")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
    assert response.mimetype == "text/plain"


def test_default_graph_uri_and_named_graph_uri(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(params) -> int:
        response = client.get("/sparql", query_string=params)
        assert response.status_code == 200, response.data
        return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])

    data_only = n({"query": count, "default-graph-uri": DATA_GRAPH})
    ontology_only = n({"query": count, "default-graph-uri": ONTOLOGY_GRAPH})
    both = n({"query": count, "default-graph-uri": [DATA_GRAPH, ONTOLOGY_GRAPH]})
    default = n({"query": count})
    assert 0 < data_only < both and 0 < ontology_only < both
    assert both == data_only + ontology_only
    assert default == n({"query": count, "default-graph-uri": [ONTOLOGY_GRAPH, DATA_GRAPH, LINKS_GRAPH, DPV_GRAPH]})
    graphs = client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": ONTOLOGY_GRAPH})
    assert [b["g"]["value"] for b in json.loads(graphs.data)["results"]["bindings"]] == [ONTOLOGY_GRAPH]
    # protocol parameters on a POSTed sparql-query go in the URL
    posted = client.post(f"/sparql?default-graph-uri={DATA_GRAPH}", data=count, content_type="application/sparql-query")
    assert int(json.loads(posted.data)["results"]["bindings"][0]["n"]["value"]) == data_only


@pytest.mark.parametrize(("path", "processes"), [("/sparql", 2), (f"/sparql/{PRIMARY}", 2), (f"/sparql/{EARLIER}", 1),
                                                ("/sparql/all", 3)])
def test_each_version_is_its_own_dataset(client, path: str, processes: int):
    """A client that knows nothing of versions gets one version's answer, never a sum over versions."""
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/dpv#Process> }"
    for response in (client.get(path, query_string={"query": count}),
                     client.post(path, data={"query": count})):
        assert response.status_code == 200, response.data
        assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == processes
    # every version stays reachable by GRAPH from any dataset
    graphs = client.get(path, query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?t } }"})
    names = {b["g"]["value"] for b in json.loads(graphs.data)["results"]["bindings"]}
    assert {DATA_GRAPH, GRAPH + EARLIER, ONTOLOGY_GRAPH} <= names


def test_an_unknown_dataset_is_404_and_says_which_exist(client):
    response = client.get("/sparql/meta-uk-1999-01-01", query_string={"query": "ASK {}"})
    assert response.status_code == 404 and response.mimetype == "text/plain"
    assert b"no dataset 'meta-uk-1999-01-01'" in response.data and f"/sparql/{EARLIER}".encode() in response.data


def test_union_default_graph_walks_the_dpv_hierarchy(client, dpv_dir):
    if dpv_dir is None:
        pytest.skip("DPV 2.3 folder not found: the hierarchy query needs it")
    query = """PREFIX dpv: <https://w3id.org/dpv#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?purpose WHERE { ?process dpv:hasPurpose ?purpose . ?purpose skos:broader* dpv:Personalisation }"""
    response = client.get("/sparql", query_string={"query": query})
    found = {b["purpose"]["value"] for b in json.loads(response.data)["results"]["bindings"]}
    assert "https://w3id.org/policykg/meta-uk-2025-06-16/purpose/personalising" in found
    assert "https://w3id.org/dpv#PersonalisedAdvertising" in found


def test_service_description(client, dpv_dir):
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    triples = [t for t in ox.parse(response.data, format=ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.predicate.value == sd + "endpoint" and t.object.value == "http://localhost/sparql" for t in triples)
    assert any(t.object.value == sd + "SPARQL11Query" for t in triples)
    assert not any(t.object.value == sd + "UnionDefaultGraph" for t in triples)  # one version's dataset
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert {DATA_GRAPH, GRAPH + EARLIER, ONTOLOGY_GRAPH} <= names and ((DPV_GRAPH in names) == bool(dpv_dir))
    union = [t for t in ox.parse(client.get("/sparql/all").data, format=ox.RdfFormat.TURTLE)]
    assert any(t.object.value == sd + "UnionDefaultGraph" for t in union)
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(list(ox.parse(jsonld.data, format=ox.RdfFormat.JSON_LD))) == len(triples)


def test_void(client):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert any(t.object.value == "http://rdfs.org/ns/void#Dataset" for t in ox.parse(response.data, format=ox.RdfFormat.TURTLE))
    nt = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert nt.mimetype == "application/n-triples"
    assert len(list(ox.parse(nt.data, format=ox.RdfFormat.N_TRIPLES))) == len(list(ox.parse(response.data, format=ox.RdfFormat.TURTLE)))


def sums(build_dir) -> dict[str, str]:
    return {line.split()[1]: line.split()[0] for line in (build_dir / "SHA256SUMS").read_text().splitlines()}


def test_every_dump_downloads_with_its_sha256_and_etag(client, server_build_dir):
    listed = sums(server_build_dir)
    assert len(listed) >= 26
    for name, digest in listed.items():
        response = client.get(f"/download/{name}")
        assert response.status_code == 200, name
        assert hashlib.sha256(response.data).hexdigest() == digest
        assert response.headers["X-Checksum-SHA256"] == digest
        assert response.headers["ETag"] == f'"{digest}"'
        again = client.get(f"/download/{name}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    index = client.get("/download/", headers={"Accept": "application/json"})
    files = {f["name"]: f["sha256"] for f in json.loads(index.data)["files"]}
    assert {name: files[name] for name in listed} == listed


def test_downloads_are_gzip_encoded_for_clients_that_accept_it(client, server_build_dir):
    plain = (server_build_dir / "policykg.ttl").read_bytes()
    response = client.get("/download/policykg.ttl", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data) == plain
    assert response.headers["X-Checksum-SHA256"] == hashlib.sha256(plain).hexdigest()
    identity = client.get("/download/policykg.ttl", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers and identity.data == plain
    archive = client.get("/download/policykg.ttl.gz")
    assert archive.mimetype == "application/gzip" and gzip.decompress(archive.data) == plain


NO_ROUTE = (b"404 Not Found: The requested URL was not found on the server. If you entered the URL manually please "
            b"check your spelling and try again.\n")


@pytest.mark.parametrize("name, body", [
    ("nope.ttl", b"404 Not Found: no download named 'nope.ttl'; see /download/\n"),
    ("source.txt", b"404 Not Found: no download named 'source.txt'; see /download/\n"),
    ("..%2FSHA256SUMS", NO_ROUTE),  # a slash in the name never reaches the download route
    ("%2Fetc%2Fpasswd", NO_ROUTE),
])
def test_unknown_downloads_are_404(client, name, body):
    response = client.get(f"/download/{name}")
    assert response.status_code == 404
    assert response.data == body


def test_query_responses_carry_an_etag_and_answer_304(client):
    query = PROCESSES + " # etag test"
    first = client.get("/sparql", query_string={"query": query})
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    second = client.get("/sparql", query_string={"query": query}, headers={"If-None-Match": etag})
    assert second.status_code == 304
    other = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert other.headers["ETag"] != etag


def test_identical_queries_are_answered_from_the_cache(client, app):
    cache = app.extensions["policykg"].cache
    query = PROCESSES + " # cache test"
    client.get("/sparql", query_string={"query": query})
    hits = cache.hits
    again = client.get("/sparql", query_string={"query": query})
    assert cache.hits == hits + 1
    assert labels(again.data) == EXPECTED_LABELS


def test_cors_for_reading(client):
    preflight = client.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" not in preflight.headers["Access-Control-Allow-Methods"]


def test_security_headers(client):
    for path in ["/", "/sparql", "/healthz"]:
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.data)
    assert body["status"] == "ok" and body["backend"] == "embedded" and body["detail"]["alive"] == 2


def test_request_log_lines_are_structured(client, caplog):
    caplog.set_level("INFO", logger="policykg.access")
    client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o } # log test"})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "policykg.access"]
    assert records, "no access log line"
    line = records[-1]
    assert line["method"] == "GET" and line["status"] == 200 and line["duration_ms"] >= 0
    assert len(line["query_hash"]) == 12 and line["cache"] in ("hit", "miss")


def test_from_clause_restricts_the_default_graph(client):
    count = "SELECT (COUNT(*) AS ?n) {FROM} WHERE {{ ?s ?p ?o }}"

    def n(clause: str) -> int:
        response = client.get("/sparql", query_string={"query": count.replace("{FROM}", clause)})
        return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])

    data_only = n(f"FROM <{DATA_GRAPH}>")
    assert 0 < data_only < n("")
    assert n(f"FROM <{DATA_GRAPH}> FROM <{ONTOLOGY_GRAPH}>") == data_only + n(f"FROM <{ONTOLOGY_GRAPH}>")
    # protocol parameters win over FROM (SPARQL 1.1 Protocol 2.1.4)
    response = client.get("/sparql", query_string={"query": count.replace("{FROM}", f"FROM <{DATA_GRAPH}>"),
                                                   "default-graph-uri": ONTOLOGY_GRAPH})
    assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == n(f"FROM <{ONTOLOGY_GRAPH}>")

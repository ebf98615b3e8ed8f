"""The fast lane answers plain queries exactly as /sparql would, cached or not, and lets everything else by."""

from __future__ import annotations

import json

import pytest

from server_fixture import GRAPH, PRIMARY

DATA_GRAPH = GRAPH + PRIMARY

SELECT = "SELECT ?p WHERE { ?p a <https://w3id.org/dpv#Process> } ORDER BY ?p # fast lane"
CONSTRUCT = "CONSTRUCT WHERE { ?s <https://w3id.org/dpv#hasLegalBasis> ?o } # fast lane"

#: (method, path, form or query-string fields, headers) of requests the fast lane must answer once cached.
LANE_REQUESTS = [
    ("GET", "/sparql", {"query": SELECT}, {"Accept": "application/sparql-results+json"}),
    ("GET", "/sparql", {"query": SELECT}, {}),
    ("POST", "/sparql", {"query": SELECT}, {"Accept": "text/csv"}),
    ("POST", "/sparql", {"query": SELECT, "format": "xml"}, {"Accept": "text/html"}),
    ("POST", "/sparql?format=tsv", {"query": SELECT, "format": "xml"}, {}),
    ("POST", f"/sparql?default-graph-uri={DATA_GRAPH}", {"query": SELECT}, {}),
    ("GET", "/sparql", {"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    ("GET", "/sparql", {"query": CONSTRUCT, "output": "ntriples"}, {}),
    ("POST", "/sparql", {"query": "ASK { ?s ?p ?o } # fast lane"}, {"Accept": "application/sparql-results+xml"}),
]


def send(client, method: str, path: str, fields: dict, headers: dict):
    if method == "GET":
        return client.get(path, query_string=fields, headers=headers)
    return client.post(path, data=fields, headers=headers)


def as_dict(response) -> dict:
    return {"status": response.status_code, "body": response.data, "headers": sorted(response.headers.items())}


@pytest.mark.parametrize("method, path, fields, headers", LANE_REQUESTS)
def test_the_fast_lane_answers_as_flask_does(app, client, monkeypatch, method, path, fields, headers):
    lane = app.wsgi_app
    cache = app.extensions["policykg"].cache
    taken, hits = lane.taken, cache.hits
    first = send(client, method, path, fields, headers)  # a miss, or a hit left by an earlier case
    assert first.status_code == 200, first.data
    fast = send(client, method, path, fields, headers)  # a hit
    assert lane.taken == taken + 2, "the fast lane did not answer"
    assert cache.hits >= hits + 1
    monkeypatch.setattr(app, "wsgi_app", lane.inner)  # the same request through Flask alone
    slow = send(client, method, path, fields, headers)
    assert as_dict(fast) == as_dict(slow) == as_dict(first)


@pytest.fixture(scope="module")
def uncached_app(server_settings):
    from policykg.server import create_app

    application = create_app(dict(server_settings, CACHE_ENTRIES=0, QUERY_WORKERS=1))
    yield application
    application.extensions["policykg"].close()


@pytest.mark.parametrize("method, path, fields, headers", LANE_REQUESTS)
def test_without_the_cache_too(uncached_app, monkeypatch, method, path, fields, headers):
    lane = uncached_app.wsgi_app
    taken = lane.taken
    fast = send(uncached_app.test_client(), method, path, fields, headers)
    assert lane.taken == taken + 1
    monkeypatch.setattr(uncached_app, "wsgi_app", lane.inner)
    slow = send(uncached_app.test_client(), method, path, fields, headers)
    assert fast.status_code == 200 and as_dict(fast) == as_dict(slow)
    assert len(uncached_app.extensions["policykg"].cache) == 0


def test_an_error_the_lane_ran_into_is_worded_by_flask_without_running_again(uncached_app, monkeypatch):
    backend = uncached_app.extensions["policykg"].backend
    runs = []
    real_run = backend.run

    def counting(job, timeout):
        runs.append(job.query)
        return real_run(job, timeout)

    monkeypatch.setattr(backend, "run", counting)
    lane = uncached_app.wsgi_app
    taken = lane.taken
    bad = "SELECT ?x WHERE { ?x ?y }"
    response = uncached_app.test_client().get("/sparql", query_string={"query": bad})
    assert response.status_code == 400 and response.data.startswith(b"400 Bad Request: malformed query: ")
    assert runs == [bad] and lane.taken == taken
    monkeypatch.setattr(uncached_app, "wsgi_app", lane.inner)
    assert as_dict(uncached_app.test_client().get("/sparql", query_string={"query": bad})) == as_dict(response)


@pytest.mark.parametrize("method, path, fields, headers, status", [
    ("GET", "/sparql", {"query": SELECT}, {"If-None-Match": "*"}, 304),
    ("POST", "/sparql", {"update": "DROP ALL", "query": SELECT}, {}, 403),
    ("GET", "/sparql", {"query": [SELECT, SELECT]}, {}, 400),
    ("GET", "/sparql", {"query": SELECT, "format": "yaml"}, {}, 400),
    ("GET", "/sparql", {"query": SELECT}, {"Accept": "text/turtle"}, 406),
    ("GET", "/sparql", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"}, {}, 403),
    ("GET", "/sparql", {"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, {"Accept": "text/turtle"}, 200),
    ("GET", "/sparql", {}, {}, 200),
])
def test_everything_else_goes_on_to_flask(app, client, method, path, fields, headers, status):
    lane = app.wsgi_app
    send(client, "GET", "/sparql", {"query": SELECT}, {})  # SELECT is in the cache
    for _ in range(2):
        taken = lane.taken
        response = send(client, method, path, fields, headers)
        assert response.status_code == status, response.data
        assert lane.taken == taken


def test_a_sparql_query_body_and_a_form_body_both_reach_flask_intact(app, client):
    taken = app.wsgi_app.taken
    direct = client.post("/sparql", data=SELECT + " body", content_type="application/sparql-query")
    assert direct.status_code == 200 and json.loads(direct.data)["results"]["bindings"]
    # read by the lane (a refused SERVICE), then read again by Flask, which names the SERVICE it refuses
    refused = client.post("/sparql", data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/form> {} }"})
    assert refused.status_code == 403
    assert refused.data.startswith(b"403 Forbidden: SERVICE <http://127.0.0.1:9/form> is not allowed")
    assert app.wsgi_app.taken == taken


def test_fast_lane_hits_are_logged(client, caplog):
    caplog.set_level("INFO", logger="policykg.access")
    for _ in range(2):
        client.get("/sparql", query_string={"query": SELECT + " logged"})
    line = json.loads([r for r in caplog.records if r.name == "policykg.access"][-1].getMessage())
    assert line["cache"] == "hit" and line["status"] == 200 and line["path"] == "/sparql"
    assert len(line["query_hash"]) == 12 and line["bytes"] > 0 and line["duration_ms"] >= 0

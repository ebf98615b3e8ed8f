"""Remote-engine mode: `policykg publish` into a real Oxigraph server, then the same app fronts it."""

from __future__ import annotations

import argparse
import json

import pytest

from policykg.cli.publish import register as add_publish_parser
from policykg.config import queries_dir
from policykg.server import create_app
from policykg.store.dataset import DPV_TURTLE_FILES, read_manifest
from policykg.store.publish import publish
from server_fixture import RUNAWAY_QUERY

QUERIES = [
    "SELECT ?process ?label WHERE { ?process a <https://w3id.org/dpv#Process> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "ASK { ?s a <https://w3id.org/dpv#PrivacyNotice> }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 20",
]


def competency_queries() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(queries_dir().glob("*.rq"))]


@pytest.fixture(scope="module")
def published(oxigraph_server, server_build_dir, dpv_dir):
    """The fixture build (and DPV) loaded into the Oxigraph server through the Graph Store Protocol."""
    sent = publish(oxigraph_server + "/store", server_build_dir, dpv_dir)
    assert sent == len(read_manifest(server_build_dir).files) + (len(DPV_TURTLE_FILES) if dpv_dir else 0)
    return oxigraph_server


@pytest.fixture(scope="module")
def remote_app(published, server_settings):
    settings = dict(server_settings, BACKEND_URL=published + "/query", QUERY_TIMEOUT=2.0)
    application = create_app(settings)
    yield application
    application.extensions["policykg"].close()


def rows(response) -> list:
    assert response.status_code == 200, response.data
    body = json.loads(response.data)
    if "boolean" in body:
        return [body["boolean"]]
    return sorted(json.dumps(row, sort_keys=True) for row in body["results"]["bindings"])


def test_remote_answers_equal_embedded_answers(remote_app, client):
    remote = remote_app.test_client()
    queries = QUERIES + competency_queries()
    for query in queries:
        expected = rows(client.post("/sparql", data={"query": query}))
        assert rows(remote.post("/sparql", data={"query": query})) == expected, query
    construct = "CONSTRUCT WHERE { ?s <https://w3id.org/dpv#hasLegalBasis> ?o }"
    response = remote.get("/sparql", query_string={"query": construct}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and response.mimetype == "application/n-triples"
    assert len(response.data.decode().strip().splitlines()) == 2


def test_remote_mode_keeps_the_protections(remote_app, trap):
    remote = remote_app.test_client()
    assert remote.post("/sparql", data={"update": "DROP ALL"}).status_code == 403
    assert remote.get("/sparql", query_string={"query": "CLEAR ALL"}).status_code == 403
    service = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{trap.port}/s> {{ ?s ?p ?o }} }}"
    refused = remote.get("/sparql", query_string={"query": service})
    assert refused.status_code == 403
    assert refused.data.startswith(f"403 Forbidden: SERVICE <http://127.0.0.1:{trap.port}/s> is not allowed".encode())
    trap.assert_never_contacted()
    assert rows(remote.get("/sparql", query_string={"query": QUERIES[2]})) == [True]  # nothing was dropped
    bad = remote.get("/sparql", query_string={"query": "SELECT * WHERE { ?s "})
    assert bad.status_code == 400 and b"Traceback" not in bad.data


def test_remote_timeout_is_503(remote_app):
    remote = remote_app.test_client()
    response = remote.get("/sparql", query_string={"query": RUNAWAY_QUERY + " # remote"})
    assert response.status_code == 503
    assert response.data in (  # the deadline struck while waiting for the answer, or while reading it
        b"503 Service Unavailable: the backend did not answer within 2 s. Simplify the query or add a LIMIT.\n",
        b"503 Service Unavailable: the backend did not finish answering within 2 s. Simplify the query or add a "
        b"LIMIT.\n")


def test_remote_linked_data_and_service_description(remote_app):
    remote = remote_app.test_client()
    page = remote.get("/meta-uk-2025-06-16/process/contract-personalising")
    assert page.status_code == 200 and b"Personalising the Meta Products" in page.data
    turtle = remote.get("/meta-uk-2025-06-16/notice", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and b"PrivacyNotice" in turtle.data
    health = json.loads(remote.get("/healthz").data)
    assert health["backend"] == "remote"


def test_publish_command(published, server_build_dir, capsys):
    parser = argparse.ArgumentParser()
    add_publish_parser(parser.add_subparsers())
    args = parser.parse_args(["publish", published + "/store", "--build-dir", str(server_build_dir), "--no-dpv",
                              "--no-build"])
    assert args.func(args) == 0
    assert f"published {len(read_manifest(server_build_dir).files)} files" in capsys.readouterr().err
    bad = parser.parse_args(["publish", "http://127.0.0.1:9/store", "--build-dir", str(server_build_dir), "--no-dpv",
                              "--no-build"])
    assert bad.func(bad) == 2
    assert "cannot reach" in capsys.readouterr().err

"""The endpoint on the real build (`policykg build`): linked-data pages resolve. (Every competency question is
checked against its expected result over HTTP in tests/test_queries_http.py.)

The build and the server are imported at the top: a broken import fails here. The session's build (build_fixtures)
skips, saying why, only when DPV 2.3 or the policy texts (../shared) are missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip
from policykg.config import queries_dir
from policykg.server import create_app


@pytest.fixture(scope="module")
def real_client(build_dir: Path):
    app = create_app({"BUILD_DIR": str(build_dir), "DPV_DIR": str(dpv_or_skip()), "QUERIES_DIR": str(queries_dir())})
    yield app.test_client()
    app.extensions["policykg"].close()


def test_real_pages_resolve(real_client):
    processes = json.loads(real_client.get("/sparql", query_string={
        "query": "SELECT ?p WHERE { ?p a <https://w3id.org/dpv#Process> ; "
                 "<http://www.w3.org/ns/prov#wasDerivedFrom> ?span } LIMIT 3"}).data)["results"]["bindings"]
    assert processes
    for row in processes:
        iri = row["p"]["value"]
        path = iri[len("https://w3id.org/policykg"):]
        page = real_client.get(path)
        assert page.status_code == 200, iri
        assert b"Where the policy says it" in page.data
    assert real_client.get("/ontology").status_code == 200
    assert real_client.get("/").data.count(b"<option") >= 10

"""The endpoint on the real build (`policykg build`): linked-data pages resolve. (Every competency question is
checked against its expected result over HTTP in tests/test_queries_http.py.)"""

from __future__ import annotations

import json

import pytest

from policykg.config import queries_dir


@pytest.fixture(scope="module")
def real_client(tmp_path_factory, dpv_dir):
    build = pytest.importorskip("policykg.build.pipeline")
    if dpv_dir is None:
        pytest.skip("DPV 2.3 folder not found: the real build needs it")
    out = build.ensure_built(tmp_path_factory.mktemp("real-build"), dpv_dir)
    from policykg.server import create_app

    app = create_app({"BUILD_DIR": str(out), "DPV_DIR": str(dpv_dir), "QUERIES_DIR": str(queries_dir())})
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

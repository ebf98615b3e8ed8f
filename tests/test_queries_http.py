"""Every competency question, sent to the SPARQL endpoint (Flask test client on the real build), gives its expected result."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cq_support import dpv_or_skip, fresh_build
from policykg.queries import compare, from_sparql_json, load_questions

if importlib.util.find_spec("policykg.server") is None:  # pragma: no cover - depends on the server package
    pytest.skip("the SPARQL endpoint package policykg.server is not installed yet", allow_module_level=True)

QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def http_client(tmp_path_factory: pytest.TempPathFactory):
    from policykg.server import create_app

    build = fresh_build(tmp_path_factory.mktemp("cq-http") / "build")
    app = create_app({"BUILD_DIR": str(build), "DPV_DIR": str(dpv_or_skip()), "QUERY_WORKERS": 1,
                      "QUERY_TIMEOUT": 30.0, "QUERIES_DIR": str(Path(QUESTIONS[0].path).parent)})
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["policykg"].close()


@pytest.mark.parametrize("name", [cq.name for cq in QUESTIONS])
def test_question_over_http(http_client, name: str) -> None:
    cq = next(q for q in QUESTIONS if q.name == name)
    response = http_client.post("/sparql", data={"query": cq.text},
                                headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    actual = from_sparql_json(response.get_data(as_text=True))
    assert compare(cq.expected(), actual, ordered=cq.ordered) == []

"""Every competency question, sent to the SPARQL endpoint on the real build, gives its expected result: with the
embedded store (on disk, the default, and in memory), and with the app fronting a real Oxigraph server that
`policykg publish` loaded."""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip
from policykg.store.questions import compare, from_sparql_json, load_questions

if importlib.util.find_spec("policykg.server") is None:  # pragma: no cover - depends on the server package
    pytest.skip("the SPARQL endpoint package policykg.server is not installed yet", allow_module_level=True)

QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def real_build(build_dir: Path) -> Path:
    return build_dir


@pytest.fixture(scope="module", params=["embedded", "embedded-memory", "oxigraph"])
def http_client(request: pytest.FixtureRequest, real_build: Path, tmp_path_factory: pytest.TempPathFactory):
    from policykg.server import create_app
    from policykg.store.publish import plan_uploads, publish
    from server_fixture import oxigraph_serve

    settings = {"BUILD_DIR": str(real_build), "DPV_DIR": str(dpv_or_skip()), "QUERY_WORKERS": 1,
                "QUERY_TIMEOUT": 30.0, "QUERIES_DIR": str(Path(QUESTIONS[0].path).parent),
                "STORE": "memory" if request.param == "embedded-memory" else "disk"}
    with contextlib.ExitStack() as stack:
        if request.param == "oxigraph":
            base = stack.enter_context(oxigraph_serve(tmp_path_factory.mktemp("oxigraph-real")))
            assert publish(base + "/store", real_build, dpv_or_skip()) == len(plan_uploads(real_build, dpv_or_skip()))
            settings["BACKEND_URL"] = base + "/query"
        app = create_app(settings)
        app.config["TESTING"] = True
        stack.callback(app.extensions["policykg"].close)
        yield app.test_client()


@pytest.mark.parametrize("name", [cq.name for cq in QUESTIONS])
def test_question_over_http(http_client, name: str) -> None:
    cq = next(q for q in QUESTIONS if q.name == name)
    response = http_client.post(f"/sparql/{cq.dataset}" if cq.dataset else "/sparql", data={"query": cq.text},
                                headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    actual = from_sparql_json(response.get_data(as_text=True))
    assert compare(cq.expected(), actual, ordered=cq.ordered) == []

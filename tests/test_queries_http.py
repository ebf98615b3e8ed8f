"""Every competency question asked of every version over HTTP, as a client of the endpoint asks it: the Flask app on
the real build with its embedded store (on disk, the default), each (question, dataset) pair sent to the dataset's
URL (/sparql for the primary version, /sparql/<version>, /sparql/all), the answer compared with the expected one.
The engine in-process runs the same pairs in tests/test_queries.py; a remote engine (Virtuoso) in test_virtuoso.py.

The server package is imported at the top: a broken import fails here instead of skipping. Only what lies outside
the project skips, saying so: DPV 2.3 and the policy texts (../shared) the build needs."""

from __future__ import annotations

import pytest

from build_fixtures import dpv_or_skip
from policykg.server import create_app
from policykg.store.questions import compare, from_sparql_json
from question_cases import ANSWERED, BY_NAME, case_id, endpoint_path


@pytest.fixture(scope="module")
def http_client(build_dir):
    app = create_app({"BUILD_DIR": str(build_dir), "DPV_DIR": str(dpv_or_skip()), "QUERY_WORKERS": 1,
                      "QUERY_TIMEOUT": 30.0, "QUERIES_DIR": str(next(iter(BY_NAME.values())).path.parent)})
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["policykg"].close()


@pytest.mark.parametrize("case", ANSWERED, ids=case_id)
def test_question_over_http(http_client, case: tuple[str, str]) -> None:
    """Every answered pair (refusals: tests/test_queries.py) over the SPARQL protocol."""
    name, dataset = case
    cq = BY_NAME[name]
    response = http_client.post(endpoint_path(dataset), data={"query": cq.text},
                                headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    actual = from_sparql_json(response.get_data(as_text=True))
    assert compare(cq.expected(None if cq.across_versions else dataset), actual, ordered=cq.ordered,
                   concatenated=cq.concatenated) == []

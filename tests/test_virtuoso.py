"""The endpoint fronting a real Virtuoso 7.2 (Debian's virtuoso-opensource-7-bin), as an operator runs it: the dumps
published with digest authentication as dba, every competency question answered as expected, and everything that
went wrong in front of a stock Virtuoso refused or reported (issue 12 §3).

The Virtuoso here runs Debian's limits (10,000 rows, 60 s "anytime" answers), and the refusals of updates are tried
with SPARQL_UPDATE granted to its anonymous user, where the engine itself would comply.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip
from policykg.store.publish import Credentials, PublishError, plan_uploads, publish
from policykg.store.questions import compare, from_sparql_json
from question_cases import ANSWERED, BY_NAME, GLOBAL_VERSIONS, case_id, endpoint_path
from server_fixture import virtuoso_serve

TEST_GRAPH = "urn:policykg:test:written"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    with virtuoso_serve(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture()
def writable(published):
    """For one test, a Virtuoso whose anonymous SPARQL user may update (as on the operator's store)."""
    published.isql('grant SPARQL_UPDATE to "SPARQL"')
    yield published
    published.isql('revoke SPARQL_UPDATE from "SPARQL"')


@pytest.fixture(scope="module")
def real_build(build_dir: Path) -> Path:
    return build_dir


@pytest.fixture(scope="module")
def published(virtuoso, real_build):
    """The real build and DPV loaded through /sparql-graph-crud-auth, answering Virtuoso's digest challenge as dba."""
    sent = publish(virtuoso.base + "/sparql-graph-crud-auth", real_build, dpv_or_skip(),
                   credentials=Credentials("dba", virtuoso.password, "the test"))
    assert sent == len(plan_uploads(real_build, dpv_or_skip()))
    return virtuoso


def make_app(virtuoso, build: Path, **settings):
    from policykg.server import create_app

    app = create_app({"BUILD_DIR": str(build), "BACKEND_URL": virtuoso.base + "/sparql", "QUERY_TIMEOUT": 30.0,
                      "CACHE_ENTRIES": 0, "QUERIES_DIR": str(next(iter(BY_NAME.values())).path.parent), **settings})
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def client(published, real_build):
    app = make_app(published, real_build)
    yield app.test_client()
    app.extensions["policykg"].close()


def direct(virtuoso, query: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    """Send a query to Virtuoso itself, bypassing the endpoint."""
    request = urllib.request.Request(virtuoso.base + "/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def written(virtuoso) -> int:
    """Triples in the graph the refused updates aim at, asked of Virtuoso directly."""
    status, body = direct(virtuoso, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{TEST_GRAPH}> {{ ?s ?p ?o }} }}")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


class Trap:
    """A local HTTP server that records every request made to it (what bif:http_get or FROM would fetch)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/trap"
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.requests.append(conn.recv(4096))
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\ntrapped")
            except OSError:
                pass
            conn.close()


@pytest.fixture()
def trap():
    found = Trap()
    yield found
    found.sock.close()


# ---- loading ----

def test_publish_needs_the_authenticated_endpoint_and_never_a_world_writable_store(virtuoso, real_build):
    with pytest.raises(PublishError, match="sparql-graph-crud-auth"):
        publish(virtuoso.base + "/sparql-graph-crud", real_build, None)  # anonymous: 403 from a stock Virtuoso
    with pytest.raises(PublishError, match="did not accept the credentials"):
        publish(virtuoso.base + "/sparql-graph-crud-auth", real_build, None,
                credentials=Credentials("dba", "not-the-password", "the test"))


# ---- answers ----

@pytest.mark.parametrize("case", ANSWERED, ids=case_id)
def test_competency_question_through_the_endpoint(client, case: tuple[str, str]) -> None:
    """Every answered (question, dataset) pair, as the query page and any client send it: the remote engine route
    (refusals: tests/test_queries.py)."""
    name, dataset = case
    cq = BY_NAME[name]
    version = None if cq.across_versions else dataset
    response = client.post(endpoint_path(dataset), data={"query": cq.text},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    actual = from_sparql_json(response.get_data(as_text=True))
    assert compare(cq.expected(version), actual, ordered=cq.ordered, concatenated=cq.concatenated) == []


def test_what_each_version_states_is_asked_of_virtuoso_too(client, real_build) -> None:
    """The query page asks the backend what each version's notice leaves unsaid (not-stated.rq): Virtuoso answers
    as the embedded engine does (the global notices state no basis, audience, interest or law; the UK and EU ones
    state all four), and the page refuses by those answers and the questions' dataset marks."""
    from policykg.store.dataset import load_store
    from policykg.store.views import run_on, sparql

    query = sparql("not-stated").text
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    remote = {(b["version"]["value"], b["kind"]["value"]) for b in json.loads(response.data)["results"]["bindings"]}
    embedded = {(row["version"], row["kind"]) for row in run_on(load_store(real_build, None), query, None).values()}
    assert remote == embedded
    assert {version for version, _ in remote} == GLOBAL_VERSIONS and len(remote) == 4 * len(GLOBAL_VERSIONS)
    page = client.get("/").get_data(as_text=True)
    assert "cq36-processes-added-removed compares versions" in page


def test_answers_are_standard_whatever_virtuoso_sends(client, published):
    ask = "ASK { ?s a <https://w3id.org/dpv#PrivacyNotice> }"  # Virtuoso answers some as a SELECT of __ASK_RETVAL
    assert json.loads(client.post("/sparql", data={"query": ask}).data) == {"head": {}, "boolean": True}
    assert client.post("/sparql", data={"query": ask}, headers={"Accept": "text/csv"}).data.strip() == b"true"
    select = ("SELECT ?n (COUNT(*) AS ?k) WHERE { ?n a <https://w3id.org/dpv#PrivacyNotice> } GROUP BY ?n")
    assert b"typed-literal" in direct(published, select)[1]  # what Virtuoso itself answers
    body = client.post("/sparql", data={"query": select}).get_data(as_text=True)
    assert "typed-literal" not in body and '"datatype":"http://www.w3.org/2001/XMLSchema#integer"' in body
    tsv = client.post("/sparql", data={"query": select}, headers={"Accept": "text/tab-separated-values"})
    assert tsv.data.decode().splitlines()[0] == "?n\t?k"  # Virtuoso's own TSV header is "n"\t"k"
    assert tsv.data.decode().splitlines()[1].startswith("<https://w3id.org/policykg/")


# ---- refusals ----

def test_updates_hidden_from_a_first_keyword_guard_are_refused(client, writable):
    published = writable
    before = written(published)
    for update in [f"DEFINE sql:log-enable 2 INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}",
                   f"MODIFY <{TEST_GRAPH}> DELETE {{ }} INSERT {{ <urn:a> <urn:b> <urn:d> }}"]:
        response = client.post("/sparql", data={"query": update})
        assert response.status_code == 403 and b"SPARQL Update" in response.data, response.data
    assert written(published) == before
    # ... which this Virtuoso would have carried out
    status, body = direct(published, f"MODIFY <{TEST_GRAPH}> DELETE {{ }} INSERT {{ <urn:a> <urn:b> <urn:e> }}")
    assert status == 200 and written(published) == before + 1, body


def test_vendor_functions_and_pragmas_are_refused_and_nothing_is_fetched(client, published, trap):
    fetch = f'SELECT (bif:http_get("{trap.url}") AS ?page) {{}}'
    for query, status, reason in [
        (fetch, 403, b"bif: scheme"),
        (f'PREFIX b: <bif:> SELECT (b:http_get("{trap.url}") AS ?page) {{}}', 403, b"bif: scheme"),
        (f'DEFINE get:soft "replace" SELECT * FROM <{trap.url}> WHERE {{ ?s ?p ?o }}', 400, b"Virtuoso pragma"),
        (f'SELECT * WHERE {{ ?s ?p ?o FILTER(<http://www.w3.org/2005/xpath-functions#doc>("{trap.url}")) }}', 403,
         b"is not allowed"),
        ("SELECT * WHERE { ?s <http://e/p>{1,3} ?o }", 400, b"not a SPARQL 1.1 query"),
    ]:
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == status and reason in response.data, (query, response.data)
        assert b"Traceback" not in response.data
    response = client.post("/sparql", data={"query": f"SELECT * FROM <{trap.url}> WHERE {{ ?s ?p ?o }} LIMIT 1"})
    assert response.status_code == 200  # FROM is forwarded; Virtuoso does not fetch it without a pragma
    assert trap.requests == []  # every request above has been answered, so nothing can still be on its way
    # ... while Virtuoso, asked directly, fetches the URL for anyone
    status, _ = direct(published, fetch)
    assert status == 200 and trap.requests and trap.requests[0].startswith(b"GET /trap")


def test_an_answer_cut_at_virtuosos_row_cap_is_refused(client):
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    response = client.post("/sparql", data={"query": everything})
    assert response.status_code == 422 and response.headers["X-SPARQL-MaxRows"] == "10000"
    assert b"ResultSetMaxRows" in response.data
    graph = client.post("/sparql", data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert graph.status_code == 422  # Virtuoso cuts a CONSTRUCT at 10,000 triples too, and without a header
    limited = client.post("/sparql", data={"query": everything + " LIMIT 10000"})
    assert limited.status_code == 200 and len(json.loads(limited.data)["results"]["bindings"]) == 10000


def test_the_deadline_stops_virtuoso_too(published, real_build):
    """The 503 comes at the endpoint's timeout, and Virtuoso stops working soon after instead of running on for its
    own 60 s (it was passed the deadline as `timeout` in milliseconds)."""
    app = make_app(published, real_build, QUERY_TIMEOUT=2.0)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
        started = time.monotonic()
        response = app.test_client().post("/sparql", data={"query": slow})
        assert response.status_code == 503, response.data
        assert time.monotonic() - started < 6
        assert json.loads(app.test_client().get("/healthz").data)["detail"]["engine"] == "virtuoso"
    finally:
        app.extensions["policykg"].close()
    deadline = time.monotonic() + 10
    previous = published.cpu_seconds()
    while True:  # poll until a half-second passes with Virtuoso (nearly) idle
        assert time.monotonic() < deadline, "Virtuoso was still busy 10 s after the endpoint gave up"
        time.sleep(0.5)
        now = published.cpu_seconds()
        if now - previous < 0.1:
            break
        previous = now

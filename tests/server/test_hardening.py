"""A read-only public endpoint: updates, LOAD, SERVICE and FROM cannot reach out; runaway queries are stopped."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from policykg.server import create_app
from server_fixture import HTTP_ANSWER, RUNAWAY_QUERY, poll, trap_socket

INTERNAL_ERROR = b"500 Internal Server Error: the server could not answer this request (the error was logged)\n"


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://attacker.invalid/data.ttl>",
    "DROP ALL",
    "CLEAR DEFAULT",
    "PREFIX ex: <http://attacker.invalid/> # a comment\nWITH ex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_whichever_way_they_arrive(client, update):
    attempts = [
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data=update, content_type="application/sparql-update"),
        client.get("/sparql", query_string={"update": update}),
        client.get("/sparql", query_string={"query": update}),
        client.post("/sparql", data=update, content_type="application/sparql-query"),
    ]
    for response in attempts:
        assert response.status_code == 403, response.data
        assert b"not allowed" in response.data
    count = client.get("/sparql", query_string={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert json.loads(count.data)["boolean"] is False


def service_variants(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE<{url}>{{?s ?p ?o}} }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # comment\n <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER(?a<?b)SERVICE<{url}>{{?s ?p ?o}} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_service_is_refused_and_nothing_is_contacted(client, trap):
    for query in service_variants(trap.port):
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == 403, (query, response.data)
        assert response.data.startswith(b"403 Forbidden: SERVICE "), response.data
    trap.assert_never_contacted()


def test_keywords_inside_strings_iris_and_names_are_not_refused(client):
    query = """PREFIX dpv: <https://w3id.org/dpv#>
    # SERVICE <http://evil.example/> in a comment
    SELECT ?x WHERE { VALUES ?x { "SERVICE <http://evil.example/> { }" 'LOAD <x>' dpv:ServiceProvision
    <http://attacker.invalid/SERVICE> } }"""
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 200, response.data
    assert len(json.loads(response.data)["results"]["bindings"]) == 4


def test_from_and_from_named_never_read_urls_or_files(client, trap):
    for query in [
        f"SELECT * FROM <http://127.0.0.1:{trap.port}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <http://127.0.0.1:{trap.port}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    ]:
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == 200
        assert json.loads(response.data)["results"]["bindings"] == []
    trap.assert_never_contacted()


@pytest.fixture(scope="module")
def answering_trap():
    """A local 'SPARQL endpoint' that answers every request with one SPARQL JSON row."""
    with trap_socket(lambda index, request: HTTP_ANSWER) as found:
        yield found


@pytest.fixture(scope="module")
def strict_app(server_settings, answering_trap):
    """An app with the trap as its allowlisted SERVICE host and a tiny result cap."""
    settings = dict(server_settings, SERVICE_ALLOWLIST=(f"127.0.0.1:{answering_trap.port}",),
                    MAX_RESULT_BYTES=4000, QUERY_WORKERS=1, CACHE_ENTRIES=0)
    application = create_app(settings)
    yield application
    application.extensions["policykg"].close()


def test_allowlisted_service_host_is_called(strict_app, answering_trap):
    client = strict_app.test_client()
    allowed = f"SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{answering_trap.port}/sparql> {{ ?s ?p ?x }} }}"
    response = client.post("/sparql", data={"query": allowed})
    assert response.status_code == 200, response.data
    assert json.loads(response.data)["results"]["bindings"] == [{"x": {"type": "literal", "value": "from the trap"}}]
    (request,) = answering_trap.wait_for(1)
    assert request.startswith(b"POST /sparql ") or request.startswith(b"GET /sparql?"), request[:200]
    other = client.post("/sparql", data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.2:9999/x> { ?s ?p ?o } }"})
    assert other.status_code == 403
    assert other.data == (b"403 Forbidden: SERVICE <http://127.0.0.2:9999/x> is not allowed: its host is not on this "
                          b"endpoint's allowlist\n")


def test_result_size_cap(strict_app):
    client = strict_app.test_client()
    big = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert big.status_code == 422
    assert b"LIMIT" in big.data
    small = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert small.status_code == 200


def test_request_size_cap(client):
    filler = "# " + "x" * (2 * 1024 * 1024) + "\nASK {}"
    form = client.post("/sparql", data={"query": filler})
    assert form.status_code == 413
    direct = client.post("/sparql", data=filler, content_type="application/sparql-query")
    assert direct.status_code == 413
    assert b"limit" in direct.data


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_runaway_query_is_stopped_with_503_and_its_process_killed(app, client):
    pool = app.extensions["policykg"].backend.pool
    before = pool.worker_pids()
    response = client.get("/sparql", query_string={"query": RUNAWAY_QUERY})
    assert response.status_code == 503
    timeout = app.config["QUERY_TIMEOUT"]
    assert response.data == (f"503 Service Unavailable: the query did not finish within {timeout:g} s and was "
                             "stopped. Simplify the query or add a LIMIT.\n").encode()
    assert response.headers["Retry-After"] == "5"
    killed = before - pool.worker_pids()
    assert len(killed) == 1
    assert not any(alive(pid) for pid in killed), "the runaway worker is still running"
    assert pool.retries == 0, "a query that timed out was run again"
    poll(lambda: pool.idle == 2, "the pool to be refilled")
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def fetch(url: str, data: dict | None = None) -> tuple[int, bytes, float]:
    started = time.monotonic()
    body = urllib.parse.urlencode(data).encode() if data else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.monotonic() - started


def test_live_server_timeout_does_not_block_a_simple_query(live_server):
    results: dict[str, tuple[int, bytes, float]] = {}
    runaway = threading.Thread(target=lambda: results.setdefault(
        "runaway", fetch(live_server + "/sparql", {"query": RUNAWAY_QUERY})))
    runaway.start()

    def busy() -> bool:  # some HTTP worker's pool reports a query process at work
        detail = json.loads(fetch(live_server + "/healthz")[1])["detail"]
        return detail["idle"] < detail["workers"]

    poll(busy, "the runaway query to start")
    simple = fetch(live_server + "/sparql", {"query": f"ASK {{ ?s ?p ?o }} # {os.getpid()}-{id(results)}"})
    answered_while_runaway_ran = "runaway" not in results
    runaway.join(30)
    status, body, _ = simple
    assert status == 200 and json.loads(body)["boolean"] is True
    assert answered_while_runaway_ran, "the simple query was answered only after the runaway query ended"
    status, body, _ = results["runaway"]
    assert status == 503
    assert body == (b"503 Service Unavailable: the query did not finish within 2 s and was stopped. Simplify the "
                    b"query or add a LIMIT.\n")
    health = json.loads(fetch(live_server + "/healthz")[1])
    assert health["status"] == "ok"


def test_live_server_refuses_a_2mb_body(live_server):
    status, body, _ = fetch(live_server + "/sparql", {"query": "# " + "y" * (2 * 1024 * 1024) + "\nASK {}"})
    assert status == 413
    assert b"limit of" in body


def test_a_slow_client_still_reads_the_413(live_server):
    # The server answers 413 from the headers; it must read away the refused body before closing, or the
    # client, still sending, gets a reset connection instead of the answer. Pause mid-body to force that case.
    host, port = live_server.removeprefix("http://").split(":")
    body = b"query=" + b"y" * (2 * 1024 * 1024)
    head = (f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    for _ in range(8):  # the reset is a timing race (it showed under load): repeating makes a regression show
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(head + body[:65536])
            # A slow client, not a way to order events: the answer must be the 413 however long this pause is.
            time.sleep(0.3)
            sock.sendall(body[65536:])
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"limit of" in answer


def test_errors_never_show_stack_traces(app, client, monkeypatch):
    backend = app.extensions["policykg"].backend

    def broken(job, timeout):
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(backend, "run", broken)
    response = client.get("/sparql", query_string={"query": "ASK { ?x ?y ?z } # broken backend"})
    assert response.status_code == 500
    assert response.data == INTERNAL_ERROR
    # a page whose queries cannot have been cached before (its IRI is new), so they reach the broken backend
    page = client.get(f"/meta-uk-2025-06-16/never-described-{os.getpid()}-{id(monkeypatch)}")
    assert page.status_code == 500
    assert page.data == INTERNAL_ERROR

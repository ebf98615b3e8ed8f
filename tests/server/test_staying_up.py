"""An endpoint that stays up: bounded caches whatever the Host header, trusted hosts, and a query whose worker
dies under it answered by another worker."""

from __future__ import annotations

import json
import os
import signal
import threading

import pyoxigraph as ox
import pytest

from policykg.server import create_app
from server_fixture import HTTP_ANSWER, poll, trap_socket

SERVICE_QUERY = "SELECT ?x WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?x }} }}"
TRAP_ROW = [{"x": {"type": "literal", "value": "from the trap"}}]


# ---- caches and hosts ----

def test_many_host_names_leave_every_cache_bounded(server_settings):
    app = create_app(dict(server_settings, QUERY_WORKERS=1, CACHE_ENTRIES=16))
    try:
        client = app.test_client()
        st = app.extensions["policykg"]
        paths = ["/sparql", "/.well-known/void", "/download/", "/sparql?query=ASK%7B%7D",
                 "/sparql?query=CONSTRUCT%7B%3Cs%3E%20%3Cp%3E%201%7DWHERE%7B%7D"]
        for i in range(1500):
            host = f"h{i}.example:{8000 + i % 7}"
            response = client.get(paths[i % len(paths)], headers={"Host": host})
            assert response.status_code == 200, (host, response.data)
        sizes = st.cache_sizes()
        assert sizes["responses"]["entries"] <= 16 and sizes["responses"]["max_entries"] == 16
        # what the memo may hold is decided by the app: no entry per host name
        assert sizes["memo"]["entries"] <= 4, sizes
        assert sizes["memo"]["entries"] <= sizes["memo"]["max_entries"]
        assert 0 < sizes["query_inspections"]["entries"] <= sizes["query_inspections"]["max_entries"] == 1024
        # two base-independent queries were cached, once each, whatever the Host: ASK {} and the service
        # description's graph counts; the CONSTRUCT with relative IRIs depends on the Host and is never cached
        assert sizes["responses"]["entries"] == 2
        assert json.loads(client.get("/healthz").data)["caches"] == st.cache_sizes()
    finally:
        app.extensions["policykg"].close()


def test_the_service_description_names_the_endpoint_the_client_addressed(client):
    for host in ("one.example", "two.example:8080"):
        response = client.get("/sparql", headers={"Host": host, "Accept": "application/n-triples"})
        endpoints = {t.object.value for t in ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES)
                     if t.predicate.value == "http://www.w3.org/ns/sparql-service-description#endpoint"}
        assert endpoints == {f"http://{host}/sparql"}


@pytest.fixture(scope="module")
def trusting_app(server_settings):
    application = create_app(dict(server_settings, QUERY_WORKERS=1, TRUSTED_HOSTS=["sparql.example", "localhost"]))
    yield application
    application.extensions["policykg"].close()


def test_trusted_hosts(trusting_app):
    client = trusting_app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Host": "sparql.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "localhost:8000"}).status_code == 200  # ports are not compared
    refused = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert refused.mimetype == "text/plain"
    assert refused.data == (b"400 Bad Request: Host 'evil.example' is not trusted. This endpoint answers only to the "
                            b"host names sparql.example, localhost (its --trusted-host settings).\n")
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_serve_passes_trusted_hosts_to_the_app():
    import argparse

    from policykg.cli.serve import add_serve_arguments, app_settings

    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    given = parser.parse_args(["--trusted-host", "a.example", "--trusted-host", ".b.example"])
    assert app_settings(given, build_dir=".", dpv_dir=None)["TRUSTED_HOSTS"] == ["a.example", ".b.example"]
    assert app_settings(parser.parse_args([]), build_dir=".", dpv_dir=None)["TRUSTED_HOSTS"] is None


# ---- SPARQL 1.1 Protocol details ----

def test_relative_iris_resolve_against_the_endpoint_url(client):
    construct = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    for host in ("one.example", "two.example:8080"):
        response = client.post("/sparql", data=construct, content_type="application/sparql-query",
                                headers={"Host": host, "Accept": "application/n-triples"})
        assert response.status_code == 200, response.data
        assert response.data.decode().strip() == (
            f'<http://{host}/s> <http://{host}/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    select = client.get("/sparql", query_string={"query": 'SELECT (IRI("x") AS ?i) ?o WHERE { OPTIONAL { <> ?p ?o } }'},
                        headers={"Host": "three.example"})
    assert json.loads(select.data)["results"]["bindings"] == [{"i": {"type": "uri", "value": "http://three.example/x"}}]
    declared = client.get("/sparql", query_string={"query": "BASE <http://b.example/> SELECT (IRI('x') AS ?i) {}"})
    assert json.loads(declared.data)["results"]["bindings"] == [{"i": {"type": "uri", "value": "http://b.example/x"}}]


@pytest.mark.parametrize("charset", ["iso-8859-1", "UTF-16", "latin1"])
def test_a_direct_post_in_another_charset_is_refused(client, charset):
    query = "ASK { ?s ?p \"café\" }"
    response = client.post("/sparql", data=query.encode(charset), content_type=f"application/sparql-query; charset={charset}")
    assert response.status_code == 415
    assert response.data == (f"415 Unsupported Media Type: a application/sparql-query body must be UTF-8 (SPARQL 1.1 "
                             f"Protocol 2.1.3); this one was declared charset={charset}. Send it as UTF-8, or as a "
                             f"form.\n").encode()
    for declared in ("utf-8", "UTF-8", "utf8"):
        ok = client.post("/sparql", data=query.encode(), content_type=f"application/sparql-query; charset={declared}")
        assert ok.status_code == 200 and json.loads(ok.data) == {"head": {}, "boolean": False}
    undecodable = client.post("/sparql", data=query.encode("latin-1"), content_type="application/sparql-query")
    assert undecodable.status_code == 400
    assert undecodable.data == b"400 Bad Request: the query body is not valid UTF-8\n"


# ---- a worker that dies under a query ----

class Gate:
    """How the trap answers: hold every call open (the query stays in flight) until `answering` is set."""

    def __init__(self) -> None:
        self.answering = threading.Event()

    def __call__(self, index: int, request: bytes) -> bytes | None:
        return HTTP_ANSWER if self.answering.is_set() else None


@pytest.fixture(scope="module")
def gate():
    return Gate()


@pytest.fixture(scope="module")
def held_trap(gate):
    with trap_socket(gate) as found:
        yield found


@pytest.fixture(scope="module")
def dying_app(server_settings, held_trap):
    """Two query workers; the trap is an allowlisted SERVICE that holds a query in flight for as long as we like."""
    settings = dict(server_settings, SERVICE_ALLOWLIST=(f"127.0.0.1:{held_trap.port}",), QUERY_WORKERS=2,
                    CACHE_ENTRIES=0, QUERY_TIMEOUT=60.0)
    application = create_app(settings)
    yield application
    application.extensions["policykg"].close()


@pytest.fixture()
def in_flight(dying_app, held_trap, gate):
    """Start a query in a thread; yields (pool, result dict, thread) once its worker is calling the trap."""
    pool = dying_app.extensions["policykg"].backend.pool
    poll(lambda: pool.idle == pool.size, "a full pool of idle workers")
    gate.answering.clear()
    held_trap.reset()
    result: dict[str, object] = {}
    query = SERVICE_QUERY.format(port=held_trap.port) + f" # {os.urandom(4).hex()}"
    thread = threading.Thread(target=lambda: result.setdefault(
        "response", dying_app.test_client().post("/sparql", data={"query": query})))
    thread.start()
    held_trap.wait_for(1)  # the query is in flight: its worker is calling the trap
    yield pool, result, thread
    gate.answering.set()
    thread.join(60)


def kill_the_busy_worker(pool) -> int:
    (pid,) = poll(pool.busy_pids, "the busy worker")
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_query_whose_worker_dies_is_answered_by_another_worker(in_flight, held_trap, gate):
    pool, result, thread = in_flight
    retries = pool.retries
    gate.answering.set()  # from now on the trap answers: the second attempt will get its row
    victim = kill_the_busy_worker(pool)
    thread.join(60)
    response = result["response"]
    assert response.status_code == 200, response.data
    assert json.loads(response.data)["results"]["bindings"] == TRAP_ROW
    assert len(held_trap.wait_for(2)) == 2, "the query was not run a second time"
    assert pool.retries == retries + 1
    assert victim not in pool.worker_pids()
    poll(lambda: pool.alive == pool.size, "the dead worker to be replaced")


def test_a_query_is_run_again_only_once(in_flight, held_trap):
    pool, result, thread = in_flight
    retries = pool.retries
    kill_the_busy_worker(pool)
    held_trap.wait_for(2)  # the second attempt is in flight on the other worker
    kill_the_busy_worker(pool)
    thread.join(60)
    response = result["response"]
    assert response.status_code == 503
    assert response.data == (b"503 Service Unavailable: the query worker stopped while running the query "
                             b"(memory limit?)\n")
    assert pool.retries == retries + 1
    assert len(held_trap.probe()) == 3, "the query was run a third time"  # two attempts, then our probe


def test_a_query_that_timed_out_is_not_run_again(dying_app, held_trap, gate, monkeypatch):
    st = dying_app.extensions["policykg"]
    pool = st.backend.pool
    poll(lambda: pool.idle == pool.size, "a full pool of idle workers")
    gate.answering.clear()
    held_trap.reset()
    monkeypatch.setattr(st, "timeout", 1.0)
    retries = pool.retries
    response = dying_app.test_client().post("/sparql", data={"query": SERVICE_QUERY.format(port=held_trap.port)})
    assert response.status_code == 503
    assert response.data.startswith(b"503 Service Unavailable: the query did not finish within 1 s and was stopped")
    assert pool.retries == retries
    # the run is over; a second attempt would have called the trap before the answer came: the probe comes second
    assert len(held_trap.probe()) == 2, "the query that timed out was run again"

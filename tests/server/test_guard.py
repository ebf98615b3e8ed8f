"""The lexical query guard and the Accept parser, on their own."""

from __future__ import annotations

import pytest

from policykg.server.guard import Refused, inspect_query, tokens
from policykg.server.negotiation import best_media_type


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("prefix ex: <http://e/> base <http://b/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
    ("# comment\nASK {}", "ASK"),
    ("DESCRIBE <http://e/x>", "DESCRIBE"),
    ("SELEKT * {}", None),
])
def test_query_forms(query, form):
    assert inspect_query(query).form == form


def test_tokens_skip_strings_comments_and_iris():
    kinds = [(t.kind, t.text) for t in tokens('SELECT ?x { ?x ?p """SERVICE""" } # SERVICE\n<urn:SERVICE>')]
    assert ("word", "SERVICE") not in kinds
    assert ("string", '"""SERVICE"""') in kinds and ("iri", "<urn:SERVICE>") in kinds


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://a.example/s> {} }",
    "SELECT * { SERVICE ?x {} }",
    "SELECT * { SERVICE:x {} }",
    "PREFIX p: <http://a.example/> SELECT * { SERVICE SILENT p:s {} }",
    "SELECT * { SERVICE <file:///etc/passwd> {} }",
])
def test_service_refused_without_allowlist(query):
    with pytest.raises(Refused):
        inspect_query(query)


def test_service_allowlist_by_host_or_host_and_port():
    assert inspect_query("SELECT * { SERVICE <http://a.example/s> {} }", ["a.example"]).service_iris
    assert inspect_query("SELECT * { SERVICE <http://a.example:81/s> {} }", ["a.example:81"]).service_iris
    with pytest.raises(Refused):
        inspect_query("SELECT * { SERVICE <http://a.example:82/s> {} }", ["a.example:81"])
    with pytest.raises(Refused):
        inspect_query("SELECT * { SERVICE <http://a.example.evil/s> {} }", ["a.example"])


@pytest.mark.parametrize("header, offers, expected", [
    ("text/csv;q=0.3, */*;q=0.5", ["text/csv", "application/json"], "application/json"),
    ("application/*", ["text/csv", "application/json"], "application/json"),
    ("text/csv;q=0", ["text/csv"], None),
    ("TEXT/CSV", ["text/csv"], "text/csv"),
    ("text/csv;q=abc, application/json;q=0.1", ["text/csv", "application/json"], "application/json"),
    (None, ["a/b", "c/d"], "a/b"),
    ("c/d, a/b", ["a/b", "c/d"], "c/d"),
])
def test_best_media_type(header, offers, expected):
    assert best_media_type(header, offers) == expected

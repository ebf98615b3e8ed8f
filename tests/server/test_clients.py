"""Clients nobody here wrote: SPARQLWrapper and rdflib's SPARQLStore, against the real server (granian)."""

from __future__ import annotations

import pytest

QUERY = """PREFIX dpv: <https://w3id.org/dpv#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?process ?label WHERE { ?process a dpv:Process ; rdfs:label ?label } ORDER BY ?label"""


def test_sparqlwrapper_select_construct_ask(live_server):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    for method in (SPARQLWrapper.GET, SPARQLWrapper.POST):
        client = SPARQLWrapper.SPARQLWrapper(live_server + "/sparql")
        client.setMethod(method)
        client.setQuery(QUERY)
        client.setReturnFormat(SPARQLWrapper.JSON)
        rows = client.queryAndConvert()["results"]["bindings"]
        assert [row["label"]["value"] for row in rows] == [
            "Personalising the Meta Products", "Using information from partners to show ads"]
    client = SPARQLWrapper.SPARQLWrapper(live_server + "/sparql")
    client.setQuery("CONSTRUCT WHERE { ?s <https://w3id.org/dpv#hasLegalBasis> ?o }")
    client.setReturnFormat(SPARQLWrapper.TURTLE)
    assert b"A6-1-b" in client.queryAndConvert()
    client.setQuery("ASK { ?s a <https://w3id.org/dpv#PrivacyNotice> }")
    client.setReturnFormat(SPARQLWrapper.XML)
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_sees_errors(live_server):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper.SPARQLWrapper(live_server + "/sparql")
    client.setQuery("SELECT * WHERE { ?s ")
    client.setReturnFormat(SPARQLWrapper.JSON)
    with pytest.raises(QueryBadFormed):
        client.queryAndConvert()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(live_server, method):
    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(live_server + "/sparql", method=method))  # rdflib's defaults otherwise
    labels = sorted(str(row.label) for row in graph.query(QUERY))
    assert labels == ["Personalising the Meta Products", "Using information from partners to show ads"]
    process = URIRef("https://w3id.org/policykg/meta-uk-2025-06-16/process/contract-personalising")
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert Literal("Personalising the Meta Products", lang="en") in set(graph.objects(process, label))
    construct = graph.query("CONSTRUCT WHERE { ?s <https://w3id.org/dpv#hasLegalBasis> ?o }")
    assert len(construct.graph) == 2


def test_rdflib_sparqlstore_json_select(live_server):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(live_server + "/sparql", returnFormat="json"))
    assert len(list(graph.query(QUERY))) == 2

"""Linked data: instance and ontology IRIs resolve to HTML pages and, by content negotiation, to RDF."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest

from server_fixture import PRIMARY_TEXT_FILE, SECTION, SOURCE_TEXT, SPAN_END, SPAN_START

PROCESS = "/meta-uk-2025-06-16/process/contract-personalising"
PROCESS_IRI = "https://w3id.org/policykg/meta-uk-2025-06-16/process/contract-personalising"


def test_instance_page_shows_label_types_properties_span_and_policy_link(client, dpv_dir):
    response = client.get(PROCESS, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html.unescape(response.data.decode())
    assert re.search(r"<h1[^>]*>Personalising the Meta Products</h1>", page)
    assert 'href="/resource?iri=https://w3id.org/dpv%23Process"' in page  # its type, linked
    assert 'href="/meta-uk-2025-06-16/purpose/personalising"' in page  # an object in our namespace
    assert "eu-gdpr:A6-1-b" in page and "Rows of the contract table" in page
    assert SOURCE_TEXT[SPAN_START:SPAN_END] in page  # the quoted source span
    assert f"Characters {SPAN_START}–{SPAN_END}" in page
    assert f'href="{SECTION}"' in page  # link to the policy section
    assert 'href="/meta-uk-2025-06-16/notice"' in page  # referenced by
    if dpv_dir:
        assert "Art 6(1-b) contract" in page  # DPV's label for the legal basis


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_instance_iri_negotiates_rdf(client, accept, fmt):
    response = client.get(PROCESS, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    triples = list(ox.parse(response.data, format=fmt))
    subjects = {t.subject.value for t in triples}
    assert PROCESS_IRI in subjects
    assert any(t.predicate.value == "https://w3id.org/dpv#hasLegalBasis" for t in triples)
    assert any(t.object.value == PROCESS_IRI for t in triples)  # incoming links included


def test_format_parameter_and_alternate_links(client):
    response = client.get(PROCESS + "?format=ttl")
    assert response.mimetype == "text/turtle"
    page = client.get(PROCESS).data.decode()
    assert 'rel="alternate" type="text/turtle"' in page


def test_span_iri_resolves_to_its_selector(client):
    response = client.get(f"/meta-uk-2025-06-16/span/{SPAN_START}-{SPAN_END}")
    assert response.status_code == 200
    page = html.unescape(response.data.decode())
    assert "TextPositionSelector" in page and str(SPAN_START) in page
    assert SOURCE_TEXT[SPAN_START:SPAN_END] in page


def test_ontology_document_anchors_every_term(client):
    response = client.get("/ontology")
    assert response.status_code == 200
    page = html.unescape(response.data.decode())
    assert 'id="NonUser"' in page and 'id="InformationCategory"' in page
    assert "Person not associated with an account" in page
    assert "owl:someValuesFrom" in page  # the blank-node restriction is shown nested
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    triples = list(ox.parse(turtle.data, format=ox.RdfFormat.TURTLE))
    assert any(t.subject.value == "https://w3id.org/policykg/ontology#NonUser" for t in triples)
    assert not any("meta-uk" in t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode))


def test_any_store_iri_via_resource(client, dpv_dir):
    if dpv_dir is None:
        pytest.skip("DPV 2.3 folder not found")
    response = client.get("/resource", query_string={"iri": "https://w3id.org/dpv#PersonalisedAdvertising"})
    assert response.status_code == 200
    assert "Personalised Advertising" in html.unescape(response.data.decode())


def test_unknown_iri_is_404_and_bad_accept_is_406(client):
    assert client.get("/meta-uk-2025-06-16/process/no-such-thing").status_code == 404
    assert client.get("/meta-uk-2025-06-16/process/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get(PROCESS, headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/resource", query_string={"iri": "bad iri>"}).status_code == 400
    assert client.get("/resource").status_code == 400


def test_query_page_lists_examples_and_works_offline(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.data.decode()
    assert 'id="examples"' in page and "<option" in page
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page) + re.findall(r'<link[^>]*href="([^"]+)"', page)
    scripts = [src for src in scripts if not src.startswith("data:")]
    assert scripts and all(src.startswith("/") for src in scripts), scripts  # nothing from a CDN
    for src in scripts:
        assert client.get(src).status_code == 200


def test_a_text_the_build_was_not_made_from_is_not_quoted(server_settings, tmp_path):
    from policykg.server import create_app

    other = tmp_path / PRIMARY_TEXT_FILE  # the right name, the wrong bytes
    other.write_text(SOURCE_TEXT.replace("personalise", "PERSONALISE"), encoding="utf-8")
    app = create_app(dict(server_settings, TEXTS_DIR=str(tmp_path), QUERY_WORKERS=1))
    try:
        page = html.unescape(app.test_client().get(PROCESS, headers={"Accept": "text/html"}).data.decode())
    finally:
        app.extensions["policykg"].close()
    assert f"Characters {SPAN_START}–{SPAN_END}" in page  # the offsets are still given
    assert "<blockquote>" not in page and "PERSONALISE" not in page

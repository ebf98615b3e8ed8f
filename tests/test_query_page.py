"""The query page in real headless Chromium (Debian's, driven by Playwright) on a real build: questions grouped by
topic, results with labels and CURIEs, IRIs linking to their pages, sortable columns, prefixes added, no CDN; any
version picked gives that version's answer, a question refused where it does not apply, the URL keeps query and
dataset, and the endpoint's links open pages.

`policykg serve` is started from this package: a broken import fails here. Only what lies outside the project skips,
saying why: Chromium (the browser fixture), DPV 2.3 and the policy texts (the build)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from build_fixtures import dpv_or_skip
from policykg.analysis import running_endpoint
from policykg.store.questions import get_question

EU = "meta-eu-2025-12-16"


@pytest.fixture(scope="module")
def site(build_dir: Path):
    with running_endpoint(build_dir, dpv_or_skip()) as endpoint:
        yield endpoint.removesuffix("/sparql")


@pytest.fixture()
def page(browser, site):
    context = browser.new_context()
    opened = context.new_page()
    opened.external = []
    opened.errors = []
    opened.on("request", lambda r: None if r.url.startswith(site) else opened.external.append(r.url))
    opened.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    opened.goto(site + "/")
    yield opened
    context.close()


def _run(page) -> None:
    page.click("#run")
    page.wait_for_selector("table.results.labelled", timeout=20000)


def test_a_question_shows_labels_curies_and_links(page) -> None:
    assert page.locator("#example optgroup").count() >= 5
    assert page.locator("#example optgroup[label='Legal bases'] option").count() >= 2
    question = get_question("cq02").question
    page.select_option("#example", label=question)
    assert page.inner_text("#question") == question
    _run(page)
    table = page.inner_text("table.results")
    assert "Art. 6(1)(f) legitimate interests" in table and "eu-gdpr:A6-1-f" in table
    assert "https://w3id.org/dpv/legal/eu/gdpr#A6-1-f" not in table
    assert page.get_attribute("table.results a.iri >> nth=0", "title").startswith("https://w3id.org/dpv/legal/eu/gdpr#")
    status = page.inner_text("#status")
    assert "7 rows" in status and " ms)" in status
    assert "format=csv" in page.get_attribute("#download-link", "href")
    page.click("table.results th:nth-child(2) button.sort")
    assert page.get_attribute("table.results th:nth-child(2)", "aria-sort") == "ascending"
    assert page.inner_text("table.results tbody tr:first-child td:nth-child(2)") == "1"
    page.click("table.results th:nth-child(2) button.sort")
    assert page.inner_text("table.results tbody tr:first-child td:nth-child(2)") == "23"
    assert page.external == [] and page.errors == []


def test_prefixes_are_added_and_processes_told_apart_by_audience(page) -> None:
    page.fill("#query", "SELECT ?process WHERE { ?process a dpv:Process ; dct:title ?t ; dpv:hasLegalBasis eu-gdpr:A6-1-f "
                        "FILTER(CONTAINS(?t, 'Personalising')) }")
    _run(page)
    assert page.inner_text("#prefix-note") == "Added PREFIX declarations for dct:, dpv:, eu-gdpr:"
    assert "Personalising the Meta Products · legitimate interests · under 18" in page.inner_text("table.results")
    page.click("table.results a.iri >> nth=0")
    page.wait_for_selector("h1#label")
    assert page.url.endswith("/meta-uk-2025-06-16/process/li-minors-personalising")


def test_another_version_answers_and_the_url_keeps_query_and_dataset(page, site) -> None:
    """Issue 18: picking the EU dataset and a question showed "0 rows"; it shows the EU notice's answer."""
    cq06 = get_question("cq06")
    page.select_option("#example", label=cq06.question)
    page.select_option("#dataset", value=EU)
    _run(page)
    assert page.inner_text("#status").startswith(f"{len(cq06.expected(EU).rows)} rows")
    assert "Providing, developing and improving AI at Meta" in page.inner_text("table.results")
    shared = page.url
    assert parse_qs(urlsplit(shared).query) == {"query": [cq06.text], "dataset": [EU]}
    opened = page.context.new_page()
    opened.goto(shared)
    assert opened.input_value("#dataset") == EU and opened.input_value("#query") == cq06.text
    assert opened.inner_text("#question") == cq06.question
    opened.click("#run")
    opened.wait_for_selector("table.results.labelled", timeout=20000)
    assert opened.inner_text("#status").startswith(f"{len(cq06.expected(EU).rows)} rows")
    opened.close()


def test_a_question_is_refused_where_it_does_not_apply(page) -> None:
    cq36 = get_question("cq36")
    page.select_option("#example", label=cq36.question)
    assert page.input_value("#dataset") == "all" and page.is_hidden("#refusal")
    page.select_option("#dataset", value=EU)
    assert page.is_visible("#refusal") and page.inner_text("#refusal").startswith(f"{cq36.name} compares versions")
    page.click("#run")
    assert page.inner_text("#status").startswith(f"Not asked of this dataset: {cq36.name} compares versions")
    assert page.locator("table.results").count() == 0
    page.fill("#query", cq36.text + "\n")  # edited: the user's own SPARQL, run as it is
    assert page.is_hidden("#refusal")
    _run(page)


def test_the_endpoints_links_open_pages(page, site) -> None:
    page.click("text=Service description")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "The SPARQL endpoint" and page.url == site + "/sparql"
    page.goto(site + f"/sparql/{EU}")
    assert urlsplit(page.url).path == "/" and page.input_value("#dataset") == EU
    assert page.external == [] and page.errors == []

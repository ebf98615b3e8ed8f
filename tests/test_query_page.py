"""The query page in real headless Chromium (Debian's, driven by Playwright) on a real build: questions grouped by
topic, results with labels and CURIEs, IRIs linking to their pages, sortable columns, prefixes added, no CDN."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_fixtures import dpv_or_skip


@pytest.fixture(scope="module")
def site(build_dir: Path):
    from policykg.analysis import endpoint_available, running_endpoint

    if not endpoint_available():
        pytest.skip("policykg serve cannot start here: the web app does not import")
    build = build_dir
    with running_endpoint(build, dpv_or_skip()) as endpoint:
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
    from policykg.store.questions import get_question

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

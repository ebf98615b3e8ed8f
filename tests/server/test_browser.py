"""The query page and a linked-data page in real headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    failures: list[str] = []
    opened.on("requestfailed", lambda request: failures.append(request.url))
    opened.on("console", lambda message: failures.append(message.text) if message.type == "error" else None)
    opened.failures = failures
    yield opened
    context.close()


def test_query_page_runs_an_example_and_shows_rows(page, live_server):
    external: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server) else external.append(request.url))
    page.goto(live_server + "/")
    options = page.locator("#example option")
    assert options.count() >= 2
    page.select_option("#example", index=1)
    chosen = page.input_value("#query")
    assert "SELECT" in chosen.upper() or "ASK" in chosen.upper()
    page.fill("#query", "PREFIX dpv: <https://w3id.org/dpv#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
              "SELECT ?process ?label WHERE { ?process a dpv:Process ; rdfs:label ?label } ORDER BY ?label")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr", timeout=10000)
    assert page.locator("table.results tbody tr").count() == 2
    assert "Personalising the Meta Products" in page.inner_text("table.results")
    assert "2 rows" in page.inner_text("#status")
    assert "format=csv" in page.get_attribute("#download-link", "href")
    page.select_option("#example", index=1)
    page.click("#run")
    page.locator("#status", has_text=" ms)").wait_for(timeout=10000)  # (the CSP forbids eval-based waits)
    assert "Error" not in page.inner_text("#status")
    page.fill("#query", "SELECT * WHERE { ?s ")
    page.click("#run")
    page.wait_for_selector("pre.error", timeout=10000)
    assert "400" in page.inner_text("#status")
    assert external == [], f"the page fetched from outside the server: {external}"
    assert page.failures == [] or all("400" in text for text in page.failures), page.failures


def test_result_links_lead_to_a_linked_data_page(page, live_server):
    page.goto(live_server + "/")
    page.fill("#query", "SELECT ?process WHERE { ?process a <https://w3id.org/dpv#Process> ; "
              "<http://www.w3.org/2000/01/rdf-schema#label> 'Personalising the Meta Products'@en }")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr a")
    page.click("table.results tbody tr a")
    page.wait_for_selector("h1#label")
    assert page.inner_text("h1#label") == "Personalising the Meta Products"
    assert page.url.endswith("/meta-uk-2025-06-16/process/contract-personalising")
    assert page.locator("blockquote").count() == 1
    assert page.get_attribute("a.policy-section", "href").startswith("https://www.facebook.com/privacy/policy")
    page.click("text=Meta Privacy Policy (UK), effective 16 June 2025")
    page.wait_for_selector("h1#label")
    assert "Meta Privacy Policy" in page.inner_text("h1#label")

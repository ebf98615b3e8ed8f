"""The change pages people forward: `/changes/<a>--<b>` in the site's style with a summary on top, each quoted
passage once and links shown as their words; the `/changes` index a line per comparison; an Atom 1.0 feed; and one
summary for the page, the feed, `policykg diff`'s text output and its HTML report."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from policykg.changes.render import render_html, render_text
from policykg.changes.summary import summary_lines
from server_fixture import write_fixture_build

ATOM = "{http://www.w3.org/2005/Atom}"
#: Comparisons the pages are tried on: a global revision, one across regimes (a basis not stated on one side), and
#: the UK -> EU one whose quotes hold markdown links and bullets that list several items at once.
NAMES = ("meta-global-2025-12-16--meta-global-2026-07-23", "meta-global-2025-12-16--meta-eu-2025-12-16",
         "meta-uk-2025-06-16--meta-eu-2025-12-16")


@pytest.fixture(scope="module")
def diffs(compiled):
    return {name: compiled.diffs[name][1] for name in NAMES}


@pytest.fixture(scope="module")
def pages_app(tmp_path_factory, compiled, diffs, dpv_dir):
    """The app on the small fixture build, with the real JSON reports of three comparisons added to it."""
    from policykg.changes.render import render_json
    from policykg.server import create_app

    out = write_fixture_build(tmp_path_factory.mktemp("pages") / "build")
    manifest = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    for name in NAMES:
        comparison, diff = compiled.diffs[name]
        (out / f"changes-{name}.json").write_text(render_json(diff), encoding="utf-8")
        manifest["changes"].append({"name": name, "old": comparison.old.name, "new": comparison.new.name,
                                    "graph": comparison.graph, "iri": str(comparison.iri), "triples": 0})
    (out / "dataset.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    app = create_app({"BUILD_DIR": str(out), "DPV_DIR": str(dpv_dir) if dpv_dir else False, "QUERY_WORKERS": 1,
                      "QUERY_TIMEOUT": 3.0, "TEXTS_DIR": str(out / "texts")})
    app.config["TESTING"] = True
    yield app
    app.extensions["policykg"].close()
    shutil.rmtree(out, ignore_errors=True)


def _sections(page: str) -> list[str]:
    """The page cut at each changed row's heading."""
    return page.split("<h3>")[1:]


def _quotes(html: str) -> list[str]:
    return re.findall(r"<blockquote>(.*?)</blockquote>", html, flags=re.S)


@pytest.mark.parametrize("name", NAMES)
def test_a_comparison_page_has_the_site_style_and_its_summary_on_top(pages_app, diffs, name) -> None:
    page = pages_app.test_client().get(f"/changes/{name}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<header class="site">' in page and "<footer>" in page, "the site's layout (base.html)"
    summary = re.search(r'<ul class="summary">(.*?)</ul>', page, flags=re.S)
    assert summary is not None and page.index('<ul class="summary">') < page.index("<h2>")
    import html

    shown = [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", summary.group(1), flags=re.S)]
    assert shown == summary_lines(diffs[name]) and len(shown) <= 14
    quotes = _quotes(page)
    assert quotes and not any("](" in q or "(http" in q for q in quotes), "markdown links are shown as their words"
    for section in _sections(page):
        within = _quotes(section.split("</table>")[0])
        assert len(within) == len(set(within)), "a passage is quoted once per changed row"


def test_a_cross_regime_page_says_what_one_notice_does_not_state(pages_app) -> None:
    page = pages_app.test_client().get("/changes/meta-global-2025-12-16--meta-eu-2025-12-16",
                                       headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "not stated in the global notice of 16 December 2025" in page
    assert 'class="not-stated"' in page
    assert "[no basis stated; no audience stated]" not in page.split("<h3>")[0]  # the global rows are old ones


def test_an_unknown_comparison_is_a_404_not_a_page(pages_app) -> None:
    response = pages_app.test_client().get("/changes/meta-uk-1999-01-01--meta-uk-2025-06-16",
                                           headers={"Accept": "text/html"})
    assert response.status_code == 404


def test_the_index_has_a_line_per_comparison_saying_what_changed(pages_app, diffs) -> None:
    import html

    page = html.unescape(pages_app.test_client().get("/changes").get_data(as_text=True))
    assert 'type="application/atom+xml"' in page
    for name, diff in diffs.items():
        row = next(r for r in page.split("<tr>") if f"<code>{name}</code>" in r)
        assert summary_lines(diff)[0] in row


def test_the_atom_feed_is_valid_atom_with_one_entry_per_comparison(pages_app, diffs) -> None:
    client = pages_app.test_client()
    first, second = client.get("/changes.atom"), client.get("/changes.atom")
    assert first.status_code == 200 and first.content_type.startswith("application/atom+xml")
    assert first.data == second.data, "the same build gives the same feed"
    feed = ET.fromstring(first.data)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{tag}") is not None and feed.findtext(f"{ATOM}{tag}").strip()
    assert feed.find(f"{ATOM}link[@rel='self']") is not None and feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(NAMES)
    for entry in entries:
        ident = entry.findtext(f"{ATOM}id")
        name = ident.rsplit("/", 1)[1]
        diff = diffs[name]
        newer = max(date.fromisoformat(diff.old.effective), date.fromisoformat(diff.new.effective))
        assert entry.findtext(f"{ATOM}updated") == f"{newer.isoformat()}T00:00:00Z"
        assert entry.findtext(f"{ATOM}title") == f"{diff.old.label} → {diff.new.label}"
        assert entry.find(f"{ATOM}link").get("href").endswith(f"/changes/{name}")
        assert entry.findtext(f"{ATOM}summary").split("\n") == summary_lines(diff)
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert feed.findtext(f"{ATOM}updated") == max(updated) and updated == sorted(updated, reverse=True)


def test_the_cli_text_and_the_html_report_print_the_same_summary(diffs) -> None:
    import html

    diff = diffs["meta-global-2025-12-16--meta-global-2026-07-23"]
    lines = summary_lines(diff)
    assert "\n".join(lines) in render_text(diff)
    report = render_html(diff)
    assert [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", report)] == lines
    assert report.startswith("<!DOCTYPE html>") and "<style>" in report and "<script" not in report


def test_the_report_is_written_from_templates_not_strings_in_the_code() -> None:
    """The change report's HTML lives in policykg/templates (Jinja2), not in f-strings of the module."""
    source = (Path(__file__).resolve().parent.parent / "src" / "policykg" / "changes" / "render.py").read_text()
    assert "<table" not in source and "<tr" not in source and "<blockquote" not in source


def test_the_page_style_is_a_file_the_sites_content_security_policy_allows(pages_app) -> None:
    client = pages_app.test_client()
    page = client.get(f"/changes/{NAMES[0]}", headers={"Accept": "text/html"})
    assert "<style" not in page.get_data(as_text=True), "inline style: the site's CSP (style-src 'self') blocks it"
    css = client.get("/changes.css")
    assert css.status_code == 200 and css.content_type.startswith("text/css") and b".changes ul.summary" in css.data

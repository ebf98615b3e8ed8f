"""What people see (issue 18): links that open pages in a browser while tools keep their RDF, a query page that keeps
query and dataset in its URL and refuses a question where it does not apply, downloads grouped by version and
comparison, Turtle answers with their prefixes, one-line errors for an unknown prefix, and 414/431 answers that say
to POST. The real build (and a copy with a global-like version, tests/global_like.py) where the questions matter;
the tiny fixture build where only the protocol does."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest

import global_like
from build_fixtures import dpv_or_skip
from policykg.server import create_app
from policykg.server.protocol.limits import MAX_HEADER_FIELDS, MAX_URL_BYTES
from question_cases import GLOBAL_VERSIONS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
EU = "meta-eu-2025-12-16"


@pytest.fixture(scope="module")
def real(build_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app on the real build with a global-like version added (the four versions are unchanged)."""
    build = global_like.make_build(build_dir, tmp_path_factory.mktemp("pages") / "build")
    app = create_app({"BUILD_DIR": str(build), "DPV_DIR": str(dpv_or_skip()), "QUERY_WORKERS": 1,
                      "QUERY_TIMEOUT": 30.0, "STORE": "memory"})
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["policykg"].close()


def page_examples(body: str) -> list[dict]:
    found = re.search(r'<script type="application/json" id="examples">(.*?)</script>', body, re.DOTALL)
    assert found
    return json.loads(found.group(1))


def example(examples: list[dict], prefix: str) -> dict:
    return next(ex for ex in examples if ex["name"].startswith(prefix))


# ---- links that open pages ----

def test_a_browser_gets_the_service_description_as_a_page_and_tools_keep_rdf(client) -> None:
    page = client.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
    body = page.get_data(as_text=True)
    assert "<h1>The SPARQL endpoint</h1>" in body and "/sparql/meta-uk-2025-04-07" in body
    assert 'href="/?dataset=meta-uk-2025-04-07"' in body  # "query it" opens the query page on that dataset
    for accept in ("*/*", "text/turtle", "application/rdf+xml", "application/rdf+xml, text/html"):
        tool = client.get("/sparql", headers={"Accept": accept})
        assert tool.status_code == 200 and tool.mimetype != "text/html", accept
        assert b"sparql-service-description" in tool.data
    assert client.get("/sparql?format=turtle", headers={"Accept": BROWSER}).mimetype == "text/turtle"


def test_a_browser_opening_a_versions_endpoint_gets_the_query_page_with_that_dataset(client) -> None:
    opened = client.get("/sparql/meta-uk-2025-04-07", headers={"Accept": BROWSER})
    assert opened.status_code == 303 and opened.headers["Location"] == "/?dataset=meta-uk-2025-04-07"
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<option value="meta-uk-2025-04-07" data-version="meta-uk-2025-04-07" [^>]*selected>', page)
    assert client.get("/sparql/meta-uk-2025-04-07", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    nav = client.get("/").get_data(as_text=True)
    assert '<a href="/sparql">Service description</a>' in nav


# ---- the query page ----

def test_the_page_renders_the_query_and_dataset_of_its_url(real) -> None:
    examples = page_examples(real.get("/").get_data(as_text=True))
    cq02 = example(examples, "cq02")
    body = real.get("/?" + urllib.parse.urlencode({"query": cq02["query"], "dataset": EU})).get_data(as_text=True)
    assert re.search(rf'<option value="{EU}" data-version="{EU}" [^>]*selected>', body)
    assert unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', body, re.DOTALL).group(1)) == cq02["query"]
    index = examples.index(cq02)
    assert re.search(rf'<option value="{index}" selected>', body)
    mine = real.get("/?" + urllib.parse.urlencode({"query": "ASK {}", "dataset": "all"})).get_data(as_text=True)
    assert '<textarea id="query" name="query" rows="14" spellcheck="false">ASK {}</textarea>' in mine
    assert re.search(r'<option value="all" data-version="all" [^>]*selected>', mine)


def test_the_page_knows_where_each_question_is_refused_and_why(real) -> None:
    examples = page_examples(real.get("/").get_data(as_text=True))
    cq02, cq16, cq36 = example(examples, "cq02"), example(examples, "cq16"), example(examples, "cq36")
    assert cq02["refusals"][global_like.NAME] == (f"cq02-processes-per-legal-basis is about legal bases: the global "
                                                   f"notice ({global_like.NAME}) states no legal basis for its processing")
    assert "asks about one version's notice" in cq02["refusals"]["all"]
    assert GLOBAL_VERSIONS and set(cq02["refusals"]) == {global_like.NAME, "all", *GLOBAL_VERSIONS}  # UK and EU versions answer it
    assert set(cq16["refusals"]) == {"all"}  # recipients: a notice that states no basis names them all the same
    assert set(cq36["refusals"]) == {"", "meta-uk-2024-11-14", "meta-uk-2025-04-07", EU, global_like.NAME, *GLOBAL_VERSIONS}
    assert cq36["refusals"][EU].startswith("cq36-processes-added-removed compares versions")
    refused = real.get("/?" + urllib.parse.urlencode({"query": cq02["query"], "dataset": global_like.NAME}))
    assert "states no legal basis for its processing</p>" in refused.get_data(as_text=True)


def test_downloads_are_grouped_by_version_and_comparison_with_formats_side_by_side(real) -> None:
    body = real.get("/").get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>\s*<td>(.*?)</td></tr>', body, re.DOTALL)
    titles = [re.sub(r"<[^>]+>", "", t).strip() for t, _ in rows]
    assert any(t.startswith("Meta Privacy Policy (EU), effective 16 December 2025") for t in titles)
    assert any(t.startswith("What changed: meta-uk-2025-06-16 → meta-eu-2025-12-16") for t in titles)
    eu = next(cells for t, cells in rows if "16 December 2025" in t)
    assert re.findall(r">([^<>]+)</a>", eu) == ["Turtle", "gz", "N-Triples", "gz"]
    linked = set(re.findall(r'href="/download/([^"]+)"', body))
    published = {line.split("  ", 1)[1] for line in (Path(real.application.extensions["policykg"].build_dir)
                                                      / "SHA256SUMS").read_text().splitlines()}
    assert published <= linked  # every published file is on the page, none lost to the grouping


# ---- readable answers ----

def test_turtle_answers_carry_the_prefixes_they_use(real) -> None:
    construct = ("CONSTRUCT { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l ; a <https://w3id.org/dpv#Process> } "
                 "WHERE { ?p a <https://w3id.org/dpv#Process> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 4")
    for query in (construct, "DESCRIBE <https://w3id.org/policykg/meta-uk-2025-06-16/notice>"):
        answer = real.post("/sparql", data={"query": query}, headers={"Accept": "text/turtle"})
        text = answer.get_data(as_text=True)
        declared = re.findall(r"^@prefix ([\w-]+): ", text, re.MULTILINE)
        assert answer.status_code == 200 and {"rdfs", "dpv"} <= set(declared), text[:300]
        body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
        assert all(f"{p}:" in body for p in declared), (declared, body[:300])  # none declared for nothing
        assert "<http://www.w3.org/2000/01/rdf-schema#label>" not in body


def test_an_unknown_prefix_is_named_in_one_line(real) -> None:
    answer = real.post("/sparql", data={"query": "SELECT * WHERE { ?s foo:bar ?o }"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and text.count("\n") == 1, text
    assert text.startswith("400 Bad Request: malformed query: unknown prefix 'foo:' (line 1, column ")
    assert "declare it with PREFIX foo: <IRI>; this query declares none; the project's prefixes are pko:" in text
    assert "expected one of" not in text
    project = real.post("/sparql", data={"query": "SELECT * WHERE { ?s a dpv:Process }"}).get_data(as_text=True)
    assert "declare it with PREFIX dpv: <https://w3id.org/dpv#>" in project


def test_an_over_long_url_or_over_large_headers_are_refused_in_words(client) -> None:
    query = "# " + "x" * MAX_URL_BYTES + "\nASK {}"
    answer = client.get("/sparql", query_string={"query": query})
    assert answer.status_code == 414 and b"Send a long query with POST instead" in answer.data
    assert client.post("/sparql", data={"query": query}).status_code == 200  # what the answer says to do
    headers = {f"X-Extra-{i}": "1" for i in range(MAX_HEADER_FIELDS + 1)}
    crowded = client.get("/healthz", headers=headers)
    assert crowded.status_code == 431 and b"Put the query in the request body" in crowded.data
    assert crowded.headers["X-Content-Type-Options"] == "nosniff"


def test_granian_lets_the_app_word_the_414(live_server) -> None:
    url = live_server + "/sparql?" + urllib.parse.urlencode({"query": "# " + "y" * (MAX_URL_BYTES + 10) + "\nASK {}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=30)
    assert refused.value.code == 414 and b"Send a long query with POST instead" in refused.value.read()

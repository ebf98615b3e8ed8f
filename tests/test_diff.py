"""`policykg diff` on the real versions: the changes the texts show, every value quoted from its text, the JSON
schema tools rely on, the change graphs served with the build, and texts read on the fly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import PROV, RDF

from policykg.cli.main import main
from policykg.namespaces import PKO

AI_ITEM = "https://w3id.org/policykg/ontology#AIInteractions"


def diff_json(capsys, old: str, new: str) -> tuple[int, dict]:
    code = main(["diff", old, new, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture(scope="module")
def texts_found(texts):
    return texts


def _check_spans(document: dict, texts: dict[str, Path]) -> int:
    """Every quoted span is the text at its offsets, in the side's own text; return how many were checked."""
    old = texts[document["old"]["version"]].read_text(encoding="utf-8")
    new = texts[document["new"]["version"]].read_text(encoding="utf-8")
    checked = 0

    def check(span, text):
        nonlocal checked
        if span:
            assert text[span["start"]:span["end"]] == span["text"]
            checked += 1

    for side, text in (("added", new), ("removed", old)):
        for p in document["processes"][side]:
            check(p["span"], text)
    for change in document["processes"]["changed"]:
        check(change["old"]["span"], old)
        check(change["new"]["span"], new)
        for field in change["changes"]:
            for v in field["added"]:
                check(v["span"], new)
            for v in field["removed"]:
                check(v["span"], old)
    for t in document["text"]["changed"]:
        check(t["old"], old)
        check(t["new"], new)
    return checked


def test_november_to_april_2025_changes_one_row_and_adds_none(capsys, texts_found) -> None:
    code, document = diff_json(capsys, "meta-uk-2024-11-14", "meta-uk-2025-04-07")
    assert code == 1
    assert set(document) == {"old", "new", "processes", "notice", "text"}
    assert document["old"] == {"version": "meta-uk-2024-11-14",
                               "sha256": "4f8dc7002416513301c2e4b9915a2141d290b2e6f736fe15cafa0ff3ee55fe33"}
    processes = document["processes"]
    assert processes["added"] == [] and processes["removed"] == []
    (changed,) = processes["changed"]
    assert changed["new"]["iri"].endswith("/process/contract-safety-integrity-security")
    fields = {c["field"] for c in changed["changes"]}
    assert "items" in fields and fields <= {"items", "qualifiers"}
    assert document["text"]["changed"], "the banner and the effective date changed"
    assert _check_spans(document, texts_found) > 5


def test_april_to_june_2025_adds_three_rows_and_the_meta_ai_item_widely(capsys, texts_found) -> None:
    code, document = diff_json(capsys, "meta-uk-2025-04-07", "meta-uk-2025-06-16")
    assert code == 1
    added = sorted(p["iri"].rsplit("/", 1)[1] for p in document["processes"]["added"])
    assert added == ["consent-whatsapp-accounts-center", "li-ai-development", "non-user-ai-development"]
    assert document["processes"]["removed"] == []
    gained_ai = [c for c in document["processes"]["changed"]
                 if any(v["value"] == AI_ITEM for f in c["changes"] if f["field"] == "items" for v in f["added"])]
    assert len(gained_ai) > 12
    renamed = [c for c in document["processes"]["changed"] if any(f["field"] == "title" for f in c["changes"])]
    assert any(c["new"]["iri"].endswith("/li-adults-ai-development") for c in renamed)  # a reworded title, matched
    for p in document["processes"]["added"]:
        assert set(p) == {"iri", "title", "basis", "audience", "span"}
    assert _check_spans(document, texts_found) > 50


def test_uk_to_eu_shows_the_bases_that_differ(capsys, texts_found) -> None:
    code, document = diff_json(capsys, "meta-uk-2025-06-16", "meta-eu-2025-12-16")
    assert code == 1
    moved = [c for c in document["processes"]["changed"] if any(f["field"] == "basis" for f in c["changes"])]
    assert any(c["old"]["iri"].endswith("/contract-providing-ads") for c in moved)  # ads: contract -> consent
    notice_fields = {c["field"] for c in document["notice"]["changed"]}
    assert {"controller", "authority", "applicable_law"} <= notice_fields
    assert _check_spans(document, texts_found) > 100


def test_a_version_against_itself_changes_nothing_and_exits_0(capsys, texts_found) -> None:
    assert main(["diff", "meta-uk-2025-06-16", "meta-uk-2025-06-16"]) == 0
    assert "No changes between meta-uk-2025-06-16 and meta-uk-2025-06-16." in capsys.readouterr().out


def test_a_fresh_capture_is_read_on_the_fly(capsys, tmp_path: Path, texts_found) -> None:
    """A capture nobody encoded: a cookie notice on top, one item reworded. The diff needs no curation."""
    text = texts_found["meta-uk-2025-06-16"].read_text(encoding="utf-8")
    capture = tmp_path / "capture.md"
    capture.write_text("We use cookies on this site. [Manage cookies](https://example.invalid)\n\n"
                       + text.replace("* Hashtags you use", "* Hashtags and stickers you use", 1), encoding="utf-8")
    code, document = diff_json(capsys, "meta-uk-2025-06-16", str(capture))
    assert code == 1
    assert document["new"]["version"].startswith("draft-")
    assert document["processes"]["added"] == [] and document["processes"]["removed"] == []
    (changed,) = document["processes"]["changed"]
    (items,) = [f for f in changed["changes"] if f["field"] == "items"]
    assert [v["span"]["text"] for v in items["added"]] == ["Hashtags and stickers you use"]
    assert [v["label"] for v in items["removed"]] == ["Hashtags you use"]
    assert [t["new"]["text"] for t in document["text"]["changed"]] == [
        "We use cookies on this site. [Manage cookies](https://example.invalid)"]


@pytest.mark.parametrize(("args", "message"), [
    (["meta-uk-1999-01-01", "meta-uk-2025-06-16"], "is neither a version"),
    (["meta-uk-2025-06-16", "{text}"], "no 'Legal basis information' line"),
    (["meta-uk-2025-06-16", "meta-uk-2025-04-07", "--format", "pdf"], "invalid choice"),
])
def test_bad_input_is_a_clear_error(capsys, tmp_path: Path, args: list[str], message: str, request) -> None:
    if "{text}" in args:  # read against an encoded version, whose text must be there
        request.getfixturevalue("texts_found")
    bad = tmp_path / "not-a-policy.md"
    bad.write_text("Hello\nworld\n", encoding="utf-8")
    args = [a.replace("{text}", str(bad)) for a in args]
    try:
        code = main(["diff", *args])
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    assert code == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


@pytest.mark.parametrize("fmt", ["text", "html", "turtle"])
def test_every_format_writes_its_report_to_a_file(tmp_path: Path, fmt: str, capsys, texts_found) -> None:
    out = tmp_path / f"changes.{fmt}"
    assert main(["diff", "meta-uk-2024-11-14", "meta-uk-2025-04-07", "--format", fmt, "--out", str(out)]) == 1
    body = out.read_text(encoding="utf-8")
    assert "contract-safety-integrity-security" in body or "Promoting safety" in body
    if fmt == "turtle":
        graph = Graph().parse(data=body, format="turtle")
        assert len(list(graph.subjects(RDF.type, PKO.ProcessChanged))) == 1
    assert "1 changed" in capsys.readouterr().out


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path, monkeypatch, capsys, texts_found) -> None:
    """--out goes through a temporary file renamed into place: when the rename fails, the file keeps its old
    content and no temporary file is left beside it."""
    import policykg.cli.options as options

    out = tmp_path / "changes.txt"
    out.write_text("old report\n", encoding="utf-8")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(options.os, "replace", refuse)
    assert main(["diff", "meta-uk-2024-11-14", "meta-uk-2025-04-07", "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changes.txt"]
    assert "cannot write" in capsys.readouterr().err


def test_the_build_serves_each_comparison_as_rdf(compiled) -> None:
    graphs = compiled.changes
    assert set(graphs) == {"meta-uk-2024-11-14--meta-uk-2025-04-07", "meta-uk-2025-04-07--meta-uk-2025-06-16",
                           "meta-uk-2025-06-16--meta-eu-2025-12-16"}
    june = graphs["meta-uk-2025-04-07--meta-uk-2025-06-16"]
    comparison = next(june.subjects(RDF.type, PKO.VersionComparison))
    added = {str(june.value(c, PKO.process)).rsplit("/", 1)[1] for c in june.subjects(RDF.type, PKO.ProcessAdded)}
    assert added == {"consent-whatsapp-accounts-center", "li-ai-development", "non-user-ai-development"}
    assert all((c, PROV.wasGeneratedBy, comparison) in june for c in june.subjects(RDF.type, PKO.Change))

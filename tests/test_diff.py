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
                               "sha256": "4f8dc7002416513301c2e4b9915a2141d290b2e6f736fe15cafa0ff3ee55fe33",
                               "label": "Meta Privacy Policy (UK), effective 14 November 2024", "jurisdiction": "uk",
                               "effective": "2024-11-14"}
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
        assert set(p) == {"iri", "title", "basis", "basis_labels", "audience", "audience_label", "span"}
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
    assert set(graphs) == {  # consecutive versions of each regime, then the cross-regime ones data/links.yaml states
        "meta-uk-2024-11-14--meta-uk-2025-04-07", "meta-uk-2025-04-07--meta-uk-2025-06-16",
        "meta-global-2022-07-26--meta-global-2023-01-01", "meta-global-2023-01-01--meta-global-2023-06-15",
        "meta-global-2023-06-15--meta-global-2025-12-16", "meta-global-2025-12-16--meta-global-2026-07-23",
        "meta-uk-2025-06-16--meta-eu-2025-12-16", "meta-global-2023-06-15--meta-uk-2025-06-16",
        "meta-global-2025-12-16--meta-eu-2025-12-16"}
    june = graphs["meta-uk-2025-04-07--meta-uk-2025-06-16"]
    comparison = next(june.subjects(RDF.type, PKO.VersionComparison))
    added = {str(june.value(c, PKO.process)).rsplit("/", 1)[1] for c in june.subjects(RDF.type, PKO.ProcessAdded)}
    assert added == {"consent-whatsapp-accounts-center", "li-ai-development", "non-user-ai-development"}
    assert all((c, PROV.wasGeneratedBy, comparison) in june for c in june.subjects(RDF.type, PKO.Change))


def test_renamed_global_rows_are_changed_not_added_and_removed(compiled) -> None:
    """2025 -> 2026: the same 19 rows; 'Promoting safety, integrity and security' gains '... on and across the Meta
    Products' (the texts, lines 536 and 546), and the diff shows a changed title, no row added or removed."""
    diff = compiled.diffs["meta-global-2025-12-16--meta-global-2026-07-23"][1]
    assert diff.added == [] and diff.removed == []
    titles = {c.new.id: next(f for f in c.changes if f.field == "title") for c in diff.changed
              if any(f.field == "title" for f in c.changes)}
    safety = titles["safety-integrity-security"]
    assert [v.value for v in safety.removed] == ["Promoting safety, integrity and security"]
    assert [v.value for v in safety.added] == ["Promoting safety, integrity and security on and across the Meta Products"]
    # the 2023 table -> 2025 blocks layout change: new headings on the same rows; two rows new, one gone
    layout = compiled.diffs["meta-global-2023-06-15--meta-global-2025-12-16"][1]
    assert sorted(p.id for p in layout.added) == ["ai-development", "whatsapp-accounts-center"]
    assert [p.id for p in layout.removed] == ["providing-ads"]
    retitled = {c.new.id for c in layout.changed if any(f.field == "title" for f in c.changes)}
    assert {"cross-product-experiences", "audience-network-ads", "communicating"} <= retitled


def test_explicit_links_win_in_the_diff(compiled) -> None:
    """Issue 16 point 8: data/links.yaml pairs the EU contract block 'Providing Meta Products' with the UK row
    'Providing and improving our Meta Products' (and the UK row with the EU improvement block too): both pairs are
    compared, neither EU block is 'added', and the UK bullet 'Provide advertising products' the EU block drops is a
    reported passage."""
    diff = compiled.diffs["meta-uk-2025-06-16--meta-eu-2025-12-16"][1]
    assert "contract-providing-and-improving" not in {p.id for p in diff.added}
    pairs = {(c.old.id, c.new.id) for c in diff.changed}
    assert ("contract-providing-and-improving", "contract-providing-and-improving") in pairs
    assert ("contract-providing-and-improving", "li-improving-meta-products") in pairs
    assert any("Provide advertising products" in t.old.text for t in diff.text)


def test_a_basis_one_side_does_not_state_is_reported_as_not_stated(compiled) -> None:
    diff = compiled.diffs["meta-global-2025-12-16--meta-eu-2025-12-16"][1]
    basis = [f for c in diff.changed for f in c.changes if f.field == "basis"]
    assert basis and all(f.not_stated == "old" and f.stated and not f.added and not f.removed for f in basis)
    audience = [f for c in diff.changed for f in c.changes if f.field == "audience"]
    assert audience and all(f.not_stated == "old" for f in audience)
    notice = {f.field: f for f in diff.notice}
    assert notice["applicable_law"].not_stated == "old" and notice["authority"].not_stated == "old"
    graph = compiled.changes["meta-global-2025-12-16--meta-eu-2025-12-16"]
    silent = list(graph.subjects(RDF.type, PKO.NotStatedChange))
    assert silent and all(str(graph.value(n, PKO.notStatedIn)).endswith("/meta-global-2025-12-16/notice") for n in silent)
    assert not list(graph.subject_objects(PKO.removedValue)) or all(
        str(graph.value(n, PKO.changedField)) != "basis" for n in graph.subjects(PKO.removedValue, None))


def test_diff_headings_name_bases_and_audiences_by_their_labels(capsys, texts_found) -> None:
    """Issue 18 point 4: '[Art. 6(1)(b) contract; People who can enter into a contract with Meta]', not 'ContractingUser'."""
    main(["diff", "meta-uk-2025-06-16", "meta-eu-2025-12-16"])
    out = capsys.readouterr().out
    assert "; People who can enter into a contract with Meta]" in out and "ContractingUser]" not in out
    main(["diff", "meta-global-2025-12-16", "meta-global-2026-07-23"])
    assert "[no basis stated; no audience stated]" in capsys.readouterr().out

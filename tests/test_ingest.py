"""`policykg ingest`: phrase table, row matching, drafting, merging, errors and the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from policykg.changes.matching import load_links, match_rows, row_ref
from policykg.cli.main import main
from policykg.errors import SourceError
from policykg.ingest.ingest import ingest
from policykg.ingest.phrases import FUZZY, build_phrase_table, dump_phrase_table, load_phrases
from policykg.sources.schema import validate_data
from policykg.sources.schema_versions import Process
from policykg.sources.versions import load_registry, locate_text
from policykg.sources.yaml_io import read_yaml
from policykg.text.words import normalise

REGISTRY = load_registry()
JUNE = REGISTRY.get("meta-uk-2025-06-16")
DATA = JUNE.data_dir.parent


def _text_path(name: str) -> Path:
    path = locate_text(REGISTRY.get(name))
    if path is None:
        pytest.skip(f"the policy text of {name} is not beside the project (../shared)")
    return path


@pytest.fixture()
def root(tmp_path) -> Path:
    """A data root holding only the June 2025 curated version and its phrase table."""
    from policykg.ingest.ingest import refresh_phrases

    _text_path(JUNE.name)
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(DATA / "versions.yaml", root)
    shutil.copytree(JUNE.data_dir, root / JUNE.name)
    refresh_phrases(root)
    return root


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("__line__", "audience_span")}
    return [_strip(v) for v in value] if isinstance(value, list) else value


# --- the phrase table ---------------------------------------------------------------------------------------------

def test_committed_phrase_table_is_fresh():
    for version in REGISTRY.versions:
        if (version.data_dir / "processes.yaml").is_file():
            _text_path(version.name)
    fresh = dump_phrase_table(build_phrase_table(REGISTRY))
    assert (DATA / "phrases.yaml").read_text(encoding="utf-8") == fresh, "run `policykg ingest --refresh-phrases`"


@pytest.mark.parametrize("a, b", [
    ("[Your activity](https://x.test/a):", "Your activity"),
    ("What you\u2019re doing", "what you're doing"),
    ("Personalizing  the\u00a0Meta Products.", "personalising the meta products"),
    ("* Recognizing \u201cthings\u201d", "recognising things"),
])
def test_normalise(a, b):
    assert normalise(a) == normalise(b)


def test_normalise_keeps_words_apart():
    assert normalise("Information you provide") != normalise("Information others provide")


# --- matching ------------------------------------------------------------------------------------------------------

def test_matching_pairs_reworded_titles_renamed_audiences_and_other_bases():
    old = [row_ref("a", "A6-1-b", ["pko:X"], ["Personalising the Meta Products"], 0.0),
           row_ref("b", "A6-1-f", ["If we cannot associate you or your device with a registered user"], ["Product improvement"], 0.5),
           row_ref("c", "A6-1-f", ["pko:Y"], ["Something that went away entirely"], 1.0)]
    new = [row_ref("Personalizing Meta Products", "A6-1-a", ["pko:X"], ["Personalizing Meta Products for you"], 0.0),
           row_ref("Product improvement", "A6-1-f", ["If you are using a device we cannot associate with a registered user"],
                   ["Product improvement"], 0.5),
           row_ref("Brand new row", "A6-1-f", ["pko:Y"], ["A brand new kind of processing"], 1.0)]
    result = match_rows(old, new)
    pairs = {(p.old, p.new): p for p in result.pairs}
    assert set(pairs) == {(0, 0), (1, 1)}
    assert "basis differs" in pairs[(0, 0)].reason and "title reworded" in pairs[(0, 0)].reason
    assert "audience renamed" in pairs[(1, 1)].reason and "title" not in pairs[(1, 1)].reason
    assert result.unmatched_old == (2,) and result.unmatched_new == (2,)
    forced = match_rows(old, new, [("c", "Brand new row")])
    assert forced.old_for(2).reason.startswith("override") and forced.old_for(2).old == 2


def test_links_file(tmp_path):
    path = tmp_path / "links.yaml"
    path.write_text("counterparts:\n  - {old: v1/a, new: v2/a, title: \"Some title\", reason: r}\n"
                    "revisions:\n  - {old: v1/b, new: v3/c, reason: r}\n  - {old: v2/d, new: v1/e, reason: r}\n")
    assert sorted(load_links(path, "v1", "v2")) == [("a", "Some title"), ("e", "d")]
    path.write_text("revisions:\n  - {old: v1/a}\n")
    with pytest.raises(SourceError, match=r"links\.yaml:2: each link needs"):
        load_links(path, "v1", "v2")


# --- drafting ------------------------------------------------------------------------------------------------------

def test_ingesting_the_curated_text_gives_back_the_curated_rows(root, tmp_path):
    out = tmp_path / "again"
    outcome = ingest(_text_path(JUNE.name), "june-again", out, root)
    drafted = read_yaml(out / "processes.yaml")
    assert _strip(drafted) == _strip(read_yaml(JUNE.data_dir / "processes.yaml"))
    curation = yaml.safe_load((out / "curation.yaml").read_text())
    assert [e["row"] for e in curation["entries"]] == ["notice.yaml"]
    assert outcome.counts["phrases to curate"] == 0 and outcome.counts["rows matched"] == 39
    notice = (out / "notice.yaml").read_text()
    assert notice == (JUNE.data_dir / "notice.yaml").read_text()


def test_a_mutated_capture_is_drafted_with_spans_into_it(root, tmp_path):
    text = _text_path(JUNE.name).read_text(encoding="utf-8")
    banner = "We\u2019re updating our Privacy Policy. [Read it.](https://x.test/)\n\n"
    mutated = (banner + text).replace("Hashtags you use", "Hashtags that you use").replace("\n", "\r\n")
    source = tmp_path / "mutated.md"
    source.write_bytes(mutated.encode("utf-8"))
    out = tmp_path / "mutated"
    ingest(source, "mutated", out, root)
    drafted = read_yaml(out / "processes.yaml")
    assert len(drafted) == 39
    for proc in drafted:
        validate_data(proc, Process, out / "processes.yaml")
        for span in [proc["row_span"]] + [d["span"] for d in proc["data"]] + [i["span"] for i in proc.get("interests", [])]:
            assert mutated[span[0]:span[0] + len(span[2])] == span[2]
        assert mutated[proc["title_span"][0]:proc["title_span"][1]].startswith(proc["title"][:10])
    entries = yaml.safe_load((out / "curation.yaml").read_text())["entries"]
    hashtags = [e for e in entries if e.get("text") == "Hashtags that you use"]
    assert hashtags and all("close match" in e["why"] for e in hashtags)
    assert all(mutated[e["span"][0]:e["span"][1]] == "Hashtags that you use" for e in hashtags)
    assert all(mutated.count("\n", 0, e["span"][0]) + 1 == e["line"] for e in hashtags)
    notice = yaml.safe_load((out / "notice.yaml").read_text())
    june_text = _text_path(JUNE.name).read_text(encoding="utf-8")
    for key in ("controller", "dpo"):
        old = yaml.safe_load((JUNE.data_dir / "notice.yaml").read_text())[key]["span"]
        assert notice[key]["span"][0] == mutated.index(june_text[old[0]:old[1]]) != old[0]


def test_unknown_phrases_become_placeholders_the_schema_refuses(root, tmp_path):
    text = _text_path(JUNE.name).read_text(encoding="utf-8").replace("Hashtags you use", "Stickers and emoji you send")
    source = tmp_path / "new.md"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "new"
    assert main(["ingest", str(source), "--as", "new", "--out", str(out), "--data-root", str(root)]) == 1
    drafted = read_yaml(out / "processes.yaml")
    entry = next(d for p in drafted for d in p["data"] if d["span"][2].startswith("Stickers"))
    assert entry["items"] == ["pko:CURATE"] and entry["under"] == "pko:YourActivityAndInformation"
    proc = next(p for p in drafted if entry in p["data"])
    validate_data(proc, Process, out / "processes.yaml", draft=True)
    with pytest.raises(SourceError, match="still to be curated"):
        validate_data(proc, Process, out / "processes.yaml")


def test_rerunning_keeps_curation_and_reports(root, tmp_path, capsys):
    out = tmp_path / "v"
    source = _text_path(JUNE.name)
    ingest(source, "v", out, root)
    path = out / "processes.yaml"
    body = path.read_text().replace('  description: With explicit consent,', '  description: OUR OWN WORDS. With explicit consent,', 1)
    body = body.replace("span: [24874, 24923, ", "span: [24875, 24923, ", 1)
    path.write_text(body)
    (out / "README").write_text("kept\n")
    before = path.read_text()
    assert main(["ingest", str(source), "--as", "v", "--out", str(out), "--data-root", str(root), "--dry-run"]) == 1, \
        "an entry curation.yaml still lists (the carried notice) stays open until the curator deletes the file"
    capsys.readouterr()
    (out / "curation.yaml").unlink()  # the curator's sign-off
    assert main(["ingest", str(source), "--as", "v", "--out", str(out), "--data-root", str(root), "--dry-run"]) == 0
    report = capsys.readouterr().out
    assert "row consent-whatsapp-accounts-center: data kept as curated; the new draft would give" in report
    assert "would write" in report and path.read_text() == before
    main(["ingest", str(source), "--as", "v", "--out", str(out), "--data-root", str(root)])
    assert "OUR OWN WORDS" in path.read_text() and "[24875, 24923, " in path.read_text()
    assert (out / "README").read_text() == "kept\n"


def test_a_text_it_cannot_read_writes_nothing(root, tmp_path, capsys):
    source = tmp_path / "broken.md"
    text = _text_path(JUNE.name).read_text(encoding="utf-8")
    source.write_text(text.replace("| Personalising the Meta Products: Our", "| x | Personalising the Meta Products: Our", 1))
    out = tmp_path / "broken"
    assert main(["ingest", str(source), "--as", "broken", "--out", str(out), "--data-root", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"{source}:{text[:text.index('| Personalising the Meta Products: Our')].count(chr(10)) + 1}: a table row with 3 cells" in err
    assert not out.exists() and not list(tmp_path.glob(".broken*"))


def test_refresh_phrases_from_a_data_root(root, capsys):
    (root / "phrases.yaml").unlink()
    assert main(["ingest", "--refresh-phrases", "--data-root", str(root)]) == 0
    assert "regenerated" in capsys.readouterr().out
    table = load_phrases(root / "phrases.yaml")
    assert table.versions == [JUNE.name]
    assert table.lookup("item", "Hashtags you use").terms["items"] == ["pko:Hashtags"]
    assert table.lookup("item", "Hashtags that you use").how == "fuzzy"
    assert table.lookup("item", "Stickers you send").how == "none"


def test_fuzzy_threshold_stays_above_known_phrases_with_other_terms():
    """No two known phrases of one kind with different terms are FUZZY alike (titles differ by context)."""
    table = yaml.safe_load((DATA / "phrases.yaml").read_text())
    from policykg.text.words import similarity

    def terms(e):
        return {k: v for k, v in e.items() if k not in ("phrase", "text", "count", "seen_in", "qualifier")}
    for kind in ("basis", "audience", "category", "item", "interest"):
        entries = table[kind]
        for i, a in enumerate(entries):
            for b in entries[i + 1:]:
                if a["phrase"] != b["phrase"] and terms(a) != terms(b):
                    assert similarity(a["phrase"], b["phrase"]) < FUZZY, (a["text"], b["text"])


# --- the committed versions -------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", [v for v in REGISTRY.versions if (v.data_dir / "processes.yaml").is_file()],
                         ids=lambda v: v.name)
def test_committed_versions_are_valid(version, dpv_dir):
    """Curated versions: schema-valid with no placeholder, and compiled with every span and term checked.
    Drafts (a curation.yaml left): schema-valid apart from placeholders, every placeholder listed."""
    from policykg.build.pipeline import compile_graphs
    from policykg.ingest.ingest import is_placeholder
    from policykg.ingest.phrases import is_curated

    text = _text_path(version.name)
    path = version.data_dir / "processes.yaml"
    processes = read_yaml(path)
    curated = is_curated(version)
    for proc in processes:
        validate_data(proc, Process, path, draft=not curated)
    if curated:
        if dpv_dir is None:
            pytest.skip("DPV 2.3 is not beside the project")
        compiled = compile_graphs(dpv_dir, text.parent, versions=[version.name], strict=True)
        assert len(compiled.version_data(version.name)) > 5000  # the smallest, global 2023-01-01: 6354 triples
        return
    listed = {(e["row"], e["field"].split(".")[0]) for e in yaml.safe_load((version.data_dir / "curation.yaml").read_text())["entries"]}
    for proc in processes:
        for key, value in proc.items():
            if is_placeholder(value):
                assert (proc["id"], key) in listed, (proc["id"], key)


def test_november_2024_rows_match_june_2025_despite_rewordings(root):
    """June 2025 renamed the no-account group and reworded the AI-development row; both still match."""
    from policykg.ingest.draft import draft_version
    from policykg.text.capture import read_policy_text
    from policykg.text.reader import read_policy

    path = _text_path("meta-uk-2024-11-14")
    text = read_policy_text(path).text
    registry = load_registry(root)
    draft = draft_version(text, path, "meta-uk-2024-11-14", registry, load_phrases(root / "phrases.yaml"),
                          read_policy(text, path))
    ids = [p["id"] for p in draft.processes]
    reasons = {ids[p.new]: p.reason for p in draft.matching.pairs}
    assert len(draft.matching.pairs) == 36 and not draft.matching.unmatched_new
    assert "title reworded" in reasons["li-adults-ai-development"]
    assert all("audience renamed" in reasons[i] for i in ids if i.startswith("non-user-"))
    june = read_yaml(JUNE.data_dir / "processes.yaml")
    assert {june[i]["id"] for i in draft.matching.unmatched_old} == {
        "consent-whatsapp-accounts-center", "li-ai-development", "non-user-ai-development"}
    assert all(p["audience"] == "pko:NonAccountHolder" for p in draft.processes if p["id"].startswith("non-user-"))


@pytest.mark.parametrize("word", ["yes", "no", "null", "on", "off", "true", "~", "1.5", "2025-06-16", "pko:CURATE"])
def test_the_yaml_ingest_writes_reads_back_as_written(word, tmp_path):
    """Scalars YAML would read as booleans, null, numbers or dates stay the strings the draft holds."""
    from policykg.ingest.ingest import dump_processes

    proc = {"id": "p", "title": word, "basis": [word], "data": [{"items": [word], "span": [1, 2, word]}]}
    back = yaml.safe_load(dump_processes([proc], "# header\n"))
    assert back == [proc]
    table = {"versions": [word], **{kind: [] for kind in ("basis", "audience", "category", "item", "interest", "title")}}
    table["item"] = [{"phrase": word, "text": word, "items": [word], "count": 1, "seen_in": [word]}]
    assert yaml.safe_load(dump_phrase_table(table)) == table


# --- every regime: the base of the same regime, from scratch, --format json -------------------------------------

def _shared(name: str) -> Path:
    from policykg.sources.versions import text_search_dirs

    for _, folder in text_search_dirs():
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"{name} is not beside the project (../shared)")


def _ingest_json(capsys, *argv: str) -> tuple[int, dict, str]:
    import json

    code = main(["ingest", *argv, "--format", "json"])
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 1, "--format json prints one object on stdout"
    return code, json.loads(lines[0]), captured.err


JSON_KEYS = ["version", "base", "regime", "rows", "matched", "new", "curation_entries"]


@pytest.mark.parametrize("name, rows", [("meta-global-2022-07-26.md", 17), ("meta-global-2025-12-16.md", 19)])
def test_a_global_text_with_no_curated_global_version_is_drafted_from_scratch(name, rows, tmp_path, capsys):
    """No global version is curated in the root: no base of another regime; rows, titles and items with their spans,
    `basis: not-stated` and no audience or interests; known phrases reused, CURATE elsewhere; no notice.yaml."""
    text = _shared(name)
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("meta-global-*"))
    (root / "versions.yaml").write_text((DATA / "versions.yaml").read_text().split("  - name: meta-global")[0])
    from policykg.ingest.ingest import refresh_phrases

    refresh_phrases(root)  # the phrases of the UK and EU versions only
    out = tmp_path / "g"
    code, summary, err = _ingest_json(capsys, str(text), "--as", "g-new", "--out", str(out), "--data-root", str(root),
                                      "--dry-run")
    assert list(summary) == JSON_KEYS and code == 1 and not out.exists()
    assert summary | {"curation_entries": 0} == {"version": "g-new", "base": None, "regime": "global", "rows": rows,
                                                 "matched": 0, "new": rows, "curation_entries": 0}
    assert "the text states the global regime (controller 'Meta Platforms, Inc.'" in err and "drafted from scratch" in err
    code, again, _ = _ingest_json(capsys, str(text), "--as", "g-new", "--out", str(out), "--data-root", str(root))
    assert again == summary and code == 1
    drafted = read_yaml(out / "processes.yaml")
    source = text.read_text(encoding="utf-8")
    assert len(drafted) == rows and not (out / "notice.yaml").exists()
    for proc in drafted:
        assert proc["basis"] == "not-stated" and "audience" not in proc and "interests" not in proc
        validate_data(proc, Process, out / "processes.yaml", draft=True)
        assert source[proc["title_span"][0]:proc["title_span"][1]] .replace("<br>", " ").startswith(proc["title"][:12])
        for span in [proc["row_span"]] + [d["span"] for d in proc["data"]]:
            assert source[span[0]:span[0] + len(span[2])] == span[2]
        assert not proc["id"].startswith("not-stated")
    items = {tuple(d["items"]) for p in drafted for d in p["data"]}
    assert ("pko:Hashtags",) in items and ("pko:CURATE",) in items, "known item phrases reused, the others to curate"
    entries = yaml.safe_load((out / "curation.yaml").read_text())["entries"]
    assert len(entries) == summary["curation_entries"]
    assert any(e["row"] == "notice.yaml" and "write it by hand" in e["why"] for e in entries)
    assert {e["row"] for e in entries if e["field"] == "description"} == {p["id"] for p in drafted}


@pytest.mark.parametrize("name, regime, base", [
    ("000_58dca1eb2e4de648.txt", "uk", "meta-uk-2025-06-16"),
    ("meta-uk-2024-11-14.md", "uk", "meta-uk-2024-11-14"),
    ("meta-eu-2025-12-16.md", "eu", "meta-eu-2025-12-16"),
])
def test_an_unregistered_text_is_drafted_from_its_own_regime(name, regime, base, tmp_path, capsys):
    """A name not in data/versions.yaml: the regime is the text's, the base the curated version of that regime of the
    same date (a fresh capture of it): one curation entry (the carried notice), where the EU base gave 81."""
    text = _shared(name)
    code, summary, err = _ingest_json(capsys, str(text), "--as", "not-registered", "--out", str(tmp_path / "x"),
                                      "--dry-run")
    assert (summary["regime"], summary["base"], summary["matched"], summary["new"]) == (regime, base, summary["rows"], 0)
    assert summary["curation_entries"] == 1 and code == 1
    assert f"not-registered is not in data/versions.yaml; the text states the {regime.upper()} regime" in err
    assert f"base {base}: the curated {regime.upper()} version of the same date" in err


def test_an_unregistered_uk_capture_with_noise_is_drafted_from_the_newest_uk_version(root, tmp_path, capsys):
    """A later capture of the June text (a cookie wall, a banner, OTA redirect-wrapped links, CRLF), unregistered,
    in a root where June 2025 is the only curated version: drafted from it, every span in the capture, no more than
    the carried notice to check."""
    from urllib.parse import quote

    text = _text_path(JUNE.name).read_text(encoding="utf-8")
    wrapped = re.sub(r"\]\((https?://[^)\s]+)\)", lambda m: "](https://help.instagram.com/https%3A%2F%2Fl.instagram.com"
                     f"%2F%3Fu={quote(m.group(1), safe='')}&e=removed)", text)
    capture = ("Accept cookies from this site?\n\nAccept All\n\nWe updated our Privacy Policy on August 1, 2025. "
               "[View our previous policy.](https://x.test/)\n\n" + wrapped).replace("\n", "\r\n")
    source = tmp_path / "capture.md"
    source.write_bytes(capture.encode("utf-8"))
    out = tmp_path / "c"
    code, summary, _ = _ingest_json(capsys, str(source), "--as", "uk-capture", "--out", str(out), "--data-root", str(root))
    assert (summary["base"], summary["regime"], summary["matched"], summary["new"]) == (JUNE.name, "uk", 39, 0)
    assert summary["curation_entries"] <= 3
    notice = yaml.safe_load((out / "notice.yaml").read_text())
    for span in [notice["controller"]["span"], *(r["span"] for r in notice["recipients"] if "span" in r)]:
        assert capture[span[0]:span[0] + len(span[2])] == span[2]


def test_a_uk_text_is_never_drafted_from_the_eu_version(tmp_path, capsys):
    """Only the EU version curated: a UK text has no base of its regime and is drafted from scratch."""
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(DATA / "versions.yaml", root)
    shutil.copytree(DATA / "meta-eu-2025-12-16", root / "meta-eu-2025-12-16")
    _, summary, err = _ingest_json(capsys, str(_text_path(JUNE.name)), "--as", "uk-x", "--out", str(tmp_path / "x"),
                                   "--data-root", str(root), "--dry-run")
    assert (summary["base"], summary["regime"], summary["matched"]) == (None, "uk", 0)
    assert "no curated UK version: drafted from scratch" in err


def test_a_capture_missing_many_rows_warns_on_stderr(root, tmp_path, capsys):
    """Cut after row 20 at a line end (the reader cannot tell): 19 rows of the base match nothing -> a warning."""
    text = _text_path(JUNE.name).read_text(encoding="utf-8")
    lines = text.split("\n")
    rows = [k for k, ln in enumerate(lines) if ln.startswith("| ") and not ln.startswith(("| ---", "| Why and how"))]
    source = tmp_path / "cut.md"
    source.write_text("\n".join(lines[:rows[24] + 1]), encoding="utf-8")
    code, summary, err = _ingest_json(capsys, str(source), "--as", "cut", "--out", str(tmp_path / "cut"),
                                      "--data-root", str(root), "--dry-run")
    assert code == 1 and summary["rows"] < 39
    assert re.search(r"policykg ingest: warning: \d+ of the 39 rows of meta-uk-2025-06-16 match nothing in this text "
                     r"\(e\.g\. .*\): a truncated capture\?", err)
    _, whole, err = _ingest_json(capsys, str(_text_path(JUNE.name)), "--as", "whole", "--out", str(tmp_path / "w"),
                                 "--data-root", str(root), "--dry-run")
    assert "warning" not in err and whole["matched"] == 39


def test_changed_words_send_what_was_drawn_from_them_to_curation(root, tmp_path):
    """A row whose why-and-how text loses a purpose, and whose information list gains and loses an item: its
    purposes and processing and the changed items are listed to re-check (issue 16), not carried over silently."""
    text = _text_path(JUNE.name).read_text(encoding="utf-8")
    june = read_yaml(JUNE.data_dir / "processes.yaml")
    proc = next(p for p in june if p["id"] == "contract-personalising")
    row = text[proc["row_span"][0]:text.index("\n", proc["row_span"][0])]
    assert "* Personalise the ads people see, and<br>" in row and "<br>* Hashtags you use<br>" in row
    changed = row.replace("* Personalise the ads people see, and<br>", "", 1) \
        .replace("<br>* Hashtags you use<br>", "<br>* Stickers you send<br>", 1)
    source = tmp_path / "changed.md"
    source.write_text(text.replace(row, changed, 1), encoding="utf-8")
    out = tmp_path / "changed"
    ingest(source, "changed", out, root)
    entries = [e for e in yaml.safe_load((out / "curation.yaml").read_text())["entries"] if e["row"] == proc["id"]]
    why = {e["field"]: e["why"] for e in entries if e.get("since") == JUNE.name and e["field"] != "data"}
    assert set(why) == {"purposes", "processing"}
    assert 'why-and-how text: removed "personalise the ads people see, and"' in why["purposes"]
    data = [e for e in entries if e["field"] == "data"]
    assert any(e.get("text") == "Stickers you send" and "no known term" in e["why"] for e in data)
    assert any('no longer listed in this row since meta-uk-2025-06-16: "hashtags you use"' in e["why"] for e in data)
    others = [e for e in yaml.safe_load((out / "curation.yaml").read_text())["entries"] if e.get("since")]
    assert {e["row"] for e in others} == {proc["id"]}, "rows whose words did not change are not listed"


def test_a_registered_name_whose_text_states_another_regime_warns(tmp_path, capsys):
    """data/versions.yaml wins (the name is registered as UK), but the EU text's own statement is shown."""
    code, summary, err = _ingest_json(capsys, str(_shared("meta-eu-2025-12-16.md")), "--as", JUNE.name, "--out",
                                      str(tmp_path / "x"), "--dry-run")
    assert summary["regime"] == "uk" and summary["base"] == "meta-uk-2025-04-07"
    assert ("policykg ingest: warning: data/versions.yaml registers meta-uk-2025-06-16 as UK, but the text states the "
            "EU regime (controller 'Meta Platforms Ireland'") in err

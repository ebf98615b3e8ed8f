"""`policykg ingest`: phrase table, row matching, drafting, merging, errors and the CLI."""

from __future__ import annotations

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

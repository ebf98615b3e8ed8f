"""`policykg track`: a small git repository built here covering every status (encoded, same-as, new with a new date
and as a silent revision, unreadable: an older layout, an error page, truncated captures), bundles, --draft, errors;
and the real Open Terms Archive bundle of ../shared, whose expectation is computed here from data/versions.yaml and
the captures themselves (regular expressions and sha256, not the reader)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from policykg.cli.main import main
from policykg.sources.versions import load_registry, locate_text, text_search_dirs

REGISTRY = load_registry()
JUNE = REGISTRY.get("meta-uk-2025-06-16")
DATA = JUNE.data_dir.parent
DOC = "Instagram/Privacy Policy.md"
BUNDLE_NAME = "ota/instagram-privacy-policy.bundle"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _june() -> str:
    path = locate_text(JUNE)
    if path is None:
        pytest.skip("the June 2025 text is not beside the project (../shared)")
    return path.read_bytes().decode("utf-8")


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def _rows(text: str) -> list[str]:
    """The table rows of a UK text (not headers, rules or one-cell audience rows), by string operations."""
    return [ln for ln in text.split("\n") if ln.startswith("| ") and not ln.startswith(("| ---", "| Why and how"))
            and not re.fullmatch(r"\| [^|]+(\|\s+)+\|", ln)]


def _captures(june: str) -> list[tuple[str, str, str, str | None, str | None]]:
    """(date, text, expected status, expected version, a word the reason must have), in commit order."""
    wrap = "https://help.instagram.com/https%3A%2F%2Fl.instagram.com%2F%3Fu={}&e=removed"
    wrapped = re.sub(r"\]\((https?://[^)\s]+)\)", lambda m: f"]({wrap.format(quote(m.group(1), safe=''))})", june)
    noisy = "We updated our Privacy Policy on June 16, 2025. [View our previous policy.](https://x.test/v/1/)\n\n" + wrapped
    rows = _rows(june)
    september = june.replace("Effective June 16, 2025", "Effective September 1, 2025", 1) \
        .replace("<br>* Hashtags you use<br>", "<br>* Hashtags you use<br>* Stickers you send<br>", 1)
    hashtags = [r for r in rows if "<br>* Hashtags you use" in r][3]
    revised = june.replace(hashtags, hashtags.replace("<br>* Hashtags you use", "", 1), 1)
    assert revised != june and "Stickers you send" in september
    cut_in_row = june[:june.index(rows[20]) + len(rows[20]) // 2]
    cut_between_rows = june[:june.index(rows[30]) + len(rows[30])]
    older = "Data Policy\n-----------\n\n" + "".join(f"Paragraph {n} of a policy of another layout.\n\n" for n in range(60)) \
        + "Date of Last Revision: April 19, 2018"
    error_page = "![](https://x.test/a.svg)\n\nThis Page Isn't Available Right Now\n\nReload Page"
    name = "meta-uk-2025-06-16"
    return [
        ("2020-07-29T12:00:00+00:00", older, "unreadable", None, "a layout this reader does not know"),
        ("2025-06-17T12:00:00+00:00", noisy, "same-as", name, "differs only by noise"),
        ("2025-07-16T12:00:00+00:00", june, "encoded", name, "sha256"),
        ("2025-07-20T12:00:00+00:00", error_page, "unreadable", None, "too few for a privacy policy"),
        ("2025-07-21T12:00:00+00:00", cut_in_row, "unreadable", None, "truncated"),
        ("2025-07-22T12:00:00+00:00", cut_between_rows, "unreadable", None, "a truncated capture: its 31 rows are the first"),
        ("2025-09-02T12:00:00+00:00", september, "new", "meta-uk-2025-09-01", "a new effective date"),
        ("2025-08-20T12:00:00+00:00", revised, "new", "meta-uk-2025-06-16-r2", "silent revision of meta-uk-2025-06-16"),
        ("2025-09-03T12:00:00+00:00", september.replace("\n", "\r\n"), "new", "meta-uk-2025-09-01", "another capture"),
        ("2025-09-04T12:00:00+00:00", noisy, "same-as", name, "differs only by noise"),
    ]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, list]:
    """A versions repository with one document, captured ten times (the last two after the file was renamed)."""
    june = _june()
    repo = tmp_path_factory.mktemp("ota") / "versions"
    repo.mkdir()
    _git(repo, "init", "--quiet", "--initial-branch=main")
    captures = _captures(june)
    path = repo / DOC
    path.parent.mkdir()
    for k, (date, text, *_rest) in enumerate(captures):
        if k == 8:  # the archive renamed the document: the history is followed through it
            _git(repo, "mv", DOC, "Instagram/Privacy Policy (2025).md", date=date)
            path = repo / "Instagram/Privacy Policy (2025).md"
        path.write_bytes(text.encode("utf-8"))
        _git(repo, "add", "-A", date=date)
        _git(repo, "commit", "--quiet", "--allow-empty", "-m", f"capture {k}", date=date)
    return repo, captures


def _track(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["track", *argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_every_status_on_a_repository_of_our_own(repo, capsys):
    repo_path, captures = repo
    code, report = _track(capsys, str(repo_path), "--file", "Instagram/Privacy Policy (2025).md")
    assert code == 1, "new versions found"
    commits = _git(repo_path, "log", "--reverse", "--format=%H").split()
    assert [c["commit"] for c in report["captures"]] == commits
    for got, (date, text, status, version, why) in zip(report["captures"], captures, strict=True):
        assert list(got) == ["commit", "date", "sha256", "regime", "effective", "status", "version", "why"]
        assert (got["date"], got["status"], got["version"]) == (date[:10], status, version), got
        assert why in got["why"], got
        assert got["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    stated = [(c["regime"], c["effective"]) for c in report["captures"]]
    assert stated[0] == ("uk", "2018-04-19") or stated[0] == (None, "2018-04-19")
    assert stated[2] == ("uk", "2025-06-16") and stated[6] == ("uk", "2025-09-01") and stated[3] == (None, None)
    assert "item removed 'hashtags you use'" in report["captures"][7]["why"]
    assert report["versions"] == [
        {"name": "meta-uk-2025-06-16", "regime": "uk", "effective": "2025-06-16", "status": "encoded", "captures": 3,
         "first_seen": "2025-06-17", "last_seen": "2025-09-04"},
        {"name": "meta-uk-2025-06-16-r2", "regime": "uk", "effective": "2025-06-16", "status": "new", "captures": 1,
         "first_seen": "2025-08-20", "last_seen": "2025-08-20"},
        {"name": "meta-uk-2025-09-01", "regime": "uk", "effective": "2025-09-01", "status": "new", "captures": 2,
         "first_seen": "2025-09-02", "last_seen": "2025-09-03"},
    ]


def test_a_bundle_reads_as_its_repository_and_the_text_report(repo, tmp_path, capsys):
    repo_path, captures = repo
    bundle = tmp_path / "versions.bundle"
    _git(repo_path, "bundle", "create", str(bundle), "--all")
    doc = "Instagram/Privacy Policy (2025).md"
    _, from_repo = _track(capsys, str(repo_path), "--file", doc)
    _, from_bundle = _track(capsys, str(bundle), "--file", doc)
    assert from_bundle == from_repo
    assert main(["track", str(bundle), "--file", doc]) == 1
    out = capsys.readouterr().out
    assert "10 captures (1 encoded, 2 same-as, 3 new, 4 unreadable)" in out
    assert re.search(r"meta-uk-2025-09-01 +uk +2025-09-01 +new +2 captures +2025-09-02 … 2025-09-03", out)


def test_nothing_new_exits_0(tmp_path, capsys):
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "--quiet")
    (repo / "p.md").write_bytes(_june().encode("utf-8"))
    _git(repo, "add", "-A", date="2025-07-16T00:00:00+00:00")
    _git(repo, "commit", "--quiet", "-m", "c", date="2025-07-16T00:00:00+00:00")
    code, report = _track(capsys, str(repo), "--file", "p.md")
    assert code == 0 and [c["status"] for c in report["captures"]] == ["encoded"]


def test_draft_drafts_each_new_version_all_or_nothing(repo, tmp_path, capsys):
    """--draft: each new version's first capture saved as <texts-out>/<name>.md and drafted by ingest into the data
    root; a version that cannot be drafted leaves nothing of its own and the run exits 2 after the others."""
    from policykg.ingest.ingest import refresh_phrases

    repo_path, _ = repo
    root = tmp_path / "data"
    root.mkdir()
    shutil.copy(DATA / "versions.yaml", root)
    shutil.copytree(JUNE.data_dir, root / JUNE.name)
    refresh_phrases(root)
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "meta-uk-2025-06-16-r2.md").write_text("another text already there\n")
    code = main(["track", str(repo_path), "--file", "Instagram/Privacy Policy (2025).md", "--draft", "--data-root",
                 str(root), "--texts-out", str(texts)])
    captured = capsys.readouterr()
    assert code == 2
    assert "meta-uk-2025-06-16-r2 not drafted" in captured.err and "a different text is already there" in captured.err
    assert not (root / "meta-uk-2025-06-16-r2").exists()
    assert (texts / "meta-uk-2025-06-16-r2.md").read_text() == "another text already there\n"
    drafted = root / "meta-uk-2025-09-01"
    assert (drafted / "processes.yaml").is_file() and (drafted / "notice.yaml").is_file()
    text = (texts / "meta-uk-2025-09-01.md").read_bytes().decode("utf-8")
    assert "Effective September 1, 2025" in text and "Stickers you send" in text
    entries = yaml.safe_load((drafted / "curation.yaml").read_text())["entries"]
    assert any(e.get("text") == "Stickers you send" for e in entries)
    assert "drafted meta-uk-2025-09-01" in captured.out and "base meta-uk-2025-06-16" in captured.out


@pytest.mark.parametrize("make, said", [
    (lambda tmp: tmp, "not a git repository"),
    (lambda tmp: (tmp / "x.bundle").write_text("not a bundle") and tmp / "x.bundle", "neither a git repository nor a git bundle"),
    (lambda tmp: tmp / "missing", "no such file or folder"),
])
def test_what_is_not_a_repository_is_a_clear_error(make, said, tmp_path, capsys):
    source = make(tmp_path)
    assert main(["track", str(source), "--file", DOC]) == 2
    err = capsys.readouterr().err
    assert f"policykg track: error: {source}: {said}" in err


def test_a_file_the_history_does_not_have_is_a_clear_error(repo, capsys):
    repo_path, _ = repo
    assert main(["track", str(repo_path), "--file", "Instagram/Privacy Polcy.md"]) == 2
    err = capsys.readouterr().err
    assert "no capture of 'Instagram/Privacy Polcy.md' in the history (did you mean 'Instagram/Privacy Policy (2025).md'" in err


# --- the real bundle --------------------------------------------------------------------------------------------

def _bundle() -> Path:
    for _, folder in text_search_dirs():
        if (folder / BUNDLE_NAME).is_file():
            return folder / BUNDLE_NAME
    pytest.skip(f"../shared/{BUNDLE_NAME} is not beside the project")


def _independent(bundle: Path, tmp: Path) -> list[dict]:
    """Each capture read here with git and regular expressions: commit, day, sha256, the regime by the names it
    gives (EU: an Irish controller or authority; UK: the Information Commissioner; else global) and the date of its
    'Effective …' line (the 2020-2022 Data Policy and the truncated captures have none)."""
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "--quiet", str(bundle), str(clone)], check=True, capture_output=True)
    log = _git(clone, "log", "--follow", "--reverse", "--format=%H %aI", "--", DOC).split("\n")
    out = []
    for line in filter(None, log):
        commit, stamp = line.split()
        data = subprocess.run(["git", "-C", str(clone), "show", f"{commit}:{DOC}"], check=True, capture_output=True).stdout
        text = data.decode("utf-8").replace("\u00a0", " ").replace("\u2019", "'")
        regime = "eu" if re.search(r"Meta Platforms Ireland|Facebook Ireland|Data Protection Commission", text) else \
            "uk" if "Information Commissioner" in text else "global"
        effective = re.search(r"^Effective (\w+ \d{1,2}, \d{4})", text, flags=re.M)
        from datetime import datetime

        day = datetime.strptime(effective.group(1), "%B %d, %Y").date().isoformat() if effective else None
        out.append({"commit": commit, "date": stamp[:10], "sha256": hashlib.sha256(data).hexdigest(), "regime": regime,
                    "effective": day})
    return out


def test_the_instagram_bundle(tmp_path, capsys):
    """Every capture of a registered version comes out encoded (its sha256) or same-as (no silent revision in the
    Privacy Policy era: checked word by word when the bundle was analysed); the others with an effective date are
    new versions named by regime and date; the 2020-2022 Data Policy and the truncated captures are unreadable."""
    bundle = _bundle()
    code, report = _track(capsys, str(bundle), "--file", DOC)
    expected = _independent(bundle, tmp_path)
    assert len(report["captures"]) == len(expected) == 99
    by_sha = {v.sha256: v.name for v in REGISTRY.versions}
    by_date = {(v.jurisdiction, v.effective.isoformat()): v.name for v in REGISTRY.versions}
    counts: dict[str, list[str]] = {}
    for got, want in zip(report["captures"], expected, strict=True):
        assert (got["commit"], got["date"], got["sha256"]) == (want["commit"], want["date"], want["sha256"])
        if want["effective"] is None:
            assert got["status"] == "unreadable" and got["version"] is None and got["why"], got
            continue
        assert (got["regime"], got["effective"]) == (want["regime"], want["effective"])
        key = (want["regime"], want["effective"])
        if want["sha256"] in by_sha:
            assert (got["status"], got["version"]) == ("encoded", by_sha[want["sha256"]])
        elif key in by_date:
            assert (got["status"], got["version"]) == ("same-as", by_date[key]), got
        else:
            assert (got["status"], got["version"]) == ("new", f"meta-{key[0]}-{key[1]}"), got
        counts.setdefault(got["version"], []).append(got["date"])
    data_policy = [c for c in report["captures"] if c["date"] < "2022-06-01"]
    assert len(data_policy) == 67 and all(c["status"] == "unreadable" for c in data_policy)
    assert sum(c["status"] == "unreadable" for c in report["captures"]) == 70  # and #70, #77, #91 (truncated)
    assert {v["name"]: (v["captures"], v["first_seen"], v["last_seen"]) for v in report["versions"]} == \
        {name: (len(days), min(days), max(days)) for name, days in counts.items()}
    assert code == (1 if any(v["status"] == "new" for v in report["versions"]) else 0)
    registered_seen = {v["name"] for v in report["versions"] if v["status"] == "encoded"}
    assert registered_seen == {v.name for v in REGISTRY.versions if v.sha256 in {c["sha256"] for c in expected}}


# --- when two captures are the same version ------------------------------------------------------------------

def _global_text(name: str) -> str:
    for _, folder in text_search_dirs():
        if (folder / name).is_file():
            return (folder / name).read_bytes().decode("utf-8")
    pytest.skip(f"{name} is not beside the project (../shared)")


@pytest.mark.parametrize("name", ["meta-global-2022-07-26.md", "meta-global-2025-12-16.md"])
def test_noise_leaves_the_rows_as_compared_the_same_and_a_real_change_does_not(name):
    from policykg.ingest.sameness import differences, read_capture, same_rows

    text = _global_text(name)
    wrap = "https://help.instagram.com/https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu={}&h=removed"
    noisy = ("Accept cookies from this site?\n\nAccept All\n\n[](https://x.test/nav/)\n\nUpdated on Jan 2, 2030\n\n"
             + re.sub(r"\]\((https?://[^)\s?]+)\)", lambda m: f"]({wrap.format(quote(m.group(1) + '?helpref=faq', safe=''))})",
                      text) + "\n\n[](https://x.test/edit/)").replace("\n", "\r\n")
    original, captured = read_capture(text.encode("utf-8")), read_capture(noisy.encode("utf-8"))
    assert original.rows and same_rows(original, captured) and original.sha256 != captured.sha256
    assert (captured.regime, captured.effective) == ("global", original.effective)
    item = "Hashtags you use"
    assert item in text
    changed = read_capture(text.replace(item, "Hashtags and stickers you use", 1).encode("utf-8"))
    assert not same_rows(original, changed)
    assert "item added 'hashtags and stickers you use'" in differences(original.rows, changed.rows)
    assert "item removed 'hashtags you use'" in differences(original.rows, changed.rows)
    at = text.index("subpage=1.subpage.1-", text.index("Why and how we process your information\n"))  # in a row
    retargeted = read_capture((text[:at] + "subpage=9.subpage.9-" + text[at + 20:]).encode("utf-8"))
    assert not same_rows(original, retargeted) and "links changed" in differences(original.rows, retargeted.rows)

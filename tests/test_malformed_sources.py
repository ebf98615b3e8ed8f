"""Malformed sources stop the build with a message naming the file and line or term, exit code 2,
and nothing half-written in the output folder. Each case mutates a copy of the real sources."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from policykg import cli
from policykg.config import data_dir, ontology_dir


@dataclass(frozen=True)
class Case:
    """One way to break the sources: a text replacement in one file and what the error must say."""

    name: str
    file: str
    old: str
    new: str
    expect: tuple[str, ...]


CASES = [
    Case("unknown-category", "processes.yaml",
         "under: pko:FriendsFollowersAndConnections, span: [25364", "under: pko:NoSuchCategory, span: [25364",
         ("processes.yaml:", "pko:NoSuchCategory")),
    Case("item-that-is-not-a-category", "processes.yaml",
         "under: pko:FriendsFollowersAndConnections, span: [25364", "under: pko:Hashtags, span: [25364",
         ("processes.yaml:", "pko:Hashtags", "not one of the policy's information categories")),
    Case("unknown-dpv-term", "processes.yaml",
         "processing: [dpv:Combine, dpv:Share]", "processing: [dpv:Combine, dpv:Sharre]",
         ("processes.yaml:", "dpv:Sharre", "not in DPV 2.3")),
    Case("unknown-prefix", "processes.yaml",
         "processing: [dpv:Combine, dpv:Share]", "processing: [dpv:Combine, gdpr:Share]",
         ("processes.yaml:", "unknown prefix 'gdpr'")),
    Case("unquoted-sha256", "notice.yaml",
         'sha256: "e795e974c36d6a3908047e737280576135f70b17aded2eb0bd78a47aebf29235"', "sha256: 12345",
         ("notice.yaml:", "quoted 64-character")),
    Case("process-without-basis", "processes.yaml",
         "  basis: [eu-gdpr:A6-1-c]\n", "",
         ("processes.yaml:", "missing 'basis'")),
    Case("span-does-not-match", "processes.yaml",
         '[24874, 24923, "Content you create, like posts, comments"]', '[24875, 24923, "Content you create, like posts, comments"]',
         ("processes.yaml:", "does not match the text", "24875")),
    Case("span-beyond-text", "notice.yaml",
         "regulators, label: Regulators", "regulators, label: Regulators, extra_spans: [[117600, 999999, \"x\"]]",
         ("notice.yaml:", "beyond the policy text")),
    Case("title-not-in-text", "processes.yaml",
         'title: "Product improvement"', 'title: "Product improvements"',
         ("processes.yaml:", "'Product improvements' does not match the text")),
    Case("duplicate-process-id", "processes.yaml",
         "- id: non-user-product-improvement", "- id: non-user-research-social-good",
         ("processes.yaml:", "duplicate process id 'non-user-research-social-good'")),
    Case("yaml-syntax-error", "processes.yaml",
         "  audience: pko:AnyPerson\n", "  audience: [pko:AnyPerson\n",
         ("processes.yaml:", "YAML syntax error")),
    Case("turtle-syntax-error", "policykg.ttl",
         'pko:Hashtags a dpv:PersonalData, skos:Concept ;', 'pko:Hashtags a dpv:PersonalData skos:Concept ;',
         ("policykg.ttl:", "Turtle syntax error", "at line")),
    Case("unknown-local-term", "policykg.ttl",
         "pko:TruncatedCreditCardInformation a dpv:PersonalData, skos:Concept ;",
         "pko:TruncatedCardInfo a dpv:PersonalData, skos:Concept ;",
         ("processes.yaml:", "pko:TruncatedCreditCardInformation", "not defined in policykg.ttl")),
    Case("wrong-text-version", "notice.yaml",
         'sha256: "e795e974c36d6a3908047e737280576135f70b17aded2eb0bd78a47aebf29235"',
         'sha256: "0000000000000000000000000000000000000000000000000000000000000000"',
         ("notice.yaml:", "sources were written against 0000")),
]


def test_enough_cases() -> None:
    assert len(CASES) >= 12


@pytest.fixture()
def source_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ and ontology/ laid out as in the project."""
    shutil.copytree(data_dir(), tmp_path / "data")
    shutil.copytree(ontology_dir(), tmp_path / "ontology")
    return tmp_path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_source_stops_the_build(case: Case, source_copy: Path, monkeypatch, capsys,
                                          dpv_folder: Path, policy_text_path: Path) -> None:
    folder = source_copy / ("ontology" if case.file.endswith(".ttl") else "data")
    path = folder / case.file
    text = path.read_text(encoding="utf-8")
    assert text.count(case.old) >= 1, f"case {case.name} no longer applies to the sources"
    path.write_text(text.replace(case.old, case.new, 1), encoding="utf-8")
    monkeypatch.setattr("policykg.build.data_dir", lambda: source_copy / "data")
    monkeypatch.setattr("policykg.build.ontology_dir", lambda: source_copy / "ontology")

    out = source_copy / "out"
    out.mkdir()
    (out / "previous.txt").write_text("an earlier build")
    code = cli.main(["build", "--out", str(out), "--dpv-dir", str(dpv_folder), "--source-text", str(policy_text_path)])
    err = capsys.readouterr().err
    assert code == 2
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt"], "the output folder was touched"
    assert not [p for p in source_copy.iterdir() if p.name.startswith(".out.")], "staging folder left behind"


def test_missing_dpv_warns_then_strict_fails(tmp_path: Path, monkeypatch, capsys, policy_text_path: Path) -> None:
    monkeypatch.setenv("POLICYKG_DPV_DIR", str(tmp_path / "nowhere"))
    assert cli.main(["build", "--out", str(tmp_path / "b"), "--source-text", str(policy_text_path)]) == 0
    assert "DPV 2.3 Turtle files" in capsys.readouterr().err
    assert cli.main(["build", "--out", str(tmp_path / "c"), "--strict", "--source-text", str(policy_text_path)]) == 2
    err = capsys.readouterr().err
    assert "DPV 2.3 Turtle files" in err and "were not found" in err and "fetch-dpv" in err
    assert not (tmp_path / "c").exists()


def test_missing_policy_text_warns(tmp_path: Path, monkeypatch, capsys, dpv_folder: Path) -> None:
    monkeypatch.setenv("POLICYKG_SOURCE_TEXT", str(tmp_path / "missing.txt"))
    assert cli.main(["build", "--out", str(tmp_path / "b"), "--dpv-dir", str(dpv_folder)]) == 0
    assert "the policy text (000_58dca1eb2e4de648.txt) was not found" in capsys.readouterr().err


def test_unwritable_output_is_a_clear_error(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main(["build", "--out", str(blocker / "sub" / "build")]) == 2
    err = capsys.readouterr().err
    assert "policykg build: error:" in err and "Traceback" not in err

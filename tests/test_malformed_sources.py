"""Malformed sources stop the build with a message naming the file and line or term, exit code 2,
and nothing half-written in the output folder. Each case mutates a copy of the real sources (the June 2025
version alone, to keep each case to one compile)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from policykg.cli.main import main as cli_main
from policykg.config import data_root, ontology_dir


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
    Case("unquoted-sha256", "versions.yaml",
         'sha256: "e795e974c36d6a3908047e737280576135f70b17aded2eb0bd78a47aebf29235"', "sha256: 12345",
         ("versions.yaml:16:", "text.sha256", "valid string")),
    Case("process-without-basis", "processes.yaml",
         "  basis: [eu-gdpr:A6-1-c]\n", "",
         ("processes.yaml:", "missing 'basis' in [legal-obligation]")),
    Case("misspelt-optional-key", "processes.yaml",
         "  note: Lists only what Meta shares", "  notes: Lists only what Meta shares",
         ("processes.yaml:31:", "unknown key 'notes' in [consent-whatsapp-accounts-center]")),
    Case("list-item-not-a-mapping", "processes.yaml",
         "  interests:\n    - {interest: pko:InnovativeProductsForMinors", "  interests:\n    - pko:InnovativeProductsForMinors\n    - {interest: pko:InnovativeProductsForMinors",
         ("processes.yaml:", "[li-minors-personalising].interests[1]", "valid dictionary")),
    Case("curation-placeholder-left", "processes.yaml",
         'description: "With consent, Meta uses what partners', 'description: "CURATE: describe. With consent, Meta uses what partners',
         ("processes.yaml:", "still to be curated")),
    Case("unknown-version-in-links", "links.yaml",
         "revisions: []", "revisions:\n  - {old: meta-uk-1999-01-01/x, new: meta-uk-2025-06-16/legal-obligation, reason: test}",
         ("versions.yaml", "unknown version 'meta-uk-1999-01-01'")),
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
    Case("wrong-text-version", "versions.yaml",
         'sha256: "e795e974c36d6a3908047e737280576135f70b17aded2eb0bd78a47aebf29235"',
         'sha256: "0000000000000000000000000000000000000000000000000000000000000000"',
         ("000_58dca1eb2e4de648.txt", "encoded against 0000")),
]


def test_enough_cases() -> None:
    assert len(CASES) >= 12


PRIMARY = "meta-uk-2025-06-16"


@pytest.fixture()
def source_copy(tmp_path: Path, monkeypatch) -> Path:
    """A writable copy of the primary version's sources and the ontology, laid out as in the project."""
    data = tmp_path / "data"
    (data / PRIMARY).mkdir(parents=True)
    for name in ("notice.yaml", "processes.yaml"):
        shutil.copy(data_root() / PRIMARY / name, data / PRIMARY / name)
    registry = (data_root() / "versions.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(registry)["versions"]
    others = [e["name"] for e in entries if e["name"] != PRIMARY]
    kept = [block for block in registry.split("\n  - name: ") if not any(block.startswith(o) for o in others)]
    (data / "versions.yaml").write_text("\n  - name: ".join(kept), encoding="utf-8")
    (data / "links.yaml").write_text("revisions: []\ncounterparts: []\n", encoding="utf-8")
    shutil.copytree(ontology_dir(), tmp_path / "ontology")
    monkeypatch.setattr("policykg.config.data_root", lambda: data)
    monkeypatch.setattr("policykg.build.pipeline.default_ontology_path", lambda: tmp_path / "ontology" / "policykg.ttl")
    return tmp_path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_source_stops_the_build(case: Case, source_copy: Path, monkeypatch, capsys,
                                          dpv_folder: Path, policy_text_path: Path) -> None:
    folder = source_copy / ("ontology" if case.file.endswith(".ttl") else "data")
    path = folder / case.file if case.file in ("versions.yaml", "links.yaml", "policykg.ttl") \
        else folder / PRIMARY / case.file
    text = path.read_text(encoding="utf-8")
    assert text.count(case.old) >= 1, f"case {case.name} no longer applies to the sources"
    path.write_text(text.replace(case.old, case.new, 1), encoding="utf-8")

    out = source_copy / "out"
    out.mkdir()
    (out / "previous.txt").write_text("an earlier build")
    code = cli_main(["build", "--out", str(out), "--dpv-dir", str(dpv_folder)])
    err = capsys.readouterr().err
    assert code == 2
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt"], "the output folder was touched"
    assert not [p for p in source_copy.iterdir() if p.name.startswith(".out.")], "staging folder left behind"


def test_missing_dpv_warns_then_strict_fails(source_copy: Path, tmp_path: Path, monkeypatch, capsys,
                                             policy_text_path: Path) -> None:
    monkeypatch.setenv("POLICYKG_DPV_DIR", str(tmp_path / "nowhere"))
    assert cli_main(["build", "--out", str(tmp_path / "b")]) == 0
    assert "DPV 2.3 Turtle files" in capsys.readouterr().err
    assert cli_main(["build", "--out", str(tmp_path / "c"), "--strict"]) == 2
    err = capsys.readouterr().err
    assert "DPV 2.3 Turtle files" in err and "were not found" in err and "fetch-dpv" in err
    assert not (tmp_path / "c").exists()


def test_missing_policy_text_warns_then_strict_fails(source_copy: Path, tmp_path: Path, monkeypatch, capsys,
                                                     dpv_folder: Path) -> None:
    monkeypatch.setenv("POLICYKG_TEXTS_DIR", str(tmp_path / "no-texts-here"))
    assert cli_main(["build", "--out", str(tmp_path / "b"), "--dpv-dir", str(dpv_folder)]) == 0
    err = capsys.readouterr().err
    assert "the policy text of meta-uk-2025-06-16 (000_58dca1eb2e4de648.txt" in err and "no-texts-here" in err
    assert cli_main(["build", "--out", str(tmp_path / "c"), "--dpv-dir", str(dpv_folder), "--strict"]) == 2
    assert not (tmp_path / "c").exists()


def test_unwritable_output_is_a_clear_error(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli_main(["build", "--out", str(blocker / "sub" / "build")]) == 2
    err = capsys.readouterr().err
    assert "policykg build: error:" in err and "Traceback" not in err

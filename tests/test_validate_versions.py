"""`policykg validate` over several versions: each validated on its own with the law of its own date, and the
findings that appeared in or were resolved in each version of a jurisdiction (matched by rule and focus with the
version's namespace stripped), the new rules included. The versions are the June 2025 sources and a copy with
three rows changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policykg.cli.main import main
from policykg.config import data_root
from policykg.sources.versions import load_registry
from policykg.validate.shacl import Finding
from policykg.validate.versions import identity

JUNE = "meta-uk-2025-06-16"
LATER = "meta-uk-2025-09-01"
UNENCODED = "meta-uk-2025-12-01"


@pytest.fixture()
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dpv_folder: Path) -> Path:
    """A data root with the June sources and a later UK version (same text) where li-ai-development is for adults
    only, li-minors-safety-integrity-security profiles, and the ads row rests on consent instead of the contract; the
    command reads it."""
    registry = load_registry()
    june = registry.get(JUNE)
    root = tmp_path / "data"
    shutil.copytree(june.data_dir, root / JUNE)
    shutil.copytree(june.data_dir, root / LATER)
    entry = (f"  - name: {{name}}\n    jurisdiction: uk\n    label: {{label}}\n    effective: {{date}}\n"
             f"    text: {{{{file: {june.text_file}, sha256: \"{june.sha256}\"}}}}\n")
    (root / "versions.yaml").write_text(
        f"primary: {JUNE}\nversions:\n"
        + entry.format(name=JUNE, label="Meta Privacy Policy (UK), effective 16 June 2025", date="2025-06-16")
        + entry.format(name=LATER, label="A later UK version (test)", date="2025-09-01")
        + entry.format(name=UNENCODED, label="Registered, no folder yet (test)", date="2025-12-01"), encoding="utf-8")
    processes = root / LATER / "processes.yaml"
    text = processes.read_text(encoding="utf-8")
    ai = text.index("- id: li-ai-development")
    text = text[:ai] + text[ai:].replace("audience: pko:RegisteredUser\n", "audience: pko:RegisteredUserOverAgeOfMajority\n", 1)
    safety = text.index("- id: li-minors-safety-integrity-security")
    text = text[:safety] + text[safety:].replace("processing: [dpv:Use, ", "processing: [dpv:Profiling, dpv:Use, ", 1)
    ads = text.index("- id: contract-providing-ads")
    text = text[:ads] + text[ads:].replace("basis: [eu-gdpr:A6-1-b]", "basis: [eu-gdpr:A6-1-a]", 1)
    processes.write_text(text, encoding="utf-8")
    monkeypatch.setattr("policykg.config.data_root", lambda: root)
    monkeypatch.setenv("POLICYKG_DPV_DIR", str(dpv_folder))
    return root


def test_each_version_is_validated_alone_and_changes_are_listed(capsys, two_versions: Path):
    code = main(["validate", "--rules-only", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert [v["name"] for v in document["versions"]] == [JUNE, LATER]
    per_version = {v["name"]: v["counts"] for v in document["versions"]}
    assert sum(sum(c.values()) for c in per_version.values()) == len(document["findings"])
    assert {v["name"]: v["law_as_of"] for v in document["versions"]} == {JUNE: "2025-06-16", LATER: "2025-09-01"}
    assert {f["focus"].split("/")[4] for f in document["findings"]} == {JUNE, LATER}  # never the union
    assert f"registered but not encoded yet (no folder, or still a draft), so not validated: {UNENCODED}" in document["notes"]
    (change,) = document["changes"]
    assert (change["jurisdiction"], change["from"], change["to"]) == ("uk", JUNE, LATER)
    appeared = {(c["shape"].split("#")[1], c["focus"]) for c in change["appeared"]}
    resolved = {(c["shape"].split("#")[1], c["focus"]) for c in change["resolved"]}
    # The automated-decisions finding is one notice-level fact: its evidence changes, the finding does not.
    assert appeared == {("ChildProfilingByDefaultRule", "process/li-minors-safety-integrity-security")}
    # Ads on consent instead of the contract resolve the C-252/21 finding on that row.
    assert resolved == {("ChildAITrainingRule", "process/li-ai-development"),
                        ("ContractAdvertisingRule", "process/contract-providing-ads")}
    assert all(c["appeared_in"] == LATER for c in change["appeared"]) and all(c["resolved_in"] == LATER for c in change["resolved"])
    assert all(c["provisions"] and c["jurisdiction"] == "uk" and c["verdict"] for c in change["appeared"] + change["resolved"])


def test_the_text_and_markdown_reports_list_the_changes(capsys, two_versions: Path):
    assert main(["validate", "--rules-only"]) == 0
    out = capsys.readouterr().out
    assert f"=== {JUNE}: Meta Privacy Policy (UK), effective 16 June 2025 [uk]" in out
    assert f"=== {LATER}: A later UK version (test) [uk]" in out
    assert f"uk: {JUNE} -> {LATER}: 1 appeared in {LATER}, 2 resolved in {LATER}" in out
    assert f"  - resolved in {LATER}: [check] Children's data used to develop AI by default (Children's Code standards " \
           "8 and 5): process/li-ai-development" in out
    assert f"  - resolved in {LATER}: [conflicts-with] Advertising rested on the performance of a contract " \
           "(Art. 6(1)(b)): process/contract-providing-ads" in out
    assert main(["validate", "--rules-only", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert f"| uk | {JUNE} | {LATER} | [check] Profiling of children on by default" in markdown


def test_a_version_not_encoded_yet_is_a_clear_error(capsys, two_versions: Path):
    assert main(["validate", "--version", UNENCODED]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"version {UNENCODED!r} is registered but not encoded yet" in captured.err


def test_identity_strips_the_version_namespace():
    registry = load_registry(data_root())
    june = registry.get(JUNE)
    finding = Finding("https://w3id.org/policykg/shapes#S", "S", "gdpr", "finding", "check",
                      june.base + "process/li-ai-development", "AI", "m", value="https://w3id.org/policykg/ontology#X")
    assert identity(finding, june) == ("https://w3id.org/policykg/shapes#S", "process/li-ai-development")
    assert identity(finding, None)[1] == june.base + "process/li-ai-development"


def test_worker_processes_give_the_same_report(two_versions: Path, dpv_folder: Path):
    """Versions validated in forked worker processes give exactly what one process gives."""
    from policykg.build.pipeline import compile_graphs
    from policykg.validate.library import ShapeLibrary
    from policykg.validate.render import render
    from policykg.validate.shacl import load_dpv_graph
    from policykg.validate.versions import validate_versions

    compiled = compile_graphs(dpv_folder, versions=[JUNE, LATER])
    library, dpv = ShapeLibrary.load(["transparency", "gdpr", "aadc"]), load_dpv_graph(dpv_folder)
    alone = validate_versions(compiled, [JUNE, LATER], library, dpv, workers=1)
    forked = validate_versions(compiled, [JUNE, LATER], library, dpv, workers=2)
    assert render(forked, "json") == render(alone, "json")
    assert len(forked.changes) == 1 and forked.changes[0].disappeared

"""`policykg query`: table, CSV and JSON output on any version, exit code 2 with the reason when a question does not
apply to the dataset asked of, and exit code 2 with a clear message on bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import global_like
from policykg.cli.main import main
from policykg.store.questions import from_sparql_json, get_question


@pytest.fixture(scope="module")
def built(build_dir: Path) -> Path:
    return build_dir


@pytest.fixture(scope="module")
def with_global(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build with a version that states no legal basis, audience, interest or law (tests/global_like.py)."""
    return global_like.make_build(build_dir, tmp_path_factory.mktemp("global-like") / "build")


def test_json_output_is_the_stored_expectation(built: Path, capsys) -> None:
    assert main(["query", "--cq", "cq02", "--format", "json", "--build-dir", str(built)]) == 0
    cq = get_question("cq02")
    assert capsys.readouterr().out == cq.expected_file("meta-uk-2025-06-16").read_text(encoding="utf-8")


@pytest.mark.parametrize("version", ["meta-uk-2024-11-14", "meta-eu-2025-12-16"])
def test_another_version_answers_its_own_question(built: Path, capsys, version: str) -> None:
    """Issue 18: `--cq cq02 --version meta-eu-2025-12-16` printed 0 rows; it gives that version's answer."""
    assert main(["query", "--cq", "cq02", "--version", version, "--format", "json", "--build-dir", str(built)]) == 0
    assert capsys.readouterr().out == get_question("cq02").expected_file(version).read_text(encoding="utf-8")


def test_a_question_that_does_not_apply_is_refused_with_its_reason(with_global: Path, capsys) -> None:
    assert main(["query", "--cq", "cq02", "--version", global_like.NAME, "--build-dir", str(with_global)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == (f"policykg query: error: cq02-processes-per-legal-basis is about legal bases: the global "
                           f"notice ({global_like.NAME}) states no legal basis for its processing")
    assert main(["query", "--cq", "cq32", "--version", global_like.NAME, "--build-dir", str(with_global)]) == 2
    assert "names no applicable data-protection law" in capsys.readouterr().err
    assert main(["query", "--cq", "cq16", "--version", global_like.NAME, "--format", "csv",
                 "--build-dir", str(with_global)]) == 0  # recipients: the global notice names them
    assert len(capsys.readouterr().out.splitlines()) == 1 + 21


def test_datasets_a_question_is_not_asked_of_are_refused(built: Path, capsys) -> None:
    assert main(["query", "--cq", "cq36", "--version", "meta-eu-2025-12-16", "--build-dir", str(built)]) == 2
    assert "cq36-processes-added-removed compares versions" in capsys.readouterr().err
    assert main(["query", "--cq", "cq02", "--version", "all", "--build-dir", str(built)]) == 2
    assert "asks about one version's notice" in capsys.readouterr().err
    assert main(["query", "--cq", "cq36", "--build-dir", str(built), "--format", "csv"]) == 0  # its own dataset: all
    assert capsys.readouterr().out.startswith("oldVersion,newVersion,change,process,title,basis")


def test_a_file_of_ones_own_is_sparql_on_any_dataset(built: Path, tmp_path: Path, capsys, registry) -> None:
    mine = tmp_path / "mine.rq"
    mine.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/dpv#PrivacyNotice> }\n", encoding="utf-8")
    assert main(["query", str(mine), "--version", "all", "--format", "csv", "--build-dir", str(built)]) == 0
    assert capsys.readouterr().out.split() == ["n", str(len(registry.names))]  # every version's notice


def test_table_and_csv(built: Path, capsys) -> None:
    assert main(["query", "--cq", "cq02-processes-per-legal-basis", "--build-dir", str(built)]) == 0
    out = capsys.readouterr().out
    expected = from_sparql_json(get_question("cq02").expected_file().read_text(encoding="utf-8"))
    assert "eu-gdpr:A6-1-f" in out and f"({len(expected.rows)} rows)" in out
    assert main(["query", str(get_question("cq29").path), "--format", "csv", "--build-dir", str(built)]) == 0
    assert capsys.readouterr().out.split() == ["boolean", "true"]


def test_unknown_question(built: Path, capsys) -> None:
    assert main(["query", "--cq", "cq99", "--build-dir", str(built)]) == 2
    assert "unknown competency question 'cq99'" in capsys.readouterr().err


def test_missing_file(tmp_path: Path, capsys) -> None:
    assert main(["query", str(tmp_path / "absent.rq")]) == 2
    assert "no such query file" in capsys.readouterr().err


def test_syntax_error_with_position(built: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("# broken\nSELECT ?x WHERE {\n  ?x ?y }\n", encoding="utf-8")
    assert main(["query", str(bad), "--build-dir", str(built)]) == 2
    err = capsys.readouterr().err
    assert "bad.rq" in err and "syntax error" in err
    assert re.search(r"at \d+:\d+", err), err


def test_file_and_cq_are_exclusive(capsys) -> None:
    assert main(["query"]) == 2
    assert "either a query FILE or --cq NAME" in capsys.readouterr().err


def test_list(capsys) -> None:
    assert main(["query", "--list"]) == 0
    assert "cq01-purposes-by-legal-basis\tWhich purposes rely on each legal basis?" in capsys.readouterr().out

"""`policykg query`: table, CSV and JSON output, and exit code 2 with a clear message on bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policykg.cli.main import main
from policykg.store.questions import from_sparql_json, get_question


@pytest.fixture(scope="module")
def built(build_dir: Path) -> Path:
    return build_dir


def test_json_output_is_the_stored_expectation(built: Path, capsys) -> None:
    assert main(["query", "--cq", "cq02", "--format", "json", "--build-dir", str(built)]) == 0
    cq = get_question("cq02")
    assert capsys.readouterr().out == cq.expected_path.read_text(encoding="utf-8")


def test_table_and_csv(built: Path, capsys) -> None:
    assert main(["query", "--cq", "cq02-processes-per-legal-basis", "--build-dir", str(built)]) == 0
    out = capsys.readouterr().out
    expected = from_sparql_json(get_question("cq02").expected_path.read_text(encoding="utf-8"))
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

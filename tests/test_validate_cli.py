"""`policykg validate`: exit codes (0 complete, 1 a completeness failure or, with --fail-on, a finding of that verdict,
2 bad input), clear errors for bad input, the law applied, and the five report formats."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from policykg.cli.main import main
from policykg.sources.versions import load_registry
from server_fixture import policykg_command

CASES = Path(__file__).parent / "shapes"
VALID = CASES / "valid" / "complete-notice.ttl"
VIOLATION = CASES / "invalid" / "process-without-purpose.ttl"
WARNING = CASES / "invalid" / "retention-criteria-only.ttl"
GLOBAL = CASES / "valid" / "global-notice.ttl"
CONFLICT = CASES / "invalid" / "rule-ads-objection-not-offered.ttl"


@pytest.fixture(autouse=True)
def _dpv(dpv_folder: Path, monkeypatch: pytest.MonkeyPatch):
    """Every test here needs DPV (skips without it); point the command at it explicitly."""
    monkeypatch.setenv("POLICYKG_DPV_DIR", str(dpv_folder))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command in-process: (exit code, stdout, stderr)."""
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---- exit codes ----

def test_complete_file_exits_0(capsys):
    code, out, _ = run(capsys, str(VALID))
    assert code == 0
    assert "encoding complete; findings: 0 conflicts-with, 0 does-not-state, 0 check" in out
    assert "No findings." in out
    # the file's notice states the EU GDPR but no date: today's law is applied, and the report says so
    assert f"law applied: EU GDPR (with the ePrivacy rules as transposed in Ireland and the Digital Services Act) as in " \
           f"force on {date.today().isoformat()} (today's date: neither --as-of nor the notice gives one)" in out


def test_completeness_failure_exits_1_and_names_shape_focus_and_message(capsys):
    code, out, _ = run(capsys, str(VIOLATION))
    assert code == 1
    assert "encoding INCOMPLETE: 1 completeness failure; findings:" in out
    assert "== completeness failure: the graph does not say what the text says (an encoding bug) (1)" in out
    assert "-- Process has a purpose [completeness] — 1 finding" in out
    assert "Keeping tax records <https://w3id.org/policykg/test/notice#tax-records>" in out
    assert "states no purpose" in out
    assert "rests on Keeping tax records (characters 100-180, https://w3id.org/policykg/test/privacy#tax)" in out


def test_findings_alone_exit_0_unless_fail_on_reaches_their_verdict(capsys):
    code, out, _ = run(capsys, str(WARNING))
    assert code == 0
    assert "encoding complete; findings: 0 conflicts-with, 0 does-not-state, 1 check" in out
    assert run(capsys, str(WARNING), "--fail-on", "check")[0] == 1
    assert run(capsys, str(WARNING), "--fail-on", "does-not-state")[0] == 0
    assert run(capsys, str(CONFLICT), "--rules-only", "--fail-on", "conflicts-with")[0] == 1  # a rule case, not a whole notice
    assert run(capsys, str(CONFLICT), "--rules-only")[0] == 0


def test_real_versions_exit_0_by_default_and_1_with_fail_on(capsys):
    """A real notice with conflicts-with findings exits 0 (its encoding is complete) unless --fail-on reaches them.
    (That every version is complete: test_validate_policy.py, on its one run over all of them.)"""
    code, out, err = run(capsys, "--version", "meta-eu-2025-12-16", "--rules-only", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["complete"] and document["counts"]["conflicts-with"] > 0
    assert run(capsys, "--version", "meta-eu-2025-12-16", "--rules-only", "--fail-on", "conflicts-with")[0] == 1


def test_as_of_applies_another_days_law(capsys):
    code, out, err = run(capsys, "--version", "meta-uk-2025-06-16", "--as-of", "2026-03-01", "--shapes", "gdpr")
    assert code == 0, err
    assert ("law applied: UK GDPR (with the Data Protection Act 2018, PECR and the ICO's Children's code) as in force "
            "on 2026-03-01 (the date asked for with --as-of)") in out
    assert "cites: UK GDPR Arts. 22A-22D" in out and "cites: UK GDPR Art. 22(1) and (3) (" not in out
    code, out, _ = run(capsys, "--version", "meta-uk-2025-06-16", "--shapes", "gdpr")
    assert "cites: UK GDPR Art. 22(1) and (3) (" in out and "cites: UK GDPR Arts. 22A-22D" not in out


def test_a_notice_stating_no_applicable_law_is_not_assessed_and_every_format_says_so(capsys):
    said = "not assessed against the UK GDPR / EU GDPR / DSA: the notice states no applicable law of those regimes"
    for fmt in ("text", "markdown", "html", "json", "turtle"):
        code, out, err = run(capsys, str(GLOBAL), "--format", fmt)
        assert code == 0, (fmt, err)
        assert said in out, fmt
    code, out, _ = run(capsys, str(GLOBAL), "--shapes", "structure", "completeness")
    assert code == 0 and "not assessed" not in out  # only encoding shapes ran: nothing legal to assess


def test_no_files_validates_each_encoded_version(capsys):
    code, out, err = run(capsys, "--shapes", "structure")
    assert code == 0, err
    assert "=== meta-uk-2025-06-16: Meta Privacy Policy (UK), effective 16 June 2025 [uk]" in out
    assert "=== meta-eu-2025-12-16: Meta Privacy Policy (EU), effective 16 December 2025 [eu]" in out
    assert "=== meta-global-2025-12-16: Meta Privacy Policy (global), effective 16 December 2025 [global]" in out
    versions = len(load_registry().versions)  # each version, and the run as a whole
    assert out.count("encoding complete; findings: 0 conflicts-with, 0 does-not-state, 0 check (shapes: structure)") \
        == versions + 1 == 10
    assert ("uk: meta-uk-2024-11-14 -> meta-uk-2025-04-07: 0 appeared in meta-uk-2025-04-07, 0 resolved in "
            "meta-uk-2025-04-07") in out


def test_version_and_rules_only(capsys):
    code, out, err = run(capsys, "--version", "meta-uk-2025-06-16", "--rules-only", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["shape_sets"] == ["gdpr", "eprivacy", "aadc", "dsa"]
    assert [v["name"] for v in document["versions"]] == ["meta-uk-2025-06-16"]
    assert document["versions"][0]["jurisdiction"] == "uk" and document["versions"][0]["law_as_of"] == "2025-06-16"
    finding = next(f for f in document["findings"] if f["shape"].endswith("#ChildConsentUKRule"))
    assert finding["version"] == "meta-uk-2025-06-16" and finding["jurisdiction"] == "uk"
    assert (finding["kind"], finding["verdict"], finding["law_as_of"]) == ("finding", "check", "2025-06-16")
    # the age (13) is in UK GDPR Art. 8(1) itself; Data Protection Act 2018 s. 9 is omitted and no longer cited
    assert [(p["label"], p["url"], p["authority"], p["weight"], p["in_force"]) for p in finding["provisions"]] == [
        ("UK GDPR Art. 8(1) (a child's consent to an online service; the UK age is 13)",
         "https://www.legislation.gov.uk/eur/2016/679/article/8", "legislation", "binding",
         {"from": "2021-01-01", "to": None})]
    assert all(f["concern"] in ("gdpr", "eprivacy", "aadc", "dsa") for f in document["findings"])
    assert document["changes"] == []


def test_text_and_html_reports_name_provisions(capsys):
    code, out, _ = run(capsys, "--version", "meta-uk-2025-06-16", "--shapes", "aadc")
    assert code == 0
    assert ("   cites: ICO Age Appropriate Design Code, standard 7: Default settings (guidance, guidance in uk, of "
            "2021-09-02) <https://ico.org.uk/" in out)
    code, out, _ = run(capsys, "--version", "meta-uk-2025-06-16", "--shapes", "dsa", "gdpr", "--format", "html")
    assert code == 0
    assert ('<a href="https://www.legislation.gov.uk/eur/2016/679/article/21">UK GDPR Art. 21(2)-(3) (objection to '
            'direct marketing, after which the processing must stop)</a> <span class="facts">(legislation, binding in '
            'uk, in force from 2021-01-01)</span>') in out
    assert '<span class="verdict conflicts-with">conflicts-with</span>' in out
    assert ('<a href="https://w3id.org/policykg/meta-uk-2025-06-16/span/106383-106663">characters 106383-106663</a>'
            in out)  # every finding links to the spans it rests on
    assert "Digital Services Act" not in out  # the DSA applies to EU notices only


#: Bad options: (arguments, what the error must say). Each exits with 2 and writes nothing on standard output.
BAD_OPTIONS = [
    (["--version", "meta-xx"], "unknown version 'meta-xx' (known: meta-global-2022-07-26, meta-global-2023-01-01"),
    ([str(VALID), "--version", "meta-uk-2025-06-16"], "--version names an encoded version"),
    (["--rules-only", "--shapes", "structure"], "--rules-only runs rule sets only (gdpr, eprivacy, aadc, dsa); 'structure'"),
    ([str(VALID), "--as-of", "2026-02-30"], "--as-of '2026-02-30' is not a date (YYYY-MM-DD)"),
]


@pytest.mark.parametrize("argv, message", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_options_are_clear_errors(capsys, argv: list[str], message: str):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_texts_dir_replaces_source_text(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--source-text", "x.txt"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --source-text" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "--texts-dir" in capsys.readouterr().out


def test_console_script_exit_code():
    result = subprocess.run([*policykg_command(), "validate", str(VIOLATION), "--format", "json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["complete"] is False


# ---- bad input: exit 2 with a clear message ----

def test_turtle_syntax_error_reports_file_and_line(capsys, tmp_path: Path):
    bad = tmp_path / "notice.ttl"
    bad.write_text('@prefix ex: <https://w3id.org/policykg/test/> .\n\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n')
    code, out, err = run(capsys, str(bad))
    assert code == 2
    assert out == ""
    assert re.search(rf"policykg validate: error: {re.escape(str(bad))}:4: Turtle syntax error", err), err


#: Bad input files: (name, content or None for a missing file, what the error must say). Each exits with 2.
BAD_FILES = [
    ("nowhere.ttl", None, "nowhere.ttl: no such file"),
    ("empty.ttl", "\n  \n", "empty.ttl: the file is empty"),
    ("bare.ttl", "@prefix ex: <https://w3id.org/policykg/test/> .\n", "holds no RDF triples"),
    ("matrix.csv", "process,item\n", "cannot tell the RDF syntax of this file (extension '.csv')"),
    ("notice.ttl", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
     "notice.ttl:1: Turtle syntax error"),
]


@pytest.mark.parametrize("name, content, message", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_a_clear_error(capsys, tmp_path: Path, name: str, content: str | None, message: str):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert message in err


def test_other_syntaxes_by_extension(capsys, tmp_path: Path):
    graph = Graph().parse(VIOLATION)
    for ext, fmt in (("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")):
        path = tmp_path / f"case.{ext}"
        graph.serialize(path, format=fmt, encoding="utf-8")
        code, out, err = run(capsys, str(path))
        assert code == 1, (ext, err)
        assert "Process has a purpose" in out


def test_unknown_shapes_name(capsys):
    code, _, err = run(capsys, str(VALID), "--shapes", "structure", "privacy")
    assert code == 2
    assert "unknown shapes 'privacy'; available: structure, completeness, transparency, rights" in err


def test_missing_dpv_folder(capsys, tmp_path: Path):
    code, _, err = run(capsys, str(VALID), "--dpv-dir", str(tmp_path / "no-dpv"))
    assert code == 2
    assert "the DPV 2.3 Turtle files" in err and "fetch-dpv" in err


@pytest.mark.parametrize("option, value", [("--format", "pdf"), ("--fail-on", "warning")])
def test_unknown_choice_is_refused(capsys, option: str, value: str):
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(VALID), option, value])
    assert exc.value.code == 2
    assert f"invalid choice: '{value}'" in capsys.readouterr().err


# ---- --out ----

def test_out_is_written_whole(capsys, tmp_path: Path):
    target = tmp_path / "reports" / "report.json"
    code, out, _ = run(capsys, str(VIOLATION), "--format", "json", "--out", str(target))
    assert code == 1
    assert "encoding INCOMPLETE" in out
    assert json.loads(target.read_text())["counts"]["completeness"] == 1
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_out_is_left_alone_on_error(capsys, tmp_path: Path):
    target = tmp_path / "report.txt"
    target.write_text("previous report\n")
    bad = tmp_path / "bad.ttl"
    bad.write_text("ex:a ex:b .\n")
    code, _, _ = run(capsys, str(bad), "--out", str(target))
    assert code == 2
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ttl", "report.txt"]


# ---- report formats ----

def test_json_report(capsys):
    code, out, err = run(capsys, str(WARNING), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["complete"] is True
    assert document["counts"] == {"completeness": 0, "conflicts-with": 0, "does-not-state": 0, "check": 1}
    (finding,) = document["findings"]
    assert finding["shape"].endswith("#RetentionPeriodShape")
    assert finding["focus"] == "https://w3id.org/policykg/test/notice#retention"
    assert finding["focus_label"] == "Six years"
    assert (finding["kind"], finding["verdict"]) == ("finding", "check")
    assert [p["id"] for p in finding["provisions"]] == ["eu-gdpr-13-2-a"]
    assert "encoding complete" in err


def test_turtle_report_is_a_shacl_report(capsys):
    code, out, _ = run(capsys, str(VIOLATION), "--format", "turtle")
    assert code == 1
    report = Graph().parse(data=out, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert str(report.value(node, SH.conforms)) == "false"  # a completeness failure is a SHACL Violation
    (result,) = report.objects(node, SH.result)
    assert str(report.value(result, URIRef("https://w3id.org/policykg/shapes#kind"))) == "completeness"


def test_html_report_is_self_contained_and_escaped(capsys, tmp_path: Path):
    hostile_label = '"Tax <script>alert(1)</script> & \\"records\\""@en'
    text = VIOLATION.read_text().replace('"Keeping tax records"@en', hostile_label)
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(text)
    code, out, _ = run(capsys, str(hostile), "--format", "html")
    assert code == 1
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<script" not in out.lower()
    assert "Tax &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;records&#34;" in out  # Jinja2's autoescape
    for external in ("<link", "<img", "src=", "url(", "@import", "<iframe"):
        assert external not in out.lower()
    assert "Process has a purpose" in out


def test_files_are_quoted_from_the_text_their_graph_records(capsys, tmp_path: Path, dpv_folder: Path):
    """A version's graph as a file: its spans are quoted from the text found by the name and sha256 it records."""
    from policykg.build.pipeline import compile_graphs

    compiled = compile_graphs(dpv_folder, versions=["meta-uk-2025-06-16"])
    if "meta-uk-2025-06-16" not in compiled.texts:
        pytest.skip("the June 2025 policy text was not found")
    dump = tmp_path / "june.ttl"
    (compiled.ontology + compiled.versions["meta-uk-2025-06-16"]).serialize(dump, format="turtle")
    code, out, err = run(capsys, str(dump), "--shapes", "transparency")
    assert code == 0, err
    assert "“We keep information as long as we need it to provide our Products" in out
    assert "rests on How long Meta keeps information (characters 18660-18793" in out
    assert ("   cites: UK GDPR Art. 13(2)(a) (retention period, or the criteria for it) (legislation, binding in uk, in "
            "force from 2021-01-01) <https://www.legislation.gov.uk/eur/2016/679/article/13>") in out
    assert "law applied: UK GDPR" in out and "as in force on 2025-06-16 (the date the notice records" in out
    code, out, _ = run(capsys, str(dump), "--shapes", "transparency", "--texts-dir", str(tmp_path))
    assert code == 0
    assert ("rests on How long Meta keeps information (characters 18660-18793, https://privacycenter.instagram.com/policy/) "
            "<https://w3id.org/policykg/meta-uk-2025-06-16/span/18660-18793>\n") in out
    assert "the policy text was not available" in out

"""`policykg reason`: HermiT's verdict as exit codes, and a clear message when Java is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import RDF

from policykg.build import pipeline as build_module
from policykg.cli.main import main
from policykg.namespaces import DPV, PKO
from policykg.validate.reason import java_available

needs_java = pytest.mark.skipif(not java_available(), reason="Java is not installed; HermiT needs it")


@pytest.fixture(autouse=True)
def _dpv(dpv_folder: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POLICYKG_DPV_DIR", str(dpv_folder))


@needs_java
def test_consistent_graph_exits_0(capsys):
    code = main(["reason"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("consistent: HermiT found the ontology and data")
    assert "no unsatisfiable classes" in out


@needs_java
def test_injected_inconsistency_exits_1(capsys, monkeypatch: pytest.MonkeyPatch):
    """A purpose also typed as a legal basis clashes with the ontology's disjointness axioms."""
    original = build_module.compile_graphs

    def broken(*args, **kwargs):  # the primary version alone (HermiT's time grows with the data), made inconsistent
        from policykg.sources.versions import load_registry

        compiled = original(*args, **{**kwargs, "versions": [load_registry().primary]})
        compiled.versions[compiled.registry.primary].add((PKO.ProvidingAds, RDF.type, DPV.LegalBasis))
        return compiled

    monkeypatch.setattr(build_module, "compile_graphs", broken)
    code = main(["reason"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("INCONSISTENT: HermiT found the ontology and data")


def test_missing_java_is_a_clear_error(capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `java` anywhere on the PATH
    assert not java_available()
    code = main(["reason"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "policykg reason: error: Java was not found on the PATH" in captured.err
    assert "HermiT needs a Java runtime" in captured.err

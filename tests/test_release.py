"""One version everywhere: pyproject.toml, policykg.__version__, the ontology's owl:versionIRI and owl:versionInfo,
CITATION.cff (a valid CFF 1.2.0 file naming the version IRI), the newest CHANGELOG.md entry and the README's
citation; and the README names every pinned DPV file that `policykg fetch-dpv` downloads."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pyoxigraph as ox
import yaml

import policykg
from policykg.config import DPV_FILES, ontology_path

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = "https://w3id.org/policykg/ontology"
OWL = "http://www.w3.org/2002/07/owl#"
SEMVER = re.compile(r"\d+\.\d+\.\d+")


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _ontology_value(predicate: str) -> str:
    store = ox.Store()
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    values = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(ONTOLOGY), ox.NamedNode(OWL + predicate), None)]
    assert len(values) == 1, f"the ontology has {len(values)} owl:{predicate}"
    return values[0]


def test_the_package_and_the_ontology_carry_one_version() -> None:
    version = _version()
    assert SEMVER.fullmatch(version), version
    assert policykg.__version__ == version
    assert _ontology_value("versionInfo") == version
    assert _ontology_value("versionIRI") == f"{ONTOLOGY}/{version}"


def test_citation_cff_is_cff_1_2_0_with_the_version_iri() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff.get(key), f"CITATION.cff lacks {key}"
    assert all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"])
    assert cff["version"] == _version()
    assert str(cff["date-released"]) == re.search(r"^## [\d.]+ \((\d{4}-\d\d-\d\d)\)", _changelog(), re.M).group(1)
    assert {"type": "url", "value": f"{ONTOLOGY}/{_version()}"}.items() <= next(
        i for i in cff["identifiers"] if i["value"].startswith(ONTOLOGY)).items()
    for identifier in cff["identifiers"]:
        assert identifier["type"] in {"doi", "url", "swh", "other"} and identifier["value"]
    for reference in cff.get("references", []):
        assert reference.get("type") and reference.get("title") and reference.get("authors"), reference


def _changelog() -> str:
    return (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_newest_changelog_entry_is_this_version() -> None:
    entries = re.findall(r"^## (\S+)", _changelog(), re.M)
    assert entries and entries[0] == _version(), entries


def test_the_readme_cites_this_version() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"version (?:= \{)?(\d+\.\d+\.\d+)", readme))
    assert cited == {_version()}, cited


def test_fetch_dpv_pins_seven_files_and_the_readme_names_them() -> None:
    assert len(DPV_FILES) == 7 and {"legal-eu.ttl", "legal-ie.ttl"} <= set(DPV_FILES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    where = readme.index("`--dpv-dir`")
    told = readme[where:readme.index("\n- ", where)]
    assert all(Path(name).stem in told for name in DPV_FILES), told

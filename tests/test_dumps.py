"""The dumps: every format parses back to the built graph, rebuilds are byte-identical, checksums and VoID hold."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, VOID

from policykg.dumps import DUMP_NAMES, FORMATS
from policykg.namespaces import DATASET_IRI, DPV, PKO

RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


def expected_graph(compiled, name: str) -> Graph:
    if name == "ontology":
        return compiled.ontology
    if name == "data":
        return compiled.data
    return compiled.ontology + compiled.data


@pytest.mark.parametrize("name", DUMP_NAMES)
@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_dump_parses_back_to_the_built_graph(build_dir: Path, compiled, name: str, extension: str) -> None:
    raw = (build_dir / f"{name}.{extension}").read_bytes()
    assert gzip.decompress((build_dir / f"{name}.{extension}.gz").read_bytes()) == raw
    parsed = Graph().parse(data=raw, format=RDFLIB_FORMAT[extension])
    expected = expected_graph(compiled, name)
    # No blank nodes anywhere, so graph isomorphism is set equality of triples.
    assert not any(n for t in expected for n in t if n.__class__.__name__ == "BNode")
    assert set(parsed) == set(expected), f"{name}.{extension}: {len(set(parsed) ^ set(expected))} triples differ"


def test_sha256sums_list_every_file_with_its_hash(build_dir: Path) -> None:
    lines = (build_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    files = {p.name for p in build_dir.iterdir() if p.name != "SHA256SUMS"}
    assert set(listed) == files
    assert len(files) == len(DUMP_NAMES) * len(FORMATS) * 2 + 2
    for name, digest in listed.items():
        assert hashlib.sha256((build_dir / name).read_bytes()).hexdigest() == digest, name


def test_void_counts_and_links(build_dir: Path, compiled) -> None:
    void = Graph().parse(build_dir / "void.ttl")
    assert (DATASET_IRI, RDF.type, VOID.Dataset) in void
    assert int(void.value(DATASET_IRI, VOID.triples)) == len(compiled.ontology + compiled.data)
    subsets = {str(s).rsplit("/", 1)[-1]: int(void.value(s, VOID.triples)) for s in void.objects(DATASET_IRI, VOID.subset)}
    assert subsets == {"ontology": len(compiled.ontology), "data": len(compiled.data)}
    dumps = {str(u).rsplit("/", 1)[-1] for s in void.subjects(VOID.dataDump, None) for u in void.objects(s, VOID.dataDump)}
    assert dumps == {f"{n}.{e}{gz}" for n in DUMP_NAMES for e in FORMATS for gz in ("", ".gz")}
    assert void.value(DATASET_IRI, DCTERMS.license) is not None


def test_processing_matrix_has_one_line_per_process_and_item(build_dir: Path, compiled) -> None:
    rows = list(csv.DictReader(io.StringIO((build_dir / "processing-matrix.csv").read_text(encoding="utf-8"))))
    data = compiled.data
    pairs = {(str(p), str(i)) for p in data.subjects(RDF.type, DPV.Process) for i in data.objects(p, DPV.hasPersonalData)}
    assert len(rows) == len(pairs)
    assert {(r["process"], r["item"]) for r in rows} == {(p, _curie(i)) for p, i in pairs}
    first = rows[0]
    assert first["legal_basis"] and first["purpose"] and first["data_subject"] and first["category"]


def _curie(iri: str) -> str:
    return iri.replace(str(PKO), "pko:")


def test_rebuild_is_byte_identical(tmp_path: Path, build_dir: Path, dpv_folder: Path, policy_text_path: Path) -> None:
    out = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-m", "policykg", "build", "--out", str(out), "--dpv-dir", str(dpv_folder),
                    "--source-text", str(policy_text_path), "--strict"], check=True, env=env, capture_output=True)
    first = {p.name: p.read_bytes() for p in build_dir.iterdir()}
    second = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"not byte-identical: {different}"

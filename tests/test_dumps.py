"""The dumps: every format parses back to the built graphs, the dataset keeps each graph apart, rebuilds are
byte-identical, checksums and VoID hold."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from policykg.build.dumps import COMBINED_NAMES, DATASET_FORMATS, FORMATS, MANIFEST_FILE
from policykg.namespaces import DATASET_IRI, PKO

#: Each dump is read back by another library than the one that wrote it (pyoxigraph's parsers, all four formats).
OX_FORMAT = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
             "rdf": ox.RdfFormat.RDF_XML}


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _ox_term(term) -> str | tuple[str, str, str]:
    if isinstance(term, ox.NamedNode):
        return term.value
    assert isinstance(term, ox.Literal), f"not an IRI or a literal (a blank node?): {term}"
    return (term.value, term.datatype.value, term.language or "")


def _rdflib_term(term) -> str | tuple[str, str, str]:
    if isinstance(term, URIRef):
        return str(term)
    assert isinstance(term, Literal), f"not an IRI or a literal (a blank node?): {term!r}"
    datatype = RDF.langString if term.language else term.datatype or XSD_STRING
    return (str(term), str(datatype), term.language or "")


def parsed_triples(path: Path, extension: str) -> set[tuple]:
    """A dump's triples as comparable tuples (IRIs as strings; literals as lexical form, datatype, language)."""
    return {(_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object))
            for q in ox.parse(path=str(path), format=OX_FORMAT[extension])}


def triples_of(*graphs: Graph) -> set[tuple]:
    """The same tuples for in-memory graphs (no blank nodes: isomorphism is then equality of these sets)."""
    return {(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o)) for graph in graphs for s, p, o in graph}


def graphs_of(compiled) -> dict[str, Graph]:
    """Every graph the build writes on its own, by dump name."""
    out = {"ontology": compiled.ontology, "links": compiled.links}
    out.update(compiled.versions)
    out.update({f"changes-{name}": g for name, g in compiled.changes.items()})
    return out


@pytest.fixture(scope="module")
def expected_combined(compiled) -> dict[str, set[tuple]]:
    """The triples of each combined dump as built in memory: the ontology alone, or ontology and data."""
    ontology = triples_of(compiled.ontology)
    return {name: ontology if name == "ontology" else ontology | triples_of(compiled.data) for name in COMBINED_NAMES}


@pytest.mark.parametrize("name", COMBINED_NAMES)
@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_combined_dump_parses_back_to_the_built_graph(build_dir: Path, expected_combined, name: str,
                                                      extension: str) -> None:
    raw = (build_dir / f"{name}.{extension}").read_bytes()
    assert gzip.decompress((build_dir / f"{name}.{extension}.gz").read_bytes()) == raw
    parsed, expected = parsed_triples(build_dir / f"{name}.{extension}", extension), expected_combined[name]
    assert parsed == expected, f"{name}.{extension}: {len(parsed ^ expected)} triples differ"


def test_each_graph_has_its_own_dump(build_dir: Path, compiled) -> None:
    graphs = graphs_of(compiled)
    assert len(graphs) >= 2 + len(compiled.registry.versions)
    for name, graph in graphs.items():
        assert parsed_triples(build_dir / f"{name}.nt", "nt") == triples_of(graph), name
        assert gzip.decompress((build_dir / f"{name}.ttl.gz").read_bytes()) == (build_dir / f"{name}.ttl").read_bytes()


@pytest.mark.parametrize("extension", sorted(DATASET_FORMATS))
def test_the_dataset_keeps_every_graph_in_its_named_graph(build_dir: Path, compiled, extension: str) -> None:
    manifest = json.loads((build_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    files = manifest["files"]
    # Parsed, not loaded into a store: Oxigraph's store normalises xsd:nonNegativeInteger to xsd:integer
    # (oxigraph/oxigraph#526), and this test is about the file.
    held: dict[str, set] = {}
    for q in ox.parse(path=str(build_dir / f"policykg.{extension}"), format=DATASET_FORMATS[extension][0]):
        assert not isinstance(q.graph_name, ox.DefaultGraph), f"a triple in the default graph: {q}"
        held.setdefault(q.graph_name.value, set()).add(ox.Triple(q.subject, q.predicate, q.object))
    assert set(held) == set(files), "the dataset and the manifest name different graphs"
    for graph, file_name in files.items():
        expected = {ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(path=str(build_dir / file_name), format=ox.RdfFormat.N_TRIPLES)}
        assert held[graph] == expected, graph


def test_manifest_lists_every_version(build_dir: Path, compiled) -> None:
    manifest = json.loads((build_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["primary"] == compiled.registry.primary
    assert [v["name"] for v in manifest["versions"]] == compiled.registry.names
    for entry in manifest["versions"]:
        version = compiled.registry.get(entry["name"])
        assert entry["sha256"] == version.sha256 and entry["graph"] == version.graph
        assert entry["triples"] == len(compiled.versions[version.name])


def test_sha256sums_list_every_file_with_its_hash(build_dir: Path) -> None:
    lines = (build_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    files = {p.name for p in build_dir.iterdir() if p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((build_dir / name).read_bytes()).hexdigest() == digest, name


def test_void_counts_and_links(build_dir: Path, compiled) -> None:
    void = Graph().parse(build_dir / "void.ttl")
    assert (DATASET_IRI, RDF.type, VOID.Dataset) in void
    assert int(void.value(DATASET_IRI, VOID.triples)) == len(compiled.ontology + compiled.data)
    subsets = {str(s).rsplit("/", 1)[-1]: int(void.value(s, VOID.triples)) for s in void.objects(DATASET_IRI, VOID.subset)}
    assert subsets == {name: len(g) for name, g in graphs_of(compiled).items()}
    for version in compiled.registry.versions:
        subset = URIRef(f"https://w3id.org/policykg/dataset/{version.name}")
        assert void.value(subset, PKO.namedGraph) == URIRef(version.graph)
        assert str(void.value(subset, DCTERMS.temporal)) == version.effective.isoformat()
    dumps = {str(u).rsplit("/", 1)[-1] for s in void.subjects(VOID.dataDump, None) for u in void.objects(s, VOID.dataDump)}
    assert {f"{n}.{e}{gz}" for n in COMBINED_NAMES for e in FORMATS for gz in ("", ".gz")} <= dumps
    assert {f"{v}.nt" for v in compiled.registry.names} <= dumps
    assert void.value(DATASET_IRI, DCTERMS.license) is not None


def test_processing_matrix_has_one_line_per_version_process_and_listed_item(build_dir: Path, compiled) -> None:
    rows = list(csv.DictReader(io.StringIO((build_dir / "processing-matrix.csv").read_text(encoding="utf-8"))))
    expected = set()
    for name, data in compiled.versions.items():
        for process, use in data.subject_objects(PKO.hasQualifiedPersonalData):
            expected.add((name, str(process), str(data.value(use, PKO.personalData)).replace(str(PKO), "pko:")))
    assert len(rows) == len(expected)
    assert {(r["version"], r["process"], r["item"]) for r in rows} == expected
    assert {r["version"] for r in rows} == set(compiled.registry.names)
    uk = next(r for r in rows if r["version"] == compiled.registry.primary)
    assert uk["legal_basis"].startswith("eu-gdpr:") and uk["purpose"] and uk["data_subject"] and uk["category"]
    global_rows = [r for r in rows if r["version"].startswith("meta-global-")]
    assert global_rows and all(r["legal_basis"] == r["data_subject"] == "not stated" and r["purpose"] and r["category"]
                               for r in global_rows), "the global notice states no basis or audience: said so"


def test_rebuild_with_the_console_script_is_byte_identical(tmp_path: Path, build_dir: Path, dpv_folder: Path) -> None:
    out = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    script = Path(sys.executable).parent / "policykg"
    assert script.is_file(), "the policykg console script is not installed beside this Python"
    subprocess.run([str(script), "build", "--out", str(out), "--dpv-dir", str(dpv_folder), "--strict"],
                   check=True, env=env, capture_output=True)
    first = {p.name: p.read_bytes() for p in build_dir.iterdir()}
    second = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"not byte-identical: {different}"


def test_the_n_triples_and_n_quads_files_are_what_pyoxigraph_writes(build_dir: Path) -> None:
    """The build writes its sorted N-Triples lines as they are (dumps.nt_bytes): the bytes must equal pyoxigraph's
    own serialisation of the same triples, in the same order, for every .nt dump and the dataset's .nq."""
    import pyoxigraph as ox

    files = sorted(build_dir.glob("*.nt"))
    assert len(files) > 10
    for path in files:
        body = path.read_bytes()
        assert ox.serialize(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)), format=ox.RdfFormat.N_TRIPLES) == body, path.name
    nquads = (build_dir / "policykg.nq").read_bytes()
    assert ox.serialize(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)), format=ox.RdfFormat.N_QUADS) == nquads

"""Serialise stage: deterministic RDF dumps, gzip copies, the VoID/DCAT description, the CSV matrix, SHA256SUMS."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from . import __version__
from .namespaces import DATA, DATASET_IRI, DPV, ONTOLOGY_IRI, PKO, PREFIXES, SPDX, compact_iri

#: Dump formats: file extension -> (pyoxigraph format, media type).
FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdf": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}
#: The graphs written as dumps, in order.
DUMP_NAMES = ("ontology", "data", "policykg")
#: Prefixes written into dumps: not the instance namespace, whose local names hold "/" (escaped in Turtle).
DUMP_PREFIXES = {p: iri for p, iri in PREFIXES.items() if p != "meta"}
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as pyoxigraph terms in a canonical order (subject, predicate, object)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def serialise(triples: Iterable[ox.Triple], extension: str) -> bytes:
    """Serialise triples in the given order to one of the dump formats."""
    rdf_format, _ = FORMATS[extension]
    prefixes = DUMP_PREFIXES if extension in ("ttl", "rdf", "jsonld") else None
    return ox.serialize(list(triples), format=rdf_format, prefixes=prefixes) or b""


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no timestamp or name, so the same input gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def processing_matrix(data: Graph, ontology: Graph) -> str:
    """CSV, one line per process x information item, with basis, purpose, data subject and source span."""
    labels = ontology + Graph()
    def label(node) -> str:
        value = labels.value(node, RDFS.label) or data.value(node, RDFS.label)
        return str(value) if value is not None else curie(node)

    def curie(node) -> str:
        return compact_iri(str(node))

    rows = []
    for process in data.subjects(RDF.type, DPV.Process):
        span = data.value(process, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        selector = data.value(span, URIRef("http://www.w3.org/ns/oa#hasSelector"))
        start = int(str(data.value(selector, URIRef("http://www.w3.org/ns/oa#start"))))
        end = int(str(data.value(selector, URIRef("http://www.w3.org/ns/oa#end"))))
        bases = " | ".join(sorted(curie(b) for b in data.objects(process, DPV.hasLegalBasis)))
        purposes = " | ".join(sorted(label(p) for p in data.objects(process, DPV.hasPurpose)))
        subjects = " | ".join(sorted(label(s) for s in data.objects(process, DPV.hasDataSubject)))
        for qualified in data.objects(process, PKO.hasQualifiedPersonalData):
            item = data.value(qualified, PKO.personalData)
            rows.append((start, str(process), label(process), bases, purposes, subjects,
                         label(data.value(qualified, PKO.listedUnder)), curie(item), label(item),
                         str(data.value(qualified, PKO.qualifier) or ""), start, end))
    rows.sort(key=lambda r: (r[0], r[7]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["process", "process_label", "legal_basis", "purpose", "data_subject", "category",
                     "item", "item_label", "qualifier", "source_start", "source_end"])
    for row in rows:
        writer.writerow(row[1:])
    return buffer.getvalue()


def void_description(counts: dict[str, int], checksums: dict[str, str], notice_url: str, effective: str) -> Graph:
    """The VoID/DCAT description of the dataset: counts, licence, version, source, download links."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    ds = DATASET_IRI
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("policykg: Meta Privacy Policy (UK, effective 16 June 2025) as a DPV 2.3 knowledge graph", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Every processing description, legal basis, purpose, information item, audience, legitimate interest, recipient, right, "
        "retention and transfer statement of Meta's UK Privacy Policy, aligned with the W3C Data Privacy Vocabulary 2.3, "
        "each fact linked to the character span of the policy text that states it.", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.source, URIRef(notice_url)))
    g.add((ds, DCTERMS.creator, Literal("policykg contributors")))
    g.add((ds, DCTERMS.temporal, Literal(effective, datatype=XSD.date)))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(__version__)))
    g.add((ds, VOID.uriSpace, Literal(str(DATA))))
    g.add((ds, VOID.vocabulary, URIRef(str(DPV))))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    g.add((ds, VOID.rootResource, DATA["notice"]))
    g.add((ds, FOAF.homepage, URIRef("https://w3id.org/policykg")))
    g.add((ds, VOID.triples, Literal(counts["policykg"], datatype=XSD.integer)))
    for name in ("ontology", "data"):
        subset = DATA[f"dataset/{name}"]
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(f"policykg {name}", lang="en")))
        g.add((subset, VOID.triples, Literal(counts[name], datatype=XSD.integer)))
        g.add((subset, DCTERMS.license, LICENSE))
    for file_name, digest in sorted(checksums.items()):
        url = DATA[f"download/{file_name}"]
        dist = DATA[f"dataset/distribution/{file_name}"]
        base = file_name.split(".")[0]
        extension = file_name.split(".")[1]
        g.add((ds if base == "policykg" else DATA[f"dataset/{base}"], VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(file_name)))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, Literal(FORMATS[extension][1])))
        if file_name.endswith(".gz"):
            g.add((dist, DCAT.compressFormat, Literal("application/gzip")))
        g.add((dist, SPDX.checksum, DATA[f"dataset/distribution/{file_name}/sha256"]))
        g.add((DATA[f"dataset/distribution/{file_name}/sha256"], RDF.type, SPDX.Checksum))
        g.add((DATA[f"dataset/distribution/{file_name}/sha256"], SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((DATA[f"dataset/distribution/{file_name}/sha256"], SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
    return g


def write_artefacts(out: Path, ontology: Graph, data: Graph, notice_url: str, effective: str) -> dict[str, int]:
    """Write every artefact into the (empty) folder out; return the triple counts."""
    combined = Graph()
    for triple in ontology:
        combined.add(triple)
    for triple in data:
        combined.add(triple)
    graphs = {"ontology": ontology, "data": data, "policykg": combined}
    counts: dict[str, int] = {}
    checksums: dict[str, str] = {}
    for name in DUMP_NAMES:
        triples = sorted_triples(graphs[name])
        counts[name] = len(triples)
        for extension in FORMATS:
            payload = serialise(triples, extension)
            for file_name, content in ((f"{name}.{extension}", payload), (f"{name}.{extension}.gz", gzip_bytes(payload))):
                (out / file_name).write_bytes(content)
                checksums[file_name] = sha256_bytes(content)
    void = void_description(counts, checksums, notice_url, effective)
    void_bytes = serialise(sorted_triples(void), "ttl")
    (out / "void.ttl").write_bytes(void_bytes)
    matrix = processing_matrix(data, ontology).encode("utf-8")
    (out / "processing-matrix.csv").write_bytes(matrix)
    everything = dict(checksums)
    everything["void.ttl"] = sha256_bytes(void_bytes)
    everything["processing-matrix.csv"] = sha256_bytes(matrix)
    (out / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sorted(everything.items())), encoding="utf-8")
    return counts

"""Serialise stage: deterministic RDF dumps (per graph, combined, and as one dataset of named graphs), gzip copies,
the VoID/DCAT description, the CSV matrix, SHA256SUMS."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, VOID, XSD
from rdflib.plugins.serializers.nt import _quoteLiteral

from policykg import __version__
from policykg.digest import sha256_bytes
from policykg.iris import PREFIXES, compact_iri
from policykg.namespaces import DATASET_IRI, DPV, GRAPH, OA, ONTOLOGY_IRI, PKO, SITE, SPDX

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.build.pipeline import Compiled

#: Triple dump formats: file extension -> (pyoxigraph format, media type).
FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdf": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}
#: Dataset (named graph) formats.
DATASET_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
}
MEDIA_TYPES = {**{ext: media for ext, (_, media) in {**FORMATS, **DATASET_FORMATS}.items()},
               "json": "application/json", "csv": "text/csv", "html": "text/html"}
#: The combined dumps, each in every triple format: the ontology alone, and the ontology with every graph.
COMBINED_NAMES = ("ontology", "policykg")
#: The dataset file the embedded store loads (every named graph but DPV), and what it holds.
DATASET_FILE = "policykg.nq"
MANIFEST_FILE = "dataset.json"
#: Prefixes written into dumps: not the instance namespace, whose local names hold "/" (escaped in Turtle).
DUMP_PREFIXES = {p: iri for p, iri in PREFIXES.items() if p != "pkd"}
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
FALSE = Literal(False)
#: What the matrix says where the notice states no basis or audience for a process.
NOT_STATED = "not stated"
ONTOLOGY_GRAPH = GRAPH["ontology"]
LINKS_GRAPH = GRAPH["links"]


@dataclass(frozen=True)
class Dump:
    """One graph written as dumps: its file base name, named graph, title and N-Triples lines in canonical order."""

    name: str
    graph: URIRef | None
    title: str
    lines: list[str]

    @property
    def triples(self) -> list[ox.Triple]:
        """The triples, in the canonical order."""
        return lines_to_triples(self.lines)


def _nt_term(term: object) -> str:
    """One term as N-Triples writes it (rdflib's own literal quoting; the graphs hold no blank nodes)."""
    kind = type(term)  # exact types first: isinstance on rdflib terms goes through ABC checks, slow at this scale
    if kind is URIRef:
        return f"<{term}>"
    if kind is Literal or isinstance(term, Literal):
        return _quoteLiteral(term)  # type: ignore[arg-type]
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise ValueError(f"not an IRI or a literal: {term!r} (the graphs hold no blank nodes)")


def nt_lines(graph: Graph | Iterable[tuple]) -> set[str]:
    """An rdflib graph (or any triples of rdflib terms) as N-Triples lines: the lines rdflib's serializer writes,
    without its per-term IRI checks (pyoxigraph checks every IRI when it parses them)."""
    return {f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} ." for s, p, o in graph}


def lines_to_triples(lines: list[str]) -> list[ox.Triple]:
    """N-Triples lines as pyoxigraph triples, in the same order."""
    return list(ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))


def nt_bytes(lines: list[str]) -> bytes:
    """N-Triples lines (sorted) as the file pyoxigraph writes for them: one per line, UTF-8 (tests/test_dumps.py
    proves the bytes equal to pyoxigraph's own N-Triples output, so the lines need not be parsed to be written)."""
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as pyoxigraph terms in the canonical order (sorted N-Triples lines)."""
    return lines_to_triples(sorted(nt_lines(graph)))


def serialise(triples: Iterable[ox.Triple], extension: str) -> bytes:
    """Serialise triples in the given order to one of the dump formats."""
    rdf_format, _ = FORMATS[extension]
    prefixes = DUMP_PREFIXES if extension in ("ttl", "rdf", "jsonld") else None
    return ox.serialize(list(triples), format=rdf_format, prefixes=prefixes) or b""


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no timestamp or name, so the same input gives the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def graph_dumps(compiled: Compiled) -> list[Dump]:
    """The graphs a build writes: the ontology, each version, the links and each comparison, in that order."""
    from policykg.changes.graph import comparisons

    def dump(name: str, graph: URIRef, title: str, data: Graph | Iterable[tuple]) -> Dump:
        return Dump(name, graph, title, sorted(nt_lines(data)))

    dumps = [dump("ontology", ONTOLOGY_GRAPH, "the policykg ontology", compiled.ontology)]
    for version in compiled.registry.versions:
        if version.name in compiled.versions:
            dumps.append(dump(version.name, URIRef(version.graph), version.label, compiled.version_triples(version.name)))
    dumps.append(dump("links", LINKS_GRAPH, "the same processing across versions and jurisdictions", compiled.links))
    for c in comparisons(compiled.registry):
        if c.name in compiled.changes:
            dumps.append(dump(f"changes-{c.name}", URIRef(c.graph), f"changes from {c.old.label} to {c.new.label}",
                              compiled.changes.current(c.name)))
    return dumps


def processing_matrix(compiled: Compiled) -> str:
    """CSV, one line per version x process x information item, with basis, purpose, audience and source span."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["version", "process", "process_label", "legal_basis", "purpose", "data_subject", "category",
                     "item", "item_label", "qualifier", "source_start", "source_end"])
    from policykg.build.triples import TripleIndex
    from policykg.labels import Labeller

    for version in compiled.registry.versions:
        if version.name not in compiled.versions:
            continue
        data = TripleIndex(compiled.version_triples(version.name))
        label = Labeller([compiled.ontology, data])  # type: ignore[list-item]  # a TripleIndex answers objects()
        rows = []
        for process in data.subjects(RDF.type, DPV.Process):
            selector = data.value(data.value(process, PROV.wasDerivedFrom), OA.hasSelector)
            start, end = int(str(data.value(selector, OA.start))), int(str(data.value(selector, OA.end)))
            bases = " | ".join(sorted(compact_iri(str(b)) for b in data.objects(process, DPV.hasLegalBasis)))
            purposes = " | ".join(sorted(label(p) for p in data.objects(process, DPV.hasPurpose)))
            subjects = " | ".join(sorted(label(s) for s in data.objects(process, DPV.hasDataSubject)))
            if (process, PKO.statesLegalBasis, FALSE) in data:  # what the notice does not state, said so (decision 37)
                bases = bases or NOT_STATED
            if (process, PKO.statesAudience, FALSE) in data:
                subjects = subjects or NOT_STATED
            for qualified in data.objects(process, PKO.hasQualifiedPersonalData):
                item = data.value(qualified, PKO.personalData)
                rows.append((start, compact_iri(str(item)), [
                    version.name, str(process), label(process), bases, purposes, subjects,
                    label(data.value(qualified, PKO.listedUnder)), compact_iri(str(item)), label(item),
                    str(data.value(qualified, PKO.qualifier) or ""), start, end]))
        for _, _, row in sorted(rows, key=lambda r: (r[0], r[1])):
            writer.writerow(row)
    return buffer.getvalue()


def void_description(compiled: Compiled, dumps: list[Dump], counts: dict[str, int], checksums: dict[str, str]) -> Graph:
    """The VoID/DCAT description of the dataset: one subset per graph, counts, licence, versions, downloads."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    ds = DATASET_IRI
    names = ", ".join(v.label for v in compiled.registry.versions if v.name in compiled.versions)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("policykg: Meta's Privacy Policy over time and across jurisdictions, "
                                      "as a DPV 2.3 knowledge graph", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Every processing description, legal basis, purpose, information item, audience, legitimate interest, recipient, "
        f"right, retention and transfer statement of these versions of Meta's Privacy Policy: {names}; each fact linked "
        "to the character span of the text that states it, the same processing linked across versions and "
        "jurisdictions, and what changed between versions.", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.creator, Literal("policykg contributors")))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(__version__)))
    g.add((ds, VOID.uriSpace, Literal(str(SITE))))
    g.add((ds, VOID.vocabulary, URIRef(str(DPV))))
    g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI + "#")))
    g.add((ds, FOAF.homepage, URIRef("https://w3id.org/policykg")))
    g.add((ds, VOID.triples, Literal(counts["policykg"], datatype=XSD.integer)))
    versions = {v.name: v for v in compiled.registry.versions}
    for dump in dumps:
        subset = SITE[f"dataset/{dump.name}"]
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(f"policykg: {dump.title}", lang="en")))
        g.add((subset, VOID.triples, Literal(len(dump.lines), datatype=XSD.integer)))
        g.add((subset, DCTERMS.license, LICENSE))
        if dump.graph is not None:
            g.add((subset, PKO.namedGraph, dump.graph))
        if dump.name in versions:
            v = versions[dump.name]
            g.add((subset, DCTERMS.temporal, Literal(v.effective.isoformat(), datatype=XSD.date)))
            g.add((subset, VOID.rootResource, URIRef(v.base + "notice")))
            g.add((subset, DCTERMS.source, URIRef(v.base + "source/policy-text")))
    for file_name, digest in sorted(checksums.items()):
        url = SITE[f"download/{file_name}"]
        dist = SITE[f"dataset/distribution/{file_name}"]
        base, extension = file_name.split(".")[0], file_name.split(".")[1]
        target = ds if base == "policykg" else SITE[f"dataset/{base}"]
        g.add((target, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(file_name)))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, Literal(MEDIA_TYPES[extension])))
        if file_name.endswith(".gz"):
            g.add((dist, DCAT.compressFormat, Literal("application/gzip")))
        checksum = SITE[f"dataset/distribution/{file_name}/sha256"]
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
    return g


def dataset_manifest(compiled: Compiled, dumps: list[Dump]) -> dict[str, object]:
    """What the served dataset holds (read by the server and the notebooks without rdflib): graphs and versions."""
    from policykg.changes.graph import comparisons

    sizes = {str(d.graph): len(d.lines) for d in dumps}
    versions = [{
        "name": v.name, "label": v.label, "jurisdiction": v.jurisdiction, "effective": v.effective.isoformat(),
        "graph": v.graph, "notice": v.base + "notice", "text_file": v.text_file, "sha256": v.sha256,
        "triples": sizes[v.graph],
    } for v in compiled.registry.versions if v.name in compiled.versions]
    changes = [{"name": c.name, "old": c.old.name, "new": c.new.name, "graph": c.graph, "iri": str(c.iri),
                "triples": sizes[c.graph]} for c in comparisons(compiled.registry) if c.name in compiled.changes]
    return {
        "primary": compiled.registry.primary,
        "ontology_graph": str(ONTOLOGY_GRAPH),
        "links_graph": str(LINKS_GRAPH),
        "versions": versions,
        "changes": changes,
        "triples": {"ontology": sizes[str(ONTOLOGY_GRAPH)], "links": sizes[str(LINKS_GRAPH)]},
        "files": {str(d.graph): f"{d.name}.nt" for d in dumps},
    }


def write_artefacts(out: Path, compiled: Compiled) -> dict[str, int]:
    """Write every artefact into the (empty) folder out; return the triple counts of the combined dumps."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:  # zlib lets go of the GIL: gzip beside the serialising
        return _write_artefacts(out, compiled, pool)


def _write_artefacts(out: Path, compiled: Compiled, pool) -> dict[str, int]:
    checksums: dict[str, str] = {}
    pending: list[tuple[str, object]] = []

    def write(file_name: str, payload: bytes, gz: bool = True) -> None:
        (out / file_name).write_bytes(payload)
        checksums[file_name] = sha256_bytes(payload)
        if gz:
            pending.append((f"{file_name}.gz", pool.submit(gzip_bytes, payload)))

    def gzipped() -> None:
        for file_name, future in pending:
            packed = future.result()  # type: ignore[attr-defined]
            (out / file_name).write_bytes(packed)
            checksums[file_name] = sha256_bytes(packed)
        pending.clear()

    dumps = graph_dumps(compiled)
    parsed = {d.name: d.triples for d in dumps}  # each graph's lines parsed once
    by_line = {line: t for d in dumps for line, t in zip(d.lines, parsed[d.name], strict=True)}
    all_lines = sorted(by_line)
    combined = {"ontology": (dumps[0].lines, parsed[dumps[0].name]),
                "policykg": (all_lines, [by_line[line] for line in all_lines])}
    counts = {name: len(lines) for name, (lines, _) in combined.items()}
    for name, (lines, all_triples) in combined.items():
        for extension in FORMATS:
            write(f"{name}.{extension}", nt_bytes(lines) if extension == "nt" else serialise(all_triples, extension))
    for dump in dumps[1:]:
        write(f"{dump.name}.ttl", serialise(parsed[dump.name], "ttl"))
        write(f"{dump.name}.nt", nt_bytes(dump.lines))
    nquads = "".join(f"{line[:-2]} <{dump.graph}> .\n" for dump in dumps for line in dump.lines).encode("utf-8")
    write("policykg.nq", nquads)
    quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    write("policykg.trig", ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=DUMP_PREFIXES) or b"")
    from policykg.changes.render import render_html, render_json

    for name, (_, diff) in compiled.diffs.items():
        write(f"changes-{name}.json", render_json(diff).encode("utf-8"), gz=False)
        write(f"changes-{name}.html", render_html(diff).encode("utf-8"), gz=False)
    manifest = json.dumps(dataset_manifest(compiled, dumps), indent=1, sort_keys=True) + "\n"
    write(MANIFEST_FILE, manifest.encode("utf-8"), gz=False)
    gzipped()
    void = void_description(compiled, dumps, counts, checksums)
    write("void.ttl", serialise(sorted_triples(void), "ttl"), gz=False)
    write("processing-matrix.csv", processing_matrix(compiled).encode("utf-8"), gz=False)
    (out / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sorted(checksums.items())), encoding="utf-8")
    return counts

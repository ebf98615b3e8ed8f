"""Reading RDF files given on the command line: format from the extension, clear errors, rdflib graphs out."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.errors import PolicyKGError

#: File extension (without the dot, lower case) -> pyoxigraph format name.
RDF_EXTENSIONS: dict[str, str] = {
    "ttl": "TURTLE",
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "ntriples": "N_TRIPLES",
    "nq": "N_QUADS",
    "trig": "TRIG",
    "n3": "N3",
    "rdf": "RDF_XML",
    "owl": "RDF_XML",
    "xml": "RDF_XML",
    "jsonld": "JSON_LD",
    "json": "JSON_LD",
}


def rdf_format_for(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, from its extension (a trailing .gz is allowed); PolicyKGError if unknown."""
    suffixes = [s.lower().lstrip(".") for s in path.suffixes]
    if suffixes and suffixes[-1] == "gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext not in RDF_EXTENSIONS:
        known = ", ".join("." + e for e in sorted(set(RDF_EXTENSIONS)))
        what = f"extension '.{ext}'" if ext else "no extension"
        raise PolicyKGError(f"cannot tell the RDF syntax of this file ({what}); use one of {known} (optionally .gz)",
                            path=path)
    return getattr(ox.RdfFormat, RDF_EXTENSIONS[ext])


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise PolicyKGError("no such file", path=path)
    if path.is_dir():
        raise PolicyKGError("is a folder, not an RDF file", path=path)
    try:
        data = path.read_bytes()
        if path.suffix.lower() == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise PolicyKGError(f"cannot read the file: {exc}", path=path) from exc
    if not data.strip():
        raise PolicyKGError("the file is empty", path=path)
    return data


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """An rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def add_triples(graph: Graph, triples: Iterable) -> Graph:
    """Add pyoxigraph triples or quads (graph names dropped) to an rdflib graph; return it."""
    graph.addN((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), graph) for t in triples)
    return graph


def parse_rdf_file(path: Path | str, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into graph (a new one by default); errors name the file and line."""
    path = Path(path)
    fmt = rdf_format_for(path)
    data = _read_bytes(path)
    target = graph if graph is not None else Graph()
    before = len(target)
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None)
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
        raise PolicyKGError(f"{fmt.name} syntax error: {message} (the syntax is chosen by the file extension)",
                            path=path, line=line) from exc
    except (ValueError, OSError) as exc:
        raise PolicyKGError(f"cannot parse as {fmt.name}: {exc}", path=path) from exc
    add_triples(target, quads)
    if len(target) == before and not quads:
        raise PolicyKGError(f"the file holds no RDF triples (read as {fmt.name})", path=path)
    return target


def parse_rdf_files(paths: Iterable[Path | str]) -> Graph:
    """Parse several RDF files into one rdflib graph."""
    graph = Graph()
    for path in paths:
        parse_rdf_file(path, graph)
    return graph

"""The result formats the endpoint speaks: SPARQL results for SELECT/ASK, RDF syntaxes for CONSTRUCT/DESCRIBE."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

RESULTS = "results"  # SELECT and ASK
GRAPH = "graph"  # CONSTRUCT and DESCRIBE


@dataclass(frozen=True)
class Format:
    """One serialization: its short name (for format=), media type, aliases and file extension."""

    key: str
    kind: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    accepted_types: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        """The W3C format IRI (http://www.w3.org/ns/formats/...), for service descriptions."""
        return "http://www.w3.org/ns/formats/" + _W3C_FORMAT_NAMES[self.key]

    @property
    def content_type(self) -> str:
        """The Content-Type header value (with charset for textual types)."""
        return self.media_type + "; charset=utf-8"

    def oxigraph(self) -> ox.QueryResultsFormat | ox.RdfFormat:
        """The pyoxigraph format object for this serialization."""
        return _OXIGRAPH[self.key]()

    def results_format(self) -> ox.QueryResultsFormat:
        """The pyoxigraph results format of a SELECT/ASK serialization (ValueError for an RDF syntax)."""
        fmt = self.oxigraph()
        if not isinstance(fmt, ox.QueryResultsFormat):
            raise ValueError(f"{self.key} is not a query results format")
        return fmt

    def rdf_format(self) -> ox.RdfFormat:
        """The pyoxigraph RDF format of a graph serialization (ValueError for a results format)."""
        fmt = self.oxigraph()
        if not isinstance(fmt, ox.RdfFormat):
            raise ValueError(f"{self.key} is not an RDF syntax")
        return fmt


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", RESULTS, "application/sparql-results+json", "srj", ("srj",), ("application/json",)),
    Format("xml", RESULTS, "application/sparql-results+xml", "srx", ("srx",), ("application/xml", "text/xml")),
    Format("csv", RESULTS, "text/csv", "csv"),
    Format("tsv", RESULTS, "text/tab-separated-values", "tsv"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", GRAPH, "text/turtle", "ttl", ("ttl",), ("application/x-turtle",)),
    Format("ntriples", GRAPH, "application/n-triples", "nt", ("nt", "n-triples"), ("text/plain",)),
    Format("rdfxml", GRAPH, "application/rdf+xml", "rdf", ("rdf", "rdf-xml", "xml"), ("application/xml", "text/xml")),
    Format("jsonld", GRAPH, "application/ld+json", "jsonld", ("json-ld", "json"), ("application/json",)),
)

_OXIGRAPH: dict[str, Callable[[], ox.QueryResultsFormat | ox.RdfFormat]] = {
    "json": lambda: ox.QueryResultsFormat.JSON,
    "xml": lambda: ox.QueryResultsFormat.XML,
    "csv": lambda: ox.QueryResultsFormat.CSV,
    "tsv": lambda: ox.QueryResultsFormat.TSV,
    "turtle": lambda: ox.RdfFormat.TURTLE,
    "ntriples": lambda: ox.RdfFormat.N_TRIPLES,
    "rdfxml": lambda: ox.RdfFormat.RDF_XML,
    "jsonld": lambda: ox.RdfFormat.JSON_LD,
}

_W3C_FORMAT_NAMES = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
}

BY_KEY: dict[str, Format] = {fmt.key: fmt for fmt in RESULT_FORMATS + GRAPH_FORMATS}


def formats_for(kind: str) -> tuple[Format, ...]:
    """The formats available for a query form kind (RESULTS or GRAPH)."""
    return RESULT_FORMATS if kind == RESULTS else GRAPH_FORMATS


def by_name(name: str, kind: str) -> Format | None:
    """The format of a kind named by a format= value: a short name, an alias or a media type."""
    wanted = name.strip().lower()
    for fmt in formats_for(kind):
        if wanted in (fmt.key, fmt.media_type, *fmt.aliases, *fmt.accepted_types):
            return fmt
    return None


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"  # written `a`
_PLAIN = "http://www.w3.org/2001/XMLSchema#string"  # written as a bare string
_CLEAN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


def used_prefixes(triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None) -> dict[str, str]:
    """The project's prefixes (policykg.iris.PREFIXES unless given) that make the triples' IRIs readable: those some
    IRI is written with (the longest namespace wins), leaving out rdf:type (written `a`) and any namespace under which
    some local name would need backslash escapes in Turtle (`pkd:meta-uk-2025-06-16\\/process\\/...`: such IRIs read
    better written out in full)."""
    from policykg.iris import PREFIXES

    table = PREFIXES if prefixes is None else prefixes
    by_length = sorted(table.items(), key=lambda item: -len(item[1]))
    seen: set[str] = set()
    used: set[str] = set()
    unclean: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            iri = term.value if isinstance(term, ox.NamedNode) else \
                term.datatype.value if isinstance(term, ox.Literal) and not term.language else None
            if iri is None or iri in seen or iri in (_RDF_TYPE, _PLAIN) and term is not triple.subject:
                continue
            seen.add(iri)
            found = next(((p, ns) for p, ns in by_length if iri.startswith(ns) and len(iri) > len(ns)), None)
            if found:
                (used if _CLEAN_LOCAL.fullmatch(iri[len(found[1]):]) else unclean).add(found[0])
    return {p: ns for p, ns in table.items() if p in used - unclean}


def rdf_with_prefixes(triples: list[ox.Triple], format_key: str, output) -> None:
    """Write triples in a graph format: Turtle with @prefix lines for the prefixes they use, others as they are."""
    prefixes = used_prefixes(triples) if format_key == "turtle" else None
    ox.serialize(triples, output, BY_KEY[format_key].rdf_format(), prefixes=prefixes)

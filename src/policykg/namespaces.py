"""IRIs and prefixes used across the project."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

PKO = Namespace("https://w3id.org/policykg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
DATA = Namespace("https://w3id.org/policykg/meta-uk-2025-06-16/")
DATASET_IRI = DATA["dataset"]
GRAPH = Namespace("https://w3id.org/policykg/graph/")

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
EU_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
LEGAL_GB = Namespace("https://w3id.org/dpv/legal/gb#")
TECH = Namespace("https://w3id.org/dpv/tech#")
OA = Namespace("http://www.w3.org/ns/oa#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

#: The DPV families: prefix -> (namespace, file in the DPV 2.3 folder).
DPV_FAMILIES: dict[str, tuple[Namespace, str]] = {
    "dpv": (DPV, "dpv.ttl"),
    "pd": (PD, "pd.ttl"),
    "eu-gdpr": (EU_GDPR, "eu-gdpr.ttl"),
    "legal-gb": (LEGAL_GB, "legal-gb.ttl"),
    "tech": (TECH, "tech.ttl"),
}

PREFIXES: dict[str, str] = {
    "pko": str(PKO),
    "meta": str(DATA),
    "dpv": str(DPV),
    "pd": str(PD),
    "eu-gdpr": str(EU_GDPR),
    "legal-gb": str(LEGAL_GB),
    "tech": str(TECH),
    "oa": str(OA),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "foaf": str(FOAF),
    "spdx": str(SPDX),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib Graph."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def compact_iri(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """An IRI as prefix:local with the longest fitting namespace (project prefixes by default), else the IRI."""
    table = PREFIXES if prefixes is None else prefixes
    best = max((ns for ns in table.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in table.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def sparql_prefixes() -> str:
    """PREFIX lines for every project prefix, for SPARQL text."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

"""IRIs and prefixes used across the project."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

SITE = Namespace("https://w3id.org/policykg/")
PKO = Namespace("https://w3id.org/policykg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
DATASET_IRI = SITE["dataset"]
GRAPH = Namespace("https://w3id.org/policykg/graph/")
#: Version-independent identities of processes ("the same processing" across versions of one jurisdiction).
LINEAGE = Namespace("https://w3id.org/policykg/lineage/")

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
EU_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
LEGAL_GB = Namespace("https://w3id.org/dpv/legal/gb#")
LEGAL_EU = Namespace("https://w3id.org/dpv/legal/eu#")
LEGAL_IE = Namespace("https://w3id.org/dpv/legal/ie#")
TECH = Namespace("https://w3id.org/dpv/tech#")
OA = Namespace("http://www.w3.org/ns/oa#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

#: The DPV families: prefix -> (namespace, file in the DPV 2.3 folder).
DPV_FAMILIES: dict[str, tuple[Namespace, str]] = {
    "dpv": (DPV, "dpv.ttl"),
    "pd": (PD, "pd.ttl"),
    "eu-gdpr": (EU_GDPR, "eu-gdpr.ttl"),
    "legal-gb": (LEGAL_GB, "legal-gb.ttl"),
    "legal-eu": (LEGAL_EU, "legal-eu.ttl"),
    "legal-ie": (LEGAL_IE, "legal-ie.ttl"),
    "tech": (TECH, "tech.ttl"),
}

PREFIXES: dict[str, str] = {
    "pko": str(PKO),
    "pkd": str(SITE),
    "dpv": str(DPV),
    "pd": str(PD),
    "eu-gdpr": str(EU_GDPR),
    "legal-gb": str(LEGAL_GB),
    "legal-eu": str(LEGAL_EU),
    "legal-ie": str(LEGAL_IE),
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


def version_namespace(name: str) -> Namespace:
    """The instance namespace of one encoded version (slash namespace)."""
    return Namespace(f"{SITE}{name}/")


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

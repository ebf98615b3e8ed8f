"""The project's IRI bases and prefixes as plain strings: the one place they are written.

Plain strings on purpose: query processes and the store import this module without rdflib
(`policykg.namespaces` builds rdflib Namespaces from it).
"""

from __future__ import annotations

SITE = "https://w3id.org/policykg/"
PKO = SITE + "ontology#"
ONTOLOGY_IRI = SITE + "ontology"
DATASET_IRI = SITE + "dataset"
SHAPES = SITE + "shapes#"
GRAPH_BASE = SITE + "graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
LINKS_GRAPH = GRAPH_BASE + "links"
DPV_GRAPH = GRAPH_BASE + "dpv"
CHANGES_GRAPH_PREFIX = GRAPH_BASE + "changes/"
#: Version-independent identities of processes ("the same processing" across versions of one jurisdiction).
LINEAGE = SITE + "lineage/"

DPV = "https://w3id.org/dpv#"
PD = "https://w3id.org/dpv/pd#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
LEGAL_GB = "https://w3id.org/dpv/legal/gb#"
LEGAL_EU = "https://w3id.org/dpv/legal/eu#"
LEGAL_IE = "https://w3id.org/dpv/legal/ie#"
TECH = "https://w3id.org/dpv/tech#"
OA = "http://www.w3.org/ns/oa#"
SPDX = "http://spdx.org/rdf/terms#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "pko": PKO, "pkd": SITE, "dpv": DPV, "pd": PD, "eu-gdpr": EU_GDPR, "legal-gb": LEGAL_GB, "legal-eu": LEGAL_EU,
    "legal-ie": LEGAL_IE, "tech": TECH, "oa": OA, "prov": PROV, "dct": DCT, "dcat": DCAT, "void": VOID, "foaf": FOAF,
    "spdx": SPDX, "skos": SKOS, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD,
}


def version_base(name: str) -> str:
    """The instance namespace of one encoded version (slash namespace)."""
    return f"{SITE}{name}/"


def version_graph(name: str) -> str:
    """The named graph of one encoded version."""
    return f"{GRAPH_BASE}{name}"


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

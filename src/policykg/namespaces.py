"""The project's IRIs as rdflib Namespaces (built from `policykg.iris`, where the strings are written once)."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Namespace, URIRef

from policykg import iris
from policykg.iris import PREFIXES


class _Terms(Namespace):
    """A Namespace that makes each term's URIRef once (rdflib checks and builds it on every attribute access)."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        return _term(str(self), name)

    def __getitem__(self, key: str) -> URIRef:  # type: ignore[override]
        return _term(str(self), key)


@lru_cache(maxsize=4096)
def _term(base: str, name: str) -> URIRef:
    return URIRef(base + name)


def cached_namespace(base: str) -> Namespace:
    """A caching namespace for the project's fixed vocabularies."""
    return _Terms(base)


SITE = Namespace(iris.SITE)
PKO = cached_namespace(iris.PKO)
ONTOLOGY_IRI = iris.ONTOLOGY_IRI
DATASET_IRI = SITE["dataset"]
GRAPH = Namespace(iris.GRAPH_BASE)
LINEAGE = Namespace(iris.LINEAGE)

DPV = cached_namespace(iris.DPV)
PD = cached_namespace(iris.PD)
EU_GDPR = cached_namespace(iris.EU_GDPR)
LEGAL_GB = cached_namespace(iris.LEGAL_GB)
LEGAL_EU = cached_namespace(iris.LEGAL_EU)
LEGAL_IE = cached_namespace(iris.LEGAL_IE)
TECH = cached_namespace(iris.TECH)
OA = cached_namespace(iris.OA)
SPDX = cached_namespace(iris.SPDX)

#: The W3C vocabularies the encoders write most, as caching namespaces (rdflib's own check every attribute access).
RDF = cached_namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = cached_namespace("http://www.w3.org/2000/01/rdf-schema#")
DCTERMS = cached_namespace("http://purl.org/dc/terms/")
PROV = cached_namespace("http://www.w3.org/ns/prov#")
XSD = cached_namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = cached_namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = cached_namespace("http://xmlns.com/foaf/0.1/")

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


def version_namespace(name: str) -> Namespace:
    """The instance namespace of one encoded version (slash namespace)."""
    return Namespace(iris.version_base(name))


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib Graph."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)

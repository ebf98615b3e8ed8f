"""The project's IRIs as rdflib Namespaces (built from `policykg.iris`, where the strings are written once)."""

from __future__ import annotations

from rdflib import Namespace

from policykg import iris
from policykg.iris import PREFIXES

SITE = Namespace(iris.SITE)
PKO = Namespace(iris.PKO)
ONTOLOGY_IRI = iris.ONTOLOGY_IRI
DATASET_IRI = SITE["dataset"]
GRAPH = Namespace(iris.GRAPH_BASE)
LINEAGE = Namespace(iris.LINEAGE)

DPV = Namespace(iris.DPV)
PD = Namespace(iris.PD)
EU_GDPR = Namespace(iris.EU_GDPR)
LEGAL_GB = Namespace(iris.LEGAL_GB)
LEGAL_EU = Namespace(iris.LEGAL_EU)
LEGAL_IE = Namespace(iris.LEGAL_IE)
TECH = Namespace(iris.TECH)
OA = Namespace(iris.OA)
SPDX = Namespace(iris.SPDX)

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

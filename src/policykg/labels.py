"""Labels people read: the ontology's and DPV's labels, GDPR articles as a lawyer writes them, CURIEs otherwise."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from policykg.iris import compact_iri
from policykg.namespaces import EU_GDPR

#: GDPR provisions this project uses, as people cite them (DPV's own labels read "Art 6(1-f) legitimate interest").
GDPR_LABELS: dict[str, str] = {
    "A6-1-a": "Art. 6(1)(a) consent",
    "A6-1-b": "Art. 6(1)(b) contract",
    "A6-1-c": "Art. 6(1)(c) legal obligation",
    "A6-1-d": "Art. 6(1)(d) vital interests",
    "A6-1-e": "Art. 6(1)(e) public interest",
    "A6-1-f": "Art. 6(1)(f) legitimate interests",
    "A9-2-a": "Art. 9(2)(a) explicit consent",
    "A7-3": "Art. 7(3) withdraw consent",
    "A13": "Art. 13 information (collected from the person)",
    "A14": "Art. 14 information (collected elsewhere)",
    "A15": "Art. 15 access",
    "A16": "Art. 16 rectification",
    "A17": "Art. 17 erasure",
    "A18": "Art. 18 restriction",
    "A20": "Art. 20 portability",
    "A21": "Art. 21 objection",
    "A22": "Art. 22 automated decisions",
    "A77": "Art. 77 complaint to an authority",
}


def gdpr_label(iri: str) -> str | None:
    """'Art. 6(1)(f) legitimate interests' for eu-gdpr:A6-1-f; None for other IRIs."""
    if not iri.startswith(str(EU_GDPR)):
        return None
    return GDPR_LABELS.get(iri[len(str(EU_GDPR)):])


class Labeller:
    """Finds a readable label for an IRI in the given graphs (rdfs:label, skos:prefLabel), else a CURIE."""

    def __init__(self, graphs: Iterable[Graph]) -> None:
        self._graphs = list(graphs)
        self._cache: dict[str, str] = {}

    def __call__(self, iri: object) -> str:
        """The label of iri (an IRI string or rdflib term; anything else is labelled by its str())."""
        key = str(iri)
        if key not in self._cache:
            self._cache[key] = self._find(key)
        return self._cache[key]

    def _find(self, iri: str) -> str:
        legal = gdpr_label(iri)
        if legal:
            return legal
        node = URIRef(iri)
        for graph in self._graphs:
            for predicate in (RDFS.label, SKOS.prefLabel):
                values = sorted(graph.objects(node, predicate), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
                if values:
                    return str(values[0])
        return compact_iri(iri)

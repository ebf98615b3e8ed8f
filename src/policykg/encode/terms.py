"""Check stage: resolve the sources' CURIEs to IRIs and check their spans, before any triple is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from policykg.errors import SourceError
from policykg.namespaces import DPV, DPV_FAMILIES, PKO
from policykg.sources.spans import Span, check_span, parse_span
from policykg.text.capture import PolicyText

#: The prefixes a curated source may use in a CURIE.
CURIE_PREFIXES: dict[str, str] = {"pko": str(PKO), **{p: str(ns) for p, (ns, _) in DPV_FAMILIES.items()}}


def local_terms(ontology: Graph) -> frozenset[str]:
    """The IRIs the project's ontology defines (every pko: subject with a label)."""
    return frozenset(str(s) for s in ontology.subjects(RDFS.label, None)
                     if isinstance(s, URIRef) and str(s).startswith(str(PKO)))


@dataclass
class Resolver:
    """Turns CURIEs into checked IRIs and span values into checked spans, for one source file at a time."""

    ontology: Graph
    text: PolicyText | None
    dpv_terms: frozenset[str] | None
    ontology_path: Path
    spans: dict[tuple[int, int], Span] = field(default_factory=dict)
    _local: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._local = local_terms(self.ontology)

    def term(self, curie: str, *, file: Path, line: int, kind: str = "term") -> URIRef:
        """The IRI of a CURIE such as `dpv:Collect`, checked to exist in the ontology or DPV 2.3."""
        prefix, _, local = curie.partition(":")
        if prefix not in CURIE_PREFIXES or not local:
            raise SourceError(f"unknown prefix {prefix!r} in {curie!r} (known: {', '.join(CURIE_PREFIXES)})",
                              path=file, line=line)
        iri = URIRef(CURIE_PREFIXES[prefix] + local)
        if prefix == "pko":
            if str(iri) not in self._local:
                raise SourceError(f"unknown {kind} {curie}: not defined in {self.ontology_path.name}", path=file, line=line)
        elif self.dpv_terms is not None and str(iri) not in self.dpv_terms:
            raise SourceError(f"unknown {kind} {curie}: not in DPV 2.3", path=file, line=line)
        return iri

    def span(self, value: object, *, file: Path, line: int) -> Span:
        """A span value checked for shape and, when the text is at hand, against the text; recorded for the build."""
        span = parse_span(value, file=file, line=line)
        if self.text is not None:
            check_span(span, self.text)
        self.spans.setdefault((span.start, span.end), span)
        return span

    def personal_data_item(self, curie: str, *, file: Path, line: int) -> URIRef:
        """An information item: a term the ontology types as dpv:PersonalData."""
        from rdflib.namespace import RDF

        item = self.term(curie, file=file, line=line, kind="information item")
        if (item, RDF.type, DPV.PersonalData) not in self.ontology:
            raise SourceError(f"{curie} is not an information item (dpv:PersonalData) in the ontology", path=file, line=line)
        return item

    def category(self, curie: str, *, file: Path, line: int) -> URIRef:
        """One of the notice's top-level information categories."""
        under = self.term(curie, file=file, line=line, kind="information category")
        if (under, SKOS.topConceptOf, PKO.InformationScheme) not in self.ontology:
            raise SourceError(f"{curie} is not one of the policy's information categories", path=file, line=line)
        return under

"""Where one version's triples go while it is encoded: its triple set, namespace and term resolver."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, Namespace, URIRef

from policykg.encode.terms import Resolver
from policykg.namespaces import PROV
from policykg.sources.versions import Version

EN = "en"


@lru_cache(maxsize=65536)
def _english(value: str) -> Literal:
    """One Literal per English text (labels and descriptions repeat across versions)."""
    return Literal(value, lang=EN)


@dataclass
class Target:
    """Where one version's triples go: a plain set (an rdflib Graph is made from it only when one is needed), its
    namespace and resolver, and the files being read."""

    triples: set[tuple[URIRef, URIRef, URIRef | Literal]]
    ns: Namespace
    resolver: Resolver
    version: Version
    notice_path: Path
    processes_path: Path

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        """Add one triple."""
        self.triples.add((s, p, o))

    def text(self, value: str) -> Literal:
        """An English literal."""
        return _english(value)

    def span(self, value: object, *, file: Path, line: int) -> URIRef:
        """Check a span and return its IRI in this version."""
        return self.ns[f"span/{self.resolver.span(value, file=file, line=line).slug}"]

    def derive(self, subject: URIRef, spans: list[URIRef]) -> None:
        """subject prov:wasDerivedFrom each span."""
        for span in spans:
            self.add(subject, PROV.wasDerivedFrom, span)

"""Build stage: turn one version's checked sources into its data graph (rdflib).

`compile_version` runs the notice and the processes writers over models already checked against the schema
(`schema.py`); terms and spans are checked as they are resolved (`terms.Resolver`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from .errors import SourceError
from .namespaces import DPV_FAMILIES, bind_prefixes, version_namespace
from .schema import NoticeFile, Process
from .sources import PolicyText
from .terms import Resolver
from .versions import Version

EN = "en"


@dataclass
class Target:
    """Where one version's triples go: its graph, namespace and resolver, and the files being read."""

    graph: Graph
    ns: Namespace
    resolver: Resolver
    version: Version
    notice_path: Path
    processes_path: Path

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        """Add one triple."""
        self.graph.add((s, p, o))

    def text(self, value: str) -> Literal:
        """An English literal."""
        return Literal(value, lang=EN)

    def span(self, value: object, *, file: Path, line: int) -> URIRef:
        """Check a span and return its IRI in this version."""
        return self.ns[f"span/{self.resolver.span(value, file=file, line=line).slug}"]

    def derive(self, subject: URIRef, spans: list[URIRef]) -> None:
        """subject prov:wasDerivedFrom each span."""
        for span in spans:
            self.add(subject, PROV.wasDerivedFrom, span)


@dataclass(frozen=True)
class VersionSources:
    """One version's checked sources."""

    version: Version
    notice: NoticeFile
    processes: list[Process]
    notice_path: Path
    processes_path: Path


def compile_version(sources: VersionSources, ontology: Graph, ontology_path: Path, text: PolicyText | None,
                    dpv_terms: frozenset[str] | None) -> Graph:
    """Compile one version's notice.yaml and processes.yaml into its data graph; SourceError on any defect."""
    from .compile_notice import write_notice, write_spans
    from .compile_processes import write_processes

    graph = Graph()
    bind_prefixes(graph)
    target = Target(graph, version_namespace(sources.version.name),
                    Resolver(ontology, text, dpv_terms, ontology_path), sources.version,
                    sources.notice_path, sources.processes_path)
    written = write_notice(target, sources.notice)
    write_processes(target, sources.processes, written)
    write_spans(target, written.sections)
    return graph


def check_dpv_iris(graph: Graph, dpv_terms: frozenset[str] | None, path: Path) -> None:
    """Every IRI in a DPV namespace must be a DPV 2.3 term."""
    if dpv_terms is None:
        return
    namespaces = tuple(str(ns) for ns, _ in DPV_FAMILIES.values())
    for node in graph.all_nodes():
        if isinstance(node, URIRef) and str(node).startswith(namespaces) and str(node) not in dpv_terms:
            raise SourceError(f"{node} is not a DPV 2.3 term", path=path)

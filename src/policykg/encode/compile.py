"""Build stage: turn one version's checked sources into its data graph (rdflib).

`compile_version` runs the notice and the processes writers over models already checked against the schema
(`schema.py`); terms and spans are checked as they are resolved (`terms.Resolver`).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from policykg.encode.notice import write_notice, write_spans
from policykg.encode.processes import write_processes
from policykg.encode.target import Target
from policykg.encode.terms import Resolver
from policykg.errors import SourceError
from policykg.namespaces import DPV_FAMILIES, bind_prefixes, version_namespace
from policykg.sources.load import VersionSources
from policykg.text.capture import PolicyText

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def compile_triples(sources: VersionSources, ontology: Graph, ontology_path: Path, text: PolicyText | None,
                    dpv_terms: frozenset[str] | None) -> frozenset[Triple]:
    """Compile one version's notice.yaml and processes.yaml into its data, as a set of triples; SourceError on any
    defect. (The build writes dumps from the set; an rdflib Graph is made only where one is asked for.)"""
    target = Target(set(), version_namespace(sources.version.name),
                    Resolver(ontology, text, dpv_terms, ontology_path), sources.version,
                    sources.notice_path, sources.processes_path)
    written = write_notice(target, sources.notice)
    write_processes(target, sources.processes, written)
    write_spans(target, written.sections)
    return frozenset(target.triples)


def graph_of(triples: frozenset[Triple]) -> Graph:
    """An rdflib Graph of a version's triples, with the project's prefixes bound."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in triples:
        graph.add(triple)
    return graph


def compile_version(sources: VersionSources, ontology: Graph, ontology_path: Path, text: PolicyText | None,
                    dpv_terms: frozenset[str] | None) -> Graph:
    """Compile one version's notice.yaml and processes.yaml into its data graph; SourceError on any defect."""
    return graph_of(compile_triples(sources, ontology, ontology_path, text, dpv_terms))


def check_dpv_iris(graph: Graph, dpv_terms: frozenset[str] | None, path: Path) -> None:
    """Every IRI in a DPV namespace must be a DPV 2.3 term."""
    if dpv_terms is None:
        return
    namespaces = tuple(str(ns) for ns, _ in DPV_FAMILIES.values())
    for node in graph.all_nodes():
        if isinstance(node, URIRef) and str(node).startswith(namespaces) and str(node) not in dpv_terms:
            raise SourceError(f"{node} is not a DPV 2.3 term", path=path)

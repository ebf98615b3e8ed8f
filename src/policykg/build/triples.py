"""Each version's data as the compile makes it, a set of triples, and the two views the build needs of it: an rdflib
Graph, made only when someone asks for one (validation, the tests, a notebook), and a small index for the
processing matrix. Writing the dumps needs neither, which keeps the build of every version within its time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rdflib import Graph, Literal, URIRef

from policykg.encode.compile import Triple, graph_of


class VersionGraphs(Mapping[str, Graph]):
    """version name -> its data graph, each made from its triples on first use (and assignable, for stand-ins)."""

    def __init__(self, triples: dict[str, frozenset[Triple]]) -> None:
        self.triples = triples
        self._graphs: dict[str, Graph] = {}

    def __getitem__(self, name: str) -> Graph:
        if name not in self._graphs:
            self._graphs[name] = graph_of(self.triples[name])
        return self._graphs[name]

    def __setitem__(self, name: str, graph: Graph) -> None:
        self._graphs[name] = graph
        self.triples[name] = frozenset(graph)  # type: ignore[arg-type]

    def current(self, name: str) -> Graph | frozenset[Triple]:
        """The version's data as it now is: its graph if one was made (and perhaps changed since), else its triples."""
        return self._graphs.get(name) or self.triples[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.triples)

    def __contains__(self, name: object) -> bool:  # without making the graph (Mapping's own would)
        return name in self.triples

    def __len__(self) -> int:
        return len(self.triples)


def _key(a: str, b: str) -> str:
    """A plain-string key for two IRIs (rdflib hashes its terms in Python; plain strings hash in C)."""
    return str.__add__(a, str.__add__("\n", b))


class TripleIndex:
    """The lookups the processing matrix makes (objects, value, subjects), over a set of triples."""

    def __init__(self, triples: Iterable) -> None:
        self._sp: dict[str, list] = defaultdict(list)
        self._po: dict[str, list] = defaultdict(list)
        for s, p, o in triples:
            self._sp[_key(s, p)].append(o)
            if type(o) is URIRef or (type(o) is not Literal and isinstance(o, URIRef)):  # subjects() looks up IRIs
                self._po[_key(p, o)].append(s)

    def objects(self, subject: str, predicate: str) -> Iterator:
        """Every object of (subject, predicate)."""
        return iter(self._sp.get(_key(subject, predicate), ()))

    def value(self, subject: str, predicate: str) -> Any:
        """One object of (subject, predicate), or None."""
        found = self._sp.get(_key(subject, predicate))
        return found[0] if found else None

    def subjects(self, predicate: str, obj: URIRef) -> Iterator:
        """Every subject of (predicate, an IRI object)."""
        return iter(self._po.get(_key(predicate, obj), ()))

    def __contains__(self, triple: Triple) -> bool:
        return triple[2] in self._sp.get(_key(triple[0], triple[1]), ())

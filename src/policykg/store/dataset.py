"""The embedded triple store: the build's dataset (every named graph) and DPV loaded into a pyoxigraph Store.

Query workers import this module: it must not import rdflib (kept to pyoxigraph and the standard library).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.config import DPV_FILES
from policykg.digest import sha256_bytes, sha256_file
from policykg.errors import MissingResourceError
from policykg.iris import DPV_GRAPH

#: The build files the store is loaded from (the same names as policykg.build.dumps.DATASET_FILE / MANIFEST_FILE).
DATASET_FILE = "policykg.nq"
MANIFEST_FILE = "dataset.json"
#: The DPV 2.3 Turtle files loaded into the dpv graph: the pinned release's files.
DPV_TURTLE_FILES: tuple[str, ...] = tuple(DPV_FILES)


@dataclass(frozen=True)
class Manifest:
    """What a build's dataset holds: its versions, comparisons and graphs (from dataset.json)."""

    primary: str
    versions: tuple[dict[str, Any], ...]
    changes: tuple[dict[str, Any], ...]
    ontology_graph: str
    links_graph: str
    files: dict[str, str]

    def version(self, name: str) -> dict[str, Any] | None:
        """One version's entry, or None."""
        return next((v for v in self.versions if v["name"] == name), None)

    @property
    def graphs(self) -> list[str]:
        """Every named graph of the build (not DPV)."""
        return [self.ontology_graph, *(v["graph"] for v in self.versions), self.links_graph,
                *(c["graph"] for c in self.changes)]

    def default_graphs(self, version: str | None = None, *, dpv: bool = True) -> list[str]:
        """The default graph of a version's dataset (the primary version unless named): ontology, that version's
        data, the links, the changes, and DPV; every other version stays reachable by GRAPH."""
        entry = self.version(version or self.primary)
        if entry is None:
            raise KeyError(version)
        return [self.ontology_graph, entry["graph"], self.links_graph, *(c["graph"] for c in self.changes),
                *([DPV_GRAPH] if dpv else [])]


def read_manifest(build_dir: Path) -> Manifest:
    """Read dataset.json from a build folder."""
    path = Path(build_dir) / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MissingResourceError(f"cannot read the build's manifest ({exc.strerror}); run `policykg build` first",
                                   path=path) from exc
    except ValueError as exc:
        raise MissingResourceError(f"not a valid dataset manifest: {exc}", path=path) from exc
    return Manifest(data["primary"], tuple(data["versions"]), tuple(data["changes"]), data["ontology_graph"],
                    data["links_graph"], data["files"])


@dataclass(frozen=True)
class DatasetFiles:
    """The files a store is loaded from, checked to exist."""

    build_dir: Path
    dpv_dir: Path | None
    dataset: Path
    manifest: Path
    dpv_files: tuple[Path, ...] = ()

    @property
    def all(self) -> list[Path]:
        """Every file the store is loaded from."""
        return [self.dataset, self.manifest, *self.dpv_files]


def locate_dataset_files(build_dir: Path, dpv_dir: Path | None) -> DatasetFiles:
    """Check that the build's dataset (and the DPV files, if a DPV folder is given) exist."""
    build_dir = Path(build_dir)
    missing = [name for name in (DATASET_FILE, MANIFEST_FILE) if not (build_dir / name).is_file()]
    if missing:
        raise MissingResourceError(
            f"the build folder lacks {', '.join(missing)}; run `policykg build --out {build_dir}` first",
            path=build_dir,
        )
    dpv_files: tuple[Path, ...] = ()
    if dpv_dir is not None:
        dpv_dir = Path(dpv_dir)
        absent = [name for name in DPV_TURTLE_FILES if not (dpv_dir / name).is_file()]
        if absent:
            raise MissingResourceError(f"the DPV folder lacks {', '.join(absent)}", path=dpv_dir)
        dpv_files = tuple(dpv_dir / name for name in DPV_TURTLE_FILES)
    return DatasetFiles(build_dir, dpv_dir, build_dir / DATASET_FILE, build_dir / MANIFEST_FILE, dpv_files)


def load_store(build_dir: Path, dpv_dir: Path | None, *, primary_default: bool = False) -> ox.Store:
    """An in-memory store with every named graph of the build and (if given) DPV in its own graph.

    With primary_default, the store's own default graph also holds a copy of the primary version's dataset (what
    the endpoint's /sparql answers over), which pyoxigraph queries several times faster than the same graphs named
    one by one; such a store must then never be queried with the union default graph, which would count the copy
    too (the endpoint names every graph instead)."""
    store = ox.Store()
    fill_store(store, build_dir, dpv_dir, primary_default=primary_default)
    return store


def fill_store(store: ox.Store, build_dir: Path, dpv_dir: Path | None, *, primary_default: bool = False) -> None:
    """Load what load_store() describes into an empty store (in memory or on disk: policykg.store.disk)."""
    files = locate_dataset_files(build_dir, dpv_dir)
    _load(store, files.dataset, ox.RdfFormat.N_QUADS, None)
    for path in files.dpv_files:
        _load(store, path, ox.RdfFormat.TURTLE, DPV_GRAPH)
    if not primary_default:
        return
    default = ox.DefaultGraph()
    for graph in read_manifest(build_dir).default_graphs():
        store.extend([ox.Quad(q.subject, q.predicate, q.object, default)
                      for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))])


def _load(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: str | None) -> None:
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph) if graph else None)
    except SyntaxError as exc:
        raise MissingResourceError(f"cannot parse: {exc}", path=path) from exc


def dataset_version(build_dir: Path, dpv_dir: Path | None) -> str:
    """A short fingerprint of the loaded content (dataset + manifest + DPV files), used for ETags and cache keys."""
    files = locate_dataset_files(build_dir, dpv_dir).all
    return sha256_bytes("\0".join(f"{path.name}\0{sha256_file(path)}" for path in files).encode())[:20]


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Number of triples in each named graph of the store."""
    sizes: dict[str, int] = {}
    for graph in store.named_graphs():
        sizes[graph.value] = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    return sizes


def query(
    store: ox.Store,
    sparql: str,
    *,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
    base_iri: str | None = None,
    union_default_graph: bool = True,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run a SPARQL query; the default graph is the union of all graphs unless a dataset is named.

    Pass union_default_graph=False for a query with its own FROM / FROM NAMED clauses (pyoxigraph's union
    option would override them).
    """
    if default_graph_uris or named_graph_uris:
        return store.query(
            sparql,
            base_iri=base_iri,
            default_graph=list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph](_nodes(default_graph_uris)),
            named_graphs=list[ox.NamedNode | ox.BlankNode](_nodes(named_graph_uris)) if named_graph_uris else None,
        )
    return store.query(sparql, base_iri=base_iri, use_default_graph_as_union=union_default_graph)


def _nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(iri) for iri in iris]


def select(store: ox.Store, sparql: str, default_graph_uris: Sequence[str] = ()) -> list[dict[str, str]]:
    """Run a SELECT (over the union graph unless a default graph is named) and return {variable: lexical value} rows."""
    result = query(store, sparql, default_graph_uris=default_graph_uris)
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("select() needs a SELECT query")
    names = [var.value for var in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]


def ask(store: ox.Store, sparql: str) -> bool:
    """Run an ASK over the union graph."""
    result = query(store, sparql)
    if not isinstance(result, ox.QueryBoolean):
        raise ValueError("ask() needs an ASK query")
    return bool(result)


def recorded_sha256s(build_dir: Path) -> dict[str, str]:
    """Version name -> sha256 of the text its spans point into, as the build recorded them."""
    try:
        return {v["name"]: v["sha256"] for v in read_manifest(build_dir).versions}
    except MissingResourceError:
        return {}

"""The embedded triple store: the build's dumps and DPV loaded into named graphs of a pyoxigraph Store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import MissingResourceError

# The same IRIs as policykg.namespaces.GRAPH (kept as strings: query workers must not import rdflib).
GRAPH_BASE = "https://w3id.org/policykg/graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
DATA_GRAPH = GRAPH_BASE + "data"
DPV_GRAPH = GRAPH_BASE + "dpv"

#: Build dump -> named graph it is loaded into.
BUILD_GRAPHS: dict[str, str] = {"ontology.nt": ONTOLOGY_GRAPH, "data.nt": DATA_GRAPH}
#: The DPV 2.3 Turtle files loaded into the dpv graph (the same names as policykg.config.DPV_FILES).
DPV_TURTLE_FILES: tuple[str, ...] = ("dpv.ttl", "pd.ttl", "eu-gdpr.ttl", "legal-gb.ttl", "tech.ttl")


@dataclass(frozen=True)
class DatasetFiles:
    """The files a store is loaded from, checked to exist."""

    build_dir: Path
    dpv_dir: Path | None
    build_files: dict[str, Path] = field(default_factory=dict)
    dpv_files: tuple[Path, ...] = ()


def locate_dataset_files(build_dir: Path, dpv_dir: Path | None) -> DatasetFiles:
    """Check that the build dumps (and the DPV files, if a DPV folder is given) exist."""
    build_dir = Path(build_dir)
    missing = [name for name in BUILD_GRAPHS if not (build_dir / name).is_file()]
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
    return DatasetFiles(build_dir, dpv_dir, {name: build_dir / name for name in BUILD_GRAPHS}, dpv_files)


def load_store(build_dir: Path, dpv_dir: Path | None) -> ox.Store:
    """An in-memory store with ontology.nt, data.nt and (if given) DPV, each in its own named graph."""
    files = locate_dataset_files(build_dir, dpv_dir)
    store = ox.Store()
    for name, path in files.build_files.items():
        _load(store, path, ox.RdfFormat.N_TRIPLES, BUILD_GRAPHS[name])
    for path in files.dpv_files:
        _load(store, path, ox.RdfFormat.TURTLE, DPV_GRAPH)
    return store


def _load(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: str) -> None:
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))
    except SyntaxError as exc:
        raise MissingResourceError(f"cannot parse: {exc}", path=path) from exc


def dataset_version(build_dir: Path, dpv_dir: Path | None) -> str:
    """A short fingerprint of the loaded content (build dumps + DPV files), used for ETags and cache keys."""
    files = locate_dataset_files(build_dir, dpv_dir)
    digest = hashlib.sha256()
    for path in [*files.build_files.values(), *files.dpv_files]:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:20]


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
    """Run a SPARQL query; the default graph is the union of all graphs unless the protocol names a dataset.

    Pass union_default_graph=False for a query with its own FROM / FROM NAMED clauses (pyoxigraph's union
    option would override them).
    """
    if default_graph_uris or named_graph_uris:
        return store.query(
            sparql,
            base_iri=base_iri,
            default_graph=[ox.NamedNode(iri) for iri in default_graph_uris],
            named_graphs=[ox.NamedNode(iri) for iri in named_graph_uris],
        )
    return store.query(sparql, base_iri=base_iri, use_default_graph_as_union=union_default_graph)


def select(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    """Run a SELECT over the union graph and return rows as {variable: lexical value}."""
    result = query(store, sparql)
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


SOURCE_CHECKSUM = "https://w3id.org/policykg/meta-uk-2025-06-16/source/policy-text/sha256"
CHECKSUM_VALUE = "http://spdx.org/rdf/terms#checksumValue"


def recorded_source_sha256(build_dir: Path) -> str | None:
    """The sha256 of the policy text that the build's spans point into, as recorded in data.nt (None if absent)."""
    path = build_dir / "data.nt"
    if not path.is_file():
        return None
    prefix = f"<{SOURCE_CHECKSUM}> <{CHECKSUM_VALUE}> \""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(prefix):
                return line[len(prefix):].split('"', 1)[0]
    return None

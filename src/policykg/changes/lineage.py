"""Build stage, across versions: the same processing in consecutive versions (prov:wasRevisionOf, one lineage)
and its counterparts in the other jurisdictions (pko:hasCounterpart).

Within a jurisdiction (uk, eu, global) a process keeps its `id` from version to version (`policykg ingest` reuses
the id of the row it matches, and a person confirms it), so two versions' processes with the same id are the same
processing, however its title was reworded. `data/links.yaml` holds what ids cannot say: a process renamed between
versions, the counterparts across jurisdictions, and which versions of different jurisdictions are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from policykg.errors import SourceError
from policykg.namespaces import LINEAGE, PKO, bind_prefixes, version_namespace
from policykg.sources.load import VersionSources
from policykg.sources.versions import Registry, Version

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.sources.schema_versions import LinksFile

LINKS_FILE = "links.yaml"


@dataclass(frozen=True)
class Pair:
    """Two processes that are the same processing: in consecutive versions, or counterparts across jurisdictions."""

    old_version: str
    old_id: str
    new_version: str
    new_id: str
    reason: str


def process_iri(version: str, process_id: str) -> URIRef:
    """The IRI of a process in a version."""
    return version_namespace(version)[f"process/{process_id}"]


def lineage_iri(jurisdiction: str, process_id: str) -> URIRef:
    """The version-independent identity of a process within a jurisdiction."""
    return LINEAGE[f"{jurisdiction}/{process_id}"]


def notice_lineage_iri(jurisdiction: str) -> URIRef:
    """The version-independent identity of a jurisdiction's notice."""
    return LINEAGE[f"{jurisdiction}/notice"]


#: How a jurisdiction is named in labels.
JURISDICTION_NAMES = {"uk": "UK", "eu": "EU", "global": "global"}


def read_links(registry: Registry) -> LinksFile | None:
    """data/links.yaml beside the registry, checked against its schema (None when there is none)."""
    from policykg.sources.schema import validate_yaml
    from policykg.sources.schema_versions import LinksFile

    path = registry.path.parent / LINKS_FILE
    return validate_yaml(path, LinksFile) if path.is_file() else None


def read_overrides(registry: Registry) -> tuple[list[Pair], list[Pair]]:
    """The revision and counterpart pairs stated in data/links.yaml (checked against its schema)."""
    model = read_links(registry)
    if model is None:
        return [], []
    path = registry.path.parent / LINKS_FILE
    return ([_pair(registry, path, x.line, x.old, x.new, x.reason) for x in model.revisions],
            [_pair(registry, path, x.line, x.old, x.new, x.reason) for x in model.counterparts])


def stated_comparisons(registry: Registry) -> list[tuple[Version, Version, str]] | None:
    """The comparisons across jurisdictions data/links.yaml states (old, new, reason); None when it states none."""
    model = read_links(registry)
    if model is None or model.comparisons is None:
        return None
    path = registry.path.parent / LINKS_FILE
    out = []
    for entry in model.comparisons:
        old, new = registry.get(entry.old), registry.get(entry.new)
        if old.jurisdiction == new.jurisdiction:
            raise SourceError(f"comparison {entry.old} -> {entry.new}: consecutive versions of one jurisdiction are "
                              "compared anyway; list only comparisons across jurisdictions", path=path, line=entry.line)
        out.append((old, new, entry.reason))
    return out


def _pair(registry: Registry, path: Path, line: int, old: str, new: str, reason: str) -> Pair:
    def split(ref: str) -> tuple[str, str]:
        version, _, pid = ref.partition("/")
        if not pid:
            raise SourceError(f"expected <version>/<process id>, got {ref!r}", path=path, line=line)
        registry.get(version)
        return version, pid

    (ov, oid), (nv, nid) = split(old), split(new)
    return Pair(ov, oid, nv, nid, reason)


def revision_pairs(registry: Registry, sources: dict[str, VersionSources], overrides: list[Pair]) -> list[Pair]:
    """Same-id processes of consecutive versions of a jurisdiction, plus the stated renames."""
    pairs: list[Pair] = []
    for version in registry.versions:
        previous = registry.previous(version)
        if previous is None or version.name not in sources or previous.name not in sources:
            continue
        old_ids = {p.id for p in sources[previous.name].processes}
        new_ids = {p.id for p in sources[version.name].processes}
        stated = [p for p in overrides if p.old_version == previous.name and p.new_version == version.name]
        renamed_new = {p.new_id for p in stated}
        pairs += [Pair(previous.name, i, version.name, i, "same id") for i in sorted(old_ids & new_ids - renamed_new)]
        for pair in stated:
            _check_exists(sources, pair)
            pairs.append(pair)
    return pairs


def _check_exists(sources: dict[str, VersionSources], pair: Pair) -> None:
    for version, pid in ((pair.old_version, pair.old_id), (pair.new_version, pair.new_id)):
        if version in sources and pid not in {p.id for p in sources[version].processes}:
            raise SourceError(f"{LINKS_FILE}: no process {pid!r} in {version}", path=sources[version].processes_path)


def link_versions(registry: Registry, sources: dict[str, VersionSources], ontology: Graph) -> Graph:
    """The links graph: revisions, lineages (labelled by their newest version) and counterparts."""
    revisions, counterparts = read_overrides(registry)
    g = Graph()
    bind_prefixes(g)
    lineage_of: dict[tuple[str, str], URIRef] = {}
    pairs = revision_pairs(registry, sources, revisions)
    revised_from = {(p.new_version, p.new_id): p for p in pairs}
    for version in registry.versions:
        if version.name not in sources:
            continue
        _link_notice(g, registry, version, sources)
        for proc in sources[version.name].processes:
            earlier = revised_from.get((version.name, proc.id))
            key = (version.name, proc.id)
            lineage = lineage_of[(earlier.old_version, earlier.old_id)] if earlier else lineage_iri(version.jurisdiction, proc.id)
            lineage_of[key] = lineage
            iri = process_iri(version.name, proc.id)
            g.add((iri, DCTERMS.isVersionOf, lineage))
            g.add((lineage, RDF.type, PKO.ProcessLineage))
            g.add((lineage, DCTERMS.hasVersion, iri))
            who = _label(ontology, proc.audience) if proc.audience else "no audience stated"
            g.set((lineage, RDFS.label, Literal(f"{proc.title} · {who}", lang="en")))
            if earlier:
                old = process_iri(earlier.old_version, earlier.old_id)
                g.add((iri, PROV.wasRevisionOf, old))
                g.add((old, PKO.revisedAs, iri))
    for pair in counterparts:
        _check_exists(sources, pair)
        a, b = process_iri(pair.old_version, pair.old_id), process_iri(pair.new_version, pair.new_id)
        g.add((a, PKO.hasCounterpart, b))
        g.add((b, PKO.hasCounterpart, a))
    return g


def _label(ontology: Graph, curie: str) -> str:
    """The ontology's label of a pko: term given as a CURIE (the CURIE itself if it has none)."""
    prefix, _, local = curie.partition(":")
    value = ontology.value(PKO[local], RDFS.label) if prefix == "pko" else None
    return str(value) if value is not None else curie


def _link_notice(g: Graph, registry: Registry, version: Version, sources: dict[str, VersionSources]) -> None:
    notice = version_namespace(version.name)["notice"]
    lineage = notice_lineage_iri(version.jurisdiction)
    g.add((notice, DCTERMS.isVersionOf, lineage))
    g.add((lineage, RDF.type, PKO.NoticeLineage))
    g.add((lineage, DCTERMS.hasVersion, notice))
    name = JURISDICTION_NAMES.get(version.jurisdiction, version.jurisdiction)
    g.add((lineage, RDFS.label, Literal(f"Meta Privacy Policy ({name}), every version", lang="en")))
    previous = registry.previous(version)
    if previous is not None and previous.name in sources:
        old = version_namespace(previous.name)["notice"]
        g.add((notice, PROV.wasRevisionOf, old))
        g.add((old, PKO.revisedAs, notice))

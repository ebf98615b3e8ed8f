"""The build pipeline: load -> check -> compile every version -> link -> compare -> serialise, written atomically."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from policykg.build.triples import VersionGraphs
from policykg.config import dpv_missing_message, locate_dpv_dir
from policykg.config import ontology_path as default_ontology_path
from policykg.encode.compile import Triple, check_dpv_iris, compile_triples
from policykg.errors import MissingResourceError
from policykg.sources.dpv import dpv_term_index
from policykg.sources.load import VersionSources, load_version_sources
from policykg.sources.rdf_files import parse_rdf_file
from policykg.sources.versions import Registry, load_registry, read_version_text, text_missing_message
from policykg.text.capture import PolicyText

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.changes.diff import Diff
    from policykg.changes.graph import Comparison


@dataclass
class BuildReport:
    """What a build wrote and what it could not check."""

    out_dir: Path
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Compiled:
    """The graphs a build produces: the ontology, one data graph per version, the links and the changes."""

    registry: Registry
    ontology: Graph
    versions: VersionGraphs
    sources: dict[str, VersionSources]
    texts: dict[str, PolicyText]
    links: Graph
    diffs: dict[str, tuple[Comparison, Diff]]
    warnings: list[str]

    @cached_property
    def changes(self) -> VersionGraphs:
        """One change graph per comparison (made from its triples on first use)."""
        from policykg.changes.graph import change_triples

        return VersionGraphs({name: change_triples(c, d) for name, (c, d) in self.diffs.items()})

    def version_data(self, name: str) -> Graph:
        """The data graph of one version."""
        return self.versions[name]

    def version_triples(self, name: str) -> Graph | frozenset[Triple]:
        """One version's data as the dumps are written from it: its set of triples (or its graph, if one was made)."""
        return self.versions.current(name)

    @property
    def data(self) -> Graph:
        """Every version's data, the links and the changes as one graph (instance IRIs never collide)."""
        union = Graph()
        for name in self.versions:
            for triple in self.versions.current(name):
                union.add(triple)
        for node in self.links:
            union.add(node)
        for name in self.changes:
            for node in self.changes.current(name):
                union.add(node)
        return union


def compile_graphs(
    dpv_dir: Path | str | None = None,
    texts_dir: Path | str | None = None,
    *,
    data_root: Path | None = None,
    ontology_path: Path | None = None,
    versions: Sequence[str] | None = None,
    strict: bool = False,
) -> Compiled:
    """Load and compile every version (or the named ones); check spans and DPV terms where texts and DPV are found."""
    from policykg.changes.graph import compare_all
    from policykg.changes.lineage import link_versions
    from policykg.sources.load import CURATION_FILE

    registry = load_registry(data_root)
    chosen = [registry.get(name) for name in versions] if versions else list(registry.versions)
    drafts = [v for v in chosen if (v.data_dir / CURATION_FILE).exists()]
    if drafts and not versions:
        chosen = [v for v in chosen if v not in drafts]
        warnings_drafts = [f"{v.name} is still a draft ({v.data_dir.name}/{CURATION_FILE} lists what to curate): "
                           "not built" for v in drafts]
    else:
        warnings_drafts = []
    onto_path = ontology_path or default_ontology_path()
    ontology = parse_rdf_file(onto_path)
    warnings: list[str] = list(warnings_drafts)
    dpv_found = locate_dpv_dir(dpv_dir)
    if dpv_found.path is None:
        if strict or dpv_dir:
            raise MissingResourceError(dpv_missing_message(dpv_found))
        warnings.append(f"{dpv_missing_message(dpv_found)} Built anyway: DPV terms were not checked.")
    dpv_terms = dpv_term_index(dpv_found.path) if dpv_found.path else None
    check_dpv_iris(ontology, dpv_terms, onto_path)
    graphs: dict[str, frozenset[Triple]] = {}
    sources: dict[str, VersionSources] = {}
    texts: dict[str, PolicyText] = {}
    for version in chosen:
        text = read_version_text(version, texts_dir)
        if text is None:
            if strict or texts_dir:
                raise MissingResourceError(text_missing_message(version, texts_dir))
            warnings.append(f"{text_missing_message(version, texts_dir)} Built anyway: its spans were not checked.")
        else:
            texts[version.name] = text
        sources[version.name] = load_version_sources(version)
        graphs[version.name] = compile_triples(sources[version.name], ontology, onto_path, text, dpv_terms)
    links = link_versions(registry, sources, ontology)
    diffs = compare_all(registry, sources, texts, ontology)
    return Compiled(registry, ontology, VersionGraphs(graphs), sources, texts, links, diffs, warnings)


def build(
    out_dir: Path | str,
    dpv_dir: Path | str | None = None,
    texts_dir: Path | str | None = None,
    *,
    data_root: Path | None = None,
    ontology_path: Path | None = None,
    strict: bool = False,
) -> BuildReport:
    """Compile the sources and write every artefact into out_dir; on any error out_dir is left as it was."""
    compiled = compile_graphs(dpv_dir, texts_dir, data_root=data_root, ontology_path=ontology_path, strict=strict)
    return write_build(out_dir, compiled)


def write_build(out_dir: Path | str, compiled: Compiled) -> BuildReport:
    """Write every artefact of a compiled dataset into out_dir, atomically (out_dir is replaced only when done)."""
    from policykg.build.dumps import write_artefacts

    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)
    try:
        counts = write_artefacts(staging, compiled)
        _replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildReport(out, counts, compiled.warnings)


def _replace_dir(new: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)


def source_files(data_root: Path | None = None) -> list[Path]:
    """Every curated file a build reads (to tell whether a build is out of date)."""
    from policykg.config import data_root as default_root

    root = Path(data_root) if data_root else default_root()
    return [*root.glob("*.yaml"), *root.glob("*/*.yaml"), default_ontology_path()]


def is_built(out_dir: Path) -> bool:
    """True when out_dir holds a complete build newer than every source file."""
    sums = out_dir / "SHA256SUMS"
    if not sums.is_file():
        return False
    built = sums.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in source_files() if p.exists())


def ensure_built(out_dir: Path | str, dpv_dir: Path | str | None = None) -> Path:
    """Build into out_dir unless an up-to-date build is already there; return out_dir."""
    out = Path(out_dir)
    if not is_built(out):
        build(out, dpv_dir)
    return out

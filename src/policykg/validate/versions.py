"""Validation per encoded version (the ontology + that version's data, never the union of versions), each with the
law in force on its effective date (or the date asked for), and which findings appeared or were resolved between
consecutive versions of a jurisdiction (global versions, which state no applicable law, form their own series)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from policykg.errors import SourceError
from policykg.sources.versions import Registry, Version
from policykg.validate.shacl import COUNT_KEYS, Finding, LawAsOf, Outcome, Workspace, notice_jurisdictions

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.build.pipeline import Compiled
    from policykg.validate.library import ShapeLibrary


@dataclass(frozen=True)
class Validated:
    """One validated graph: a version (or, for files given on the command line, none) and its outcome."""

    name: str
    title: str
    outcome: Outcome
    version: Version | None = None

    @property
    def jurisdiction(self) -> str | None:
        """The version's jurisdiction, else the one its notices' applicable law gives."""
        return self.version.jurisdiction if self.version else self.outcome.jurisdiction


@dataclass(frozen=True)
class FindingChange:
    """The findings that appeared in the newer of two consecutive versions of a jurisdiction, and those resolved in
    it (found in the older one, not in the newer)."""

    jurisdiction: str
    old: str
    new: str
    appeared: tuple[Finding, ...]
    disappeared: tuple[Finding, ...]


@dataclass
class ValidationRun:
    """Every validated graph, in order, and the changes between consecutive versions of each jurisdiction."""

    results: list[Validated]
    changes: list[FindingChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when no validated graph has a completeness failure (an encoding bug)."""
        return all(r.outcome.complete for r in self.results)

    def counts(self) -> dict[str, int]:
        """Completeness failures and findings per verdict over every validated graph."""
        return {key: sum(r.outcome.counts()[key] for r in self.results) for key in COUNT_KEYS}

    def not_assessed(self) -> list[str]:
        """What was not assessed, over every validated graph."""
        return [f"{r.name}: {text}" if r.name else text for r in self.results for text in r.outcome.not_assessed]

    @property
    def shape_sets(self) -> tuple[str, ...]:
        """The shape and rule sets that were run."""
        return self.results[0].outcome.shape_sets if self.results else ()


def encoded_versions(registry: Registry) -> list[Version]:
    """The registered versions whose curated folder (data/<name>/) is there and no longer a draft, oldest first."""
    from policykg.sources.load import CURATION_FILE

    return [v for v in registry.versions if v.data_dir.is_dir() and not (v.data_dir / CURATION_FILE).exists()]


def choose_versions(registry: Registry, name: str | None) -> tuple[list[Version], list[str]]:
    """The versions to validate (one by name, or every encoded one) and notes on registered ones not encoded yet."""
    if name is not None:
        version = registry.get(name)
        if version not in encoded_versions(registry):
            raise SourceError(f"version {name!r} is registered but not encoded yet (no curated folder "
                              f"{version.data_dir})", path=registry.path)
        return [version], []
    encoded = encoded_versions(registry)
    if not encoded:
        raise SourceError("no version is encoded yet (no data/<name>/ folder)", path=registry.path)
    missing = [v.name for v in registry.versions if v not in encoded]
    notes = [f"registered but not encoded yet (no folder, or still a draft), so not validated: {', '.join(missing)}"
             ] if missing else []
    return encoded, notes


def run_encoded_versions(dpv_dir: Path, texts_dir: str | Path | None = None, version: str | None = None,
                         sets: Sequence[str] | None = None, warn: Callable[[str], None] | None = None,
                         as_of: date | None = None) -> ValidationRun:
    """Compile every encoded version (or the named one) and validate each on its own with the named sets (all),
    with the law in force on its effective date, or on as_of when given."""
    from policykg.build.pipeline import compile_graphs
    from policykg.sources.versions import load_registry
    from policykg.validate.library import ShapeLibrary
    from policykg.validate.shacl import load_dpv_graph

    versions, notes = choose_versions(load_registry(), version)
    names = [v.name for v in versions]
    compiled = compile_graphs(dpv_dir, texts_dir, versions=names)
    for warning in compiled.warnings:
        (warn or (lambda _: None))(warning)
    run = validate_versions(compiled, names, ShapeLibrary.load(sets), load_dpv_graph(dpv_dir), as_of=as_of)
    run.notes.extend(notes)
    return run


def validate_versions(compiled: Compiled, names: Sequence[str], library: ShapeLibrary, dpv: Graph | None,
                      workers: int | None = None, as_of: date | None = None) -> ValidationRun:
    """Validate each named version on its own (ontology + its data), with the law in force on its effective date (or
    on as_of), then compare them. Versions are independent: with several CPUs they run in forked worker processes
    (each reusing one workspace for the versions it is given), else one after the other in one workspace; workers=1
    forces the latter."""
    rules_run = any(info.rule for info in library.shapes.values())
    outcomes = _outcomes(compiled, names, library, dpv, workers, as_of)
    results = []
    for name, outcome in zip(names, outcomes, strict=True):
        version = compiled.registry.get(name)
        outcome.notes.extend(_jurisdiction_check(version, compiled.versions[name], rules_run))
        results.append(Validated(name, version.label, outcome, version))
    return ValidationRun(results, compare(results, compiled.registry))


#: What forked workers inherit: (compiled, library, dpv, as_of) and, once built in a worker, its workspace.
_SHARED: tuple[Compiled, ShapeLibrary, Graph | None, date | None] | None = None
_WORKSPACE: Workspace | None = None


def _outcomes(compiled: Compiled, names: Sequence[str], library: ShapeLibrary, dpv: Graph | None,
              workers: int | None, as_of: date | None) -> list[Outcome]:
    """One outcome per name, in order: in forked worker processes when there are several CPUs and versions."""
    global _SHARED, _WORKSPACE
    count = min(len(names), workers or os.cpu_count() or 1)
    _SHARED, _WORKSPACE = (compiled, library, dpv, as_of), None
    try:
        if count > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
                return list(pool.map(_validate_one, names))
        return [_validate_one(name) for name in names]
    finally:
        _SHARED, _WORKSPACE = None, None


def _validate_one(name: str) -> Outcome:
    """Validate one version in this process's workspace (DPV and the ontology loaded once per process)."""
    global _WORKSPACE
    assert _SHARED is not None, "validate_versions sets the shared state first"
    compiled, library, dpv, as_of = _SHARED
    if _WORKSPACE is None:
        _WORKSPACE = Workspace(library, dpv, shared=[compiled.ontology])
    text = compiled.texts.get(name)
    version = compiled.registry.get(name)
    law_as_of = LawAsOf(as_of, "as-of") if as_of else LawAsOf(version.effective, "effective")
    found = set(notice_jurisdictions(compiled.versions[name]).values())
    jurisdiction = version.jurisdiction if version.jurisdiction in found else None
    return _WORKSPACE.validate(compiled.versions[name], [text] if text else [], jurisdiction, law_as_of)


def _jurisdiction_check(version: Version, data: Graph, rules_run: bool) -> list[str]:
    """A note when the notice's applicable law does not give the jurisdiction the registry records for it."""
    found = set(notice_jurisdictions(data).values())
    if found == {version.jurisdiction} or not rules_run or not found:
        return []  # no applicable law at all: the outcome says what was not assessed
    return [f"{version.name} is registered as {version.jurisdiction!r} but its notice's applicable law is of "
            f"{', '.join(repr(j) for j in sorted(found))}; the rules of that jurisdiction were applied"]


def identity(finding: Finding, version: Version | None) -> tuple[str, str]:
    """What a finding is about across versions: its shape and focus with the version's namespace stripped (process
    ids carry over from version to version; one shape finds one fact per focus)."""
    base = version.base if version else ""
    focus = finding.focus
    return (finding.shape, focus[len(base):] if base and focus.startswith(base) else focus)


def compare(results: Sequence[Validated], registry: Registry) -> list[FindingChange]:
    """The findings that appeared and disappeared between consecutive validated versions of each jurisdiction."""
    versioned = [r for r in results if r.version is not None]
    order = {v.name: i for i, v in enumerate(registry.versions)}
    changes = []
    for jurisdiction in dict.fromkeys(r.version.jurisdiction for r in versioned if r.version):
        chain = sorted((r for r in versioned if r.version and r.version.jurisdiction == jurisdiction),
                       key=lambda r: order.get(r.name, 0))
        for old, new in zip(chain, chain[1:], strict=False):
            before = {identity(f, old.version): f for f in old.outcome.findings}
            after = {identity(f, new.version): f for f in new.outcome.findings}
            appeared = tuple(after[k] for k in after if k not in before)
            disappeared = tuple(before[k] for k in before if k not in after)
            changes.append(FindingChange(jurisdiction, old.name, new.name, appeared, disappeared))
    return changes

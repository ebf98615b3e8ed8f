"""`policykg ingest`: read a policy text, draft its sources, merge with what is curated, write all or nothing.

Exit codes: 0 the draft needs no curation; 1 the draft was written (or, with --dry-run, would be) but lists
phrases, rows or spans to curate in curation.yaml; 2 error (a text the reader cannot read, bad data): nothing
written. Existing curated values are never overwritten: the report says what the text would change.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykg.changes.matching import match_rows, row_ref
from policykg.errors import SourceError
from policykg.ingest.base import regime_label
from policykg.ingest.draft import CURATE, CURATE_TERM, Draft, draft_version
from policykg.ingest.phrases import build_phrase_table, dump_phrase_table, load_phrases
from policykg.sources.load import CURATION_FILE
from policykg.sources.yaml_io import dump_yaml, flow, flow_yaml, parse_yaml, read_yaml
from policykg.text.capture import PolicyText, read_policy_text
from policykg.text.reader import read_policy

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.sources.load import VersionSources
    from policykg.sources.versions import Registry

PROCESS_KEYS = ("id", "title", "description", "title_span", "row_span", "basis", "audience", "audience_span",
                "purposes", "processing", "recipients", "note", "interests", "excludes", "derived", "modality", "data")
PROCESSES_HEADER = (
    "# Drafted by `policykg ingest` from {text} ({base}); then curated by hand.\n"
    "# One entry per row of the legal-basis section, in the policy's order. Spans are [start, end, \"head\"]:\n"
    "# Unicode code-point offsets into the policy text (end exclusive) and the first characters at start.\n"
    "# `CURATE: …` strings and pko:CURATE terms are still to be written; the build refuses them.\n")


@dataclass
class Outcome:
    """What an ingest did or would do: the report lines, warnings, the number of things left to curate, and the
    version, base and regime it drafted."""

    report: list[str] = field(default_factory=list)
    open_items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    version: str = ""
    base: str | None = None
    regime: str | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The outcome as `policykg ingest --format json` prints it."""
        return {"version": self.version, "base": self.base, "regime": self.regime, "rows": self.counts.get("rows", 0),
                "matched": self.counts.get("rows matched", 0), "new": self.counts.get("rows new", 0),
                "curation_entries": self.open_items}


def is_placeholder(value: Any) -> bool:
    """True for a value a person still has to write (a CURATE string or term, anywhere inside)."""
    if isinstance(value, str):
        return value.startswith(f"{CURATE}:") or value == CURATE_TERM
    if isinstance(value, list):
        return any(is_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(is_placeholder(v) for k, v in value.items() if k != "__line__")
    return False


# --- YAML out --------------------------------------------------------------------------------------------------

#: Entries of these lists are written one per line, each a flow mapping (the curated layout).
_LINE_PER_ENTRY = ("interests", "data", "excludes", "derived")


def _process_layout(proc: dict[str, Any]) -> dict[str, Any]:
    """A process as the curated files lay it out: keys in PROCESS_KEYS order, lists and mappings on one line."""
    keys = [k for k in PROCESS_KEYS if k in proc] + [k for k in proc if k not in PROCESS_KEYS and k != "__line__"]
    return {k: [flow(e) for e in proc[k]] if k in _LINE_PER_ENTRY else flow(proc[k]) for k in keys}


def dump_processes(processes: list[dict[str, Any]], header: str) -> str:
    """processes.yaml in the curated layout: one block per row (a blank line between), flow mappings for entries."""
    blocks = [dump_yaml([_process_layout(proc)]) for proc in processes]
    return header.rstrip("\n") + "\n" + "".join(f"\n{block}" for block in blocks)


def dump_curation(draft: Draft, entries: list[dict[str, Any]]) -> str:
    """curation.yaml: what is left to check, by row and field, with span and line in the text."""
    header = (f"# What `policykg ingest` could not decide for {draft.name} (drafted from {draft.base}).\n"
              "# Check each entry against the text, fix processes.yaml / notice.yaml, then delete this file:\n"
              "# a version counts as curated (and feeds data/phrases.yaml) once it has none.\n")
    return dump_yaml({"counts": flow(draft.counts), "entries": [flow(entry) for entry in entries]}, header)


# --- merge with what is curated ----------------------------------------------------------------------------------

def merge(existing: list[dict[str, Any]], drafted: list[dict[str, Any]], report: list[str]) -> tuple[list[dict[str, Any]], set[str]]:
    """Keep every curated value, add what is new, and report what the text would change or no longer has."""
    def ref(p: dict[str, Any], k: int, n: int):
        return row_ref(p["id"], next(iter(p.get("basis") or [""])), [p.get("audience", "")], [p.get("title", "")], k / max(n, 1))

    old_refs = [ref(p, k, len(existing)) for k, p in enumerate(existing)]
    new_refs = [ref(p, k, len(drafted)) for k, p in enumerate(drafted)]
    matching = match_rows(old_refs, new_refs, [(p["id"], p["id"]) for p in existing if any(d["id"] == p["id"] for d in drafted)])
    merged: list[dict[str, Any]] = []
    adopted: set[str] = set()
    for j, new in enumerate(drafted):
        pair = matching.old_for(j)
        if pair is None:
            merged.append(new)
            adopted.add(new["id"])
            report.append(f"row {new['id']}: new in the text, added")
            continue
        old = existing[pair.old]
        row = {k: v for k, v in old.items() if k != "__line__"}
        for key, value in new.items():
            if key not in old or is_placeholder(old[key]) and not is_placeholder(value):
                if key not in old or old[key] != value:
                    row[key] = value
                    adopted.add(f"{old['id']}.{key}")
                    report.append(f"row {old['id']}: {key} added from the text")
            elif _strip(old[key]) != _strip(value) and not is_placeholder(value):
                report.append(f"row {old['id']}: {key} kept as curated; the new draft would give {flow_yaml(value)[:120]}")
        for key in old:
            if key not in new and key not in ("__line__", "description", "note", "excludes", "derived", "modality"):
                report.append(f"row {old['id']}: {key} is curated but the text no longer gives it (kept)")
        merged.append(row)
    for i in matching.unmatched_old:
        merged.append({k: v for k, v in existing[i].items() if k != "__line__"})
        report.append(f"row {existing[i]['id']}: curated but no longer in the text (kept; remove it by hand)")
    return merged, adopted


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# --- the command -------------------------------------------------------------------------------------------------

def ingest(text_path: Path, name: str, out_dir: Path, data_root: Path, *, dry_run: bool = False,
           texts_dir: str | Path | None = None) -> Outcome:
    """Read a text, draft its sources, merge with an existing folder, and write them (all or nothing)."""
    from policykg.sources.versions import load_registry

    text = read_policy_text(text_path).text
    parsed = read_policy(text, text_path)
    registry = load_registry(data_root)
    phrases = load_phrases(data_root / "phrases.yaml")
    draft = draft_version(text, text_path, name, registry, phrases, parsed, data_root / "links.yaml", texts_dir)
    outcome = Outcome(counts=draft.counts, version=name, base=draft.base, regime=draft.regime,
                      warnings=list(draft.warnings))
    outcome.report.append(f"{name}: read {len(parsed.rows)} rows ({parsed.layout}); {draft.reason}")
    processes, entries = draft.processes, draft.curation
    existing_path = out_dir / "processes.yaml"
    write_notice = draft.notice is not None
    if existing_path.is_file():
        existing = read_yaml(existing_path)
        if not isinstance(existing, list):
            raise SourceError("expected a list of processes at the top level", path=existing_path, line=1)
        processes, adopted = merge(existing, draft.processes, outcome.report)
        still_open = _open_entries(out_dir / CURATION_FILE)
        entries = [e for e in draft.curation if e["row"] in adopted or f"{e['row']}.{_field_key(e)}" in adopted
                   or (e["row"], _field_key(e)) in still_open
                   or e["row"] == "notice.yaml" and not (out_dir / "notice.yaml").exists()]
        entries += _placeholders(processes, {(e["row"], _field_key(e)) for e in entries})
        if (out_dir / "notice.yaml").exists():
            write_notice = False
            outcome.report.append("notice.yaml: kept as curated")
    outcome.open_items = len(entries)
    outcome.report.append(
        f"{name}: {draft.counts['rows']} rows ("
        + (f"{draft.counts['rows matched']} matched in {draft.base}, " if draft.base else "drafted from scratch, ")
        + f"{draft.counts['rows new']} new); {draft.counts['items']} items and {draft.counts['interests']} interests, "
        f"{draft.counts['phrases aligned']} aligned, {draft.counts['phrases to curate']} to curate; "
        f"{len(entries)} curation entries")
    if dry_run:
        return outcome
    header = PROCESSES_HEADER.format(text=text_path.name, base=f"drafted from {draft.base}" if draft.base else "no earlier version")
    files: dict[str, str | None] = {"processes.yaml": dump_processes(processes, header)}
    if write_notice:
        files["notice.yaml"] = draft.notice
    files[CURATION_FILE] = dump_curation(draft, entries) if entries else None
    _write_all_or_nothing(out_dir, files)
    return outcome


def _field_key(entry: dict[str, Any]) -> str:
    return entry["field"].split(".")[0]


def _open_entries(path: Path) -> set[tuple[str, str]]:
    """(row, field) of the entries a curation.yaml still lists: not checked yet, so a re-run keeps listing them."""
    if not path.is_file():
        return set()
    body = read_yaml(path)
    entries = body.get("entries", []) if isinstance(body, dict) else []
    return {(str(e.get("row")), str(e.get("field", "")).split(".")[0]) for e in entries if isinstance(e, dict)}


def _placeholders(processes: list[dict[str, Any]], known: set[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for proc in processes:
        for key, value in proc.items():
            if key != "__line__" and is_placeholder(value) and (proc["id"], key) not in known:
                out.append({"row": proc["id"], "field": key, "why": "still to be written (CURATE)"})
    return out


def _write_all_or_nothing(out_dir: Path, files: dict[str, str | None]) -> None:
    """Write the files into a copy of the folder, then swap it in; on any error the folder stays as it was."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.ingest-", dir=out_dir.parent))
    try:
        stage = tmp / out_dir.name
        if out_dir.exists():
            shutil.copytree(out_dir, stage)
        else:
            stage.mkdir()
        for name, body in files.items():
            if body is None:
                (stage / name).unlink(missing_ok=True)
            else:
                (stage / name).write_text(body, encoding="utf-8")
        old = tmp / "previous"
        if out_dir.exists():
            out_dir.rename(old)
        stage.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def refresh_phrases(data_root: Path, texts_dir: str | Path | None = None) -> tuple[Path, bool]:
    """Regenerate data/phrases.yaml from the curated versions; whether it changed."""
    from policykg.sources.versions import load_registry

    path = data_root / "phrases.yaml"
    body = dump_phrase_table(build_phrase_table(load_registry(data_root), texts_dir))
    changed = not path.is_file() or path.read_text(encoding="utf-8") != body
    if changed:
        path.write_text(body, encoding="utf-8")
    return path, changed


def draft_sources(text: PolicyText, registry: Registry, jurisdiction: str | None = None,
                  texts_dir: str | Path | None = None) -> VersionSources:
    """A policy text read on the fly, drafted from the curated versions without curation, as checked sources
    (placeholders allowed) that `policykg diff` can compare with an encoded version."""
    from datetime import date

    from policykg.sources.load import VersionSources
    from policykg.sources.schema import validate_data
    from policykg.sources.schema_notice import NoticeFile
    from policykg.sources.schema_versions import ProcessesFile
    from policykg.sources.versions import Version

    path = text.path
    parsed = read_policy(text.text, path)
    phrases = load_phrases(registry.path.parent / "phrases.yaml")
    name = f"draft-{text.sha256[:12]}"
    draft = draft_version(text.text, path, name, registry, phrases, parsed, registry.path.parent / "links.yaml",
                          texts_dir, jurisdiction=jurisdiction)
    if draft.notice is None or draft.base is None:
        raise SourceError(f"no curated {regime_label(draft.regime)} version to read this text against ("
                          f"{draft.regime_reason.replace(f'{name} is not in data/versions.yaml; ', '')}): a text read "
                          "on the fly is drafted from the closest curated version of its own regime", path=path)
    base = registry.get(draft.base)
    version = Version(name=name, jurisdiction=base.jurisdiction, label=f"{path.name} (read on the fly, not curated)",
                      effective=parsed.effective_date or date.min, text_file=path.name, sha256=text.sha256,
                      captured_date=None, captured_from=None, data_dir=path.parent)
    processes = validate_data(draft.processes, ProcessesFile, path, draft=True).root
    notice = validate_data(parse_yaml(draft.notice, path), NoticeFile, path, draft=True)
    return VersionSources(version, notice, processes, path, path)

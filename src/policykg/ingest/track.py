"""`policykg track`: every capture of a document in an Open Terms Archive versions repository, classified against the
encoded versions — `encoded` (the registered text, by sha256), `same-as` (another capture of an encoded version:
the same rows, differing only by noise), `new` (a new effective date, or changed rows under an unchanged one: a
silent revision) or `unreadable` (why, in words) — and the distinct versions, each with its captures.

One bad capture never stops the run: it is `unreadable`, with the reader's reason. New versions are named
`meta-<regime>-<effective>` (`-r2`, `-r3` … for a silent revision of a date already named).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from policykg.ingest.base import regime_label
from policykg.ingest.history import Capture, captures, open_repository
from policykg.ingest.sameness import Reading, cut_short, differences, read_capture, same_rows
from policykg.sources.versions import Registry, load_registry, read_version_text

STATUSES = ("encoded", "same-as", "new", "unreadable")


@dataclass
class CaptureStatus:
    """One capture as `track` reports it (the JSON fields, in order)."""

    commit: str
    date: str
    sha256: str
    regime: str | None
    effective: str | None
    status: str
    version: str | None
    why: str


@dataclass
class VersionSeen:
    """One distinct version among the captures: encoded (registered) or new, with its captures' dates."""

    name: str
    regime: str | None
    effective: str | None
    status: str
    captures: int
    first_seen: str
    last_seen: str


@dataclass
class Tracked:
    """The captures of one document, classified, and the versions they show; `texts` holds each new version's text
    (its first capture's bytes) for drafting."""

    source: str
    path: str
    captures: list[CaptureStatus]
    versions: list[VersionSeen]
    texts: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def new_versions(self) -> list[VersionSeen]:
        """The versions that are not registered."""
        return [v for v in self.versions if v.status == "new"]

    def to_json(self) -> dict[str, Any]:
        """The report as `--format json` prints it."""
        return {"captures": [asdict(c) for c in self.captures], "versions": [asdict(v) for v in self.versions]}


@dataclass
class _Known:
    """A version the captures are compared with: its name, whether it is registered, and one reading of its text."""

    name: str
    registered: bool
    reading: Reading
    first: CaptureStatus | None = None


def track(source: Path, path: str, data_root: Path | None = None, texts_dir: str | Path | None = None) -> Tracked:
    """Classify every capture of `path` in the repository or bundle `source` against data/versions.yaml."""
    registry = load_registry(data_root)
    with tempfile.TemporaryDirectory(prefix="policykg-track-") as tmp:
        history = captures(open_repository(source, Path(tmp)), path)
    readings: dict[str, Reading] = {}
    for capture in history:
        if capture.blob not in readings:
            readings[capture.blob] = read_capture(capture.data)
    known = _registered(registry, readings.values(), texts_dir)
    statuses = [_classify(capture, readings[capture.blob], known) for capture in history]
    versions = _versions(statuses, registry)
    texts = {}
    for capture, status in zip(history, statuses, strict=True):
        if status.status == "new" and status.version not in texts:
            texts[status.version or ""] = capture.data
    return Tracked(str(source), path, statuses, versions, texts)


def _registered(registry: Registry, readings: Any, texts_dir: str | Path | None) -> list[_Known]:
    """The registered versions with a reading of their text: a capture with its sha256, else the text file."""
    by_sha = {r.sha256: r for r in readings}
    known = []
    for version in registry.versions:
        reading = by_sha.get(version.sha256)
        if reading is None:
            text = read_version_text(version, texts_dir)
            if text is None:  # not among the captures nor beside the project: only its sha256 can match
                continue
            reading = read_capture(text.text.encode("utf-8"))
        known.append(_Known(version.name, True, reading))
    return known


def _status(capture: Capture, reading: Reading, status: str, version: str | None, why: str) -> CaptureStatus:
    return CaptureStatus(capture.commit, capture.date, reading.sha256, reading.regime,
                         reading.effective.isoformat() if reading.effective else None, status, version, why)


def _classify(capture: Capture, reading: Reading, known: list[_Known]) -> CaptureStatus:
    """The status of one capture; a new version found is added to `known` for the captures after it."""
    exact = next((k for k in known if k.registered and k.reading.sha256 == reading.sha256), None)
    if exact is not None:
        return _status(capture, reading, "encoded", exact.name, f"the registered text of {exact.name} (same sha256)")
    if reading.rows is None:
        return _status(capture, reading, "unreadable", None, reading.why)
    peers = [k for k in known if k.reading.regime == reading.regime and k.reading.effective == reading.effective]
    same = next((k for k in peers if same_rows(k.reading, reading)), None)
    if reading.effective is None:
        undated = next((k for k in known if same_rows(k.reading, reading) and k.registered), None)
        if undated is not None:
            return _status(capture, reading, "same-as", undated.name, f"the rows of {undated.name}; the capture states "
                           "no effective date")
        return _status(capture, reading, "unreadable", None, "the capture states no effective date (no 'Effective …' "
                       "line): which version it is cannot be told (a truncated or degraded capture?)")
    if same is not None and same.registered:
        return _status(capture, reading, "same-as", same.name, f"another capture of {same.name}: the same rows, bases, "
                       "audiences and items; it differs only by noise (banners, chrome, links, spacing)")
    if same is not None:
        first = same.first
        return _status(capture, reading, "new", same.name, f"another capture of the new version {same.name} (first "
                       f"seen {first.date if first else '?'})")
    whole = next((k for k in peers if cut_short(reading, k.reading)), None)
    if whole is not None:
        return _status(capture, reading, "unreadable", None, f"a truncated capture: its {len(reading.rows)} rows are "
                       f"the first of the {len(whole.reading.rows or ())} of {whole.name}, and the text stops there")
    name = _name(reading, known)
    if peers:
        why = (f"a silent revision of {peers[-1].name}: the same effective date ({reading.effective}), but "
               f"{differences(peers[-1].reading.rows or (), reading.rows)}")
    else:
        why = f"a new effective date for the {regime_label(reading.regime)} notice ({reading.effective})"
    status = _status(capture, reading, "new", name, why)
    known.append(_Known(name, False, reading, status))
    return status


def _name(reading: Reading, known: list[_Known]) -> str:
    base = f"meta-{reading.regime or 'unknown'}-{reading.effective}"
    taken = {k.name for k in known}
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-r{n}", n + 1
    return name


def _versions(statuses: list[CaptureStatus], registry: Registry) -> list[VersionSeen]:
    """The distinct versions the captures show, by first capture date."""
    groups: dict[str, list[CaptureStatus]] = {}
    for status in statuses:
        if status.version:
            groups.setdefault(status.version, []).append(status)
    out = []
    for name, group in groups.items():
        registered = name in registry.names
        version = registry.get(name) if registered else None
        dated = next((s for s in group if s.effective), group[0])
        out.append(VersionSeen(
            name, version.jurisdiction if version else dated.regime,
            version.effective.isoformat() if version else dated.effective, "encoded" if registered else "new",
            len(group), min(s.date for s in group), max(s.date for s in group)))
    return sorted(out, key=lambda v: (v.first_seen, v.name))


def render_text(tracked: Tracked) -> str:
    """The report for people: one line per capture, then the versions."""
    counts = {s: sum(1 for c in tracked.captures if c.status == s) for s in STATUSES}
    lines = [f"{tracked.path} in {tracked.source}: {len(tracked.captures)} captures ("
             + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ")", ""]
    lines.append(f"{'#':>3}  {'date':10}  {'commit':12}  {'regime':6}  {'effective':10}  {'status':10}  version / why")
    for n, c in enumerate(tracked.captures, start=1):
        detail = c.version if c.status in ("encoded", "same-as") else f"{c.version}: {c.why}" if c.version else c.why
        lines.append(f"{n:>3}  {c.date:10}  {c.commit[:12]:12}  {c.regime or '-':6}  {c.effective or '-':10}  "
                     f"{c.status:10}  {detail}")
    lines += ["", f"{len(tracked.versions)} versions ({len(tracked.new_versions)} new):"]
    for v in tracked.versions:
        lines.append(f"  {v.name:28}  {v.regime or '-':6}  {v.effective or '-':10}  {v.status:7}  {v.captures:>3} "
                     f"capture{'s' if v.captures != 1 else ' '}  {v.first_seen} … {v.last_seen}")
    return "\n".join(lines) + "\n"

"""The encoded versions of the policy: the registry in data/versions.yaml, their folders, texts and order."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from policykg.errors import MissingResourceError, SourceError
from policykg.iris import version_base, version_graph
from policykg.text.capture import PolicyText, read_policy_text

TEXTS_ENV = "POLICYKG_TEXTS_DIR"


@dataclass(frozen=True)
class Version:
    """One encoded version of the notice: its name, jurisdiction, date, text and curated folder."""

    name: str
    jurisdiction: str
    label: str
    effective: date
    text_file: str
    sha256: str
    captured_date: date | None
    captured_from: str | None
    data_dir: Path

    @property
    def base(self) -> str:
        """The instance namespace of this version (slash namespace)."""
        return version_base(self.name)

    @property
    def graph(self) -> str:
        """The named graph this version's data is served in."""
        return version_graph(self.name)


@dataclass(frozen=True)
class Registry:
    """All encoded versions in effective-date order, and the primary one."""

    versions: tuple[Version, ...]
    primary: str
    path: Path

    def get(self, name: str) -> Version:
        """The version called name, or an error listing the known names."""
        for version in self.versions:
            if version.name == name:
                return version
        raise SourceError(f"unknown version {name!r} (known: {', '.join(self.names)})", path=self.path)

    @property
    def names(self) -> list[str]:
        """The version names, oldest first."""
        return [v.name for v in self.versions]

    @property
    def primary_version(self) -> Version:
        """The version the endpoint's default graph holds."""
        return self.get(self.primary)

    def previous(self, version: Version) -> Version | None:
        """The version before this one in the same jurisdiction, if any."""
        earlier = [v for v in self.versions if v.jurisdiction == version.jurisdiction and v.effective < version.effective]
        return earlier[-1] if earlier else None

    def following(self, version: Version) -> Version | None:
        """The version after this one in the same jurisdiction, if any."""
        later = [v for v in self.versions if v.jurisdiction == version.jurisdiction and v.effective > version.effective]
        return later[0] if later else None

    def counterpart(self, version: Version) -> Version | None:
        """For the newest version of a jurisdiction: the newest version of another jurisdiction (for cross-links)."""
        if self.following(version) is not None:
            return None
        others = [v for v in self.versions if v.jurisdiction != version.jurisdiction and self.following(v) is None]
        return others[0] if len(others) == 1 else None

    def latest(self, jurisdiction: str) -> Version:
        """The newest version of a jurisdiction."""
        return [v for v in self.versions if v.jurisdiction == jurisdiction][-1]


def _date(value: object, path: Path, line: int | None, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise SourceError(f"{key} must be a date YYYY-MM-DD, got {value!r}", path=path, line=line) from exc


def load_registry(data_root: Path | None = None) -> Registry:
    """Read data/versions.yaml (checked against its schema) into a Registry."""
    from policykg.config import data_root as default_root
    from policykg.sources.schema import validate_yaml
    from policykg.sources.schema_versions import VersionsFile

    root = Path(data_root) if data_root else default_root()
    path = root / "versions.yaml"
    model = validate_yaml(path, VersionsFile)
    versions = []
    for entry in model.versions:
        versions.append(Version(
            name=entry.name, jurisdiction=entry.jurisdiction, label=entry.label, effective=entry.effective,
            text_file=entry.text.file, sha256=entry.text.sha256,
            captured_date=entry.captured.date if entry.captured else None,
            captured_from=entry.captured.from_ if entry.captured else None,
            data_dir=root / entry.name,
        ))
    names = [v.name for v in versions]
    if len(set(names)) != len(names):
        raise SourceError("duplicate version names", path=path)
    if model.primary not in names:
        raise SourceError(f"primary {model.primary!r} is not one of the versions", path=path)
    versions.sort(key=lambda v: (v.effective, v.name))
    return Registry(tuple(versions), model.primary, path)


def text_search_dirs(texts_dir: str | Path | None = None) -> list[tuple[str, Path]]:
    """Where policy texts are looked for, in order, with how each place was chosen."""
    from policykg.config import shared_dirs

    if texts_dir:
        base = [("--texts-dir", Path(texts_dir))]
    elif os.environ.get(TEXTS_ENV):
        base = [(f"${TEXTS_ENV}", Path(os.environ[TEXTS_ENV]))]
    else:
        base = shared_dirs()
    found: list[tuple[str, Path]] = []
    for how, folder in base:
        found += [(how, folder), (how, folder / "seed"), (how, folder / "policies")]
    return found


def locate_text(version: Version, texts_dir: str | Path | None = None) -> Path | None:
    """The policy text file of a version (by its file name), or None when it is not found."""
    for _, folder in text_search_dirs(texts_dir):
        candidate = folder / version.text_file
        if candidate.is_file():
            return candidate
    return None


def text_missing_message(version: Version, texts_dir: str | Path | None = None) -> str:
    """Why a version's text is missing, where we looked, and how to point at it."""
    places = "; ".join(f"{how} ({folder})" for how, folder in text_search_dirs(texts_dir))
    return (f"the policy text of {version.name} ({version.text_file}, sha256 {version.sha256[:12]}…) was not found; "
            f"looked in: {places}. Point --texts-dir or ${TEXTS_ENV} at a folder holding it.")


def read_version_text(version: Version, texts_dir: str | Path | None = None) -> PolicyText | None:
    """A version's text if it is found (None otherwise), checked against its registered sha256."""
    path = locate_text(version, texts_dir)
    if path is None:
        return None
    text = read_policy_text(path)
    if text.sha256 != version.sha256:
        raise SourceError(f"{path} has sha256 {text.sha256}, but {version.name} was encoded against {version.sha256}",
                          path=path)
    return text


def require_version_text(version: Version, texts_dir: str | Path | None = None) -> PolicyText:
    """A version's text, checked against its registered sha256, or a clear error saying where it was looked for."""
    text = read_version_text(version, texts_dir)
    if text is None:
        raise MissingResourceError(text_missing_message(version, texts_dir))
    return text

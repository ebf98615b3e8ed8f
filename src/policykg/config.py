"""Where things are: the project tree, the DPV folder, the build folder (the policy texts: versions.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import MissingResourceError

DPV_ENV = "POLICYKG_DPV_DIR"
BUILD_ENV = "POLICYKG_BUILD_DIR"

#: The pinned DPV 2.3 release: file name -> (download path under the release, sha256).
DPV_VERSION = "2.3"
DPV_RELEASE_BASE = "https://w3id.org/dpv/2.3/"
DPV_FILES: dict[str, tuple[str, str]] = {
    "dpv.ttl": ("dpv/dpv.ttl", "97bc7ce1a4544d39b9e480eeb7990693bee1155fb094f3dd50b9eb1d0c0d578f"),
    "pd.ttl": ("pd/pd.ttl", "65d3f07a407a76c7dbf2934a386e74137e434f0b0446f93000b4fb580c641080"),
    "eu-gdpr.ttl": ("legal/eu/gdpr/eu-gdpr.ttl", "9b710961f5e010b659f4a87dca13578dd92d6768c8716f551d142c661f7fb77f"),
    "legal-gb.ttl": ("legal/gb/legal-gb.ttl", "24817d30066ae65c6c7fb471e1b077604880603a9ceb2d29718d30da8d98b9f1"),
    "legal-eu.ttl": ("legal/eu/legal-eu.ttl", "33d96abcba7724d1758863b5797b86866e3ac44ee80971e02b31777f333d6f72"),
    "legal-ie.ttl": ("legal/ie/legal-ie.ttl", "78a53a839d818c1096acfbf2e731d0863b6ccfb28a4af8cb02f818fe006c0d94"),
    "tech.ttl": ("tech/tech.ttl", "a9d09590fce70e859f744f86f2a903e34dc74dbeb79ed77e4b7fdcb80eeab356"),
}


def project_root() -> Path:
    """The project tree (the folder holding ontology/, data/, shapes/)."""
    return Path(__file__).resolve().parents[2]


def ontology_dir() -> Path:
    """The folder of the hand-written ontology."""
    return project_root() / "ontology"


def ontology_path() -> Path:
    """The ontology file."""
    return ontology_dir() / "policykg.ttl"


def data_root() -> Path:
    """The folder of the curated sources: versions.yaml and one folder per version."""
    return project_root() / "data"


def shapes_dir() -> Path:
    """The folder of the SHACL shapes."""
    return project_root() / "shapes"


def queries_dir() -> Path:
    """The folder of the competency questions."""
    return project_root() / "queries"


def default_build_dir() -> Path:
    """Where `policykg build` writes unless told otherwise."""
    env = os.environ.get(BUILD_ENV)
    return Path(env) if env else project_root() / "build"


def user_dpv_dir() -> Path:
    """Where `policykg fetch-dpv` stores the DPV files for this user."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policykg" / "dpv" / DPV_VERSION


def shared_dir() -> Path:
    """The ../shared folder beside the project (DPV and the policy texts, in development and CI)."""
    return project_root().parent / "shared"


@dataclass(frozen=True)
class Located:
    """A resolved path and how it was found (for messages)."""

    path: Path | None
    tried: tuple[str, ...]


def _locate(explicit: str | Path | None, option: str, env: str, defaults: list[tuple[str, Path]],
            usable: Callable[[Path], bool]) -> Located:
    if explicit:
        candidates = [(option, Path(explicit))]
    elif os.environ.get(env):
        candidates = [(f"${env}", Path(os.environ[env]))]
    else:
        candidates = defaults
    tried = tuple(f"{how} ({path})" for how, path in candidates)
    return Located(next((path for _, path in candidates if usable(path)), None), tried)


def locate_dpv_dir(explicit: str | Path | None = None) -> Located:
    """Find the DPV 2.3 folder: --dpv-dir, $POLICYKG_DPV_DIR, ../shared/dpv/2.3, the user cache."""
    defaults = [("../shared/dpv/2.3", shared_dir() / "dpv" / DPV_VERSION), ("fetch-dpv cache", user_dpv_dir())]
    return _locate(explicit, "--dpv-dir", DPV_ENV, defaults,
                   lambda path: all((path / name).is_file() for name in DPV_FILES))


def dpv_missing_message(found: Located) -> str:
    """Why DPV is missing, where we looked, and how to get it."""
    return ("the DPV 2.3 Turtle files (" + ", ".join(DPV_FILES) + ") were not found; looked in: " + "; ".join(found.tried)
            + f". Point --dpv-dir or ${DPV_ENV} at a folder holding them, or run `policykg fetch-dpv` (needs internet).")


def require_dpv_dir(explicit: str | Path | None = None) -> Path:
    """The DPV folder, or a clear error saying where we looked and how to get it."""
    found = locate_dpv_dir(explicit)
    if found.path is None:
        raise MissingResourceError(dpv_missing_message(found))
    return found.path

"""Where things are: the curated resources (ontology, shapes, queries, data), the DPV folder, the build folder
(the policy texts: versions.py). The one module that decides paths: others ask it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from policykg.errors import MissingResourceError

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


#: The curated resources and the package each ships in. pyproject.toml's [tool.setuptools.package-dir] maps the
#: project's top-level folders onto these packages, so importlib.resources finds them in a wheel (inside
#: site-packages/policykg/resources/), in an editable install (the checkout's own folders) and in an sdist build alike.
RESOURCE_PACKAGES: dict[str, str] = {
    "ontology": "policykg.resources.ontology",
    "shapes": "policykg.resources.shapes",
    "queries": "policykg.resources.queries",
    "data": "policykg.resources.data",
}


def resource_dir(name: str) -> Path:
    """The folder of one curated resource (ontology, shapes, queries, data), wherever policykg is installed."""
    package = RESOURCE_PACKAGES[name]
    try:
        folder = resources.files(package)
    except ModuleNotFoundError as exc:
        raise MissingResourceError(
            f"policykg's {name}/ folder is not installed (no package {package}): install policykg with pip "
            "(`pip install policykg`, or `pip install -e .` in a clone) rather than running it from src/") from exc
    if not isinstance(folder, Path) or not folder.is_dir():
        raise MissingResourceError(f"policykg's {name}/ folder is not a folder on disk ({folder}): install policykg "
                                   "unzipped (pip does)")
    return folder


def source_tree() -> Path | None:
    """The checkout the resources are read from (an editable install), or None when they are installed inside the
    package (a wheel)."""
    root = resource_dir("ontology").parent
    installed = resources.files("policykg.resources")
    return None if isinstance(installed, Path) and root == installed else root


def project_root() -> Path:
    """The checkout (the folder holding pyproject.toml, ontology/, data/, shapes/); an error with a wheel."""
    root = source_tree()
    if root is None:
        raise MissingResourceError("policykg is installed from a wheel, not a checkout: this needs a clone of the "
                                   "project (`pip install -e .` in it)")
    return root


def ontology_dir() -> Path:
    """The folder of the hand-written ontology."""
    return resource_dir("ontology")


def ontology_path() -> Path:
    """The ontology file."""
    return ontology_dir() / "policykg.ttl"


def data_root() -> Path:
    """The folder of the curated sources: versions.yaml and one folder per version."""
    return resource_dir("data")


def shapes_dir() -> Path:
    """The folder of the SHACL shapes."""
    return resource_dir("shapes")


def queries_dir() -> Path:
    """The folder of the competency questions."""
    return resource_dir("queries")


def analysis_sparql_dir() -> Path:
    """The named analysis queries (policykg/store/sparql, package data of policykg.store): labels, versions, the
    tables and figures of the notebooks."""
    folder = resources.files("policykg.store") / "sparql"
    if not isinstance(folder, Path):
        raise MissingResourceError(f"policykg.store's sparql/ folder is not on disk ({folder})")
    return folder


def default_build_dir() -> Path:
    """Where `policykg build` writes unless told otherwise: $POLICYKG_BUILD_DIR, else ./build of the current
    directory."""
    env = os.environ.get(BUILD_ENV)
    return Path(env) if env else Path.cwd() / "build"


def user_dpv_dir() -> Path:
    """Where `policykg fetch-dpv` stores the DPV files for this user."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policykg" / "dpv" / DPV_VERSION


def shared_dirs() -> list[tuple[str, Path]]:
    """The ../shared folders that may hold DPV and the policy texts, with how each was chosen: beside the checkout
    (an editable install, as in development and CI), then ../shared of the current directory (any install)."""
    found: list[tuple[str, Path]] = []
    root = source_tree()
    if root is not None:
        found.append(("../shared beside the checkout", root.parent / "shared"))
    here = Path.cwd().parent / "shared"
    if all(here.resolve() != path.resolve() for _, path in found):
        found.append(("../shared", here))
    return found


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
    defaults = [(how, shared / "dpv" / DPV_VERSION) for how, shared in shared_dirs()]
    defaults.append(("fetch-dpv cache", user_dpv_dir()))
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

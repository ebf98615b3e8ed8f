"""Fixtures for the graph tests: DPV and the policy texts (skipping when absent), one strict compile and one build
per test session, shared by every test that needs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.config import Located, locate_dpv_dir
from policykg.sources.versions import Registry, load_registry, locate_text, text_missing_message


def found_or_skip(found: Located, what: str) -> Path:
    """The located path, or skip the test saying what was missing and where we looked."""
    if found.path is None:
        pytest.skip(f"{what} not found (looked in: " + "; ".join(found.tried) + ")")
    return found.path


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The encoded versions (data/versions.yaml)."""
    return load_registry()


@pytest.fixture(scope="session")
def dpv_folder() -> Path:
    """The DPV 2.3 folder (../shared/dpv/2.3 in CI); tests that need it skip with the reason when it is absent."""
    return found_or_skip(locate_dpv_dir(), "DPV 2.3 folder")


@pytest.fixture(scope="session")
def texts(registry: Registry) -> dict[str, Path]:
    """Every version's policy text (../shared/seed and ../shared/policies in CI); skip when one is missing."""
    found = {}
    for version in registry.versions:
        path = locate_text(version)
        if path is None:
            pytest.skip(text_missing_message(version))
        found[version.name] = path
    return found


@pytest.fixture(scope="session")
def policy_text_path(registry: Registry, texts: dict[str, Path]) -> Path:
    """The primary version's text (UK, 16 June 2025)."""
    return texts[registry.primary]


@pytest.fixture(scope="session")
def policy_text(policy_text_path: Path) -> str:
    """The primary version's text as a string (offsets are code points into it)."""
    return policy_text_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def compiled(dpv_folder: Path, texts: dict[str, Path]):
    """Every version compiled with every check on: once per test session."""
    from policykg.build.pipeline import compile_graphs

    return compile_graphs(dpv_folder, strict=True)


@pytest.fixture(scope="session")
def primary_data(compiled):
    """The primary version's data graph."""
    return compiled.version_data(compiled.registry.primary)


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory, compiled) -> Path:
    """The build folder written from the session's compile (the same bytes `policykg build` writes): once per run,
    also when pytest-xdist runs several workers (the first writes it in their shared temporary folder, under a lock,
    and the others read it; tests only read it)."""
    import fcntl
    import os

    from policykg.build.pipeline import write_build

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp("policykg") / "build"
        write_build(out, compiled)
        return out
    shared = tmp_path_factory.getbasetemp().parent / "policykg-shared"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "written").is_file():
            write_build(shared / "build", compiled)
            (shared / "written").touch()
    return shared / "build"


@pytest.fixture(scope="session")
def every_version(dpv_folder: Path):
    """Every encoded version validated on its own with every shape and rule (one run for the whole session)."""
    from policykg.validate.versions import run_encoded_versions

    return run_encoded_versions(dpv_folder)


def dpv_or_skip() -> Path:
    """The DPV 2.3 folder, or skip the test with where we looked (for fixtures that are not given dpv_folder)."""
    return found_or_skip(locate_dpv_dir(), "DPV 2.3 folder")

"""Fixtures for the graph tests: the policy text, the DPV folder (skipping when absent), one strict build."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.config import Located, locate_dpv_dir, locate_source_text


def found_or_skip(found: Located, what: str) -> Path:
    """The located path, or skip the test saying what was missing and where we looked."""
    if found.path is None:
        pytest.skip(f"{what} not found (looked in: " + "; ".join(found.tried) + ")")
    return found.path


@pytest.fixture(scope="session")
def dpv_folder() -> Path:
    """The DPV 2.3 folder (../shared/dpv/2.3 in CI); tests that need it skip with the reason when it is absent."""
    return found_or_skip(locate_dpv_dir(), "DPV 2.3 folder")


@pytest.fixture(scope="session")
def policy_text_path() -> Path:
    """The policy text file (../shared/seed/...)."""
    return found_or_skip(locate_source_text(), "policy text")


@pytest.fixture(scope="session")
def policy_text(policy_text_path: Path) -> str:
    """The policy text as a string (offsets are code points into it)."""
    return policy_text_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def compiled(dpv_folder: Path, policy_text_path: Path):
    """The ontology and data graphs, compiled with every check on."""
    from policykg.build import compile_graphs

    return compile_graphs(dpv_folder, policy_text_path, strict=True)


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory, dpv_folder: Path, policy_text_path: Path) -> Path:
    """One strict build of the whole graph for the session."""
    from policykg.build import build

    out = tmp_path_factory.mktemp("policykg") / "build"
    build(out, dpv_folder, policy_text_path, strict=True)
    return out

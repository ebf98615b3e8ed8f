"""Helpers for the competency-question, analysis and notebook tests: one strict build of the real graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.config import locate_dpv_dir, locate_source_text


def dpv_or_skip() -> Path:
    """The DPV 2.3 folder, or skip the test with where we looked."""
    found = locate_dpv_dir()
    if found.path is None:
        pytest.skip("DPV 2.3 folder not found (looked in: " + "; ".join(found.tried) + ")")
    return found.path


def fresh_build(out: Path) -> Path:
    """A strict build of the real graph into out (skips when DPV or the policy text is missing)."""
    from policykg.build import build

    dpv = dpv_or_skip()
    text = locate_source_text()
    if text.path is None:
        pytest.skip("policy text not found (looked in: " + "; ".join(text.tried) + ")")
    build(out, dpv, text.path, strict=True)
    return out

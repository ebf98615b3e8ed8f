"""Helpers for the competency-question, analysis and notebook tests: one strict build of the real graph."""

from __future__ import annotations

from pathlib import Path

from build_fixtures import found_or_skip
from policykg.config import locate_dpv_dir, locate_source_text


def dpv_or_skip() -> Path:
    """The DPV 2.3 folder, or skip the test with where we looked."""
    return found_or_skip(locate_dpv_dir(), "DPV 2.3 folder")


def fresh_build(out: Path) -> Path:
    """A strict build of the real graph into out (skips when DPV or the policy text is missing)."""
    from policykg.build import build

    build(out, dpv_or_skip(), found_or_skip(locate_source_text(), "policy text"), strict=True)
    return out

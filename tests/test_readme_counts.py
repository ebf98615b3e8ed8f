"""The counts in README.md (between <!-- counts:start --> and <!-- counts:end -->) are the built graph's counts."""

from __future__ import annotations

import re
from pathlib import Path

from policykg.analysis import parse_summary_markdown, summary_markdown, versions_summary

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- counts:start -->\n(.*?)<!-- counts:end -->", re.DOTALL)


def test_readme_counts_match_the_build(build_dir: Path) -> None:
    from policykg.store.dataset import load_store

    summary = versions_summary(load_store(build_dir, None))
    match = BLOCK.search(README.read_text(encoding="utf-8")) if README.is_file() else None
    assert match, ("README.md has no counts block; paste this between <!-- counts:start --> and "
                   "<!-- counts:end -->:\n" + summary_markdown(summary))
    assert parse_summary_markdown(match.group(1)) == summary, (
        "README counts are stale; replace the block with:\n" + summary_markdown(summary))

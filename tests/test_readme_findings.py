"""README.md's account of what the shapes and rules find (between <!-- findings:start --> and
<!-- findings:end -->) is the validation report of every encoded version, as `policykg validate --format markdown`
gives it; `python -m policykg.validate.readme` rewrites it."""

from __future__ import annotations

import pytest

from policykg.errors import PolicyKGError
from policykg.validate.readme import START, current_block, readme_path, replace_block
from policykg.validate.render import render


def test_readme_findings_match_the_report(every_version) -> None:
    from policykg.sources.versions import load_registry, locate_text

    june = load_registry().get("meta-uk-2025-06-16")
    if locate_text(june) is None:
        pytest.skip("the June 2025 policy text was not found (the block quotes its spans' offsets)")
    block = render(every_version, "markdown")  # what findings_markdown() writes
    readme = readme_path().read_text(encoding="utf-8")
    current = current_block(readme)
    assert current is not None, f"README.md has no {START} block; add one and run python -m policykg.validate.readme"
    assert current == block, "README findings are stale: run python -m policykg.validate.readme; it should read:\n" + block


def test_replace_block_keeps_the_rest() -> None:
    readme = f"intro\n{START}\nold\n<!-- findings:end -->\noutro\n"
    assert replace_block(readme, "new\n") == f"intro\n{START}\nnew\n<!-- findings:end -->\noutro\n"
    with pytest.raises(PolicyKGError, match="no <!-- findings:start -->"):
        replace_block("no markers here\n", "new\n")

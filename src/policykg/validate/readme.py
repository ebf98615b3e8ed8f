"""The README's account of what the shapes and rules find, regenerated from the validation report.

    python -m policykg.validate.readme           # rewrite the block between the markers in README.md
    python -m policykg.validate.readme --check   # exit 1 (and show the block) if README.md is out of date

The block is `policykg validate --format markdown` over every encoded version with every shape and rule file;
tests/test_validate_policy.py (test_readme_findings_match_the_report) checks it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from policykg.errors import PolicyKGError

START, END = "<!-- findings:start -->", "<!-- findings:end -->"
BLOCK = re.compile(re.escape(START) + r"\n(.*?)" + re.escape(END), re.DOTALL)


def readme_path() -> Path:
    """The project's README.md."""
    from policykg.config import project_root

    return project_root() / "README.md"


def findings_markdown(dpv_dir: Path | str | None = None, texts_dir: Path | str | None = None) -> str:
    """The block: every encoded version validated with every shape and rule, as Markdown."""
    from policykg.config import require_dpv_dir
    from policykg.validate.render import render
    from policykg.validate.versions import run_encoded_versions

    run = run_encoded_versions(require_dpv_dir(dpv_dir), texts_dir)
    return render(run, "markdown")


def current_block(readme: str) -> str | None:
    """The text between the markers, or None when README.md has no such block."""
    match = BLOCK.search(readme)
    return match.group(1) if match else None


def replace_block(readme: str, block: str) -> str:
    """README text with the block between the markers replaced; PolicyKGError when the markers are missing."""
    if current_block(readme) is None:
        raise PolicyKGError(f"no {START} ... {END} block", path=readme_path())
    return BLOCK.sub(lambda _m: f"{START}\n{block}{END}", readme, count=1)


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with --check, compare) the README block; 0 up to date or rewritten, 1 stale, 2 error."""
    parser = argparse.ArgumentParser(prog="python -m policykg.validate.readme", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when README.md is stale")
    parser.add_argument("--dpv-dir")
    parser.add_argument("--texts-dir")
    args = parser.parse_args(argv)
    try:
        path = readme_path()
        readme = path.read_text(encoding="utf-8")
        block = findings_markdown(args.dpv_dir, args.texts_dir)
        updated = replace_block(readme, block)
    except (PolicyKGError, OSError) as exc:
        print(f"readme_findings: error: {exc}", file=sys.stderr)
        return 2
    if updated == readme:
        print(f"{path}: findings block up to date")
        return 0
    if args.check:
        print(f"{path}: findings block is stale; it should read:\n{block}", file=sys.stderr)
        return 1
    path.write_text(updated, encoding="utf-8")
    print(f"{path}: findings block rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())

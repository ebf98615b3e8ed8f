"""Write or check the expected results of the competency questions, one file per (question, version) pair.

    python -m policykg.store.expected --version meta-global-2025-12-16          # write that version's answers
    python -m policykg.store.expected --check                                    # every version: differences, exit 1

A question of one version gets queries/expected/<version>/<name>.srj for each version it applies to (refused pairs
get none, and a stale file there is named); a question across versions keeps its one .srj beside it (--across
writes those too). The files are what `policykg query --cq NAME --version V --format json` prints. Writing them is
not checking them: queries/README.md says how each was checked by another route before it was committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykg.store.applicability import ALL, refusal
from policykg.store.questions import EXPECTED_DIR, CompetencyQuestion, check_question, dumps_json, load_questions, run_question


def pairs(questions: list[CompetencyQuestion], facts: dict, versions: list[str], dpv: bool
          ) -> list[tuple[CompetencyQuestion, str, str | None]]:
    """Every (question, dataset, refusal reason or None) pair: one version's dataset for a question of one version,
    'all' for a question across versions."""
    out: list[tuple[CompetencyQuestion, str, str | None]] = []
    for cq in questions:
        for name in ([ALL] if cq.across_versions else versions):
            out.append((cq, name, refusal(cq, name, facts.get(name), versions=versions, dpv=dpv)))
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (default) or --check the expected results on a build; exit 1 when --check finds a difference."""
    from policykg.config import locate_dpv_dir, queries_dir
    from policykg.store.dataset import load_store, read_manifest
    from policykg.store.views import version_facts

    parser = argparse.ArgumentParser(prog="python -m policykg.store.expected", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build", help="the build to ask (default ./build)")
    parser.add_argument("--dpv-dir", default=None)
    parser.add_argument("--version", action="append", default=[], help="only this version (repeatable)")
    parser.add_argument("--across", action="store_true", help="also the questions across versions")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    build = Path(args.build_dir)
    dpv = locate_dpv_dir(args.dpv_dir).path
    store, manifest = load_store(build, dpv), read_manifest(build)
    versions = [v["name"] for v in manifest.versions]
    facts = version_facts(store)
    problems = 0
    for cq, name, reason in pairs(load_questions(), facts, versions, dpv is not None):
        if (args.version and name not in args.version) or (name == ALL and not args.across and not args.check):
            continue
        target = (cq.path.with_suffix(".srj") if name == ALL else
                  queries_dir() / EXPECTED_DIR / name / f"{cq.name}.srj")
        graphs = [] if name == ALL else manifest.default_graphs(name, dpv=dpv is not None)
        if reason:
            if target.is_file() and name != ALL:
                print(f"{target}: stale, {reason}")
                problems += 1
            continue
        if args.check:
            if cq.expected_file(None if name == ALL else name) is None:
                print(f"{cq.name} on {name}: no expected answer (write it, then check it: queries/README.md)")
                problems += 1
                continue
            found = check_question(store, cq, graphs, None if name == ALL else name)
            if found:
                print(f"{cq.name} on {name}: " + "; ".join(found[:3]))
                problems += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps_json(run_question(store, cq, graphs)), encoding="utf-8")
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

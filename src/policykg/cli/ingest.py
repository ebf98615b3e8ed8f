"""`policykg ingest TEXT --as NAME`: draft a version's sources from a policy text (exit 0 nothing to curate, 1
curation.yaml lists what to curate, 2 error).

The text is drafted from the closest curated version of its regime: the jurisdiction data/versions.yaml registers
for NAME, or, for a name not registered there, the regime the text states (its controller, authority and section);
with no curated version of that regime, from scratch. The report says which base was chosen and why."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policykg.cli.options import resource_options
from policykg.errors import PolicyKGError


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run `policykg ingest`."""
    from policykg.config import data_root as default_root
    from policykg.config import source_tree
    from policykg.ingest.ingest import ingest, refresh_phrases

    root = Path(args.data_root) if args.data_root else default_root()
    writes_into_root = args.refresh_phrases or (args.text and not args.out and not args.dry_run)
    if writes_into_root and not args.data_root and source_tree() is None:
        raise PolicyKGError(f"the curated data/ is installed inside the policykg package ({root}) and is not edited "
                            f"there: copy it (`cp -r {root} data`) and pass --data-root data, or give --out DIR")
    if args.refresh_phrases:
        path, changed = refresh_phrases(root, args.texts_dir)
        print(f"{path}: {'regenerated' if changed else 'already fresh'}")
        if not args.text:
            return 0
    if not args.text or not args.name:
        print("policykg ingest: error: give TEXT and --as NAME (or only --refresh-phrases)", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else root / args.name
    outcome = ingest(Path(args.text), args.name, out, root, dry_run=args.dry_run, texts_dir=args.texts_dir)
    for warning in outcome.warnings:
        print(f"policykg ingest: warning: {warning}", file=sys.stderr)
    report = sys.stderr if args.format == "json" else sys.stdout  # JSON: one object on stdout, the report beside it
    for line in outcome.report:
        print(line, file=report)
    where = "would write" if args.dry_run else "wrote"
    from policykg.sources.load import CURATION_FILE

    print(f"{where} {out}" + (f"; {outcome.open_items} entries to curate in {out / CURATION_FILE}" if outcome.open_items else ""),
          file=report)
    if args.format == "json":
        print(json.dumps(outcome.summary()))
    return 1 if outcome.open_items else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Register `policykg ingest`."""
    p = sub.add_parser("ingest", parents=[resource_options(dpv=False)], help="draft the sources of a policy text (tables or headed blocks) from the curated versions",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", nargs="?", help="the policy text file (UTF-8)")
    p.add_argument("--as", dest="name", help="the version name, e.g. meta-uk-2025-04-07 (see data/versions.yaml)")
    p.add_argument("--out", help="the folder to write (default: data/NAME)")
    p.add_argument("--dry-run", action="store_true", help="only report what would be written or changed")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: print one object {version, base, regime, rows, matched, new, curation_entries} on "
                   "standard output (the report goes to standard error)")
    p.add_argument("--refresh-phrases", action="store_true", help="regenerate data/phrases.yaml from the curated versions")
    p.add_argument("--data-root", help="the data folder (default: the data/ policykg ships; with a wheel, give a copy "
                   "to write into)")
    p.set_defaults(func=cmd_ingest)

"""`policykg track SOURCE --file PATH`: every capture of a document in an Open Terms Archive versions repository (a git
clone or a git bundle), classified against the encoded versions: encoded, same-as, new (a new effective date or a
silent revision) or unreadable, and the distinct versions with their captures.

Exit codes: 0 nothing new, 1 new versions found, 2 error (not a repository, no such file; with --draft, a version
that could not be drafted, after all the others were).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policykg.cli.options import resource_options
from policykg.errors import PolicyKGError


def cmd_track(args: argparse.Namespace) -> int:
    """Run `policykg track`."""
    from policykg.config import data_root as default_root
    from policykg.config import source_tree
    from policykg.ingest.track import render_text, track

    root = Path(args.data_root) if args.data_root else default_root()
    if args.draft and not args.data_root and source_tree() is None:
        raise PolicyKGError(f"the curated data/ is installed inside the policykg package ({root}) and is not edited "
                            f"there: copy it (`cp -r {root} data`) and pass --data-root data")
    tracked = track(Path(args.source), args.file, root, args.texts_dir)
    if args.format == "json":
        print(json.dumps(tracked.to_json(), indent=1))
    else:
        sys.stdout.write(render_text(tracked))
    failed = False
    if args.draft:
        failed = _draft(tracked, root, args)
    if failed:
        return 2
    return 1 if tracked.new_versions else 0


def _draft(tracked, root: Path, args: argparse.Namespace) -> bool:
    """Draft every new version with ingest, each all or nothing; True when one could not be drafted."""
    from policykg.ingest.ingest import ingest
    from policykg.sources.versions import text_search_dirs

    texts_out = Path(args.texts_out) if args.texts_out else text_search_dirs(args.texts_dir)[0][1] / "policies"
    report = sys.stderr if args.format == "json" else sys.stdout
    failed = False
    for version in tracked.new_versions:
        text_path = texts_out / f"{version.name}.md"
        existed = text_path.exists()
        try:
            if not existed:
                texts_out.mkdir(parents=True, exist_ok=True)
                text_path.write_bytes(tracked.texts[version.name])
            elif text_path.read_bytes() != tracked.texts[version.name]:
                raise PolicyKGError("a different text is already there: move it away or give --texts-out", path=text_path)
            outcome = ingest(text_path, version.name, root / version.name, root, texts_dir=args.texts_dir)
        except PolicyKGError as exc:
            if not existed:
                text_path.unlink(missing_ok=True)
            print(f"policykg track: error: {version.name} not drafted: {exc}", file=sys.stderr)
            failed = True
            continue
        for warning in outcome.warnings:
            print(f"policykg track: warning: {version.name}: {warning}", file=sys.stderr)
        base = outcome.base or "none: from scratch"
        print(f"drafted {version.name}: text {text_path}, sources {root / version.name} (base {base}; "
              f"{outcome.open_items} entries to curate); register it in data/versions.yaml", file=report)
    return failed


def register(sub: argparse._SubParsersAction) -> None:
    """Register `policykg track`."""
    p = sub.add_parser("track", parents=[resource_options(dpv=False)], help="classify every capture of a document in an Open Terms Archive repository "
                       "(encoded, same-as, new, unreadable)", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", metavar="SOURCE", help="an Open Terms Archive versions repository: a git clone (folder) "
                   "or a git bundle (file)")
    p.add_argument("--file", required=True, metavar="PATH", help="the document's file in it, e.g. "
                   "'Instagram/Privacy Policy.md'")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--draft", action="store_true", help="draft each new version with `policykg ingest` (its first "
                   "capture saved as <texts-out>/<name>.md, its sources as DATA/<name>/), each all or nothing")
    p.add_argument("--data-root", help="the data folder whose versions.yaml says what is encoded (default: the data/ "
                   "policykg ships; with --draft and a wheel, give a copy to write into)")
    p.add_argument("--texts-out", help="with --draft: where to save the new versions' texts (default: the policies/ "
                   "folder of the texts folder)")
    p.set_defaults(func=cmd_track)

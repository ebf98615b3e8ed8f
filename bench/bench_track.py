"""Benchmark: `policykg track` over the Instagram bundle of ../shared (99 captures, no --draft; target: under 30 s on
2 cores, the whole command).

Run: python bench/bench_track.py [--runs 5] [--bundle FILE --file PATH]. Side by side in each run: the stages in
process (cloning the bundle, reading the history with one git log and one git cat-file, reading every distinct
capture, classifying) and the whole command in a fresh process (start-up included); medians and minimums.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policykg.ingest.history import captures, open_repository
from policykg.ingest.sameness import read_capture
from policykg.ingest.track import track
from policykg.sources.versions import text_search_dirs

TARGET = 30.0
DOC = "Instagram/Privacy Policy.md"


def _bundle() -> Path:
    for _, folder in text_search_dirs():
        if (folder / "ota" / "instagram-privacy-policy.bundle").is_file():
            return folder / "ota" / "instagram-privacy-policy.bundle"
    raise SystemExit("../shared/ota/instagram-privacy-policy.bundle is not beside the project: give --bundle")


def main() -> None:
    """Time the stages and the whole command; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", help="a git bundle or clone (default: ../shared/ota/instagram-privacy-policy.bundle)")
    parser.add_argument("--file", default=DOC, help=f"the document's path in it (default: {DOC})")
    args = parser.parse_args()
    bundle = Path(args.bundle) if args.bundle else _bundle()
    script = str(Path(sys.executable).with_name("policykg"))
    stages = ("clone the bundle", "read the history (git log, cat-file)", "read every distinct capture",
              "track in-process (all stages)", "whole command")
    timings: dict[str, list[float]] = {stage: [] for stage in stages}
    found = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            repo = open_repository(bundle, Path(tmp))
            t1 = time.perf_counter()
            history = captures(repo, args.file)
            t2 = time.perf_counter()
            for data in {c.blob: c.data for c in history}.values():
                read_capture(data)
            t3 = time.perf_counter()
        tracked = track(bundle, args.file)
        t4 = time.perf_counter()
        done = subprocess.run([script, "track", str(bundle), "--file", args.file, "--format", "json"], capture_output=True)
        t5 = time.perf_counter()
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr.decode())
        found = len(tracked.captures)
        for stage, value in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            timings[stage].append(value)
    print(f"policykg track {bundle.name} --file {args.file!r}: {found} captures, {args.runs} runs")
    print(f"{'stage':40} {'median s':>9} {'min s':>7}")
    for stage, values in timings.items():
        print(f"{stage:40} {statistics.median(values):9.3f} {min(values):7.3f}")
    whole = statistics.median(timings["whole command"])
    print(f"target: under {TARGET:.0f} s -> {'met' if whole < TARGET else 'NOT met'} (median {whole:.2f} s, whole command)")


if __name__ == "__main__":
    main()

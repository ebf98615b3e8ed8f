"""Benchmark: `policykg diff` of two encoded versions, and of a version against a text read on the fly
(target: under 1 s each on 2 cores). Each is the whole command in a fresh process (start-up included), timed side
by side in one run.

Run: python bench/bench_diff.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policykg.sources.versions import load_registry, require_version_text


def main() -> None:
    """Time the diff commands; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    registry = load_registry()
    script = str(Path(sys.executable).with_name("policykg"))
    with tempfile.TemporaryDirectory() as tmp:
        capture = Path(tmp) / "capture.md"
        text = require_version_text(registry.get("meta-uk-2025-06-16")).text
        capture.write_text("Cookie notice.\n\n" + text.replace("* Hashtags you use", "* Hashtags and stickers you use", 1),
                           encoding="utf-8")
        cases = {
            "two versions (UK Apr 2025 -> Jun 2025), json": ["meta-uk-2025-04-07", "meta-uk-2025-06-16", "--format", "json"],
            "two jurisdictions (UK Jun 2025 -> EU Dec 2025), html": ["meta-uk-2025-06-16", "meta-eu-2025-12-16",
                                                                     "--format", "html"],
            "a fresh capture read on the fly, text": ["meta-uk-2025-06-16", str(capture)],
        }
        timings: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, argv in cases.items():
                started = time.perf_counter()
                done = subprocess.run([script, "diff", *argv], capture_output=True)
                timings[name].append(time.perf_counter() - started)
                assert done.returncode == 1, done.stderr.decode()
    print(f"policykg diff, {args.runs} runs each, whole command (process start included)")
    print(f"{'comparison':56} {'median s':>9} {'min s':>7}")
    for name, values in timings.items():
        print(f"{name:56} {statistics.median(values):9.3f} {min(values):7.3f}")
    worst = max(statistics.median(v) for v in timings.values())
    print(f"target: under 1 s -> {'met' if worst < 1 else 'NOT met'} (slowest median {worst:.2f} s)")


if __name__ == "__main__":
    main()

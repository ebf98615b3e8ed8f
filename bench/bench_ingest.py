"""Benchmark: how long one `policykg ingest` takes, by stage (target: under 3 s on 2 cores).

Run: python bench/bench_ingest.py [--runs 5] [--text FILE --as NAME]. Default: the EU text of 16 Dec 2025
(headed blocks, the most to draft) as a new version, into a temporary folder. Prints the median and min of
reading the text, drafting (phrase table, base version, matching, notice relocation) and the whole command.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from policykg.config import data_root
from policykg.ingest.draft import draft_version
from policykg.ingest.ingest import ingest
from policykg.ingest.phrases import load_phrases
from policykg.sources.versions import load_registry, require_version_text
from policykg.text.capture import read_policy_text
from policykg.text.reader import read_policy


def main() -> None:
    """Time the reader, the draft and the whole ingest; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--text", help="the policy text (default: the EU text of the registry)")
    parser.add_argument("--as", dest="name", default="meta-eu-2025-12-16")
    args = parser.parse_args()
    root = data_root()
    registry = load_registry(root)
    text_path = Path(args.text) if args.text else require_version_text(registry.get(args.name)).path
    timings: dict[str, list[float]] = {"read the text (reader)": [], "draft (terms, matching, notice)": [], "whole ingest (writes)": []}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            t0 = time.perf_counter()
            text = read_policy_text(text_path).text
            parsed = read_policy(text, text_path)
            t1 = time.perf_counter()
            draft_version(text, text_path, args.name, registry, load_phrases(root / "phrases.yaml"), parsed, root / "links.yaml")
            t2 = time.perf_counter()
            ingest(text_path, args.name, Path(tmp) / f"run{run}", root)
            t3 = time.perf_counter()
            timings["read the text (reader)"].append(t1 - t0)
            timings["draft (terms, matching, notice)"].append(t2 - t1)
            timings["whole ingest (writes)"].append(t3 - t2)
    print(f"ingest {text_path.name} as {args.name}, {args.runs} runs")
    print(f"{'stage':36} {'median s':>9} {'min s':>7}")
    for stage, values in timings.items():
        print(f"{stage:36} {statistics.median(values):9.3f} {min(values):7.3f}")


if __name__ == "__main__":
    main()

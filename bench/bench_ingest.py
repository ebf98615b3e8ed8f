"""Benchmark: how long one `policykg ingest` takes (target: under 1.5 s on 2 cores, the whole command).

Run: python bench/bench_ingest.py [--runs 5]. Three texts, side by side in each run, each drafted as a version that is
not registered (so the base is chosen by the regime the text states) into a temporary folder: the UK text of 16 June
2025 (a fresh capture of a curated version: tables, 39 rows), the EU text of 16 December 2025 (headed blocks, the most
to draft) and the global text of 16 December 2025 (the global regime: from a curated global version if there is one,
else from scratch). For each: the reader, the draft (base, matching, phrases, notice), the ingest in-process (writes
included) and the whole command in a fresh process (start-up included); medians and minimums.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policykg.config import data_root
from policykg.ingest.draft import draft_version
from policykg.ingest.ingest import ingest
from policykg.ingest.phrases import load_phrases
from policykg.sources.versions import load_registry, text_search_dirs
from policykg.text.capture import read_policy_text
from policykg.text.reader import read_policy

TEXTS = {"UK 16 Jun 2025 (tables)": "000_58dca1eb2e4de648.txt", "EU 16 Dec 2025 (blocks)": "meta-eu-2025-12-16.md",
         "global 16 Dec 2025 (blocks)": "meta-global-2025-12-16.md"}
STAGES = ("read the text (reader)", "draft (base, matching, notice)", "ingest in-process (writes)", "whole command")
TARGET = 1.5


def _find(name: str) -> Path:
    for _, folder in text_search_dirs():
        if (folder / name).is_file():
            return folder / name
    raise SystemExit(f"{name} is not beside the project (../shared): cannot benchmark it")


def main() -> None:
    """Time the reader, the draft, the ingest and the whole command for each text; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = data_root()
    registry = load_registry(root)
    script = str(Path(sys.executable).with_name("policykg"))
    texts = {label: _find(name) for label, name in TEXTS.items()}
    timings = {(label, stage): [] for label in texts for stage in STAGES}
    bases: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for k, (label, path) in enumerate(texts.items()):
                name = f"bench-{k}"
                t0 = time.perf_counter()
                text = read_policy_text(path).text
                parsed = read_policy(text, path)
                t1 = time.perf_counter()
                draft = draft_version(text, path, name, registry, load_phrases(root / "phrases.yaml"), parsed,
                                      root / "links.yaml")
                t2 = time.perf_counter()
                ingest(path, name, Path(tmp) / f"run{run}-{k}", root)
                t3 = time.perf_counter()
                done = subprocess.run([script, "ingest", str(path), "--as", name, "--out", str(Path(tmp) / f"cmd{run}-{k}"),
                                       "--format", "json"], capture_output=True)
                t4 = time.perf_counter()
                if done.returncode not in (0, 1):
                    raise SystemExit(done.stderr.decode())
                bases[label] = draft.base or "none (from scratch)"
                for stage, value in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    timings[(label, stage)].append(value)
    print(f"policykg ingest, {args.runs} runs, each text as a version not registered")
    print(f"{'text':30} {'stage':32} {'median s':>9} {'min s':>7}")
    for (label, stage), values in timings.items():
        print(f"{label:30} {stage:32} {statistics.median(values):9.3f} {min(values):7.3f}")
    for label, base in bases.items():
        print(f"{label}: drafted from {base}")
    worst = max(statistics.median(timings[(label, 'whole command')]) for label in texts)
    print(f"target: under {TARGET} s -> {'met' if worst < TARGET else 'NOT met'} (slowest median {worst:.2f} s, whole command)")


if __name__ == "__main__":
    main()

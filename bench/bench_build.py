"""Benchmark: how long `policykg build` takes for every version, by stage (target: nine versions, the UK, EU and
global notices with their links and nine comparisons, under 6 s on 2 cores).

Run: python bench/bench_build.py [--runs 5]. Prints the median and min of each stage over the runs, measured side by
side in one process, and the share of each stage in the whole build.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from policykg.build.pipeline import build, compile_graphs, write_build
from policykg.config import require_dpv_dir

#: Seconds the full build of every version may take (issue 17: nine versions under 6 s).
TARGET = 6.0


def main() -> None:
    """Time compile (load, check, RDF, links, diffs), serialise and the full build; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dpv_dir = require_dpv_dir()
    stages = ("compile every version (load + check + RDF + links + diffs)", "serialise (dumps, dataset, gzip, VoID, CSV, reports)",
              "full build")
    timings: dict[str, list[float]] = {stage: [] for stage in stages}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            t0 = time.perf_counter()
            compiled = compile_graphs(dpv_dir, strict=True)
            _ = compiled.changes  # the change graphs are built lazily: count them in compile
            t1 = time.perf_counter()
            write_build(Path(tmp) / f"s{run}", compiled)
            t2 = time.perf_counter()
            build(Path(tmp) / f"b{run}", dpv_dir, strict=True)
            t3 = time.perf_counter()
            for stage, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2), strict=True):
                timings[stage].append(seconds)
    full = statistics.median(timings["full build"])
    sizes = ", ".join(f"{name} {len(compiled.version_triples(name))}" for name in compiled.versions)
    print(f"policykg build, {args.runs} runs; triples: ontology {len(compiled.ontology)}, {sizes}, "
          f"links {len(compiled.links)}, changes {sum(len(compiled.changes.current(n)) for n in compiled.changes)}")
    print(f"{'stage':62} {'median s':>9} {'min s':>7} {'share':>6}")
    for stage, values in timings.items():
        median = statistics.median(values)
        print(f"{stage:62} {median:9.3f} {min(values):7.3f} {median / full:6.0%}")
    print(f"target: full build of {len(compiled.versions)} versions and {len(compiled.diffs)} comparisons under "
          f"{TARGET:g} s -> {'met' if full < TARGET else 'NOT met'} (median {full:.2f} s)")


if __name__ == "__main__":
    main()

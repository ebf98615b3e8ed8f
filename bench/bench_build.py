"""Benchmark: how long `policykg build` takes, by stage (target: whole build under 3 s on 2 cores).

Run: python bench/bench_build.py [--runs 5]. Prints the median and min of each stage over the runs, measured
side by side in one process, and the share of each stage in the whole build.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from policykg.build import build, compile_graphs
from policykg.config import require_dpv_dir, require_source_text
from policykg.dumps import write_artefacts


def main() -> None:
    """Time compile, serialise and the full build; print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dpv_dir, text = require_dpv_dir(), require_source_text()
    timings: dict[str, list[float]] = {"compile (load + check + RDF)": [], "serialise (12 dumps + gzip + VoID + CSV)": [], "full build": []}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            t0 = time.perf_counter()
            compiled = compile_graphs(dpv_dir, text, strict=True)
            t1 = time.perf_counter()
            out = Path(tmp) / f"s{run}"
            out.mkdir()
            write_artefacts(out, compiled.ontology, compiled.data, compiled.notice_url, compiled.effective)
            t2 = time.perf_counter()
            build(Path(tmp) / f"b{run}", dpv_dir, text, strict=True)
            t3 = time.perf_counter()
            timings["compile (load + check + RDF)"].append(t1 - t0)
            timings["serialise (12 dumps + gzip + VoID + CSV)"].append(t2 - t1)
            timings["full build"].append(t3 - t2)
    full = statistics.median(timings["full build"])
    print(f"policykg build, {args.runs} runs, triples: ontology {len(compiled.ontology)}, data {len(compiled.data)}")
    print(f"{'stage':45} {'median s':>9} {'min s':>7} {'share':>6}")
    for stage, values in timings.items():
        median = statistics.median(values)
        print(f"{stage:45} {median:9.3f} {min(values):7.3f} {median / full:6.0%}")
    print(f"target: full build under 3 s -> {'met' if full < 3 else 'NOT met'} (median {full:.2f} s)")


if __name__ == "__main__":
    main()

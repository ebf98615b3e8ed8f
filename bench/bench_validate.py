"""Benchmark: full SHACL validation of the policy graph with DPV as the ontology graph (target: under 3 s).

Run: python bench/bench_validate.py [--runs 5]. Measures, in one process: loading DPV (parse + filter), the
validation itself per shape file and with all shapes (pySHACL + reading the report), and the whole
`policykg validate` as a user runs it (compile the sources, load DPV, validate, render the text report) in a
fresh process. Prints the median and min over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from policykg.build import compile_graphs
from policykg.config import require_dpv_dir, require_source_text
from policykg.report import render
from policykg.validate import SHAPE_SETS, SourceText, load_dpv_graph, validate_graph


def _time(fn, runs: int) -> list[float]:
    values = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        values.append(time.perf_counter() - t0)
    return values


def main() -> None:
    """Time each stage; print a table and whether the target is met."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dpv_dir, text_path = require_dpv_dir(), require_source_text()
    compiled = compile_graphs(dpv_dir, text_path, strict=True)
    graphs = [compiled.ontology, compiled.data]
    text = SourceText.read(text_path)
    dpv = load_dpv_graph(dpv_dir)
    validate_graph(graphs, dpv, None, text)  # warm-up: imports pySHACL, parses the shapes once

    timings: dict[str, list[float]] = {"load DPV 2.3 (5 files)": _time(lambda: load_dpv_graph(dpv_dir), args.runs)}
    for name in SHAPE_SETS:
        timings[f"validate: {name}"] = _time(lambda n=name: validate_graph(graphs, dpv, [n], text), args.runs)
    timings["validate: all shapes + text report"] = _time(
        lambda: render(validate_graph(graphs, dpv, None, text), "text"), args.runs)
    exe = Path(sys.executable).with_name("policykg")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "policykg"]
    timings["`policykg validate` (new process, end to end)"] = _time(
        lambda: subprocess.run([*command, "validate"], capture_output=True, check=False), args.runs)

    outcome = validate_graph(graphs, dpv, None, text)
    print(f"policykg validate, {args.runs} runs; data {sum(len(g) for g in graphs)} triples, DPV subset {len(dpv)} "
          f"triples; findings: {outcome.counts()}")
    print(f"{'stage':50} {'median s':>9} {'min s':>7}")
    for stage, values in timings.items():
        print(f"{stage:50} {statistics.median(values):9.3f} {min(values):7.3f}")
    full = statistics.median(timings["validate: all shapes + text report"] ) + statistics.median(
        timings["load DPV 2.3 (5 files)"])
    end_to_end = statistics.median(timings["`policykg validate` (new process, end to end)"])
    print(f"target: full validation with DPV under 3 s -> {'met' if full < 3 else 'NOT met'} "
          f"(load DPV + validate: {full:.2f} s; whole command incl. compile and start-up: {end_to_end:.2f} s)")


if __name__ == "__main__":
    main()

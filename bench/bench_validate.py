"""Benchmark: SHACL validation of every version with every shape and rule (target: under 5 s after DPV is loaded).

Run: python bench/bench_validate.py [--runs 5]. Loading DPV (parse + filter) and the shape and rule files, once;
then validating each version on its own, reading the findings, in one process with one reused workspace (DPV and
the ontology loaded once, each version's data added for its run) and as `policykg validate` does by default (one
forked worker process per CPU, each with its workspace); rendering the text report; then the whole
`policykg validate` as a user runs it (compile every version, load DPV, validate, report), in a fresh process. Versions that are registered but not encoded yet are
stood in for by the June 2025 data under their own namespace (and, for the EU version, the EU's applicable law),
so the figure is for as many versions as data/versions.yaml registers. Prints the median and min over the runs,
wall-clock and CPU time (the machine may be shared: CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef

from policykg.build.pipeline import compile_graphs
from policykg.config import require_dpv_dir
from policykg.namespaces import LEGAL_EU, LEGAL_GB
from policykg.sources.versions import load_registry
from policykg.validate.library import ShapeLibrary
from policykg.validate.render import render
from policykg.validate.shacl import load_dpv_graph
from policykg.validate.versions import encoded_versions, validate_versions

TARGET_S = 5.0
VALIDATE_ALL = "validate {n} versions, {w} worker processes (the default)"


def stand_in(data: Graph, old_base: str, new_base: str, eu: bool) -> Graph:
    """A copy of a version's data under another version's namespace (with the EU's law for an EU version)."""
    out = Graph()
    law = {LEGAL_GB["law-GDPR"]: LEGAL_EU["law-GDPR"]} if eu else {}

    def move(term):
        if isinstance(term, URIRef) and str(term).startswith(old_base):
            return URIRef(new_base + str(term)[len(old_base):])
        return law.get(term, term)

    for s, p, o in data:
        out.add((move(s), p, move(o)))
    return out


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float], object]:
    """Wall-clock and CPU seconds of each run, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, result


def main() -> None:
    """Time each stage; print a table and whether the target is met."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dpv_dir = require_dpv_dir()
    registry = load_registry()
    encoded = [v.name for v in encoded_versions(registry)]
    compiled = compile_graphs(dpv_dir, versions=encoded)
    model = registry.get(encoded[-1])
    for version in registry.versions:
        if version.name not in compiled.versions:
            compiled.versions[version.name] = stand_in(compiled.versions[model.name], model.base, version.base,
                                                       version.jurisdiction == "eu")
            if model.name in compiled.texts:
                compiled.texts[version.name] = compiled.texts[model.name]
    names = registry.names
    stood_in = [n for n in names if n not in encoded]

    timings: dict[str, tuple[list[float], list[float]]] = {}
    wall, cpu, dpv = timed(lambda: load_dpv_graph(dpv_dir), args.runs)
    timings["load DPV 2.3 (7 files, filtered)"] = (wall, cpu)
    wall, cpu, library = timed(ShapeLibrary.load, args.runs)
    timings["load shapes + rules + provisions"] = (wall, cpu)
    validate_versions(compiled, names, library, dpv, workers=1)  # warm-up: imports pySHACL, parses the SPARQL once
    wall, cpu, run = timed(lambda: validate_versions(compiled, names, library, dpv, workers=1), args.runs)
    timings[f"validate {len(names)} versions, one process"] = (wall, cpu)
    wall, _cpu, run = timed(lambda: validate_versions(compiled, names, library, dpv), args.runs)
    workers = min(len(names), os.cpu_count() or 1)
    timings[VALIDATE_ALL.format(n=len(names), w=workers)] = (wall, [float("nan")] * len(wall))
    wall, cpu, _ = timed(lambda: render(run, "text"), args.runs)
    timings["render the text report"] = (wall, cpu)
    exe = Path(sys.executable).with_name("policykg")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "policykg"]
    wall, cpu, _ = timed(lambda: subprocess.run([*command, "validate"], capture_output=True, check=False), args.runs)
    timings[f"`policykg validate` (new process; {len(encoded)} encoded)"] = (wall, [float("nan")] * len(wall))

    print(f"policykg validate, {args.runs} runs; versions: {', '.join(names)}"
          + (f" ({', '.join(stood_in)} stood in for by {model.name}'s data)" if stood_in else ""))
    for result in run.results:
        print(f"  {result.name} [{result.jurisdiction}]: {result.outcome.triples} triples, {result.outcome.counts()}")
    print(f"{'stage':58} {'wall median':>11} {'wall min':>9} {'cpu median':>11}")
    for stage, (w, c) in timings.items():
        print(f"{stage:58} {statistics.median(w):11.3f} {min(w):9.3f} {statistics.median(c):11.3f}")
    total = statistics.median(timings[VALIDATE_ALL.format(n=len(names), w=workers)][0])
    alone = timings[f"validate {len(names)} versions, one process"]
    verdict = "met" if total < TARGET_S else "NOT met"
    print(f"target: every version with every shape and rule under {TARGET_S:.0f} s once DPV is loaded -> {verdict} "
          f"({total:.2f} s wall with {workers} worker processes; one process: {statistics.median(alone[0]):.2f} s wall, "
          f"{statistics.median(alone[1]):.2f} s CPU)")


if __name__ == "__main__":
    main()

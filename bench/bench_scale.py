"""Synthetic corpus: N renamed copies of the build's data, to see how loading and querying scale.

Usage: python bench/bench_scale.py [--copies 100] [--out DIR] [--build-dir DIR] [--seconds 5]
Writes DIR (default: a temporary folder) with the build's dataset manifest and its dataset file holding every
quad outside the ontology graph --copies times, in the same named graphs, copy k's instance IRIs renamed from
https://w3id.org/policykg/meta-... to https://w3id.org/policykg/synthetic-k-meta-... (copy 0 keeps the real IRIs,
so the benchmark queries still find what they name). Then loads it with policykg.store.load_store (the one place
that decides what a store holds) and reports the quads, the load time, the loading process's peak memory, and the
engine alone on the `simple` and `cq` mixes of bench_endpoint.py. With --out, the folder stays for
`python bench/bench_endpoint.py --build-dir DIR`.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_endpoint import engine_alone, query_mix  # noqa: E402

from policykg.config import default_build_dir, locate_dpv_dir  # noqa: E402
from policykg.store import DATASET_FILE, MANIFEST_FILE, load_store, read_manifest  # noqa: E402

INSTANCES = "https://w3id.org/policykg/meta-"


def write_corpus(build_dir: Path, out: Path, copies: int) -> int:
    """Write the synthetic build folder; return the number of quads written."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build_dir / MANIFEST_FILE, out / MANIFEST_FILE)
    ontology = f"<{read_manifest(build_dir).ontology_graph}> ."
    lines = (build_dir / DATASET_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    written = 0
    with (out / DATASET_FILE).open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            renamed = f"https://w3id.org/policykg/synthetic-{copy}-meta-"
            for line in lines:
                if copy and line.rstrip().endswith(ontology):
                    continue
                handle.write(line.replace(INSTANCES, renamed) if copy else line)
                written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--out", type=Path, default=None, help="keep the corpus here (default: a temporary folder)")
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--dpv-dir", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per engine measurement")
    args = parser.parse_args(argv)
    build_dir = args.build_dir or default_build_dir()
    if not (build_dir / DATASET_FILE).is_file():
        raise SystemExit(f"no build in {build_dir}: run `policykg build --out {build_dir}` first")
    dpv_dir = locate_dpv_dir(args.dpv_dir).path
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "corpus"
        started = time.perf_counter()
        quads = write_corpus(build_dir, out, args.copies)
        written = time.perf_counter() - started
        started = time.perf_counter()
        store = load_store(out, dpv_dir)
        loaded = time.perf_counter() - started
        triples = len(store)
        del store
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rates = {name: engine_alone(out, dpv_dir, query_mix(name), args.seconds) for name in ("simple", "cq")}
    print("| copies | quads written | store quads | write s | load s | peak MB | simple q/s | cq q/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.copies} | {quads} | {triples} | {written:.1f} | {loaded:.1f} | {peak_mb:.0f} | "
          f"{rates['simple']:.0f} | {rates['cq']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

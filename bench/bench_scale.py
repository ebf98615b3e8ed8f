"""Synthetic corpora of 1, 10 and 100 copies of the data, served by each store design: what scale costs.

Usage: python bench/bench_scale.py [--copies 1 10 100] [--stores memory disk] [--duration 10] [--connections 8]
                                   [--work DIR] [--json PATH]
Needs: wrk (apt-get install wrk) and a build (policykg build).

The corpus of N copies is the build with every quad outside the ontology graph written N times: copy 0 is the
build itself, copy k has every policykg IRI but the ontology's renamed from https://w3id.org/policykg/... to
https://w3id.org/policykg/synthetic-k/..., its named graphs included. So the store grows N times while the
primary version's dataset, what /sparql answers over, stays the build's: the manifest is the build's, and every
competency question must give the same rows at every size (checked). That is the growth this project expects
(more policies and versions beside the one a client asks about); copying into the same graphs instead would grow
every answer N times and measure the query engine on bigger answers, the same work under either store.

For each corpus and each design it starts `policykg serve` (2 HTTP workers x 2 query processes, response cache
off, query timeout --query-timeout) on 127.0.0.1 and reports: prepare s (the on-disk store built before serving;
nothing for memory), start-up s (launch until every HTTP worker has logged its pool ready and the server answers),
total RSS and PSS of every serving process (the main process, its HTTP workers and their query processes, from
/proc) after the load run, "back after kill" s (every query process SIGKILLed at once, until /sparql answers a query again: a query
process restarting, the others with it), and wrk's req/s, p50 and p99 over the competency questions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_endpoint import post, query_mix, run_wrk, wait_up, wrk_inputs  # noqa: E402

from policykg.local_server import free_port  # noqa: E402
from policykg.store.dataset import DATASET_FILE, MANIFEST_FILE, read_manifest  # noqa: E402
from policykg.store.disk import ensure_disk_store  # noqa: E402

#: Every policykg IRI but the ontology's (its terms are shared by all copies, like DPV's).
OURS = re.compile(r"<https://w3id\.org/policykg/(?!ontology[#/>])")


@dataclass
class Row:
    """One design serving one corpus."""

    copies: int
    store: str
    quads: int
    prepare_s: float
    startup_s: float
    rss_mb: float
    pss_mb: float
    back_after_kill_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def write_corpus(build_dir: Path, out: Path, copies: int) -> int:
    """Write the synthetic build folder (manifest, dataset, SHA256SUMS as a build does); return its quads."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build_dir / MANIFEST_FILE, out / MANIFEST_FILE)
    ontology = f"<{read_manifest(build_dir).ontology_graph}> ."
    lines = (build_dir / DATASET_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(line for line in lines if not line.rstrip().endswith(ontology))
    digest = hashlib.sha256()
    with (out / DATASET_FILE).open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            text = "".join(lines) if copy == 0 else OURS.sub(f"<https://w3id.org/policykg/synthetic-{copy}/", body)
            handle.write(text)
            digest.update(text.encode("utf-8"))
    (out / "SHA256SUMS").write_text(f"{digest.hexdigest()}  {DATASET_FILE}\n", encoding="utf-8")
    return len(lines) + (copies - 1) * body.count("\n")


def descendants(root: int) -> list[int]:
    """root and every process below it (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """Total RSS and PSS of these processes, MB (smaps_rollup)."""
    rss = pss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        rss += int(re.search(r"^Rss:\s+(\d+)", text, re.MULTILINE).group(1))
        pss += int(re.search(r"^Pss:\s+(\d+)", text, re.MULTILINE).group(1))
    return rss / 1024, pss / 1024


def query_processes(master: int) -> list[int]:
    """The query processes: the grandchildren of the server's main process."""
    return [pid for pid in descendants(master) if _depth(pid, master) == 2]


def _depth(pid: int, root: int) -> int:
    """How many parents up from pid root is (-1: not below it)."""
    depth = 0
    while pid != root and pid > 1:
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        depth += 1
    return depth if pid == root else -1


def start_server(corpus: Path, dpv_dir: Path | None, store: str, cache: Path, log: Path, workers: int,
                 query_timeout: float) -> tuple[subprocess.Popen, str, float]:
    """Start `policykg serve` on the corpus; return it, its URL and the seconds until every worker's pool is up."""
    port = free_port()
    command = [sys.executable, "-m", "policykg.cli.serve", "--host", "127.0.0.1", "--port", str(port),
               "--build-dir", str(corpus), "--no-build", "--store", store, "--store-dir", str(cache),
               "--workers", str(workers), "--cache-entries", "0", "--timeout", str(query_timeout),
               "--log-level", "info", *(["--dpv-dir", str(dpv_dir)] if dpv_dir else ["--no-dpv"])]
    started = time.perf_counter()
    with log.open("w") as stderr:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}/sparql"
    while log.read_text().count("query workers, store") < workers:
        if server.poll() is not None or time.perf_counter() - started > 900:
            raise SystemExit(f"{store} server on {corpus} did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.05)
    wait_up(url, server, 900 - (time.perf_counter() - started))  # granian's workers listen only once started
    return server, url, time.perf_counter() - started


def answers(url: str, queries: list[tuple[str, str]]) -> dict[str, object]:
    """Each query's row count (or boolean) from this server; SystemExit on any error."""
    found: dict[str, object] = {}
    for name, text in queries:
        status, body = post(url, text)
        if status != 200:
            raise SystemExit(f"{url} answered {status} to {name}: {body[:300]!r}")
        answer = json.loads(body)
        found[name] = answer["boolean"] if "boolean" in answer else len(answer["results"]["bindings"])
    return found


def back_after_kill(master: int, url: str) -> float:
    """SIGKILL every query process at once; seconds until /sparql answers a query again."""
    victims = query_processes(master)
    started = time.perf_counter()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    attempt = 0
    while time.perf_counter() - started < 600:
        attempt += 1
        try:
            if post(url, f"ASK {{ ?s ?p ?o }} # after kill {attempt}")[0] == 200:
                return time.perf_counter() - started
        except OSError:
            pass
    raise SystemExit(f"{url} did not answer within 600 s of the kill")


def stop(server: subprocess.Popen) -> None:
    """Terminate a server and wait for it."""
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def measure(corpus: Path, dpv_dir: Path | None, copies: int, store: str, args: argparse.Namespace,
            expected: dict[str, dict[str, object]]) -> Row:
    """Prepare, start, check, load, weigh and kill one design on one corpus."""
    cache = corpus.parent / f"{corpus.name}-{store}-store"
    started = time.perf_counter()
    quads = 0
    if store == "disk":
        held = ensure_disk_store(corpus, dpv_dir, cache)
        quads = held.quads
        held.release()
    prepared = time.perf_counter() - started
    queries = query_mix("cq")
    server, url, startup = start_server(corpus, dpv_dir, store, cache, corpus.parent / f"{store}-{copies}.log",
                                        args.workers, args.query_timeout)
    try:
        found = answers(url, queries)
        reference = expected.setdefault("rows", found)
        if found != reference:
            raise SystemExit(f"{store} on {copies} copies disagrees with the first server: {found} != {reference}")
        health = json.loads(urllib_get(url.replace("/sparql", "/healthz")))
        quads = quads or int(health["detail"]["triples"])
        with tempfile.TemporaryDirectory() as tmp:
            run_wrk(url, queries, args.connections, 2, Path(tmp))  # warm-up
            load = run_wrk(url, queries, args.connections, args.duration, Path(tmp))
        rss, pss = memory_mb(descendants(server.pid))
        back = back_after_kill(server.pid, url)
    finally:
        stop(server)
    return Row(copies, store, quads, round(prepared, 2), round(startup, 2), round(rss), round(pss), round(back, 3),
               round(load["requests_per_s"]), load["p50_ms"], load["p99_ms"], load["errors"])


def urllib_get(url: str) -> bytes:
    """The body of a GET."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def report(rows: list[Row], args: argparse.Namespace) -> None:
    """Print the Markdown table."""
    print(f"\n{args.workers} HTTP workers x 2 query processes, response cache off; wrk {args.duration} s at "
          f"{args.connections} connections over the {len(query_mix('cq'))} competency questions; {os.cpu_count()} cores.\n")
    print("| copies | store | quads | prepare s | start-up s | RSS MB (PSS) | back after kill s | req/s | p50 ms | "
          "p99 ms | errors |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.copies} | {r.store} | {r.quads} | {r.prepare_s:.1f} | {r.startup_s:.1f} | {r.rss_mb:.0f} "
              f"({r.pss_mb:.0f}) | {r.back_after_kill_s:.2f} | {r.requests_per_s} | {r.p50_ms:.2f} | "
              f"{r.p99_ms:.2f} | {r.errors} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--stores", nargs="+", choices=["memory", "disk"], default=["memory", "disk"])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per cell")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="HTTP workers")
    parser.add_argument("--query-timeout", type=float, default=60.0,
                        help="serve --timeout: generous, so that no answer of a slow design is cut short")
    parser.add_argument("--work", type=Path, default=None, help="keep the corpora and stores here (default: temporary)")
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--dpv-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=HERE / "results-scale.json")
    args = parser.parse_args(argv)
    build_dir, dpv_dir = wrk_inputs(args.build_dir, args.dpv_dir)
    rows: list[Row] = []
    expected: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        for copies in args.copies:
            corpus = work / f"corpus-{copies}"
            started = time.perf_counter()
            written = write_corpus(build_dir, corpus, copies)
            print(f"{copies} copies: {written} quads written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            for store in args.stores:
                rows.append(measure(corpus, dpv_dir, copies, store, args, expected))
                print(f"  {asdict(rows[-1])}", file=sys.stderr)
                args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1) + "\n", encoding="utf-8")
            if args.work is None:
                shutil.rmtree(corpus.parent / f"{corpus.name}-disk-store", ignore_errors=True)
                shutil.rmtree(corpus, ignore_errors=True)
    report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

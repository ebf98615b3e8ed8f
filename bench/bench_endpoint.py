"""Benchmark: this endpoint vs rdflib-endpoint vs `oxigraph serve-read-only`, same data, same query mix, with wrk.

Usage: python bench/bench_endpoint.py [--build-dir DIR] [--dpv-dir DIR] [--duration 10] [--connections 1 8]
                                      [--mix cq simple] [--store disk|memory]
Needs: wrk (apt-get install wrk), pip install oxigraph rdflib-endpoint uvicorn.
Every server binds to 127.0.0.1. Two query mixes: `cq`, the 34 competency questions, and `simple`, six small
lookups where the engine's own time is small and the HTTP path dominates. For each mix it also measures the
engine alone (pyoxigraph in this process, query + JSON serialisation, no HTTP). Prints a Markdown table per mix
(req/s, p50, p99, errors, ratios) and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from policykg.config import default_build_dir, locate_dpv_dir  # noqa: E402
from policykg.iris import DPV_GRAPH  # noqa: E402
from policykg.local_server import ServerNotUp, free_port, wait_until_answers  # noqa: E402
from policykg.store.dataset import DATASET_FILE, DPV_TURTLE_FILES, read_manifest  # noqa: E402

WRK_SCRIPT = """
local bodies = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local body = bodies[(counter %% #bodies) + 1]
  return wrk.format("POST", "%s", {["Content-Type"] = "application/x-www-form-urlencoded",
                                   ["Accept"] = "application/sparql-results+json"}, body)
end
"""


@dataclass
class Result:
    server: str
    connections: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    low: float = 0.0  # lowest and highest req/s over the rounds
    high: float = 0.0


def median_result(runs: list[Result]) -> Result:
    """The round with the median req/s, with the range over all rounds and the errors of all of them."""
    ranked = sorted(runs, key=lambda r: r.requests_per_s)
    middle = ranked[len(ranked) // 2]
    return Result(middle.server, middle.connections, middle.requests_per_s, middle.p50_ms, middle.p99_ms,
                  middle.requests, sum(r.errors for r in runs), ranked[0].requests_per_s, ranked[-1].requests_per_s)


def query_mix(name: str = "cq") -> list[tuple[str, str]]:
    """`cq`: the competency questions (queries/*.rq) if present, else bench/queries/*.rq; `simple`: SIMPLE_MIX."""
    if name == "simple":
        return list(SIMPLE_MIX)
    for folder in (ROOT / "queries", HERE / "queries"):
        files = sorted(folder.glob("*.rq"))
        if files:  # the questions over the primary version's dataset (what /sparql answers), not `# dataset: all`
            texts = [(path.name, path.read_text(encoding="utf-8")) for path in files]
            return [(name, text) for name, text in texts if "\n# dataset: all" not in "\n" + text]
    raise SystemExit("no queries found")


_PREFIXES = ("PREFIX dpv: <https://w3id.org/dpv#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "PREFIX meta: <https://w3id.org/policykg/meta-uk-2025-06-16/> ")
#: Six small lookups of the kind a linked-data page or a client library sends: the HTTP path dominates.
SIMPLE_MIX: tuple[tuple[str, str], ...] = (
    ("ask-process", _PREFIXES + "ASK { ?p a dpv:Process }"),
    ("label", _PREFIXES + "SELECT ?label WHERE { <https://w3id.org/policykg/meta-uk-2025-06-16/process/"
                          "consent-device-based-settings> rdfs:label ?label }"),
    ("count-processes", _PREFIXES + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dpv:Process }"),
    ("bases", _PREFIXES + "SELECT ?p ?basis WHERE { ?p dpv:hasLegalBasis ?basis } ORDER BY ?p ?basis LIMIT 10"),
    ("notice", _PREFIXES + "SELECT ?p ?o WHERE { meta:notice ?p ?o } ORDER BY ?p ?o LIMIT 20"),
    ("rights", _PREFIXES + "SELECT ?right WHERE { <https://w3id.org/policykg/meta-uk-2025-06-16/process/"
                           "consent-device-based-settings> dpv:hasRight ?right } ORDER BY ?right"),
)


def engine_alone(build_dir: Path, dpv_dir: Path | None, queries: list[tuple[str, str]], seconds: float) -> float:
    """Queries per second of pyoxigraph itself on the mix (round-robin, answers serialised as SPARQL JSON)."""
    import pyoxigraph as ox

    from policykg.store.dataset import load_store, query

    store = load_store(build_dir, dpv_dir)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _, text in queries:
            query(store, text).serialize(format=ox.QueryResultsFormat.JSON)
        done += len(queries)
    return done / (time.perf_counter() - started)


def post(url: str, query: str) -> tuple[int, bytes]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_up(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until the SPARQL server at url answers ASK {} (polling every 0.05 s)."""
    try:
        wait_until_answers(url, process, seconds, interval=0.05, probe=lambda u: post(u, "ASK {}")[0] == 200)
    except ServerNotUp as exc:
        raise SystemExit(str(exc)) from None


def graph_files(build_dir: Path, dpv_dir: Path | None, work: Path) -> list[tuple[str, Path]]:
    """The graphs of the primary version's dataset (what /sparql answers over), one N-Triples file each, and DPV:
    what the peers load, with their default graph the union of them."""
    import pyoxigraph as ox

    wanted = [graph for graph in read_manifest(build_dir).default_graphs(dpv=False)]
    triples: dict[str, list[ox.Triple]] = {graph: [] for graph in wanted}
    for quad in ox.parse(path=build_dir / DATASET_FILE, format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
        if graph in triples:
            triples[graph].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    files = []
    for number, (graph, found) in enumerate(triples.items()):
        path = work / f"graph-{number}.nt"
        ox.serialize(found, path, ox.RdfFormat.N_TRIPLES)
        files.append((graph, path))
    if dpv_dir:
        files += [(DPV_GRAPH, dpv_dir / name) for name in DPV_TURTLE_FILES]
    return files


def start_servers(build_dir: Path, dpv_dir: Path | None, work: Path, which: list[str], store: str = "disk"
                  ) -> dict[str, tuple[str, subprocess.Popen]]:
    servers: dict[str, tuple[str, subprocess.Popen]] = {}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    dpv_args = ["--dpv-dir", str(dpv_dir)] if dpv_dir else ["--no-dpv"]
    for name, extra in (("policykg", []), ("policykg (no cache)", ["--cache-entries", "0"])):
        if name not in which:
            continue
        port = free_port()
        command = [sys.executable, "-m", "policykg.cli.serve", "--host", "127.0.0.1", "--port", str(port),
                   "--build-dir", str(build_dir), "--no-build", "--log-level", "error", "--store", store,
                   "--store-dir", str(work / "store"), *dpv_args, *extra]
        servers[name] = (f"http://127.0.0.1:{port}/sparql", subprocess.Popen(command, **quiet))
    if "oxigraph" in which:
        oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        location = work / "oxigraph"
        for graph, path in graph_files(build_dir, dpv_dir, work):
            subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(path), "--graph", graph],
                           check=True, **quiet)
        port = free_port()
        command = [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                   "--union-default-graph"]
        servers["oxigraph serve-read-only"] = (f"http://127.0.0.1:{port}/query", subprocess.Popen(command, **quiet))
    if "rdflib-endpoint" in which:
        port = free_port()
        specs = [f"{graph}={path}" for graph, path in graph_files(build_dir, dpv_dir, work)]
        command = [sys.executable, str(HERE / "rdflib_endpoint_app.py"), str(port), *specs]
        servers["rdflib-endpoint"] = (f"http://127.0.0.1:{port}/", subprocess.Popen(command, **quiet))
    for url, process in servers.values():
        wait_up(url, process)
    return servers


def check_answers(servers: dict, queries: list[tuple[str, str]]) -> None:
    """Every server must answer every query with 200 and the same number of rows (else the race is unfair)."""
    for name, query in queries:
        counts = {}
        for server, (url, _) in servers.items():
            try:
                status, body = post(url, query)
            except OSError as exc:
                raise SystemExit(f"{server} did not answer {name}: {exc}") from None
            if status != 200:
                raise SystemExit(f"{server} answered {status} to {name}: {body[:300]!r}")
            answer = json.loads(body)
            counts[server] = answer["boolean"] if "boolean" in answer else len(answer["results"]["bindings"])
        if len(set(counts.values())) != 1:
            raise SystemExit(f"servers disagree on {name}: {counts}")
        print(f"  {name}: {next(iter(counts.values()))} rows from every server", file=sys.stderr)


def parse_ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"cannot read wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, queries: list[tuple[str, str]], connections: int, duration: int, work: Path) -> dict:
    path = urllib.parse.urlsplit(url).path or "/"
    bodies = ", ".join(json.dumps(urllib.parse.urlencode({"query": q})) for _, q in queries)
    script = work / "mix.lua"
    script.write_text(WRK_SCRIPT % (bodies, path), encoding="utf-8")
    base = url[: -len(path)] if path != "/" else url.rstrip("/")
    threads = min(connections, 2)
    output = subprocess.run(["wrk", "--timeout", "30s", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
                             "-s", str(script), base + path], capture_output=True, text=True, check=True).stdout
    if "Latency Distribution" not in output:
        raise SystemExit(f"wrk gave no latency distribution for {url}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"requests_per_s": rps, "p50_ms": p50, "p99_ms": p99, "requests": total, "errors": errors}


def wrk_inputs(build_dir: Path | None, dpv_dir: Path | None) -> tuple[Path, Path | None]:
    """The build and DPV folders a wrk benchmark serves; SystemExit naming what is missing (wrk, the build)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    build_dir = build_dir or default_build_dir()
    if not (build_dir / DATASET_FILE).is_file():
        raise SystemExit(f"no build in {build_dir}: run `policykg build --out {build_dir}` first")
    return build_dir, locate_dpv_dir(dpv_dir).path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--dpv-dir", type=Path, default=None)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--servers", nargs="+",
                        default=["policykg", "policykg (no cache)", "oxigraph serve-read-only", "rdflib-endpoint"])
    parser.add_argument("--mix", nargs="+", choices=["cq", "simple"], default=["cq", "simple"])
    parser.add_argument("--store", choices=["disk", "memory"], default="disk", help="policykg serve --store")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each cell this many times, servers interleaved; report the median round")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    build_dir, dpv_dir = wrk_inputs(args.build_dir, args.dpv_dir)
    which = ["oxigraph" if s.startswith("oxigraph") else s for s in args.servers]
    mixes = {name: query_mix(name) for name in args.mix}
    print(f"DPV: {dpv_dir or 'absent'}", file=sys.stderr)
    results: dict[str, list[Result]] = {name: [] for name in mixes}
    engine = {name: engine_alone(build_dir, dpv_dir, queries, 5.0) for name, queries in mixes.items()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        servers = start_servers(build_dir, dpv_dir, work, which, args.store)
        try:
            for name, queries in mixes.items():
                print(f"mix {name}: {', '.join(q for q, _ in queries)}", file=sys.stderr)
                check_answers(servers, queries)
                for connections in args.connections:
                    rounds: dict[str, list[Result]] = {server: [] for server in servers}
                    for _ in range(args.rounds):  # servers interleaved, so a busy moment hits them alike
                        for server, (url, _) in servers.items():
                            run_wrk(url, queries, connections, 2, work)  # warm-up
                            measured = run_wrk(url, queries, connections, args.duration, work)
                            rounds[server].append(Result(server, connections, **measured))
                            print(f"  {server} c={connections}: {measured}", file=sys.stderr)
                    results[name] += [median_result(runs) for runs in rounds.values()]
        finally:
            for _, process in servers.values():
                process.terminate()
            for _, process in servers.values():
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
    for name, queries in mixes.items():
        report(results[name], queries, args.duration, name, engine[name], args.rounds)
    args.json.write_text(json.dumps({name: {"engine_alone_qps": engine[name], "results": [asdict(r) for r in rows]}
                                     for name, rows in results.items()}, indent=2) + "\n", encoding="utf-8")
    return 0


def report(results: list[Result], queries: list, duration: int, name: str = "cq", engine_qps: float = 0.0,
           rounds: int = 1) -> None:
    print(f"\nQuery mix `{name}`: {len(queries)} queries, round-robin, POST form, SPARQL JSON; wrk {duration} s per cell"
          f"{f', median of {rounds} interleaved rounds (range in brackets, errors summed)' if rounds > 1 else ''}; "
          f"{os.cpu_count()} cores; the engine alone (pyoxigraph in-process, one thread): {engine_qps:.0f} q/s.\n")
    print("| server | clients | req/s | p50 ms | p99 ms | errors | vs rdflib-endpoint | vs oxigraph |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        peers = {r.server: r for r in results if r.connections == result.connections}
        rdflib = peers.get("rdflib-endpoint")
        oxi = peers.get("oxigraph serve-read-only")
        vs_rdflib = f"{result.requests_per_s / rdflib.requests_per_s:.1f}x" if rdflib and rdflib.requests_per_s else "-"
        vs_oxi = f"{result.requests_per_s / oxi.requests_per_s:.2f}x" if oxi and oxi.requests_per_s else "-"
        spread = f" ({result.low:.0f}–{result.high:.0f})" if rounds > 1 else ""
        print(f"| {result.server} | {result.connections} | {result.requests_per_s:.0f}{spread} | {result.p50_ms:.2f} | "
              f"{result.p99_ms:.2f} | {result.errors} | {vs_rdflib} | {vs_oxi} |")


if __name__ == "__main__":
    sys.exit(main())

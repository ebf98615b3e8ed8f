"""Benchmark: how many clients see an error when query worker processes are killed under load.

Usage: python bench/bench_worker_kill.py [--duration 50] [--kill-every 5] [--connections 8] [--pythonpath DIR]
Needs: wrk (apt-get install wrk) and a build (policykg build).

Starts `policykg serve` on 127.0.0.1 with its response cache off (every request reaches a query worker),
drives it with wrk over the competency questions, and SIGKILLs one query worker process every --kill-every
seconds (round-robin over the HTTP workers' children). Prints requests, non-2xx answers, socket errors and
kills. --pythonpath runs the server from another source tree (e.g. a checkout of an older commit, with its
server/ folder linked as src/policykg/server) to measure before and after a change on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_endpoint import query_mix, run_wrk, wait_up  # noqa: E402

from policykg.config import default_build_dir, locate_dpv_dir  # noqa: E402
from policykg.local_server import free_port  # noqa: E402


def children(pid: int) -> list[int]:
    """The direct child processes of pid (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def killer(master: int, every: float, stop: threading.Event, kills: list[int]) -> None:
    """Every `every` seconds, SIGKILL one query process (a grandchild of the server we started)."""
    turn = 0
    while not stop.wait(every):
        query_processes = [pid for worker in children(master) for pid in children(worker)]
        if not query_processes:
            continue
        victim = query_processes[turn % len(query_processes)]
        turn += 1
        try:
            os.kill(victim, signal.SIGKILL)
            kills.append(victim)
        except ProcessLookupError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--dpv-dir", type=Path, default=None)
    parser.add_argument("--duration", type=int, default=50, help="seconds of load")
    parser.add_argument("--kill-every", type=float, default=5.0, help="seconds between kills")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pythonpath", default=None, help="PYTHONPATH for the server (another source tree)")
    parser.add_argument("--label", default="this tree")
    args = parser.parse_args(argv)
    build_dir = args.build_dir or default_build_dir()
    dpv_dir = locate_dpv_dir(args.dpv_dir).path
    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    port = free_port()
    command = [sys.executable, "-m", "policykg.cli.serve", "--host", "127.0.0.1", "--port", str(port),
               "--build-dir", str(build_dir), "--no-build", "--log-level", "error", "--cache-entries", "0",
               *(["--dpv-dir", str(dpv_dir)] if dpv_dir else ["--no-dpv"])]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    stop = threading.Event()
    kills: list[int] = []
    try:
        wait_up(url, server)
        thread = threading.Thread(target=killer, args=(server.pid, args.kill_every, stop, kills), daemon=True)
        thread.start()
        with tempfile.TemporaryDirectory() as tmp:
            measured = run_wrk(url, query_mix(), args.connections, args.duration, Path(tmp))
        stop.set()
        thread.join()
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    report = {"server": args.label, "duration_s": args.duration, "connections": args.connections,
              "kills": len(kills), "requests": measured["requests"], "errors": measured["errors"],
              "requests_per_s": measured["requests_per_s"]}
    print(json.dumps(report))
    print(f"| {args.label} | {args.duration} | {len(kills)} | {measured['requests']} | {measured['errors']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The on-disk store: what load_store(primary_default=True) holds, written once into a RocksDB folder and opened
read-only by every query process (docs/decisions/0023-store-at-scale.md), each of which also copies the store's
default graph (the primary version's dataset, what /sparql answers over) into memory from a dump written beside it:
a query that can only see that graph is answered there, at in-memory speed, and every other from the disk.

The folder is a cache derived from the build, never published: its name is a key made of what it is loaded from
(dataset.json, the dataset file's digest, the DPV files, this module's format and pyoxigraph's version), so a
changed build gets a new store and an unchanged one reuses it. It is written by a child process into a temporary
folder and renamed into place once complete, all under an exclusive lock on the cache folder: two servers starting
at once build it once, and none ever opens a half-written store. Each server holds a shared lock on the store it
serves for as long as it runs; a stale store is deleted only when no server holds it.

Query workers import this module: it must not import rdflib (kept to pyoxigraph and the standard library).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.digest import sha256_file
from policykg.errors import MissingResourceError, PolicyKGError
from policykg.store.dataset import DATASET_FILE, fill_store, locate_dataset_files
from policykg.store.sparql_lexer import names_graphs

#: Changes whenever what the store holds or how it is laid out changes (part of the key).
STORE_FORMAT = "policykg-disk-store/2 primary-default default-dump"
INFO_FILE = "store.json"
DB_DIR = "db"
#: The store's default graph as N-Quads, which each query process loads into memory.
DEFAULT_FILE = "default.nq"
HOLD_FILE = "hold.lock"
BUILD_LOCK = ".lock"
TMP_PREFIX = ".tmp-"
@dataclass
class DiskStore:
    """A complete on-disk store, held (kept from being pruned) until release()."""

    path: Path
    key: str
    quads: int
    built: bool
    _hold: int | None = field(default=None, repr=False)

    def release(self) -> None:
        """Drop the shared lock that keeps this store from being pruned."""
        if self._hold is not None:
            os.close(self._hold)
            self._hold = None


def default_cache_dir(build_dir: Path) -> Path:
    """Where the store of a build folder is kept unless told otherwise: beside it, never inside (not published)."""
    build = Path(build_dir).resolve()
    return build.parent / f".{build.name}-store"


def store_key(build_dir: Path, dpv_dir: Path | None) -> str:
    """The key of the store a build (and DPV folder) makes: it changes whenever what would be loaded changes."""
    files = locate_dataset_files(build_dir, dpv_dir)
    digest = hashlib.sha256(f"{STORE_FORMAT}\0pyoxigraph {ox.__version__}\0".encode())
    digest.update(files.manifest.read_bytes())
    digest.update(b"\0" + dataset_digest(Path(build_dir)).encode() + b"\0")
    for path in files.dpv_files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def dataset_digest(build_dir: Path) -> str:
    """The dataset file's sha256: as SHA256SUMS records it (the build writes both), else computed."""
    sums = build_dir / "SHA256SUMS"
    if sums.is_file():
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if name == DATASET_FILE:
                return digest
    return sha256_file(build_dir / DATASET_FILE)


def ensure_disk_store(build_dir: Path, dpv_dir: Path | None, cache_dir: Path | None = None) -> DiskStore:
    """The store of this build, built if the cache lacks it, and held until release(); PolicyKGError if it cannot."""
    cache = Path(cache_dir) if cache_dir else default_cache_dir(build_dir)
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PolicyKGError(f"cannot create the store cache folder ({exc.strerror}); choose another with "
                            "--store-dir, or serve with --store memory", path=cache) from exc
    with _exclusive(cache / BUILD_LOCK):
        key = store_key(build_dir, dpv_dir)
        home = cache / key
        built = not _complete(home, key)
        if built:
            _clear(cache, home)
            _build(cache, home, build_dir, dpv_dir, key)
        held = DiskStore(home / DB_DIR, key, int(_info(home)["quads"]), built, _hold(home))
        _prune(cache, home)
    return held


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file (blocking) for the duration of the block."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _info(home: Path) -> dict:
    return json.loads((home / INFO_FILE).read_text(encoding="utf-8"))


def _complete(home: Path, key: str) -> bool:
    """Whether a finished store with this key is there (its info file is written last, before the rename)."""
    try:
        return _info(home).get("key") == key
    except (OSError, ValueError):
        return False


def _clear(cache: Path, home: Path) -> None:
    """Remove what an interrupted build left (temporary folders, a store without its info): we hold the lock."""
    for entry in cache.iterdir():
        if entry == home or entry.name.startswith(TMP_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)


def _build(cache: Path, home: Path, build_dir: Path, dpv_dir: Path | None, key: str) -> None:
    """Write the store in a child process (its loader's memory and threads end with it), then rename it in place."""
    staging = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=cache))
    command = [sys.executable, "-m", "policykg.store.disk", "--into", str(staging), "--key", key,
               "--build-dir", str(Path(build_dir).resolve())]
    if dpv_dir is not None:
        command += ["--dpv-dir", str(Path(dpv_dir).resolve())]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise PolicyKGError(f"could not build the on-disk store: {reason}", path=build_dir)
        staging.chmod(0o755)
        staging.rename(home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_store(into: Path, build_dir: Path, dpv_dir: Path | None, key: str) -> int:
    """Load the build into a new RocksDB store under `into`, compact it, and write its info file last."""
    store = ox.Store(str(into / DB_DIR))
    fill_store(store, build_dir, dpv_dir, primary_default=True)
    store.flush()
    store.optimize()
    quads = len(store)
    ox.serialize(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), into / DEFAULT_FILE,
                 ox.RdfFormat.N_QUADS)
    del store
    (into / HOLD_FILE).touch()
    info = {"key": key, "format": STORE_FORMAT, "pyoxigraph": ox.__version__, "quads": quads}
    (into / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    return quads


def _hold(home: Path) -> int:
    """A shared lock on a store's hold file: while any is held, the store is not pruned."""
    fd = os.open(home / HOLD_FILE, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def _prune(cache: Path, keep: Path) -> None:
    """Delete every other store of the cache that no server holds (we hold the cache lock: no one builds)."""
    for entry in cache.iterdir():
        if entry == keep or entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            fd = os.open(entry / HOLD_FILE, os.O_RDONLY)
        except FileNotFoundError:
            shutil.rmtree(entry, ignore_errors=True)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a running server still serves it
        finally:
            os.close(fd)
        shutil.rmtree(entry, ignore_errors=True)


class ServedStore:
    """The on-disk store opened read-only, with its default graph copied into memory: what a query process queries.

    query() takes Store.query's arguments and answers from the in-memory copy when the query can only read the
    default graph (no dataset named, no union, no GRAPH or FROM keyword: names_graphs); otherwise from the disk. Both hold that graph's
    same quads, so the answers are the same (tests/test_disk_store.py runs every question through both modes)."""

    def __init__(self, disk: ox.Store, default: ox.Store) -> None:
        self.disk = disk
        self.default = default

    def query(self, sparql: str, *, base_iri: str | None = None, use_default_graph_as_union: bool = False,
              default_graph: list | None = None, named_graphs: list | None = None):
        """Run a query on the in-memory default graph when it can see nothing else, else on the disk."""
        if default_graph is None and named_graphs is None and not use_default_graph_as_union \
                and not names_graphs(sparql):
            return self.default.query(sparql, base_iri=base_iri)
        return self.disk.query(sparql, base_iri=base_iri, use_default_graph_as_union=use_default_graph_as_union,
                               default_graph=default_graph, named_graphs=named_graphs)


def open_disk_store(path: Path) -> tuple[ServedStore, int]:
    """Open a store read-only and load its default graph's dump into memory (what each query process does), with
    the store's quad count from the info file beside it."""
    home = Path(path).parent
    try:
        default = ox.Store()
        default.bulk_load(path=str(home / DEFAULT_FILE), format=ox.RdfFormat.N_QUADS)
        return ServedStore(ox.Store.read_only(str(path)), default), int(_info(home)["quads"])
    except (OSError, ValueError, KeyError) as exc:
        raise MissingResourceError(f"cannot open the on-disk store ({exc})", path=home) from exc


def main(argv: list[str] | None = None) -> int:
    """`python -m policykg.store.disk --into DIR --key KEY --build-dir DIR [--dpv-dir DIR]` (run by _build)."""
    parser = argparse.ArgumentParser(prog="python -m policykg.store.disk")
    parser.add_argument("--into", type=Path, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--dpv-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        write_store(args.into, args.build_dir, args.dpv_dir, args.key)
    except (PolicyKGError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

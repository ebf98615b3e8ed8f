"""What the app holds for its lifetime: the backend, the dataset version, the cache and the examples."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from policykg import config as pkconfig
from policykg.iris import DPV_GRAPH
from policykg.store.dataset import Manifest, dataset_version, locate_dataset_files, read_manifest
from policykg.store.disk import ensure_disk_store
from policykg.store.pool import QueryPool
from policykg.store.questions import CompetencyQuestion

from .backend.backends import Backend, EmbeddedBackend, RemoteBackend
from .backend.guard import inspection_memo_info
from .protocol.cache import Memo, ResponseCache

log = logging.getLogger("policykg.server")


@dataclass(frozen=True)
class Example:
    """A competency question shown on the query page."""

    name: str
    title: str
    query: str
    topic: str | None = None
    dataset: str | None = None
    #: The competency question it shows (its `# dataset:` and `# requires:` marks say where it applies).
    question: CompetencyQuestion | None = None


@dataclass
class ServerState:
    """Everything the request handlers share (kept in app.extensions['policykg'])."""

    backend: Backend
    version: str
    cache: ResponseCache
    build_dir: Path
    dpv_dir: Path | None
    timeout: float
    max_result_bytes: int
    service_allowlist: tuple[str, ...]
    allowed_functions: tuple[str, ...] = ()
    examples: list[Example] = field(default_factory=list)
    manifest: Manifest | None = None
    texts: dict[str, str] = field(default_factory=dict)
    memo: Memo = field(default_factory=Memo)

    @property
    def dataset_names(self) -> list[str]:
        """The datasets served besides /sparql: one per version, and 'all' (every graph as the default graph)."""
        return [*(v["name"] for v in self.manifest.versions), "all"] if self.manifest else ["all"]

    def dataset(self, name: str | None, dgu: list[str], ngu: list[str], has_from: bool
                ) -> tuple[list[str], list[str], bool]:
        """(default graphs, named graphs, union default graph?) for a request to /sparql (name None: the primary
        version) or /sparql/<name>. A dataset the request names (protocol parameters or FROM) is used as it is;
        otherwise the default graph is one version's dataset and every graph stays reachable by GRAPH.
        KeyError for an unknown name."""
        if dgu or ngu or has_from:
            return dgu, ngu, not has_from
        if name is not None and name not in self.dataset_names:
            raise KeyError(name)
        if self.manifest is None:
            return [], [], True
        if self.backend.name == "embedded" and name in (None, self.manifest.primary):
            return [], [], False  # the embedded store holds the primary dataset as its default graph (load_store)
        if name == "all":
            return self.every_graph(), [], False
        return self.manifest.default_graphs(name), self.every_graph(), False

    def every_graph(self) -> list[str]:
        """Every named graph, DPV's included: the union, named one by one (the embedded store's own default graph
        holds a copy of the primary dataset, so its union default graph would count that twice)."""
        return [*self.manifest.graphs, DPV_GRAPH] if self.manifest else []

    def cache_sizes(self) -> dict[str, dict[str, int]]:
        """Every cache the app keeps, with its size and bound (for /healthz and the tests)."""
        inspections = inspection_memo_info()
        return {
            "responses": {"entries": len(self.cache), "max_entries": self.cache.max_entries,
                          "bytes": self.cache.size_bytes, "max_bytes": self.cache.max_bytes},
            "memo": {"entries": len(self.memo), "max_entries": self.memo.max_entries},
            "query_inspections": {"entries": inspections.currsize, "max_entries": inspections.maxsize or 0},
        }

    def close(self) -> None:
        """Stop worker processes."""
        self.backend.close()


def open_state(settings) -> ServerState:
    """Build the shared state from the app settings (starts the worker pool in embedded mode)."""
    build_dir = Path(settings["BUILD_DIR"]) if settings["BUILD_DIR"] else pkconfig.default_build_dir()
    backend_url = settings["BACKEND_URL"]
    dpv_dir: Path | None = None
    backend: Backend
    if backend_url:
        max_rows = settings["BACKEND_MAX_ROWS"]
        backend = RemoteBackend(str(backend_url), str(settings["BACKEND_ENGINE"] or "auto"),
                                int(max_rows) if max_rows else None)
        version = _remote_version(build_dir, str(backend_url))
        log.info("fronting the SPARQL endpoint %s", backend_url)
    else:
        dpv_dir = _dpv_dir(settings["DPV_DIR"])
        locate_dataset_files(build_dir, dpv_dir)  # fail early, with a clear message, before spawning workers
        version = dataset_version(build_dir, dpv_dir)
        backend = _embedded(settings, build_dir, dpv_dir)
        log.info("serving %s (%d triples, DPV %s) with %d query workers, store %s", build_dir, backend.pool.triples,
                 dpv_dir or "absent", backend.pool.size, "on disk" if backend.disk else "in memory")
    return ServerState(
        backend=backend,
        version=version,
        cache=ResponseCache(int(settings["CACHE_ENTRIES"]), int(settings["CACHE_BYTES"])),
        build_dir=build_dir,
        dpv_dir=dpv_dir,
        timeout=float(settings["QUERY_TIMEOUT"]),
        max_result_bytes=int(settings["MAX_RESULT_BYTES"]),
        service_allowlist=tuple(settings["SERVICE_ALLOWLIST"] or ()),
        allowed_functions=tuple(settings["ALLOWED_FUNCTIONS"] or ()),
        examples=load_examples(Path(settings["QUERIES_DIR"]) if settings["QUERIES_DIR"] else None),
        manifest=_manifest(build_dir),
        texts=_texts(settings["TEXTS_DIR"], build_dir),
    )


def _embedded(settings, build_dir: Path, dpv_dir: Path | None) -> EmbeddedBackend:
    """The pool of query workers, started, over the on-disk store (built if the cache lacks it) or in memory."""
    store = str(settings["STORE"])
    if store not in ("disk", "memory"):
        raise ValueError(f"STORE must be 'disk' or 'memory', not {store!r}")
    disk = None
    if store == "disk":
        cache = settings["STORE_DIR"]
        disk = ensure_disk_store(build_dir, dpv_dir, Path(cache) if cache else None)
    pool = QueryPool(build_dir, dpv_dir, size=int(settings["QUERY_WORKERS"]),
                     memory_limit_mb=settings["WORKER_MEMORY_MB"], store_path=disk.path if disk else None)
    try:
        pool.start()
    except BaseException:
        if disk:
            disk.release()
        raise
    return EmbeddedBackend(pool, disk)


def _dpv_dir(setting) -> Path | None:
    if setting is False:
        log.warning("serving the ontology and data without the DPV vocabulary (--no-dpv, or DPV 2.3 not found)")
        return None
    found = pkconfig.locate_dpv_dir(setting or None)
    if found.path is None:
        log.warning(
            "DPV 2.3 not found (looked in: %s); serving the ontology and data WITHOUT the DPV vocabulary, so "
            "queries over DPV's hierarchy (skos:broader*) will find nothing. Set --dpv-dir or $%s.",
            "; ".join(found.tried), pkconfig.DPV_ENV,
        )
    return found.path


def _remote_version(build_dir: Path, url: str) -> str:
    sums = build_dir / "SHA256SUMS"
    seed = sums.read_bytes() if sums.is_file() else b""
    return hashlib.sha256(seed + url.encode()).hexdigest()[:20]


def _manifest(build_dir: Path) -> Manifest | None:
    """What the build holds (versions, graphs), or None when the build folder has no manifest (remote mode)."""
    try:
        return read_manifest(build_dir)
    except Exception as exc:  # noqa: BLE001 - without it the endpoint serves the union, and says so
        log.warning("no dataset manifest in %s (%s): /sparql serves the union of all graphs", build_dir, exc)
        return None


def _texts(setting, build_dir: Path) -> dict[str, str]:
    """Each version's policy text, to quote spans: only the exact text the build recorded (by sha256)."""
    from policykg.sources.versions import load_registry, locate_text

    manifest = _manifest(build_dir)
    if manifest is None:
        return {}
    found: dict[str, str] = {}
    try:
        registry = load_registry()
    except Exception:  # noqa: BLE001 - quoting is a courtesy: without the registry, spans are given as offsets
        return {}
    for entry in manifest.versions:
        try:
            path = locate_text(registry.get(entry["name"]), setting or None)
        except Exception:  # noqa: BLE001 - a version the registry does not know: no quotes for it
            path = None
        if path is None:
            log.warning("the policy text of %s was not found: its pages give span offsets without quoting them",
                        entry["name"])
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            log.warning("%s is not the text the build's spans of %s point into: spans are not quoted", path,
                        entry["name"])
            continue
        found[entry["name"]] = data.decode("utf-8")
    return found


DEFAULT_EXAMPLES = [
    Example("graphs", "How many triples does each named graph hold?",
            "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\nGROUP BY ?graph\nORDER BY ?graph\n"),
    Example("processes", "Which processing descriptions does the notice list, with their legal basis?",
            "PREFIX dpv: <https://w3id.org/dpv#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?process ?label ?basis\nWHERE {\n  ?process a dpv:Process .\n"
            "  OPTIONAL { ?process rdfs:label ?label }\n  OPTIONAL { ?process dpv:hasLegalBasis ?basis }\n}\n"
            "ORDER BY ?label\nLIMIT 200\n"),
]


def load_examples(queries_dir: Path | None = None) -> list[Example]:
    """The competency questions of a folder (default: the installed queries/) as examples (title, topic, dataset from
    their comments), or built-in ones, saying so, when there are none."""
    from policykg.errors import MissingResourceError
    from policykg.store.questions import load_questions

    try:
        folder = queries_dir or pkconfig.queries_dir()
    except MissingResourceError as exc:
        log.warning("no competency questions (%s): the query page offers %d built-in examples", exc, len(DEFAULT_EXAMPLES))
        return list(DEFAULT_EXAMPLES)
    if not folder.is_dir():
        log.warning("no competency questions: %s is not a folder; the query page offers %d built-in examples", folder,
                    len(DEFAULT_EXAMPLES))
    questions = load_questions(folder) if folder.is_dir() else []
    examples = [Example(cq.name, cq.question or cq.name, cq.text, cq.topic, cq.dataset, cq) for cq in questions]
    return examples or list(DEFAULT_EXAMPLES)

"""The app's settings: defaults, and how the factory turns them into a running backend."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # Where the dumps are (None: policykg.config.default_build_dir()).
    "BUILD_DIR": None,
    # The DPV 2.3 folder: None to locate it (policykg.config.locate_dpv_dir), False to serve without DPV.
    "DPV_DIR": None,
    # A SPARQL endpoint URL to front instead of the embedded store.
    "BACKEND_URL": None,
    # Which engine it is (server/engines.py): "auto" detects it from the endpoint's Server header.
    "BACKEND_ENGINE": "auto",
    # The engine's cap on result rows (Virtuoso's ResultSetMaxRows), if changed from the engine's stock value.
    "BACKEND_MAX_ROWS": None,
    # Seconds a query may run (queueing for a worker included) before it is stopped and answered 503.
    "QUERY_TIMEOUT": 10.0,
    # Worker processes per app instance (each opens the on-disk store, or holds the dataset in memory).
    "QUERY_WORKERS": 2,
    # Where the query workers' store lives: "disk", one RocksDB store built once from the build (policykg.store.disk)
    # and opened read-only by every worker; "memory", each worker loads the build into its own in-memory store
    # (docs/decisions/0023).
    "STORE": "disk",
    # The folder that caches the on-disk store (None: beside the build folder, policykg.store.disk.default_cache_dir).
    "STORE_DIR": None,
    # Address-space limit of a worker process, MB (None: no limit).
    "WORKER_MEMORY_MB": 4096,
    # Largest serialized result, bytes.
    "MAX_RESULT_BYTES": 50 * 1024 * 1024,
    # Largest request body, bytes (Flask answers 413 beyond it).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Response cache bounds (entries, total bytes).
    "CACHE_ENTRIES": 512,
    "CACHE_BYTES": 64 * 1024 * 1024,
    # Hosts (host or host:port) a SERVICE clause may call; empty refuses every SERVICE.
    "SERVICE_ALLOWLIST": (),
    # Function IRIs a query may call besides the SPARQL 1.1 built-ins and XSD casts (for a remote engine's own).
    "ALLOWED_FUNCTIONS": (),
    # Folder of competency questions (*.rq) shown as examples (None: policykg.config.queries_dir()).
    "QUERIES_DIR": None,
    # Where the policy texts are, to quote source spans on linked-data pages (None: $POLICYKG_TEXTS_DIR or
    # ../shared); a text is quoted only if it has the sha256 the build recorded for its version.
    "TEXTS_DIR": None,
    # Host names this app answers for (Flask's own setting: a request with another Host header gets 400; a name
    # starting with "." also matches its subdomains; ports are not compared). None: any Host. The Host header
    # names the endpoint in the service description and is the base of relative IRIs in queries.
    "TRUSTED_HOSTS": None,
}

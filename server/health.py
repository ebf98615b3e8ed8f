"""/healthz: liveness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .protocol import execution

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """200 with a small status document while queries can be answered, 503 otherwise."""
    st = execution.state()
    backend = st.backend.health()
    body = {
        "status": "ok" if backend.get("ok") else "unavailable",
        "backend": st.backend.name,
        "dataset_version": st.version,
        "dpv": bool(st.dpv_dir) if st.backend.name == "embedded" else None,
        "detail": backend,
        "cache": {"entries": len(st.cache), "bytes": st.cache.size_bytes, "hits": st.cache.hits,
                  "misses": st.cache.misses},
        "caches": st.cache_sizes(),
    }
    response = jsonify(body)
    response.status_code = 200 if backend.get("ok") else 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""/download/...: every dump of the build with its sha256, a strong ETag and gzip; /.well-known/void."""

from __future__ import annotations

import base64
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, send_file

from policykg.digest import sha256_file
from policykg.iris import PREFIXES
from policykg.store.formats import GRAPH

from ..errors import plain
from ..protocol import execution
from ..protocol.negotiation import UnknownFormat, best_media_type, negotiate

bp = Blueprint("downloads", __name__)

MEDIA_TYPES = {
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".csv": "text/csv; charset=utf-8",
    ".nq": "application/n-quads; charset=utf-8",
    ".trig": "application/trig; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".gz": "application/gzip",
}
#: The formats a dump comes in, in the order the page shows them side by side: extension -> name.
FORMAT_NAMES = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD", ".rdf": "RDF/XML", ".nq": "N-Quads",
                ".trig": "TriG", ".html": "report (HTML)", ".json": "report (JSON)", ".csv": "CSV"}


def download_groups(build_dir: Path, manifest) -> list[dict]:
    """The published files grouped as people look for them: the whole dataset, each version (from the build's
    dataset.json, so a new version appears without a change here), the links, each comparison, then the rest; each
    group with its formats side by side [{format, name, gz}] (gz: the gzipped copy's name, or None)."""
    names = published_names(build_dir)
    left = set(names)
    groups: list[dict] = []

    def group(title: str, stem: str, note: str = "") -> None:
        files = []
        for extension, fmt in FORMAT_NAMES.items():
            name = stem + extension
            if name in left:
                gz = name + ".gz" if name + ".gz" in left else None
                left.difference_update({name, gz})
                files.append({"format": fmt, "name": name, "gz": gz})
        if files:
            groups.append({"title": title, "note": note, "files": files})

    group("Every version, the links and the changes", "policykg", "each graph in its named graph (N-Quads, TriG)")
    group("The ontology", "ontology")
    for version in (manifest.versions if manifest else ()):
        group(version.get("label") or version["name"], version["name"], version["name"])
    group("Links between versions", "links", "revisions, lineages, counterparts")
    for comparison in (manifest.changes if manifest else ()):
        group(f"What changed: {comparison['old']} → {comparison['new']}", f"changes-{comparison['name']}")
    rest = [{"format": name, "name": name, "gz": f"{name}.gz" if f"{name}.gz" in left else None}
            for name in names if name in left and not (name.endswith(".gz") and name[:-3] in left)]
    if rest:
        groups.append({"title": "Descriptions, the matrix and checksums", "note": "", "files": rest})
    return groups


def published_names(build_dir: Path) -> list[str]:
    """The files of the build folder that may be downloaded: every file SHA256SUMS lists, and SHA256SUMS."""
    sums = build_dir / "SHA256SUMS"
    if not sums.is_file():
        return []
    names = [line.split("  ", 1)[1].strip() for line in sums.read_text(encoding="utf-8").splitlines() if "  " in line]
    return [name for name in [*names, "SHA256SUMS"] if "/" not in name and (build_dir / name).is_file()]


def checksums(build_dir: Path) -> dict[str, str]:
    """name -> sha256 hex, from SHA256SUMS where listed, else computed (memoised per app)."""
    st = execution.state()
    found = st.memo.get("sha256")
    if isinstance(found, dict):
        return found
    memo: dict[str, str] = {}
    sums = build_dir / "SHA256SUMS"
    if sums.is_file():
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.strip().partition(" ")
            if digest and name:
                memo[name.lstrip(" *")] = digest.lower()
    for name in published_names(build_dir):
        if name not in memo:
            memo[name] = sha256_file(build_dir / name)
    st.memo.put("sha256", memo)
    return memo


@bp.route("/download/")
def index() -> Response | str:
    """The list of dumps (HTML, or JSON for tools) with sizes and checksums."""
    st = execution.state()
    sums = checksums(st.build_dir)
    files = [{"name": name, "size": (st.build_dir / name).stat().st_size, "sha256": sums.get(name),
              "url": f"{request.script_root}/download/{name}"} for name in published_names(st.build_dir)]
    if best_media_type(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json":
        return Response(_json(files), content_type="application/json")
    return render_template("downloads.html", files=files)


def _json(files: list[dict]) -> str:
    import json

    return json.dumps({"files": files}, indent=2)


@bp.route("/download/<name>")
def download(name: str) -> Response:
    """One dump; gzip-encoded on the wire when the client accepts it and a .gz exists."""
    st = execution.state()
    if name not in published_names(st.build_dir):
        return plain(404, f"404 Not Found: no download named {name!r}; see /download/")
    sums = checksums(st.build_dir)
    path = st.build_dir / name
    encoded = (
        not name.endswith(".gz")
        and (name + ".gz") in sums
        and "gzip" in request.accept_encodings
        and request.accept_encodings["gzip"] > 0
    )
    served = st.build_dir / (name + ".gz") if encoded else path
    digest = sums[served.name]
    response = send_file(served, mimetype=MEDIA_TYPES.get(Path(name).suffix, "text/plain; charset=utf-8"),
                         etag=digest, conditional=True, max_age=3600)
    if encoded:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.headers["Repr-Digest"] = "sha-256=:" + base64.b64encode(bytes.fromhex(digest)).decode() + ":"
    response.headers["X-Checksum-SHA256"] = sums[name]
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    """The VoID/DCAT description of the dataset (void.ttl of the build), negotiable."""
    st = execution.state()
    path = st.build_dir / "void.ttl"
    if not path.is_file():
        return plain(404, "404 Not Found: this build has no void.ttl")
    try:
        fmt = negotiate(request.headers.get("Accept"), GRAPH, request.args.get("format"))
    except UnknownFormat as exc:
        return plain(400, f"400 Bad Request: {exc}")
    if fmt is None:
        return plain(406, "406 Not Acceptable: the VoID description is served as Turtle, N-Triples, RDF/XML or JSON-LD")
    body = st.memo.get(("void", fmt.key))
    if not isinstance(body, bytes):
        raw = path.read_bytes()
        if fmt.key == "turtle":
            body = raw
        else:
            triples = ox.parse(raw, format=ox.RdfFormat.TURTLE, base_iri=None)
            body = ox.serialize(triples, format=fmt.rdf_format(), prefixes=PREFIXES if fmt.key != "ntriples" else None)
        st.memo.put(("void", fmt.key), body)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.set_etag(f"void-{st.version}-{fmt.key}")
    return response

"""Linked data: instance and ontology IRIs resolve to HTML pages, or to RDF by content negotiation."""

from __future__ import annotations

import hashlib
from typing import Any, cast
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, render_template, request, url_for

from policykg.iris import ONTOLOGY_GRAPH, PREFIXES, SITE, compact_iri
from policykg.store.formats import GRAPH_FORMATS, by_name

from ..errors import plain
from ..protocol import execution
from ..protocol.negotiation import best_media_type
from .describe import DESCRIPTIONS, LABELS, RDF_TYPE, _iri, describe

#: First path segments of instance IRIs that are not a version name.
SHARED_SPACES = ("lineage", "changes", "dataset")

bp = Blueprint("pages", __name__)


def local_href(iri: str) -> str:
    """Where a page links an IRI: our own namespaces resolve here, anything else via /resource?iri=."""
    if iri.startswith(SITE):
        return request.script_root + "/" + iri[len(SITE):]
    return url_for("pages.resource", iri=iri)


@bp.app_template_global()
def href(iri: str) -> str:
    """Template helper: local_href."""
    return local_href(iri)


@bp.app_template_global()
def short(iri: str) -> str:
    """Template helper: an IRI as prefix:local when a project prefix fits."""
    return compact_iri(iri)


def _choose() -> tuple[str | None, str | None]:
    """('html', None) or (None, rdf format key) for this request, or (None, None) when nothing fits."""
    wanted = request.args.get("format")
    if wanted:
        if wanted.lower() == "html":
            return "html", None
        fmt = by_name(wanted, "graph")
        return (None, fmt.key) if fmt else (None, None)
    offers = ["text/html", *[fmt.media_type for fmt in GRAPH_FORMATS], "application/json", "text/plain"]
    chosen = best_media_type(request.headers.get("Accept"), offers)
    if chosen is None:
        return None, None
    if chosen == "text/html":
        return "html", None
    fmt = by_name(chosen, "graph")
    return None, fmt.key if fmt else None


def _rdf(query: str, key: str) -> Response:
    """A CONSTRUCT's triples in the requested syntax, with the project's prefixes where the syntax has them."""
    fmt = next(f for f in GRAPH_FORMATS if f.key == key)
    body = execution.construct(query, "ntriples").body
    if key != "ntriples":
        triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        body = ox.serialize(triples, format=fmt.rdf_format(), prefixes=PREFIXES) or b""
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    response.set_etag(f"{execution.state().version}-{key}-{digest}")
    return response


def _alternates(path: str) -> list[tuple[str, str, str]]:
    return [(fmt.media_type, fmt.key, f"{path}?format={fmt.key}") for fmt in GRAPH_FORMATS]


def _not_acceptable() -> Response:
    return plain(406, "406 Not Acceptable: resources are served as text/html, " +
                 ", ".join(fmt.media_type for fmt in GRAPH_FORMATS))


def resource_response(iri: str) -> Response:
    """The page or RDF description of one IRI (404 when the graph does not mention it)."""
    try:
        node = _iri(iri)
    except ValueError as exc:
        return plain(400, f"400 Bad Request: {exc}")
    html, key = _choose()
    if html is None and key is None:
        return _not_acceptable()
    st = execution.state()
    if key:
        query = (f"CONSTRUCT {{ {node} ?p ?o . ?o ?p2 ?o2 . ?s ?p3 {node} }} WHERE {{ "
                 f"{{ {node} ?p ?o }} UNION {{ {node} ?q ?o . FILTER(isBlank(?o)) ?o ?p2 ?o2 }} "
                 f"UNION {{ ?s ?p3 {node} }} }}")
        if not execution.select_rows(f"SELECT * WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }} LIMIT 1"):
            return plain(404, f"404 Not Found: the graph says nothing about <{iri}>")
        return _rdf(query, key)
    description = describe(iri, st.texts)
    if not description.found:
        return Response(render_template("not_found.html", iri=iri), status=404)
    path = request.path
    response = Response(render_template(
        "resource.html", d=description, alternates=_alternates(path), rdf_type=RDF_TYPE,
        hidden=set(LABELS) | set(DESCRIPTIONS) | {RDF_TYPE}, quote=quote,
    ))
    response.vary.add("Accept")
    return response


def register_instance_routes(app: Flask, versions: list[str]) -> None:
    """Serve the instance namespaces the build holds: one per version (/<version>/...), lineages, changes, dataset."""
    from .changes import add_template_loader

    add_template_loader(app)
    for space in [*versions, *SHARED_SPACES]:
        app.add_url_rule(f"/{space}/<path:local>", endpoint=f"instance-{space}", view_func=instance,
                         defaults={"space": space})


def instance(space: str, local: str) -> Response:
    """An IRI of an instance namespace: a version's (/<version>/...), or the lineages, changes and dataset."""
    if space == "changes" and "/" not in local and _choose() == ("html", None):
        from .changes import comparison_page

        page = comparison_page(local)
        if page is not None:
            return page
    return resource_response(f"{SITE}{space}/{local}")


@bp.route("/resource")
def resource() -> Response:
    """Any IRI in the store (DPV terms included), given as ?iri=."""
    iri = request.args.get("iri", "").strip()
    if not iri:
        return plain(400, "400 Bad Request: give the IRI to describe as ?iri=")
    return resource_response(iri)


def _ontology_document() -> dict[str, Any] | None:
    """The ontology documentation's model (policykg.build.docs, the same as `policykg docs`), from the store's
    ontology graph; remembered per dataset version (the data is read-only)."""
    from rdflib import Graph

    from policykg.build.docs import ontology_document

    st = execution.state()
    key = ("ontology-document", st.version)
    doc = cast("dict[str, Any] | None", st.memo.get(key))
    if doc is None:
        body = execution.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}",
                                   "ntriples").body
        graph = Graph().parse(data=body.decode("utf-8"), format="nt")
        doc = ontology_document(graph) if len(graph) else {}
        st.memo.put(key, doc)
    return doc or None


@bp.route("/ontology")
def ontology() -> Response:
    """The ontology document: every term as a section whose id is the term's fragment (so hash IRIs resolve)."""
    html, key = _choose()
    if html is None and key is None:
        return _not_acceptable()
    if key:
        return _rdf(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}", key)
    doc = _ontology_document()
    if doc is None:
        return plain(404, "404 Not Found: the ontology graph is empty")
    response = Response(render_template("ontology.html", layout="base.html", doc=doc,
                                        alternates=_alternates(request.path)))
    response.vary.add("Accept")
    return response


@bp.route("/changes")
def changes() -> Response:
    """The versions the endpoint holds, and a line per comparison saying what changed (one page each)."""
    from .changes import index

    return index()


@bp.route("/changes.css")
def changes_css() -> Response:
    """The change pages' own style: the stylesheet the standalone report inlines, served as a file (the site's
    Content-Security-Policy allows no inline style)."""
    from .changes import stylesheet

    return stylesheet()


@bp.route("/changes.atom")
def changes_feed() -> Response:
    """The comparisons as an Atom feed, for people who follow the policy in a feed reader."""
    from .changes import feed

    return feed()

"""The SPARQL 1.1 Service Description returned by GET /sparql without a query."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from flask import Response, request

from policykg.iris import DPV_GRAPH, ONTOLOGY_GRAPH
from policykg.store.formats import BY_KEY, GRAPH, RESULT_FORMATS

from ..errors import plain
from . import execution
from .negotiation import UnknownFormat, negotiate

SD_PREFIXES = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#",
               "dct": "http://purl.org/dc/terms/", "formats": "http://www.w3.org/ns/formats/"}
GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def service_description(dataset: str | None = None) -> Response:
    """The sd:Service description of this endpoint (/sparql or /sparql/<dataset>), in the negotiated RDF syntax
    (Turtle by default): its default graph is one version's dataset, or the union for /sparql/all."""
    try:
        fmt = negotiate(request.headers.get("Accept"), GRAPH, request.args.get("format"))
    except UnknownFormat as exc:
        return plain(400, f"400 Bad Request: {exc}")
    if fmt is None:
        return plain(406, "406 Not Acceptable: the service description is served as Turtle, N-Triples, "
                          "RDF/XML or JSON-LD")
    st = execution.state()
    endpoint_iri = endpoint_url()
    # The graph sizes cost a query: remembered once. The description itself names this endpoint by the URL the
    # request came in on (the Host header), so it is rendered per request and never cached under that name.
    sizes = st.memo.get("sd-graph-sizes")
    if not isinstance(sizes, dict):
        sizes = _graph_sizes(st)
        st.memo.put("sd-graph-sizes", sizes)
    default, _named, union = st.dataset(dataset, [], [], False)
    union = union or dataset == "all"  # every named graph, named one by one: the union all the same
    title = "every graph at once" if union else (
        f"the dataset of {dataset or (st.manifest.primary if st.manifest else 'the build')}")
    if not union and not default:  # the embedded store's own default graph: a copy of the primary dataset
        default = st.manifest.default_graphs() if st.manifest else []
    turtle = describe(endpoint_iri, sizes, bool(st.service_allowlist), None if union else default, title)
    triples = ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    body = ox.serialize(triples, format=fmt.rdf_format(), prefixes=SD_PREFIXES if fmt.key == "turtle" else None)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.set_etag(f"sd-{st.version}-{fmt.key}-{hashlib.sha256(endpoint_iri.encode()).hexdigest()[:12]}")
    return response


def service_page() -> str:
    """The service description of /sparql as a page for people: the endpoint, its default dataset and every other
    dataset it serves (each with a link to query it and its description in RDF), the graphs with their sizes, and
    the result formats."""
    from flask import render_template, url_for

    st = execution.state()
    sizes = st.memo.get("sd-graph-sizes")
    if not isinstance(sizes, dict):
        sizes = _graph_sizes(st)
        st.memo.put("sd-graph-sizes", sizes)
    manifest = st.manifest
    datasets = []
    for name in [None, *(n for n in st.dataset_names if not manifest or n != manifest.primary)]:
        graphs = (list(sizes) if name == "all" else
                  manifest.default_graphs(name) if manifest else [])
        datasets.append({
            "name": name or (manifest.primary if manifest else "the build"),
            "endpoint": url_for("sparql.endpoint", dataset=name, _external=True),
            "query_page": url_for("query_page.index", dataset=name) if name else url_for("query_page.index"),
            "description": url_for("sparql.endpoint", dataset=name, format="turtle"),
            "default": name is None, "graphs": graphs,
            "triples": sum(sizes.get(g, 0) for g in graphs if sizes.get(g, 0) > 0),
        })
    return render_template("service.html", endpoint=endpoint_url(), datasets=datasets, sizes=sorted(sizes.items()),
                           result_formats=[BY_KEY[k] for k in ("json", "xml", "csv", "tsv")],
                           graph_formats=[BY_KEY[k] for k in ("turtle", "ntriples", "rdfxml", "jsonld")],
                           federated=bool(st.service_allowlist))


def endpoint_url() -> str:
    """This endpoint's URL as the client addressed it (scheme, Host, path; no query string).

    With TRUSTED_HOSTS set, Flask has already refused any other Host with 400.
    """
    return request.base_url


def _graph_sizes(st) -> dict[str, int]:
    known = (st.manifest.graphs if st.manifest else [ONTOLOGY_GRAPH]) + \
        ([DPV_GRAPH] if st.dpv_dir or st.backend.name == "remote" else [])
    sizes: dict[str, int] = dict.fromkeys(known, -1)
    try:
        for row in execution.select_rows(GRAPH_COUNTS):
            sizes[row["g"]["value"]] = int(row["n"]["value"])
    except Exception:  # noqa: BLE001 - counts are decoration; the description is still valid without them
        pass
    return sizes


def describe(endpoint: str, graph_sizes: dict[str, int], federated: bool, default_graphs: list[str] | None = None,
             title: str = "every graph at once") -> str:
    """Turtle text of the service description; default_graphs None: the default graph is the union."""
    result_formats = [fmt.iri for fmt in RESULT_FORMATS]
    rdf_formats = [BY_KEY[key].iri for key in ("turtle", "ntriples", "rdfxml", "jsonld")]
    formats = ", ".join(f"<{iri}>" for iri in result_formats + rdf_formats)
    features = ", ".join((["sd:UnionDefaultGraph"] if default_graphs is None else [])
                         + (["sd:BasicFederatedQuery"] if federated else []))
    named = []
    for name, size in sorted(graph_sizes.items()):
        triples = f" ; void:triples {size}" if size >= 0 else ""
        named.append(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ; sd:graph [ a sd:Graph{triples} ] ]")
    members = graph_sizes if default_graphs is None else {g: graph_sizes.get(g, -1) for g in default_graphs}
    total = sum(size for size in members.values() if size > 0)
    described = ("the union of all named graphs" if default_graphs is None else
                 "the merge of " + ", ".join(f"<{g}>" for g in default_graphs)
                 + ": one version's data with the ontology, the links and changes across versions, and DPV")
    named_graphs = " ;\n".join(named)
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  dct:title "policykg SPARQL endpoint: Meta's privacy policy over time and across jurisdictions ({title})" ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:resultFormat {formats} ;
{f"  sd:feature {features} ;" + chr(10) if features else ""}  sd:defaultDataset [ a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ; dct:description "{described}" ; void:triples {total} ] ;
{named_graphs}
  ] .
"""

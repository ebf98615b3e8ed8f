"""Small helpers for analysts and the notebooks: the graph as DataFrames, matrices, networks and figures.

Everything takes a pyoxigraph Store (or a DataFrame derived from one) and returns a new value; nothing is loaded
at import time, and pandas, matplotlib, networkx and the web app are imported only by the functions that need them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .queries import get_question, run_query, run_question, to_dataframe

if TYPE_CHECKING:  # pragma: no cover - typing only
    import matplotlib.figure
    import networkx
    import pandas
    import pyoxigraph

    from .validate import Finding, Outcome

PKO = "https://w3id.org/policykg/ontology#"
DPV = "https://w3id.org/dpv#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
GRAPH_BASE = "https://w3id.org/policykg/graph/"

_PREFIXES = f"""PREFIX dpv: <{DPV}>
PREFIX pko: <{PKO}>
PREFIX eu-gdpr: <{EU_GDPR}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


# ---- Loading and querying ----

def open_store(build_dir: Path | str | None = None, dpv_dir: Path | str | None = None,
               *, with_dpv: bool = True) -> pyoxigraph.Store:
    """Build the graph if needed and load it (with DPV when found and wanted) into an in-memory store."""
    from .build import ensure_built
    from .config import default_build_dir, locate_dpv_dir
    from .store import load_store

    dpv = locate_dpv_dir(dpv_dir).path if with_dpv else None
    out = ensure_built(Path(build_dir) if build_dir else default_build_dir(), dpv)
    return load_store(out, dpv)


def query_df(store: pyoxigraph.Store, query: str) -> pandas.DataFrame:
    """A SELECT/ASK query, or a competency question's name (e.g. 'cq02'), run on the store as a DataFrame."""
    if re.fullmatch(r"cq\d+(-[a-z0-9-]+)?", query.strip()):
        return to_dataframe(run_question(store, get_question(query.strip())))
    return to_dataframe(run_query(store, query))


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return re.split(r"[#/]", iri)[-1]


def basis_code(iri: str) -> str:
    """A GDPR article IRI written as its article reference: eu-gdpr:A6-1-a -> 'Art. 6(1)(a)'."""
    name = local_name(iri)
    match = re.fullmatch(r"A(\d+)((?:-[0-9a-z]+)*)", name)
    if not match:
        return name
    parts = [p for p in match.group(2).split("-") if p]
    return f"Art. {match.group(1)}" + "".join(f"({p})" for p in parts)


def labels(store: pyoxigraph.Store) -> dict[str, str]:
    """English labels of every labelled IRI (rdfs:label, else skos:prefLabel)."""
    rows = run_query(store, _PREFIXES + """
        SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
          { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l FILTER NOT EXISTS { ?s rdfs:label ?x } }
          FILTER(isIRI(?s) && (LANG(?l) = "en" || LANG(?l) = ""))
        } GROUP BY ?s""").values()
    return {row["s"]: row["label"] for row in rows}


# ---- Counts for the README ----

def graph_summary(store: pyoxigraph.Store) -> dict[str, int]:
    """Headline counts of the built graph (triples per graph, processes, purposes, items, spans ...)."""
    counts: dict[str, int] = {}
    for name in ("ontology", "data"):
        counts[f"{name} triples"] = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_BASE}{name}> {{ ?s ?p ?o }} }}")
    queries = {
        "processes": "?x a dpv:Process .",
        "legal bases used": "?p a dpv:Process ; dpv:hasLegalBasis ?x .",
        "purposes": "?p a dpv:Process ; dpv:hasPurpose ?x .",
        "audiences": "?p a dpv:Process ; dpv:hasDataSubject ?x .",
        "information categories": "?x skos:topConceptOf pko:InformationScheme .",
        "information items": "?x a dpv:PersonalData ; skos:inScheme pko:InformationScheme . "
                             "FILTER NOT EXISTS { ?x skos:topConceptOf pko:InformationScheme }",
        "process × item uses": "?x a pko:QualifiedPersonalData .",
        "legitimate interests": "?p pko:hasLegitimateInterest ?x .",
        "recipients": "?n a dpv:PrivacyNotice ; dpv:hasRecipient ?x .",
        "rights": "?n a dpv:PrivacyNotice ; dpv:hasRight ?x .",
        "source spans": "?x a oa:SpecificResource .",
    }
    for name, pattern in queries.items():
        counts[name] = _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
    return counts


def _count(store: pyoxigraph.Store, sparql: str) -> int:
    return int(run_query(store, _PREFIXES + sparql).rows[0]["n"][1])


def summary_markdown(summary: dict[str, int]) -> str:
    """The summary as the markdown table pasted into the README between the counts markers."""
    lines = ["| What | Count |", "| --- | ---: |"]
    lines += [f"| {name} | {value} |" for name, value in summary.items()]
    return "\n".join(lines) + "\n"


def parse_summary_markdown(text: str) -> dict[str, int]:
    """The counts from a markdown table written by summary_markdown (the inverse)."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[1].isdigit():
            out[cells[0]] = int(cells[1])
    return out


# ---- Legal-basis landscape ----

def processes_per_basis(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Processes per legal basis (competency question cq02) with article references and DPV labels."""
    df = to_dataframe(run_question(store, get_question("cq02")))
    names = labels(store)
    df["article"] = df["basis"].map(basis_code)
    df["label"] = df["basis"].map(lambda iri: names.get(iri, basis_code(iri)))
    return df[["basis", "article", "label", "processes"]]


def basis_category_matrix(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Processes × information categories; a cell holds the process's legal basis where it uses that category."""
    import pandas as pd

    rows = run_query(store, _PREFIXES + """
        SELECT ?process ?processLabel ?category ?categoryLabel ?basis ?start WHERE {
          ?process a dpv:Process ; rdfs:label ?processLabel ; dpv:hasLegalBasis ?basis ;
                   prov:wasDerivedFrom/oa:hasSelector/oa:start ?start ;
                   pko:hasQualifiedPersonalData/pko:listedUnder ?category .
          ?category rdfs:label ?categoryLabel .
          FILTER(STRSTARTS(STR(?basis), CONCAT(STR(eu-gdpr:), "A6-")))
        }""").values()
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows)
    df["start"] = df["start"].astype(int)
    df["basis"] = df["basis"].map(basis_code)
    order = df.sort_values(["start", "processLabel"]).drop_duplicates("process")["processLabel"].tolist()
    matrix = df.drop_duplicates(["process", "category"]).pivot(index="processLabel", columns="categoryLabel", values="basis")
    matrix = matrix.reindex(index=order, columns=sorted(matrix.columns)).fillna("")
    matrix.index.name, matrix.columns.name = "process", "information category"
    return matrix


def basis_by_audience_group(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Number of processes per legal basis for minors, adults and people without an account (from cq09)."""
    df = to_dataframe(run_question(store, get_question("cq09")))
    df = df[df["basis"].str.contains("A6-")]
    df["article"] = df["basis"].map(basis_code)
    table = df.pivot_table(index="group", columns="article", values="process", aggfunc="nunique", fill_value=0)
    table.columns.name = "legal basis"
    return table


def audience_comparison(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Purposes × audience group (minors, adults, no account): the legal bases relied on, or '' where none."""
    import pandas as pd

    groups = to_dataframe(run_question(store, get_question("cq09")))
    purposes = pd.DataFrame(run_query(store, _PREFIXES + """
        SELECT ?process ?purposeLabel WHERE { ?process a dpv:Process ; dpv:hasPurpose ?p . ?p rdfs:label ?purposeLabel }
        """).values())
    merged = groups.merge(purposes, on="process")
    merged = merged[merged["basis"].str.contains("A6-")]
    merged["article"] = merged["basis"].map(basis_code)
    table = merged.groupby(["purposeLabel", "group"])["article"].agg(lambda s: ", ".join(sorted(set(s)))).unstack("group")
    table = table.reindex(columns=[g for g in ("minors", "adults", "no account") if g in table.columns]).fillna("")
    table.index.name, table.columns.name = "purpose", "audience group"
    return table.sort_index()


# ---- Network ----

def network_graph(store: pyoxigraph.Store) -> networkx.Graph:
    """Purposes linked to the information categories they use and the recipients they name, weighted by processes."""
    import networkx as nx

    graph = nx.Graph()
    edges = run_query(store, _PREFIXES + """
        SELECT ?purpose ?purposeLabel ?other ?otherLabel ?kind (COUNT(DISTINCT ?process) AS ?weight) WHERE {
          ?process a dpv:Process ; dpv:hasPurpose ?purpose .
          ?purpose rdfs:label ?purposeLabel .
          { ?process pko:hasQualifiedPersonalData/pko:listedUnder ?other . BIND("category" AS ?kind) }
          UNION { ?process dpv:hasRecipient ?other . BIND("recipient" AS ?kind) }
          ?other rdfs:label ?otherLabel .
        } GROUP BY ?purpose ?purposeLabel ?other ?otherLabel ?kind ORDER BY ?purpose ?other""").values()
    for e in edges:
        graph.add_node(e["purpose"], label=e["purposeLabel"], kind="purpose")
        graph.add_node(e["other"], label=e["otherLabel"], kind=e["kind"])
        graph.add_edge(e["purpose"], e["other"], weight=int(e["weight"]))
    return graph


def network_table(graph: networkx.Graph) -> pandas.DataFrame:
    """The network's nodes as a table: label, kind, degree and weighted degree, most connected first."""
    import pandas as pd

    records = [{"node": n, "label": d["label"], "kind": d["kind"], "degree": graph.degree(n),
                "weighted degree": graph.degree(n, weight="weight")} for n, d in graph.nodes(data=True)]
    df = pd.DataFrame.from_records(records, columns=["node", "label", "kind", "degree", "weighted degree"])
    return df.sort_values(["weighted degree", "node"], ascending=[False, True]).reset_index(drop=True)


# ---- Figures ----

BASIS_COLOURS = {"Art. 6(1)(a)": "#4C72B0", "Art. 6(1)(b)": "#55A868", "Art. 6(1)(c)": "#8172B2",
                 "Art. 6(1)(d)": "#C44E52", "Art. 6(1)(e)": "#CCB974", "Art. 6(1)(f)": "#DD8452"}
KIND_COLOURS = {"purpose": "#4C72B0", "category": "#55A868", "recipient": "#DD8452"}


def _colour(code: str) -> str:
    return BASIS_COLOURS.get(code, "#999999")


def plot_basis_heatmap(matrix: pandas.DataFrame) -> matplotlib.figure.Figure:
    """A heatmap of basis_category_matrix: one coloured cell per legal basis, blank where a category is unused."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    codes = sorted({v for v in matrix.to_numpy().ravel() if v})
    index = {code: i + 1 for i, code in enumerate(codes)}
    values = matrix.apply(lambda col: col.map(lambda v: index.get(v, 0))).to_numpy()
    fig = Figure(figsize=(8, 0.28 * len(matrix) + 2))
    ax = fig.add_subplot()
    ax.imshow(values, aspect="auto", cmap=ListedColormap(["#f4f4f4", *(_colour(c) for c in codes)]),
              vmin=0, vmax=len(codes), interpolation="nearest")
    ax.set_xticks(range(len(matrix.columns)), [_wrap(c, 22) for c in matrix.columns], fontsize=8, rotation=30, ha="right")
    ax.set_yticks(range(len(matrix.index)), [_wrap(i, 60, 1) for i in matrix.index], fontsize=7)
    ax.set_title("Processes × information categories, coloured by legal basis")
    ax.legend(handles=[Patch(color=_colour(c), label=c) for c in codes], bbox_to_anchor=(1.02, 1), loc="upper left",
              fontsize=8)
    fig.tight_layout()
    return fig


def plot_processes_per_basis(df: pandas.DataFrame) -> matplotlib.figure.Figure:
    """A bar chart of processes_per_basis."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.5))
    ax = fig.add_subplot()
    ax.bar(df["article"], df["processes"], color=[_colour(c) for c in df["article"]])
    ax.set_ylabel("processes")
    ax.set_title("Processes per legal basis")
    for i, n in enumerate(df["processes"]):
        ax.annotate(str(n), (i, n), ha="center", va="bottom", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig


def plot_audience_bases(table: pandas.DataFrame) -> matplotlib.figure.Figure:
    """A stacked bar chart of basis_by_audience_group: processes per basis for each audience group."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.5))
    ax = fig.add_subplot()
    bottom = [0] * len(table.index)
    for code in table.columns:
        values = table[code].tolist()
        ax.bar(table.index, values, bottom=bottom, label=code, color=_colour(code))
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("processes")
    ax.set_title("Legal bases by audience group")
    ax.legend(fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.tight_layout()
    return fig


def plot_network(graph: networkx.Graph, *, seed: int = 7) -> matplotlib.figure.Figure:
    """A static picture of network_graph: purposes, categories and recipients, edge width by weight."""
    import networkx as nx
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(12, 10))
    ax = fig.add_subplot()
    nodes = sorted(graph.nodes)
    ordered = nx.Graph()
    ordered.add_nodes_from((n, graph.nodes[n]) for n in nodes)
    ordered.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)))
    pos = nx.spring_layout(ordered, seed=seed, k=0.9, weight="weight")
    kinds = [ordered.nodes[n]["kind"] for n in nodes]
    nx.draw_networkx_edges(ordered, pos, ax=ax, alpha=0.3,
                           width=[0.5 + 0.4 * d["weight"] for _, _, d in ordered.edges(data=True)])
    nx.draw_networkx_nodes(ordered, pos, ax=ax, nodelist=nodes, node_color=[KIND_COLOURS[k] for k in kinds],
                           node_size=[300 + 40 * ordered.degree(n) for n in nodes])
    nx.draw_networkx_labels(ordered, pos, ax=ax, labels={n: _wrap(ordered.nodes[n]["label"], 24) for n in nodes},
                            font_size=6)
    ax.legend(handles=[Patch(color=c, label=k) for k, c in KIND_COLOURS.items()], loc="lower left")
    ax.set_title("Purposes, information categories and recipients")
    ax.axis("off")
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int, max_lines: int = 3) -> str:
    import textwrap

    lines = textwrap.wrap(str(text), width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, width - 1)] + "…"
    return "\n".join(lines)


# ---- The HTTP endpoint, for notebooks ----

def endpoint_available() -> bool:
    """True when the SPARQL endpoint package (policykg.server) is installed."""
    import importlib.util

    try:
        return importlib.util.find_spec("policykg.server") is not None
    except ModuleNotFoundError:
        return False


@contextmanager
def running_endpoint(build_dir: Path | str | None = None, dpv_dir: Path | str | None = None,
                     *, workers: int = 1) -> Iterator[str]:
    """Serve the graph on 127.0.0.1 (a free port) in a background thread; yield the /sparql URL, stop on exit."""
    from werkzeug.serving import make_server

    from .build import ensure_built
    from .config import default_build_dir, locate_dpv_dir
    from .server import create_app

    dpv = locate_dpv_dir(dpv_dir).path
    out = ensure_built(Path(build_dir) if build_dir else default_build_dir(), dpv)
    app = create_app({"BUILD_DIR": str(out), "DPV_DIR": str(dpv) if dpv else False, "QUERY_WORKERS": workers})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="policykg-endpoint", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        thread.join(10)
        state = app.extensions.get("policykg")
        if state is not None:
            state.close()


def sparqlwrapper_df(endpoint: str, query: str) -> pandas.DataFrame:
    """Run a query against a SPARQL endpoint with SPARQLWrapper and return the result as a DataFrame."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    from .queries import from_sparql_json

    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    return to_dataframe(from_sparql_json(client.query().convert()))


# ---- Validation report, for notebook 4 ----

def validate_build(build_dir: Path | str | None = None, dpv_dir: Path | str | None = None) -> Outcome:
    """Validate the built graph (ontology + data) with the SHACL shapes: policykg.validate's outcome, with findings."""
    from .build import ensure_built
    from .config import default_build_dir, locate_dpv_dir
    from .rdf_input import parse_rdf_files
    from .validate import load_dpv_graph, validate_graph
    from .validate_spans import texts_for_graph

    dpv = locate_dpv_dir(dpv_dir).path
    out = ensure_built(Path(build_dir) if build_dir else default_build_dir(), dpv)
    data = parse_rdf_files([out / "ontology.nt", out / "data.nt"])
    return validate_graph(data, load_dpv_graph(dpv) if dpv else None, texts=texts_for_graph(data, None))


def findings_table(findings: list[Finding]) -> pandas.DataFrame:
    """Validation findings as a table: severity, concern, shape, focus, path, message, first source span and its link."""
    import pandas as pd

    records = []
    for f in findings:
        first = f.spans[0] if f.spans else None
        records.append({
            "severity": f.severity,
            "concern": f.concern,
            "shape": f.shape_label,
            "focus": f.focus_label,
            "path": f.path or "",
            "message": f.message,
            "span": f"{first.start}\u2013{first.end}" if first else "",
            "quote": (first.text or "")[:120] if first else "",
            "link": (first.scope or "") if first else "",
        })
    columns = ["severity", "concern", "shape", "focus", "path", "message", "span", "quote", "link"]
    return pd.DataFrame.from_records(records, columns=columns)


def links_as_html(df: pandas.DataFrame, column: str = "link") -> str:
    """The table as HTML with the link column made clickable (for notebooks)."""
    import html

    shown = df.copy()
    shown[column] = shown[column].map(lambda u: f'<a href="{html.escape(u)}">{html.escape(u)}</a>' if u else "")
    return shown.to_html(escape=False, index=False)

"""Loading the graph and querying it: which versions the store holds, the dataset of one version, SPARQL as
DataFrames, and the SPARQL text behind every table and figure (so it can be read, copied and changed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..queries import QueryError, QueryResult, get_question, to_dataframe

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas
    import pyoxigraph

GRAPH_BASE = "https://w3id.org/policykg/graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
LINKS_GRAPH = GRAPH_BASE + "links"
DPV_GRAPH = GRAPH_BASE + "dpv"
CHANGES_PREFIX = GRAPH_BASE + "changes/"
#: version= value meaning "every graph at once" (for questions across versions).
ALL = "all"
_CQ_NAME = re.compile(r"cq\d+(-[a-z0-9-]+)?")


def open_store(build_dir: Path | str | None = None, dpv_dir: Path | str | None = None,
               *, with_dpv: bool = True) -> pyoxigraph.Store:
    """Build the graph if needed and load it (with DPV when found and wanted) into an in-memory store."""
    from ..build import ensure_built
    from ..config import default_build_dir, locate_dpv_dir
    from ..store import load_store

    dpv = locate_dpv_dir(dpv_dir).path if with_dpv else None
    out = ensure_built(Path(build_dir) if build_dir else default_build_dir(), dpv)
    return load_store(out, dpv)


def build_dir(build: Path | str | None = None) -> Path:
    """The build folder the notebooks read (./build or $POLICYKG_BUILD_DIR unless given)."""
    from ..config import default_build_dir

    return Path(build) if build else default_build_dir()


# ---- SPARQL text ----

@dataclass(frozen=True)
class Sparql:
    """A query's text and the file it comes from (shown in notebooks before the table or figure it makes)."""

    name: str
    path: Path
    text: str

    @property
    def question(self) -> str:
        """The first comment line: what the query asks, in English."""
        from ..queries import question_of

        return question_of(self.text)

    def __str__(self) -> str:
        return f"# {self.path}\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"<details><summary>SPARQL: <code>{self.path.name}</code> — {self.question}</summary>\n\n" \
               f"```sparql\n{self.text.rstrip()}\n```\n</details>"


def sparql(name: str) -> Sparql:
    """The SPARQL of an analysis query (e.g. 'processes', from analysis/sparql/processes.rq) or of a competency
    question ('cq09'), with the file it is read from."""
    if _CQ_NAME.fullmatch(name):
        cq = get_question(name)
        return Sparql(cq.name, cq.path, cq.text)
    from ..config import analysis_sparql_dir

    folder = analysis_sparql_dir()
    path = folder / f"{name.removesuffix('.rq')}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.rq")))
        raise QueryError(f"unknown analysis query {name!r}; known: {known} (or a competency question, cqNN)")
    return Sparql(path.stem, path, path.read_text(encoding="utf-8"))


def show_sparql(*names: str) -> None:
    """Print the SPARQL of the named queries with their files (what a table or figure is made from)."""
    for name in names:
        print(sparql(name), end="\n\n")


# ---- The dataset of a version ----

def versions(store: pyoxigraph.Store) -> pandas.DataFrame:
    """The versions the store holds, oldest first: name, the notice's label, effective date, notice and graph IRIs."""
    df = to_dataframe(_run(store, sparql("versions").text, None)).rename(columns={"label": "notice_label"})
    return df[["version", "notice_label", "effective", "notice", "graph"]]


def version_names(store: pyoxigraph.Store) -> list[str]:
    """The names of the versions the store holds, oldest first."""
    return versions(store)["version"].tolist()


def primary_version(store: pyoxigraph.Store) -> str:
    """The version questions are asked of unless another is named: the registry's primary if the store holds it,
    else the newest version held."""
    from ..versions import load_registry

    held = version_names(store)
    if not held:
        raise QueryError("the store holds no version of the policy (no dpv:PrivacyNotice with dct:identifier)")
    try:
        primary = load_registry().primary
    except Exception:  # noqa: BLE001 - a store without the project's registry still has a newest version
        primary = None
    return primary if primary in held else held[-1]


def dataset_graphs(store: pyoxigraph.Store, version: str | None = None) -> list[str] | None:
    """The default graph of one version's dataset: the ontology, that version, the links, the changes and DPV
    (as policykg.store.Manifest.default_graphs). version=None is the primary version; version='all' (ALL) is
    the union of every graph (None: for questions across versions)."""
    if version == ALL:
        return None
    name = version or primary_version(store)
    graphs = {g.value for g in store.named_graphs()}
    wanted = GRAPH_BASE + name
    if wanted not in graphs:
        raise QueryError(f"the store holds no version {name!r}; it holds: {', '.join(version_names(store))}")
    out = [g for g in (ONTOLOGY_GRAPH, wanted, LINKS_GRAPH) if g in graphs]
    out += sorted(g for g in graphs if g.startswith(CHANGES_PREFIX))
    return out + ([DPV_GRAPH] if DPV_GRAPH in graphs else [])


def _run(store: pyoxigraph.Store, text: str, graphs: list[str] | None) -> QueryResult:
    from ..queries import run_query

    return run_query(store, text, graphs or ())


def run(store: pyoxigraph.Store, query: str, *, version: str | None = None) -> QueryResult:
    """Run SPARQL text, a competency question ('cq02') or an analysis query ('processes') on a version's dataset."""
    name = query.strip()
    text = sparql(name).text if (_CQ_NAME.fullmatch(name) or re.fullmatch(r"[a-z][a-z0-9-]*", name)) else query
    return _run(store, text, dataset_graphs(store, version))


def query_df(store: pyoxigraph.Store, query: str, *, version: str | None = None, labels: bool = True) -> pandas.DataFrame:
    """A SELECT/ASK as a DataFrame: SPARQL text, a competency question ('cq02') or an analysis query ('processes'),
    run on one version's dataset (the primary by default; version='all' for every graph). With labels=True
    (the default), each column of IRIs gets a readable `<column>_label` column beside it."""
    df = to_dataframe(run(store, query, version=version))
    if labels:
        from .labelling import add_labels

        df = add_labels(df, store, version=version)
    return df


def select_df(store: pyoxigraph.Store, name: str, *, version: str | None = None) -> pandas.DataFrame:
    """An analysis query as a DataFrame without label columns (the raw IRIs the helpers start from)."""
    return query_df(store, name, version=version, labels=False)

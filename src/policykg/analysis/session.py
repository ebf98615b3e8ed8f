"""Loading the graph and querying it: which versions the store holds, the dataset of one version, SPARQL as
DataFrames, and the SPARQL text behind every table and figure (so it can be read, copied and changed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from policykg.store.questions import (
    NotApplicable,  # noqa: F401 - the analysis API re-exports it
    to_dataframe,
)
from policykg.store.views import (  # noqa: F401 - the analysis API re-exports these
    ALL,
    Sparql,
    dataset_graphs,
    primary_version,
    require,
    run,
    run_on,
    sparql,
    version_facts,
    version_names,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas
    import pyoxigraph



def open_store(build_dir: Path | str | None = None, dpv_dir: Path | str | None = None,
               *, with_dpv: bool = True) -> pyoxigraph.Store:
    """Build the graph if needed and load it (with DPV when found and wanted) into an in-memory store."""
    from policykg.build.pipeline import ensure_built
    from policykg.config import locate_dpv_dir
    from policykg.store.dataset import load_store

    dpv = locate_dpv_dir(dpv_dir).path if with_dpv else None
    out = ensure_built(_resolved_build(build_dir), dpv)
    return load_store(out, dpv)


def build_dir(build: Path | str | None = None) -> Path:
    """The build folder the notebooks read: the one given, else $POLICYKG_BUILD_DIR, else - in a clone, from
    anywhere inside it (Jupyter started in notebooks/) - the clone's own build/, so the notebooks reuse the build
    `make serve` and `policykg build` made instead of building a second one; else ./build."""
    return _resolved_build(build)


def _resolved_build(build: Path | str | None) -> Path:
    import os

    from policykg.config import BUILD_ENV, default_build_dir, source_tree

    if build:
        return Path(build)
    root = source_tree()
    if not os.environ.get(BUILD_ENV) and root is not None and Path.cwd().resolve().is_relative_to(root.resolve()):
        return root / "build"
    return default_build_dir()


def states(store: pyoxigraph.Store, kind: str, version: str | None = None) -> bool:
    """Whether a version's notice (the primary by default) states a kind of thing: 'legal-bases', 'audiences',
    'legitimate-interests', 'applicable-law' (policykg.store.applicability)."""
    if version == ALL:
        return True
    facts = version_facts(store).get(version or primary_version(store))
    return facts is None or kind not in facts.not_stated


# ---- SPARQL text ----

def show_sparql(*names: str) -> None:
    """Print the SPARQL of the named queries with their files (what a table or figure is made from)."""
    for name in names:
        print(sparql(name), end="\n\n")


# ---- The dataset of a version ----

def versions(store: pyoxigraph.Store) -> pandas.DataFrame:
    """The versions the store holds, oldest first: name, the notice's label, effective date, notice and graph IRIs."""
    df = to_dataframe(run_on(store, sparql("versions").text, None)).rename(columns={"label": "notice_label"})
    return df[["version", "notice_label", "effective", "notice", "graph"]]


def query_df(store: pyoxigraph.Store, query: str, *, version: str | None = None, labels: bool = True) -> pandas.DataFrame:
    """A SELECT/ASK as a DataFrame: SPARQL text, a competency question ('cq02') or an analysis query ('processes'),
    run on one version's dataset (the primary by default; version='all' for every graph). With labels=True
    (the default), each column of IRIs gets a readable `<column>_label` column beside it."""
    df = to_dataframe(run(store, query, version=version))
    if labels:
        from policykg.analysis.labelling import add_labels

        df = add_labels(df, store, version=version)
    return df


def select_df(store: pyoxigraph.Store, name: str, *, version: str | None = None) -> pandas.DataFrame:
    """An analysis query as a DataFrame without label columns (the raw IRIs the helpers start from)."""
    return query_df(store, name, version=version, labels=False)

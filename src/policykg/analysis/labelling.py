"""Readable labels beside IRIs in DataFrames (the label index itself lives in policykg.store.labels).

A resource is shown by its label (rdfs:label, else skos:prefLabel), GDPR provisions as people cite them
("Art. 6(1)(f) legitimate interests"), and anything unlabelled as a CURIE (eu-gdpr:A6-1-f). Processes are shown
by their title; where several processes of one version share a title, the title is followed by what tells them
apart, the basis and the audience in short ("Personalising the Meta Products · legitimate interests · under 18").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policykg.store.labels import (  # noqa: F401 - the analysis API (policykg.analysis) re-exports these
    AUDIENCE_SHORT,
    SEPARATOR,
    LabelIndex,
    audience_short,
    basis_code,
    basis_short,
    distinguishing,
    label_index,
    labeller,
    version_of,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas
    import pyoxigraph


def is_iri_column(values: pandas.Series) -> bool:
    """True when every non-empty value of a column is an http(s) IRI."""
    present = [v for v in values.dropna().tolist() if v != ""]
    return bool(present) and all(isinstance(v, str) and v.startswith(("http://", "https://")) and " " not in v
                                 for v in present)


def add_labels(df: pandas.DataFrame, store: pyoxigraph.Store, *, version: str | None = None,
               suffix: str = "_label") -> pandas.DataFrame:
    """A copy of df with a readable `<column>_label` column right after each column of IRIs."""
    label = label_index(store, version)
    out = df.copy()
    for column in list(df.columns):
        if str(column).endswith(suffix) or f"{column}{suffix}" in df.columns or not is_iri_column(df[column]):
            continue
        position = list(out.columns).index(column) + 1
        out.insert(position, f"{column}{suffix}", df[column].map(lambda v: label(v) if isinstance(v, str) and v else v))
    return out


def readable(df: pandas.DataFrame, store: pyoxigraph.Store, *, version: str | None = None) -> pandas.DataFrame:
    """A copy of df with every IRI replaced by its label (for display; keep the IRIs with add_labels)."""
    label = label_index(store, version)
    out = df.copy()
    for column in df.columns:
        if is_iri_column(df[column]):
            out[column] = df[column].map(lambda v: label(v) if isinstance(v, str) and v else v)
    return out

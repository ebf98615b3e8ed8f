"""The tables the notebooks show, each a pandas DataFrame with readable labels beside the IRIs.

Every helper reads one version's dataset (the primary by default, or version=...), and the ones about processes
take audience= (a person group such as "minors", "adults", "no account", or an audience concept such as
"pko:NonAccountHolder"): only processes that apply to someone in that audience are kept. A helper about legal bases
or audiences asked of a version whose notice states none (Meta's global notice) raises NotApplicable with the
reason, instead of an empty table (policykg.store.applicability).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from policykg.analysis.labelling import basis_code, label_index
from policykg.analysis.session import dataset_graphs, require, run, select_df
from policykg.iris import PREFIXES
from policykg.labels import GDPR_LABELS
from policykg.namespaces import EU_GDPR, PKO

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas
    import pyoxigraph

#: The person groups the notebooks compare, as the narrowest audience concept a member of the group falls under.
AUDIENCE_GROUPS: dict[str, str] = {
    "minors": f"{PKO}RegisteredUserUnderAgeOfMajority",
    "adults": f"{PKO}RegisteredUserOverAgeOfMajority",
    "no account": f"{PKO}NonAccountHolder",
}
GROUP_ALIASES = {"under 18": "minors", "18 and over": "adults", "people without an account": "no account"}
#: What a cell of a matrix holds where a process does not use that information.
NOT_USED = ""
#: What a process's basis or audience column says where the notice states none.
NOT_STATED = "not stated"
BASES = frozenset({"legal-bases"})
AUDIENCES = frozenset({"audiences"})


# ---- Resolving parameters ----

def resolve_iri(value: str) -> str:
    """An IRI from an IRI or a CURIE with a project prefix (pko:NonAccountHolder)."""
    if value.startswith(("http://", "https://")):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    raise ValueError(f"not an IRI or a known CURIE: {value!r}")


def resolve_basis(value: str) -> str:
    """A legal basis IRI from an IRI, CURIE, article ('Art. 6(1)(f)', 'A6-1-f') or name ('legitimate interests')."""
    text = value.strip()
    wanted = text.lower().removeprefix("eu-gdpr:")
    for key, label in GDPR_LABELS.items():
        iri = f"{EU_GDPR}{key}"
        if wanted in (key.lower(), label.lower(), basis_code(iri).lower(), label.split(" ", 2)[-1].lower()):
            return iri
    return resolve_iri(text)


def resolve_audience(value: str) -> str:
    """An audience concept IRI from a group name ('minors', 'under 18', 'adults', 'no account'), a CURIE or an IRI."""
    name = GROUP_ALIASES.get(value.strip().lower(), value.strip().lower())
    if name in AUDIENCE_GROUPS:
        return AUDIENCE_GROUPS[name]
    from policykg.analysis.labelling import AUDIENCE_SHORT

    for iri, short in AUDIENCE_SHORT.items():
        if short == name:
            return iri
    return resolve_iri(value.strip())


def processes_for_audience(store: pyoxigraph.Store, audience: str, *, version: str | None = None) -> set[str]:
    """The processes that apply to someone in the audience: those whose audience is that concept or broader."""
    require(store, AUDIENCES, "processes_for_audience", version)
    member = resolve_audience(audience)
    pairs = run(store, "audiences", version=version).values()
    broader = {p["audience"] for p in pairs if p["member"] == member} | {member}
    rows = run(store, "processes", version=version).values()
    return {r["process"] for r in rows if r["audience"] in broader}


def _keep(df: pandas.DataFrame, store, audience: str | None, basis: str | None, version: str | None,
          column: str = "process") -> pandas.DataFrame:
    """Rows of df whose process applies to the audience and rests on the basis (either may be None)."""
    if audience:
        df = df[df[column].isin(processes_for_audience(store, audience, version=version))]
    if basis:
        require(store, BASES, "basis=", version)
        iri = resolve_basis(basis)
        on_basis = {r["process"] for r in run(store, "processes", version=version).values() if r.get("basis") == iri}
        df = df[df[column].isin(on_basis)]
    return df


# ---- Processes ----

def processes(store: pyoxigraph.Store, *, version: str | None = None, audience: str | None = None,
              basis: str | None = None) -> pandas.DataFrame:
    """One row per process, in the order of the policy text: its label (told apart by audience where titles are
    shared), title, legal bases and audiences (labels, and IRIs joined by ' | '; 'not stated' where the notice
    states none)."""
    import pandas as pd

    label = label_index(store, version)
    raw = _keep(select_df(store, "processes", version=version), store, audience, basis, version)
    records = []
    for process, rows in raw.groupby("process", sort=False):
        bases = sorted(set(rows["basis"].dropna()), key=basis_sort_key)
        audiences = sorted(set(rows["audience"].dropna()))
        records.append({
            "process": process, "process_label": label(process), "title": rows["title"].iloc[0],
            "basis_label": " + ".join(label(b) for b in bases) or NOT_STATED,
            "audience_label": " + ".join(label(a) for a in audiences) or NOT_STATED,
            "basis": " | ".join(bases), "audience": " | ".join(audiences),
            "start": int(rows["start"].iloc[0]) if rows["start"].notna().any() else None,
        })
    columns = ["process", "process_label", "title", "basis_label", "audience_label", "basis", "audience", "start"]
    df = pd.DataFrame.from_records(records, columns=columns)
    return df.sort_values(["start", "process"], na_position="last").reset_index(drop=True)


def basis_sort_key(iri: str) -> tuple[int, str]:
    """Art. 6 bases first (a .. f), then Art. 9 conditions, then anything else."""
    key = iri[len(str(EU_GDPR)):] if iri.startswith(str(EU_GDPR)) else iri
    return ({"A6": 0, "A9": 1}.get(key.split("-")[0], 2), key)


def processes_per_basis(store: pyoxigraph.Store, *, version: str | None = None,
                        audience: str | None = None) -> pandas.DataFrame:
    """Processes per legal basis: basis label, article, short name, number of processes and the IRI. A process that
    rests on two bases (consent and an Art. 9 condition) is counted under each, so the counts can add up to more
    than the number of processes (see several_bases)."""
    import pandas as pd

    require(store, BASES, "processes_per_basis", version)
    label = label_index(store, version)
    raw = _keep(select_df(store, "processes", version=version), store, audience, None, version)
    counts = raw.groupby("basis")["process"].nunique()
    df = pd.DataFrame({"basis": counts.index, "processes": counts.to_numpy()})
    df.insert(0, "basis_label", df["basis"].map(label))
    df.insert(1, "article", df["basis"].map(basis_code))
    df.insert(2, "short", df["basis"].map(label.short))
    df = df.sort_values("basis", key=lambda s: s.map(basis_sort_key)).reset_index(drop=True)
    df = df[["basis_label", "article", "short", "processes", "basis"]]
    df.attrs["distinct processes"] = int(raw["process"].nunique())
    return df


def several_bases(store: pyoxigraph.Store, *, version: str | None = None) -> pandas.DataFrame:
    """The processes that rest on more than one legal basis (why per-basis counts exceed the number of processes)."""
    require(store, BASES, "several_bases", version)
    df = processes(store, version=version)
    return df[df["basis"].str.contains(r" \| ", regex=True)][["process_label", "basis_label", "process"]].reset_index(drop=True)


# ---- Processes x information ----

def process_information(store: pyoxigraph.Store, *, version: str | None = None, audience: str | None = None,
                        basis: str | None = None) -> pandas.DataFrame:
    """One row per process x information item: process, category, item (labels beside IRIs), whether the item is
    special-category data, and the policy's qualification of the use."""
    label = label_index(store, version)
    df = _keep(select_df(store, "process-information", version=version), store, audience, basis, version)
    df = df.copy()
    df["special"] = df["special"].astype(bool)
    df["qualifier"] = df["qualifier"].fillna("")
    for column in ("process", "category", "item"):
        df.insert(list(df.columns).index(column) + 1, f"{column}_label", df[column].map(label))
    return df.reset_index(drop=True)


def basis_matrix(store: pyoxigraph.Store, *, level: str = "category", audience: str | None = None,
                 version: str | None = None) -> pandas.DataFrame:
    """Processes x information (level='category': the policy's 4 categories; level='item': every item).

    A cell holds the legal basis the process rests on where it uses that information ('' where it does not); where
    the information is special-category data and the process names an Art. 9 condition, the cell says so too
    ("Art. 6(1)(a) consent + Art. 9(2)(a) explicit consent"). Rows follow the policy text.
    """
    if level not in ("category", "item"):
        raise ValueError("level must be 'category' or 'item'")
    require(store, BASES, "basis_matrix", version)
    label = label_index(store, version)
    table = processes(store, version=version, audience=audience)
    uses = process_information(store, version=version, audience=audience)
    bases = {row.process: row.basis.split(" | ") for row in table.itertuples()}
    column = f"{level}_label"
    cells: dict[tuple[str, str], str] = {}
    for (process, col), rows in uses.groupby(["process", column]):
        art6 = [b for b in bases.get(process, []) if b.startswith(f"{EU_GDPR}A6-")] or bases.get(process, [])
        art9 = [b for b in bases.get(process, []) if b.startswith(f"{EU_GDPR}A9-")] if rows["special"].any() else []
        cells[(process, col)] = " + ".join(label(b) for b in [*art6, *art9])
    import pandas as pd

    columns = sorted({c for _, c in cells})
    matrix = pd.DataFrame(NOT_USED, index=pd.Index(table["process_label"], name="process"),
                          columns=pd.Index(columns, name=f"information {level}"))
    for (process, col), value in cells.items():
        matrix.loc[label(process), col] = value
    return matrix


def matrix_long(matrix: pandas.DataFrame) -> pandas.DataFrame:
    """A wide matrix (rows x columns of values) as a long table with one row per filled cell."""
    long = matrix.reset_index().melt(id_vars=matrix.index.name or "index", var_name=matrix.columns.name or "column",
                                     value_name="value")
    return long[long["value"] != NOT_USED].reset_index(drop=True)


# ---- Audiences ----

def audience_groups(store: pyoxigraph.Store, *, version: str | None = None) -> pandas.DataFrame:
    """Competency question cq09 with labels: for minors, adults and people without an account, each process that
    applies to them and its legal bases."""
    from policykg.analysis.labelling import add_labels

    df = select_df(store, "cq09", version=version)
    df = add_labels(df, store, version=version)
    df["basis_short"] = df["basis"].map(label_index(store, version).short)
    return df


def basis_by_audience_group(store: pyoxigraph.Store, *, version: str | None = None) -> pandas.DataFrame:
    """Processes per legal basis (columns, by name) for minors, adults and people without an account (rows), and
    the number of distinct processes per group (a process on two bases counts once there, and under each basis)."""
    df = audience_groups(store, version=version)
    order = [b for b in sorted(set(df["basis"]), key=basis_sort_key)]
    label = label_index(store, version)
    table = df.pivot_table(index="group", columns="basis", values="process", aggfunc="nunique", fill_value=0)
    table = table.reindex(index=[g for g in AUDIENCE_GROUPS if g in table.index], columns=order).fillna(0).astype(int)
    table.columns = [label(b) for b in table.columns]
    table.columns.name = "legal basis"
    table["processes"] = df.groupby("group")["process"].nunique().reindex(table.index).astype(int)
    return table


def audience_comparison(store: pyoxigraph.Store, *, version: str | None = None) -> pandas.DataFrame:
    """Purposes (rows) x person groups (columns): the legal bases each group's processes rest on for that purpose."""
    groups = audience_groups(store, version=version)
    purposes = select_df(store, "process-purposes", version=version)
    label = label_index(store, version)
    merged = groups.merge(purposes, on="process")
    merged["purpose_label"] = merged["purpose"].map(label)
    table = merged.groupby(["purpose_label", "group"])["basis"].agg(
        lambda s: ", ".join(label.short(b) for b in sorted(set(s), key=basis_sort_key))).unstack("group")
    table = table.reindex(columns=[g for g in AUDIENCE_GROUPS if g in table.columns]).fillna(NOT_USED)
    table.index.name, table.columns.name = "purpose", "audience group"
    return table.sort_index()


# ---- Counts for the README ----

def graph_summary(store: pyoxigraph.Store, *, version: str | None = None) -> dict[str, int]:
    """Headline counts of one version (the primary by default): triples, processes, purposes, items, spans ..."""
    from policykg.analysis.session import primary_version
    from policykg.iris import GRAPH_BASE, ONTOLOGY_GRAPH

    name = version or primary_version(store)
    counts: dict[str, int] = {}
    for key, graph in (("ontology triples", ONTOLOGY_GRAPH), ("data triples", GRAPH_BASE + name)):
        counts[key] = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", None)
    patterns = {
        "processes": "?x a dpv:Process .",
        "legal bases used": "?p a dpv:Process ; dpv:hasLegalBasis ?x .",
        "purposes": "?p a dpv:Process ; dpv:hasPurpose ?x .",
        "audiences": "?p a dpv:Process ; dpv:hasDataSubject ?x .",
        "information categories": "?x skos:topConceptOf pko:InformationScheme .",
        "information items": "?p pko:hasQualifiedPersonalData/pko:personalData ?x . "
                             "FILTER NOT EXISTS { ?x skos:topConceptOf pko:InformationScheme }",
        "process × item uses": "?x a pko:QualifiedPersonalData .",
        "legitimate interests": "?p pko:hasLegitimateInterest ?x .",
        "recipients": "?n a dpv:PrivacyNotice ; dpv:hasRecipient ?x .",
        "rights": "?n a dpv:PrivacyNotice ; dpv:hasRight ?x .",
        "source spans": "?x a oa:SpecificResource .",
    }
    graphs = [g for g in dataset_graphs(store, name) or [] if not g.startswith(GRAPH_BASE + "changes/")]
    for key, pattern in patterns.items():
        counts[key] = _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}", graphs)
    return counts


def _count(store: pyoxigraph.Store, sparql: str, graphs: list[str] | None) -> int:
    from policykg.iris import sparql_prefixes
    from policykg.store.views import run_on

    return int(run_on(store, sparql_prefixes() + sparql, graphs).rows[0]["n"][1])


def versions_summary(store: pyoxigraph.Store) -> dict[str, dict[str, int]]:
    """graph_summary of every version the store holds, oldest first: {version: counts}."""
    from policykg.analysis.session import version_names

    return {name: graph_summary(store, version=name) for name in version_names(store)}


def summary_markdown(summary: dict[str, int] | dict[str, dict[str, int]]) -> str:
    """The summary as the markdown table pasted into the README between the counts markers: one count column, or
    one column per version for a versions_summary."""
    per_version = bool(summary) and isinstance(next(iter(summary.values())), dict)
    columns = cast("dict[str, dict[str, int]]", summary if per_version else {"Count": summary})
    names = list(columns)
    rows = list(next(iter(columns.values())))
    lines = ["| What | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    lines += [f"| {row} | " + " | ".join(str(columns[n][row]) for n in names) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def parse_summary_markdown(text: str) -> dict[str, int] | dict[str, dict[str, int]]:
    """The counts from a markdown table written by summary_markdown (the inverse)."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines() if line.strip()]
    if not rows:
        return {}
    header, body = rows[0], [r for r in rows[2:] if len(r) == len(rows[0])]
    if header[1:] == ["Count"]:
        return {r[0]: int(r[1]) for r in body if r[1].isdigit()}
    return {name: {r[0]: int(r[i]) for r in body if r[i].isdigit()} for i, name in enumerate(header[1:], start=1)}


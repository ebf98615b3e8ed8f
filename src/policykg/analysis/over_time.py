"""The policy over time: what each comparison of two versions found (the change graphs, pko:VersionComparison),
for whom and on which basis, as tables and pictures. Everything works on whatever versions the build holds: with
one version there is no comparison, and the tables are empty (with their columns) and the figures say so.
Comparisons come in date order (by the newer version's effective date, then the older's), in tables and figures."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from policykg.analysis.labelling import label_index, version_of
from policykg.analysis.session import ALL, run, select_df
from policykg.analysis.tables import NOT_STATED, basis_sort_key

if TYPE_CHECKING:  # pragma: no cover - typing only
    import matplotlib.figure
    import pandas
    import pyoxigraph

KIND_COLOURS = {"added": "#009E73", "removed": "#D55E00", "changed": "#56B4E9"}
_SPAN = re.compile(r"/span/(\d+)-(\d+)$")


def comparisons(store: pyoxigraph.Store) -> pandas.DataFrame:
    """The comparisons the build holds: name (old--new), old and new version, label and the summary it states."""
    import pandas as pd

    rows = select_df(store, "comparisons", version=ALL)
    effective = {r["version"]: r["effective"] for r in run(store, "versions", version=ALL).values()}
    records = [{"comparison": f"{version_of(r.old)}--{version_of(r.new)}", "old_version": version_of(r.old),
                "new_version": version_of(r.new), "label": r.label, "summary": r.description, "iri": r.comparison,
                "graph": r.graph} for r in rows.itertuples()]
    records.sort(key=lambda r: (effective.get(r["new_version"] or "", ""), effective.get(r["old_version"] or "", ""),
                                r["comparison"]))
    columns = ["comparison", "old_version", "new_version", "label", "summary", "iri", "graph"]
    return pd.DataFrame.from_records(records, columns=columns)


def _in_date_order(table: pandas.DataFrame, store: pyoxigraph.Store) -> pandas.DataFrame:
    """The rows of a table with a comparison column, comparisons in date order (a stable sort: rows keep their
    order within a comparison)."""
    order = {name: i for i, name in enumerate(comparisons(store)["comparison"])}
    return table.sort_values("comparison", key=lambda c: c.map(lambda n: order.get(n, len(order))),
                             kind="stable").reset_index(drop=True)


def _process_facts(store: pyoxigraph.Store) -> dict[str, dict[str, list[str]]]:
    facts: dict[str, dict[str, list[str]]] = {}
    for r in run(store, "processes", version=ALL).values():
        entry = facts.setdefault(r["process"], {"basis": [], "audience": []})
        for key in ("basis", "audience"):
            if key in r and r[key] not in entry[key]:
                entry[key].append(r[key])
    return facts


def process_changes(store: pyoxigraph.Store) -> pandas.DataFrame:
    """One row per process each comparison found added, removed or changed: the process (as the version that has
    it), its label, the Art. 6 basis and the audience it applies to."""
    import pandas as pd

    label = label_index(store, ALL)
    names = {r.iri: r.comparison for r in comparisons(store).itertuples()}
    facts = _process_facts(store)
    records = []
    for r in select_df(store, "process-changes", version=ALL).itertuples():
        fact = facts.get(r.process, {"basis": [], "audience": []})
        bases = sorted(fact["basis"], key=basis_sort_key)
        records.append({"comparison": names.get(r.comparison, r.comparison), "kind": r.kind,
                        "process_label": label(r.process),
                        "basis_label": " + ".join(label(b) for b in bases) or NOT_STATED,
                        "audience_label": " + ".join(label.short(a) for a in fact["audience"]) or NOT_STATED,
                        "version": version_of(r.process), "process": r.process,
                        "basis": " | ".join(bases)})
    columns = ["comparison", "kind", "process_label", "basis_label", "audience_label", "version", "process", "basis"]
    return _in_date_order(pd.DataFrame.from_records(records, columns=columns), store)


def changes_by_basis(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Processes added, removed and changed per comparison and Art. 6 basis (a process on two bases counts under
    each)."""
    import pandas as pd

    changes = process_changes(store)
    if changes.empty:
        return pd.DataFrame(columns=["comparison", "basis_label", "added", "removed", "changed"])
    rows = changes.assign(basis_label=changes["basis_label"].str.split(" + ", regex=False)).explode("basis_label")
    table = rows.pivot_table(index=["comparison", "basis_label"], columns="kind", values="process", aggfunc="nunique",
                             fill_value=0)
    table = table.reindex(columns=["added", "removed", "changed"], fill_value=0).reset_index()
    table.columns.name = None
    return _in_date_order(table, store)


def value_changes(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Every value a changed process (or the notice) gained or lost: comparison, process label ('the notice' for
    notice-level changes), field, added/removed, the value and its label, and the span of the text that states it
    (in the new text for added values, the old text for removed ones)."""
    import pandas as pd

    label = label_index(store, ALL)
    names = {r.iri: r.comparison for r in comparisons(store).itertuples()}
    records = []
    for r in select_df(store, "value-changes", version=ALL).itertuples():
        process = r.process if isinstance(r.process, str) else ""
        value = r.value if isinstance(r.value, str) else str(r.value)
        start, end = r.start, r.end
        span = r.span if isinstance(r.span, str) else ""
        found = _SPAN.search(span) if span else None
        if (start is None or start != start) and found:
            start, end = (int(x) for x in found.groups())
        records.append({"comparison": names.get(r.comparison, r.comparison),
                        "process_label": label(process) if process else "the notice", "field": r.field,
                        "direction": r.direction,
                        "value_label": label(value) if value.startswith("http") else value,
                        "start": start, "end": end, "value": value, "process": process, "span": span})
    columns = ["comparison", "process_label", "field", "direction", "value_label", "start", "end", "value", "process",
               "span"]
    return _in_date_order(pd.DataFrame.from_records(records, columns=columns), store)


def items_gained(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Information items each changed process gained and lost, per comparison (counts, and the items by name)."""
    import pandas as pd

    values = value_changes(store)
    items = values[values["field"] == "items"] if not values.empty else values
    if items.empty:
        return pd.DataFrame(columns=["comparison", "process_label", "gained", "lost", "items gained", "items lost"])
    rows = []
    for (comparison, process), group in items.groupby(["comparison", "process_label"], sort=True):
        added = sorted(group.loc[group["direction"] == "added", "value_label"])
        removed = sorted(group.loc[group["direction"] == "removed", "value_label"])
        rows.append({"comparison": comparison, "process_label": process, "gained": len(added), "lost": len(removed),
                     "items gained": ", ".join(added), "items lost": ", ".join(removed)})
    table = pd.DataFrame(rows).sort_values(["gained", "lost"], ascending=[False, False], kind="stable")
    return _in_date_order(table, store)


# ---- Figures ----

def _empty(message: str, title: str) -> matplotlib.figure.Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2.2), layout="constrained")
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, wrap=True)
    ax.set_title(title)
    ax.axis("off")
    return fig


def plot_changes_by_basis(table: pandas.DataFrame, *, title: str = "Processes added, removed and changed, by legal basis") -> matplotlib.figure.Figure:
    """One panel per comparison (in the table's order: date order), each drawn alike: every legal basis any
    comparison touched at the same place on the axis, bars of one width, whole numbers on the count axis."""
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from policykg.analysis.figures import wrap

    if table.empty:
        return _empty("The build holds no comparison yet (one version only): nothing has changed to show.", title)
    comparisons_ = list(dict.fromkeys(table["comparison"]))
    bases = list(dict.fromkeys(table["basis_label"]))
    bases = sorted(bases, key=lambda b: (0 if "Art. 6" in b else 1 if "Art. 9" in b else 2, b))
    fig = Figure(figsize=(max(8, 1.3 * len(bases) + 1.5), 2.6 * len(comparisons_) + 1.0), layout="constrained")
    axes = fig.subplots(len(comparisons_), 1, squeeze=False, sharex=True)[:, 0]
    x = np.arange(len(bases))
    for ax, name in zip(axes, comparisons_, strict=False):
        kinds = ["added", "removed", "changed"]
        part = table[table["comparison"] == name].set_index("basis_label")[kinds].reindex(bases, fill_value=0)
        for k, kind in enumerate(("added", "removed", "changed")):
            bars = ax.bar(x + (k - 1) * 0.27, part[kind], 0.27, color=KIND_COLOURS[kind], label=kind)
            ax.bar_label(bars, labels=[str(int(v)) if v else "" for v in part[kind]], fontsize=7, padding=1)
        ax.set_xlim(-0.6, len(bases) - 0.4)
        ax.set_ylim(0, max(1, int(part[kinds].to_numpy().max())) * 1.18)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("processes")
        ax.set_title(name.replace("--", " → "), fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xticks(x, [wrap(b, 18) for b in bases], fontsize=8)
    axes[-1].set_xlabel("legal basis")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", fontsize=8, frameon=False, ncols=3)
    fig.suptitle(title)
    return fig


def plot_items_gained(table: pandas.DataFrame, *, title: str = "Information items gained and lost per changed process") -> matplotlib.figure.Figure:
    """Diverging bars of items_gained: items gained (right) and lost (left) per process, one panel per comparison
    (in the table's order: date order), each drawn alike: bars of one thickness, one scale, whole numbers."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from policykg.analysis.figures import wrap

    if table.empty:
        return _empty("No process gained or lost information items between the versions the build holds.", title)
    comparisons_ = list(dict.fromkeys(table["comparison"]))
    rows = [int((table["comparison"] == c).sum()) for c in comparisons_]
    heights = [0.34 * n + 0.8 for n in rows]
    fig = Figure(figsize=(10, sum(heights) + 0.9), layout="constrained")
    axes = fig.subplots(len(comparisons_), 1, squeeze=False, sharex=True,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    reach = max(1, int(table["gained"].max()), int(table["lost"].max()))
    for ax, name in zip(axes, comparisons_, strict=False):
        part = table[table["comparison"] == name].iloc[::-1]
        y = list(range(len(part)))
        ax.barh(y, part["gained"], 0.7, color=KIND_COLOURS["added"], label="items gained")
        ax.barh(y, -part["lost"], 0.7, color=KIND_COLOURS["removed"], label="items lost")
        ax.set_yticks(y, [wrap(p, 70) for p in part["process_label"]], fontsize=7.5)
        ax.set_ylim(-0.6, len(part) - 0.4)
        ax.set_xlim(-reach * 1.05, reach * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.axvline(0, color="#333333", linewidth=0.6)
        ax.set_title(name.replace("--", " → "), fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xlabel("information items (lost ← → gained)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", fontsize=8, frameon=False, ncols=2)
    fig.suptitle(title)
    return fig

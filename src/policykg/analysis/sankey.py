"""Where information goes, as a Sankey diagram: information (category or item) -> purpose -> recipient.

sankey_flows gives the flows as a table (filterable by basis and audience); plot_sankey draws them with matplotlib
(a static picture, for the executed notebook and the docs); sankey_interactive draws them with plotly when it is
installed (hover for the processes behind a band; a menu filters by basis or audience; works offline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from policykg.analysis.figures import COLUMN_TITLES
from policykg.analysis.labelling import label_index
from policykg.analysis.session import require, run, select_df, states
from policykg.analysis.tables import AUDIENCE_GROUPS, _keep, basis_sort_key

if TYPE_CHECKING:  # pragma: no cover - typing only
    import matplotlib.figure
    import pandas
    import pyoxigraph

NO_RECIPIENT = "no recipient named"
STAGES = ("information → purpose", "purpose → recipient")


def sankey_flows(store: pyoxigraph.Store, *, level: str = "category", basis: str | None = None,
                 audience: str | None = None, version: str | None = None) -> pandas.DataFrame:
    """The flows of the Sankey: one row per (source, target) with the number of processes behind it.

    Stage 'information → purpose': processes that use information of that category (or item, level='item') for
    that purpose; stage 'purpose → recipient': processes with that purpose that name that recipient ('no recipient
    named' where the row names none). basis= and audience= keep only the processes on that basis / for that audience.
    """
    import pandas as pd

    if level not in ("category", "item"):
        raise ValueError("level must be 'category' or 'item'")
    label = label_index(store, version)
    raw = _keep(select_df(store, "process-flows", version=version), store, audience, basis, version)
    raw = raw.copy()
    raw["recipient"] = raw["recipient"].fillna("")
    first = raw[["process", level, "purpose"]].drop_duplicates()
    second = raw[["process", "purpose", "recipient"]].drop_duplicates()
    records = []
    for stage, frame, (src, dst) in ((STAGES[0], first, (level, "purpose")), (STAGES[1], second, ("purpose", "recipient"))):
        for (s, t), rows in frame.groupby([src, dst], sort=True):
            processes = sorted(set(rows["process"]))
            records.append({"stage": stage, "source": s, "source_label": label(s), "source_kind": src,
                            "target": t, "target_label": label(t) if t else NO_RECIPIENT, "target_kind": dst,
                            "processes": len(processes), "process_labels": "; ".join(sorted(label(p) for p in processes)),
                            "process_iris": " | ".join(processes)})
    columns = ["stage", "source_label", "target_label", "processes", "source", "target", "source_kind", "target_kind",
               "process_labels", "process_iris"]
    return pd.DataFrame.from_records(records, columns=columns)


# ---- Layout (shared by the static and interactive pictures) ----

def _layout(flows: pandas.DataFrame) -> dict[str, list[tuple[str, float]]]:
    """Nodes per column (kind) in drawing order, each with its size (the larger of its in- and out-flow).

    The first column is ordered by size; each later column by the weighted mean position of the nodes its flows
    come from (fewer crossings), 'no recipient named' last."""
    out_flow: dict[tuple[str, str], float] = {}
    in_flow: dict[tuple[str, str], float] = {}
    for row in flows.itertuples():
        source, target = (row.source_kind, row.source_label), (row.target_kind, row.target_label)
        out_flow[source] = out_flow.get(source, 0) + row.processes
        in_flow[target] = in_flow.get(target, 0) + row.processes
    sizes = {key: max(out_flow.get(key, 0), in_flow.get(key, 0)) for key in [*out_flow, *in_flow]}
    kinds = list(dict.fromkeys([*flows["source_kind"], *flows["target_kind"]]))
    columns: dict[str, list[tuple[str, float]]] = {}
    rank: dict[tuple[str, str], float] = {}
    for k, kind in enumerate(kinds):
        nodes = [(name, size) for (kd, name), size in sizes.items() if kd == kind]
        if k == 0:
            nodes.sort(key=lambda n: (-n[1], n[0]))
        else:
            def centre(name: str, kind: str = kind) -> float:
                incoming = flows[(flows["target_kind"] == kind) & (flows["target_label"] == name)]
                weights = [(rank[(r.source_kind, r.source_label)], r.processes) for r in incoming.itertuples()
                           if (r.source_kind, r.source_label) in rank]
                total = sum(w for _, w in weights)
                return sum(p * w for p, w in weights) / total if total else 0.0
            nodes.sort(key=lambda n: (n[0] == NO_RECIPIENT, centre(n[0]), -n[1], n[0]))
        for i, (name, _) in enumerate(nodes):
            rank[(kind, name)] = float(i)
        columns[kind] = nodes
    return columns


def _spread(wanted: list[float], heights: list[float], low: float, high: float) -> list[float]:
    """Label centres as near as possible to the wanted ones (top to bottom) without overlapping, within [low, high]."""
    out = list(wanted)
    for i in range(1, len(out)):
        out[i] = min(out[i], out[i - 1] - (heights[i - 1] + heights[i]) / 2)
    if out and out[-1] - heights[-1] / 2 < low:
        out[-1] = low + heights[-1] / 2
        for i in range(len(out) - 2, -1, -1):
            out[i] = max(out[i], out[i + 1] + (heights[i] + heights[i + 1]) / 2)
    if out and out[0] + heights[0] / 2 > high:
        out[0] = high - heights[0] / 2
        for i in range(1, len(out)):
            out[i] = min(out[i], out[i - 1] - (heights[i - 1] + heights[i]) / 2)
    return out


def plot_sankey(flows: pandas.DataFrame, *, title: str | None = None) -> matplotlib.figure.Figure:
    """A static Sankey of sankey_flows: columns of nodes, bands as wide as the number of processes behind each flow
    (coloured by the information they start from; purpose -> recipient bands in grey). Node labels give the number
    of distinct processes through the node; a process serving several purposes is drawn once per purpose."""
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    from policykg.analysis.figures import PALETTE, wrap

    if flows.empty:
        fig = Figure(figsize=(8, 2), layout="constrained")
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "No process matches this filter.", ha="center", va="center")
        ax.axis("off")
        return fig
    columns = _layout(flows)
    kinds = list(columns)
    first_kind = kinds[0]
    through: dict[tuple[str, str], set[str]] = {}
    for row in flows.itertuples():
        for key in ((row.source_kind, row.source_label), (row.target_kind, row.target_label)):
            through.setdefault(key, set()).update(row.process_iris.split(" | "))
    widths = {kind: 30 if kind == first_kind else 40 for kind in kinds}
    texts = {(kind, name): f"{wrap(name, widths[kind])} ({len(through[(kind, name)])})"
             for kind, nodes in columns.items() for name, _ in nodes}
    line_in = 7.5 * 1.25 / 72
    label_in = {key: (text.count("\n") + 1) * line_in + 0.03 for key, text in texts.items()}
    need = max(sum(label_in[(kind, n)] for n, _ in nodes) for kind, nodes in columns.items())
    fig_h = max(6.0, need * 1.08 + 1.3)
    fig = Figure(figsize=(15, fig_h), layout="constrained")
    ax = fig.add_subplot()
    totals = {kind: sum(s for _, s in nodes) for kind, nodes in columns.items()}
    scale = max(totals.values())
    gap = scale * 0.025
    top = scale + gap * (max(len(n) for n in columns.values()) - 1)
    units_per_inch = top * 1.06 / (fig_h - 1.1)
    xs = {kind: float(i) for i, kind in enumerate(kinds)}
    node_width = 0.022
    position: dict[tuple[str, str], list[float]] = {}  # [top, bottom, out cursor, in cursor]
    for kind, nodes in columns.items():
        spacing = (top - totals[kind]) / (len(nodes) - 1) if len(nodes) > 1 else 0.0
        y = top if len(nodes) > 1 else (top + totals[kind]) / 2
        for name, size in nodes:
            position[(kind, name)] = [y, y - size, y, y]
            y -= size + spacing
    colour = {name: PALETTE[i % len(PALETTE)] for i, (name, _) in enumerate(columns[first_kind])}
    order = {key: i for i, key in enumerate((k, n) for k, nodes in columns.items() for n, _ in nodes)}
    ordered = flows.assign(_s=[order[(r.source_kind, r.source_label)] for r in flows.itertuples()],
                           _t=[order[(r.target_kind, r.target_label)] for r in flows.itertuples()]).sort_values(["_s", "_t"])
    for row in ordered.itertuples():
        s, t = position[(row.source_kind, row.source_label)], position[(row.target_kind, row.target_label)]
        w = row.processes
        x0, x1 = xs[row.source_kind] + node_width, xs[row.target_kind]
        y0, y1 = s[2], t[3]
        s[2] -= w
        t[3] -= w
        mid = (x0 + x1) / 2
        verts = [(x0, y0), (mid, y0), (mid, y1), (x1, y1), (x1, y1 - w), (mid, y1 - w), (mid, y0 - w), (x0, y0 - w),
                 (x0, y0)]
        codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO, MplPath.CURVE4,
                 MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
        band = colour.get(row.source_label, "#8c9bab") if row.source_kind == first_kind else "#8c9bab"
        ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=band, alpha=0.5 if band != "#8c9bab" else 0.35,
                               edgecolor="none"))
    for kind, nodes in columns.items():
        keys = [(kind, name) for name, _ in nodes]
        for key in keys:
            t_, b_ = position[key][:2]
            ax.add_patch(Rectangle((xs[kind], b_), node_width, t_ - b_, facecolor="#333333"))
        heights = [label_in[k] * units_per_inch for k in keys]
        placed = _spread([(position[k][0] + position[k][1]) / 2 for k in keys], heights, -gap * 2, top + gap)
        left = kind == first_kind
        x = xs[kind] - 0.012 if left else xs[kind] + node_width + 0.012
        for key, y in zip(keys, placed, strict=False):
            centre = (position[key][0] + position[key][1]) / 2
            ax.text(x, y, texts[key], ha="right" if left else "left", va="center", fontsize=7.5)
            if abs(y - centre) > 1e-9:
                edge = xs[kind] if left else xs[kind] + node_width
                ax.plot([edge, x], [centre, y], color="#999999", linewidth=0.5)
        ax.text(xs[kind] + node_width / 2, top + gap * 3, COLUMN_TITLES.get(kind, kind), ha="center", va="bottom",
                fontsize=10, fontweight="bold")
    ax.set_xlim(-0.62, len(kinds) - 1 + 0.62)
    ax.set_ylim(-gap * 3, top + gap * 8)
    ax.axis("off")
    ax.set_title(title or "Where information goes: information → purpose → recipient "
                          "(band width and (n) = processes)")
    return fig


def sankey_interactive(store: pyoxigraph.Store, *, level: str = "category", version: str | None = None):
    """An interactive plotly Sankey with a menu to filter by legal basis or audience group (hover a band for the
    processes behind it); None when plotly is not installed. In a notebook it renders offline; write it to a
    standalone page with fig.write_html(path, include_plotlyjs=True)."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        return None
    label = label_index(store, version)
    filters: list[tuple[str, dict[str, str]]] = [("all processes", {})]
    if states(store, "legal-bases", version):  # a notice that states no basis (or audience) has no such filter
        bases = sorted({r["basis"] for r in run(store, "processes", version=version).values() if "basis" in r},
                       key=basis_sort_key)
        filters += [(label(b), {"basis": b}) for b in bases]
    if states(store, "audiences", version):
        filters += [(f"audience: {g}", {"audience": g}) for g in AUDIENCE_GROUPS]
    traces: list[Any] = []
    for _name, kwargs in filters:
        flows = sankey_flows(store, level=level, version=version, **kwargs)
        traces.append(_plotly_trace(go, flows, visible=not traces))
    fig = go.Figure(traces)
    buttons = [dict(label=name, method="update",
                    args=[{"visible": [i == k for i in range(len(filters))]},
                          {"title": f"Where information goes — {name}"}])
               for k, (name, _) in enumerate(filters)]
    fig.update_layout(title="Where information goes — all processes", height=900, font_size=11,
                      updatemenus=[dict(buttons=buttons, direction="down", x=0.0, y=1.08, xanchor="left")])
    return fig


def _plotly_trace(go, flows: pandas.DataFrame, *, visible: bool):
    columns = _layout(flows)
    names = [(kind, name) for kind, nodes in columns.items() for name, _ in nodes]
    index = {key: i for i, key in enumerate(names)}
    xs = {kind: i / max(1, len(columns) - 1) * 0.98 + 0.01 for i, kind in enumerate(columns)}
    return go.Sankey(
        visible=visible, arrangement="snap",
        node=dict(label=[n for _, n in names], pad=12, thickness=14, x=[xs[k] for k, _ in names]),
        link=dict(source=[index[(r.source_kind, r.source_label)] for r in flows.itertuples()],
                  target=[index[(r.target_kind, r.target_label)] for r in flows.itertuples()],
                  value=flows["processes"].tolist(),
                  customdata=flows["process_labels"].tolist(),
                  hovertemplate="%{source.label} → %{target.label}<br>%{value} processes: %{customdata}<extra></extra>"))


def basis_choices(store: pyoxigraph.Store, *, version: str | None = None) -> list[str]:
    """The legal bases a Sankey can be filtered by, as labels (pass any of them as basis=); NotApplicable on a
    version whose notice states no legal basis."""
    require(store, frozenset({"legal-bases"}), "basis_choices", version)
    label = label_index(store, version)
    return [label(b) for b in sorted({r["basis"] for r in run(store, "processes", version=version).values() if "basis" in r},
                                     key=basis_sort_key)]


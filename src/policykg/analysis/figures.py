"""Figures (matplotlib): a general matrix heatmap, the legal-basis heatmap, bar charts by basis and audience.

Each function takes a table from policykg.analysis.tables (or any DataFrame, for plot_matrix) and returns a
matplotlib Figure, which a notebook shows and save_figure writes to a file.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.analysis.tables import NOT_USED
from policykg.labels import GDPR_LABELS

if TYPE_CHECKING:  # pragma: no cover - typing only
    import matplotlib.figure
    import pandas

#: One colour per GDPR basis, by its label (colour-blind-safe palette, Okabe-Ito order).
BASIS_COLOURS: dict[str, str] = {
    GDPR_LABELS["A6-1-a"]: "#0072B2",
    GDPR_LABELS["A6-1-b"]: "#009E73",
    GDPR_LABELS["A6-1-c"]: "#CC79A7",
    GDPR_LABELS["A6-1-d"]: "#D55E00",
    GDPR_LABELS["A6-1-e"]: "#F0E442",
    GDPR_LABELS["A6-1-f"]: "#E69F00",
    GDPR_LABELS["A9-2-a"]: "#56B4E9",
}
#: Colours for anything else, in order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
           "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"]
GROUP_COLOURS = {"minors": "#CC79A7", "adults": "#0072B2", "no account": "#999999"}
#: Axis titles in words for the kinds of thing a table's columns hold (a Sankey's source_kind / target_kind).
COLUMN_TITLES = {"category": "information category", "item": "information item", "purpose": "purpose",
                 "recipient": "recipient"}
NOT_USED_COLOUR = "#f2f2f2"
#: The height of a line of text and the width of a character, in inches per point of font size (matplotlib's
#: default sans serif, with line spacing): what the heatmaps size their rows and columns by.
_LINE_INCHES = 1.3 / 72
_CHAR_INCHES = 0.6 / 72
ART9_HATCH = "////"


def wrap(text: str, width: int) -> str:
    """Text wrapped at word boundaries (never cut)."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def basis_colour(value: str) -> str:
    """The colour of a cell value: the colour of the first basis it names."""
    first = str(value).split(" + ")[0]
    return BASIS_COLOURS.get(first, "#999999")


def save_figure(fig: matplotlib.figure.Figure, path: Path | str, *, dpi: int = 110) -> Path:
    """Write a figure to PNG/SVG/PDF without timestamps or version metadata (so the same figure gives the same file)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    metadata = {".png": {"Software": None}, ".svg": {"Creator": None, "Date": None},
                ".pdf": {"Creator": None, "Producer": None, "CreationDate": None}}.get(out.suffix.lower(), {})
    fig.savefig(out, dpi=dpi, metadata=metadata, bbox_inches="tight")
    return out


# ---- Matrices ----

def axis_title(df: pandas.DataFrame, column: str) -> str:
    """A column's name in words for an axis: what a Sankey's source/target column holds ('purpose', 'information
    category'), else the name without its _label suffix and underscores ('process_label' -> 'process')."""
    kind_column = column.removesuffix("_label") + "_kind"
    if kind_column in df.columns and df[kind_column].nunique() == 1:
        kind = str(df[kind_column].iloc[0])
        return COLUMN_TITLES.get(kind, kind)
    return column.removesuffix("_label").replace("_", " ")


def plot_matrix(df: pandas.DataFrame, row: str, col: str, value: str | None = None, *, title: str | None = None,
                colours: dict[str, str] | None = None, row_order: list[str] | None = None,
                col_order: list[str] | None = None, hatch: str | None = None, row_title: str | None = None,
                col_title: str | None = None) -> matplotlib.figure.Figure:
    """A heatmap of any long table: one row per distinct df[row], one column per distinct df[col].

    value=None counts rows per cell; a numeric value column is summed (cells show the number, shaded); a text
    value column is shown as categories (cells coloured by value, with a legend). Empty cells are 'not used'.
    Cells whose text contains `hatch` (e.g. 'Art. 9') are hatched. The axes are titled in words (row_title,
    col_title; by default from the columns, see axis_title).
    """
    if value is None:
        wide = df.groupby([row, col]).size().unstack(col)
    elif _numeric(df[value]):
        wide = df.pivot_table(index=row, columns=col, values=value, aggfunc="sum")
    else:
        wide = df.pivot_table(index=row, columns=col, values=value,
                              aggfunc=lambda s: " + ".join(dict.fromkeys(str(v) for v in s if str(v))))
    rows = row_order or list(dict.fromkeys(df[row]))
    cols = col_order or sorted(set(df[col]), key=str)
    wide = wide.reindex(index=rows, columns=cols)
    wide.index.name, wide.columns.name = row_title or axis_title(df, row), col_title or axis_title(df, col)
    return _heatmap(wide, title=title or f"{value or 'count'} by {wide.index.name} and {wide.columns.name}",
                    colours=colours, hatch=hatch)


def plot_basis_heatmap(matrix: pandas.DataFrame, *, title: str | None = None) -> matplotlib.figure.Figure:
    """The basis matrix (policykg.analysis.basis_matrix): each cell coloured by the legal basis, hatched where an
    Art. 9 condition covers special-category data, pale where the process does not use that information."""
    wide = matrix.replace(NOT_USED, float("nan"))
    level = (matrix.columns.name or "information").replace("information ", "")
    return _heatmap(wide, title=title or f"Processes × information {level}, coloured by legal basis",
                    colours=BASIS_COLOURS, hatch="Art. 9")


def _numeric(series: pandas.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _heatmap(wide: pandas.DataFrame, *, title: str, colours: dict[str, str] | None,
             hatch: str | None) -> matplotlib.figure.Figure:
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    # Tick labels never overlap: every row is as tall as its tallest label, and column labels stand upright (read
    # from below) in columns at least as wide as their stacked lines.
    few = len(wide.columns) <= 12
    row_width = max(80, -(-max((len(str(r)) for r in wide.index), default=1) // 2))  # two lines at most
    row_labels = [wrap(r, row_width) for r in wide.index]
    col_labels = [wrap(c, 32) if few else str(c) for c in wide.columns]
    row_lines = max((label.count("\n") + 1 for label in row_labels), default=1)
    col_lines = max((label.count("\n") + 1 for label in col_labels), default=1)
    longest = max((max(len(line) for line in label.split("\n")) for label in col_labels), default=1)
    pitch = max(0.24, _LINE_INCHES * 7.5 * row_lines + 0.05)
    cell = max(0.6 if few else 0.3, _LINE_INCHES * 8 * col_lines + 0.06)
    height = pitch * len(row_labels) + _CHAR_INCHES * 8 * longest + 1.6
    width = 4.8 + max(2.4, cell * len(wide.columns)) + 3.2
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    numeric = all(_numeric(wide[c]) for c in wide.columns) if len(wide.columns) else False
    handles = []
    if numeric:
        values = wide.to_numpy(dtype=float)
        masked = np.ma.masked_invalid(np.where(values == 0, np.nan, values))
        cmap = ListedColormap(["#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"]).with_extremes(
            bad=NOT_USED_COLOUR)
        top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
        image = ax.imshow(masked, aspect="auto", cmap=cmap, interpolation="nearest", vmin=0, vmax=max(1.0, top))
        if top > 1:
            from matplotlib.ticker import MaxNLocator

            fig.colorbar(image, ax=ax, shrink=0.6, label="count", ticks=MaxNLocator(integer=True))
        ax.legend(handles=[Patch(facecolor=NOT_USED_COLOUR, edgecolor="#bbbbbb", label="none / not used")],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0 if top <= 1 else -0.02), fontsize=8, frameon=False)
        for (i, j), v in np.ndenumerate(values):
            if not np.isnan(v) and v:
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=7)
    else:
        cells = wide.to_numpy(dtype=object)
        kinds = sorted({str(v) for v in cells.ravel() if isinstance(v, str) and v}, key=lambda v: (
            list(BASIS_COLOURS).index(v.split(" + ")[0]) if v.split(" + ")[0] in BASIS_COLOURS else 99, v))
        colour_of = {}
        for k, kind in enumerate(kinds):
            if colours is BASIS_COLOURS or colours is None and kind.split(" + ")[0] in BASIS_COLOURS:
                colour_of[kind] = basis_colour(kind)
            else:
                colour_of[kind] = (colours or {}).get(kind, PALETTE[k % len(PALETTE)])
        index = {kind: i + 1 for i, kind in enumerate(kinds)}
        codes = np.array([[index.get(v, 0) if isinstance(v, str) else 0 for v in line] for line in cells])
        cmap = ListedColormap([NOT_USED_COLOUR, *(colour_of[k] for k in kinds)])
        ax.imshow(codes, aspect="auto", cmap=cmap, vmin=0, vmax=max(1, len(kinds)), interpolation="nearest")
        hatched = False
        for (i, j), v in np.ndenumerate(cells):
            if hatch and isinstance(v, str) and hatch in v:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch=ART9_HATCH, edgecolor="#222222",
                                       linewidth=0))
                hatched = True
        seen_colours: dict[str, str] = {}
        for kind in kinds:
            first = kind.split(" + ")[0] if colours is BASIS_COLOURS else kind
            seen_colours.setdefault(first, colour_of[kind])
        handles = [Patch(facecolor=c, label=wrap(k, 40)) for k, c in seen_colours.items()]
        if hatched:
            handles.append(Patch(facecolor="white", edgecolor="#222222", hatch=ART9_HATCH,
                                 label=wrap("+ Art. 9(2) condition (special-category data)", 40)))
        handles.append(Patch(facecolor=NOT_USED_COLOUR, edgecolor="#bbbbbb", label="not used"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False,
                  title=wrap(str(wide.columns.name or ""), 30) if colours is not BASIS_COLOURS else "legal basis",
                  title_fontsize=8)
    ax.set_xticks(range(len(wide.columns)), col_labels, fontsize=8, rotation=90, ha="center", va="top")
    ax.set_yticks(range(len(wide.index)), row_labels, fontsize=7.5)
    ax.set_xticks(np.arange(-0.5, len(wide.columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(wide.index)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(str(wide.columns.name or ""))
    ax.set_ylabel(str(wide.index.name or ""))
    ax.set_title(title)
    return fig


# ---- Bars ----

def plot_processes_per_basis(df: pandas.DataFrame, *, title: str = "Processes per legal basis") -> matplotlib.figure.Figure:
    """Horizontal bars of processes_per_basis, one per basis, named in full on the axis."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 0.45 * len(df) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    positions = list(range(len(df)))[::-1]
    ax.barh(positions, df["processes"], color=[basis_colour(b) for b in df["basis_label"]], edgecolor="#333333",
            linewidth=0.4)
    ax.set_yticks(positions, df["basis_label"], fontsize=9)
    for y, n in zip(positions, df["processes"], strict=False):
        ax.annotate(str(n), (n, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_xlabel("processes (rows of the policy's legal-basis tables)")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max(df["processes"].max() * 1.12, 1))
    distinct = df.attrs.get("distinct processes")
    if distinct is not None and int(df["processes"].sum()) > distinct:
        fig.text(0.01, 0.0, f"The bars add up to {int(df['processes'].sum())} for {distinct} processes: a process that "
                 "rests on two bases (consent and an Art. 9 condition) is counted under each.", fontsize=8,
                 color="#444444", ha="left", va="bottom")
    return fig


def plot_audience_bases(table: pandas.DataFrame, *, title: str = "Legal bases by audience group") -> matplotlib.figure.Figure:
    """Grouped bars of basis_by_audience_group: for each legal basis (named on the axis), one bar per group."""
    import numpy as np
    from matplotlib.figure import Figure

    bases = [c for c in table.columns if c != "processes"]
    groups = list(table.index)
    fig = Figure(figsize=(max(8, 1.35 * len(bases) + 2), 4.6), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(groups))
    x = np.arange(len(bases))
    for k, group in enumerate(groups):
        values = [int(table.loc[group, b]) for b in bases]
        total = int(table.loc[group, "processes"]) if "processes" in table.columns else sum(values)
        bars = ax.bar(x + (k - (len(groups) - 1) / 2) * width, values, width, color=GROUP_COLOURS.get(group, PALETTE[k]),
                      label=f"{group} ({total} processes)", edgecolor="#333333", linewidth=0.4)
        ax.bar_label(bars, fontsize=7, padding=1)
    ax.set_xticks(x, [wrap(b, 16) for b in bases], fontsize=8)
    ax.set_ylabel("processes")
    ax.set_xlabel("legal basis")
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False, title="audience group", title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig

"""Three regimes over time (notebook 06): the UK, EU and global notices from 2022 to 2026 on one timeline, what each
version lists for ads (interactions with Meta's AI among them, and since when), what the global notice changed year by
year and what it does not state. Each table is a competency question's answer (queries/cq53-cq58), with readable
labels beside the IRIs; the figures draw those tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policykg.analysis.session import ALL, query_df

if TYPE_CHECKING:  # pragma: no cover - typing only
    import matplotlib.figure
    import pandas
    import pyoxigraph

#: The regimes, top to bottom in the timeline, and how they are named.
REGIMES = {"uk": "UK", "eu": "EU", "global": "global (outside the UK and EU)"}
REGIME_COLOURS = {"uk": "#0072B2", "eu": "#009E73", "global": "#E69F00"}


def regime_timeline(store: pyoxigraph.Store) -> pandas.DataFrame:
    """One row per version of each regime, oldest first: effective date, processes, how many rest on a stated basis,
    and how many personalise ads with interactions with Meta's AI among their information (cq57, cq53)."""
    import pandas as pd

    timeline = query_df(store, "cq57", version=ALL)
    ai = query_df(store, "cq53", version=ALL, labels=False)
    counts = ai.groupby("version")["process"].nunique() if not ai.empty else pd.Series(dtype=int)
    timeline["ai_for_ads"] = timeline["version"].map(counts).fillna(0).astype(int)
    timeline["regime_label"] = timeline["regime"].map(REGIMES)
    timeline["effective"] = pd.to_datetime(timeline["effective"])
    return timeline[["regime", "regime_label", "effective", "version", "processes", "withBasis", "ai_for_ads"]]


def ai_for_ads(store: pyoxigraph.Store) -> pandas.DataFrame:
    """The processes that personalise ads and list interactions with Meta's AI, per version (cq53): since when, where."""
    return query_df(store, "cq53", version=ALL)


def ads_items(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Items (rows, labelled) x versions (columns): in how many ad-personalising processes each version lists the
    item, what an exclusion rules out left out (cq56)."""
    long = query_df(store, "cq56", version=ALL)
    order = list(dict.fromkeys(long.sort_values(["regime", "version"])["version"]))
    wide = long.pivot_table(index="item_label", columns="version", values="processes", aggfunc="sum", fill_value=0)
    return wide.reindex(columns=order).sort_index()


def global_changes(store: pyoxigraph.Store) -> pandas.DataFrame:
    """Every row the global notice added, removed or changed from one version to the next, with the fields (cq54)."""
    return query_df(store, "cq54", version=ALL)


def not_stated(store: pyoxigraph.Store) -> pandas.DataFrame:
    """What each global version does not state, and for how many processes (cq58), as version x what."""
    long = query_df(store, "cq58", version=ALL)
    return long.pivot_table(index="version", columns="notStated", values="count", aggfunc="sum", fill_value=0)


def plot_regime_timeline(timeline: pandas.DataFrame, *,
                         title: str = "Meta's Privacy Policy: three regimes, 2022-2026") -> matplotlib.figure.Figure:
    """The versions of each regime on one time axis: a marker per version (its size the number of processes), a
    filled marker where the notice states legal bases, and a ring where AI interactions feed ad personalisation."""
    from matplotlib.dates import DateFormatter, YearLocator
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.subplots()
    lanes = [r for r in REGIMES if r in set(timeline["regime"])]
    for y, regime in enumerate(reversed(lanes)):
        part = timeline[timeline["regime"] == regime].sort_values("effective")
        colour = REGIME_COLOURS[regime]
        ax.plot(part["effective"], [y] * len(part), color=colour, linewidth=1.2, alpha=0.6)
        previous = None
        below = False
        for row in part.itertuples():
            below = not below if previous is not None and (row.effective - previous).days < 150 else False
            previous = row.effective
            stated = row.withBasis > 0
            ax.scatter([row.effective], [y], s=18 * row.processes, color=colour if stated else "white",
                       edgecolors=colour, linewidths=1.8, zorder=3)
            if row.ai_for_ads:
                ax.scatter([row.effective], [y], s=18 * row.processes + 260, facecolors="none", edgecolors="#D55E00",
                           linewidths=1.4, linestyle="--", zorder=2)
            ax.annotate(f"{row.effective:%d %b %Y}\n{row.processes} rows", (row.effective, y),
                        xytext=(0, -30 if below else 14), textcoords="offset points", ha="center", fontsize=7.5)
    ax.set_yticks(range(len(lanes)), [REGIMES[r] for r in reversed(lanes)])
    ax.set_ylim(-0.8, len(lanes) - 0.2)
    ax.xaxis.set_major_locator(YearLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    ax.spines[["top", "right", "left"]].set_visible(False)
    legend = [Line2D([], [], marker="o", color="#555555", markerfacecolor="#555555", linestyle="", label="legal bases stated"),
              Line2D([], [], marker="o", color="#555555", markerfacecolor="white", linestyle="", label="no legal basis stated"),
              Line2D([], [], marker="o", color="#D55E00", markerfacecolor="none", linestyle="", markersize=11,
                     label="AI interactions listed for ads")]
    ax.legend(handles=legend, fontsize=8, frameon=False, loc="upper left", ncols=3)
    ax.set_title(title)
    return fig


def plot_ads_items(wide: pandas.DataFrame, *,
                   title: str = "Information listed for personalising ads, by version") -> matplotlib.figure.Figure:
    """ads_items as a heatmap: items down, versions across, the number of ad-personalising processes in each cell."""
    import pandas as pd

    from policykg.analysis.figures import plot_matrix

    long = wide.reset_index().melt(id_vars="item_label", var_name="version", value_name="processes")
    long = long[long["processes"] > 0]
    return plot_matrix(pd.DataFrame(long), "item_label", "version", "processes", title=title,
                       col_order=list(wide.columns), row_order=list(wide.index))

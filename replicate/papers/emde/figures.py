"""Figures of the EMDE chapter, in the book's style."""

from __future__ import annotations

import numpy as np
import pandas as pd

from replicate import plots


def short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def plot_entities(tables: dict, columns: tuple[str, ...]):
    """Rows: recommended movies; columns: modalities; each panel the top units by summed attribution (bar length
    proportional to the score, as word size is in the paper's Figure 1)."""
    fig, axes = plots.subplots(
        len(tables), len(columns), figsize=(6.5 * len(columns), 1.9 * len(tables)), squeeze=False
    )
    for row, (movie, by_modality) in enumerate(tables.items()):
        for col, name in enumerate(columns):
            ax = axes[row, col]
            series = by_modality[name]
            ax.barh(range(len(series)), series.values, color=plots.PALETTE[col % len(plots.PALETTE)])
            ax.set_yticks(range(len(series)), [short(s, 58) for s in series.index], fontsize=7)
            ax.invert_yaxis()
            ax.tick_params(axis="x", labelsize=6)
            ax.grid(axis="y", visible=False)
            if col == 0:
                ax.set_title(short(movie, 60), loc="left", fontsize=9, weight="bold")
            if row == 0:
                ax.text(1.0, 1.22, name, transform=ax.transAxes, ha="right", fontsize=9, style="italic")
    return fig


def plot_table(frame: pd.DataFrame, title: str, width: float = 14.0):
    """A table of words as a figure (rows: movies or users; cells: titles), for the paper's image grids."""
    fig, ax = plots.subplots(figsize=(width, 0.28 * (len(frame) + 1) + 0.4))
    ax.set_axis_off()
    cells = [[short(str(v), 34) for v in row] for row in frame.to_numpy()]
    table = ax.table(
        cellText=cells,
        rowLabels=[short(str(i), 34) for i in frame.index],
        colLabels=list(frame.columns),
        loc="center",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.scale(1, 1.25)
    ax.set_title(title, fontsize=10)
    return fig


def plot_removal(top: np.ndarray, random: np.ndarray, p_value: float):
    """Drop of the explained output when each user's top-attributed movie, or a random one, is removed."""
    fig, ax = plots.subplots(figsize=(7, 3.8))
    bins = np.linspace(min(top.min(), random.min()), max(top.max(), random.max()), 40)
    ax.hist(top, bins=bins, alpha=0.6, label=f"top-attributed movie removed (median {np.median(top):.3f})")
    ax.hist(random, bins=bins, alpha=0.6, label=f"random input movie removed (median {np.median(random):.3f})")
    ax.set(
        xlabel="f(x) − f(x without the movie)",
        ylabel="users",
        title=f"Faithfulness (Mann–Whitney U, one-sided p = {p_value:.1e})",
    )
    ax.legend(fontsize=8)
    return fig

"""The figures of RecoNet's chapter: Table 1 as bars, cold-start curves, the explanation Sankey, deletion curves and
distributions, LIME versus LRP."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from replicate import plots
from replicate.stats import mean_band

KIND_COLOURS = {
    "movie": plots.PALETTE[0],
    "genre": plots.PALETTE[1],
    "decade": plots.PALETTE[1],
    "gender": plots.PALETTE[2],
    "age": plots.PALETTE[2],
    "occupation": plots.PALETTE[2],
}


def plot_table1(table: pd.DataFrame):
    """Recall@50 per method, ours beside the paper's, without and with attributes (``table``: rows method, columns
    paper_without, ours_without, paper_with, ours_with)."""
    fig, axes = plots.subplots(1, 2, figsize=(10, 4.2), sharex=True)
    for ax, part in zip(axes, ("without", "with")):
        frame = table[[f"paper_{part}", f"ours_{part}"]]
        y = np.arange(len(frame))
        ax.barh(
            y - 0.2,
            frame[f"paper_{part}"].astype(float),
            height=0.38,
            color=plots.PALETTE[7],
            alpha=0.35,
            label="paper",
        )
        ax.barh(y + 0.2, frame[f"ours_{part}"].astype(float), height=0.38, color=plots.PALETTE[0], label="ours (ML-1M)")
        for yy, v in zip(y, frame[f"ours_{part}"].astype(float)):
            if np.isfinite(v):
                ax.text(v, yy + 0.2, f" {v:.3f}", va="center", fontsize=8)
        ax.set_yticks(y, frame.index)
        ax.invert_yaxis()
        ax.set_title(f"{part} attributes")
        ax.set_xlabel("test recall@50")
        ax.grid(axis="y", visible=False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    return fig


def plot_cold_start(curves: dict[str, np.ndarray]):
    """Recall@k, k = 1..50, for the cold-start users, one line per method; popularity (the floor) in grey, dotted."""
    fig, ax = plots.subplots(figsize=(7, 4.2))
    for i, (name, curve) in enumerate(curves.items()):
        k = np.arange(1, len(curve) + 1)
        floor = name.startswith("popularity")
        colour = "0.45" if name == "popularity" else plots.PALETTE[i % len(plots.PALETTE)]
        ax.plot(k, curve, label=name, color=colour, ls=":" if floor else "--" if "history" in name else "-")
    ax.set_xlabel("k")
    ax.set_ylabel("recall@k (cold-start users)")
    ax.legend()
    return fig


def _band(ax, x0, x1, y0a, y0b, y1a, y1b, colour):
    """A Sankey flow from the vertical span [y0a, y0b] at x0 to [y1a, y1b] at x1 (cubic Bézier edges)."""
    mid = (x0 + x1) / 2
    vertices = [(x0, y0a), (mid, y0a), (mid, y1a), (x1, y1a), (x1, y1b), (mid, y1b), (mid, y0b), (x0, y0b), (x0, y0a)]
    codes = [
        Path.MOVETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.LINETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.CLOSEPOLY,
    ]
    ax.add_patch(PathPatch(Path(vertices, codes), facecolor=colour, alpha=0.45, edgecolor="none"))


def plot_sankey(labels, kinds, values, target: str, title: str = ""):
    """Figure 5: the top positive features flowing into the recommended item; flow width ∝ relevance."""
    values = np.asarray(values, dtype=float)
    fig, ax = plots.subplots(figsize=(9, 4.6))
    total, gap = values.sum(), 0.02 * values.sum()
    height = total + gap * (len(values) - 1)
    y_left, y_right = height, height / 2 + total / 2
    for label, kind, value in zip(labels, kinds, values):
        colour = KIND_COLOURS.get(kind, plots.PALETTE[4])
        ax.add_patch(Rectangle((0, y_left - value), 0.03, value, color=colour))
        ax.text(-0.01, y_left - value / 2, f"{label}  ({kind}, {value:.3f})", ha="right", va="center", fontsize=9)
        _band(ax, 0.03, 0.97, y_left, y_left - value, y_right, y_right - value, colour)
        y_left -= value + gap
        y_right -= value
    ax.add_patch(Rectangle((0.97, height / 2 - total / 2), 0.03, total, color=plots.PALETTE[3]))
    ax.text(1.01, height / 2, target, ha="left", va="center", fontsize=10, fontweight="bold")
    ax.set_xlim(-0.9, 1.6)
    ax.set_ylim(-0.02 * height, height * 1.02)
    ax.axis("off")
    ax.set_title(title)
    return fig


def plot_deletion(ks, curves: dict[str, np.ndarray], ylabel="Δŷ_c (target logit)"):
    """Figure 6 / 8 left: mean Δŷ_c after removing k features, with 95 % confidence bands."""
    fig, ax = plots.subplots(figsize=(7, 4.2))
    for i, (name, deltas) in enumerate(curves.items()):
        mean, low, high = mean_band(deltas)
        colour = plots.PALETTE[i % len(plots.PALETTE)]
        ax.plot(ks, mean, label=f"{name} (n = {len(deltas)})", color=colour)
        ax.fill_between(ks, low, high, color=colour, alpha=0.25, lw=0)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("k features removed")
    ax.set_ylabel(ylabel)
    ax.legend()
    return fig


def plot_top1_random1(top1: np.ndarray, random1: np.ndarray, p_value: float):
    """Figure 7: distributions of Δŷ_c when the most relevant feature or one random feature is removed."""
    fig, ax = plots.subplots(figsize=(7, 4.2))
    low, high = np.percentile(np.r_[top1, random1], [0.5, 99.5])
    bins = np.linspace(low, high, 60)
    ax.hist(random1, bins=bins, alpha=0.55, label="random 1", color=plots.PALETTE[1])
    ax.hist(top1, bins=bins, alpha=0.55, label="top 1", color=plots.PALETTE[0])
    ax.set_xlabel("Δŷ_c")
    ax.set_ylabel("users")
    ax.set_title(f"Mann–Whitney U, two-sided (top 1 against random 1): p = {p_value:.1e}")
    ax.legend()
    return fig


def plot_agreement(labels, lrp_values, lime_values, title: str):
    """Figure 8 right: LRP relevance and LIME coefficient of the top features of one instance, each scaled by its
    largest absolute value."""
    lrp_values = np.asarray(lrp_values, float) / np.abs(lrp_values).max()
    lime_values = np.asarray(lime_values, float) / np.abs(lime_values).max()
    fig, ax = plots.subplots(figsize=(8, 0.4 * len(labels) + 1.4))
    y = np.arange(len(labels))
    ax.barh(y - 0.2, lrp_values, height=0.38, label="RecoNet (LRP)", color=plots.PALETTE[0])
    ax.barh(y + 0.2, lime_values, height=0.38, label="LIME", color=plots.PALETTE[1])
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("importance (scaled to the largest)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def plot_learning_curve(curves: dict, budget_epochs: int):
    """Validation recall@50 per epoch of each RecoNet variant; the dotted line marks the chapter's epoch budget."""
    fig, ax = plots.subplots(figsize=(6, 3.6))
    plots.learning_curves(ax, curves, ylabel="validation recall@50")
    ax.axvline(budget_epochs, color="0.5", ls=":", lw=1)
    return fig

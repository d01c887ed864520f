"""Figures of the skip-prediction chapter, in the book's style (:mod:`replicate.plots`)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from replicate.papers.skip.train import ToyResult, predict_toy
from replicate.plots import PALETTE, learning_curves, subplots

GROUP_COLOURS = {
    "position": PALETTE[7],
    "context": PALETTE[1],
    "interaction": PALETTE[3],
    "general": PALETTE[2],
    "content": PALETTE[0],
}
# labels and predictions in grey levels (0 light, 1 black), so that they cannot be mistaken for the subsets' colours
LABEL_CMAP = mpl.colors.LinearSegmentedColormap.from_list("label", ["#d9d9d9", "#000000"])


def _mix(attribution: np.ndarray) -> np.ndarray:
    """RGB of each point: the subsets' colours weighted by their attribution."""
    colours = np.array([mpl.colors.to_rgb(PALETTE[s]) for s in range(attribution.shape[-1])])
    return np.clip(attribution @ colours, 0, 1)


def _attribution_map(ax, model, extent, fixed=None, axes=(0, 1), dim=2, n=90):
    xs = np.linspace(-extent, extent, n)
    gx, gy = np.meshgrid(xs, xs)
    X = np.zeros((n * n, dim), np.float32) if fixed is None else np.tile(np.asarray(fixed, np.float32), (n * n, 1))
    X[:, axes[0]], X[:, axes[1]] = gx.ravel(), gy.ravel()
    _, attr = predict_toy(model, X)
    ax.imshow(_mix(attr).reshape(n, n, 3), extent=[-extent, extent, -extent, extent], origin="lower")
    ax.grid(False)


def _scatter(ax, X, c, **kw):
    ax.scatter(X[:, 0], X[:, 1], c=c, s=4, linewidths=0, **kw)
    ax.set_aspect("equal")


def plot_toys(results: list[ToyResult]):
    """Per toy problem: the labels, the prediction, the attribution over the input plane (colour = subsets mixed by
    their share) and the dominant subset of test points (crosses: not the generating subset). The 4-D problem shows
    its two planes."""
    fig, axes = subplots(len(results), 4, figsize=(11, 2.9 * len(results)))
    axes = np.atleast_2d(axes)
    for row, r in zip(axes, results):
        names = [", ".join(m) for m in r.toy.subsets.members]
        if r.X.shape[1] == 2:
            extent = float(np.ceil(np.abs(r.X).max() * 2) / 2)
            _scatter(row[0], r.X, r.y, cmap=LABEL_CMAP, vmin=0, vmax=1)
            row[0].set_title(f"{r.toy.name}: labels")
            _scatter(row[1], r.X, r.prob, cmap=LABEL_CMAP, vmin=0, vmax=1)
            row[1].set_title(f"prediction (accuracy {r.accuracy:.3f})")
            _attribution_map(row[2], r.model, extent)
            row[2].set_title("attribution over the plane")
            dom = r.attribution.argmax(1)
            wrong = dom != r.source
            _scatter(row[3], r.X[~wrong], [PALETTE[s] for s in dom[~wrong]])
            row[3].scatter(r.X[wrong, 0], r.X[wrong, 1], c=[PALETTE[s] for s in dom[wrong]], marker="x", s=12)
            row[3].set_title(f"dominant subset (recovery {1 - wrong.mean():.3f})")
            for ax in row:
                ax.set_xlim(-extent, extent), ax.set_ylim(-extent, extent)
                ax.set_xlabel("x1"), ax.set_ylabel("x2")
        else:
            half = len(r.X) // 2
            a, b = r.X[:half, :2], r.X[half:, 2:]
            _scatter(row[0], a, r.y[:half], cmap=LABEL_CMAP, vmin=0, vmax=1)
            row[0].set_title(f"{r.toy.name}: labels (first half)")
            row[0].set_xlabel("x1"), row[0].set_ylabel("x2")
            _scatter(row[1], b, r.y[half:], cmap=LABEL_CMAP, vmin=0, vmax=1)
            row[1].set_title("labels (second half)")
            row[1].set_xlabel("x3"), row[1].set_ylabel("x4")
            _attribution_map(row[2], r.model, 2.0, axes=(0, 1), dim=4)
            row[2].set_title("attribution, x3 = x4 = 0")
            row[2].set_xlabel("x1"), row[2].set_ylabel("x2")
            _attribution_map(row[3], r.model, 2.0, axes=(2, 3), dim=4)
            row[3].set_title("attribution, x1 = x2 = 0")
            row[3].set_xlabel("x3"), row[3].set_ylabel("x4")
        handles = [mpl.patches.Patch(color=PALETTE[s], label=f"{{{n}}}") for s, n in enumerate(names)]
        row[3].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, title="subset")
    return fig


def plot_training(histories: dict):
    """``histories[source][model] = History``: training loss and validation accuracy per epoch."""
    fig, axes = subplots(2, len(histories), figsize=(4.2 * len(histories), 5.2), squeeze=False)
    for col, (source, by_model) in enumerate(histories.items()):
        learning_curves(
            axes[0, col], {n: h.loss for n, h in by_model.items()}, None, "training loss (EM objective / BCE)"
        )
        best = {n: h.best_epoch for n, h in by_model.items()}
        learning_curves(
            axes[1, col], {n: h.valid_acc for n, h in by_model.items()}, best, "validation Acc (circle: kept)"
        )
        axes[0, col].set_title(source)
        axes[0, col].set_xlabel("")
    return fig


def plot_completeness(table: pd.DataFrame):
    """``table``: index (source, model), columns Acc, Acc@1, MAA in %; one panel per source."""
    sources = list(dict.fromkeys(table.index.get_level_values(0)))
    fig, axes = subplots(1, len(sources), figsize=(4.4 * len(sources), 3.8), squeeze=False)
    metrics_ = list(table.columns)
    for ax, source in zip(axes[0], sources):
        sub = table.loc[source]
        width = 0.8 / len(sub)
        for k, (model, row) in enumerate(sub.iterrows()):
            x = np.arange(len(metrics_)) + (k - (len(sub) - 1) / 2) * width
            ax.bar(x, row.to_numpy(dtype=float), width, color=PALETTE[k], label=model)
            for xi, v in zip(x, row.to_numpy(dtype=float)):
                ax.text(xi, v + 0.5, f"{v:.1f}", ha="center", fontsize=7)
        ax.set_xticks(range(len(metrics_)), metrics_)
        ax.set_ylim(0, 105)
        ax.set_title(source, fontsize=10)
        ax.grid(axis="x", visible=False)
    axes[0, 0].set_ylabel("%")
    axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    return fig


def _stacked(ax, shares: np.ndarray, groups, labels, x=None):
    x = np.arange(1, len(shares) + 1) if x is None else x
    bottom = np.zeros(len(shares))
    for g, group in enumerate(groups):
        values = np.nan_to_num(shares[:, g])
        ax.bar(x, values, bottom=bottom, color=GROUP_COLOURS.get(group, PALETTE[g]), label=labels[g], width=0.8)
        bottom += values
    ax.set_ylim(0, 1)
    ax.set_xticks(x)
    ax.grid(axis="x", visible=False)


def plot_session(panels: list[dict]):
    """One session per column (slide 16): predicted skip probability and truth per second-half position, then the
    attribution to each group. A panel: ``title``, ``prob`` (T,), ``truth`` (T,), ``groups`` (T, G), ``group_names``,
    ``group_labels``, optional ``planted`` (T,) names."""
    fig, axes = subplots(
        2, len(panels), figsize=(5.2 * len(panels), 5.4), squeeze=False, gridspec_kw={"height_ratios": [1, 1.3]}
    )
    for col, p in enumerate(panels):
        T = len(p["prob"])
        x = np.arange(1, T + 1)
        ax = axes[0, col]
        ax.bar(x, p["prob"], color=[PALETTE[3] if v > 0.5 else PALETTE[0] for v in p["prob"]], width=0.6)
        ax.scatter(x, p["truth"], marker="_", s=300, color="black", label="truth (1 = skipped)", zorder=3)
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_ylim(-0.05, 1.05)
        ax.set_xticks(x)
        ax.set_ylabel("predicted skip probability")
        ax.set_title(p["title"], fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
        ax = axes[1, col]
        _stacked(ax, p["groups"], p["group_names"], p["group_labels"], x)
        ax.set_xlabel("position in the second half")
        ax.set_ylabel("attribution")
        if p.get("planted") is not None:
            for xi, name in zip(x, p["planted"]):
                ax.text(xi, 1.02, name, rotation=90, ha="center", va="bottom", fontsize=7)
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.0, 1) if col == len(panels) - 1 else (0, -0.25),
            fontsize=8,
            ncol=1 if col == len(panels) - 1 else 3,
        )
    return fig


def plot_attribution_by_position(panels: list[dict]):
    """Per source: the mean attribution to each group at each second-half position (``shares`` (T, G), ``count``
    sessions per position)."""
    fig, axes = subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False)
    for ax, p in zip(axes[0], panels):
        _stacked(ax, p["shares"], p["group_names"], p["group_labels"])
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel("position in the second half")
        for xi, n in enumerate(p["count"], start=1):
            ax.text(xi, 0.01, f"{n:,}", rotation=90, ha="center", va="bottom", fontsize=6, color="white")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1), fontsize=8)
    axes[0, 0].set_ylabel("mean attribution")
    return fig


def plot_recovery_by_position(recovery: pd.DataFrame, share: pd.DataFrame):
    """``recovery``: rows = second-half positions, columns = mechanisms (+ "all"); ``share``: the share of
    predictions each mechanism generated at each position."""
    fig, axes = subplots(1, 2, figsize=(10, 3.6))
    x = recovery.index.to_numpy()
    for k, column in enumerate(recovery.columns):
        style = dict(color="black", lw=2.2) if column == "all" else dict(color=PALETTE[k % len(PALETTE)])
        axes[0].plot(x, recovery[column], marker="o", label=column, **style)
    axes[0].set_ylim(0, 1.02)
    axes[0].set_xlabel("position in the second half")
    axes[0].set_ylabel("recovery rate")
    axes[0].set_title("dominant subset = planted mechanism's subset", fontsize=10)
    axes[0].legend(fontsize=7, loc="lower left", ncol=2)
    bottom = np.zeros(len(share))
    for k, column in enumerate(share.columns):
        axes[1].bar(share.index, share[column], bottom=bottom, color=PALETTE[k % len(PALETTE)], label=column)
        bottom += share[column].to_numpy()
    axes[1].set_xlabel("position in the second half")
    axes[1].set_ylabel("share of predictions")
    axes[1].set_title("which mechanism generated the label", fontsize=10)
    axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1))
    axes[1].grid(axis="x", visible=False)
    return fig


# --- panels from a trained comparison ---------------------------------------------------------------------------


def session_panel(comparison, index: int, title: str) -> dict:
    """What :func:`plot_session` draws for test session ``index`` of a :class:`~replicate.papers.skip.train.Comparison`
    (with the planted mechanism of each track when the sessions were generated)."""
    from replicate.papers.skip import attribution as attr

    model, test = comparison.models["interpretable"], comparison.test
    pred = comparison.predictions["interpretable"]
    T = int(test.right_mask[index].sum())
    planted = None
    if test.planted is not None:
        planted = [test.planted_names[k] if k >= 0 else "" for k in test.planted[index, :T]]
    return {
        "title": title,
        "prob": pred.prob[index, :T],
        "truth": test.y[index, :T],
        "groups": attr.group_attribution(pred.attribution[index, :T], model.subsets),
        "group_names": model.subsets.groups,
        "group_labels": [test.label(g) for g in model.subsets.groups],
        "planted": planted,
    }


def position_panel(name: str, comparison) -> dict:
    """What :func:`plot_attribution_by_position` draws for one source: mean group attribution per position."""
    from replicate.papers.skip import attribution as attr

    model, test = comparison.models["interpretable"], comparison.test
    groups = attr.group_attribution(comparison.predictions["interpretable"].attribution, model.subsets)
    return {
        "title": name,
        "shares": attr.by_position(groups, test.right_mask),
        "count": test.right_mask.sum(0),
        "group_names": model.subsets.groups,
        "group_labels": [test.label(g) for g in model.subsets.groups],
    }

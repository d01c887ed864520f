"""The faithfulness chapter's figures, in the book's style (:mod:`replicate.plots`)."""

from __future__ import annotations

import numpy as np

from replicate import plots, stats
from replicate.faithfulness import explainers


def plot_deletion(study, kr: int = 10):
    """Deletion curves of one model: the target's mean score drop (with its 95 % band over users) and the share of
    users whose target has left the top ``kr``, against the number ``Ke`` of removed history items, one line per
    explainer (the random order dashed)."""
    fig, (left, right) = plots.subplots(1, 2, figsize=(10, 4))
    names = [n for n in study.curves if n != "random (second draw)"]
    for i, name in enumerate(names):
        c = study.curves[name]
        ke = np.arange(1, c.k + 1)
        drop = c.score[:, None] - c.deletion_score
        mean, low, high = stats.mean_band(drop)
        dashes = "--" if name == explainers.RANDOM else (":" if i >= len(plots.PALETTE) else "-")
        style = dict(color=plots.PALETTE[i % len(plots.PALETTE)], linestyle=dashes)
        left.plot(ke, mean, label=name, **style)
        left.fill_between(ke, low, high, alpha=0.12, color=style["color"])
        right.plot(ke, (c.deletion_rank > kr).mean(axis=0), **style)
    left.set(xlabel="history items removed (Ke)", ylabel="drop of the target's score", title=study.model)
    right.set(xlabel="history items removed (Ke)", ylabel=f"share out of the top {kr} (POS@{kr})", ylim=(0, 1))
    for ax in (left, right):
        ax.set_xticks(ke)
    left.legend(fontsize=7, ncols=2)
    return fig

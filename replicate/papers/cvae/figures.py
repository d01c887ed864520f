"""Figures of the C-VAE chapter: the training curves, PCA planes of the latent space, and the profiling axis."""

from __future__ import annotations

import numpy as np

from replicate import plots
from replicate.papers.cvae.latent import LatentPCA


def _colours(n: int):
    """n distinct colours, none grey or black (black is the unconditioned users): tab10 without its grey, then the
    saturated shades of tab20b and tab20c."""
    import matplotlib as mpl

    tab10, b, c = (mpl.colormaps[name] for name in ("tab10", "tab20b", "tab20c"))
    pool = [tab10(k) for k in range(10) if k != 7] + [b(k) for k in (0, 4, 8, 12, 16, 2, 6, 10, 14, 18)]
    pool += [c(k) for k in (0, 4, 8, 12, 2, 6, 10)]
    return [pool[k % len(pool)] for k in range(n)]


def plot_pair(pca: LatentPCA, i: int, j: int, ax=None, max_points: int = 400, seed: int = 0, annotate: bool = True):
    """Scatter of components i and j (1-based, as the paper numbers them): one colour per genre, black unconditioned."""
    fig = None
    if ax is None:
        fig, ax = plots.subplots(figsize=(8.5, 6.5))
    rng = np.random.default_rng(seed)
    users = rng.choice(pca.points.shape[0], size=min(max_points, pca.points.shape[0]), replace=False)
    colours = _colours(len(pca.labels) - 1) + [(0, 0, 0, 1)]
    centroids = pca.centroids()
    for k, name in enumerate(pca.labels):
        p = pca.points[users, k]
        ax.scatter(p[:, i - 1], p[:, j - 1], s=4, alpha=0.35, color=colours[k], label=name, rasterized=True)
    if annotate:
        for k, name in enumerate(pca.labels):
            ax.annotate(
                name,
                centroids[k, [i - 1, j - 1]],
                fontsize=8,
                weight="bold",
                ha="center",
                va="center",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=colours[k], alpha=0.8),
            )
    ax.set_xlabel(f"PC{i} ({pca.explained[i - 1]:.0%} of variance)")
    ax.set_ylabel(f"PC{j} ({pca.explained[j - 1]:.0%} of variance)")
    if fig is not None:
        ax.legend(markerscale=4, fontsize=7, ncol=1, loc="center left", bbox_to_anchor=(1.0, 0.5))
        return fig
    return ax


def plot_grid(pca: LatentPCA, max_points: int = 150, seed: int = 0):
    """All pairs of the first five components (diagonal: the spread of each condition along that component)."""
    k = pca.points.shape[-1]
    fig, axes = plots.subplots(k, k, figsize=(13, 12))
    colours = _colours(len(pca.labels) - 1) + [(0, 0, 0, 1)]
    for a in range(k):
        for b in range(k):
            ax = axes[a, b]
            if a == b:
                for c in range(len(pca.labels)):
                    ax.hist(pca.points[:, c, a], bins=30, histtype="step", color=colours[c], density=True)
            else:
                plot_pair(pca, b + 1, a + 1, ax=ax, max_points=max_points, seed=seed, annotate=False)
            ax.set_xlabel(f"PC{b + 1}" if a == k - 1 else "")
            ax.set_ylabel(f"PC{a + 1}" if b == 0 else "")
            ax.tick_params(labelsize=6)
    handles = [plt_handle(colours[c]) for c in range(len(pca.labels))]
    fig.legend(handles, pca.labels, loc="outside right center", fontsize=8)
    return fig


def plt_handle(colour):
    from matplotlib.lines import Line2D

    return Line2D([], [], marker="o", linestyle="", color=colour)


def plot_training(histories: dict):
    """Validation nDCG@100 per epoch of each model (the kept epoch circled)."""
    fig, ax = plots.subplots(figsize=(7, 3.8))
    curves = {name: h.valid_ndcg for name, h in histories.items()}
    plots.learning_curves(ax, curves, {name: h.best_epoch for name, h in histories.items()}, "validation nDCG@100")
    ax.set_title("Training (circles: kept epoch)")
    return fig


def plot_profiling(position: np.ndarray, score: np.ndarray, rho: float):
    fig, ax = plots.subplots(figsize=(6.5, 4.2))
    ax.scatter(position, score, s=6, alpha=0.4)
    ax.set(
        xlabel="unconditioned user on the light → serious axis",
        ylabel="share serious − share light movies",
        title=f"Profiling: Spearman ρ = {rho:.2f}",
    )
    return fig


def plot_trained_untrained(trained: LatentPCA, untrained: LatentPCA, i: int = 2, j: int = 5, seed: int = 0):
    """The same PCA plane of the trained C-VAE and of its untrained initialisation, side by side: conditions cluster
    in both, since the one-hot condition shifts the latent mean by itself; what training changes is the arrangement."""
    fig, axes = plots.subplots(1, 2, figsize=(13, 5.5))
    for ax, space, title in ((axes[0], trained, "trained C-VAE"), (axes[1], untrained, "untrained (same init)")):
        plot_pair(space, i, j, ax=ax, max_points=200, seed=seed)
        ax.set_title(title)
    return fig

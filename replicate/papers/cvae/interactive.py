"""The C-VAE latent scatter as an interactive Plotly figure: hover a point for its condition and its user.

Same points as :func:`replicate.papers.cvae.latent.plot_pair` (the same seeded sample of users, one trace per
condition, the unconditioned users in black), so the page's interactive figure and the PNG the check reads agree.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from matplotlib.colors import to_hex

from replicate.papers.cvae.figures import _colours
from replicate.papers.cvae.latent import LatentPCA


def latent_scatter(pca: LatentPCA, i: int, j: int, users=None, max_points: int = 400, seed: int = 0) -> go.Figure:
    """Components ``i`` and ``j`` (1-based, as the paper numbers them), one trace per condition (click the legend to
    hide one). ``users`` labels the rows of ``pca.points`` in the hover text (default: the row number)."""
    n_users, n_conditions, n_components = pca.points.shape
    if not (1 <= i <= n_components and 1 <= j <= n_components):
        raise ValueError(f"components {i} and {j}: the PCA has components 1 to {n_components}")
    labels = np.arange(n_users) if users is None else np.asarray(users)
    if len(labels) != n_users:
        raise ValueError(f"users has {len(labels)} labels for {n_users} rows of latent points")
    rng = np.random.default_rng(seed)
    rows = rng.choice(n_users, size=min(max_points, n_users), replace=False)
    colours = [to_hex(c) for c in _colours(n_conditions - 1)] + ["#000000"]
    fig = go.Figure()
    for k, name in enumerate(pca.labels):
        p = pca.points[rows, k]
        fig.add_trace(
            go.Scatter(
                x=p[:, i - 1],
                y=p[:, j - 1],
                mode="markers",
                name=name,
                marker=dict(size=5, opacity=0.55, color=colours[k]),
                customdata=np.stack([np.full(len(rows), name, dtype=object), labels[rows].astype(str)], axis=1),
                hovertemplate="condition: %{customdata[0]}<br>user: %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis_title=f"PC{i} ({pca.explained[i - 1]:.0%} of variance)",
        yaxis_title=f"PC{j} ({pca.explained[j - 1]:.0%} of variance)",
        template="plotly_white",
        height=560,
        legend=dict(itemsizing="constant", font=dict(size=10)),
        margin=dict(l=60, r=20, t=30, b=50),
    )
    return fig

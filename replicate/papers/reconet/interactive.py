"""RecoNet's explanation (Figure 5) as an interactive Plotly Sankey: each relevant feature flows into the
recommended item with a width proportional to its relevance; hover a flow for the feature, its kind and relevance.

The same inputs as :func:`replicate.papers.reconet.figures.plot_sankey`, which draws the static PNG.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from matplotlib.colors import to_hex, to_rgba

from replicate import plots
from replicate.papers.reconet.figures import KIND_COLOURS


def _colour(kind: str, alpha: float | None = None) -> str:
    colour = KIND_COLOURS.get(kind, plots.PALETTE[4])
    if alpha is None:
        return to_hex(colour)
    r, g, b, _ = to_rgba(colour)
    return f"rgba({round(r * 255)}, {round(g * 255)}, {round(b * 255)}, {alpha})"


def explanation_sankey(labels, kinds, values, target: str, title: str = "") -> go.Figure:
    """Features (``labels``, their ``kinds``) with positive relevances ``values`` flowing into ``target``."""
    labels, kinds = [str(x) for x in labels], [str(x) for x in kinds]
    values = np.asarray(values, dtype=float)
    if not (len(labels) == len(kinds) == len(values)) or len(values) == 0:
        raise ValueError(
            f"need as many labels, kinds and values, at least one ({len(labels)}, {len(kinds)}, {len(values)})"
        )
    if (values <= 0).any() or not np.isfinite(values).all():
        raise ValueError("a Sankey shows positive relevances only: pass the top positive features")
    n = len(values)
    node_labels = [f"{label} ({kind})" for label, kind in zip(labels, kinds)] + [target]
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            valueformat=".4f",
            node=dict(
                label=node_labels,
                color=[_colour(k) for k in kinds] + [to_hex(plots.PALETTE[3])],
                pad=12,
                thickness=16,
                hovertemplate="%{label}<br>relevance %{value:.4f}<extra></extra>",
            ),
            link=dict(
                source=list(range(n)),
                target=[n] * n,
                value=values.tolist(),
                color=[_colour(k, 0.45) for k in kinds],
                customdata=[[label, kind] for label, kind in zip(labels, kinds)],
                hovertemplate="%{customdata[0]} (%{customdata[1]})<br>relevance %{value:.4f}<extra></extra>",
            ),
        )
    )
    fig.update_layout(title=title or None, height=420, font=dict(size=12), margin=dict(l=20, r=20, t=50, b=20))
    return fig

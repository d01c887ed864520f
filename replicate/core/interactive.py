"""Interactive Plotly figures in the book, offline.

A chapter shows one with ``ch.interactive(fig, name)``. The output carries the figure twice: as HTML for the book
(a ``div`` and the call that draws it; plotly.js itself is not in it: the book's extension, ``core/bookext.py``,
adds ``_static/plotly.min.js`` to the pages that have a figure, copied from the installed plotly package at stage
time, so nothing comes from a CDN and the notebook does not carry 4.6 MB per figure) and as Plotly's JSON mime type,
which JupyterLab draws natively. The static PNG of the same content, saved with ``ch.figure``, stays what the
regeneration check reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CONFIG = {"displaylogo": False, "responsive": True}
# The figure is drawn while the page is still being laid out, wider than the column it ends up in; redraw it at the
# column's width once the page has loaded (``responsive`` only follows later resizes of the window).
FIT = (
    "var fit = function () { Plotly.Plots.resize(document.getElementById('{plot_id}')); };"
    " if (document.readyState === 'complete') { fit(); } else { window.addEventListener('load', fit); }"
)


def div_id(chapter: str, name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"interactive figure name {name!r}: use letters, digits, '_' and '-' only")
    return f"plotly-{chapter}-{name}"


def html(fig, chapter: str, name: str) -> str:
    """The figure as an HTML fragment without plotly.js (deterministic: the div id is given, not random)."""
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id(chapter, name), config=CONFIG, post_script=FIT
    )


def bundle(fig, chapter: str, name: str) -> dict:
    """The display bundle: HTML for the book, Plotly JSON for JupyterLab, a line of text for the rest."""
    return {
        "text/html": html(fig, chapter, name),
        "application/vnd.plotly.v1+json": {**json.loads(fig.to_json()), "config": CONFIG},
        "text/plain": f"<interactive figure {name}>",
    }


def show(fig, chapter: str, name: str) -> None:
    from IPython.display import display

    display(bundle(fig, chapter, name), raw=True)

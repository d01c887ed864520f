"""One figure style for the whole book, and deterministic PNG output."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt

from replicate import paths

# Colour-blind safe (Okabe-Ito), in a fixed order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
DPI = 110

STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": DPI,
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "legend.frameon": False,
    "svg.hashsalt": "interpretable-recsys",
}


def use_style() -> None:
    """Apply the book's style to every figure made afterwards."""
    mpl.rcParams.update(STYLE)


def png_bytes(fig) -> bytes:
    """The figure as PNG bytes, without a timestamp or software tag, so that equal figures give equal bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def save_png(fig, path: Path) -> bytes:
    data = png_bytes(fig)
    paths.write_whole(path, data)
    return data


def subplots(*args, **kwargs):
    """``plt.subplots`` with the book's style applied."""
    use_style()
    return plt.subplots(*args, **kwargs)


def compact(value, _position=None) -> str:
    """Axis tick labels such as 250, 25k, 1.2M."""
    for factor, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:g}{suffix}"
    return f"{value:g}"


def barh(ax, labels, values, color=PALETTE[0], fmt="{:,.0f}"):
    """Horizontal bars in the given order from the top, each labelled with its value."""
    ax.barh(range(len(values)), values, color=color)
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    if ax.get_xscale() == "linear":
        ax.set_xlim(0, max(values) * 1.22 if len(values) else 1)
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(compact))
    for y, v in enumerate(values):
        ax.text(v, y, " " + fmt.format(v), va="center", fontsize=8)
    return ax


def learning_curves(ax, curves: dict, best: dict | None = None, ylabel: str = "", marker: str = "o") -> None:
    """One line per name in ``curves`` (a value per epoch, from epoch 1), the kept epoch in ``best`` circled."""
    from matplotlib.ticker import MaxNLocator

    for k, (name, values) in enumerate(curves.items()):
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(range(1, len(values) + 1), values, marker=marker, color=colour, label=name)
        if best is not None and name in best:
            ax.scatter([best[name] + 1], [values[best[name]]], s=80, facecolors="none", edgecolors=colour)
    ax.set(xlabel="epoch", ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()


def short_label(text: str, width: int = 38) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"

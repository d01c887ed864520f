"""Integrated Gradients on EMDE's input sketch, decoded back to the units and movies of each modality.

Following Rychalska et al. (2020): the explained output is the sum of the output-sketch values at the buckets of one
movie (the top-scored one, unless another target is given); captum's ``IntegratedGradients`` attributes it to every
input-sketch cell, from an all-zero baseline (an empty history) in ``steps`` steps, and completeness is checked
(attributions sum to f(x) - f(baseline) up to the integration error). A unit's attribution is the mean of the
attributions of the buckets it falls into, one per sketch; a movie's attribution in a modality is the mean over its
units (for ``liked`` and ``disliked`` the movie is its own unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from captum.attr import IntegratedGradients

from replicate.papers.emde.inputs import Inputs
from replicate.papers.emde.train import EMDEModel
from replicate.repro import torch_threads


@dataclass
class Attribution:
    """Attributions of a batch of users: ``cells`` (n_users, n_modalities, n_sketches, width), the explained values
    ``f``, ``f_baseline``, and captum's convergence ``delta``; ``targets`` the explained movies (dataset indices)."""

    cells: np.ndarray
    f: np.ndarray
    f_baseline: np.ndarray
    delta: np.ndarray
    targets: np.ndarray


def _bucket_sum(model: EMDEModel):
    net = model.net

    def forward(x: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        out = net(x)
        return out.gather(2, codes.unsqueeze(-1)).squeeze(-1).sum(dim=1)

    return forward


def explain(model: EMDEModel, inputs: Inputs, targets: np.ndarray, steps: int = 50, batch: int = 64) -> Attribution:
    """Attribute, for each user, the output-bucket sum of ``targets[b]`` (a dataset item index)."""
    with torch_threads(1):  # on a shared CPU one thread is faster; results do not depend on it
        return _explain(model, inputs, targets, steps, batch)


def _explain(model: EMDEModel, inputs: Inputs, targets: np.ndarray, steps: int, batch: int) -> Attribution:
    model.net.eval()
    forward = _bucket_sum(model)
    ig = IntegratedGradients(forward)
    x_all = model.inputs_vector(inputs)
    codes_all = torch.from_numpy(model.output.codes[targets]).to(model.device)
    cells, fs, f0s, deltas = [], [], [], []
    for start in range(0, len(x_all), batch):
        x = x_all[start : start + batch]
        codes = codes_all[start : start + batch]
        baseline = torch.zeros_like(x)
        attr, delta = ig.attribute(
            x, baselines=baseline, additional_forward_args=(codes,), n_steps=steps, return_convergence_delta=True
        )
        with torch.no_grad():
            fs.append(forward(x, codes).cpu().numpy())
            f0s.append(forward(baseline, codes).cpu().numpy())
        cells.append(attr.detach().cpu().numpy())
        deltas.append(delta.detach().cpu().numpy())
    shape = (len(x_all), len(model.modalities), model.config.n_sketches, model.config.width)
    return Attribution(
        np.concatenate(cells).reshape(shape),
        np.concatenate(fs),
        np.concatenate(f0s),
        np.concatenate(deltas),
        np.asarray(targets),
    )


def unit_scores(attribution: Attribution, model: EMDEModel, modality: int) -> np.ndarray:
    """(n_users, n_units): each unit's attribution, the mean over sketches of its bucket's attribution."""
    codes = model.modalities[modality].codes  # (n_units, n_sketches)
    cells = attribution.cells[:, modality]  # (n_users, n_sketches, width)
    n_sketches = codes.shape[1]
    return cells[:, np.arange(n_sketches)[None, :], codes].mean(axis=-1)


def movie_scores(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, aggregate: str = "mean"
) -> np.ndarray:
    """(n_users, n_items): a movie's attribution in the modality, the mean (or ``"sum"``) over its units, for the
    movies that feed the modality (``nan`` elsewhere)."""
    if aggregate not in ("mean", "sum"):
        raise ValueError(f"aggregate must be 'mean' or 'sum', not {aggregate!r}")
    m = model.modalities[modality]
    units = unit_scores(attribution, model, modality)
    per_movie = m.movie_units
    if aggregate == "mean":
        per_movie = m.movie_units.multiply(1.0 / np.maximum(m.movie_units.sum(axis=1), 1)).tocsr()
    scores = units @ per_movie.T.toarray() if sp.issparse(units) else (per_movie @ units.T).T
    fed = (inputs.liked if m.source == "liked" else inputs.disliked).toarray() > 0
    has_units = np.asarray(m.movie_units.sum(axis=1)).ravel() > 0
    return np.where(fed & has_units[None, :], scores, np.nan)


def top_movie(scores: np.ndarray) -> np.ndarray:
    """Per user, the movie with the largest attribution (-1 when the modality has none)."""
    filled = np.where(np.isnan(scores), -np.inf, scores)
    best = filled.argmax(axis=1)
    return np.where(np.isfinite(filled.max(axis=1)), best, -1)


# --- aggregate readings ---------------------------------------------------------------------------------------------


def top_entities(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, users: np.ndarray, k: int = 5
) -> pd.Series:
    """The units of a modality with the largest attribution summed over ``users`` (rows of the batch), counting a
    unit only for users who have it in their input; units none of them has are never listed."""
    m = model.modalities[modality]
    feeds = inputs.liked if m.source == "liked" else inputs.disliked
    present = (feeds[users] @ m.movie_units).toarray() > 0
    scores = np.where(present, unit_scores(attribution, model, modality)[users], 0.0).sum(axis=0)
    scores = np.where(present.any(axis=0), scores, -np.inf)
    order = [u for u in np.argsort(-scores, kind="stable")[:k] if np.isfinite(scores[u])]
    return pd.Series(scores[order], index=[m.labels[u] for u in order], dtype=float)


def most_influential(movie_attr: np.ndarray, users: np.ndarray) -> int:
    """The movie with the largest attribution summed over ``users`` (-1 if none)."""
    totals = np.nansum(movie_attr[users], axis=0)
    fed = ~np.all(np.isnan(movie_attr[users]), axis=0)
    if not fed.any():
        return -1
    return int(np.where(fed, totals, -np.inf).argmax())


def agreement(tops: dict, reference: str = "liked", eligible: np.ndarray | None = None) -> dict:
    """Per modality, the share of users whose most influential movie equals the ``reference`` modality's (users
    for whom both modalities name a movie)."""
    ref = tops[reference]
    base = (ref >= 0) if eligible is None else (ref >= 0) & eligible
    out = {}
    for name, top in tops.items():
        if name != reference:
            mask = base & (top >= 0)
            out[name] = float((top[mask] == ref[mask]).mean()) if mask.any() else float("nan")
    return out


def top_influence(movie_attr: np.ndarray) -> float:
    """Mean over users of the largest movie attribution in a modality."""
    best = np.nanmax(np.where(np.isnan(movie_attr), -np.inf, movie_attr), axis=1)
    return float(np.mean(best[np.isfinite(best)]))


def removal_effect(model: EMDEModel, inputs: Inputs, targets: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """f(x) - f(x without one liked input movie) for each user; ``removed[b]`` is the movie taken out."""
    forward = _bucket_sum(model)
    codes = torch.from_numpy(model.output.codes[targets]).to(model.device)
    with torch.no_grad():
        full = forward(model.inputs_vector(inputs), codes).cpu().numpy()
        reduced = forward(model.inputs_vector(inputs.without(removed)), codes).cpu().numpy()
    return full - reduced

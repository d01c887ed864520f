"""Explainers behind one interface, for any recommender given as ``model: (batch, n_items) history -> (batch,
n_items) scores`` (a torch callable on ``device``).

``explain(name, model, history, targets, ...)`` returns relevances (n_users, n_items), one per history item of each
user for her target item; entries outside the history are zero and never read (:func:`restricted`). The generic
explainers come from captum 0.9.0:

- ``IG (zero)``: Integrated Gradients from the empty history;
- ``IG (real users)``: Integrated Gradients averaged over baselines drawn from real training users' histories
  (SPINRec, Barkan et al., AAAI 2026): ``n_baselines`` draws, one training user per explained user and draw;
- ``InputXGradient``, ``Saliency`` (captum's default: the absolute gradient);
- ``LIME`` (captum's Lime with an unpenalised weighted least-squares surrogate, :func:`least_squares_surrogate`:
  captum's default, a Lasso with ``alpha = 0.01``, zeroes every coefficient when the score moves by ~1e-3 under
  perturbation, as it does here, and leaves no order at all), ``KernelSHAP`` and ``FeatureAblation``
  (leave-one-out: the score drop when the item alone is removed, the counterfactual itself): each runs per user on
  the history items only (the model restricted to the user's history, :class:`HistoryOnly`), the perturbations
  batched;
- ``random``: a uniform random order, the floor; ``popularity``: the items' training popularity (explains the data,
  not the model: the model-independent reference of the randomisation check).

A model's own explanation enters as a precomputed relevance (LRP for RecoNet; for a linear model such as EASE, the
exact decomposition of the target's score, ``x_i B_it``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from captum._utils.models.linear_model import LinearModel
from captum.attr import FeatureAblation, InputXGradient, IntegratedGradients, KernelShap, Lime, Saliency
from tqdm.auto import tqdm

GENERIC = ("IG (zero)", "IG (real users)", "InputXGradient", "Saliency", "LIME", "KernelSHAP", "FeatureAblation")
PER_USER = ("LIME", "KernelSHAP", "FeatureAblation")  # perturbation explainers: one user at a time
RANDOM = "random"
POPULARITY = "popularity"


def restricted(relevance: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Relevance on the history items only (zero elsewhere)."""
    return np.where(np.asarray(history) > 0, np.asarray(relevance, dtype=np.float64), 0.0)


class HistoryOnly(torch.nn.Module):
    """The model seen from one user's history: input ``z`` (batch, h) in [0, 1] for her ``h`` history items, the other
    items absent; output the scores of all items. Removing an item is ``z_i = 0``."""

    def __init__(self, model: Callable, items: np.ndarray, n_items: int, device: str):
        super().__init__()
        self.model, self.n_items = model, n_items
        self.items = torch.as_tensor(np.asarray(items), dtype=torch.long, device=device)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = torch.zeros(z.shape[0], self.n_items, dtype=z.dtype, device=z.device)
        x[:, self.items] = z
        return self.model(x)


def _least_squares_fit(model: LinearModel, dataloader, construct_kwargs: dict, **_) -> dict:
    """captum's ``train_fn`` protocol: weighted least squares with an intercept, unpenalised (the minimum-norm
    solution when there are fewer samples than features), solved in closed form. Unlike a Lasso it is equivariant to
    the scale of the target: multiplying the model's scores by any factor multiplies the coefficients by it."""
    xs, ys, ws = [], [], []
    for data in dataloader:
        x, y, *w = data
        xs.append(x.detach().cpu().double().reshape(len(x), -1))
        ys.append(y.detach().cpu().double().reshape(len(x)))
        ws.append(w[0].detach().cpu().double().reshape(len(x)) if w else torch.ones(len(x), dtype=torch.float64))
    x, y, w = torch.cat(xs), torch.cat(ys), torch.cat(ws)
    design = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1) * w.clamp_min(0).sqrt()[:, None]
    solution = torch.linalg.pinv(design) @ (y * w.clamp_min(0).sqrt())
    device = getattr(model, "device", "cpu")
    model._construct_model_params(
        norm_type=None,
        weight_values=solution[:-1].float().view(1, -1).to(device),
        bias_value=solution[-1:].float().to(device),
    )
    return {}


def least_squares_surrogate() -> LinearModel:
    """LIME's interpretable model: an unpenalised weighted linear regression (:func:`_least_squares_fit`)."""
    return LinearModel(train_fn=_least_squares_fit)


def _batched(fn, history: np.ndarray, targets: np.ndarray, device: str, batch: int, desc: str) -> np.ndarray:
    out = np.zeros(history.shape, dtype=np.float64)
    for start in tqdm(range(0, len(targets), batch), desc=desc, leave=False, disable=len(targets) <= batch):
        x = torch.as_tensor(history[start : start + batch], dtype=torch.float32, device=device)
        t = torch.as_tensor(targets[start : start + batch], dtype=torch.long, device=device)
        out[start : start + batch] = fn(x, t, slice(start, start + batch)).detach().cpu().numpy()
    return out


def _per_user(name: str, model, history, targets, device, n_samples: int, seed: int) -> np.ndarray:
    out = np.zeros(history.shape, dtype=np.float64)
    for u in tqdm(range(len(targets)), desc=name, leave=False):
        items = np.flatnonzero(history[u] > 0)
        if len(items) == 0:
            continue
        local = HistoryOnly(model, items, history.shape[1], device)
        z = torch.ones(1, len(items), device=device)
        torch.manual_seed(seed + u)  # LIME and KernelSHAP draw their perturbations from torch's generator
        if name == "FeatureAblation":
            a = FeatureAblation(local).attribute(z, baselines=0.0, target=int(targets[u]), perturbations_per_eval=64)
        else:
            method = Lime(local, interpretable_model=least_squares_surrogate()) if name == "LIME" else KernelShap(local)
            a = method.attribute(
                z, baselines=0.0, target=int(targets[u]), n_samples=n_samples, perturbations_per_eval=n_samples
            )
        out[u, items] = a.detach().cpu().numpy()[0]
    return out


def real_baselines(pool: np.ndarray, n: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, n, n_items) histories of training users drawn with replacement from ``pool`` (0/1 rows)."""
    return np.asarray(pool)[rng.integers(0, len(pool), size=(draws, n))].astype(np.float32)


def explain(
    name: str,
    model: Callable,
    history: np.ndarray,
    targets: np.ndarray,
    *,
    device: str = "cpu",
    rng: np.random.Generator | None = None,
    steps: int = 32,
    pool: np.ndarray | None = None,
    n_baselines: int = 10,
    n_samples: int = 200,
    popularity: np.ndarray | None = None,
    batch: int = 256,
) -> np.ndarray:
    """Relevances (n_users, n_items) of the explainer ``name`` (:data:`GENERIC`, :data:`RANDOM` or
    :data:`POPULARITY`) for each user's ``targets``, restricted to her history. ``rng`` draws the random order, the
    real-user baselines (from ``pool``, training users' 0/1 rows) and seeds LIME/KernelSHAP; ``steps``: IG's
    integration steps; ``n_samples``: LIME's and KernelSHAP's perturbations per user."""
    history = (np.asarray(history) > 0).astype(np.float32)
    targets = np.asarray(targets, dtype=np.int64)
    rng = np.random.default_rng(0) if rng is None else rng
    if name == RANDOM:
        return restricted(rng.random(history.shape), history)
    if name == POPULARITY:
        return restricted(np.broadcast_to(np.asarray(popularity, dtype=float), history.shape), history)
    if name in PER_USER:
        return restricted(
            _per_user(name, model, history, targets, device, n_samples, int(rng.integers(2**31))), history
        )
    if name == "IG (zero)":
        ig = IntegratedGradients(model)
        fn = lambda x, t, _: ig.attribute(x, baselines=torch.zeros_like(x), target=t, n_steps=steps)  # noqa: E731
    elif name == "IG (real users)":
        if pool is None:
            raise ValueError("IG (real users) needs the training users' histories as `pool`")
        bases = torch.as_tensor(real_baselines(pool, len(targets), n_baselines, rng), device=device)
        ig, total = IntegratedGradients(model), np.zeros(history.shape)
        for b in bases:
            fn = lambda x, t, rows, b=b: ig.attribute(x, baselines=b[rows], target=t, n_steps=steps)  # noqa: E731
            total += _batched(fn, history, targets, device, batch, name)
        return restricted(total / n_baselines, history)
    elif name == "InputXGradient":
        fn = lambda x, t, _: InputXGradient(model).attribute(x.requires_grad_(), target=t)  # noqa: E731
    elif name == "Saliency":
        fn = lambda x, t, _: Saliency(model).attribute(x.requires_grad_(), target=t)  # noqa: E731
    else:
        raise ValueError(f"unknown explainer {name!r}")
    return restricted(_batched(fn, history, targets, device, batch, name), history)

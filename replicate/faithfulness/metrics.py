"""The counterfactual protocol of the recommender-explanation literature (Barkan et al., WWW 2024, "LXR"; Baklanov et
al., SIGIR 2025), without retraining.

For each user (a 0/1 history row ``x``) and her explained target ``t`` (her top recommendation, history excluded), an
explainer gives one relevance per history item. Its *removal order* is the history sorted by relevance, highest
first. For ``Ke = 1 .. K``:

- **deletion**: the history without its top ``Ke`` items; the target's score and rank are recorded;
- **insertion**: a history of only the top ``Ke`` items, likewise.

A user with fewer than ``Ke`` history items loses (or keeps) all of them. The target's rank is ``1 +`` the number of
candidate items scored strictly above it, the candidates being the items outside the user's *original* history (the
items a recommender may recommend to her), so rank 1 is the top recommendation.

Per-user readings (:func:`summary`), each an area: the mean over ``Ke = 1 .. K`` of

- ``DEL``: the drop of the target's score after deletion, ``s(x) - s(x without top Ke)`` (higher is more faithful);
- ``INS``: the target's score with only the top ``Ke`` kept, minus its score with the full history (higher is more
  faithful; zero when the top ``Ke`` alone explain all of the score);
- ``POS@Kr``: 1 when the target has left the top ``Kr`` after deletion (higher is more faithful), for ``Kr`` in
  :data:`KR`;
- ``CDCG``: ``1 / log2(1 + rank)`` of the target after deletion (lower is more faithful: 1 while it stays first).

Everything per user, so that explainers are compared paired over the same users (:func:`paired`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from replicate import stats

KR = (1, 5, 10)  # POS@Kr: has the target left the top Kr?
# The readings, and whether a higher value is more faithful.
HIGHER_IS_FAITHFUL = {"DEL": True, "INS": True, "POS@1": True, "POS@5": True, "POS@10": True, "CDCG": False}

Model = Callable[[torch.Tensor], torch.Tensor]  # (batch, n_items) history -> (batch, n_items) scores


def removal_order(
    relevance: np.ndarray, history: np.ndarray, k: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    """The first ``k`` history items of each row by relevance, highest first: (n, k) item indices, -1 past the end
    of a short history.

    Only history items enter the order: a NaN relevance (an explainer that failed on an item) counts as the lowest
    relevance *within the history*, never as a reason to reach past it. Ties are broken at random with ``rng`` (a
    fresh ``default_rng(0)`` when none is given), never by item index: on MovieLens the index correlates with
    popularity, so an index tie-break would hand a tied explainer a popularity order. A relevance constant over a
    user's history is no order at all (:func:`degenerate`): it gives a random order here."""
    rng = np.random.default_rng(0) if rng is None else rng
    present = np.asarray(history) > 0
    relevance = np.asarray(relevance, dtype=np.float64)
    key = np.where(present, np.nan_to_num(relevance, nan=-np.inf, posinf=np.inf, neginf=-np.inf), 0.0)
    tiebreak = rng.random(key.shape)
    # lexsort: the last key is the primary one. History items first, then relevance (highest first), then at random.
    order = np.lexsort((tiebreak, -key, ~present), axis=-1)[:, :k]
    length = present.sum(axis=1)
    return np.where(np.arange(order.shape[1])[None, :] < length[:, None], order, -1)


def degenerate(relevance: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Per user, whether the explainer gives no order over her history: its relevance is constant over her history
    items (all zero, for instance a LIME surrogate that zeroed every coefficient) or not finite on any of them."""
    out = np.zeros(len(history), dtype=bool)
    for u, row in enumerate(np.asarray(history) > 0):
        v = np.asarray(relevance[u], dtype=np.float64)[row]
        out[u] = len(v) > 1 and (not np.isfinite(v).any() or np.ptp(v[np.isfinite(v)]) == 0)
    return out


def tied_cut(relevance: np.ndarray, history: np.ndarray, k: int) -> np.ndarray:
    """Per user, whether the ``k``-th and the next history item by relevance tie (which items are removed at ``Ke =
    k`` is then decided by the tie-break, not by the explainer)."""
    out = np.zeros(len(history), dtype=bool)
    for u, row in enumerate(np.asarray(history) > 0):
        v = np.sort(np.nan_to_num(np.asarray(relevance[u], dtype=np.float64)[row], nan=-np.inf))[::-1]
        out[u] = len(v) > k and v[k - 1] == v[k]
    return out


def target_ranks(scores: np.ndarray, targets: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Rank of each row's target (1 = first) among its ``candidates`` (a 0/1 mask), counting the candidates scored
    strictly above it."""
    scores = np.asarray(scores, dtype=np.float64)
    own = scores[np.arange(len(targets)), targets][:, None]
    above = (scores > own) & (np.asarray(candidates) > 0)
    above[np.arange(len(targets)), targets] = False
    return 1 + above.sum(axis=1)


@dataclass
class Curves:
    """The target's score and rank per user (rows) before perturbation, and after removing (deletion) or keeping
    only (insertion) the top ``Ke`` items (columns, ``Ke = 1 .. K``). ``empty_score``: the score of an empty history."""

    score: np.ndarray
    rank: np.ndarray
    deletion_score: np.ndarray
    deletion_rank: np.ndarray
    insertion_score: np.ndarray
    insertion_rank: np.ndarray
    empty_score: np.ndarray
    length: np.ndarray

    @property
    def k(self) -> int:
        return self.deletion_score.shape[1]


def _score(model: Model, rows: np.ndarray, device: str, batch: int) -> np.ndarray:
    out = []
    with torch.no_grad():
        for start in range(0, len(rows), batch):
            x = torch.as_tensor(rows[start : start + batch], dtype=torch.float32, device=device)
            out.append(model(x).detach().cpu().numpy().astype(np.float64))
    return np.concatenate(out) if out else np.zeros((0, rows.shape[1]))


def perturbed(history: np.ndarray, order: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(deleted, inserted): for ``Ke = 1 .. k``, each user's history without its top ``Ke`` items and with only them,
    stacked as (n * k, n_items) with user ``u``'s ``Ke`` at row ``u * k + Ke - 1``."""
    history = (np.asarray(history) > 0).astype(np.float32)
    n, n_items = history.shape
    deleted = np.repeat(history, k, axis=0)
    inserted = np.zeros_like(deleted)
    for ke in range(1, k + 1):
        rows = np.arange(n) * k + ke - 1
        for j in range(min(ke, order.shape[1])):
            items = order[:, j]
            ok = items >= 0
            deleted[rows[ok], items[ok]] = 0.0
            inserted[rows[ok], items[ok]] = 1.0
    return deleted, inserted


def perturbation_curves(
    model: Model,
    history: np.ndarray,
    targets: np.ndarray,
    order: np.ndarray,
    k: int,
    device: str = "cpu",
    batch: int = 2048,
) -> Curves:
    """:class:`Curves` of ``model`` for users ``history`` (n, n_items, 0/1), their ``targets`` and an explainer's
    removal ``order`` (:func:`removal_order`), for ``Ke = 1 .. k``; no retraining."""
    history = (np.asarray(history) > 0).astype(np.float32)
    targets = np.asarray(targets, dtype=np.int64)
    n = len(targets)
    candidates = 1.0 - history
    base = _score(model, history, device, batch)
    deleted, inserted = perturbed(history, order, k)
    repeated_targets, repeated_candidates = np.repeat(targets, k), np.repeat(candidates, k, axis=0)
    curves = {}
    for name, rows in (("deletion", deleted), ("insertion", inserted)):
        s = _score(model, rows, device, batch)
        curves[f"{name}_score"] = s[np.arange(n * k), repeated_targets].reshape(n, k)
        curves[f"{name}_rank"] = target_ranks(s, repeated_targets, repeated_candidates).reshape(n, k)
    empty = _score(model, np.zeros((1, history.shape[1]), np.float32), device, batch)[0, targets]
    return Curves(
        base[np.arange(n), targets],
        target_ranks(base, targets, candidates),
        empty_score=empty,
        length=history.sum(axis=1).astype(int),
        **curves,
    )


def summary(curves: Curves, kr=KR) -> dict[str, np.ndarray]:
    """Per-user areas over ``Ke = 1 .. K`` (see the module docstring): DEL, INS, POS@Kr, CDCG."""
    out = {
        "DEL": (curves.score[:, None] - curves.deletion_score).mean(axis=1),
        "INS": (curves.insertion_score - curves.score[:, None]).mean(axis=1),
    }
    for r in kr:
        out[f"POS@{r}"] = (curves.deletion_rank > r).mean(axis=1)
    out["CDCG"] = (1.0 / np.log2(1.0 + curves.deletion_rank)).mean(axis=1)
    return out


def at_ke(curves: Curves, ke: int, kr=KR) -> dict[str, np.ndarray]:
    """The same readings at one explanation length ``Ke`` (not an area)."""
    i = ke - 1
    out = {"DEL": curves.score - curves.deletion_score[:, i], "INS": curves.insertion_score[:, i] - curves.score}
    for r in kr:
        out[f"POS@{r}"] = (curves.deletion_rank[:, i] > r).astype(float)
    out["CDCG"] = 1.0 / np.log2(1.0 + curves.deletion_rank[:, i])
    return out


def faithfulness_gain(a: np.ndarray, b: np.ndarray, metric: str) -> np.ndarray:
    """Per user, how much more faithful reading ``a`` is than ``b`` on ``metric`` (signed so that positive is more
    faithful whatever the metric's direction)."""
    sign = 1.0 if HIGHER_IS_FAITHFUL[metric] else -1.0
    return sign * (np.asarray(a, dtype=float) - np.asarray(b, dtype=float))


def paired(a: np.ndarray, b: np.ndarray, metric: str, seed: int = 0, n_boot: int = 2000) -> tuple[float, float, float]:
    """Mean per-user faithfulness gain of ``a`` over ``b`` with its paired bootstrap 95 % interval over users:
    (estimate, low, high); positive: ``a`` more faithful."""
    return stats.bootstrap_interval(faithfulness_gain(a, b, metric), seed=seed, n_boot=n_boot)

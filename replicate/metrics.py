"""Ranking metrics as pure functions, per user, on score matrices and held-out sets.

Conventions (Liang et al. 2018, ``dawenl/vae_cf``):

- ``scores``: (n_users, n_items) array; higher is better. Items the user gave as input must already be excluded
  (set to ``-inf``, :func:`exclude`) by the caller.
- ``heldout``: (n_users, n_items) binary matrix (dense array or scipy sparse) of the relevant items.
- ``ndcg_at_k``: DCG@k with binary gains ``1 / log2(rank + 1)`` over the top k, divided by the ideal DCG of
  ``min(k, n_relevant)`` hits.
- ``recall_at_k``: hits in the top k divided by ``min(k, n_relevant)`` (so a perfect ranking scores 1 even when a user
  has more than k relevant items). With ``cap=False``, divided by ``n_relevant``: the definition of Collaborative
  Metric Learning's evaluation, which RecoNet's Table 1 follows (recall@k = hits in top k / |user's test items|).
- ``recall_curve``: mean recall@k for k = 1..k_max from one ranking (RecoNet's Figure 4).

Users with no relevant item get ``nan`` (callers average with ``np.nanmean``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def exclude(scores: np.ndarray, known) -> np.ndarray:
    """Set ``scores`` to ``-inf`` (in place) wherever ``known`` (same shape, sparse or dense) is non-zero: the items a
    user gave as input, which a ranking must not recommend back. Returns ``scores``."""
    rows, cols = known.nonzero() if sp.issparse(known) else np.nonzero(known)
    scores[rows, cols] = -np.inf
    return scores


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores per row, best first (ties broken by the lower item index)."""
    scores = np.asarray(scores)
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    return np.take_along_axis(part, order, axis=1)


def ndcg_at_k(scores: np.ndarray, heldout, k: int) -> np.ndarray:
    relevant = _dense(heldout) > 0
    top = top_k(scores, k)
    hits = np.take_along_axis(relevant, top, axis=1)
    discounts = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    dcg = (hits * discounts).sum(axis=1)
    n_relevant = relevant.sum(axis=1)
    ideal = np.array([discounts[: min(n, k)].sum() for n in n_relevant])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_relevant > 0, dcg / ideal, np.nan)


def recall_at_k(scores: np.ndarray, heldout, k: int, cap: bool = True) -> np.ndarray:
    relevant = _dense(heldout) > 0
    top = top_k(scores, k)
    hits = np.take_along_axis(relevant, top, axis=1).sum(axis=1)
    n_relevant = relevant.sum(axis=1)
    denominator = np.minimum(k, n_relevant) if cap else n_relevant
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_relevant > 0, hits / denominator, np.nan)


def recall_curve(scores: np.ndarray, heldout, k_max: int, cap: bool = True) -> np.ndarray:
    """Mean over users with a relevant item of recall@k, for k = 1..k_max (index k-1)."""
    relevant = _dense(heldout) > 0
    has = relevant.sum(axis=1) > 0
    relevant, scores = relevant[has], np.asarray(scores)[has]
    hits = np.cumsum(np.take_along_axis(relevant, top_k(scores, k_max), axis=1), axis=1)
    n_relevant = relevant.sum(axis=1)[:, None]
    k = np.arange(1, hits.shape[1] + 1)[None, :]
    denominator = np.minimum(k, n_relevant) if cap else n_relevant
    return (hits / denominator).mean(axis=0)

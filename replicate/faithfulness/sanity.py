"""Sanity checks of explainers: the model-randomisation check (Adebayo et al., NeurIPS 2018) and the retraining check
of the cheap protocol (ACCENT, Tran et al. 2021), with EASE, whose retraining is a closed form.

**Randomisation.** The same users and targets are explained on the trained model and on the model with every weight
re-drawn at once (:func:`replicate.faithfulness.models.randomised`); per user, Spearman's rank correlation of the
absolute relevances over her history items (one where the trained model's explanation is constant: it has no order
to lose). An explainer whose explanations barely change explains the input, not the model.

**Retraining.** Removing items from a user's history without retraining asks how the *trained* model reacts; ACCENT
asks how a model *retrained without them* would. With the user among the training users, EASE refit on the training
users and her history is a rank-one update of ``P = (XᵀX + λI)⁻¹`` (Sherman-Morrison), so each perturbed history gets
its own exactly retrained EASE in O(n_items²). Without retraining, the perturbed history is scored by EASE fit with
her full history; with retraining, by EASE fit with the perturbed one. Both give the explainers an order by their
deletion readings, compared by Kendall's tau with a bootstrap interval over users.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from replicate import stats
from replicate.faithfulness.metrics import Curves, perturbed, summary, target_ranks


def rank_agreement(a: np.ndarray, b: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Per user, Spearman's rank correlation between ``|a|`` and ``|b|`` over her history items (NaN when she has
    fewer than three items). An explainer constant (or not finite) on the trained model gives no order to lose: it
    counts as unchanged (one), so that an explainer that never reads the model cannot pass by being dropped; one
    whose order is gone on the randomised model alone counts as changed (zero)."""
    out = np.full(len(history), np.nan)
    for u, row in enumerate(np.asarray(history) > 0):
        if row.sum() < 3:
            continue
        x, y = np.abs(a[u, row]), np.abs(b[u, row])
        constant = lambda v: not np.isfinite(v).all() or np.ptp(v) == 0  # noqa: E731
        out[u] = 1.0 if constant(x) else 0.0 if constant(y) else spearmanr(x, y).statistic
    return out


def mean_interval(values, seed: int = 0) -> tuple[float, float, float]:
    """Mean of the finite values with its bootstrap 95 % interval: (estimate, low, high)."""
    values = np.asarray(values, dtype=float)
    return stats.bootstrap_interval(values[np.isfinite(values)], seed=seed)


class EaseRefit:
    """EASE refit with one extra training row per perturbed history, in closed form from ``P = (XᵀX + λI)⁻¹``."""

    def __init__(self, train, l2: float):
        g = (train.T @ train).toarray().astype(np.float64)
        g[np.diag_indices_from(g)] += l2
        self.P = np.linalg.inv(g)

    def scores(self, rows: np.ndarray, fitted_with: np.ndarray) -> np.ndarray:
        """Scores of the items outside each row (the candidates: items inside are not read) for ``rows`` (m,
        n_items), each by EASE fit on the training users plus the matching row of ``fitted_with``:
        ``s_j = -(P' x)_j / P'_jj`` with ``P' = P - (P y)(P y)ᵀ / (1 + yᵀ P y)``, ``y`` the added row."""
        x, y = np.asarray(rows, dtype=np.float64), np.asarray(fitted_with, dtype=np.float64)
        Py, Px = y @ self.P, x @ self.P  # P is symmetric: rows of P y and P x
        c = 1.0 + np.einsum("ij,ij->i", y, Py)
        Ppx = Px - Py * (np.einsum("ij,ij->i", y, Px) / c)[:, None]
        diag = np.diag(self.P)[None, :] - Py**2 / c[:, None]
        return -Ppx / diag


def retrained_curves(refit: EaseRefit, history, targets, order, k: int, retrain: bool) -> Curves:
    """Deletion curves of EASE with the user's history among its training rows: ``retrain`` refits it on each
    perturbed history, otherwise the fit with her full history scores them. Insertion is not measured (zeros)."""
    history = (np.asarray(history) > 0).astype(np.float64)
    targets = np.asarray(targets, dtype=np.int64)
    n = len(targets)
    candidates = 1.0 - history
    base = refit.scores(history, history)
    deleted, _ = perturbed(history, order, k)
    s = refit.scores(deleted, deleted if retrain else np.repeat(history, k, axis=0))
    rt = np.repeat(targets, k)
    zeros = np.zeros((n, k))
    return Curves(
        base[np.arange(n), targets],
        target_ranks(base, targets, candidates),
        s[np.arange(n * k), rt].reshape(n, k),
        target_ranks(s, rt, np.repeat(candidates, k, axis=0)).reshape(n, k),
        zeros,
        zeros.astype(int),
        np.zeros(n),
        history.sum(axis=1).astype(int),
    )


def order_by(readings: dict[str, np.ndarray], rows=None) -> list[str]:
    """Explainers by their mean reading over ``rows`` (all users by default), most faithful (highest) first."""
    means = {name: float(np.mean(v if rows is None else v[rows])) for name, v in readings.items()}
    return sorted(means, key=lambda name: -means[name])


def order_agreement(
    without: dict[str, np.ndarray], with_: dict[str, np.ndarray], seed: int = 0, n_boot: int = 500
) -> tuple[float, float, float]:
    """Kendall's tau between the explainers' orders without and with retraining (per-user readings, higher more
    faithful), with its bootstrap 95 % interval over users: (tau, low, high)."""
    tau = stats.kendall_tau(order_by(without), order_by(with_))
    n = len(next(iter(without.values())))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        rows = rng.integers(0, n, n)
        draws.append(stats.kendall_tau(order_by(without, rows), order_by(with_, rows)))
    low, high = np.nanquantile(draws, [0.025, 0.975])
    return tau, float(low), float(high)


def deletion_reading(curves: Curves) -> np.ndarray:
    """The per-user reading the retraining check orders explainers by: DEL, the area of the target's score drop."""
    return summary(curves)["DEL"]

"""Small statistics not covered by scipy: the Mantel test and the correlation ratio (eta squared)."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import squareform


def eta_squared(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Share of the variance of each column of ``values`` explained by the group ``labels`` (between-group sum of
    squares over total sum of squares); 1 when the groups are points, 0 when their means coincide."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    grand = values.mean(axis=0)
    total = ((values - grand) ** 2).sum(axis=0)
    between = np.zeros(values.shape[1])
    for label in np.unique(labels):
        group = values[labels == label]
        between += len(group) * (group.mean(axis=0) - grand) ** 2
    return between / total


def mantel(a: np.ndarray, b: np.ndarray, permutations: int = 9999, seed: int = 0) -> tuple[float, float]:
    """Pearson correlation between two square distance matrices and its one-sided permutation p-value.

    The p-value is the share of joint row/column permutations of ``b`` whose correlation with ``a`` is at least the
    observed one, counting the observed arrangement itself: (1 + hits) / (1 + permutations).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.shape[0] != a.shape[1]:
        raise ValueError("mantel needs two square matrices of the same shape")
    x = squareform(a, checks=False)
    observed = np.corrcoef(x, squareform(b, checks=False))[0, 1]
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(permutations):
        order = rng.permutation(a.shape[0])
        if np.corrcoef(x, squareform(b[np.ix_(order, order)], checks=False))[0, 1] >= observed:
            hits += 1
    return float(observed), (hits + 1) / (permutations + 1)

"""Statistics shared by the chapters: confidence intervals (Student t, Wilson, bootstrap, mean bands), the Mantel
test, the correlation ratio (eta squared), Kendall's tau between two orders, and sample skewness."""

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


def t_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` and its Student-t ``level`` interval: (mean, low, high). One value gives (v, nan, nan)."""
    from scipy import stats as st

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = float(st.t.ppf(0.5 + level / 2, df=len(values) - 1) * st.sem(values))
    return mean, mean - half, mean + half


def mean_band(rows: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise mean of ``rows`` with its Student-t ``level`` interval: (mean, low, high) arrays."""
    from scipy import stats as st

    rows = np.asarray(rows, dtype=float)
    mean = rows.mean(axis=0)
    half = st.t.ppf(0.5 + level / 2, df=max(1, rows.shape[0] - 1)) * st.sem(rows, axis=0)
    return mean, mean - half, mean + half


def wilson_interval(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion observed in ``n`` trials."""
    if n == 0:
        return float("nan"), float("nan")
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def bootstrap_interval(values, statistic=np.mean, level: float = 0.95, n_boot: int = 2000, seed: int = 0):
    """Percentile bootstrap interval of ``statistic`` over the rows of ``values``: (estimate, low, high)."""
    values = np.asarray(values)
    rng = np.random.default_rng(seed)
    estimate = float(statistic(values))
    if len(values) < 2:
        return estimate, float("nan"), float("nan")
    draws = np.array([statistic(values[rng.integers(0, len(values), len(values))]) for _ in range(n_boot)])
    low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return estimate, float(low), float(high)


def kendall_tau(paper_order, our_order) -> float:
    """Kendall's tau-b between two orders of the same labels (best first); labels missing from either are dropped."""
    from scipy.stats import kendalltau

    common = [label for label in paper_order if label in list(our_order)]
    if len(common) < 2:
        return float("nan")
    ours = list(our_order)
    return float(kendalltau(range(len(common)), [ours.index(label) for label in common]).statistic)


def skewness(values) -> float:
    """Sample skewness (Fisher-Pearson, bias-corrected, as scipy's ``skew(bias=False)``)."""
    from scipy.stats import skew

    return float(skew(np.asarray(values, dtype=float), bias=False))


def random_effects(estimates, intervals, level: float = 0.95) -> tuple[float, float, float, float]:
    """DerSimonian-Laird random-effects combination of independent estimates, each with its own ``level`` interval
    (symmetric, normal-based: standard error = width / (2 z)): (mean, low, high, tau2).

    Each seed of the book is one study: its estimate comes with an interval over its users or sessions (the
    within-seed evidence), and seeds differ by more than that when training moves the model (the between-seed
    variance ``tau2``, estimated from Cochran's Q). Weights are ``1 / (se_i**2 + tau2)``; the interval is the
    combined mean ± z times its standard error. With identical estimates it is the inverse-variance (fixed-effect)
    combination; with one estimate, that estimate's own interval.
    """
    from scipy import stats as st

    y = np.asarray(estimates, dtype=float)
    bands = np.asarray(intervals, dtype=float).reshape(len(y), 2)
    z = float(st.norm.ppf(0.5 + level / 2))
    se = (bands[:, 1] - bands[:, 0]) / (2 * z)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se))):
        return float("nan"), float("nan"), float("nan"), float("nan")
    se = np.maximum(se, 1e-12 * np.maximum(1.0, np.abs(y)))  # a zero-width interval: a near-exact value
    w = 1.0 / se**2
    fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - fixed) ** 2))
    denominator = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (len(y) - 1)) / denominator) if len(y) > 1 and denominator > 0 else 0.0
    w_star = 1.0 / (se**2 + tau2)
    mean = float(np.sum(w_star * y) / np.sum(w_star))
    half = z * float(np.sqrt(1.0 / np.sum(w_star)))
    return mean, mean - half, mean + half, tau2

"""The C-VAE latent space: users encoded under every condition, PCA, and the paper's visual claims as measurements.

``encode_conditions`` gives each user's latent mean under each genre and without condition; ``LatentPCA`` fits PCA
on all those points (as the paper does) and keeps the first five components; the helpers below turn the paper's
sentences about the PCA figures into numbers (cluster quality, distances between genre centroids, a Mantel test
against genre co-occurrence, and the profiling axis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
from scipy.spatial.distance import cdist
from scipy.stats import spearmanr
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_samples

from replicate import stats
from replicate.papers.cvae.conditions import Conditions
from replicate.papers.cvae.model import MultVAE

UNCONDITIONED_LABEL = "no condition"


def encode_conditions(model: MultVAE, history: sp.csr_matrix, n_conditions: int, batch: int = 1000) -> np.ndarray:
    """Latent means, shape (n_users, n_conditions + 1, latent); the last slot is the unconditioned encoding.

    The encoder's first layer is linear in [x; c], so the history part W_x x + b is computed once per user and each
    one-hot condition adds its column of W_c: the same numbers as ``model.encode(x, c)`` for every c (up to float
    rounding), at 1 / (C + 1) of the cost of the largest product.
    """
    if n_conditions != model.n_conditions:
        raise ValueError(f"the model has {model.n_conditions} conditions, not {n_conditions}: pass model.n_conditions")
    model.eval()
    n = history.shape[0]
    device = next(model.parameters()).device
    out = np.empty((n, n_conditions + 1, model.latent), dtype=np.float32)
    w_items_t, w_conditions, bias = model.encoder.w_items_t, model.encoder.w_conditions, model.encoder.bias
    with torch.no_grad():
        shifts = torch.cat([w_conditions.T, bias.new_zeros(1, bias.shape[0])])  # (C + 1, hidden)
        for start in range(0, n, batch):
            x = torch.from_numpy(history[start : start + batch].toarray()).to(device)
            base = torch.nn.functional.normalize(x, p=2, dim=1) @ w_items_t + bias
            hidden = torch.tanh(base[:, None, :] + shifts[None, :, :])
            stats_ = model.to_stats(hidden)
            out[start : start + batch] = stats_[..., : model.latent].cpu().numpy()
    return out


def silhouette_values(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Silhouette of each point (Euclidean), by scikit-learn. (A per-cluster-sums version with torch was tried and
    measured slower on 6,000 points in five dimensions: ``benchmarks/bench_cvae.py``.)"""
    return silhouette_samples(np.asarray(points), np.asarray(labels))


@dataclass
class LatentPCA:
    """PCA of all (user, condition) latent points; ``points[u, c]`` are the first components of user u under c."""

    points: np.ndarray
    explained: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def fit(
        cls, latent: np.ndarray, names: tuple[str, ...], components: int = 5, seed: int = 0, drop: tuple[str, ...] = ()
    ) -> "LatentPCA":
        """PCA of all points; conditions named in ``drop`` (e.g. the neutral genre, as the paper does) are left out."""
        keep = [k for k, name in enumerate(names) if name not in drop] + [len(names)]
        latent = latent[:, keep]
        names = tuple(names[k] for k in keep[:-1])
        n_users, n_slots, dim = latent.shape
        pca = PCA(n_components=components, random_state=seed)
        points = pca.fit_transform(latent.reshape(-1, dim)).reshape(n_users, n_slots, components)
        return cls(points, pca.explained_variance_ratio_, tuple(names) + (UNCONDITIONED_LABEL,))

    @property
    def flat(self) -> np.ndarray:
        return self.points.reshape(-1, self.points.shape[-1])

    @property
    def flat_labels(self) -> np.ndarray:
        return np.tile(np.arange(len(self.labels)), self.points.shape[0])

    def centroids(self) -> np.ndarray:
        """(n_conditions + 1, components): the mean point of each condition, unconditioned last."""
        return self.points.mean(axis=0)

    def genre_distances(self) -> np.ndarray:
        """Euclidean distances between the genre centroids (unconditioned excluded)."""
        c = self.centroids()[:-1]
        return cdist(c, c)

    def silhouette(self, sample: int = 6000, seed: int = 0) -> dict[str, float]:
        """Mean silhouette per condition (on a seeded sample of points, Euclidean, in the PCA space)."""
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(self.flat), size=min(sample, len(self.flat)), replace=False)
        values = silhouette_values(self.flat[idx], self.flat_labels[idx])
        labels = self.flat_labels[idx]
        return {name: float(values[labels == k].mean()) for k, name in enumerate(self.labels)} | {
            "all": float(values.mean())
        }

    def eta_squared(self) -> np.ndarray:
        """Per component, the share of variance explained by the condition."""
        return stats.eta_squared(self.flat, self.flat_labels)


def cooccurrence_distance(conditions: Conditions, names: tuple[str, ...] | None = None) -> np.ndarray:
    """1 - Jaccard similarity between the item sets of two genres (movies listing both / movies listing either),
    for ``names`` (default: every condition) in that order."""
    columns = [conditions.index(n) for n in (names or conditions.names)]
    g = conditions.items[:, columns].astype(bool)
    both = g.T.astype(float) @ g.astype(float)
    either = g.sum(axis=0)[:, None] + g.sum(axis=0)[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(either > 0, both / either, 0.0)
    distance = 1.0 - jaccard
    np.fill_diagonal(distance, 0.0)
    return distance


def taste_distance(history: sp.csr_matrix, conditions: Conditions, names=None) -> np.ndarray:
    """1 − Pearson correlation between genres as columns of the users' share of liked movies per genre (``history``:
    users x items, binary): genres that the same users like lie close. For ``names`` (default: every condition)."""
    columns = [conditions.index(n) for n in (names or conditions.names)]
    counts = np.asarray(history @ conditions.items[:, columns], dtype=float)
    total = counts.sum(axis=1, keepdims=True)
    shares = counts[total[:, 0] > 0] / total[total[:, 0] > 0]
    distance = 1.0 - np.corrcoef(shares.T)
    np.fill_diagonal(distance, 0.0)
    return np.nan_to_num(distance, nan=1.0)


def nearest(distances: np.ndarray, names: tuple[str, ...], name: str, k: int) -> list[str]:
    """The k genres whose centroids are nearest to ``name``'s."""
    i = names.index(name)
    order = [j for j in np.argsort(distances[i], kind="stable") if j != i]
    return [names[j] for j in order[:k]]


def isolation(distances: np.ndarray) -> np.ndarray:
    """Distance from each genre centroid to its nearest other genre centroid."""
    d = distances + np.diag(np.full(len(distances), np.inf))
    return d.min(axis=1)


def centrality(pca: LatentPCA) -> np.ndarray:
    """Distance of each condition's centroid (unconditioned last) from the mean of all genre centroids."""
    c = pca.centroids()
    return np.linalg.norm(c - c[:-1].mean(axis=0), axis=1)


def taste_axis(pca: LatentPCA, light: tuple[str, ...], serious: tuple[str, ...]) -> np.ndarray:
    """Unit vector from the mean centroid of the ``light`` genres to that of the ``serious`` ones."""
    c = pca.centroids()
    index = {name: k for k, name in enumerate(pca.labels)}
    direction = c[[index[g] for g in serious]].mean(axis=0) - c[[index[g] for g in light]].mean(axis=0)
    return direction / np.linalg.norm(direction)


def taste_score(history: sp.csr_matrix, conditions: Conditions, light, serious) -> np.ndarray:
    """Per user: share of her movies in a serious genre minus share in a light genre."""
    g = conditions.items
    is_light = g[:, [conditions.index(x) for x in light]].max(axis=1)
    is_serious = g[:, [conditions.index(x) for x in serious]].max(axis=1)
    n = np.asarray(history.sum(axis=1)).ravel()
    return (history @ is_serious - history @ is_light) / np.maximum(n, 1)


def profiling(pca: LatentPCA, history: sp.csr_matrix, conditions: Conditions, light, serious):
    """Spearman correlation between the unconditioned users' position on the taste axis and their taste score."""
    axis = taste_axis(pca, light, serious)
    position = pca.points[:, -1] @ axis
    score = taste_score(history, conditions, light, serious)
    result = spearmanr(position, score)
    return position, score, float(result.statistic), float(result.pvalue)

"""Density-dependent locality-sensitive hashing (DLSH).

Embeddings are standardised per dimension and projected on ``n_sketches * depth`` Gaussian random directions. Each
hyperplane's bias is a quantile (the median by default) of the projected units, so that every hyperplane splits the
units in two equal halves: buckets follow the density of the data. The ``depth`` bits of a sketch form its bucket
index in ``[0, 2**depth)``. Every hyperplane counts (the public code packs 16 bits and takes a modulo of the width,
which silently discards all but the lowest ``depth`` bits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DLSH:
    mean: np.ndarray
    scale: np.ndarray
    directions: np.ndarray  # (dim, n_sketches * depth)
    biases: np.ndarray  # (n_sketches * depth,)
    n_sketches: int
    depth: int

    @property
    def width(self) -> int:
        return 2**self.depth

    @classmethod
    def fit(cls, embeddings: np.ndarray, n_sketches: int = 10, depth: int = 7, quantile: float = 0.5, seed: int = 0):
        rng = np.random.default_rng(seed)
        mean = embeddings.mean(axis=0)
        scale = embeddings.std(axis=0)
        scale[scale == 0] = 1.0
        directions = rng.normal(size=(embeddings.shape[1], n_sketches * depth))
        projected = ((embeddings - mean) / scale) @ directions
        biases = np.quantile(projected, quantile, axis=0)
        return cls(mean, scale, directions, biases, n_sketches, depth)

    def codes(self, embeddings: np.ndarray) -> np.ndarray:
        """(n_units, n_sketches) bucket indices."""
        projected = ((embeddings - self.mean) / self.scale) @ self.directions
        bits = (projected > self.biases).reshape(len(embeddings), self.n_sketches, self.depth)
        return (bits * (1 << np.arange(self.depth))).sum(axis=2).astype(np.int64)

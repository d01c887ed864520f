"""The paper's toy problems (the authors' ``toy/toy_examples.ipynb``), with the subset that generated each label.

- **four clusters** (problem a): Gaussian clusters (σ = 0.25) at (±1, 0), labelled by the sign of x1, and at
  (0, ±1), labelled by the sign of x2: the label depends on x1 alone in two clusters and on x2 alone in the others;
- **XOR**: clusters at (±d, ±d), label 1 where x1·x2 < 0: both coordinates are needed;
- **mixture** (problem b): half four clusters (d = 1), half XOR (d = 2);
- **4-D**: half four clusters in (x1, x2) with x3 = x4 = 0, half XOR (d = 1) in (x3, x4) with x1 = x2 = 0; the
  experts are {x1}, {x2} and {x3, x4}.

Each generator returns (X, y, source): y in {0, 1}, source the index of the generating subset in the problem's
:class:`~replicate.papers.skip.moe.Subsets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from replicate.errors import ParameterError
from replicate.papers.skip.moe import Subsets

NOISE = 0.25
NOTEBOOK_EPOCHS, NOTEBOOK_EPOCH_STEPS = 30, 500  # the authors' toy notebook: 30 epochs of 500 steps (15,000 steps)


def four_clusters(n: int, rng: np.random.Generator, dist: float = 1.0, noise: float = NOISE):
    """Sources: 0 = {x1} (clusters on the x1 axis), 1 = {x2}."""
    cluster = rng.integers(0, 4, n)  # 0: (-d, 0), 1: (d, 0), 2: (0, d), 3: (0, -d)
    centres = np.array([[-dist, 0], [dist, 0], [0, dist], [0, -dist]])
    X = centres[cluster] + rng.normal(0, noise, (n, 2))
    y = np.isin(cluster, [1, 2]).astype(np.float32)
    return X.astype(np.float32), y, np.where(cluster < 2, 0, 1)


def xor(n: int, rng: np.random.Generator, dist: float = 1.0, noise: float = NOISE, source: int = 2):
    """Source: ``source`` (the subset {x1, x2})."""
    signs = rng.choice([-1.0, 1.0], size=(n, 2))
    X = signs * dist + rng.normal(0, noise, (n, 2))
    y = (signs[:, 0] * signs[:, 1] < 0).astype(np.float32)
    return X.astype(np.float32), y, np.full(n, source)


def mixture(n: int, rng: np.random.Generator, noise: float = NOISE):
    """Four clusters at distance 1 (sources 0, 1) and XOR at distance 2 (source 2), half each."""
    a = four_clusters(n // 2, rng, 1.0, noise)
    b = xor(n - n // 2, rng, 2.0, noise)
    return tuple(np.concatenate(pair) for pair in zip(a, b))


def four_d(n: int, rng: np.random.Generator, noise: float = NOISE):
    """Four clusters in (x1, x2) (sources 0, 1), XOR in (x3, x4) (source 2)."""
    Xa, ya, sa = four_clusters(n // 2, rng, 1.0, noise)
    Xb, yb, sb = xor(n - n // 2, rng, 1.0, noise)
    X = np.zeros((n, 4), np.float32)
    X[: n // 2, :2], X[n // 2 :, 2:] = Xa, Xb
    return X, np.concatenate([ya, yb]), np.concatenate([sa, sb])


@dataclass(frozen=True)
class Toy:
    name: str
    generate: Callable
    subsets: Subsets
    group_sizes: tuple[int, ...]
    hidden: int  # units per expert layer in the authors' notebook

    def sample(self, n: int, rng: np.random.Generator):
        return self.generate(n, rng)


TWO_D = Subsets.of(("x1", "x2"), [("x1",), ("x2",), ("x1", "x2")])
FOUR_D = Subsets.of(("x1", "x2", "x3", "x4"), [("x1",), ("x2",), ("x3", "x4")])
TOYS = {
    "four clusters": Toy("four clusters", four_clusters, TWO_D, (1, 1), 8),
    "XOR": Toy("XOR", xor, TWO_D, (1, 1), 16),
    "mixture": Toy("mixture", mixture, TWO_D, (1, 1), 16),
    "4-D": Toy("4-D", four_d, FOUR_D, (1, 1, 1, 1), 16),
}


def toy(name: str) -> Toy:
    if name not in TOYS:
        raise ParameterError(f"unknown toy problem {name!r}: valid names are {', '.join(TOYS)}")
    return TOYS[name]

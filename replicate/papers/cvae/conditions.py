"""Genre conditions and the conditioned training examples of C-VAE.

Each training user appears once unconditioned and once per genre she watched; the target of a conditioned example
keeps only her items of that genre (the others are zeroed). Examples are (user, condition) index pairs, so an epoch
never materialises the replicated data: a batch is built from the sparse history matrix when it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from replicate.data.types import Dataset

NO_GENRE = "(no genre)"
UNCONDITIONED = -1


@dataclass(frozen=True)
class Conditions:
    """``names[c]`` is condition c; ``items[i, c] = 1`` when item i (a column of the split) satisfies it."""

    names: tuple[str, ...]
    items: np.ndarray

    @property
    def n(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)


def genre_conditions(dataset: Dataset, items: np.ndarray) -> Conditions:
    """One condition per genre of the given items (dataset indices); items without a genre get ``(no genre)``."""
    genres = dataset.items["genres"].to_numpy()[items]
    names = sorted({g for gs in genres for g in gs})
    if any(len(gs) == 0 for gs in genres):
        names.append(NO_GENRE)
    column = {g: j for j, g in enumerate(names)}
    matrix = np.zeros((len(items), len(names)), dtype=np.float32)
    for i, gs in enumerate(genres):
        for g in gs or (NO_GENRE,):
            matrix[i, column[g]] = 1.0
    return Conditions(tuple(names), matrix)


def conditioned_examples(history: sp.csr_matrix, conditions: Conditions, unconditioned: bool = True):
    """(users, conditions) of the training examples, ``UNCONDITIONED`` (-1) for the plain ones.

    A user gets one example per condition that at least one of her items satisfies (so no target is empty), plus one
    unconditioned example when ``unconditioned``. Users with an empty history get none.
    """
    per_condition = np.asarray((history @ conditions.items) > 0)
    users, conds = np.nonzero(per_condition)
    if unconditioned:
        active = np.flatnonzero(np.asarray(history.sum(axis=1)).ravel() > 0)
        users = np.concatenate([active, users])
        conds = np.concatenate([np.full(len(active), UNCONDITIONED), conds])
    order = np.lexsort((conds, users))
    return users[order].astype(np.int64), conds[order].astype(np.int64)


def one_hot(conds: np.ndarray, n: int) -> np.ndarray:
    """Rows of the condition input; all zeros for ``UNCONDITIONED``."""
    out = np.zeros((len(conds), n), dtype=np.float32)
    rows = np.flatnonzero(conds >= 0)
    out[rows, conds[rows]] = 1.0
    return out


def targets(history_rows: np.ndarray, conds: np.ndarray, conditions: Conditions) -> np.ndarray:
    """The history rows masked to the items that satisfy each example's condition (unconditioned rows unchanged)."""
    mask = np.ones_like(history_rows)
    rows = np.flatnonzero(conds >= 0)
    mask[rows] = conditions.items[:, conds[rows]].T
    return history_rows * mask


def genre_counts(conditions: Conditions) -> pd.Series:
    """Movies of each condition in the catalogue, most common first (ties by name)."""
    counts = pd.Series(conditions.items.sum(axis=0).astype(int), index=list(conditions.names), name="movies")
    return counts.sort_index().sort_values(ascending=False, kind="stable")


def cogenres(conditions: Conditions, genre: str) -> pd.Series:
    """For the movies of ``genre`` (e.g. IMAX, a camera rather than a genre), how many also list each other genre,
    most common first; genres that never co-occur are kept, with 0."""
    mask = conditions.items[:, conditions.index(genre)] > 0
    counts = pd.Series(conditions.items[mask].sum(axis=0).astype(int), index=list(conditions.names), name=genre)
    return counts.drop(genre).sort_index().sort_values(ascending=False, kind="stable")

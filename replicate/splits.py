"""Data splits shared by the chapters.

``strong_generalization``: the protocol of Liang et al. (2018, Mult-VAE) that the C-VAE paper follows. Ratings at or
above a threshold become implicit positives; users with fewer than ``min_user`` positives are dropped; a random set
of users is held out for validation and another for testing; the item catalogue is the set of items the training users
interacted with; each held-out user's history is split at random into a fold-in part (given to the model, 80 %) and a
held-out part (to be predicted, 20 %). The authors' preprocessing code breaks on pandas >= 1.1; this one is written
for current pandas and numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from replicate.data.types import Dataset


@dataclass(frozen=True)
class StrongSplit:
    """Binary user x item matrices over the training catalogue ``items`` (dataset item indices)."""

    items: np.ndarray
    train: sp.csr_matrix
    train_users: np.ndarray
    valid_in: sp.csr_matrix
    valid_out: sp.csr_matrix
    valid_users: np.ndarray
    test_in: sp.csr_matrix
    test_out: sp.csr_matrix
    test_users: np.ndarray

    @property
    def n_items(self) -> int:
        return len(self.items)

    def summary(self) -> dict:
        return {
            "items": self.n_items,
            "train users": len(self.train_users),
            "validation users": len(self.valid_users),
            "test users": len(self.test_users),
            "train interactions": int(self.train.nnz),
            "validation fold-in / held-out": f"{self.valid_in.nnz:,} / {self.valid_out.nnz:,}",
            "test fold-in / held-out": f"{self.test_in.nnz:,} / {self.test_out.nnz:,}",
        }


def _matrix(frame: pd.DataFrame, users: np.ndarray, n_items: int) -> sp.csr_matrix:
    row = pd.Series(np.arange(len(users)), index=users).loc[frame["user"]].to_numpy()
    data = np.ones(len(frame), dtype=np.float32)
    return sp.csr_matrix((data, (row, frame["col"].to_numpy())), shape=(len(users), n_items))


def strong_generalization(
    dataset: Dataset,
    n_heldout: int,
    min_rating: float = 4.0,
    min_user: int = 5,
    test_prop: float = 0.2,
    seed: int = 0,
) -> StrongSplit:
    rng = np.random.default_rng(seed)
    positives = dataset.ratings.loc[dataset.ratings["rating"] >= min_rating, ["user", "item"]].drop_duplicates()
    counts = positives.groupby("user").size()
    users = np.sort(counts.index[counts >= min_user].to_numpy())
    if 2 * n_heldout >= len(users):
        raise ValueError(f"{2 * n_heldout} held-out users asked for, but only {len(users)} users qualify")
    shuffled = rng.permutation(users)
    valid_users = np.sort(shuffled[:n_heldout])
    test_users = np.sort(shuffled[n_heldout : 2 * n_heldout])
    train_users = np.sort(shuffled[2 * n_heldout :])
    positives = positives[positives["user"].isin(users)]
    train = positives[positives["user"].isin(train_users)]
    items = np.sort(train["item"].unique())
    column = pd.Series(np.arange(len(items)), index=items)
    positives = positives[positives["item"].isin(items)].assign(col=lambda f: column.loc[f["item"]].to_numpy())

    def fold(heldout_users):
        part = positives[positives["user"].isin(heldout_users)].sort_values(["user", "col"])
        keep_in = np.ones(len(part), dtype=bool)
        for start, size in zip(*np.unique(part["user"].to_numpy(), return_index=True, return_counts=True)[1:]):
            if size >= min_user:
                chosen = rng.choice(size, size=int(test_prop * size), replace=False)
                keep_in[start + chosen] = False
        return _matrix(part[keep_in], heldout_users, len(items)), _matrix(part[~keep_in], heldout_users, len(items))

    valid_in, valid_out = fold(valid_users)
    test_in, test_out = fold(test_users)
    train_matrix = _matrix(positives[positives["user"].isin(train_users)], train_users, len(items))
    return StrongSplit(
        items, train_matrix, train_users, valid_in, valid_out, valid_users, test_in, test_out, test_users
    )


@dataclass(frozen=True)
class UserSplit:
    """A per-user split of every user's positives into train / validation / test, as binary (users x items) matrices.

    ``users`` and ``items`` are the dataset indices of the rows and columns.
    """

    users: np.ndarray
    items: np.ndarray
    train: sp.csr_matrix
    valid: sp.csr_matrix
    test: sp.csr_matrix

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def summary(self) -> dict:
        return {
            "users": self.n_users,
            "items": self.n_items,
            "train / validation / test positives": f"{self.train.nnz:,} / {self.valid.nnz:,} / {self.test.nnz:,}",
        }


def per_user_split(
    dataset: Dataset,
    min_rating: float = 3.0,
    fractions: tuple[float, float] = (0.6, 0.2),
    min_items: int = 5,
    seed: int = 0,
    n_users: int | None = None,
) -> UserSplit:
    """The protocol of Collaborative Metric Learning (Hsieh et al. 2017), which RecoNet's Table 1 follows.

    Ratings ``>= min_rating`` are positives (the rest is "unknown"); users with fewer than ``min_items`` positives are
    dropped; each remaining user's positives are shuffled and cut into ``round(0.6 n)`` training,
    ``round(0.2 n)`` validation and the rest test items. Every user is in all three parts, so each test user has a
    training history (the cold-start experiment removes it on purpose). Items are every item with a positive.
    ``n_users`` keeps a random subset of the qualifying users (for small runs).
    """
    rng = np.random.default_rng(seed)
    positives = dataset.ratings.loc[dataset.ratings["rating"] >= min_rating, ["user", "item"]].drop_duplicates()
    counts = positives.groupby("user").size()
    users = np.sort(counts.index[counts >= min_items].to_numpy())
    if n_users is not None and n_users < len(users):
        users = np.sort(rng.choice(users, size=n_users, replace=False))
    positives = positives[positives["user"].isin(users)].sort_values(["user", "item"])
    items = np.sort(positives["item"].unique())
    rows = np.searchsorted(users, positives["user"].to_numpy())
    cols = np.searchsorted(items, positives["item"].to_numpy())
    part = np.empty(len(rows), dtype=np.int8)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    for start, end in zip(starts, np.r_[starts[1:], len(rows)]):
        n = end - start
        n_train, n_valid = int(round(fractions[0] * n)), int(round(fractions[1] * n))
        labels = np.r_[np.zeros(n_train), np.ones(n_valid), np.full(n - n_train - n_valid, 2)].astype(np.int8)
        part[start:end] = labels[rng.permutation(n)]

    def matrix(which: int) -> sp.csr_matrix:
        keep = part == which
        data = np.ones(int(keep.sum()), dtype=np.float32)
        return sp.csr_matrix((data, (rows[keep], cols[keep])), shape=(len(users), len(items)))

    return UserSplit(users, items, matrix(0), matrix(1), matrix(2))

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
    return StrongSplit(items, train_matrix, train_users, valid_in, valid_out, valid_users, test_in, test_out, test_users)

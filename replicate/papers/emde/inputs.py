"""EMDE's inputs: a batch of users' liked and disliked input movies, how they are built from a split, and the
interaction graph the movie embedding is fitted on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from replicate import metrics
from replicate.data.types import Dataset
from replicate.splits import StrongSplit


@dataclass
class Inputs:
    """A batch of users' input movies: ``liked`` and ``disliked`` are (n_users, n_items) binary matrices."""

    liked: sp.csr_matrix
    disliked: sp.csr_matrix

    def without(self, user_item: np.ndarray) -> "Inputs":
        """The same users with one liked movie each removed (``user_item[b]`` for user b)."""
        liked = self.liked.tolil(copy=True)
        for b, item in enumerate(user_item):
            liked[b, item] = 0
        return Inputs(liked.tocsr(), self.disliked)


def _decayed(matrix: sp.csr_matrix, users: np.ndarray, dataset: Dataset, decay: float) -> sp.csr_matrix:
    """Weight each (user, movie) by ``decay ** k``, k = how many of the user's entries in ``matrix`` are more recent."""
    coo = matrix.tocoo()
    stamps = dataset.ratings.drop_duplicates(["user", "item"]).set_index(["user", "item"])["timestamp"]
    when = stamps.reindex(pd.MultiIndex.from_arrays([users[coo.row], coo.col])).to_numpy()
    frame = pd.DataFrame({"row": coo.row, "when": when})
    recency = frame.groupby("row")["when"].rank(method="first", ascending=False).to_numpy() - 1
    return sp.csr_matrix(((decay**recency).astype(np.float32), (coo.row, coo.col)), shape=matrix.shape)


def user_inputs(
    dataset: Dataset,
    users: np.ndarray,
    liked_in_catalogue: sp.csr_matrix,
    catalogue: np.ndarray,
    min_rating: float = 4.0,
    decay: float | None = None,
) -> Inputs:
    """Inputs of some users: their liked movies given as (n_users, n_catalogue) fold-in rows, and all their disliked
    movies (ratings below ``min_rating``) from the dataset. With ``decay`` (e.g. 0.9), older movies weigh less in the
    sketches: the k-th most recent counts ``decay ** k``."""
    n = dataset.n_items
    liked = sp.csr_matrix(liked_in_catalogue, dtype=np.float32)
    coo = liked.tocoo()
    liked = sp.csr_matrix((coo.data, (coo.row, catalogue[coo.col])), shape=(len(users), n))
    r = dataset.ratings[dataset.ratings["user"].isin(users) & (dataset.ratings["rating"] < min_rating)]
    row = pd.Series(np.arange(len(users)), index=users).loc[r["user"]].to_numpy()
    disliked = sp.csr_matrix((np.ones(len(r), np.float32), (row, r["item"].to_numpy())), shape=(len(users), n))
    disliked.data[:] = 1.0
    if decay is not None:
        liked, disliked = _decayed(liked, users, dataset, decay), _decayed(disliked, users, dataset, decay)
    return Inputs(liked, disliked)


def fold_in_catalogue(inputs: Inputs, catalogue: np.ndarray) -> sp.csr_matrix:
    """The users' liked input movies as a binary (n_users, n_catalogue) matrix: the baselines' input."""
    liked = sp.csr_matrix(inputs.liked[:, catalogue])
    liked.data[:] = 1.0
    return liked


def mask_seen(scores: np.ndarray, inputs: Inputs, catalogue: np.ndarray) -> np.ndarray:
    """Scores with every input movie (liked or disliked) set to -inf, the same exclusion for every model."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    return metrics.exclude(scores, (inputs.liked + inputs.disliked)[:, catalogue])


def split_inputs(dataset: Dataset, split: StrongSplit, part: str, decay: float | None = None):
    """(users, inputs, held-out) of the ``valid`` or ``test`` users of a strong-generalisation split."""
    users = getattr(split, f"{part}_users")
    inputs = user_inputs(dataset, users, getattr(split, f"{part}_in"), split.items, decay=decay)
    return users, inputs, getattr(split, f"{part}_out")


def interaction_graph(ratings: pd.DataFrame, n_items: int, n_users: int) -> sp.csr_matrix:
    """(n_items, n_users) binary graph of who rated what, the input of the movie embedding."""
    graph = sp.csr_matrix(
        (np.ones(len(ratings), np.float32), (ratings["item"].to_numpy(), ratings["user"].to_numpy())),
        shape=(n_items, n_users),
    )
    graph.data[:] = 1.0
    return graph


def stack_inputs(*parts: Inputs) -> Inputs:
    return Inputs(sp.vstack([p.liked for p in parts]).tocsr(), sp.vstack([p.disliked for p in parts]).tocsr())


def select(inputs: Inputs, rows) -> Inputs:
    return Inputs(inputs.liked[rows], inputs.disliked[rows])

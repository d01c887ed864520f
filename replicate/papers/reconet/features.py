"""RecoNet's input: the feature space and the training-example generator of section 4.2.

Feature layout (columns of every profile matrix): the items first (so that feature ``j < n_items`` *is* output class
``j``), then the user attributes (gender, age group, occupation), then the item attributes (genres, and optionally the
decade of release). A user's profile is FS_u = V(u) ∪ Φ^U(u) ∪ Φ^V(V(u)) as a 0/1 row: an item attribute is on when
any of her training items has it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from replicate.data.types import Dataset
from replicate.errors import ParameterError
from replicate.sparse import binarise
from replicate.splits import UserSplit


# --- features ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeatureSpace:
    """Global feature columns: ``labels`` and ``kinds`` per column; ``user_attrs`` (n_users x F) and ``item_attrs``
    (n_items x F) hold each user's and each item's attribute columns (zero blocks when attributes are off)."""

    n_items: int
    labels: np.ndarray
    kinds: np.ndarray
    user_attrs: sp.csr_matrix
    item_attrs: sp.csr_matrix

    @property
    def n_features(self) -> int:
        return len(self.labels)

    @property
    def attributes(self) -> bool:
        return self.n_features > self.n_items

    def columns(self, *kinds: str) -> np.ndarray:
        return np.flatnonzero(np.isin(self.kinds, kinds))

    def compact_user_attrs(self) -> sp.csr_matrix | None:
        """Only the user-attribute columns (for the baselines), or ``None`` without attributes."""
        cols = self.columns("gender", "age", "occupation")
        return self.user_attrs[:, cols].tocsr() if len(cols) else None

    def compact_item_attrs(self) -> sp.csr_matrix | None:
        cols = self.columns("genre", "decade")
        return self.item_attrs[:, cols].tocsr() if len(cols) else None

    def profiles(self, history: sp.csr_matrix, rows: np.ndarray | None = None) -> sp.csr_matrix:
        """0/1 profile rows FS_u from a (users x items) history; ``rows`` selects users (default all)."""
        if rows is not None:
            history = history[rows]
        items = sp.hstack([history, sp.csr_matrix((history.shape[0], self.n_features - self.n_items))]).tocsr()
        if not self.attributes:
            return binarise(items)
        users = self.user_attrs if rows is None else self.user_attrs[rows]
        return binarise(items + users + history @ self.item_attrs)


def feature_space(dataset: Dataset, split: UserSplit, attributes: bool = True, decades: bool = False) -> FeatureSpace:
    """Items of ``split`` as features, plus (``attributes``) gender, age group, occupation and genres, plus
    (``decades``) the decade of release as one more item attribute."""
    items = dataset.items.loc[split.items]
    labels = [f"{t}" for t in items["title"]]
    kinds = ["movie"] * len(labels)
    n_items = len(labels)
    user_blocks, item_blocks = [], []
    if attributes:
        users = dataset.users.loc[split.users]
        for kind, column, prefix in (
            ("gender", "gender", ""),
            ("age", "age_group", "age "),
            ("occupation", "occupation", ""),
        ):
            values = users[column].astype("string").fillna("unknown")
            categories = sorted(values.unique())
            index = pd.Series(np.arange(len(categories)), index=categories)
            start = len(labels)
            labels += [
                f"{prefix}{c}" if kind != "gender" else {"M": "male", "F": "female"}.get(c, c) for c in categories
            ]
            kinds += [kind] * len(categories)
            user_blocks.append((start + index.loc[values].to_numpy()))
        genre_lists = items["genres"].tolist()
        genres = sorted({g for gs in genre_lists for g in gs})
        start = len(labels)
        labels += genres
        kinds += ["genre"] * len(genres)
        position = {g: start + i for i, g in enumerate(genres)}
        item_blocks.append([[position[g] for g in gs] for gs in genre_lists])
        if decades:
            decade = (items["year"].astype("Float64") // 10 * 10).astype("Int64")
            names = sorted(decade.dropna().unique())
            start = len(labels)
            labels += [f"{d}s" for d in names]
            kinds += ["decade"] * len(names)
            position = {d: start + i for i, d in enumerate(names)}
            item_blocks.append([[position[d]] if pd.notna(d) else [] for d in decade])
    n_features = len(labels)
    rows = np.repeat(np.arange(len(split.users)), len(user_blocks)) if user_blocks else np.zeros(0, int)
    cols = np.stack(user_blocks, axis=1).ravel() if user_blocks else np.zeros(0, int)
    user_attrs = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(split.users), n_features))
    item_rows, item_cols = [], []
    for block in item_blocks:
        for item, columns in enumerate(block):
            item_rows += [item] * len(columns)
            item_cols += columns
    item_attrs = sp.csr_matrix(
        (np.ones(len(item_rows), np.float32), (item_rows, item_cols)), shape=(n_items, n_features)
    )
    return FeatureSpace(n_items, np.array(labels, dtype=object), np.array(kinds), user_attrs, item_attrs)


# --- the training-example generator of section 4.2 -----------------------------------------------------------------
def extra_removals(rng: np.random.Generator, n: int, beta: float, limit=None) -> np.ndarray:
    """How many features are removed besides the label, for ``n`` examples (at most ``limit`` each, an int or an
    array: what is left to remove; required when ``beta`` is 0, where removal never stops by chance).

    The label is always removed (rank r = 0). Given that r features are already removed, one more is removed with
    probability ``1 / (r + 1)^β``, so the feature of rank r is removed with probability ``1 / ((r + 1)!)^β``.
    """
    if beta <= 0 and limit is None:
        raise ParameterError("beta must be > 0 unless a limit is given: with beta = 0 every feature is removed")
    limit = np.broadcast_to(np.iinfo(np.int64).max if limit is None else np.asarray(limit), (n,))
    count = np.zeros(n, dtype=np.int64)
    active = count < limit
    removed = 1
    while active.any():
        active &= rng.random(n) < (removed + 1.0) ** -beta
        count += active
        active &= count < limit
        removed += 1
    return count


def distinct_positions(rng: np.random.Generator, n: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i, ``k[i]`` distinct positions drawn uniformly from ``range(n[i])`` (``k[i] <= n[i]``), as the pairs
    ``(i, position)`` of every pick.

    Draws one position at a time for all rows at once and draws again where it repeats an earlier pick: a uniform
    subset, at a cost that grows with the largest ``k`` (a few: removals become rare fast), not with ``n``, unlike
    ranking a random key per feature (a sort of the whole batch, most of an epoch's example generation)."""
    n, k = np.asarray(n, dtype=np.int64), np.asarray(k, dtype=np.int64)
    if (k > n).any():
        raise ValueError("cannot pick more distinct positions than there are")
    picks = np.full((len(n), int(k.max(initial=0))), -1, dtype=np.int64)
    for j in range(picks.shape[1]):
        todo = np.flatnonzero(k > j)
        while len(todo):
            drawn = rng.integers(0, n[todo])
            repeat = (picks[todo, :j] == drawn[:, None]).any(axis=1)
            picks[todo[~repeat], j] = drawn[~repeat]
            todo = todo[repeat]
    which, column = np.nonzero(picks >= 0)
    return which, picks[which, column]


def removal_probability(rank: np.ndarray | int, beta: float) -> np.ndarray:
    """P(the feature of rank r is removed) = 1 / ((r + 1)!)^β (rank 0 is the label: probability 1)."""
    from scipy.special import gammaln

    return np.exp(-beta * gammaln(np.asarray(rank, dtype=float) + 2.0))


class ExampleGenerator:
    """Training examples from users' histories: one item always removed as the label; further features (items and
    attributes alike) removed with diminishing probability. The label item's own attributes leave the input unless
    another remaining item carries them, so that a training input looks like a test input; a further removed item
    keeps its attributes (the paper removes features independently, and an attribute may be removed on its own).
    The paper does not say whether the label's attributes leave the input: ``drop_label_attributes=False`` keeps them
    (the chapter's ablation)."""

    def __init__(self, space: FeatureSpace, history: sp.csr_matrix, beta: float, drop_label_attributes: bool = True):
        self.space, self.history, self.beta = space, history.tocsr(), beta
        self.drop_label_attributes = drop_label_attributes
        self.profiles = space.profiles(self.history)
        self.attr_cols = space.columns("genre", "decade")
        self.attr_counts = (self.history @ space.item_attrs)[:, self.attr_cols].tocsr() if len(self.attr_cols) else None
        self.label_attrs = space.item_attrs[:, self.attr_cols].toarray()  # (n_items, attributes): what a label carries
        self.attr_position = np.full(space.n_features, -1, dtype=np.int64)  # column -> its index among attr_cols
        self.attr_position[self.attr_cols] = np.arange(len(self.attr_cols))
        self.pairs = np.stack(self.history.nonzero(), axis=1).astype(np.int64)  # (user row, item) per positive

    def sparse_batch(self, rng: np.random.Generator, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Examples for ``pairs`` (user row, label item) as bags of present features: ``(columns, offsets, labels)``,
        example b's input being ``columns[offsets[b]:offsets[b + 1]]`` (what :meth:`RecoNet.pool_bags` takes).

        Vectorised over the batch: the label (and, with ``drop_label_attributes``, its attributes no other item
        carries) leaves each row; then ``extra_removals`` many of the remaining features, chosen uniformly without
        replacement (:func:`distinct_positions`)."""
        rows, labels = pairs[:, 0], pairs[:, 1]
        block = self.profiles[rows]
        owner = np.repeat(np.arange(len(rows)), np.diff(block.indptr))
        cols = block.indices.astype(np.int64)
        keep = cols != labels[owner]
        if self.attr_counts is not None and self.drop_label_attributes:
            remaining = self.attr_counts[rows].toarray() - self.label_attrs[labels]
            at = self.attr_position[cols]
            is_attr = at >= 0
            keep[is_attr] &= remaining[owner[is_attr], at[is_attr]] > 0
        owner, cols = owner[keep], cols[keep]
        present = np.bincount(owner, minlength=len(rows))
        extra = extra_removals(rng, len(rows), self.beta, limit=np.maximum(present - 1, 0))  # keep at least one
        starts = np.concatenate([[0], np.cumsum(present)[:-1]])
        chosen = np.flatnonzero(extra)
        which, position = distinct_positions(rng, present[chosen], extra[chosen])
        keep = np.ones(len(cols), dtype=bool)
        keep[starts[chosen[which]] + position] = False
        owner, cols = owner[keep], cols[keep]
        offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(rows)))]).astype(np.int64)
        return cols, offsets, labels

    def batch(self, rng: np.random.Generator, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The examples of :meth:`sparse_batch` as a dense (batch, n_features) 0/1 matrix, and their labels."""
        cols, offsets, labels = self.sparse_batch(rng, pairs)
        inputs = np.zeros((len(labels), self.space.n_features), dtype=np.float32)
        inputs[np.repeat(np.arange(len(labels)), np.diff(offsets)), cols] = 1.0
        return inputs, labels


def shuffled_attributes(space: FeatureSpace, rng: np.random.Generator) -> FeatureSpace:
    """The null of "attributes help": the same space with each user's attributes those of another user and each
    item's attributes those of another item (random permutations of the rows), so that the attributes carry no
    information about whom or what they are attached to."""
    users = rng.permutation(space.user_attrs.shape[0])
    items = rng.permutation(space.item_attrs.shape[0])
    return replace(space, user_attrs=space.user_attrs[users], item_attrs=space.item_attrs[items])

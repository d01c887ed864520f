r"""Neighbourhood baselines on the binary training matrix :math:`R \in \{0,1\}^{n_U \times n_I}`.

**item-2-item** (Turicreate's ``ItemSimilarityRecommender`` with ``similarity_type="cosine"``, which RecoNet used).
Cosine similarity of item columns, self-similarity left out:

.. math::

    \operatorname{sim}(i, j) = \frac{|U(i) \cap U(j)|}{\sqrt{|U(i)|\,|U(j)|}} \quad (i \ne j), \qquad
    s(u, i) = \sum_{j \in V(u)} \operatorname{sim}_k(j, i)

where :math:`U(i)` are the users of item i, :math:`V(u)` the items of user u, and :math:`\operatorname{sim}_k(j, i)`
keeps :math:`\operatorname{sim}(j, i)` only when i is among the ``top_k`` most similar items of j (Turicreate's
``only_top_k``: each item stores its k nearest items; a user's candidates are the stored neighbours of her items),
0 otherwise; ``top_k=None`` keeps all. Turicreate divides the sum by :math:`|V(u)|`, a per-user constant that does not
change the ranking, so it is left out.

**user-2-user**. Cosine similarity of user rows and the k most similar other users :math:`N_k(u)`:

.. math::

    \operatorname{sim}(u, v) = \frac{|V(u) \cap V(v)|}{\sqrt{|V(u)|\,|V(v)|}}, \qquad
    s(u, i) = \sum_{v \in N_k(u)} \operatorname{sim}(u, v)\, R_{vi}

A user with no training row (cold start) has similarity 0 to everyone and gets score 0 for every item. Neither method
uses attributes (RecoNet's Table 1 has no "with attributes" entry for them). Both are closed form: no epochs, no
randomness.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from replicate.baselines.base import Baseline
from replicate.errors import ParameterError

# Turicreate's ItemSimilarityRecommender stores only_top_k=64 neighbours per item by default; the grid brackets that
# default by factors of 4 and adds "keep all".
ITEM2ITEM_GRID: list[dict] = [{"top_k": 16}, {"top_k": 64}, {"top_k": 256}, {"top_k": None}]
# Neighbourhood sizes: cornac's UserKNN default k=20, Herlocker et al. (SIGIR 1999) found 20-50 neighbours best;
# 100 and 200 for a catalogue of thousands of users.
USER2USER_GRID: list[dict] = [{"k": 20}, {"k": 50}, {"k": 100}, {"k": 200}]


def cosine_item_similarity(train: sp.csr_matrix) -> np.ndarray:
    """Dense (n_items, n_items) cosine similarity of the columns of a binary matrix, zero diagonal."""
    co = (train.T @ train).toarray().astype(np.float32)
    norms = np.sqrt(np.diag(co).copy())
    norms[norms == 0] = 1.0
    sim = co / norms[:, None] / norms[None, :]
    np.fill_diagonal(sim, 0.0)
    return sim


def keep_top_k(sim: np.ndarray, k: int | None) -> np.ndarray:
    """``sim`` with all but the k largest entries of each row set to 0 (in place; ``None`` keeps all)."""
    if k is None or k >= sim.shape[1]:
        return sim
    drop = np.argpartition(-sim, k, axis=1)[:, k:]
    np.put_along_axis(sim, drop, 0.0, axis=1)
    return sim


def _check_k(name: str, k, allow_none: bool):
    if k is None and allow_none:
        return None
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ParameterError(f"{name} must be a positive integer{' or None' if allow_none else ''}, got {k!r}")
    return int(k)


class ItemToItem(Baseline):
    """Cosine item-item similarity summed over the user's items (see the module docstring)."""

    name = "item2item"
    DEFAULTS = {"top_k": 64}
    GRID = ITEM2ITEM_GRID

    def _fit(self, train, user_attrs, item_attrs, epochs):
        k = _check_k("top_k", self.params["top_k"], allow_none=True)
        self.train_ = train
        self.similarity_ = keep_top_k(cosine_item_similarity(train), k)

    def _score(self, users):
        return np.asarray(self.train_[users] @ self.similarity_, dtype=np.float32)


class UserToUser(Baseline):
    """Similarity-weighted votes of the k most cosine-similar users (see the module docstring)."""

    name = "user2user"
    DEFAULTS = {"k": 50}
    GRID = USER2USER_GRID
    batch_size = 1024  # users scored at once: a (batch, n_users) dense similarity block

    def _fit(self, train, user_attrs, item_attrs, epochs):
        self.k_ = _check_k("k", self.params["k"], allow_none=False)
        self.train_ = train
        self.train_t_ = train.T.tocsr()
        norms = np.sqrt(np.diff(train.indptr)).astype(np.float32)
        norms[norms == 0] = 1.0
        self.norms_ = norms

    def _score(self, users):
        out = np.empty((len(users), self.n_items), dtype=np.float32)
        for start in range(0, len(users), self.batch_size):
            batch = users[start : start + self.batch_size]
            sim = (self.train_[batch] @ self.train_t_).toarray().astype(np.float32)
            sim /= self.norms_[batch][:, None] * self.norms_[None, :]
            sim[np.arange(len(batch)), batch] = 0.0  # a user is not her own neighbour
            keep_top_k(sim, self.k_)
            out[start : start + len(batch)] = (self.train_t_ @ sim.T).T
        return out

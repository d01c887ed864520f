r"""Item-2-item with Turicreate's three item similarities (cosine, Jaccard, Pearson): the paper "obtained the best
results using cosine similarity" (§5.1). Each is computed on the binary training matrix and scored as Table 1's
item-2-item (:class:`replicate.baselines.neighbours.ItemToItem`: the user's items' similarities summed, each item
keeping its ``top_k`` nearest), at the ``top_k`` Table 1 chose for cosine.

With :math:`c_{ij} = |U(i) \cap U(j)|`, :math:`n_i = |U(i)|` and :math:`n` users:

- cosine :math:`c_{ij} / \sqrt{n_i n_j}`;
- Jaccard :math:`c_{ij} / (n_i + n_j - c_{ij})`;
- Pearson, the correlation of the two binary columns over the users (the phi coefficient),
  :math:`(n c_{ij} - n_i n_j) / \sqrt{n_i (n - n_i) n_j (n - n_j)}`.

A zero denominator gives 0; the diagonal is 0 (an item is not its own neighbour).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from replicate.baselines.neighbours import cosine_item_similarity, keep_top_k
from replicate.errors import ParameterError
from replicate.papers.reconet.claims import SIMILARITIES
from replicate.papers.reconet.train import per_user_recall
from replicate.splits import UserSplit


def _divide(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    out = np.zeros_like(top)
    np.divide(top, bottom, out=out, where=bottom > 0)
    return out


def item_similarity(train: sp.csr_matrix, kind: str) -> np.ndarray:
    """Dense (n_items, n_items) item similarity ``kind`` (one of :data:`SIMILARITIES`) of a binary matrix."""
    if kind not in SIMILARITIES:
        raise ParameterError(f"unknown similarity {kind!r}: valid choices are {', '.join(SIMILARITIES)}")
    train = sp.csr_matrix((train > 0).astype(np.float64))
    if kind == "cosine":
        return cosine_item_similarity(train).astype(np.float64)
    co = (train.T @ train).toarray()
    counts = np.diag(co).copy()
    if kind == "jaccard":
        sim = _divide(co, counts[:, None] + counts[None, :] - co)
    else:
        n = train.shape[0]
        spread = counts * (n - counts)
        sim = _divide(n * co - np.outer(counts, counts), np.sqrt(np.outer(spread, spread)))
    np.fill_diagonal(sim, 0.0)
    return sim


def similarity_users(split: UserSplit, top_k: int | None, kinds=SIMILARITIES) -> dict:
    """Similarity -> test recall@50 per user of item-2-item with that similarity (training and validation items out
    of the ranking, as in Table 1)."""
    known = split.train + split.valid
    out = {}
    for kind in kinds:
        sim = keep_top_k(item_similarity(split.train, kind).astype(np.float32), top_k)
        out[kind] = per_user_recall(np.asarray(split.train @ sim, dtype=np.float32), split.test, known)
    return out

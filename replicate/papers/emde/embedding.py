r"""A Cleora-style embedding of the rows of a bipartite graph.

For a bipartite adjacency ``A`` (rows: the units to embed, e.g. movies; columns: what links them, e.g. users), the
row co-occurrence walk is :math:`M = D_r^{-1} A D_c^{-1} A^\top` (row-stochastic). Starting from random Gaussian
vectors, each iteration computes :math:`E \leftarrow \operatorname{normalize}_{L2}(M E)`, so that units that share
neighbours end up close. Sparse throughout (scipy).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def cleora(adjacency: sp.spmatrix, dim: int = 128, iterations: int = 3, seed: int = 0) -> np.ndarray:
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    row_degree = np.asarray(a.sum(axis=1)).ravel()
    col_degree = np.asarray(a.sum(axis=0)).ravel()
    inv_row = sp.diags(np.divide(1.0, row_degree, out=np.zeros_like(row_degree), where=row_degree > 0))
    inv_col = sp.diags(np.divide(1.0, col_degree, out=np.zeros_like(col_degree), where=col_degree > 0))
    left = inv_row @ a @ inv_col  # rows -> columns
    right = a.T.tocsr()  # columns -> rows
    rng = np.random.default_rng(seed)
    embedding = rng.normal(size=(a.shape[0], dim))
    for _ in range(iterations):
        embedding = left @ (right @ embedding)
        norms = np.linalg.norm(embedding, axis=1, keepdims=True)
        embedding = np.divide(embedding, norms, out=np.zeros_like(embedding), where=norms > 0)
    return embedding.astype(np.float32)

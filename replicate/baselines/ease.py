r"""EASE (Steck, WWW 2019, *Embarrassingly shallow autoencoders for sparse data*): a closed-form item-item model.

.. math::

    P = (X^\top X + \lambda I)^{-1}, \qquad B = I - P \operatorname{diag}(P)^{-1}, \quad B_{ii} = 0,
    \qquad s(u, \cdot) = X_u B

where :math:`X` is the binary training matrix. One hyperparameter, the L2 weight :math:`\lambda`; nothing random.
Users outside the training matrix (strong generalisation) are scored from their fold-in rows with :meth:`fold_in`.
"""

from __future__ import annotations

import numpy as np

from replicate.baselines.base import Baseline
from replicate.errors import ParameterError
from replicate.sparse import require_binary

# Steck's paper tunes λ on the validation users; this grid spans the values it reports for MovieLens (a few hundred).
GRID: list[dict] = [{"l2": l2} for l2 in (50.0, 100.0, 200.0, 500.0, 1000.0)]


def gram(train) -> np.ndarray:
    r""":math:`X^\top X` of a binary training matrix, dense float64 (computed once for a whole grid of λ)."""
    return (train.T @ train).toarray().astype(np.float64)


def weights(gram_matrix: np.ndarray, l2: float) -> np.ndarray:
    r"""EASE's item-item weights from :math:`X^\top X` and λ."""
    g = gram_matrix.copy()
    g[np.diag_indices_from(g)] += l2
    p = np.linalg.inv(g)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    return b


class EASE(Baseline):
    """Closed-form item-item weights with a zero diagonal (Steck 2019)."""

    name = "EASE"
    DEFAULTS: dict = {"l2": 500.0}
    GRID = GRID

    def _fit(self, train, user_attrs, item_attrs, epochs):
        if self.params["l2"] <= 0:
            raise ParameterError(f"EASE needs l2 > 0 (the Gram matrix may be singular), got {self.params['l2']}")
        self.weights_ = weights(gram(train), self.params["l2"])
        self.train_ = train

    def _score(self, users):
        return np.asarray(self.train_[users] @ self.weights_)

    def fold_in(self, rows) -> np.ndarray:
        """Scores (n_rows, n_items) of users given by their binary item rows (users not in the training matrix)."""
        if self.n_users is None:
            raise ParameterError("EASE is not fitted yet: call fit(train) before fold_in(rows)")
        rows = require_binary(rows, "rows")
        if rows.shape[1] != self.n_items:
            raise ParameterError(f"rows has {rows.shape[1]} columns but the model has {self.n_items} items")
        return np.asarray(rows @ self.weights_, dtype=np.float32)

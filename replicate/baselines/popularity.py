r"""Popularity: every user gets the same ranking, by training interaction count (the floor row of the table).

.. math::

    s(u, i) = \sum_{v} R_{vi}

where :math:`R` is the binary training matrix. No hyperparameters, nothing random; a cold-start user gets the same
scores as everyone else.
"""

from __future__ import annotations

import numpy as np

from replicate.baselines.base import Baseline
from replicate.errors import ParameterError

# Popularity has no hyperparameter, so its "grid" is the one empty configuration (tuning it would pick the same
# model four times).
GRID: list[dict] = [{}]


class Popularity(Baseline):
    """Training interaction count per item, the same for every user."""

    name = "popularity"
    DEFAULTS: dict = {}
    GRID = GRID

    def _fit(self, train, user_attrs, item_attrs, epochs):
        self.counts_ = np.asarray(train.sum(axis=0), dtype=np.float32).ravel()

    def _score(self, users):
        return np.broadcast_to(self.counts_, (len(users), self.n_items)).copy()

    def fold_in(self, rows) -> np.ndarray:
        """Scores (n_rows, n_items) of users given by their item rows (users not in the training matrix): the same
        counts for every row."""
        if self.n_users is None:
            raise ParameterError("Popularity is not fitted yet: call fit(train) before fold_in(rows)")
        return np.broadcast_to(self.counts_, (rows.shape[0], self.n_items)).copy()

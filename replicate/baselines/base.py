"""What every baseline shares: hyperparameter handling, input checks and the scoring guard.

A baseline is built with keyword hyperparameters (unknown names are refused), fitted on a binary user x item CSR
matrix with optional binary attribute matrices, and scores every item for a list of users. Subclasses set

- ``DEFAULTS``: every hyperparameter the method takes, with its default value;
- ``GRID``: the configurations the chapter tunes over (each a subset of ``DEFAULTS`` overridden);
- ``DEFAULT_EPOCHS``: the epoch count ``fit`` uses when given ``epochs=None`` (``None`` for closed-form methods);
- ``ATTRIBUTE_SIDES``: which attribute matrices the method can use, ``()``, ``("item",)`` or ``("user", "item")``;
  ``uses_attributes`` is true when it is not empty.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from replicate.errors import ParameterError
from replicate.repro import resolve_device
from replicate.sparse import require_binary


class Baseline:
    """Base class: see the module docstring; subclasses implement ``_fit`` and ``_score``."""

    name: str = "baseline"
    DEFAULTS: dict = {}
    GRID: list[dict] = [{}]
    DEFAULT_EPOCHS: int | None = None
    ATTRIBUTE_SIDES: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.uses_attributes = bool(cls.ATTRIBUTE_SIDES)

    def __init__(self, *, seed: int = 0, device: str = "cpu", **hyperparameters):
        unknown = sorted(set(hyperparameters) - set(self.DEFAULTS))
        if unknown:
            valid = ", ".join(sorted(self.DEFAULTS)) or "none"
            raise ParameterError(
                f"{type(self).__name__} has no hyperparameter {', '.join(map(repr, unknown))}: valid ones are {valid}"
            )
        self.params = {**self.DEFAULTS, **hyperparameters}
        self.seed = int(seed)
        self.device = resolve_device(device)
        self.n_users = self.n_items = None

    def __repr__(self) -> str:
        overrides = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if v != self.DEFAULTS[k])
        return f"{type(self).__name__}({overrides})"

    # ------------------------------------------------------------------ public interface
    def fit(self, train, user_attrs=None, item_attrs=None, epochs: int | None = None):
        """Fit on ``train`` (n_users x n_items, binary); attributes are (n_users x a) and (n_items x b), binary."""
        train = require_binary(train, "train")
        n_users, n_items = train.shape
        user_attrs = self._check_attrs(user_attrs, "user", n_users, "rows of train (users)")
        item_attrs = self._check_attrs(item_attrs, "item", n_items, "columns of train (items)")
        if epochs is None:
            epochs = self.DEFAULT_EPOCHS
        elif self.DEFAULT_EPOCHS is None:
            raise ParameterError(f"{type(self).__name__} is fitted in closed form: call fit(...) without epochs")
        elif isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ParameterError(f"epochs must be a positive integer, got {epochs!r}")
        self.n_users, self.n_items = n_users, n_items
        self._fit(train, user_attrs, item_attrs, None if epochs is None else int(epochs))
        return self

    def score(self, users) -> np.ndarray:
        """Scores of every item for ``users`` (indices into train's rows): (len(users), n_items) float32."""
        if self.n_users is None:
            raise ParameterError(f"{type(self).__name__} is not fitted yet: call fit(train, ...) before score(users)")
        users = np.asarray(users)
        if users.ndim != 1 or not np.issubdtype(users.dtype, np.integer):
            raise ParameterError("users must be a 1-D array of integer user indices (rows of the training matrix)")
        if users.size and (users.min() < 0 or users.max() >= self.n_users):
            raise ParameterError(f"user indices must lie in [0, {self.n_users}): the rows of the training matrix")
        return np.asarray(self._score(users.astype(np.int64)), dtype=np.float32)

    # ------------------------------------------------------------------ helpers
    def _check_attrs(self, attrs, side: str, n_rows: int, what: str):
        if attrs is None:
            return None
        if side not in self.ATTRIBUTE_SIDES:
            takes = " and ".join(self.ATTRIBUTE_SIDES) or "no"
            raise ParameterError(
                f"{type(self).__name__} takes {takes} attributes: pass {side}_attrs=None "
                f"(check the class's ATTRIBUTE_SIDES before passing attributes)"
            )
        attrs = require_binary(attrs, f"{side}_attrs")
        if attrs.shape[0] != n_rows:
            raise ParameterError(
                f"{side}_attrs has {attrs.shape[0]} rows but train has {n_rows} {what}: "
                f"give one row per {side}, in train's order"
            )
        return attrs

    def _fit(self, train: sp.csr_matrix, user_attrs, item_attrs, epochs):
        raise NotImplementedError

    def _score(self, users: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def user_pos_arrays(train: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The (user, item) index pairs of the positives of a CSR matrix, row-major."""
    users = np.repeat(np.arange(train.shape[0]), np.diff(train.indptr))
    return users, train.indices.astype(np.int64)


class NegativeSampler:
    """Items drawn uniformly among each user's non-positives of a CSR matrix.

    Draws uniformly from all items, then redraws the draws that hit a positive until none does (rejection sampling;
    a positive is found by binary search in the sorted (user, item) keys of the matrix).
    """

    def __init__(self, train: sp.csr_matrix, rng: np.random.Generator):
        self.n_items = train.shape[1]
        self.full_rows = np.diff(train.indptr) >= self.n_items
        users, items = user_pos_arrays(train)
        self.keys = np.sort(users * self.n_items + items)
        self.rng = rng

    def __call__(self, users: np.ndarray, n: int) -> np.ndarray:
        """(len(users), n) int64 items, none of them a positive of its row's user."""
        if self.full_rows[users].any():
            raise ParameterError("a user has interacted with every item, so no negative can be sampled: drop that user")
        users = np.broadcast_to(np.asarray(users, dtype=np.int64)[:, None], (len(users), n))
        items = self.rng.integers(0, self.n_items, size=users.shape)
        bad = self._is_positive(users, items)
        while bad.any():
            items[bad] = self.rng.integers(0, self.n_items, size=int(bad.sum()))
            bad[bad] = self._is_positive(users[bad], items[bad])
        return items

    def _is_positive(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        query = users * self.n_items + items
        if len(self.keys) == 0:
            return np.zeros(query.shape, dtype=bool)
        where = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        return self.keys[where] == query

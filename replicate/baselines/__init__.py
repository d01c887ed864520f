"""Baselines of RecoNet's Table 1 (Fusco et al., IJCAI 2019), one file each, with a common interface; EASE
(Steck 2019, used by the EMDE chapter) is here too but not in :data:`METHODS` (Table 1 does not have it).

Interface (every class in :data:`METHODS`)::

    class X:
        uses_attributes: bool               # class attribute: can the method take attributes at all
        ATTRIBUTE_SIDES: tuple[str, ...]    # which ones: (), ("item",) or ("user", "item")
        DEFAULTS: dict                      # every hyperparameter and its default; others are refused
        GRID: list[dict]                    # the configurations the chapter tunes over (sources in each module)
        DEFAULT_EPOCHS: int | None          # what fit(epochs=None) runs; None: closed form, takes no epochs

        def __init__(self, *, seed: int = 0, device: str = "cpu", **hyperparameters): ...
        def fit(self, train: scipy.sparse.csr_matrix,                # (n_users, n_items) binary
                user_attrs: scipy.sparse.csr_matrix | None = None,   # (n_users, n_user_attrs) binary, or None
                item_attrs: scipy.sparse.csr_matrix | None = None,   # (n_items, n_item_attrs) binary, or None
                epochs: int | None = None) -> "X": ...
        def score(self, users: np.ndarray) -> np.ndarray: ...        # (len(users), n_items) float32, higher = better

``score`` does not mask the user's training items: the caller does. Cold-start users are users whose training row
is all zeros; each module says what it does for them. Passing attributes a method cannot use, attributes with the
wrong number of rows, a non-binary matrix or an unknown hyperparameter raises :class:`replicate.errors.ParameterError`
naming the fix. The same seed gives the same scores twice on CPU (every method draws from its own
``numpy.random.Generator`` and ``torch.Generator`` seeded from ``seed``, never from the global ones).

Default epochs: FM 5, OCuLaR 30 (each one projected gradient step on all users, then all items), CML 5; popularity
and the neighbourhood methods are closed form. One fit on a 60 % per-user split of ML-1M (ratings >= 3: 499,442
positives, 6,040 x 3,883 item ids), 2-core machine shared with other jobs: popularity < 0.1 s, item-2-item 0.6 s,
user-2-user 0.0 s (+ 2.4 s to score all users), FM 9 s (17 s with attributes), OCuLaR 11 s, CML 24 s (26 s with the
item-attribute MLP). The iterative fits train on one torch thread and restore the caller's setting afterwards
(:func:`replicate.repro.torch_threads` says why), so their results do not depend on the thread count.
"""

from __future__ import annotations

from replicate.baselines.base import Baseline
from replicate.baselines.cml import CML
from replicate.baselines.ease import EASE
from replicate.baselines.fm import FactorizationMachine
from replicate.baselines.neighbours import ItemToItem, UserToUser
from replicate.baselines.ocular import OCuLaR
from replicate.baselines.popularity import Popularity

METHODS: dict[str, type[Baseline]] = {
    "popularity": Popularity,
    "item2item": ItemToItem,
    "user2user": UserToUser,
    "fm": FactorizationMachine,
    "ocular": OCuLaR,
    "cml": CML,
}
GRIDS: dict[str, list[dict]] = {name: cls.GRID for name, cls in METHODS.items()}

__all__ = [
    "CML",
    "EASE",
    "GRIDS",
    "METHODS",
    "Baseline",
    "FactorizationMachine",
    "ItemToItem",
    "OCuLaR",
    "Popularity",
    "UserToUser",
]

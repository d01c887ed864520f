r"""Factorization machine (Rendle, ICDM 2010) for one-class data, trained pointwise.

For a feature vector :math:`x \in \mathbb{R}^n` with :math:`k`-dimensional factors :math:`v_f`,

.. math::

    \hat y(x) = w_0 + \sum_f w_f x_f + \sum_{f < g} \langle v_f, v_g \rangle x_f x_g, \qquad
    \sum_{f < g} \langle v_f, v_g \rangle x_f x_g
        = \tfrac12 \Big[ \big\lVert \textstyle\sum_f v_f x_f \big\rVert^2
            - \sum_f \lVert v_f \rVert^2 x_f^2 \Big]

(the right-hand form costs :math:`O(kn)`). The features of a (user u, item i) pair are a one-hot user id, a one-hot
item id and, when given, the user's attribute indicators and the item's attribute indicators (all 0/1, not
rescaled). Writing the user-side sums :math:`a_u = \sum_{f \in \text{user}} v_f x_f`,
:math:`s_u = \sum_{f \in \text{user}} \lVert v_f\rVert^2 x_f^2`,
:math:`\ell_u = \sum_{f \in \text{user}} w_f x_f`
and likewise :math:`b_i, s_i, \ell_i` for the item side, the model is

.. math::

    \hat y(u, i) = w_0 + \ell_u + \tfrac12(\lVert a_u\rVert^2 - s_u)
        + \ell_i + \tfrac12(\lVert b_i\rVert^2 - s_i) + \langle a_u, b_i \rangle

so the scores of all items for a user are a per-user constant, a per-item bias and one matrix product
:math:`A B^\top` (:func:`side_terms`, :meth:`FactorizationMachine._score`).

Training: logistic loss on every training positive (y = 1) and on ``negatives`` (default 4, i.e. a 1:4
positive:negative ratio, He et al. 2017's choice) items per positive drawn uniformly among the user's non-positives
(y = 0), resampled every epoch; regularisation as in libFM's SGD, :math:`\lambda \sum_{f: x_f = 1} (w_f^2 +
\lVert v_f\rVert^2)` per example, i.e. a parameter is penalised when its feature is active; Adam on mini-batches.

Cold start: a user with no training interaction never appears in a training pair, so her user-id weight and factor
stay at their random initialisation. Her id one-hot is therefore switched off (set to 0) in the feature matrix: she is
represented by her attribute features alone, which were trained on the other users. Without user attributes such a
user gets :math:`w_0 + \ell_i + \tfrac12(\lVert b_i\rVert^2 - s_i)`, a learned item-popularity ranking.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from replicate.baselines.base import Baseline, NegativeSampler, user_pos_arrays
from replicate.repro import torch_threads

# pyFM (the FM library RecoNet used) defaults to num_factors=10 and no regularisation; 64 factors is the common larger
# size; reg=0.01 is the factor regularisation of libFM's manual example (-regular '0,0,0.01').
GRID: list[dict] = [
    {"dim": 10, "reg": 0.0},
    {"dim": 10, "reg": 0.01},
    {"dim": 64, "reg": 0.0},
    {"dim": 64, "reg": 0.01},
]


def feature_matrix(n: int, attrs: sp.csr_matrix | None, id_off: np.ndarray | None = None) -> sp.csr_matrix:
    """[one-hot id | attribute indicators] per row; rows flagged in ``id_off`` get no id feature (cold start)."""
    ids = sp.identity(n, dtype=np.float32, format="csr")
    if id_off is not None and id_off.any():
        ids = sp.diags((~id_off).astype(np.float32), format="csr")
    return sp.hstack([ids] + ([attrs] if attrs is not None else []), format="csr", dtype=np.float32)


def padded_features(x: sp.csr_matrix, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Row r of a sparse feature matrix as (index, value) lists padded to the longest row with value 0:
    two (n_rows, max_active) tensors, so a batch of rows is gathered without touching the others."""
    x = x.tocsr()
    x.eliminate_zeros()
    lengths = np.diff(x.indptr)
    width = max(int(lengths.max(initial=0)), 1)
    rows = np.repeat(np.arange(x.shape[0]), lengths)
    slots = np.arange(x.nnz) - np.repeat(x.indptr[:-1], lengths)
    index = np.zeros((x.shape[0], width), dtype=np.int64)
    value = np.zeros((x.shape[0], width), dtype=np.float32)
    index[rows, slots] = x.indices
    value[rows, slots] = x.data
    return torch.from_numpy(index).to(device), torch.from_numpy(value).to(device)


def side_terms(index: torch.Tensor, value: torch.Tensor, w: torch.Tensor, v: torch.Tensor):
    r"""For rows given as padded (index, value) binary features of one side, with weights ``w`` (n,) and factors ``v``
    (n, k): bias :math:`\ell = \sum_f w_f x_f`, factor sum :math:`a = \sum_f v_f x_f`,
    :math:`s = \sum_f \lVert v_f\rVert^2 x_f^2` and the active-feature penalty
    :math:`\sum_f (w_f^2 + \lVert v_f\rVert^2) x_f` (features are 0/1, so :math:`x_f^2 = x_f`): one bag-sum."""
    sq = v.pow(2).sum(1, keepdim=True)
    per_feature = torch.cat([v, w[:, None], sq, w[:, None].pow(2) + sq], dim=1)
    sums = F.embedding_bag(index, per_feature, per_sample_weights=value, mode="sum")
    a, lin, s, penalty = sums[:, :-3], sums[:, -3], sums[:, -2], sums[:, -1]
    return lin, a, s, penalty


class FactorizationMachine(Baseline):
    """Second-order FM over user id, item id and attribute features (see the module docstring)."""

    name = "fm"
    DEFAULTS = {"dim": 10, "reg": 0.0, "lr": 3e-3, "negatives": 4, "batch_size": 8192, "init_std": 0.1}
    GRID = GRID
    DEFAULT_EPOCHS = 5
    ATTRIBUTE_SIDES = ("user", "item")

    def _fit(self, train, user_attrs, item_attrs, epochs):
        p = self.params
        rng = np.random.default_rng(self.seed)
        gen = torch.Generator().manual_seed(self.seed)
        cold = np.diff(train.indptr) == 0
        x_user = feature_matrix(self.n_users, user_attrs, id_off=cold)
        x_item = feature_matrix(self.n_items, item_attrs)
        self.user_features_ = padded_features(x_user, self.device)
        self.item_features_ = padded_features(x_item, self.device)

        def factors(n):
            return (torch.randn(n, p["dim"], generator=gen) * p["init_std"]).to(self.device).requires_grad_()

        self.w0_ = torch.zeros((), device=self.device, requires_grad=True)
        self.w_user_ = torch.zeros(x_user.shape[1], device=self.device, requires_grad=True)
        self.w_item_ = torch.zeros(x_item.shape[1], device=self.device, requires_grad=True)
        self.v_user_ = factors(x_user.shape[1])
        self.v_item_ = factors(x_item.shape[1])
        params = [self.w0_, self.w_user_, self.w_item_, self.v_user_, self.v_item_]
        optimizer = torch.optim.Adam(params, lr=p["lr"])

        pos_users, pos_items = user_pos_arrays(train)
        sample = NegativeSampler(train, rng)
        labels = np.concatenate([np.ones(len(pos_users)), np.zeros(len(pos_users) * p["negatives"])]).astype(np.float32)
        neg_users = np.repeat(pos_users, p["negatives"])
        self.losses_ = []
        with torch_threads(1):  # see repro.torch_threads
            for _ in tqdm(range(epochs), desc="FM", leave=False):
                users = np.concatenate([pos_users, neg_users])
                items = np.concatenate([pos_items, sample(pos_users, p["negatives"]).ravel()])
                order = rng.permutation(len(users))
                total = 0.0
                for start in range(0, len(order), p["batch_size"]):
                    batch = order[start : start + p["batch_size"]]
                    u, i, y = (torch.from_numpy(a[batch]).to(self.device) for a in (users, items, labels))
                    logits, penalty = self._pairs(u, i)
                    loss = F.binary_cross_entropy_with_logits(logits, y) + p["reg"] * penalty.mean()
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(batch)
                self.losses_.append(total / len(order))

    def _user_terms(self, u: torch.Tensor):
        index, value = self.user_features_
        return side_terms(index[u], value[u], self.w_user_, self.v_user_)

    def _item_terms(self, i: torch.Tensor):
        index, value = self.item_features_
        return side_terms(index[i], value[i], self.w_item_, self.v_item_)

    def _pairs(self, u: torch.Tensor, i: torch.Tensor):
        r""":math:`\hat y(u, i)` for paired index vectors, and each pair's active-feature penalty."""
        lin_u, a, s_u, pen_u = self._user_terms(u)
        lin_i, b, s_i, pen_i = self._item_terms(i)
        logits = (
            self.w0_ + lin_u + lin_i + 0.5 * (a.pow(2).sum(1) - s_u) + 0.5 * (b.pow(2).sum(1) - s_i) + (a * b).sum(1)
        )
        return logits, pen_u + pen_i

    @torch.no_grad()
    def _score(self, users):
        lin_u, a, s_u, _ = self._user_terms(torch.from_numpy(users).to(self.device))
        lin_i, b, s_i, _ = self._item_terms(torch.arange(self.n_items, device=self.device))
        user_const = self.w0_ + lin_u + 0.5 * (a.pow(2).sum(1) - s_u)
        item_bias = lin_i + 0.5 * (b.pow(2).sum(1) - s_i)
        return (user_const[:, None] + item_bias[None, :] + a @ b.T).cpu().numpy()

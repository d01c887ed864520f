r"""OCuLaR: overlapping co-cluster recommendation (Heckel, Vlachos, Parnell, Dünner, ICDE 2017).

Each user u and item i has a non-negative affiliation vector :math:`f_u, f_i \in \mathbb{R}_{\ge 0}^K` to K
co-clusters, and

.. math::

    P(r_{ui} = 1) = 1 - \exp(-\langle f_u, f_i \rangle).

The factors minimise the regularised negative log-likelihood of the binary matrix R (non-positives read as 0):

.. math::

    Q = -\sum_{(u,i): r_{ui}=1} \log\big(1 - e^{-\langle f_u, f_i\rangle}\big)
        + \sum_{(u,i): r_{ui}=0} \langle f_u, f_i\rangle
        + \lambda \big(\lVert F_U\rVert_F^2 + \lVert F_I\rVert_F^2\big),
    \qquad
    \sum_{(u,i): r_{ui}=0} \langle f_u, f_i\rangle
        = \Big\langle \sum_u f_u, \sum_i f_i \Big\rangle - \sum_{(u,i): r_{ui}=1} \langle f_u, f_i\rangle

so a full-batch evaluation costs O((n_U + n_I + nnz) K) instead of O(n_U n_I K) (:func:`neg_log_likelihood`; the
positives' affinities are one sampled matrix product, ``torch.sparse.sampled_addmm``). Inside the logarithm
:math:`\langle f_u, f_i\rangle + 10^{-6}` keeps a positive pair with zero affinity finite.

Fitting follows Heckel et al.: alternate between the two factor matrices; with one fixed, Q splits into independent
row problems, e.g. for users (:math:`t = \sum_i f_i`)

.. math::

    Q_u(f_u) = \sum_{i: r_{ui}=1} \big[-\log(1 - e^{-\langle f_u, f_i\rangle}) - \langle f_u, f_i\rangle\big]
        + \langle f_u, t\rangle + \lambda \lVert f_u\rVert^2, \qquad
    \nabla Q_u = t - \sum_{i: r_{ui}=1} \Big(1 + \frac{1}{e^{\langle f_u, f_i\rangle} - 1}\Big) f_i
        + 2\lambda f_u

and every row takes one projected gradient step :math:`f_u \leftarrow \max(0, f_u - \alpha_u \nabla Q_u)` whose step
:math:`\alpha_u` is found by backtracking (halved until the Armijo condition
:math:`Q_u(f_u^+) \le Q_u(f_u) + 0.01\, \nabla Q_u^\top (f_u^+ - f_u)` holds, all rows at once; the accepted step,
doubled, is the next try). One epoch = one such step for all users, then for all items; Q never increases. (A plain
Adam step followed by clamping at 0 was tried first: on ML-1M it reached a higher Q after 150 steps than this does
after 10, and oscillated at larger learning rates.)

Scores are :math:`\langle f_u, f_i\rangle`, a monotone transform of :math:`P(r_{ui}=1)` that does not saturate to
1.0 in float32.

With attributes (our choice; the paper does not say how RecoNet fed them to OCuLaR): the matrix is extended by
side-information entries, so that attributes take part in the same co-clusters,

.. math::

    \tilde R = \begin{pmatrix} R & A_U \\ A_I^\top & \cdot \end{pmatrix}

user-attribute indicators :math:`A_U` (n_U x a) as extra item columns ("pseudo-items", e.g. "gender F") and
item-attribute indicators :math:`A_I` (n_I x b) as extra user rows ("pseudo-users", e.g. "genre Comedy"). The corner
block pairs a pseudo-user with a pseudo-item, which means nothing, so it is left out of the likelihood. Only real
items are scored. A cold-start user (no training row) is then fitted from her attribute columns alone; without
attributes her row is empty, her factor is driven to 0 and every item scores 0.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from replicate.baselines.base import Baseline
from replicate.repro import torch_threads

# Heckel et al. choose K and lambda by cross-validation and publish no defaults for MovieLens. The grid: lambda on
# three decades (1, 10, 100; it weighs a likelihood summed, not averaged, over ~22M user-item pairs) at K = 100
# co-clusters, and K = 50 at the middle lambda.
GRID: list[dict] = [{"K": 100, "reg": 1.0}, {"K": 100, "reg": 10.0}, {"K": 100, "reg": 100.0}, {"K": 50, "reg": 10.0}]

EPS = 1e-6


def neg_log_likelihood(f_rows, f_cols, positives, reg: float, skip_rows=None, skip_cols=None):
    """Q of the module docstring with the fast non-positive sum.

    ``positives``: the binary matrix as a torch sparse CSR tensor (its values are ignored, only its pattern counts).
    ``skip_rows``/``skip_cols``, when given, are the first indices of the pseudo-user rows and pseudo-item columns
    whose block (rows >= skip_rows, cols >= skip_cols) is left out.
    """
    x_pos = torch.sparse.sampled_addmm(positives, f_rows, f_cols.T, beta=0.0).values()
    pos_term = -torch.log(-torch.expm1(-(x_pos + EPS))).sum()
    all_pairs = f_rows.sum(0) @ f_cols.sum(0)
    if skip_rows is not None:
        all_pairs = all_pairs - f_rows[skip_rows:].sum(0) @ f_cols[skip_cols:].sum(0)
    neg_term = all_pairs - x_pos.sum()
    return pos_term + neg_term + reg * (f_rows.pow(2).sum() + f_cols.pow(2).sum())


def torch_csr(matrix: sp.csr_matrix, device: str = "cpu") -> torch.Tensor:
    """A scipy CSR matrix as a float32 torch sparse CSR tensor."""
    return _csr(
        torch.from_numpy(matrix.indptr.astype(np.int64)).to(device),
        torch.from_numpy(matrix.indices.astype(np.int64)).to(device),
        torch.from_numpy(matrix.data.astype(np.float32)).to(device),
        matrix.shape,
    )


def _csr(crow: torch.Tensor, col: torch.Tensor, values: torch.Tensor, shape) -> torch.Tensor:
    with warnings.catch_warnings():  # torch warns that sparse CSR support is "beta"
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, col, values, size=shape)


def row_objectives(f, f_other, positives, rows_of_positives, totals, reg: float):
    r""":math:`Q_r` for every row r of ``f`` with ``f_other`` fixed (module docstring), and the positives' affinities.

    ``positives``: the pattern as a sparse CSR tensor with rows = the rows of ``f``; ``rows_of_positives``: the row of
    each stored entry; ``totals``: (rows, K), the sum of the other side's factors each row is paired with.
    """
    x = torch.sparse.sampled_addmm(positives, f, f_other.T, beta=0.0).values()
    per_positive = -torch.log(-torch.expm1(-(x + EPS))) - x
    q = torch.zeros(f.shape[0], dtype=f.dtype, device=f.device).index_add_(0, rows_of_positives, per_positive)
    return q + (f * totals).sum(1) + reg * f.pow(2).sum(1), x


def block_step(f, f_other, positives, rows_of_positives, totals, reg: float, step=None, max_halvings: int = 30):
    """One projected gradient step with per-row backtracking on ``f`` (module docstring). Returns the new ``f`` and
    the step sizes to try next time (rows with no acceptable step keep their factor and a halved step). The first
    try, when ``step`` is None, moves each row by about its own norm."""
    q, x = row_objectives(f, f_other, positives, rows_of_positives, totals, reg)
    weights = _csr(positives.crow_indices(), positives.col_indices(), 1 + 1 / torch.expm1(x + EPS), positives.shape)
    grad = totals - weights @ f_other + 2 * reg * f
    if step is None:
        step = f.norm(dim=1) / grad.norm(dim=1).clamp_min(1e-12)
    accepted = torch.zeros(f.shape[0], dtype=torch.bool, device=f.device)
    new = f.clone()
    for _ in range(max_halvings):
        candidate = (f - step[:, None] * grad).clamp_min(0)
        q_new, _ = row_objectives(candidate, f_other, positives, rows_of_positives, totals, reg)
        ok = ~accepted & (q_new <= q + 0.01 * (grad * (candidate - f)).sum(1))
        new[ok] = candidate[ok]
        accepted |= ok
        if accepted.all():
            break
        step = torch.where(accepted, step, step / 2)
    return new, torch.where(accepted, step * 2, step)


def extended_matrix(train: sp.csr_matrix, user_attrs, item_attrs) -> sp.csr_matrix:
    r""":math:`\tilde R`: train, user attributes as extra columns, item attributes as extra rows (corner all 0)."""
    n_users, n_items = train.shape
    n_ua = user_attrs.shape[1] if user_attrs is not None else 0
    top = sp.hstack([train, user_attrs], format="csr") if n_ua else train
    if item_attrs is None or item_attrs.shape[1] == 0:
        return top
    bottom = sp.hstack([item_attrs.T, sp.csr_matrix((item_attrs.shape[1], n_ua), dtype=np.float32)], format="csr")
    return sp.vstack([top, bottom], format="csr")


class OCuLaR(Baseline):
    """Non-negative co-cluster factorisation with a Bernoulli-exponential likelihood (see the module docstring)."""

    name = "ocular"
    DEFAULTS = {"K": 100, "reg": 10.0}
    GRID = GRID
    DEFAULT_EPOCHS = 30
    ATTRIBUTE_SIDES = ("user", "item")

    def _fit(self, train, user_attrs, item_attrs, epochs):
        p = self.params
        gen = torch.Generator().manual_seed(self.seed)
        matrix = extended_matrix(train, user_attrs, item_attrs)
        n_rows, n_cols = matrix.shape
        transposed = matrix.T.tocsr()
        sides = []  # per side: (pattern with this side as rows, row of each entry, first pseudo row, first pseudo col)
        for m, real, real_other in [(matrix, self.n_users, self.n_items), (transposed, self.n_items, self.n_users)]:
            rows_of_positives = torch.from_numpy(np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))).to(self.device)
            sides.append((torch_csr(m, self.device), rows_of_positives, real, real_other))
        has_corner = n_rows > self.n_users and n_cols > self.n_items

        # Start where the mean affinity matches the density d: K (scale/2)^2 = -log(1 - d).
        density = min(matrix.nnz / (n_rows * n_cols), 0.5)
        scale = 2 * np.sqrt(-np.log1p(-density) / p["K"])
        factors = [(torch.rand(n, p["K"], generator=gen) * scale).to(self.device) for n in (n_rows, n_cols)]
        steps = [None, None]
        self.losses_ = []
        with torch.no_grad(), torch_threads(1):  # see repro.torch_threads
            for _ in tqdm(range(epochs), desc="OCuLaR", leave=False):
                for side in (0, 1):
                    f, f_other = factors[side], factors[1 - side]
                    positives, rows_of_positives, real, real_other = sides[side]
                    totals = f_other.sum(0).expand_as(f).clone()
                    if has_corner:  # pseudo rows are not paired with pseudo columns
                        totals[real:] -= f_other[real_other:].sum(0)
                    factors[side], steps[side] = block_step(
                        f, f_other, positives, rows_of_positives, totals, p["reg"], steps[side]
                    )
                skip = (self.n_users, self.n_items) if has_corner else (None, None)
                self.losses_.append(neg_log_likelihood(factors[0], factors[1], sides[0][0], p["reg"], *skip).item())
        self.f_users_, self.f_items_ = factors

    @torch.no_grad()
    def _score(self, users):
        u = torch.from_numpy(users).to(self.device)
        return (self.f_users_[u] @ self.f_items_[: self.n_items].T).cpu().numpy()

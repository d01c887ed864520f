r"""Collaborative Metric Learning (Hsieh, Yang, Cui, Lin, Belongie, Estrin, WWW 2017).

Users and items are points :math:`u_i, v_j \in \mathbb{R}^d` with :math:`\lVert\cdot\rVert \le 1`, and a user's
liked items are pulled inside a margin m of her while other items are pushed out:

.. math::

    L_m = \sum_{(i, j) \in S} w_{ij} \big[ m + d(i, j)^2 - \min_{k \in N_{ij}} d(i, k)^2 \big]_+ ,
    \qquad w_{ij} = \log\Big(1 + J \frac{M_{ij}}{N}\Big)

with S the training positives, :math:`N_{ij}` a set of N items sampled uniformly among user i's non-positives,
:math:`M_{ij} = |\{k \in N_{ij}: m + d(i,j)^2 - d(i,k)^2 > 0\}|` the impostors among them and J the number of
items (the WARP rank estimate :math:`J M / N`, not rounded, as in the authors' code). Following the authors' code
(changun/CollMetric), each pair's hinge uses its closest sampled negative; the rank weight is a constant in the
gradient. After every step all vectors are clipped to norm ``clip_norm``. Optional terms:

- covariance regulariser (the paper's, after Cogswell et al.'s DeCov; on all user and item vectors, :math:`C` their
  covariance): :math:`L_c = \lambda_c (\lVert C\rVert_F^2 - \lVert \operatorname{diag} C\rVert_2^2)` (the authors'
  code sums the off-diagonal entries of C without squaring them);
- with item attributes :math:`x_j`, the feature loss :math:`L_f = \lambda_f \sum_j \lVert f(x_j) - v_j\rVert^2`,
  where :math:`f` is an MLP (Linear, ReLU, Linear to d) whose output is clipped to norm ``clip_norm``; item vectors
  start at :math:`f(x_j)`, as in the authors' code. Their code declares dropout between the two layers but calls
  ``tf.layers.dropout`` without ``training=True``, which makes it a no-op; so there is no dropout here.

Loss per step: :math:`L_m + L_c + L_f` over a mini-batch of positive pairs (50,000 by default, as the authors' code),
one AdaGrad (lr 0.1) over all parameters (the authors give the MLP its own AdaGrad on :math:`L_f / J`; AdaGrad's steps
barely depend on such a constant factor).
Score: :math:`-d(i, j)^2`. CML has no user attributes; a cold-start user (no training row) is never in a batch, so
her vector stays at its random initialisation (then clipped) and her ranking is arbitrary.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn.utils import skip_init
from tqdm.auto import tqdm

from replicate.baselines.base import Baseline, NegativeSampler, user_pos_arrays
from replicate.repro import torch_threads

# All four from the authors' code (changun/CollMetric, CML.py): main.py's run without features (d=100, m=1.9),
# the same with the class default margin 1.5, the class defaults (d=20, m=1.5, covariance loss weight 0.1), and
# main.py's run with features (m=2.0, clip norm 1.1).
GRID: list[dict] = [
    {"dim": 100, "margin": 1.9},
    {"dim": 100, "margin": 1.5},
    {"dim": 20, "margin": 1.5, "cov_weight": 0.1},
    {"dim": 100, "margin": 2.0, "clip_norm": 1.1},
]


def rank_weight(pos_dist: torch.Tensor, neg_dist: torch.Tensor, margin: float, n_items: int) -> torch.Tensor:
    r""":math:`\log(1 + J M / N)` per pair: ``pos_dist`` (B,), ``neg_dist`` (B, N) squared distances."""
    impostors = (margin + pos_dist[:, None] - neg_dist > 0).float().mean(1)
    return torch.log1p(impostors * n_items)


def hinge(pos_dist: torch.Tensor, hardest_neg_dist: torch.Tensor, margin: float) -> torch.Tensor:
    r""":math:`[m + d(i,j)^2 - d(i,k)^2]_+` per pair."""
    return torch.relu(margin + pos_dist - hardest_neg_dist)


def clip_rows(x: torch.Tensor, max_norm: float) -> torch.Tensor:
    """Rows of ``x`` rescaled to norm ``max_norm`` where they are longer (not in place)."""
    norms = x.norm(dim=1, keepdim=True)
    return x * torch.clamp(max_norm / norms.clamp_min(1e-12), max=1.0)


def covariance_loss(x: torch.Tensor) -> torch.Tensor:
    r""":math:`\lVert C\rVert_F^2 - \lVert\operatorname{diag} C\rVert^2` of the covariance of the rows of ``x``."""
    centred = x - x.mean(0)
    cov = centred.T @ centred / x.shape[0]
    return cov.pow(2).sum() - cov.diagonal().pow(2).sum()


class CML(Baseline):
    """Metric learning of users and items with a WARP-weighted hinge (see the module docstring)."""

    name = "cml"
    DEFAULTS = {
        "dim": 100,
        "margin": 1.9,
        "clip_norm": 1.0,
        "lr": 0.1,
        "negatives": 20,
        "batch_size": 50000,
        "cov_weight": 0.0,
        "feature_weight": 0.1,
        "hidden": 512,
    }
    GRID = GRID
    DEFAULT_EPOCHS = 5
    ATTRIBUTE_SIDES = ("item",)
    chunk = 8192  # pairs whose negatives' distances are computed at once (memory: chunk x negatives x dim floats)

    def _fit(self, train, user_attrs, item_attrs, epochs):
        p = self.params
        rng = np.random.default_rng(self.seed)
        gen = torch.Generator().manual_seed(self.seed)
        std = 1 / p["dim"] ** 0.5  # the authors' initialisation
        self.users_ = (torch.randn(self.n_users, p["dim"], generator=gen) * std).to(self.device)
        self.items_ = (torch.randn(self.n_items, p["dim"], generator=gen) * std).to(self.device)
        params = [self.users_, self.items_]
        self.projector_ = None
        if item_attrs is not None:
            self.features_ = torch.from_numpy(item_attrs.toarray()).to(self.device)
            n_attrs = item_attrs.shape[1]
            layers = [
                skip_init(torch.nn.Linear, n_attrs, p["hidden"]),
                torch.nn.ReLU(),
                skip_init(torch.nn.Linear, p["hidden"], p["dim"]),
            ]
            for layer in layers[::2]:  # torch's default initialisation, drawn from this model's generator
                bound = 1 / layer.in_features**0.5
                with torch.no_grad():
                    layer.weight.copy_(torch.rand(layer.weight.shape, generator=gen) * 2 * bound - bound)
                    layer.bias.copy_(torch.rand(layer.bias.shape, generator=gen) * 2 * bound - bound)
            self.projector_ = torch.nn.Sequential(*layers).to(self.device)
            with torch.no_grad():
                self.items_ = self._projection().clone()
            params = [self.users_, self.items_, *self.projector_.parameters()]
        for tensor in params[:2]:
            tensor.requires_grad_()
        optimizer = torch.optim.Adagrad(params, lr=p["lr"])

        pos_users, pos_items = user_pos_arrays(train)
        sample = NegativeSampler(train, rng)
        self.losses_ = []
        with torch_threads(1):  # see repro.torch_threads
            for _ in tqdm(range(epochs), desc="CML", leave=False):
                order = rng.permutation(len(pos_users))
                total = 0.0
                for start in range(0, len(order), p["batch_size"]):
                    batch = order[start : start + p["batch_size"]]
                    negatives = sample(pos_users[batch], p["negatives"])
                    loss = self._step_loss(pos_users[batch], pos_items[batch], negatives)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    with torch.no_grad():
                        self.users_.copy_(clip_rows(self.users_, p["clip_norm"]))
                        self.items_.copy_(clip_rows(self.items_, p["clip_norm"]))
                    total += loss.item()
                self.losses_.append(total)

    def _projection(self) -> torch.Tensor:
        return clip_rows(self.projector_(self.features_), self.params["clip_norm"])

    def _step_loss(self, users: np.ndarray, items: np.ndarray, negatives: np.ndarray) -> torch.Tensor:
        r""":math:`L_m + L_c + L_f` for one mini-batch of (user, positive item) pairs with their sampled negatives."""
        p = self.params
        u = torch.from_numpy(users).to(self.device)
        i = torch.from_numpy(items).to(self.device)
        neg = torch.from_numpy(negatives).to(self.device)
        with torch.no_grad():  # which negative is closest, and the rank weight: constants in the gradient
            item_sq = self.items_.pow(2).sum(1)
            weights, hardest = [], []
            for s in range(0, len(u), self.chunk):
                uu, ii, nn = u[s : s + self.chunk], i[s : s + self.chunk], neg[s : s + self.chunk]
                user_vecs = self.users_[uu]
                pos_dist = (user_vecs - self.items_[ii]).pow(2).sum(1)
                # d(u, k)^2 = |u|^2 + |v_k|^2 - 2 <u, v_k>, without a (chunk, N, d) difference tensor
                dots = torch.bmm(self.items_[nn], user_vecs[:, :, None]).squeeze(2)
                neg_dist = user_vecs.pow(2).sum(1, keepdim=True) + item_sq[nn] - 2 * dots
                weights.append(rank_weight(pos_dist, neg_dist, p["margin"], self.n_items))
                hardest.append(nn.gather(1, neg_dist.argmin(1, keepdim=True)).squeeze(1))
            weights, hardest = torch.cat(weights), torch.cat(hardest)
        user_vecs = self.users_[u]
        pos_dist = (user_vecs - self.items_[i]).pow(2).sum(1)
        neg_dist = (user_vecs - self.items_[hardest]).pow(2).sum(1)
        loss = (weights * hinge(pos_dist, neg_dist, p["margin"])).sum()
        if p["cov_weight"]:
            loss = loss + p["cov_weight"] * covariance_loss(torch.cat([self.users_, self.items_]))
        if self.projector_ is not None:
            loss = loss + p["feature_weight"] * (self._projection() - self.items_).pow(2).sum()
        return loss

    @torch.no_grad()
    def _score(self, users):
        u = self.users_[torch.from_numpy(users).to(self.device)]
        return (-torch.cdist(u, self.items_).pow(2)).cpu().numpy()

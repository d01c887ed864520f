"""RecoNet (Fusco, Vlachos, Vasileiadis, Wardatzky and Schneider, IJCAI 2019), section 4.1.

Items, user attributes and item attributes share one embedding space ``Q`` (d x m, m = |V| + |Φ^U| + |Φ^V|). A user
is the binary vector ``I_u`` of her feature set FS_u = V(u) ∪ Φ^U(u) ∪ Φ^V(V(u)) and is represented by the average
of its latent vectors::

    x_u = Q · I_u^T / |FS_u|                                  (the pooling layer)
    ŷ   = W x_u                  (RecoNet, W: |V| x d)
    ŷ   = W ReLU(H x_u + b)      (RecoNet+Layer, Table 1: one hidden ReLU layer after the pooling)
    p̂   = softmax(ŷ),  loss = categorical cross-entropy of the removed item

Weights are Xavier-initialised. The output layer has no bias, as in the paper's ``ŷ = W x``, so that in the linear
model the relevances of section 4.3 sum exactly to the target logit.

The pooling is written as a matrix product on the (normalised) multi-hot input rather than an embedding lookup, so
that relevance propagation, LIME and feature removal all act on the same input the paper describes: one 0/1 entry
per feature.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn


def bag_transpose(columns: np.ndarray, offsets: np.ndarray, n_features: int, dtype=torch.float32) -> torch.Tensor:
    """Sᵀ as a sparse CSR tensor (n_features x bags), S being the bags' rows of 0/1 entries divided by their size."""
    size = np.diff(offsets)
    weights = np.repeat(1.0 / np.maximum(size, 1), size)
    S = sp.csr_matrix((weights, columns, offsets), shape=(len(size), n_features))
    T = S.T.tocsr()  # a counting sort, linear in the entries
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            torch.from_numpy(T.indptr.astype(np.int64)),
            torch.from_numpy(T.indices.astype(np.int64)),
            torch.from_numpy(T.data).to(dtype),
            T.shape,
            check_invariants=False,  # built by scipy, valid by construction
        )


class _BagMean(torch.autograd.Function):
    """x = S Qᵀ for the bags of :func:`bag_transpose`: the forward is ``embedding_bag``'s mean, the backward Sᵀ g
    as one sparse product (``embedding_bag``'s own backward sorts the batch's indices, which was a quarter of a
    training step on a CPU)."""

    @staticmethod
    def forward(ctx, table, columns, offsets, transposed):
        ctx.transposed = transposed
        return nn.functional.embedding_bag(columns, table, offsets, mode="mean", include_last_offset=True)

    @staticmethod
    def backward(ctx, grad):
        return ctx.transposed @ grad, None, None, None


class _OutputLayer(torch.autograd.Function):
    """ŷ = x Wᵀ, the weight's gradient computed as (xᵀ g)ᵀ instead of autograd's gᵀ x: the same sums (the same bits
    in every run we compared, with AVX-512 and AVX2 kernels; ``tests/test_reconet_model.py`` holds them to float32
    rounding), and that product about twice as fast on one CPU thread, where MKL is slow on gᵀ's transposed layout
    (a sweep worker's setting; no gain on two threads: ``python -m benchmarks reconet``)."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.save_for_backward(x, weight)
        return nn.functional.linear(x, weight)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = grad @ weight if ctx.needs_input_grad[0] else None
        grad_weight = (x.T @ grad).T if ctx.needs_input_grad[1] else None
        return grad_x, grad_weight


class RecoNet(nn.Module):
    """``RecoNet(n_features, n_items, dim)``; ``hidden`` > 0 gives RecoNet+Layer.

    ``forward(I)`` takes the (batch, n_features) 0/1 feature matrix and returns the logits ŷ (batch, n_items).
    Features ``0 .. n_items-1`` are the items themselves (the output classes), in the same order.

    Reference: fusco2019
    """

    def __init__(self, n_features: int, n_items: int, dim: int = 64, hidden: int = 0):
        super().__init__()
        if n_items > n_features:
            raise ValueError(f"n_items ({n_items}) cannot exceed n_features ({n_features}): items are features too")
        self.n_features, self.n_items, self.dim, self.hidden = n_features, n_items, dim, hidden
        self.Q = nn.Parameter(torch.empty(dim, n_features))
        nn.init.xavier_uniform_(self.Q)
        if hidden:
            self.H = nn.Linear(dim, hidden)
            nn.init.xavier_uniform_(self.H.weight)
            nn.init.zeros_(self.H.bias)
            out_in = hidden
        else:
            self.H = None
            out_in = dim
        self.W = nn.Linear(out_in, n_items, bias=False)
        nn.init.xavier_uniform_(self.W.weight)

    @property
    def name(self) -> str:
        return "RecoNet+Layer" if self.hidden else "RecoNet"

    def pool(self, I: torch.Tensor) -> torch.Tensor:
        """x_u = Q I_u^T / |FS_u| for each row of ``I`` (an empty feature set pools to the zero vector)."""
        size = I.sum(dim=1, keepdim=True).clamp_min(1.0)
        return (I / size) @ self.Q.T

    def pool_bags(self, columns: np.ndarray, offsets: np.ndarray) -> torch.Tensor:
        """:meth:`pool` of 0/1 rows given as bags of their present columns (``offsets[b]`` starts row b; the last
        offset is the end): the same mean, without the dense input (training's fast path)."""
        transposed = bag_transpose(columns, offsets, self.n_features, self.Q.dtype).to(self.Q.device)
        columns, offsets = (torch.from_numpy(np.asarray(a)).to(self.Q.device) for a in (columns, offsets))
        return _BagMean.apply(self.Q.T.contiguous(), columns, offsets, transposed)

    def head(self, x: torch.Tensor) -> torch.Tensor:
        """The dense part: pooled vector -> logits ŷ."""
        if self.H is not None:
            x = torch.relu(self.H(x))
        return _OutputLayer.apply(x, self.W.weight)

    def forward(self, I: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(I))


def untrained_like(model: RecoNet, seed: int) -> RecoNet:
    """A RecoNet of ``model``'s shape (features, items, dim, hidden layer), initialised with ``seed`` and never trained,
    in eval mode on ``model``'s device: a null network. The global torch generator is left as it was, so that what
    follows in a run draws the same numbers with or without the null."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        null = RecoNet(model.n_features, model.n_items, model.dim, model.hidden)
    return null.to(model.Q.device).eval()

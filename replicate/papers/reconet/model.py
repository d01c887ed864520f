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

import torch
from torch import nn


class RecoNet(nn.Module):
    """``RecoNet(n_features, n_items, dim)``; ``hidden`` > 0 gives RecoNet+Layer.

    ``forward(I)`` takes the (batch, n_features) 0/1 feature matrix and returns the logits ŷ (batch, n_items).
    Features ``0 .. n_items-1`` are the items themselves (the output classes), in the same order.
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

    def pool_bags(self, columns: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """:meth:`pool` of 0/1 rows given as bags of their present columns (``offsets[b]`` starts row b; the last
        offset is the end): the same mean, without the dense input (training's fast path)."""
        return (
            nn.functional.embedding_bag(columns, self.Q.T.contiguous(), offsets, mode="sum", include_last_offset=True)
            / ((offsets[1:] - offsets[:-1]).clamp_min(1).to(self.Q.dtype)[:, None])
        )

    def head(self, x: torch.Tensor) -> torch.Tensor:
        """The dense part: pooled vector -> logits ŷ."""
        if self.H is not None:
            x = torch.relu(self.H(x))
        return self.W(x)

    def forward(self, I: torch.Tensor) -> torch.Tensor:
        return self.head(self.pool(I))

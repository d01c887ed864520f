r"""The EMDE network: input sketches in, one output sketch out.

With :math:`x` the concatenation of the L2-normalised input sketches of all modalities,

.. math::

    h_0 = x, \qquad h_{l+1} = h_l' + \operatorname{BN}(\operatorname{LeakyReLU}(W_l h_l' + b_l)),
    \quad h_l' = h_l \text{ (or its projection to the hidden width for } l = 0)

and the output is viewed as (n_sketches, width) with a softmax over each row: one distribution over buckets per
sketch. The loss is the cross-entropy of each row against the L1-normalised target sketch row, averaged over rows
(the official residual network views the output as (width, n_sketches) and softmaxes strided elements, a bug not
repeated here).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class EMDENet(nn.Module):
    """EMDE's residual feed-forward network over the concatenated input sketches (the equations above), its output
    read as one distribution over buckets per sketch.

    Reference: dabrowski2020, rychalska2020
    """

    def __init__(self, in_dim: int, n_sketches: int, width: int, hidden: int = 1024, layers: int = 3):
        super().__init__()
        self.n_sketches, self.width = n_sketches, width
        self.project = nn.Linear(in_dim, hidden)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Linear(hidden, hidden), nn.LeakyReLU(), nn.BatchNorm1d(hidden)) for _ in range(layers)
        )
        self.out = nn.Linear(hidden, n_sketches * width)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        h = self.project(x)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h).view(-1, self.n_sketches, self.width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Output sketch: (batch, n_sketches, width), each row a distribution over buckets."""
        return F.softmax(self.logits(x), dim=-1)


def sketch_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy per sketch row, averaged over rows and batch."""
    return -(target * F.log_softmax(logits, dim=-1)).sum(dim=-1).mean()

"""The pertinence test of RecoNet's section 5.4: remove the k features an explanation ranks highest and measure the
change of the target activation, ``Δŷ_c = f_c(x | top-k features removed) − f_c(x)``, against removing k features
drawn at random from the same profile.

"Removing" a feature sets its entry of the 0/1 profile to zero; the model then averages over the features that
remain (the paper's x_u = Q I_u / |FS_u| with the smaller feature set). ``f_c`` is the target logit ŷ_c, the
activation the explanation decomposes.
"""

from __future__ import annotations

import numpy as np
import torch

from replicate.papers.reconet.model import RecoNet


@torch.no_grad()
def target_logit(model: RecoNet, I: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """ŷ_c per row, computing only the target's output unit."""
    x = model.pool(I.to(model.Q.dtype))
    if model.H is not None:
        x = torch.relu(model.H(x))
    return (x * model.W.weight[targets]).sum(dim=1)


def rank_positions(scores: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
    """Position (0 = first removed) of each present feature when ordered by decreasing score; absent features get a
    position past every present one. Ties go to the lower feature index."""
    keyed = torch.where(
        present, scores.double(), torch.tensor(float("-inf"), dtype=torch.float64, device=scores.device)
    )
    order = torch.sort(-keyed, dim=1, stable=True).indices
    positions = torch.empty_like(order)
    positions.scatter_(1, order, torch.arange(order.shape[1], device=order.device).expand_as(order).contiguous())
    return torch.where(present, positions, torch.tensor(order.shape[1], device=order.device))


def random_scores(present: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Scores that order each row's present features uniformly at random."""
    return torch.from_numpy(rng.random(present.shape)).to(present.device)


@torch.no_grad()
def deletion_deltas(
    model: RecoNet, I: torch.Tensor, targets: torch.Tensor, scores: torch.Tensor, ks, batch: int = 1024
) -> np.ndarray:
    """Δŷ_c (rows, len(ks)) after removing each row's ``k`` highest-scoring present features, for each k in ``ks``."""
    ks = list(ks)
    out = np.zeros((I.shape[0], len(ks)))
    for start in range(0, I.shape[0], batch):
        rows = I[start : start + batch].float()
        target = targets[start : start + batch]
        positions = rank_positions(scores[start : start + batch], rows > 0)
        before = target_logit(model, rows, target)
        for j, k in enumerate(ks):
            after = target_logit(model, rows * (positions >= k), target)
            out[start : start + batch, j] = (after - before).cpu().numpy()
    return out

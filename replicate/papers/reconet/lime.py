"""LIME for RecoNet (section 5.5), with captum's ``Lime`` on binary feature presence.

The interpretable representation is the presence of each feature in the user's profile FS_u: one interpretable
feature per present feature (captum's ``feature_mask``), all absent features in one extra group that never changes
the input. A perturbed sample drops a random subset of the present features; the black box is RecoNet's target logit
ŷ_c on the remaining features (the average is taken over what remains, as for the deletion test). The surrogate is a
ridge regression (``alpha`` = 1, the ``lime`` package's default): captum's default Lasso(alpha=0.01) sets most
coefficients to exactly zero on these logits, which leaves nothing to rank. Samples are weighted with captum's
default exponential kernel on cosine distance.
"""

from __future__ import annotations

import time

import torch
from captum._utils.models.linear_model import SkLearnRidge
from captum.attr import Lime

from replicate.papers.reconet.model import RecoNet


def lime_relevance(
    model: RecoNet,
    profile: torch.Tensor,
    target: int,
    n_samples: int = 2000,
    alpha: float = 1.0,
    batch: int = 500,
    counted: list | None = None,
) -> torch.Tensor:
    """LIME coefficients (n_features,) of one 0/1 profile row for its target item; zero off the profile.
    ``counted``: a list to which the number of inputs the black box was evaluated on is appended."""
    profile = profile.float().reshape(1, -1)
    present = profile[0] > 0
    mask = torch.full(profile.shape, int(present.sum()), dtype=torch.long, device=profile.device)
    mask[0, present] = torch.arange(int(present.sum()), device=profile.device)
    rows = [0]

    def black_box(inputs):
        rows[0] += len(inputs)
        return model(inputs)

    explainer = Lime(black_box, interpretable_model=SkLearnRidge(alpha=alpha))
    with torch.no_grad():
        weights = explainer.attribute(
            profile,
            target=int(target),
            feature_mask=mask,
            n_samples=n_samples,
            baselines=0.0,
            perturbations_per_eval=batch,
            show_progress=False,
        )
    if counted is not None:
        counted.append(rows[0])
    return weights[0] * present


def seconds_per_explanation(
    model: RecoNet, profiles: torch.Tensor, targets, n_samples: int = 2000, counted: list | None = None
) -> tuple[list, float]:
    """LIME explanations of several rows, and the mean wall time of one (``counted``: the black box's inputs per
    explanation are appended to it)."""
    started = time.perf_counter()
    out = [
        lime_relevance(model, profiles[i], int(targets[i]), n_samples=n_samples, counted=counted)
        for i in range(len(profiles))
    ]
    return out, (time.perf_counter() - started) / max(1, len(profiles))

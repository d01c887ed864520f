"""Helpers of the explanation studies of RecoNet (Figures 5-8): what the model is fed, and the top features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from replicate.papers.reconet.features import FeatureSpace
from replicate.splits import UserSplit


def ranking_inputs(space: FeatureSpace, split: UserSplit, rows: np.ndarray | None = None):
    """What the explanation studies feed the model: each user's profile from her training history, and the mask of
    the items she cannot be recommended (training and validation items), as tensors."""
    rows = np.arange(split.n_users) if rows is None else rows
    profiles = torch.from_numpy(space.profiles(split.train, rows).toarray())
    exclude = torch.from_numpy((split.train + split.valid)[rows].toarray() > 0)
    return profiles, exclude


def top_features(space: FeatureSpace, relevance: torch.Tensor, n: int = 6, positive: bool = True) -> pd.DataFrame:
    """The ``n`` most relevant features of one relevance row, with their labels and kinds."""
    values = relevance.double().numpy()
    order = np.argsort(-values, kind="stable")
    order = [k for k in order if values[k] != 0 and (values[k] > 0 or not positive)][:n]
    return pd.DataFrame({"feature": space.labels[order], "kind": space.kinds[order], "relevance": values[order]})

"""Figure 4 of RecoNet: recall@k of cold-start users, k = 1..50."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from replicate import baselines
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet.table1 import BASELINE_KEYS, Budget, Table1, baseline_fitter, reconet_fitter
from replicate.papers.reconet.train import RecoNetConfig
from replicate.splits import UserSplit


@dataclass
class ColdStart:
    users: np.ndarray  # rows of the cold users
    curves: dict  # method -> recall@k, k = 1..50, over the cold users


def run_cold_start(
    table: Table1, split: UserSplit, budget: Budget, share: float = 0.1, seed: int = 0, device: str = "cpu"
) -> ColdStart:
    """Figure 4: a random ``share`` of the test users lose their history from training; RecoNet, OCuLaR, CML and FM
    (with attributes, each with the configuration Table 1 chose) are retrained without it and rank items for those
    users from what they know of them: their attributes. The ranking excludes the cold users' training and validation
    items and is scored on their test items, as in Table 1. An extra line feeds the cold users' histories to the
    RecoNet trained without them (no retraining), the situation the paper's design is for."""
    cold = reconet.cold_start_users(split, share, seed)
    history = reconet.without_rows(split.train, cold)
    space = table.spaces[True]
    known = (split.train + split.valid)[cold]
    target = split.test[cold]
    curves = {}
    base = RecoNetConfig(**{**budget.reconet.__dict__, "hidden": 0})
    fit = reconet_fitter(space, history, base, seed, device)
    scorer = fit(table.get("RecoNet", True).config, budget.reconet.epochs)
    curves["RecoNet"] = reconet.recall_curve(scorer(cold), target, known)
    for name in ("OCuLaR", "CML", "FM"):
        key = BASELINE_KEYS[name]
        chosen = table.get(name, True).config
        cls = baselines.METHODS[key]
        model_fit = baseline_fitter(key, space, history, True, seed, device)
        curves[name] = reconet.recall_curve(
            model_fit(chosen, budget.full_epochs(cls.DEFAULT_EPOCHS))(cold), target, known
        )
    warm_inputs = space.profiles(split.train, cold)
    curves["RecoNet, history given at inference"] = reconet.recall_curve(
        reconet.scores(scorer.trained.model, warm_inputs, device=device), target, known
    )
    return ColdStart(cold, curves)

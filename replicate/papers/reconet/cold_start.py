"""Figure 4 of RecoNet: recall@k of cold-start users, k = 1..50."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from replicate import baselines, metrics
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet.features import FeatureSpace
from replicate.papers.reconet.table1 import BASELINE_KEYS, Budget, Table1, baseline_fitter, reconet_fitter
from replicate.papers.reconet.train import RecoNetConfig
from replicate.splits import UserSplit

K = 50  # Figure 4: k = 1..50


@dataclass
class ColdStart:
    users: np.ndarray  # rows of the cold users
    curves: dict  # method -> recall@k, k = 1..50, mean over the cold users
    per_user: dict  # method -> (cold users, 50) recall@k per user
    constant: dict  # method -> share of the cold users whose scores are all equal (no ranking at all)

    def mean_recall(self) -> dict:
        """Each method's recall averaged over k = 1..50 (the area under its curve of Figure 4, divided by 50)."""
        return {name: float(curve.mean()) for name, curve in self.curves.items()}


def per_user_curves(score: np.ndarray, target: sp.csr_matrix, known: sp.csr_matrix, k: int = K) -> np.ndarray:
    """Recall@1..k per user (CML's definition), ``known`` items out of the ranking; rows without a target dropped."""
    score = np.array(score, dtype=np.float32, copy=True)
    metrics.exclude(score, known)
    relevant = target.toarray() > 0
    has = relevant.sum(axis=1) > 0
    hits = np.cumsum(np.take_along_axis(relevant[has], metrics.top_k(score[has], k), axis=1), axis=1)
    return hits / relevant[has].sum(axis=1, keepdims=True)


def group_popularity(space: FeatureSpace, history: sp.csr_matrix, users: np.ndarray, kinds=("gender", "age")):
    """Scores (len(users), n_items): how often the users of the same demographic group (one value of each of
    ``kinds``: gender x age group by default) have each item in ``history``, plus the global count / (n + 1) so
    that global popularity breaks ties and fills an empty group. A demographics-only recommender."""
    columns = space.columns(*kinds)
    attrs = space.user_attrs[:, columns].toarray() > 0
    keys = np.unique(attrs, axis=0, return_inverse=True)[1].ravel()
    history = sp.csr_matrix(history)
    counts = np.asarray(history.sum(axis=0), dtype=np.float64).ravel()
    groups = sp.csr_matrix((np.ones(len(keys)), (keys, np.arange(len(keys)))), shape=(keys.max() + 1, len(keys)))
    by_group = np.asarray((groups @ history).todense(), dtype=np.float64)
    return by_group[keys[users]] + counts / (counts.max() + 1.0)


def run_cold_start(
    table: Table1, split: UserSplit, budget: Budget, share: float = 0.1, seed: int = 0, device: str = "cpu"
) -> ColdStart:
    """Figure 4: a random ``share`` of the test users lose their history from training; RecoNet, OCuLaR, CML and FM
    (with attributes, each with the configuration Table 1 chose) are retrained without it and rank items for those
    users from what they know of them: their attributes. The ranking excludes the cold users' training and validation
    items and is scored on their test items, as in Table 1. Three more lines: popularity (the floor), popularity
    within the user's gender x age group (what demographics alone give), and the RecoNet trained without the cold
    users fed their histories at inference (no retraining), the situation the paper's design is for."""
    cold = reconet.cold_start_users(split, share, seed)
    history = reconet.without_rows(split.train, cold)
    space = table.spaces[True]
    known = (split.train + split.valid)[cold]
    target = split.test[cold]
    scores = {}
    base = RecoNetConfig(**{**budget.reconet.__dict__, "hidden": 0})
    fit = reconet_fitter(space, history, base, seed, device)
    scorer = fit(table.get("RecoNet", True).config, budget.reconet.epochs)
    scores["RecoNet"] = scorer(cold)
    for name in ("OCuLaR", "CML", "FM"):
        key = BASELINE_KEYS[name]
        chosen = table.get(name, True).config
        cls = baselines.METHODS[key]
        model_fit = baseline_fitter(key, space, history, True, seed, device)
        scores[name] = model_fit(chosen, budget.full_epochs(cls.DEFAULT_EPOCHS))(cold)
    counts = np.asarray(history.sum(axis=0), dtype=np.float32).ravel()
    scores["popularity"] = np.broadcast_to(counts, (len(cold), len(counts)))
    scores["popularity by gender x age"] = group_popularity(space, history, cold)
    scores["RecoNet, history given at inference"] = reconet.scores(
        scorer.trained.model, space.profiles(split.train, cold), device=device
    )
    per_user = {name: per_user_curves(score, target, known) for name, score in scores.items()}
    constant = {name: float(np.mean(np.ptp(np.asarray(score), axis=1) == 0)) for name, score in scores.items()}
    return ColdStart(cold, {name: rows.mean(axis=0) for name, rows in per_user.items()}, per_user, constant)


def retrained_curves(table: Table1, split: UserSplit, users: np.ndarray) -> np.ndarray:
    """Recall@1..50 per user of ``users`` (the cold users) by Table 1's RecoNet with attributes, which was trained
    with their histories: the retrained model that "no retraining for new users" compares the not-retrained one
    with (the same rows, targets and exclusions as :func:`run_cold_start`)."""
    scores = table.get("RecoNet", True).scorer(users)
    return per_user_curves(scores, split.test[users], (split.train + split.valid)[users])

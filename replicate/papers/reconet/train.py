"""RecoNet's training and evaluation: Adam on the examples of :mod:`.features`, recall as CML defines it, the
validation-split tuning rule shared by every method of Table 1, and the cold-start setting of section 5.2.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from replicate import metrics
from replicate.papers.reconet.features import ExampleGenerator, FeatureSpace
from replicate.papers.reconet.model import RecoNet
from replicate.splits import UserSplit

K = 50  # Table 1 reports recall@50


# --- training and evaluation ---------------------------------------------------------------------------------------
@dataclass
class Config:
    """RecoNet's settings. ``hidden`` > 0: RecoNet + Layer. ``drop_label_attributes``: a training example's input
    loses the label's item attributes that no remaining item carries (our choice, ablated in the chapter)."""

    dim: int = 64
    hidden: int = 0
    beta: float = 1.0
    epochs: int = 3
    batch: int = 1024
    lr: float = 4e-3
    drop_label_attributes: bool = True


RecoNetConfig = Config  # the name the chapter used first


@dataclass
class History:
    """What :func:`train` returns: the model and, per epoch, the training loss and (when asked) validation recall@50."""

    model: RecoNet
    space: FeatureSpace
    loss: list = field(default_factory=list)
    valid: list = field(default_factory=list)
    seconds_per_epoch: float = float("nan")
    optimiser: torch.optim.Optimizer | None = field(default=None, repr=False)  # where training stopped, to resume
    rng: np.random.Generator | None = field(default=None, repr=False)


def evaluate(
    model: RecoNet,
    space: FeatureSpace,
    history: sp.csr_matrix,
    target: sp.csr_matrix,
    exclude=None,
    k: int = K,
    device: str = "cpu",
) -> np.ndarray:
    """Recall@k per user (CML's definition; NaN for a user without a target item) of ``model`` fed each user's
    profile from ``history``, ``exclude``d items (default: ``history``) taken out of the ranking."""
    score = scores(model, space.profiles(history), device=device)
    return per_user_recall(score, target, history if exclude is None else exclude, k)


def per_user_recall(score: np.ndarray, target: sp.csr_matrix, exclude: sp.csr_matrix | None, k: int = K) -> np.ndarray:
    """Recall@k per user (hits / |target items|), NaN for a user without a target item."""
    score = np.array(score, dtype=np.float32, copy=True)
    if exclude is not None:
        metrics.exclude(score, exclude)
    return metrics.recall_at_k(score, target, k, cap=False)


def scores(model: RecoNet, profiles: sp.csr_matrix, batch: int = 2048, device: str = "cpu") -> np.ndarray:
    """Logits ŷ for each profile row (n, n_items)."""
    out = []
    model.eval()
    with torch.no_grad():
        for start in range(0, profiles.shape[0], batch):
            rows = torch.from_numpy(profiles[start : start + batch].toarray()).to(device)
            out.append(model(rows).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.n_items), np.float32)


def recall(score: np.ndarray, target: sp.csr_matrix, exclude: sp.csr_matrix | None, k: int = K) -> float:
    """Mean recall@k (hits / |target items|, CML's definition) over users with a target item; ``exclude``d items
    (known positives) are taken out of the ranking first."""
    return float(recall_curve(score, target, exclude, k)[-1])


def recall_curve(score: np.ndarray, target: sp.csr_matrix, exclude: sp.csr_matrix | None, k: int = K) -> np.ndarray:
    score = np.array(score, dtype=np.float32, copy=True)
    if exclude is not None:
        metrics.exclude(score, exclude)
    return metrics.recall_curve(score, target, k, cap=False)


def train(
    space: FeatureSpace,
    history: sp.csr_matrix,
    config: RecoNetConfig,
    seed: int = 0,
    valid: sp.csr_matrix | None = None,
    device: str = "cpu",
    progress: bool = True,
    resume: History | None = None,
) -> History:
    """Train RecoNet (``config.hidden`` > 0: RecoNet+Layer) with Adam on the generator's examples for
    ``config.epochs`` epochs; one epoch is one example per training positive. With ``valid``, recall@50 on it
    (training items excluded) is recorded after each epoch (a learning curve; the last epoch is the model).

    ``resume``: a History of this function with the same settings; training continues from a copy of where it
    stopped (model, Adam's state, the example stream) for ``config.epochs`` more epochs, its curves extended, so
    that 3 epochs then 3 more give exactly the model of 6 (``resume`` itself is left untouched)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = RecoNet(space.n_features, space.n_items, config.dim, config.hidden).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    result = History(model, space, optimiser=optimiser, rng=rng)
    if resume is not None:
        model.load_state_dict(resume.model.state_dict())
        optimiser.load_state_dict(copy.deepcopy(resume.optimiser.state_dict()))
        rng = result.rng = copy.deepcopy(resume.rng)
        result.loss, result.valid = list(resume.loss), list(resume.valid)
    generator = ExampleGenerator(space, history, config.beta, drop_label_attributes=config.drop_label_attributes)
    seconds = []
    bar = tqdm(range(config.epochs), desc=model.name, leave=False, disable=not progress)
    for _ in bar:
        started = time.perf_counter()
        model.train()
        order = rng.permutation(len(generator.pairs))
        total = 0.0
        for start in range(0, len(order), config.batch):
            columns, offsets, labels = generator.sparse_batch(rng, generator.pairs[order[start : start + config.batch]])
            pooled = model.pool_bags(columns, offsets)
            logits = model.head(pooled)
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels).to(device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(labels)
        seconds.append(time.perf_counter() - started)
        loss = total / len(order)
        result.loss.append(loss)
        if valid is None:
            continue
        value = recall(scores(model, generator.profiles, device=device), valid, history)
        result.valid.append(value)
        bar.set_postfix(loss=f"{loss:.3f}", recall=f"{value:.4f}")
    model.eval()
    result.seconds_per_epoch = float(np.mean(seconds))
    return result


# --- the tuning rule shared by every method ------------------------------------------------------------------------
Scorer = Callable[[np.ndarray], np.ndarray]  # user rows -> (len(rows), n_items) scores


@dataclass
class Tuned:
    """One row of Table 1: the configuration chosen on validation recall@50 and its test recall@50."""

    method: str
    attributes: bool
    config: dict
    valid: float
    test: float
    trials: list  # (config, validation recall@50) for every configuration tried
    seconds: float
    scorer: Scorer = field(repr=False)
    curve: np.ndarray | None = field(default=None, repr=False)
    users: np.ndarray | None = field(default=None, repr=False)  # test recall@50 per user (NaN: no test item)


def tune(
    method: str,
    attributes: bool,
    grid: list[dict],
    fit: Callable[[dict], Scorer],
    split: UserSplit,
    progress: bool = True,
) -> Tuned:
    """Fit ``method`` once per configuration of ``grid`` on the training part, keep the configuration with the best
    validation recall@50 (training items excluded), and report its test recall@50 (training and validation items
    excluded: they are known positives, not targets)."""
    started = time.perf_counter()
    rows = np.arange(split.n_users)
    trials, best = [], None
    for config in tqdm(
        grid,
        desc=f"{method} ({'with' if attributes else 'without'} attributes)",
        leave=False,
        disable=not progress or len(grid) == 1,
    ):
        scorer = fit(config)
        score = scorer(rows)
        value = recall(score, split.valid, split.train)
        trials.append((config, value))
        if best is None or value > best[1]:
            best = (config, value, scorer, score)
    config, value, scorer, score = best
    known = split.train + split.valid
    test = recall(score, split.test, known)
    curve = recall_curve(score, split.test, known)
    users = per_user_recall(score, split.test, known)
    return Tuned(method, attributes, config, value, test, trials, time.perf_counter() - started, scorer, curve, users)


# --- cold start (section 5.2) --------------------------------------------------------------------------------------
def cold_start_users(split: UserSplit, share: float = 0.1, seed: int = 0) -> np.ndarray:
    """Rows of the users made cold: a random ``share`` of the (test) users."""
    rng = np.random.default_rng(seed + 1)
    has_test = np.flatnonzero(np.diff(split.test.indptr) > 0)
    return np.sort(rng.choice(has_test, size=max(1, int(round(share * len(has_test)))), replace=False))


def without_rows(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """``matrix`` with the given rows emptied (their history removed from training)."""
    keep = np.ones(matrix.shape[0], dtype=np.float32)
    keep[rows] = 0.0
    return sp.csr_matrix(sp.diags(keep) @ matrix)

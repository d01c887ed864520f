"""RecoNet's experiments: the feature space, the training-example generator of section 4.2, training, evaluation with
the validation-split tuning rule shared by every method of Table 1, and the cold-start setting of section 5.2.

Feature layout (columns of every profile matrix): the items first (so that feature ``j < n_items`` *is* output class
``j``), then the user attributes (gender, age group, occupation), then the item attributes (genres, and optionally the
decade of release). A user's profile is FS_u = V(u) ∪ Φ^U(u) ∪ Φ^V(V(u)) as a 0/1 row: an item attribute is on when
any of her training items has it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from replicate import metrics
from replicate.data.types import Dataset
from replicate.errors import ParameterError
from replicate.papers.reconet.model import RecoNet
from replicate.sparse import binarise
from replicate.splits import UserSplit

K = 50  # Table 1 reports recall@50


# --- features ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeatureSpace:
    """Global feature columns: ``labels`` and ``kinds`` per column; ``user_attrs`` (n_users x F) and ``item_attrs``
    (n_items x F) hold each user's and each item's attribute columns (zero blocks when attributes are off)."""

    n_items: int
    labels: np.ndarray
    kinds: np.ndarray
    user_attrs: sp.csr_matrix
    item_attrs: sp.csr_matrix

    @property
    def n_features(self) -> int:
        return len(self.labels)

    @property
    def attributes(self) -> bool:
        return self.n_features > self.n_items

    def columns(self, *kinds: str) -> np.ndarray:
        return np.flatnonzero(np.isin(self.kinds, kinds))

    def compact_user_attrs(self) -> sp.csr_matrix | None:
        """Only the user-attribute columns (for the baselines), or ``None`` without attributes."""
        cols = self.columns("gender", "age", "occupation")
        return self.user_attrs[:, cols].tocsr() if len(cols) else None

    def compact_item_attrs(self) -> sp.csr_matrix | None:
        cols = self.columns("genre", "decade")
        return self.item_attrs[:, cols].tocsr() if len(cols) else None

    def profiles(self, history: sp.csr_matrix, rows: np.ndarray | None = None) -> sp.csr_matrix:
        """0/1 profile rows FS_u from a (users x items) history; ``rows`` selects users (default all)."""
        if rows is not None:
            history = history[rows]
        items = sp.hstack([history, sp.csr_matrix((history.shape[0], self.n_features - self.n_items))]).tocsr()
        if not self.attributes:
            return binarise(items)
        users = self.user_attrs if rows is None else self.user_attrs[rows]
        return binarise(items + users + history @ self.item_attrs)


def feature_space(dataset: Dataset, split: UserSplit, attributes: bool = True, decades: bool = False) -> FeatureSpace:
    """Items of ``split`` as features, plus (``attributes``) gender, age group, occupation and genres, plus
    (``decades``) the decade of release as one more item attribute."""
    items = dataset.items.loc[split.items]
    labels = [f"{t}" for t in items["title"]]
    kinds = ["movie"] * len(labels)
    n_items = len(labels)
    user_blocks, item_blocks = [], []
    if attributes:
        users = dataset.users.loc[split.users]
        for kind, column, prefix in (
            ("gender", "gender", ""),
            ("age", "age_group", "age "),
            ("occupation", "occupation", ""),
        ):
            values = users[column].astype("string").fillna("unknown")
            categories = sorted(values.unique())
            index = pd.Series(np.arange(len(categories)), index=categories)
            start = len(labels)
            labels += [
                f"{prefix}{c}" if kind != "gender" else {"M": "male", "F": "female"}.get(c, c) for c in categories
            ]
            kinds += [kind] * len(categories)
            user_blocks.append((start + index.loc[values].to_numpy()))
        genre_lists = items["genres"].tolist()
        genres = sorted({g for gs in genre_lists for g in gs})
        start = len(labels)
        labels += genres
        kinds += ["genre"] * len(genres)
        position = {g: start + i for i, g in enumerate(genres)}
        item_blocks.append([[position[g] for g in gs] for gs in genre_lists])
        if decades:
            decade = (items["year"].astype("Float64") // 10 * 10).astype("Int64")
            names = sorted(decade.dropna().unique())
            start = len(labels)
            labels += [f"{d}s" for d in names]
            kinds += ["decade"] * len(names)
            position = {d: start + i for i, d in enumerate(names)}
            item_blocks.append([[position[d]] if pd.notna(d) else [] for d in decade])
    n_features = len(labels)
    rows = np.repeat(np.arange(len(split.users)), len(user_blocks)) if user_blocks else np.zeros(0, int)
    cols = np.stack(user_blocks, axis=1).ravel() if user_blocks else np.zeros(0, int)
    user_attrs = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(split.users), n_features))
    item_rows, item_cols = [], []
    for block in item_blocks:
        for item, columns in enumerate(block):
            item_rows += [item] * len(columns)
            item_cols += columns
    item_attrs = sp.csr_matrix(
        (np.ones(len(item_rows), np.float32), (item_rows, item_cols)), shape=(n_items, n_features)
    )
    return FeatureSpace(n_items, np.array(labels, dtype=object), np.array(kinds), user_attrs, item_attrs)


# --- the training-example generator of section 4.2 -----------------------------------------------------------------
def extra_removals(rng: np.random.Generator, n: int, beta: float, limit=None) -> np.ndarray:
    """How many features are removed besides the label, for ``n`` examples (at most ``limit`` each, an int or an
    array: what is left to remove; required when ``beta`` is 0, where removal never stops by chance).

    The label is always removed (rank r = 0). Given that r features are already removed, one more is removed with
    probability ``1 / (r + 1)^β``, so the feature of rank r is removed with probability ``1 / ((r + 1)!)^β``.
    """
    if beta <= 0 and limit is None:
        raise ParameterError("beta must be > 0 unless a limit is given: with beta = 0 every feature is removed")
    limit = np.broadcast_to(np.iinfo(np.int64).max if limit is None else np.asarray(limit), (n,))
    count = np.zeros(n, dtype=np.int64)
    active = count < limit
    removed = 1
    while active.any():
        active &= rng.random(n) < (removed + 1.0) ** -beta
        count += active
        active &= count < limit
        removed += 1
    return count


def removal_probability(rank: np.ndarray | int, beta: float) -> np.ndarray:
    """P(the feature of rank r is removed) = 1 / ((r + 1)!)^β (rank 0 is the label: probability 1)."""
    from scipy.special import gammaln

    return np.exp(-beta * gammaln(np.asarray(rank, dtype=float) + 2.0))


class ExampleGenerator:
    """Training examples from users' histories: one item always removed as the label; further features (items and
    attributes alike) removed with diminishing probability. The label item's own attributes leave the input unless
    another remaining item carries them, so that a training input looks like a test input; a further removed item
    keeps its attributes (the paper removes features independently, and an attribute may be removed on its own)."""

    def __init__(self, space: FeatureSpace, history: sp.csr_matrix, beta: float):
        self.space, self.history, self.beta = space, history.tocsr(), beta
        self.profiles = space.profiles(self.history)
        self.attr_cols = space.columns("genre", "decade")
        self.attr_counts = (self.history @ space.item_attrs)[:, self.attr_cols].tocsr() if len(self.attr_cols) else None
        self.pairs = np.stack(self.history.nonzero(), axis=1).astype(np.int64)  # (user row, item) per positive

    def batch(self, rng: np.random.Generator, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, labels = pairs[:, 0], pairs[:, 1]
        inputs = self.profiles[rows].toarray()
        index = np.arange(len(rows))
        inputs[index, labels] = 0.0
        if self.attr_counts is not None:
            remaining = self.attr_counts[rows].toarray() - self.space.item_attrs[labels][:, self.attr_cols].toarray()
            inputs[:, self.attr_cols] = remaining > 0
        left = inputs.sum(axis=1).astype(np.int64) - 1  # keep at least one feature
        for b in np.flatnonzero(extra := extra_removals(rng, len(rows), self.beta, limit=np.maximum(left, 0))):
            present = np.flatnonzero(inputs[b])
            inputs[b, rng.choice(present, size=int(extra[b]), replace=False)] = 0.0
        return inputs, labels


# --- training and evaluation ---------------------------------------------------------------------------------------
@dataclass
class RecoNetConfig:
    dim: int = 64
    hidden: int = 0
    beta: float = 1.0
    epochs: int = 3
    batch: int = 1024
    lr: float = 4e-3


@dataclass
class Trained:
    model: RecoNet
    space: FeatureSpace
    history: list = field(default_factory=list)  # per epoch: (loss, validation recall@50)
    seconds_per_epoch: float = float("nan")


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
) -> Trained:
    """Train RecoNet (``config.hidden`` > 0: RecoNet+Layer) with Adam on the generator's examples for
    ``config.epochs`` epochs; one epoch is one example per training positive. With ``valid``, recall@50 on it
    (training items excluded) is recorded after each epoch (a learning curve; the last epoch is the model)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = RecoNet(space.n_features, space.n_items, config.dim, config.hidden).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    generator = ExampleGenerator(space, history, config.beta)
    result = Trained(model, space)
    seconds = []
    bar = tqdm(range(config.epochs), desc=model.name, leave=False, disable=not progress)
    for _ in bar:
        started = time.perf_counter()
        model.train()
        order = rng.permutation(len(generator.pairs))
        total = 0.0
        for start in range(0, len(order), config.batch):
            inputs, labels = generator.batch(rng, generator.pairs[order[start : start + config.batch]])
            logits = model(torch.from_numpy(inputs).to(device))
            loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels).to(device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(labels)
        seconds.append(time.perf_counter() - started)
        loss = total / len(order)
        if valid is None:
            result.history.append((loss, float("nan")))
            continue
        value = recall(scores(model, generator.profiles, device=device), valid, history)
        result.history.append((loss, value))
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
    return Tuned(method, attributes, config, value, test, trials, time.perf_counter() - started, scorer, curve)


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

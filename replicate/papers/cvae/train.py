"""Training and evaluation of Mult-VAE and C-VAE under the strong-generalisation protocol."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from replicate import metrics, stats
from replicate.papers.cvae.conditions import UNCONDITIONED, Conditions, conditioned_examples, one_hot, targets
from replicate.papers.cvae.model import MultVAE, vae_loss


@dataclass
class Config:
    """Adam 1e-3, batches of 500 examples, at most ``epochs`` epochs, early stopping after ``patience`` epochs without
    a better validation nDCG@100. β grows linearly with the optimisation steps and reaches ``beta_cap`` after
    ``anneal_epochs`` epochs' worth of steps, then stays there: the same schedule per epoch for Mult-VAE and C-VAE,
    although a C-VAE epoch has about 15 times more steps."""

    epochs: int = 100
    patience: int = 10
    batch_size: int = 500
    lr: float = 1e-3
    beta_cap: float = 8e-3
    anneal_epochs: float = 10.0
    seed: int = 0
    device: str = "cpu"
    snapshot_epochs: tuple = ()  # keep the best state so far after these epochs (1-based), e.g. for an ablation


TrainConfig = Config  # the name used before the common vocabulary (issue 10)


@dataclass
class History:
    loss: list = field(default_factory=list)
    valid_ndcg: list = field(default_factory=list)
    beta: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # optimiser steps taken up to the end of each epoch
    best_epoch: int = -1
    stopped_early: bool = False
    snapshots: dict = field(default_factory=dict)  # epoch (1-based) -> (best epoch so far, its state dict)

    @property
    def best_steps(self) -> int:
        """Optimiser steps up to the kept epoch."""
        return self.steps[self.best_epoch]

    @property
    def best_ndcg(self) -> float:
        return self.valid_ndcg[self.best_epoch]


def kept_line(name: str, history: History) -> str:
    """The line a chapter prints of a training: the epoch it kept, of how many, and its seconds of training."""
    return (
        f"{name}: kept epoch {history.best_epoch + 1} of {len(history.valid_ndcg)}, "
        f"{sum(history.seconds):.1f} s of training"
    )


def _rows(matrix: sp.csr_matrix, index: np.ndarray) -> np.ndarray:
    return matrix[index].toarray()


def scores(
    model: MultVAE,
    fold_in: sp.csr_matrix,
    condition: int | np.ndarray = UNCONDITIONED,
    batch: int = 1000,
    device: str | None = None,
) -> np.ndarray:
    """Item scores (logits) for each fold-in row under ``condition`` (one for all rows, or one per row); the fold-in
    items themselves get ``-inf`` so that they are never recommended. The batches go to ``device``, by default the
    model's own."""
    device = next(model.parameters()).device if device is None else device
    model.eval()
    n = fold_in.shape[0]
    conds = np.broadcast_to(np.asarray(condition), (n,))
    out = np.empty(fold_in.shape, dtype=np.float32)
    with torch.no_grad():
        for start in range(0, n, batch):
            part = slice(start, start + batch)
            x = torch.from_numpy(_rows(fold_in, np.arange(n)[part])).to(device)
            c = torch.from_numpy(one_hot(conds[part], model.n_conditions)).to(device) if model.n_conditions else None
            logits, _, _ = model(x, c)
            out[part] = logits.cpu().numpy()
    return metrics.exclude(out, fold_in)


def evaluate(model: MultVAE, fold_in: sp.csr_matrix, heldout: sp.csr_matrix, device: str | None = None) -> dict:
    """Mean nDCG@100, Recall@20 and Recall@50 over users with held-out items (per-user values under ``per_user``)."""
    return quality(scores(model, fold_in, device=device), heldout)


def popularity_scores(train: sp.csr_matrix, fold_in: sp.csr_matrix) -> np.ndarray:
    """The popularity recommender (the multvae_* rows' null): every fold-in row scores each item by its number of
    training users, its own fold-in items at ``-inf`` as in :func:`scores`."""
    return metrics.exclude(
        np.tile(np.asarray(train.sum(axis=0), dtype=np.float32).ravel(), (fold_in.shape[0], 1)), fold_in
    )


def quality(s: np.ndarray, heldout: sp.csr_matrix) -> dict:
    """:func:`evaluate`'s metrics of the scores ``s`` (rows: users, columns: items)."""
    per_user = {
        "nDCG@100": metrics.ndcg_at_k(s, heldout, 100),
        "Recall@20": metrics.recall_at_k(s, heldout, 20),
        "Recall@50": metrics.recall_at_k(s, heldout, 50),
    }
    return {**{k: float(np.nanmean(v)) for k, v in per_user.items()}, "per_user": per_user}


def train(
    model: MultVAE,
    history: sp.csr_matrix,
    valid_in: sp.csr_matrix,
    valid_out: sp.csr_matrix,
    config: Config,
    conditions: Conditions | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` in place and leave it at its best validation epoch.

    Without ``conditions`` every user is one unconditioned example (Mult-VAE); with them, the conditioned examples of
    :func:`replicate.papers.cvae.conditions.conditioned_examples` (C-VAE).
    """
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    if conditions is None:
        users = np.flatnonzero(np.asarray(history.sum(axis=1)).ravel() > 0)
        conds = np.full(len(users), UNCONDITIONED)
    else:
        users, conds = conditioned_examples(history, conditions)
    model.to(config.device)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr, foreach=True)
    anneal_steps = max(1.0, config.anneal_epochs * np.ceil(len(users) / config.batch_size))
    log, best_state, step, waited = History(), None, 0, 0
    bar = tqdm(range(config.epochs), desc=f"{'C-VAE' if conditions else 'Mult-VAE'}", disable=not progress)
    for epoch in bar:
        start = time.perf_counter()
        model.train()
        order = rng.permutation(len(users))
        total = 0.0
        for begin in range(0, len(order), config.batch_size):
            batch = order[begin : begin + config.batch_size]
            rows = _rows(history, users[batch])
            target = rows if conditions is None else targets(rows, conds[batch], conditions)
            x = torch.from_numpy(rows).to(config.device)
            c = None
            if model.n_conditions:
                c = torch.from_numpy(one_hot(conds[batch], model.n_conditions)).to(config.device)
            beta = config.beta_cap * min(1.0, step / anneal_steps)
            logits, mu, logvar = model(x, c)
            loss = vae_loss(logits, torch.from_numpy(target).to(config.device), mu, logvar, beta)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
            step += 1
        ndcg = evaluate(model, valid_in, valid_out, device=config.device)["nDCG@100"]
        log.loss.append(total / len(order))
        log.valid_ndcg.append(ndcg)
        log.beta.append(beta)
        log.seconds.append(time.perf_counter() - start)
        log.steps.append(step)
        bar.set_postfix(loss=f"{log.loss[-1]:.1f}", ndcg=f"{ndcg:.4f}")
        if log.best_epoch < 0 or ndcg > log.best_ndcg:
            log.best_epoch, best_state, waited = epoch, copy.deepcopy(model.state_dict()), 0
        else:
            waited += 1
        if epoch + 1 in config.snapshot_epochs:
            log.snapshots[epoch + 1] = (log.best_epoch, copy.deepcopy(best_state))
        if waited >= config.patience:
            log.stopped_early = True
            break
    for epoch in config.snapshot_epochs:  # stopped before a snapshot epoch: the model it would have kept is the last
        log.snapshots.setdefault(epoch, (log.best_epoch, copy.deepcopy(best_state)))
    model.load_state_dict(best_state)
    model.eval()
    return log


def conditioned_evaluation(
    models: dict,
    fold_in: sp.csr_matrix,
    heldout: sp.csr_matrix,
    conditions: Conditions,
    device: str | None = None,
) -> dict:
    """Ranking quality when a user asks for one genre.

    For every (test user, genre) pair with at least one held-out movie of that genre, the relevant items are the
    user's held-out movies of that genre. Each entry of ``models`` is ``(model, mode)``: ``"plain"`` ranks as the
    model always does; ``"filter"`` drops every movie outside the genre from that ranking (the obvious way to serve a
    genre request with an unconditioned model); ``"condition"`` gives the genre as C-VAE's condition. Returns, per
    entry, the mean nDCG@100 and Recall@20 over the pairs, and the number of pairs.
    """
    per_genre = np.asarray((heldout @ conditions.items) > 0)
    users, conds = np.nonzero(per_genre)
    in_genre = conditions.items[:, conds].T > 0
    relevant = heldout[users].toarray() * in_genre
    fold = fold_in[users]
    out, per_pair = {}, {}
    for name, (model, mode) in models.items():
        if mode not in ("plain", "filter", "condition"):
            raise ValueError(f"mode must be plain, filter or condition, not {mode!r}")
        if mode == "condition":
            s = scores(model, fold, condition=conds, device=device)
        else:
            s = scores(model, fold_in, device=device)[users]
            if mode == "filter":
                s = np.where(in_genre, s, -np.inf)
        ndcg = metrics.ndcg_at_k(s, relevant, 100)
        out[name] = {
            "nDCG@100": float(np.nanmean(ndcg)),
            "Recall@20": float(np.nanmean(metrics.recall_at_k(s, relevant, 20))),
        }
        per_pair[name] = ndcg
    out["pairs"] = len(users)
    out["per_pair"] = per_pair
    out["users"] = users
    return out


def paired_difference(a: np.ndarray, b: np.ndarray, users: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``a - b`` over users (each user's pairs averaged first, since one user's pairs are not independent)
    with its 95 % Student-t interval over users: (mean, low, high)."""
    diff = pd.Series(np.asarray(a) - np.asarray(b)).groupby(np.asarray(users)).mean()
    return stats.t_interval(diff.dropna().to_numpy())

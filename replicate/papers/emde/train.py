"""EMDE's training: codes for every modality, input and target sketches, the model, its training and evaluation.

A user's sketch in ``liked`` counts her liked input movies, in ``disliked`` her disliked ones, and in the content
modalities the units of her liked input movies. The output is the ``liked`` sketch of the movies to predict.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from replicate import metrics
from replicate.baselines import ease
from replicate.papers.emde.embedding import cleora
from replicate.papers.emde.inputs import Inputs, mask_seen
from replicate.papers.emde.lsh import DLSH
from replicate.papers.emde.modalities import Modality
from replicate.papers.emde.network import EMDENet, sketch_loss
from replicate.papers.emde.sketch import decode, normalise_input, normalise_target, sketch
from replicate.repro import torch_threads


@dataclass
class Config:
    dim: int = 128
    iterations: int = 1  # Cleora propagation steps; not in the paper (the chapter ablates 1 against 3)
    n_sketches: int = 10
    depth: int = 7
    hidden: int = 1024
    layers: int = 3
    epochs: int = 20
    batch_size: int = 64
    lr: float = 4e-3
    target_share: float = 0.2
    decay: float | None = None  # optional time decay of the input sketches (None: every movie counts 1)
    seed: int = 0
    device: str = "cpu"

    @property
    def width(self) -> int:
        return 2**self.depth


def fit_codes(modalities: list[Modality], interactions: sp.csr_matrix, config: Config) -> None:
    """Embed each modality's units and hash them (in place). ``interactions``: (n_items, n_users) training graph."""
    item_embedding = cleora(interactions, config.dim, config.iterations, seed=config.seed)
    for k, modality in enumerate(modalities):
        if modality.name in ("liked", "disliked"):
            embedding = item_embedding
        else:
            embedding = cleora(modality.movie_units.T.tocsr(), config.dim, config.iterations, seed=config.seed + k)
        lsh = DLSH.fit(embedding, config.n_sketches, config.depth, seed=config.seed + 100 + k)
        modality.codes = lsh.codes(embedding)
        modality.buckets = None


def movie_buckets(modality: Modality, width: int) -> sp.csr_matrix:
    """(n_items, n_sketches * width): how many of each movie's units fall in each bucket of each sketch, so that a
    user's sketch is her movies times this matrix (one small product instead of one per sketch over her units)."""
    n_units, n_sketches = modality.codes.shape
    columns = (modality.codes + width * np.arange(n_sketches)[None, :]).ravel()
    rows = np.repeat(np.arange(n_units), n_sketches)
    units_to_buckets = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, columns)), shape=(n_units, n_sketches * width)
    )
    return (modality.movie_units @ units_to_buckets).tocsr()


def input_sketches(modalities: list[Modality], inputs: Inputs, width: int) -> np.ndarray:
    """(n_users, n_modalities * n_sketches * width): the normalised sketches of every modality, concatenated. The
    same counts as :func:`replicate.papers.emde.sketch.sketch` of the user's units (a test checks it)."""
    parts = []
    for m in modalities:
        movies = inputs.liked if m.source == "liked" else inputs.disliked
        if m.buckets is None:
            m.buckets = movie_buckets(m, width)
        counts = np.asarray((movies @ m.buckets).todense(), dtype=np.float32)
        n_sketches = m.codes.shape[1]
        parts.append(normalise_input(counts.reshape(movies.shape[0], n_sketches, width)).reshape(movies.shape[0], -1))
    return np.concatenate(parts, axis=1)


def target_sketch(items: sp.csr_matrix, modality: Modality, width: int) -> np.ndarray:
    return normalise_target(sketch(items @ modality.movie_units, modality.codes, width))


def _random_holdout(liked: sp.csr_matrix, share: float, rng) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Split each row's items at random: about ``share`` (at least one) to predict, the rest as input."""
    liked = liked.tocoo()
    order = np.lexsort((rng.random(liked.nnz), liked.row))
    rows = liked.row[order]
    starts = np.searchsorted(rows, rows, side="left")
    rank = np.arange(len(rows)) - starts
    counts = np.bincount(rows, minlength=liked.shape[0])[rows]
    held = rank < np.maximum(1, np.floor(share * counts))
    weights = liked.data[order]

    def part(mask, keep_weights):
        data = weights[mask] if keep_weights else np.ones(mask.sum(), np.float32)
        return sp.csr_matrix((data, (rows[mask], liked.col[order][mask])), shape=liked.shape)

    return part(~held, True), part(held, False)  # inputs keep their (decay) weights; targets count each movie once


@dataclass
class EMDEModel:
    modalities: list[Modality]
    net: EMDENet
    config: Config
    catalogue: np.ndarray  # dataset item indices that can be recommended

    @property
    def device(self) -> torch.device:
        return next(self.net.parameters()).device

    @property
    def output(self) -> Modality:
        return self.modalities[0]

    def inputs_vector(self, inputs: Inputs) -> torch.Tensor:
        """The users' concatenated input sketches, on the model's device."""
        return torch.from_numpy(input_sketches(self.modalities, inputs, self.config.width)).to(self.device)

    def item_codes(self) -> torch.Tensor:
        return torch.from_numpy(self.output.codes[self.catalogue]).to(self.device)

    def scores(self, inputs: Inputs, batch: int = 512) -> np.ndarray:
        """(n_users, len(catalogue)) decoded scores; movies in the user's input get -inf."""
        self.net.eval()
        x = self.inputs_vector(inputs)
        codes = self.item_codes()
        out = []
        with torch.no_grad():
            for start in range(0, len(x), batch):
                out.append(decode(self.net(x[start : start + batch]), codes).cpu().numpy())
        return mask_seen(np.concatenate(out), inputs, self.catalogue)


@dataclass
class History:
    """What :func:`train` returns: the trained ``model``, the mean training loss and the wall time of each epoch."""

    model: EMDEModel
    losses: list = field(default_factory=list)
    seconds: list = field(default_factory=list)


def train(
    modalities: list[Modality],
    train_liked: sp.csr_matrix,
    train_disliked: sp.csr_matrix,
    catalogue: np.ndarray,
    config: Config,
    progress: bool = True,
) -> History:
    """Train on training users (rows of the (n_users, n_items) matrices): each epoch re-draws, per user, a random
    share of her liked movies as the target and gives the rest, and all her disliked movies, as input. The trained
    model is ``History.model``."""
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    in_dim = len(modalities) * config.n_sketches * config.width
    net = EMDENet(in_dim, config.n_sketches, config.width, config.hidden, config.layers).to(config.device)
    model = EMDEModel(modalities, net, config, catalogue)
    history = History(model)
    optimiser = torch.optim.Adam(net.parameters(), lr=config.lr)
    with torch_threads(1):  # small operations: one thread (replicate.repro.torch_threads says why)
        _epochs(model, history, optimiser, train_liked, train_disliked, config, rng, progress)
    net.eval()
    return history


def _epochs(model, history, optimiser, train_liked, train_disliked, config, rng, progress):
    net = model.net
    for _ in tqdm(range(config.epochs), desc="EMDE", disable=not progress):
        start = time.perf_counter()
        liked_in, liked_out = _random_holdout(train_liked, config.target_share, rng)
        x = model.inputs_vector(Inputs(liked_in, train_disliked)).cpu()
        y = torch.from_numpy(target_sketch(liked_out, model.output, config.width))
        net.train()
        total = 0.0
        order = torch.from_numpy(rng.permutation(len(x)))
        for begin in range(0, len(x), config.batch_size):
            idx = order[begin : begin + config.batch_size]
            if len(idx) < 2:  # BatchNorm needs two rows
                continue
            loss = sketch_loss(net.logits(x[idx].to(config.device)), y[idx].to(config.device))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(idx)
        history.losses.append(total / len(x))
        history.seconds.append(time.perf_counter() - start)


def evaluate(scores_by_model: dict, heldout: sp.csr_matrix, ks=(1, 10, 20, 50)) -> pd.DataFrame:
    """Recall@k (denominator min(k, n)) and nDCG@100 of each model's scores (rows: models), mean over users."""
    rows = {}
    for name, s in scores_by_model.items():
        row = {f"Recall@{k}": float(np.nanmean(metrics.recall_at_k(s, heldout, k))) for k in ks}
        row["nDCG@100"] = float(np.nanmean(metrics.ndcg_at_k(s, heldout, 100)))
        rows[name] = row
    return pd.DataFrame(rows).T


def tune_ease(
    train: sp.csr_matrix, fold_in: sp.csr_matrix, heldout: sp.csr_matrix, grid=(50, 100, 200, 500, 1000)
) -> float:
    """The L2 weight of EASE (:class:`replicate.baselines.EASE`) with the best validation nDCG@100 on ``grid``."""
    results, g = {}, ease.gram(train)
    for l2 in grid:
        scores = metrics.exclude(np.asarray(fold_in @ ease.weights(g, float(l2))), fold_in)
        results[l2] = np.nanmean(metrics.ndcg_at_k(scores, heldout, 100))
    return max(results, key=results.get)

"""EMDE on MovieLens with several input modalities, and its interpretation by Integrated Gradients.

Modalities (each a set of *units* with an embedding and LSH codes, and a map from movies to units):

- ``liked`` / ``disliked``: the movies themselves, embedded from the co-interaction graph of the training users;
- ``cast``: actors, directors and writers from the knowledge graph (ML-100K), embedded from the entity-movie graph;
- ``genres``: genres, embedded from the genre-movie graph;
- ``title``: title words (a stand-in for plot texts), embedded from the word-movie graph.

A user's sketch in ``liked`` counts her liked input movies, in ``disliked`` her disliked ones, and in ``cast``,
``genres`` and ``title`` the units of her liked input movies. The output is the ``liked`` sketch of the movies to
predict. A modality is pluggable: :class:`Modality` takes any unit-movie matrix, so plots or poster clusters given by
a path become one more modality.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from replicate import metrics
from replicate.data.types import Dataset
from replicate.papers.emde.embedding import cleora
from replicate.papers.emde.lsh import DLSH
from replicate.papers.emde.network import EMDENet, sketch_loss
from replicate.papers.emde.sketch import decode, normalise_input, normalise_target, sketch
from replicate.splits import StrongSplit

CAST_RELATIONS = ("actor", "director", "writer")
STOPWORDS = frozenset("the a an of and in on to for with from at by is it its de la le les el der die das".split())


@dataclass
class Modality:
    """``movie_units[i, u] = 1`` when movie i (dataset index) carries unit u; ``source`` says which of the user's
    input movies feed the modality (``liked`` or ``disliked``)."""

    name: str
    labels: list
    movie_units: sp.csr_matrix
    source: str
    codes: np.ndarray | None = None

    @property
    def n_units(self) -> int:
        return len(self.labels)


def title_tokens(title: str) -> list[str]:
    """Lower-case words of a title without its year, articles moved to the end ("Godfather, The") included."""
    title = re.sub(r"\(\d{4}\)\s*$", "", title)
    return sorted({w for w in re.findall(r"[a-z][a-z']+", title.lower()) if w not in STOPWORDS and len(w) > 2})


def _merge_alike(pairs: pd.DataFrame) -> pd.DataFrame:
    """Merge units that link to exactly the same movies: the model cannot tell them apart (same embedding, same
    buckets), so they become one unit labelled by the first of them and how many more there are."""
    movie_set = pairs.groupby("unit")["item"].apply(lambda s: tuple(sorted(set(s))))
    groups = movie_set.groupby(movie_set).groups
    rename = {}
    for members in groups.values():
        members = sorted(members)
        label = members[0] if len(members) == 1 else f"{members[0]} (+{len(members) - 1} alike)"
        rename.update({m: label for m in members})
    return pairs.assign(unit=pairs["unit"].map(rename)).drop_duplicates()


def _units(
    pairs: pd.DataFrame, n_items: int, name: str, source: str = "liked", min_movies: int = 1, merge_alike: bool = False
) -> Modality:
    """A modality from (item, unit) pairs, keeping units shared by at least ``min_movies`` movies."""
    movies_per_unit = pairs.groupby("unit")["item"].nunique()
    pairs = pairs[pairs["unit"].isin(movies_per_unit.index[movies_per_unit >= min_movies])]
    if merge_alike:
        pairs = _merge_alike(pairs)
    labels = sorted(pairs["unit"].unique())
    column = pd.Series(np.arange(len(labels)), index=labels)
    matrix = sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.float32), (pairs["item"].to_numpy(), column.loc[pairs["unit"]].to_numpy())),
        shape=(n_items, len(labels)),
    )
    matrix.data[:] = 1.0
    return Modality(name, labels, matrix, source)


def build_modalities(dataset: Dataset, min_movies: int = 2) -> list[Modality]:
    """The five modalities of this chapter (cast needs the knowledge graph).

    Cast members and title words that appear in fewer than ``min_movies`` movies are left out: such a unit only ever
    co-occurs with its one movie, so it hashes exactly like that movie's other single-movie units and carries nothing
    the ``liked`` modality does not. Cast members linked to exactly the same movies are merged into one unit.
    """
    n = dataset.n_items
    identity = sp.identity(n, format="csr", dtype=np.float32)
    titles = dataset.items["title"].tolist()
    out = [
        Modality("liked", titles, identity, "liked"),
        Modality("disliked", titles, identity, "disliked"),
    ]
    if dataset.kg is not None:
        facts = dataset.kg.triples[dataset.kg.triples["relation"].isin(CAST_RELATIONS)]
        cast = pd.DataFrame(
            {"item": facts["item"], "unit": dataset.kg.entities["label"].loc[facts["entity"]].to_numpy()}
        )
        out.append(_units(cast.drop_duplicates(), n, "cast", min_movies=min_movies, merge_alike=True))
    genres = dataset.items["genres"].explode().dropna()
    out.append(_units(pd.DataFrame({"item": genres.index, "unit": genres.to_numpy()}), n, "genres"))
    words = [(i, w) for i, t in enumerate(titles) for w in title_tokens(t)]
    out.append(_units(pd.DataFrame(words, columns=["item", "unit"]), n, "title", min_movies=min_movies))
    return out


@dataclass
class EMDEConfig:
    dim: int = 128
    iterations: int = 1  # more iterations over-smooth ML-100K's dense co-interaction graph (see the chapter)
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


def fit_codes(modalities: list[Modality], interactions: sp.csr_matrix, config: EMDEConfig) -> None:
    """Embed each modality's units and hash them (in place). ``interactions``: (n_items, n_users) training graph."""
    item_embedding = cleora(interactions, config.dim, config.iterations, seed=config.seed)
    for k, modality in enumerate(modalities):
        if modality.name in ("liked", "disliked"):
            embedding = item_embedding
        else:
            embedding = cleora(modality.movie_units.T.tocsr(), config.dim, config.iterations, seed=config.seed + k)
        lsh = DLSH.fit(embedding, config.n_sketches, config.depth, seed=config.seed + 100 + k)
        modality.codes = lsh.codes(embedding)


@dataclass
class Inputs:
    """A batch of users' input movies: ``liked`` and ``disliked`` are (n_users, n_items) binary matrices."""

    liked: sp.csr_matrix
    disliked: sp.csr_matrix

    def without(self, user_item: np.ndarray) -> "Inputs":
        """The same users with one liked movie each removed (``user_item[b]`` for user b)."""
        liked = self.liked.tolil(copy=True)
        for b, item in enumerate(user_item):
            liked[b, item] = 0
        return Inputs(liked.tocsr(), self.disliked)


def input_sketches(modalities: list[Modality], inputs: Inputs, width: int) -> np.ndarray:
    """(n_users, n_modalities * n_sketches * width): the normalised sketches of every modality, concatenated."""
    parts = []
    for m in modalities:
        movies = inputs.liked if m.source == "liked" else inputs.disliked
        parts.append(normalise_input(sketch(movies @ m.movie_units, m.codes, width)).reshape(movies.shape[0], -1))
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
    config: EMDEConfig
    catalogue: np.ndarray  # dataset item indices that can be recommended
    losses: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def output(self) -> Modality:
        return self.modalities[0]

    def inputs_vector(self, inputs: Inputs) -> torch.Tensor:
        return torch.from_numpy(input_sketches(self.modalities, inputs, self.config.width))

    def item_codes(self) -> torch.Tensor:
        return torch.from_numpy(self.output.codes[self.catalogue])

    def scores(self, inputs: Inputs, batch: int = 512) -> np.ndarray:
        """(n_users, len(catalogue)) decoded scores; movies in the user's input get -inf."""
        self.net.eval()
        x = self.inputs_vector(inputs)
        codes = self.item_codes()
        out = []
        with torch.no_grad():
            for start in range(0, len(x), batch):
                out.append(decode(self.net(x[start : start + batch]), codes).numpy())
        return mask_seen(np.concatenate(out), inputs, self.catalogue)


def train(
    modalities: list[Modality],
    train_liked: sp.csr_matrix,
    train_disliked: sp.csr_matrix,
    catalogue: np.ndarray,
    config: EMDEConfig,
    progress: bool = True,
) -> EMDEModel:
    """Train on training users (rows of the (n_users, n_items) matrices): each epoch re-draws, per user, a random
    share of her liked movies as the target and gives the rest, and all her disliked movies, as input."""
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    in_dim = len(modalities) * config.n_sketches * config.width
    net = EMDENet(in_dim, config.n_sketches, config.width, config.hidden, config.layers).to(config.device)
    model = EMDEModel(modalities, net, config, catalogue)
    optimiser = torch.optim.Adam(net.parameters(), lr=config.lr)
    for _ in tqdm(range(config.epochs), desc="EMDE", disable=not progress):
        start = time.perf_counter()
        liked_in, liked_out = _random_holdout(train_liked, config.target_share, rng)
        x = model.inputs_vector(Inputs(liked_in, train_disliked))
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
        model.losses.append(total / len(x))
        model.seconds.append(time.perf_counter() - start)
    net.eval()
    return model


def _decayed(matrix: sp.csr_matrix, users: np.ndarray, dataset: Dataset, decay: float) -> sp.csr_matrix:
    """Weight each (user, movie) by ``decay ** k``, k = how many of the user's entries in ``matrix`` are more recent."""
    coo = matrix.tocoo()
    stamps = dataset.ratings.drop_duplicates(["user", "item"]).set_index(["user", "item"])["timestamp"]
    when = stamps.reindex(pd.MultiIndex.from_arrays([users[coo.row], coo.col])).to_numpy()
    frame = pd.DataFrame({"row": coo.row, "when": when})
    recency = frame.groupby("row")["when"].rank(method="first", ascending=False).to_numpy() - 1
    return sp.csr_matrix(((decay**recency).astype(np.float32), (coo.row, coo.col)), shape=matrix.shape)


def user_inputs(
    dataset: Dataset,
    users: np.ndarray,
    liked_in_catalogue: sp.csr_matrix,
    catalogue: np.ndarray,
    min_rating: float = 4.0,
    decay: float | None = None,
) -> Inputs:
    """Inputs of some users: their liked movies given as (n_users, n_catalogue) fold-in rows, and all their disliked
    movies (ratings below ``min_rating``) from the dataset. With ``decay`` (e.g. 0.9), older movies weigh less in the
    sketches: the k-th most recent counts ``decay ** k``."""
    n = dataset.n_items
    liked = sp.csr_matrix(liked_in_catalogue, dtype=np.float32)
    coo = liked.tocoo()
    liked = sp.csr_matrix((coo.data, (coo.row, catalogue[coo.col])), shape=(len(users), n))
    r = dataset.ratings[dataset.ratings["user"].isin(users) & (dataset.ratings["rating"] < min_rating)]
    row = pd.Series(np.arange(len(users)), index=users).loc[r["user"]].to_numpy()
    disliked = sp.csr_matrix((np.ones(len(r), np.float32), (row, r["item"].to_numpy())), shape=(len(users), n))
    disliked.data[:] = 1.0
    if decay is not None:
        liked, disliked = _decayed(liked, users, dataset, decay), _decayed(disliked, users, dataset, decay)
    return Inputs(liked, disliked)


def ranking_report(scores_by_model: dict, heldout: sp.csr_matrix, ks=(1, 10, 20, 50)) -> pd.DataFrame:
    rows = {}
    for name, s in scores_by_model.items():
        row = {f"Recall@{k}": float(np.nanmean(metrics.recall_at_k(s, heldout, k))) for k in ks}
        row["nDCG@100"] = float(np.nanmean(metrics.ndcg_at_k(s, heldout, 100)))
        rows[name] = row
    return pd.DataFrame(rows).T


# --- baselines ------------------------------------------------------------------------------------------------------


def popularity_scores(train: sp.csr_matrix, fold_in: sp.csr_matrix) -> np.ndarray:
    s = np.tile(np.asarray(train.sum(axis=0), dtype=np.float64), (fold_in.shape[0], 1))
    return metrics.exclude(s, fold_in)


def ease_weights(train: sp.csr_matrix, l2: float) -> np.ndarray:
    """EASE (Steck 2019): B = I - P / diag(P) with P = (XᵀX + λI)⁻¹, zero diagonal."""
    gram = (train.T @ train).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += l2
    p = np.linalg.inv(gram)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    return b


def ease_scores(weights: np.ndarray, fold_in: sp.csr_matrix) -> np.ndarray:
    return metrics.exclude(np.asarray(fold_in @ weights), fold_in)


def fold_in_catalogue(inputs: Inputs, catalogue: np.ndarray) -> sp.csr_matrix:
    """The users' liked input movies as a binary (n_users, n_catalogue) matrix: the baselines' input."""
    liked = sp.csr_matrix(inputs.liked[:, catalogue])
    liked.data[:] = 1.0
    return liked


def mask_seen(scores: np.ndarray, inputs: Inputs, catalogue: np.ndarray) -> np.ndarray:
    """Scores with every input movie (liked or disliked) set to -inf, the same exclusion for every model."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    return metrics.exclude(scores, (inputs.liked + inputs.disliked)[:, catalogue])


def split_inputs(dataset: Dataset, split: StrongSplit, part: str, decay: float | None = None):
    """(users, inputs, held-out) of the ``valid`` or ``test`` users of a strong-generalisation split."""
    users = getattr(split, f"{part}_users")
    inputs = user_inputs(dataset, users, getattr(split, f"{part}_in"), split.items, decay=decay)
    return users, inputs, getattr(split, f"{part}_out")


def modality_from_csv(path, dataset: Dataset, name: str | None = None) -> Modality:
    """A modality given by a user: a CSV with columns ``movie`` (a title as in ``dataset.items``) and ``unit`` (a
    plot word, a poster cluster, ...), one row per (movie, unit); fed by the user's liked input movies."""
    from pathlib import Path

    from replicate.errors import DatasetError

    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as error:
        raise DatasetError(f"could not read the modality file {path}: {error}") from None
    if not {"movie", "unit"} <= set(table.columns):
        raise DatasetError(f"{path} needs the columns movie,unit (found {', '.join(table.columns)})")
    index = pd.Series(dataset.items.index.to_numpy(), index=dataset.items["title"].to_numpy())
    known = table["movie"].isin(index.index)
    if not known.any():
        raise DatasetError(f"none of the movies in {path} match a title of {dataset.name}")
    pairs = pd.DataFrame({"item": index.loc[table.loc[known, "movie"]].to_numpy(), "unit": table.loc[known, "unit"]})
    return _units(pairs.drop_duplicates(), dataset.n_items, name or path.stem)


def interaction_graph(ratings: pd.DataFrame, n_items: int, n_users: int) -> sp.csr_matrix:
    """(n_items, n_users) binary graph of who rated what, the input of the movie embedding."""
    graph = sp.csr_matrix(
        (np.ones(len(ratings), np.float32), (ratings["item"].to_numpy(), ratings["user"].to_numpy())),
        shape=(n_items, n_users),
    )
    graph.data[:] = 1.0
    return graph


def tune_ease(
    train: sp.csr_matrix, fold_in: sp.csr_matrix, heldout: sp.csr_matrix, grid=(50, 100, 200, 500, 1000)
) -> float:
    """The L2 weight of EASE with the best validation nDCG@100 on ``grid``."""
    results = {
        l2: np.nanmean(metrics.ndcg_at_k(ease_scores(ease_weights(train, l2), fold_in), heldout, 100)) for l2 in grid
    }
    return max(results, key=results.get)


def stack_inputs(*parts: Inputs) -> Inputs:
    return Inputs(sp.vstack([p.liked for p in parts]).tocsr(), sp.vstack([p.disliked for p in parts]).tocsr())


def select(inputs: Inputs, rows) -> Inputs:
    return Inputs(inputs.liked[rows], inputs.disliked[rows])

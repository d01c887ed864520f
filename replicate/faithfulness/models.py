"""The explained recommenders, each as ``model: (batch, n_items) 0/1 history -> (batch, n_items) scores``, trained
here with the paper packages' own code on one strong-generalisation split (items are the unit of explanation):

- **RecoNet** and **RecoNet + Layer** (:mod:`replicate.papers.reconet`), without user or item attributes, so that the
  input is the item history alone (the pooling divides by its size); their own explanation is LRP
  (:func:`replicate.papers.reconet.lrp.relevance`);
- **Mult-VAE** (:mod:`replicate.papers.cvae`, no condition), trained with early stopping on the validation users and
  scored through :class:`DenseMultVAE` (the same encoder as a dense product, whose gradient reaches every input: the
  package's sparse first layer only passes gradients to the non-zero inputs);
- **EASE** (:mod:`replicate.baselines.ease`): linear, ``s = x B``; its own explanation is the exact decomposition of
  the target's score, ``x_i B_it``;
- **EMDE** (:mod:`replicate.papers.emde`) on the ``liked`` modality alone (the history is the liked movies), trained
  with the package's ``train`` and scored through :class:`DenseEMDE` (the sketch of a history is linear in it, so the
  history's items are the unit and gradients reach them through that map); its own explanation is the EMDE chapter's
  decoded IG (:func:`replicate.papers.emde.explain.explain`, then
  :func:`~replicate.papers.emde.explain.movie_scores`: a movie's attribution is the mean of its buckets' cells).

:func:`randomised` re-draws a model's weights for the sanity check (Adebayo et al. 2018), all at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import nn

from replicate.baselines.ease import EASE
from replicate.papers.cvae import model as cvae_model
from replicate.papers.cvae import train as cvae_train
from replicate.papers.emde import explain as emde_explain
from replicate.papers.emde import train as emde_train
from replicate.papers.emde.inputs import Inputs
from replicate.papers.emde.modalities import Modality
from replicate.papers.emde.network import EMDENet
from replicate.papers.emde.sketch import decode
from replicate.papers.reconet import lrp
from replicate.papers.reconet import train as reconet_train
from replicate.papers.reconet.features import FeatureSpace
from replicate.papers.reconet.model import untrained_like
from replicate.splits import StrongSplit

NULL_OFFSET = 1000  # a randomised model's weights are drawn with the chapter's seed + 1000


@dataclass
class Recommender:
    """A trained model as the protocol sees it; ``kind`` says how to re-draw it and what its own explanation is."""

    name: str
    kind: str  # "reconet", "multvae", "ease" or "emde"
    model: nn.Module
    own: str | None = None  # the name of its own explanation, if it has one


def item_space(n_items: int) -> FeatureSpace:
    """RecoNet's feature space with the items as the only features (no user or item attributes)."""
    return FeatureSpace(
        n_items,
        np.array([str(i) for i in range(n_items)], dtype=object),
        np.array(["movie"] * n_items),
        sp.csr_matrix((0, n_items), dtype=np.float32),
        sp.csr_matrix((n_items, n_items), dtype=np.float32),
    )


def train_reconet(
    split: StrongSplit, hidden: int, epochs: int, dim: int, seed: int, device: str, max_users: int | None = None
) -> Recommender:
    """RecoNet (``hidden`` = 0) or RecoNet + Layer on the training users (the first ``max_users`` of them when
    given: the smoke profile's budget), with the package's ``train``."""
    train = split.train if max_users is None else split.train[:max_users]
    model = fit_reconet(train, split.n_items, hidden, epochs, dim, seed, device)
    return Recommender(model.name.replace("+", " + "), "reconet", model, own="LRP (own)")


def fit_reconet(rows, n_items: int, hidden: int, epochs: int, dim: int, seed: int, device: str) -> nn.Module:
    """A RecoNet (``hidden`` = 0) or RecoNet + Layer trained on the 0/1 history ``rows`` (users x items) with the
    package's ``train``, in evaluation mode."""
    config = reconet_train.Config(dim=dim, hidden=hidden, epochs=epochs)
    history = reconet_train.train(item_space(n_items), sp.csr_matrix(rows), config, seed=seed, device=device,
                                  progress=False)  # fmt: skip
    return history.model.eval()


class DenseMultVAE(nn.Module):
    """A trained Mult-VAE's deterministic scores (the mean of q(z | x), decoded) with a dense first layer."""

    def __init__(self, vae: cvae_model.MultVAE):
        super().__init__()
        self.vae = vae.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        v = self.vae
        h = torch.tanh(F.linear(F.normalize(x, p=2, dim=1), v.encoder.w_items_t.T, v.encoder.bias))
        mu = v.to_stats(h)[:, : v.latent]
        return v.decode(mu)


def train_multvae(split: StrongSplit, epochs: int, hidden: int, latent: int, seed: int, device: str) -> Recommender:
    """Mult-VAE with the package's ``train`` (early stopping on the validation users)."""
    torch.manual_seed(seed)
    vae = cvae_model.MultVAE(split.n_items, 0, hidden=hidden, latent=latent)
    config = cvae_train.Config(epochs=epochs, patience=max(2, epochs // 4), seed=seed, device=device)
    cvae_train.train(vae, split.train, split.valid_in, split.valid_out, config, progress=False)
    return Recommender("Mult-VAE", "multvae", DenseMultVAE(vae).to(device))


class Linear(nn.Module):
    """``s = x B`` for an item-item weight matrix ``B`` (EASE)."""

    def __init__(self, weights: np.ndarray):
        super().__init__()
        self.register_buffer("B", torch.as_tensor(np.asarray(weights), dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.B


def train_ease(split: StrongSplit, l2: float, device: str) -> Recommender:
    fitted = EASE(l2=float(l2)).fit(split.train)
    return Recommender("EASE", "ease", Linear(fitted.weights_).to(device), own="x·B (own)")


class DenseEMDE(nn.Module):
    """A trained EMDE (``liked`` modality only) as ``history (batch, n_catalogue) -> scores (batch, n_catalogue)``:
    the history's sketch (each movie counted in its bucket of each sketch), L2-normalised per sketch as the package
    does, through the network, decoded at the catalogue's codes. ``emde`` keeps the package's model for its own
    explanation."""

    def __init__(self, emde: emde_train.EMDEModel, n_dataset_items: int):
        super().__init__()
        self.emde, self.n_dataset_items = emde, n_dataset_items
        self.net = emde.net.eval()
        m, width = emde.output, emde.config.width  # the liked modality: each movie is its own unit
        self.register_buffer("codes", emde.item_codes())  # (n_catalogue, n_sketches): each movie's bucket per sketch
        self.shape = (m.codes.shape[1], width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n_sketches, width = self.shape
        index = self.codes.T.unsqueeze(0).expand(len(x), -1, -1)  # (batch, n_sketches, n_catalogue)
        counts = torch.zeros(len(x), n_sketches, width, dtype=x.dtype, device=x.device)
        counts = counts.scatter_add(2, index, x.unsqueeze(1).expand(-1, n_sketches, -1))  # each movie into its bucket
        sketch = counts / counts.norm(dim=-1, keepdim=True).clamp_min(1e-12)  # zero where the history is empty
        return decode(self.net(sketch.reshape(len(x), -1)), self.codes)


def train_emde(
    split: StrongSplit, n_dataset_items: int, hidden: int, epochs: int, seed: int, device: str
) -> Recommender:
    """EMDE with the package's ``fit_codes`` and ``train`` on the ``liked`` modality (the training users' histories,
    no disliked movies): the history in, the catalogue's scores out."""
    liked = Modality("liked", [str(i) for i in range(n_dataset_items)], sp.identity(n_dataset_items, format="csr",
                     dtype=np.float32), "liked")  # fmt: skip
    config = emde_train.Config(hidden=hidden, epochs=epochs, seed=seed, device=device)
    train = _dataset_items(split.train, split.items, n_dataset_items)
    emde_train.fit_codes([liked], train.T.tocsr(), config)
    empty = sp.csr_matrix(train.shape, dtype=np.float32)
    fitted = emde_train.train([liked], train, empty, split.items, config, progress=False).model
    return Recommender("EMDE", "emde", DenseEMDE(fitted, n_dataset_items), own="decoded IG (own)")


def _dataset_items(rows, catalogue: np.ndarray, n_dataset_items: int) -> sp.csr_matrix:
    """(n, n_catalogue) 0/1 rows as (n, n_dataset_items), the columns moved to the dataset's item indices."""
    coo = sp.coo_matrix(rows)
    ones = np.ones(coo.nnz, np.float32)
    return sp.csr_matrix((ones, (coo.row, catalogue[coo.col])), shape=(coo.shape[0], n_dataset_items))


def emde_own(model: DenseEMDE, history: np.ndarray, targets: np.ndarray, steps: int = 32) -> np.ndarray:
    """The EMDE chapter's decoded IG, in the catalogue's columns: IG on the input sketch's cells (zero baseline) of
    the target's output-bucket sum, a movie's attribution the mean of its buckets' cells."""
    emde = model.emde
    liked = _dataset_items(np.asarray(history) > 0, emde.catalogue, model.n_dataset_items)
    inputs = Inputs(liked, sp.csr_matrix(liked.shape, dtype=np.float32))
    attribution = emde_explain.explain(emde, inputs, emde.catalogue[np.asarray(targets)], steps=steps)
    movies = emde_explain.movie_scores(attribution, emde, inputs, 0)[:, emde.catalogue]
    return np.nan_to_num(movies, nan=0.0)


def scores(model: nn.Module, history: np.ndarray, device: str, batch: int = 2048) -> np.ndarray:
    out = []
    with torch.no_grad():
        for start in range(0, len(history), batch):
            x = torch.as_tensor(history[start : start + batch], dtype=torch.float32, device=device)
            out.append(model(x).cpu().numpy())
    return np.concatenate(out)


def top_targets(model: nn.Module, history: np.ndarray, device: str) -> np.ndarray:
    """Each user's top recommendation, her history excluded."""
    s = scores(model, history, device).astype(np.float64)
    s[np.asarray(history) > 0] = -np.inf
    return s.argmax(axis=1)


def own_explanation(rec: Recommender, history: np.ndarray, targets: np.ndarray, device: str) -> np.ndarray:
    """The model's own relevances (n_users, n_items), zero off the history: LRP for RecoNet, ``x_i B_it`` for EASE."""
    x = torch.as_tensor(np.asarray(history) > 0, dtype=torch.float32, device=device)
    t = torch.as_tensor(targets, dtype=torch.long, device=device)
    if rec.kind == "reconet":
        return lrp.relevance(rec.model, x, t).cpu().numpy().astype(np.float64)
    if rec.kind == "ease":
        return (x * rec.model.B[:, t].T).cpu().numpy().astype(np.float64)
    if rec.kind == "emde":
        return emde_own(rec.model, history, targets)
    raise ValueError(f"{rec.name} has no explanation of its own")


def randomised(rec: Recommender, seed: int) -> nn.Module:
    """``rec``'s model with every weight re-drawn at once (the untrained initialisation of ``seed`` for RecoNet and
    Mult-VAE; for EASE, whose weights are no initialisation but a closed form, its off-diagonal weights permuted at
    random, which keeps their distribution and breaks which item they connect)."""
    if rec.kind == "reconet":
        return untrained_like(rec.model, seed)
    if rec.kind == "multvae":
        vae = rec.model.vae
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            fresh = cvae_model.MultVAE(vae.n_items, 0, hidden=vae.decoder_hidden.out_features, latent=vae.latent)
        return DenseMultVAE(fresh.to(next(vae.parameters()).device))
    if rec.kind == "emde":
        emde, net = rec.model.emde, rec.model.net
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            c = emde.config
            fresh = EMDENet(net.project.in_features, c.n_sketches, c.width, c.hidden, c.layers)
        shadow = emde_train.EMDEModel(emde.modalities, fresh.to(emde.device).eval(), emde.config, emde.catalogue)
        return DenseEMDE(shadow, rec.model.n_dataset_items)
    if rec.kind == "ease":
        B = rec.model.B.cpu().numpy().copy()
        off = ~np.eye(len(B), dtype=bool)
        B[off] = np.random.default_rng(seed).permutation(B[off])
        return Linear(B).to(rec.model.B.device)
    raise ValueError(f"unknown model kind {rec.kind!r}")

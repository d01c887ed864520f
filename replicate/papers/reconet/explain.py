"""Helpers of the explanation studies of RecoNet (Figures 5-8): what the model is fed, and the top features."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from replicate.errors import ReplicateError
from replicate.papers.reconet import deletion, lime, lrp
from replicate.papers.reconet.features import FeatureSpace
from replicate.splits import UserSplit


def ranking_inputs(space: FeatureSpace, split: UserSplit, rows: np.ndarray | None = None, device: str = "cpu"):
    """What the explanation studies feed the model: each user's profile from her training history, and the mask of
    the items she cannot be recommended (training and validation items), as tensors on ``device``."""
    rows = np.arange(split.n_users) if rows is None else rows
    profiles = torch.from_numpy(space.profiles(split.train, rows).toarray()).to(device)
    exclude = torch.from_numpy((split.train + split.valid)[rows].toarray() > 0).to(device)
    return profiles, exclude


def top_features(space: FeatureSpace, relevance: torch.Tensor, n: int = 6, positive: bool = True) -> pd.DataFrame:
    """The ``n`` most relevant features of one relevance row, with their labels and kinds."""
    values = relevance.double().cpu().numpy()
    order = np.argsort(-values, kind="stable")
    order = [k for k in order if values[k] != 0 and (values[k] > 0 or not positive)][:n]
    return pd.DataFrame({"feature": space.labels[order], "kind": space.kinds[order], "relevance": values[order]})


@dataclass
class Case:
    """The users closest to the paper's Figure 5 example: those who rank ``target`` best, and its LRP explanation."""

    target: int
    title: str
    users: np.ndarray  # rows, best rank first
    ranks: np.ndarray  # rank of the target for each of them (1: their top recommendation)
    relevances: torch.Tensor  # (len(users), n_features): LRP of the target for each


def paper_case(model, space: FeatureSpace, profiles, exclude, title: str = "Men in Black", n: int = 20) -> Case:
    """The paper's movie (the first title starting with ``title``), the ``n`` users who rank it best among the
    movies they may be recommended, and the LRP relevances of that movie for each of them."""
    titles = space.labels[: space.n_items]
    found = [i for i, t in enumerate(titles) if str(t).startswith(title)]
    if not found:
        raise ReplicateError(f"no movie titled {title!r}* in this dataset: pass another title to paper_case")
    target = found[0]
    with torch.no_grad():
        logits = model(profiles.to(model.Q.dtype)).masked_fill(exclude.bool(), float("-inf"))
    ranks = (logits > logits[:, target : target + 1]).sum(dim=1).cpu().numpy() + 1
    ranks = np.where(exclude[:, target].cpu().numpy(), np.iinfo(np.int64).max, ranks)  # already seen: not a candidate
    users = np.argsort(ranks, kind="stable")[:n]
    targets = torch.full((len(users),), target, dtype=torch.long, device=profiles.device)
    relevance = lrp.relevance(model, profiles[torch.as_tensor(users, device=profiles.device)], targets)
    return Case(target, str(titles[target]), users, ranks[users], relevance)


@dataclass
class LimeStudy:
    """LIME against LRP on the same users: LIME's coefficients, its seconds per explanation, and the deletion curves
    (Δŷ_c per user and k) of LRP's, LIME's and a random ranking, per model."""

    users: np.ndarray
    weights: dict  # model name -> (users, n_features)
    seconds: dict  # model name -> seconds per explanation
    curves: dict  # "<model>: LRP" / "<model>: LIME" / "<model>: random" -> (users, len(ks))
    inferences: dict  # model name -> the black box's inputs per explanation (counted), one per user


def lime_study(models: dict, explained_by: dict, profiles, users, ks, n_samples: int, random_keys) -> LimeStudy:
    """captum's LIME (:mod:`.lime`) on ``users`` for each model of ``explained_by`` (name -> (targets, relevances))."""
    weights, seconds, curves, inferences = {}, {}, {}, {}
    rows = profiles[users]
    for name, (target, relevance) in explained_by.items():
        inferences[name] = []
        found, seconds[name] = lime.seconds_per_explanation(
            models[name], rows, target[users], n_samples=n_samples, counted=inferences[name]
        )
        weights[name] = torch.stack(found)
        for label, keys in (("LRP", relevance[users]), ("LIME", weights[name]), ("random", random_keys[users])):
            curves[f"{name}: {label}"] = deletion.deletion_deltas(models[name], rows, target[users], keys, ks)
    return LimeStudy(np.asarray(users), weights, seconds, curves, inferences)


def more_samples(study: LimeStudy, models: dict, name: str, profiles, target, ks, n_samples: int) -> dict:
    """LIME on the users of ``study`` for model ``name`` again, with ``n_samples`` samples (the Why of Figure 8: is
    LIME's disagreement with LRP its sampling noise?): its deletion curves and its seconds per explanation."""
    rows = profiles[study.users]
    found, seconds = lime.seconds_per_explanation(models[name], rows, target[study.users], n_samples=n_samples)
    curves = deletion.deletion_deltas(models[name], rows, target[study.users], torch.stack(found), ks)
    return {"curves": curves, "seconds": seconds, "n_samples": n_samples}


def one_by_one_seconds(model, profiles, exclude, users) -> float:
    """LRP's wall time to recommend and explain for one user at a time (batch of one, after a warm-up; on a GPU,
    until its queued work is done)."""
    one = torch.as_tensor(users)
    wait = torch.cuda.synchronize if profiles.is_cuda else (lambda: None)
    lrp.explain_top(model, profiles[one[:2]], exclude[one[:2]], batch=1)
    wait()
    started = time.perf_counter()
    lrp.explain_top(model, profiles[one], exclude[one], batch=1)
    wait()
    return (time.perf_counter() - started) / len(one)


def _seconds_per_user(explain, users, wait) -> float:
    """Mean wall time of ``explain(u)`` over ``users``, one at a time, after a warm-up on two of them (``wait``: until
    a GPU's queued work is done)."""
    users = [int(u) for u in users]
    for u in users[:2]:
        explain(u)
    wait()
    started = time.perf_counter()
    for u in users:
        explain(u)
    wait()
    return (time.perf_counter() - started) / len(users)


@torch.no_grad()
def occlusion_seconds(model, profiles, exclude, users) -> float:
    """The null of LRP's speed: occlusion (a general-purpose explainer, one inference per feature) for one user at a
    time, timed as :func:`one_by_one_seconds` times LRP: her top recommendation, then one batched forward pass of her
    profile with each present feature removed in turn, and the drops of the target's logit."""
    wait = torch.cuda.synchronize if profiles.is_cuda else (lambda: None)

    def explain(u):
        row = profiles[u : u + 1].to(model.Q.dtype)
        target = model(row).masked_fill(exclude[u : u + 1].bool(), float("-inf")).argmax(dim=1)
        present = torch.nonzero(row[0] > 0).ravel()
        removed = row.repeat(len(present), 1)
        removed[torch.arange(len(present), device=row.device), present] = 0
        return deletion.target_logit(model, removed, target.expand(len(present))) - deletion.target_logit(
            model, row, target
        )

    return _seconds_per_user(explain, users, wait)


def input_x_gradient_seconds(model, profiles, exclude, users) -> float:
    """The second null of LRP's speed: captum's InputXGradient (a general-purpose explainer as cheap as one gradient)
    for one user at a time, timed as :func:`one_by_one_seconds` times LRP: her top recommendation, then the gradient
    of its logit times her profile."""
    from captum.attr import InputXGradient

    wait = torch.cuda.synchronize if profiles.is_cuda else (lambda: None)
    explainer = InputXGradient(model)

    def explain(u):
        row = profiles[u : u + 1].to(model.Q.dtype).clone().requires_grad_()
        with torch.no_grad():
            target = model(row).masked_fill(exclude[u : u + 1].bool(), float("-inf")).argmax(dim=1)
        return explainer.attribute(row, target=target)

    return _seconds_per_user(explain, users, wait)


@torch.no_grad()
def logit_spread(model, profiles) -> np.ndarray:
    """Per user, the standard deviation of the model's logits over the items: the units in which its ranking is
    decided (what the pertinence of an untrained network is compared in)."""
    return model(profiles.to(model.Q.dtype)).double().std(dim=1).cpu().numpy()


def untrained_drops(model, seed: int, profiles, exclude, rich, random_keys, k: int) -> dict:
    """The untrained null of the pertinence tests (Figures 6 and 7, Figure 8): an untrained network of ``model``'s
    shape and ``seed`` (:func:`~replicate.papers.reconet.model.untrained_like`), LRP on its own top recommendation for
    every user, and Δŷ_c after removing her top ``k`` or ``k`` random features (``random_keys``; the ``rich`` users) and
    her top 1 or one random feature (every user): the quantities the trained network's claims measure; ``scale``, the
    spread of its logits for the ``rich`` users (:func:`logit_spread`)."""
    from replicate.papers.reconet.model import untrained_like

    blank = untrained_like(model, seed)
    targets, _, relevances = lrp.explain_top(blank, profiles, exclude)
    out = {"model": blank, "targets": targets, "relevances": relevances, "scale": logit_spread(blank, profiles[rich])}
    for label, keys in (("top", relevances), ("random", random_keys)):
        out[f"{label}_k"] = deletion.deletion_deltas(blank, profiles[rich], targets[rich], keys[rich], [k])[:, 0]
        out[f"{label}1"] = deletion.deletion_deltas(blank, profiles, targets, keys, [1])[:, 0]
    return out

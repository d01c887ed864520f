"""Faithfulness of the interpretable skip transformer's explanation, whose unit is a feature group.

The model (:mod:`replicate.papers.skip`, trained here with the package's ``build`` and ``train`` on generated
sessions) predicts, for each second-half track of a session, the probability of a skip; its own explanation is the
mixture's attribution over the candidate subsets, read as an attribution to each feature group
(:func:`replicate.papers.skip.attribution.group_attribution`: the session position, shared by every subset, is not a
candidate). Per session, an explainer names its top group; the protocol masks that group (its columns set to zero in
both halves of the session, the model not retrained) and records

- ``Δprob``: the mean over the session's second-half tracks of ``|p - p_masked|`` (higher is more faithful);
- ``Δacc``: the session's accuracy minus its accuracy with the group masked (higher is more faithful).

Explainers: the model's gates (own); Saliency per group (the summed absolute gradient of the session's predicted
probabilities over the group's columns); FeatureAblation per group (the counterfactual itself: the group whose masking
moves the probabilities most, the ceiling); a random group, the floor; and the best constant group (the one group
whose masking moves the probabilities most on average, the same for every session), the null of the gates. All per
session, paired over sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from replicate.papers.skip import attribution as skip_attribution
from replicate.papers.skip import sources
from replicate.papers.skip import train as skip_train

OWN = "gates (own)"
SALIENCY = "Saliency (groups)"
ABLATION = "FeatureAblation (groups)"
RANDOM = "random group"
SECOND_RANDOM = "random group (second draw)"
CONSTANT = "best constant group"  # the null of the gates: one group for every session, the best on these sessions
READINGS = ("Δprob", "Δacc")
SHARED = ("position",)


@dataclass
class GroupStudy:
    groups: tuple[str, ...]  # the candidate groups (the shared ones left out)
    top: dict = field(default_factory=dict)  # explainer -> (n_sessions,) index into groups
    readings: dict = field(default_factory=dict)  # explainer -> reading -> (n_sessions,)
    accuracy: float = float("nan")


def train_skip(n_sessions: int, n_test: int, epochs: int, model_settings: dict, seed: int, device: str):
    """The interpretable transformer trained on ``n_sessions`` generated sessions; (model, test sessions)."""
    train, valid, test = sources.synthetic_sessions(n_sessions, seed=seed, n_test=n_test)
    torch.manual_seed(seed)
    model = skip_train.build("interpretable", train, **model_settings)
    config = skip_train.Config(epochs=epochs, batch_size=256, lr=3e-3, seed=seed, device=device, progress=False)
    skip_train.train(model, train, valid, config)
    return model.eval(), test


def columns(layout, group: str) -> slice | None:
    """The columns of ``group`` in a half's ``(name, width)`` layout (None when the half has no such group)."""
    start = 0
    for name, width in layout:
        if name == group:
            return slice(start, start + width)
        start += width
    return None


def masked(sessions, group: np.ndarray, names: tuple[str, ...]):
    """(left, right) copies of the sessions' features with, per session, group ``names[group[i]]`` set to zero."""
    left, right = sessions.left.copy(), sessions.right.copy()
    for g, name in enumerate(names):
        rows = np.flatnonzero(group == g)
        for array, layout in ((left, sessions.left_groups), (right, sessions.right_groups)):
            cols = columns(layout, name)
            if cols is not None:
                array[rows, :, cols] = 0.0
    return left, right


def _probabilities(model, left, right, sessions, device: str, batch: int = 1024) -> np.ndarray:
    out = []
    with torch.no_grad():
        for start in range(0, len(left), batch):
            sl = slice(start, start + batch)
            args = [
                torch.as_tensor(a[sl], device=device) for a in (left, right, sessions.left_mask, sessions.right_mask)
            ]
            out.append(model.predict(model(*args))[0].cpu().numpy())
    return np.concatenate(out)


def session_readings(prob: np.ndarray, masked_prob: np.ndarray, y: np.ndarray, mask: np.ndarray) -> dict:
    """Per session: ``Δprob`` (mean |p - p_masked| over its tracks) and ``Δacc`` (accuracy minus masked accuracy)."""
    mask = np.asarray(mask) > 0
    n = np.maximum(mask.sum(axis=1), 1)
    truth = np.asarray(y) > 0.5
    correct = lambda p: ((np.asarray(p) > 0.5) == truth) & mask  # noqa: E731
    return {
        "Δprob": (np.abs(prob - masked_prob) * mask).sum(axis=1) / n,
        "Δacc": (correct(prob).sum(axis=1) - correct(masked_prob).sum(axis=1)) / n,
    }


def gate_groups(model, sessions, names: tuple[str, ...], device: str) -> np.ndarray:
    """(n_sessions, groups): the gates' attribution to each candidate group, averaged over the second-half tracks."""
    pred = skip_train.predict(model, sessions, device=device)
    shares = skip_attribution.group_attribution(pred.attribution, model.subsets, SHARED)
    keep = [model.subsets.groups.index(g) for g in names]
    mask = sessions.right_mask[..., None] > 0
    return (shares[..., keep] * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)


def saliency_groups(model, sessions, names: tuple[str, ...], device: str) -> np.ndarray:
    """(n_sessions, groups): the summed absolute gradient of the session's predicted probabilities (second-half
    tracks) over each group's columns, both halves."""
    args = [torch.as_tensor(a, device=device) for a in (sessions.left, sessions.right)]
    left, right = (a.clone().requires_grad_(True) for a in args)
    lm, rm = (torch.as_tensor(a, device=device) for a in (sessions.left_mask, sessions.right_mask))
    prob = model.predict(model(left, right, lm, rm))[0]
    gl, gr = torch.autograd.grad((prob * rm).sum(), (left, right))
    out = np.zeros((len(sessions), len(names)))
    for g, name in enumerate(names):
        for grad, layout in ((gl, sessions.left_groups), (gr, sessions.right_groups)):
            cols = columns(layout, name)
            if cols is not None:
                out[:, g] += grad[..., cols].abs().sum(dim=(1, 2)).cpu().numpy()
    return out


def run(model, sessions, rng: np.random.Generator, device: str = "cpu") -> GroupStudy:
    """Every explainer's top group per session, and the readings when it is masked."""
    names = tuple(g for g in model.subsets.groups if g not in SHARED)
    study = GroupStudy(names)
    prob = _probabilities(model, sessions.left, sessions.right, sessions, device)
    mask = sessions.right_mask
    study.accuracy = float((((prob > 0.5) == (sessions.y > 0.5)) & (mask > 0)).sum() / max(mask.sum(), 1))
    n = len(sessions)
    by_group = []  # the readings when each group is masked in every session (FeatureAblation's and the others')
    for g in range(len(names)):
        left, right = masked(sessions, np.full(n, g), names)
        by_group.append(session_readings(prob, _probabilities(model, left, right, sessions, device), sessions.y, mask))
    relevance = {
        OWN: gate_groups(model, sessions, names, device),
        SALIENCY: saliency_groups(model, sessions, names, device),
        ABLATION: np.stack([r["Δprob"] for r in by_group], axis=1),
    }
    study.top = {name: r.argmax(axis=1) for name, r in relevance.items()}
    study.top[RANDOM] = rng.integers(0, len(names), n)
    study.top[SECOND_RANDOM] = rng.integers(0, len(names), n)
    # the best single group, chosen on the same sessions (in-sample: it favours the null)
    study.top[CONSTANT] = np.full(n, int(np.argmax([b["Δprob"].mean() for b in by_group])))
    rows = np.arange(n)
    for name, top in study.top.items():
        study.readings[name] = {r: np.stack([b[r] for b in by_group], axis=1)[rows, top] for r in READINGS}
    return study


def table(study: GroupStudy, seed: int = 0):
    """Explainers as rows: each reading's mean with its bootstrap interval over sessions, the paired gain over the
    random group on Δprob, and how often each explainer's top group is each group."""
    import pandas as pd

    from replicate import stats

    rows = {}
    for name in [n for n in study.readings if n != SECOND_RANDOM]:
        row = {}
        for reading, values in study.readings[name].items():
            mean, low, high = stats.bootstrap_interval(values, seed=seed, n_boot=1000)
            row[reading] = f"{mean:.3f} [{low:.3f}, {high:.3f}]"
        gain = stats.bootstrap_interval(study.readings[name]["Δprob"] - study.readings[RANDOM]["Δprob"], seed=seed)
        row["Δprob gain over random"] = f"{gain[0]:+.3f} [{gain[1]:+.3f}, {gain[2]:+.3f}]"
        counts = np.bincount(study.top[name], minlength=len(study.groups)) / len(study.top[name])
        row["top group (share)"] = ", ".join(f"{g} {c:.0%}" for g, c in zip(study.groups, counts) if c > 0)
        rows[name] = row
    frame = pd.DataFrame(rows).T
    frame.index.name = "interpretable skip transformer"
    return frame


def variety(top: np.ndarray, n_groups: int) -> dict:
    """How varied an explainer's picks are: the share of its most frequent group, the number of groups it picks
    and the entropy of its picks in bits (zero: always the same group)."""
    share = np.bincount(top, minlength=n_groups) / max(len(top), 1)
    used = share[share > 0]
    return dict(mode_share=float(share.max()), groups=int(len(used)), bits=float(-(used * np.log2(used)).sum()))


def gates_beat_random(study: GroupStudy, reading: str = "Δprob", seed: int = 0) -> dict:
    """The paired gain of the gates' top group over a random group (masking moves the predictions more); the null:
    the best constant group (one group for every session, the best on these sessions) in the gates' place. If it
    passes too, the gates' per-session picks add nothing a single group does not. The note says how varied the
    gates' picks are (:func:`variety`)."""
    from replicate import stats

    def gain(name):
        return stats.bootstrap_interval(study.readings[name][reading] - study.readings[RANDOM][reading], seed=seed)

    ours, null = gain(OWN), gain(CONSTANT)
    v = variety(study.top[OWN], len(study.groups))
    return dict(
        ours=ours[0],
        interval=ours[1:],
        null=null[0],
        null_interval=null[1:],
        note=f"{len(study.top[OWN])} sessions; {len(study.groups)} candidate groups; the gates pick "
        f"{v['groups']} group(s), the most frequent in {v['mode_share']:.0%} of sessions ({v['bits']:.2f} bits); "
        f"best constant: {study.groups[study.top[CONSTANT][0]]}",
        variety=v,
    )

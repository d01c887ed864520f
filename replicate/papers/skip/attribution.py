"""Reading the attribution of an interpretable mixture of experts: dominant subsets, recovery, groups, positions.

The attribution of a prediction is the distribution α / Σ α over the candidate subsets S. Here:

- the **dominant subset** of a prediction is the subset with the largest share;
- the **recovery rate** is the share of predictions whose dominant subset is the one that generated the label (known
  for generated data only);
- the attribution **to a group** splits each subset's share equally among the groups it holds, leaving out *shared*
  groups that every subset holds (the session position): a group present everywhere cannot distinguish experts, so
  it is credited only with the share of the subsets made of shared groups alone. The group shares add up to 1.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from replicate.errors import ParameterError
from replicate.papers.skip.moe import Subsets


def dominant(attribution: np.ndarray) -> np.ndarray:
    """Index of the subset with the largest share, per prediction (last axis: subsets)."""
    return np.asarray(attribution).argmax(axis=-1)


def recovery_rate(attribution: np.ndarray, truth: np.ndarray, mask=None) -> float:
    """Share of predictions (where ``mask``) whose dominant subset equals ``truth`` (subset indices)."""
    hit = dominant(attribution) == np.asarray(truth)
    mask = np.ones(hit.shape, bool) if mask is None else np.asarray(mask, bool)
    if not mask.any():
        raise ParameterError("no prediction to score: the mask selects nothing")
    return float(hit[mask].mean())


def planted_subsets(subsets: Subsets, planted_groups: Sequence[Sequence[str]], shared=("position",)) -> np.ndarray:
    """For each planted mechanism (given by its groups), the index of the subset made of those groups plus the
    shared ones (the expert that should answer)."""
    out = []
    for groups in planted_groups:
        members = [g for g in subsets.groups if g in set(groups) or g in set(shared)]
        out.append(subsets.index(members))
    return np.array(out)


def recovery_by(attribution: np.ndarray, truth: np.ndarray, mask: np.ndarray, key: np.ndarray) -> dict:
    """Recovery rate for each value of ``key`` (an array shaped like ``truth``), where ``mask``."""
    return {k: recovery_rate(attribution, truth, mask & (key == k)) for k in np.unique(key[mask])}


def group_matrix(subsets: Subsets, shared: Sequence[str] = ("position",)) -> np.ndarray:
    """(subsets x groups) weights of the equal split described in the module docstring; rows add up to 1."""
    m = subsets.matrix.astype(float)
    unknown = set(shared) - set(subsets.groups)
    if unknown:
        raise ParameterError(f"shared groups {sorted(unknown)} are not groups of the subsets ({subsets.groups})")
    is_shared = np.array([g in set(shared) for g in subsets.groups])
    own = m * ~is_shared
    rows = np.where(own.sum(axis=1, keepdims=True) > 0, own, m)
    return rows / rows.sum(axis=1, keepdims=True)


def group_attribution(attribution: np.ndarray, subsets: Subsets, shared: Sequence[str] = ("position",)) -> np.ndarray:
    """Attribution to each group (last axis: ``subsets.groups``), from the attribution over subsets."""
    return np.asarray(attribution) @ group_matrix(subsets, shared)


def by_position(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over sessions of ``values`` (sessions, slots, ...) at each slot, over the sessions where ``mask``;
    NaN where no session has that slot."""
    values, mask = np.asarray(values, float), np.asarray(mask, bool)
    weights = mask.reshape(mask.shape + (1,) * (values.ndim - 2)).astype(float)
    count = weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(weights > 0, values, 0.0).sum(axis=0)
        return np.where(count > 0, total / count, np.nan)


def planted_truth(sessions, subsets: Subsets, shared=("position",)) -> tuple[np.ndarray, np.ndarray]:
    """(truth, known) over generated sessions' second-half slots: the index of the subset that should answer each
    label (its mechanism's groups plus the shared ones; -1 where unknown) and where it is known."""
    if sessions.planted is None:
        raise ParameterError(f"{sessions.name} has no planted mechanisms: recovery needs generated sessions")
    target = planted_subsets(subsets, sessions.planted_groups, shared)
    known = sessions.right_mask & (sessions.planted >= 0)
    return np.where(known, target[np.maximum(sessions.planted, 0)], -1), known


def recovery_by_position(attribution: np.ndarray, sessions, subsets: Subsets, shared=("position",)):
    """For generated sessions: (recovery rate per second-half position and mechanism, plus "all"; share of the labels
    each mechanism generated at each position), as two tables indexed by position 1..10."""
    import pandas as pd

    truth, known = planted_truth(sessions, subsets, shared)
    positions = np.broadcast_to(np.arange(1, truth.shape[1] + 1), truth.shape)
    names = np.array(sessions.planted_names, dtype=object)
    mechanism = np.where(known, names[np.maximum(sessions.planted, 0)], "")
    recovery = {
        name: pd.Series(recovery_by(attribution, truth, known & (mechanism == name), positions))
        for name in sessions.planted_names
        if (known & (mechanism == name)).any()
    }
    recovery["all"] = pd.Series(recovery_by(attribution, truth, known, positions))
    index = pd.RangeIndex(1, truth.shape[1] + 1, name="position")
    share = pd.DataFrame(
        {name: ((mechanism == name) & known).sum(0) / np.maximum(known.sum(0), 1) for name in sessions.planted_names},
        index=index,
    )
    return pd.DataFrame(recovery).reindex(index), share


def confusion(attribution: np.ndarray, sessions, subsets: Subsets):
    """Counts of (dominant subset, planted mechanism) over generated sessions' second-half tracks."""
    import pandas as pd

    _, known = planted_truth(sessions, subsets)
    names = np.array(sessions.planted_names, dtype=object)
    planted = pd.Series(names[sessions.planted[known]], name="planted mechanism")
    chosen = pd.Series([subsets.label(s) for s in dominant(attribution)[known]], name="dominant subset")
    return pd.crosstab(chosen, planted)

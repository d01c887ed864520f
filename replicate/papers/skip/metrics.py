"""The challenge's metrics, as pure functions of binary predictions and truths over the second half.

Arrays are (sessions, slots) with a boolean ``mask`` of the slots that hold a track; the second half is left-aligned
(slot 0 is the first track to predict), so a session's valid slots are a prefix.

- **Acc**: accuracy over every second-half track of every session, pooled;
- **Acc@1**: accuracy on the first track of the second half (one per session);
- **MAA**: the challenge's mean average accuracy: per session, AA = (1/T) Σ_{i=1..T} A(i) · L(i), where T is the
  number of tracks to predict, A(i) the accuracy over predictions 1..i and L(i) = 1 when prediction i is correct;
  averaged over sessions (each session counts once, whatever its length).
"""

from __future__ import annotations

import numpy as np

from replicate.errors import ParameterError

# Below this many test sessions a percentile bootstrap over sessions under-covers: the chapter's intervals are then
# widened to the worst case (replicate.papers.skip.measure), so that a handful of sessions decides nothing.
MIN_SESSIONS = 30


def _check(pred, truth, mask):
    pred, truth = np.asarray(pred).astype(bool), np.asarray(truth).astype(bool)
    mask = np.ones(pred.shape, bool) if mask is None else np.asarray(mask, bool)
    if pred.shape != truth.shape or pred.shape != mask.shape or pred.ndim != 2:
        raise ParameterError(f"predictions {pred.shape}, truths {truth.shape} and mask {mask.shape} must be equal 2-D")
    if not mask[:, 0].all():
        raise ParameterError("every session needs a first track to predict (mask[:, 0] all true)")
    if (np.diff(mask.astype(int), axis=1) > 0).any():
        raise ParameterError("the valid slots of a session must be a prefix (second half left-aligned)")
    return pred, truth, mask


def accuracy(pred, truth, mask=None) -> float:
    """Acc: share of correct predictions over every valid slot."""
    pred, truth, mask = _check(pred, truth, mask)
    return float((pred == truth)[mask].mean())


def first_accuracy(pred, truth, mask=None) -> float:
    """Acc@1: share of sessions whose first second-half track is predicted right."""
    pred, truth, mask = _check(pred, truth, mask)
    return float((pred[:, 0] == truth[:, 0]).mean())


def average_accuracy(pred, truth, mask=None) -> np.ndarray:
    """AA per session: (1/T) Σ_i A(i) L(i)."""
    pred, truth, mask = _check(pred, truth, mask)
    correct = ((pred == truth) & mask).astype(float)
    i = np.arange(1, pred.shape[1] + 1)
    running = np.cumsum(correct, axis=1) / i  # A(i)
    T = mask.sum(axis=1)
    return (running * correct).sum(axis=1) / T


def mean_average_accuracy(pred, truth, mask=None) -> float:
    """MAA: the mean over sessions of :func:`average_accuracy`."""
    return float(average_accuracy(pred, truth, mask).mean())


def skip_metrics(pred, truth, mask=None) -> dict[str, float]:
    """{"Acc", "Acc@1", "MAA"} for binary predictions."""
    return {
        "Acc": accuracy(pred, truth, mask),
        "Acc@1": first_accuracy(pred, truth, mask),
        "MAA": mean_average_accuracy(pred, truth, mask),
    }

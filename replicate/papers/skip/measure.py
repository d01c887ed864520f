"""The chapter's measurements, written once and called twice: on the model and on its null (or, for a claim of
absence or equivalence, on its positive control), so that the rule declared in :mod:`replicate.papers.skip.claims`
decides both. The notebook builds the nulls (untrained networks of another seed, random attributions, a constant
predictor, planted errors) inside ``ch.controls()`` and records what the ``*_records`` functions return: per claim id,
``ours`` with its ``interval``, the ``null`` with its ``null_interval``, and a ``note``.

Intervals are 95 %: over test points (toys), or over test *sessions* (skip prediction: tracks of one session are not
independent), by a percentile bootstrap resampling sessions; the same resampled sessions serve both models of a
paired difference. Below :data:`MIN_SESSIONS` sessions the bootstrap under-covers, so the interval is widened to the
worst case a per-session mean in [0, 1] allows (Wilson at the number of sessions; ±1.96/√n for a difference), and a
handful of sessions is *inconclusive*, never replicated.
"""

from __future__ import annotations

import numpy as np

from replicate.errors import ParameterError
from replicate.papers.skip import attribution as attr
from replicate.papers.skip import claims as C
from replicate.papers.skip.metrics import MIN_SESSIONS
from replicate.papers.skip.train import MODEL_NAMES, ToyResult, predict_toy
from replicate.stats import wilson_interval

METRICS, SUFFIX, ROW_KEYS, TOY_KEYS = C.METRICS, C.SUFFIX, C.ROW_KEYS, C.TOY_KEYS
N_BOOT = 2000


# --- intervals over sessions -------------------------------------------------------------------------------------


def _binary(pred) -> np.ndarray:
    return np.asarray(pred.binary if hasattr(pred, "binary") else pred, bool)


def session_stats(pred, sessions) -> dict[str, np.ndarray]:
    """Per test session: correct tracks, tracks to predict, first track right, average accuracy (AA)."""
    from replicate.papers.skip import metrics

    binary, truth, mask = _binary(pred), sessions.y > 0.5, sessions.right_mask
    correct = (binary == truth) & mask
    return {
        "correct": correct.sum(1).astype(float),
        "tracks": mask.sum(1).astype(float),
        "first": correct[:, 0].astype(float),
        "aa": metrics.average_accuracy(binary, truth, mask),
    }


def _metric(stats: dict, metric: str, index=slice(None)) -> np.ndarray:
    """The metric (fraction) on the sessions ``index`` (rows of an index matrix give one value per row)."""
    if metric == "Acc":
        return stats["correct"][index].sum(-1) / stats["tracks"][index].sum(-1)
    key = {"Acc@1": "first", "MAA": "aa"}[metric]
    return stats[key][index].mean(-1)


def _draws(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, (N_BOOT, n))


def metric_interval(pred, sessions, metric: str, seed: int = 0) -> tuple[float, float, float]:
    """(estimate, low, high) of ``metric`` in points, bootstrapping test sessions (widened below MIN_SESSIONS)."""
    stats, n = session_stats(pred, sessions), len(sessions)
    if n == 0:
        raise ParameterError("no test session: the interval needs at least one")
    estimate = float(_metric(stats, metric))
    low, high = np.quantile(_metric(stats, metric, _draws(n, seed)), [0.025, 0.975]) if n > 1 else (0.0, 1.0)
    if n < MIN_SESSIONS:
        wide = wilson_interval(estimate, n)
        low, high = min(low, wide[0]), max(high, wide[1])
    return 100 * estimate, 100 * float(low), 100 * float(high)


def paired_interval(pred_a, pred_b, sessions, metric: str, seed: int = 0) -> tuple[float, float, float]:
    """(a − b, low, high) in points, paired over test sessions (the same resampled sessions for both)."""
    a, b, n = session_stats(pred_a, sessions), session_stats(pred_b, sessions), len(sessions)
    estimate = float(_metric(a, metric) - _metric(b, metric))
    if n > 1:
        draws = _draws(n, seed)
        low, high = np.quantile(_metric(a, metric, draws) - _metric(b, metric, draws), [0.025, 0.975])
    else:
        low, high = -1.0, 1.0
    if n < MIN_SESSIONS:
        half = 1.96 / np.sqrt(n)
        low, high = min(low, estimate - half), max(high, estimate + half)
    return 100 * estimate, 100 * float(low), 100 * float(high)


def point_interval(values: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean of per-point values with a percentile bootstrap interval (toys: independent test points)."""
    values = np.asarray(values, float)
    draws = values[_draws(len(values), seed)].mean(1)
    low, high = np.quantile(draws, [0.025, 0.975])
    return float(values.mean()), float(low), float(high)


def _rec(ours, interval=None, null=None, null_interval=None, note="") -> dict:
    """What :meth:`Chapter.record` takes for one claim (intervals as float pairs)."""

    def pair(band):
        return None if band is None else (float(band[0]), float(band[1]))

    return dict(ours=ours, interval=pair(interval), null=null, null_interval=pair(null_interval), note=note)


# --- nulls and positive controls ---------------------------------------------------------------------------------


def random_attribution(attribution: np.ndarray, seed: int) -> np.ndarray:
    """A Dirichlet(1) draw over the subsets for every prediction: an attribution that knows nothing."""
    attribution = np.asarray(attribution)
    return np.random.default_rng(seed).dirichlet(np.ones(attribution.shape[-1]), size=attribution.shape[:-1])


def majority(train, test) -> np.ndarray:
    """The training sessions' majority second-half label, predicted for every track of the test sessions."""
    skip = bool((train.y > 0.5)[train.right_mask].mean() > 0.5)
    return np.full(test.y.shape, skip) & test.right_mask


def on_points(result: ToyResult, like: ToyResult) -> ToyResult:
    """``result``'s network scored on ``like``'s test points (a null measured on the model's own points)."""
    prob, attribution = predict_toy(result.model, like.X)
    return ToyResult(
        **{**vars(result), "X": like.X, "y": like.y, "source": like.source, "prob": prob, "attribution": attribution}
    )


def untrained_toy(result: ToyResult, seed: int) -> ToyResult:
    """The same toy network, initialised with ``seed`` and not trained, scored on ``result``'s test points."""
    import torch

    from replicate.papers.skip.moe import AttributionMoE

    toy = result.toy
    torch.manual_seed(seed)
    model = AttributionMoE(toy.subsets, toy.group_sizes, hidden=(toy.hidden, toy.hidden))
    return on_points(
        ToyResult(toy, model, [], result.X, result.y, result.source, result.prob, result.attribution), result
    )


def planted_errors(correct: np.ndarray, share: float, seed: int) -> np.ndarray:
    """``correct`` (one bool per test point) with ``round(share * n)`` of its right points turned wrong at random:
    an accuracy lower by exactly ``share`` (a positive control)."""
    correct = np.asarray(correct, bool).copy()
    k = int(round(share * correct.size))
    right = np.flatnonzero(correct)
    if k > right.size:
        raise ParameterError(f"cannot plant {k} errors among {right.size} right predictions")
    correct[np.random.default_rng(seed).choice(right, size=k, replace=False)] = False
    return correct


def degrade(pred, sessions, metric: str, points: float, seed: int) -> np.ndarray:
    """``pred``'s binary predictions with right tracks turned wrong, in a random order drawn with ``seed``, until
    ``metric`` is lower by at least ``points`` (the fewest such tracks: turning a right track wrong never raises
    Acc, Acc@1 or MAA, so the search halves). A positive control: the model with a planted loss of ``points``."""
    binary, truth, mask = _binary(pred).copy(), sessions.y > 0.5, sessions.right_mask
    right = np.flatnonzero(((binary == truth) & mask).ravel())
    order = np.random.default_rng(seed).permutation(right)
    if metric == "Acc@1":  # only first tracks move Acc@1: flip those first
        first = np.zeros(truth.shape, bool)
        first[:, 0] = True
        order = np.concatenate([order[first.ravel()[order]], order[~first.ravel()[order]]])
    full = 100 * float(_metric(session_stats(binary, sessions), metric))

    def flipped(k):
        out = binary.ravel().copy()
        out[order[:k]] = ~out[order[:k]]
        return out.reshape(binary.shape)

    def drop(k):
        return full - 100 * float(_metric(session_stats(flipped(k), sessions), metric))

    low, high = 0, len(order)
    if drop(high) < points:
        raise ParameterError(f"cannot plant a loss of {points} points of {metric}: too few right tracks")
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if drop(mid) < points else (low, mid)
    return flipped(low)


# --- toys ----------------------------------------------------------------------------------------------------------


def toy_accuracy(result: ToyResult) -> tuple[float, tuple]:
    return result.accuracy, wilson_interval(result.accuracy, len(result.y))


def toy_recovery(result: ToyResult) -> tuple[float, tuple]:
    recovery = attr.recovery_rate(result.attribution, result.source)
    return recovery, wilson_interval(recovery, len(result.y))


def toy_records(results, nulls) -> dict:
    """Accuracy and recovery of each toy, with Wilson intervals over the test points; ``nulls``: each toy's null
    network on the same points (:func:`untrained_toy`)."""
    out = {}
    for r, null in zip(results, nulls):
        key, n = TOY_KEYS[r.toy.name], len(r.y)
        for what, measure in (("accuracy", toy_accuracy), ("recovery", toy_recovery)):
            ours, band = measure(r)
            null_value, null_band = measure(null)
            out[f"toy_{key}_{what}"] = _rec(ours, band, null_value, null_band, note=f"ours on {n:,} fresh test points")
    return out


def fast_target(name: str) -> float:
    """The accuracy both trainings race to: the authors' notebook accuracy less the toys' tolerance."""
    return C.NOTEBOOK_ACCURACY.get(name, C.TOY_XOR_ACCURACY + C.TOY_ACCURACY) - C.TOY_ACCURACY


def speedup(fast, slow, target: float) -> float:
    """Steps ``slow`` needs to reach ``target`` over the steps ``fast`` needs (nan when ``slow`` never does)."""
    ratio = slow.steps_to(target) / fast.steps_to(target)
    return float(ratio) if np.isfinite(ratio) else float("nan")


def accuracy_difference(a: np.ndarray, b: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Accuracy of ``a`` minus that of ``b`` (bool per test point, the same points), paired, with its interval."""
    return point_interval(np.asarray(a, float) - np.asarray(b, float), seed)


def fast_records(em, sequential, joint, seed: int = 0) -> dict:
    """Slide 13's fast algorithm on one toy: steps to the target, sequential over EM (null: joint training without
    EM, the same network on the same batches, evaluation grid and target, in EM's place); final accuracy, EM minus
    sequential, paired over the test points (positive control: the sequential training against itself with twice the
    bound of errors planted)."""
    target = fast_target(em.toy.name)
    # the sequential network on EM's test points: the trainings draw their test points after different step counts
    paired = on_points(sequential, em).correct
    diff = accuracy_difference(em.correct, paired)
    control = accuracy_difference(planted_errors(paired, C.CONTROL_FACTOR * C.EM_ACCURACY, seed), paired)
    seconds = sequential.seconds_to(target) / em.seconds_to(target)
    return {
        "fast_em_speedup": _rec(
            speedup(em, sequential, target),
            null=speedup(joint, sequential, target),
            note=f"target accuracy {target:.4f}; EM {em.steps_to(target):g} steps, sequential "
            f"{sequential.steps_to(target):g} (of {len(sequential.loss):,}), joint training without EM "
            f"{joint.steps_to(target):g}; wall-time ratio {seconds:.2f}",
        ),
        "fast_em_accuracy": _rec(
            diff[0],
            diff[1:],
            control[0],
            control[1:],
            note=f"EM {em.accuracy:.3f} after {len(em.loss):,} steps, sequential {paired.mean():.3f} after "
            f"{len(sequential.loss):,}, on the same {len(paired):,} test points",
        ),
    }


def cardinality(result) -> tuple[np.ndarray, np.ndarray]:
    """Per test point: the number of groups in the dominant subset, and in the subset that generated the label."""
    size = result.toy.subsets.matrix.sum(axis=1)
    return size[np.asarray(result.attribution).argmax(-1)].astype(float), size[result.source].astype(float)


def planted_excess(result, excess: float, seed: int) -> np.ndarray:
    """One-hot attributions equal to the generating subsets, except that points generated by the smallest subsets
    are given the largest one, as many as make the mean size ``excess`` groups larger (a positive control)."""
    size = result.toy.subsets.matrix.sum(axis=1)
    chosen = np.asarray(result.source).copy()
    gain = size.max() - size[chosen]
    small = np.flatnonzero(gain > 0)
    k = int(np.ceil(excess * len(chosen) / gain[small].mean())) if small.size else 0
    picked = np.random.default_rng(seed).choice(small, size=min(k, small.size), replace=False)
    chosen[picked] = int(size.argmax())
    return np.eye(len(size))[chosen]


def card_records(gated, ungated, gated_null, seed: int = 0) -> dict:
    """Slide 4's E[Card(S)]: the dominant subset's size against the generating one's (positive control: twice the
    bound of excess planted in the generating subsets), and against the same network without the residual gating,
    paired over the same points (null: the gated network of another seed, untrained, in the gated one's place,
    against the same ungated network)."""
    card, truth = cardinality(gated)
    card_none, _ = cardinality(ungated)
    card_null, _ = cardinality(gated_null)
    planted = ToyResult(**{**vars(gated), "attribution": planted_excess(gated, C.CONTROL_FACTOR * C.CARD_EXCESS, seed)})
    excess, control = point_interval(card - truth), point_interval(cardinality(planted)[0] - truth)
    diff, null = point_interval(card - card_none), point_interval(card_null - card_none)
    return {
        "card_excess": _rec(
            excess[0],
            excess[1:],
            control[0],
            control[1:],
            note=f"E[Card] {card.mean():.3f}, generating subsets {truth.mean():.3f}",
        ),
        "card_vs_ungated": _rec(
            diff[0],
            diff[1:],
            null[0],
            null[1:],
            note=f"with gating {card.mean():.3f} (accuracy {gated.accuracy:.3f}), without {card_none.mean():.3f} "
            f"(accuracy {ungated.accuracy:.3f}), with gating untrained (another seed) {card_null.mean():.3f} "
            f"(accuracy {gated_null.accuracy:.3f})",
        ),
    }


# --- skip prediction -----------------------------------------------------------------------------------------------


def slide14_records(comparison, dataset: str, primary: str, seed: int = 0) -> dict:
    """Slide 14's Spotify values beside ours on the source named by ``dataset`` (each with its interval over test
    sessions; null: the majority-label predictor on the same sessions); not comparable unless Spotify's. ``runtime``
    of the transformers' rows: the paper's baseline and ours. Deezer's eight values and both spreads over runs: not
    applicable (:func:`spread_records`)."""
    pred, test = comparison.predictions, comparison.test
    null_pred = majority(comparison.train, test)
    base = {m: metric_interval(pred["baseline"], test, m, seed) for m in METRICS}
    out = {}
    for kind, key in ROW_KEYS.items():
        for metric in METRICS:
            est = metric_interval(pred[kind], test, metric, seed)
            null = metric_interval(null_pred, test, metric, seed)
            row = _rec(est[0], est[1:], null[0], null[1:], note=f"ours on {primary}, {len(test):,} test sessions")
            if dataset != "spotify":
                row.update(missing=f"{C.SPOTIFY_ONLY}; ours is on {primary}", null=None, null_interval=None)
            elif kind != "baseline":
                row["rule_args"] = {"baseline": (C.PAPER_SPOTIFY["baseline"][metric], base[metric][0])}
            out[f"slide14_{key}_{SUFFIX[metric]}"] = row
    for kind, values in C.PAPER_DEEZER.items():
        for metric in values:
            out[f"deezer_{ROW_KEYS[kind]}_{SUFFIX[metric]}"] = _rec(None)
    out["deezer_baseline_acc"] = _rec(None)  # the cell the slides' text lost (claims.DEEZER_BASELINE_ACC)
    out.update(spread_records(comparison, primary, seed))
    for row in out.values():
        if row.get("null") is None and "rule_args" not in row:
            row.pop("null"), row.pop("null_interval")
    return out


def spread_records(comparison, primary: str, seed: int = 0) -> dict:
    """Slide 14's ± is a standard deviation over runs (training seeds): one seed's run has one Acc and cannot measure
    it, so ``slide14_spread`` records no value (its declaration is not applicable and says why: over seeds the
    quantity is the standard deviation of ``slide14_interpretable_acc``). Its note gives what one run does measure,
    the interval over test sessions, which is another quantity (the test set's sampling, not training runs).
    ``deezer_spread``: Deezer's logs are private."""
    acc = metric_interval(comparison.predictions["interpretable"], comparison.test, "Acc", seed)
    return {
        "slide14_spread": _rec(
            None,
            note=f"one seed: no spread over runs; this seed's interpretable Acc on {primary} is {acc[0]:.1f}, 95 % "
            f"interval over test sessions [{acc[1]:.1f}, {acc[2]:.1f}] (a spread over test sessions, not over runs)",
        ),
        "deezer_spread": _rec(None),
    }


def smallest_gain(preds: dict, baseline, test, seed: int = 0) -> tuple[float, tuple, tuple]:
    """The smallest paired difference (points) of ``preds`` (both transformers) over ``baseline`` across Acc, Acc@1
    and MAA, with (lowest low, lowest high) as its interval, and which (kind, metric) it is."""
    diffs = {(k, m): paired_interval(p, baseline, test, m, seed) for k, p in preds.items() for m in METRICS}
    worst = min(diffs, key=lambda k: diffs[k][0])
    return diffs[worst][0], (min(d[1] for d in diffs.values()), min(d[2] for d in diffs.values())), worst


def gap_records(comparison, prefix: str, controls: dict, seed: int = 0) -> dict:
    """Plain minus interpretable per metric (paired over test sessions), with its positive control ``controls``
    (per metric, the plain transformer's predictions degraded by :func:`degrade`); both transformers beat the
    baseline: the smallest of the six paired differences (null: the majority label in both transformers' place)."""
    test, pred = comparison.test, comparison.predictions
    out = {}
    for metric in METRICS:
        est = paired_interval(pred["plain"], pred["interpretable"], test, metric, seed)
        control = paired_interval(pred["plain"], controls[metric], test, metric, seed)
        out[f"{prefix}_gap_{SUFFIX[metric]}"] = _rec(
            est[0],
            est[1:],
            control[0],
            control[1:],
            note=f"transformer {100 * comparison.scores['plain'][metric]:.1f}, interpretable "
            f"{100 * comparison.scores['interpretable'][metric]:.1f}; paired over {len(test):,} sessions",
        )
    ours, band, worst = smallest_gain({k: pred[k] for k in ("plain", "interpretable")}, pred["baseline"], test, seed)
    null_pred = majority(comparison.train, test)
    null, null_band, _ = smallest_gain({"majority": null_pred}, pred["baseline"], test, seed)
    out[f"{prefix}_beats_baseline"] = _rec(
        ours,
        band,
        null,
        null_band,
        note=f"smallest: {MODEL_NAMES[worst[0]]} {worst[1]}; baseline "
        + ", ".join(f"{m} {100 * v:.1f}" for m, v in comparison.scores["baseline"].items()),
    )
    return out


def gap_controls(comparison, seed: int = 0) -> dict:
    """Per metric, the plain transformer with a planted loss of twice the gap's bound (the gap claims' control)."""
    pred, test = comparison.predictions["plain"], comparison.test
    return {m: degrade(pred, test, m, C.CONTROL_FACTOR * C.GAP, seed) for m in METRICS}


def session_recovery(attribution, sessions, subsets):
    """Per test session: planted tracks whose dominant subset is the planted one, and planted tracks."""
    truth, known = attr.planted_truth(sessions, subsets)
    hit = (attr.dominant(attribution) == truth) & known
    return hit.sum(1).astype(float), known.sum(1).astype(float)


def recovery_interval(hits: np.ndarray, known: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    keep = known > 0
    hits, known = hits[keep], known[keep]
    draws = _draws(len(hits), seed)
    low, high = np.quantile(hits[draws].sum(1) / known[draws].sum(1), [0.025, 0.975])
    return float(hits.sum() / known.sum()), float(low), float(high)


def recovery(attribution, sessions, subsets, seed: int = 0) -> tuple[float, float, float]:
    """The share of planted tracks whose dominant subset is the planted one, with its interval over sessions."""
    return recovery_interval(*session_recovery(attribution, sessions, subsets), seed=seed)


def weakest_position(attribution, sessions, subsets) -> tuple[float, tuple, int]:
    """The lowest recovery over second-half positions, its Wilson interval, and the position (1-based)."""
    by_position, _ = attr.recovery_by_position(attribution, sessions, subsets)
    _, known = attr.planted_truth(sessions, subsets)
    worst = int(by_position["all"].idxmin())
    low = float(by_position["all"].min())
    return low, wilson_interval(low, int(known[:, worst - 1].sum())), worst


def sessions_records(comparison, null_attribution, seed: int = 0) -> dict:
    """Generated sessions: the interpretable transformer's accuracy (null: the majority label) and its recovery of
    the planted mechanisms, overall and at the weakest position (null: ``null_attribution``, random attributions)."""
    test, pred = comparison.test, comparison.predictions["interpretable"]
    subsets = comparison.models["interpretable"].subsets
    acc = np.array(metric_interval(pred, test, "Acc", seed)) / 100
    null_acc = np.array(metric_interval(majority(comparison.train, test), test, "Acc", seed)) / 100
    overall, null_overall = (
        recovery(pred.attribution, test, subsets, seed),
        recovery(null_attribution, test, subsets, seed),
    )
    low, band, worst = weakest_position(pred.attribution, test, subsets)
    null_low, null_band, _ = weakest_position(null_attribution, test, subsets)
    by_position, _ = attr.recovery_by_position(pred.attribution, test, subsets)
    return {
        "sessions_accuracy": _rec(
            float(acc[0]),
            acc[1:],
            float(null_acc[0]),
            null_acc[1:],
            note=f"transformer {comparison.scores['plain']['Acc']:.3f}",
        ),
        "sessions_recovery": _rec(
            overall[0],
            overall[1:],
            null_overall[0],
            null_overall[1:],
            note=", ".join(f"{k} {v:.2f}" for k, v in by_position.drop(columns="all").mean().items()),
        ),
        "sessions_recovery_min_position": _rec(low, band, null_low, null_band, note=f"at position {worst}"),
    }


def ablation_records(full, ablated, control, null_attribution, seed: int = 0) -> dict:
    """The position-only expert (ours, not in the slides): the interpretable transformer with and without it on the
    generated sessions, paired over the same test sessions (positive control ``control``: the full model's
    predictions degraded by twice the bound); recovery without it (null: random attributions)."""
    test, pred = full.test, full.predictions["interpretable"]
    diff = paired_interval(pred, ablated.predictions["interpretable"], test, "Acc", seed)
    planted = paired_interval(control, pred, test, "Acc", seed)
    subsets = ablated.models["interpretable"].subsets
    ours = recovery(ablated.predictions["interpretable"].attribution, test, subsets, seed)
    null = recovery(null_attribution, test, subsets, seed)
    return {
        "ablation_position_expert_acc": _rec(
            diff[0],
            diff[1:],
            planted[0],
            planted[1:],
            note=f"with {100 * full.scores['interpretable']['Acc']:.1f}, without "
            f"{100 * ablated.scores['interpretable']['Acc']:.1f}",
        ),
        "ablation_position_expert_recovery": _rec(ours[0], ours[1:], null[0], null[1:]),
    }


def ablation_control(full, seed: int = 0) -> np.ndarray:
    """The full interpretable transformer's predictions with a planted loss of twice the ablation's bound of Acc
    (the position-only expert's positive control)."""
    pred = full.predictions["interpretable"]
    return degrade(pred, full.test, "Acc", C.CONTROL_FACTOR * C.POSITION_ABLATION, seed)


def still_improving(comparison) -> tuple[bool, str]:
    """A tested cause for a gap above the bound ("Why"): the interpretable model was still learning when training
    stopped, i.e. its best validation epoch is its last one and its validation accuracy rose over the last epochs by
    more than the plain model's did. With a note of the numbers."""
    h_int, h_plain = comparison.histories["interpretable"], comparison.histories["plain"]

    def rise(h):
        return 100 * (h.valid_acc[-1] - h.valid_acc[max(0, len(h.valid_acc) - 3)]) if h.valid_acc else 0.0

    still = bool(h_int.best_epoch == len(h_int.valid_acc) - 1 and rise(h_int) > rise(h_plain))
    gap = 100 * (comparison.scores["plain"]["Acc"] - comparison.scores["interpretable"]["Acc"])
    return still, (
        f"gap Acc {gap:+.1f} points; validation Acc over the last epochs rose {rise(h_int):+.1f} points "
        f"(interpretable, best epoch {h_int.best_epoch + 1} of {len(h_int.valid_acc)}) and {rise(h_plain):+.1f} "
        f"(transformer, best epoch {h_plain.best_epoch + 1})"
    )


# --- the masked single network (slides 8 and 12) ---------------------------------------------------------------


def group_reads(model, sessions, n: int = 16) -> np.ndarray:
    """(experts, groups): the summed absolute gradient of each expert's output F_s (over the second-half tracks of
    the first ``n`` sessions) with respect to the input columns of each feature group, both halves together. A group
    outside s that an expert reads shows as a non-zero entry."""
    import torch

    device = next(model.parameters()).device
    part = sessions.take(range(min(n, len(sessions))))
    left = torch.as_tensor(part.left, device=device).requires_grad_(True)
    right = torch.as_tensor(part.right, device=device).requires_grad_(True)
    lm, rm = (torch.as_tensor(a, device=device) for a in (part.left_mask, part.right_mask))
    groups = [g for g, _ in part.left_groups]
    reads = np.zeros((model.n_experts, len(groups)))
    model.eval()
    F = model(left, right, lm, rm) * rm[..., None]  # one forward pass; one backward pass per expert
    for s in range(model.n_experts):
        grads = torch.autograd.grad(F[..., s].sum(), (left, right), retain_graph=s + 1 < model.n_experts)
        for grad, layout in zip(grads, (part.left_groups, part.right_groups)):
            start = 0
            for g, width in layout:
                reads[s, groups.index(g)] += float(grad[..., start : start + width].abs().sum())
                start += width
    return reads


def masking_records(model, sessions, n: int = 16) -> dict:
    """Slide 12, the experts combined in one network by masking its weight matrices: every expert of the trained
    interpretable transformer reads no group outside its subset (zero gradient) and, as the measurement's check that
    it can see a read, every group of its subset is read by some expert. Slide 8: H = |S| candidate subsets, fewer
    than the 2^N subsets of the N groups."""
    reads = group_reads(model, sessions, n)
    inside = np.asarray([[g in members for g in model.subsets.groups] for members in model.subsets.members], bool)
    leak, seen = float(reads[~inside].max(initial=0.0)), bool((reads * inside).max(0).min() > 0)
    H, N = model.n_experts, len(model.subsets.groups)
    return {
        "masks_isolate_experts": dict(
            ours=leak == 0.0 and seen,
            note=f"largest gradient of an expert on a group outside its subset {leak:g} over {len(reads)} experts and "
            f"{min(n, len(sessions))} sessions; every group read inside some subset: {seen}",
        ),
        "subsets_fewer_than_groups": dict(
            ours=H < 2**N, note=f"H = {H} candidate subsets of N = {N} groups (2^N = {2**N})"
        ),
    }


# --- sentences of the prose, written from the recorded claims --------------------------------------------------


def null_reading(claim) -> str:
    """What a claim's null (or positive control) did and the verdict it leaves, as the prose says it: written from
    the recorded claim, so that no verdict is typed into the chapter."""
    from replicate.core.claims import format_value, null_fails, verdict_label

    if claim.null_verdict is None:
        return f"{claim.id} has no null in this run, and it is {verdict_label(claim)}"
    what = "positive control" if claim.absence else "null"
    if claim.absence:
        seen = "is detected" if null_fails(claim.null_verdict, True) else "goes undetected"
    else:
        seen = "fails the rule" if null_fails(claim.null_verdict) else "passes the rule too"
    return (
        f"the {what} of {claim.id} gives {format_value(claim.null)} and {seen}, so the claim is {verdict_label(claim)}"
    )

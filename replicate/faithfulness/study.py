"""One model's faithfulness study: every explainer on the same users and targets, their perturbation curves and
per-user readings, the table with paired bootstrap intervals, and the readings the chapter's claims record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from replicate.faithfulness import explainers, metrics, models, sanity

# The chapter's settings per profile. Smoke (CI, 90 s on two shared cores): a dozen users, small models trained for
# one or two epochs, few perturbation samples, the skip transformer and the RecoNet retraining check off (each costs
# more than the whole smoke budget). Paper: the run the chapter reports (an estimated 10 minutes per seed).
PROFILES = {
    "smoke": dict(heldout=100, users=12, min_items=5, k=4, reconet_users=200, reconet_epochs=1, dim=32, hidden=64,
                  vae_epochs=2, vae_hidden=100, latent=32, emde_hidden=128, emde_epochs=2, steps=8, baselines=3,
                  samples=24, l2=200.0, skip=False, skip_sessions=800, skip_test=300, skip_epochs=2,
                  retrain_users=12),
    "paper": dict(heldout=300, users=100, min_items=5, k=10, reconet_users=None, reconet_epochs=4, dim=64, hidden=256,
                  vae_epochs=20, vae_hidden=600, latent=200, emde_hidden=512, emde_epochs=5, steps=32, baselines=10,
                  samples=100, l2=200.0, skip=True, skip_sessions=2000, skip_test=1000, skip_epochs=3,
                  retrain_users=40),
}  # fmt: skip
SKIP_MODEL = dict(d_model=32, d_expert=8, heads=2, expert_heads=1, layers=1)  # the skip chapter's smoke sizes
SECOND_RANDOM = "random (second draw)"  # one more random order, against the floor (shown in the note of beats_random)
DENSITY_IG = "IG (density-matched random baselines)"  # the null of IG (real users): same counts, items at random
NULLS = (SECOND_RANDOM, DENSITY_IG)  # explainers run as nulls only, not shown in the tables
RANDOM_DRAWS = 10  # the random floor's readings are the mean over this many random orders (its curves: the first's)


def train_models(ds, split, settings: dict, seed: int, device: str) -> tuple[dict, dict]:
    """The explained recommenders (key -> :class:`models.Recommender`) and each one's training seconds."""
    import time

    s = settings
    makers = {
        "reconet": lambda: models.train_reconet(
            split, 0, s["reconet_epochs"], s["dim"], seed, device, s["reconet_users"]
        ),
        "reconet_layer": lambda: models.train_reconet(
            split, s["hidden"], s["reconet_epochs"], s["dim"], seed, device, s["reconet_users"]
        ),
        "multvae": lambda: models.train_multvae(split, s["vae_epochs"], s["vae_hidden"], s["latent"], seed, device),
        "ease": lambda: models.train_ease(split, s["l2"], device),
        "emde": lambda: models.train_emde(split, ds.n_items, s["emde_hidden"], s["emde_epochs"], seed, device),
    }
    recs, seconds = {}, {}
    for key, make in makers.items():
        started = time.perf_counter()
        recs[key] = make()
        seconds[key] = time.perf_counter() - started
    return recs, seconds


@dataclass
class Study:
    model: str
    history: np.ndarray
    targets: np.ndarray
    relevance: dict = field(default_factory=dict)
    curves: dict = field(default_factory=dict)
    readings: dict = field(default_factory=dict)  # explainer -> metric -> per-user array
    seconds: dict = field(default_factory=dict)
    degenerate: dict = field(default_factory=dict)  # explainer -> per user: no order (constant relevance)
    tied: dict = field(default_factory=dict)  # explainer -> per user: the top-K cut is a tie


def run(
    rec: models.Recommender,
    history: np.ndarray,
    settings: dict,
    pool: np.ndarray,
    popularity: np.ndarray,
    rng: np.random.Generator,
    device: str = "cpu",
) -> Study:
    """Explain each user's top recommendation by ``rec`` with every explainer (its own first, when it has one; then
    :data:`explainers.GENERIC`, popularity, the random order and a second random order), and measure the curves
    over ``Ke = 1 .. settings["k"]``. Ties in every removal order are broken at random with ``rng``; the null of IG
    with real-user baselines (:data:`DENSITY_IG`) runs the same IG from the training users' rows with their items
    permuted at random within each row (each baseline as many items as a real user, none of her items)."""
    import time

    history = (np.asarray(history) > 0).astype(np.float32)
    targets = models.top_targets(rec.model, history, device)
    study = Study(rec.name, history, targets)
    names = ([rec.own] if rec.own else []) + list(explainers.GENERIC) + [explainers.POPULARITY, explainers.RANDOM]
    density_pool = rng.permuted(np.asarray(pool), axis=1)
    for name in tqdm([*names, *NULLS], desc=rec.name, leave=False):
        started = time.perf_counter()
        if name == rec.own:
            relevance = models.own_explanation(rec, history, targets, device)
        else:
            relevance = explainers.explain(
                {SECOND_RANDOM: explainers.RANDOM, DENSITY_IG: "IG (real users)"}.get(name, name),
                rec.model,
                history,
                targets,
                device=device,
                rng=rng,
                steps=settings["steps"],
                pool=density_pool if name == DENSITY_IG else pool,
                n_baselines=settings["baselines"],
                n_samples=settings["samples"],
                popularity=popularity,
            )
        study.seconds[name] = time.perf_counter() - started
        order = metrics.removal_order(relevance, history, settings["k"], rng)
        study.degenerate[name] = metrics.degenerate(relevance, history)
        study.tied[name] = metrics.tied_cut(relevance, history, settings["k"])
        study.relevance[name] = relevance
        study.curves[name] = metrics.perturbation_curves(rec.model, history, targets, order, settings["k"], device)
        study.readings[name] = metrics.summary(study.curves[name])
        if name == explainers.RANDOM:
            study.readings[name] = random_floor(rec, history, targets, study.readings[name], settings["k"], rng, device)
    return study


def random_floor(rec, history, targets, first: dict, k: int, rng: np.random.Generator, device: str) -> dict:
    """Per-user readings of the random order averaged over :data:`RANDOM_DRAWS` draws (``first`` and the others):
    the expected reading of an explanation that knows nothing, less noisy than one draw."""
    draws = [first]
    for _ in range(RANDOM_DRAWS - 1):
        relevance = explainers.explain(explainers.RANDOM, rec.model, history, targets, rng=rng)
        order = metrics.removal_order(relevance, history, k, rng)
        draws.append(metrics.summary(metrics.perturbation_curves(rec.model, history, targets, order, k, device)))
    return {metric: np.mean([d[metric] for d in draws], axis=0) for metric in first}


def explainer_names(study: Study) -> list[str]:
    """The explainers shown (the second random order and IG from density-matched baselines are nulls only)."""
    return [n for n in study.readings if n not in NULLS]


def model_explainers(study: Study) -> list[str]:
    """The explainers that read the model: all shown but popularity (which ignores it) and the random order."""
    return [n for n in explainer_names(study) if n not in (explainers.RANDOM, explainers.POPULARITY)]


def table(study: Study, seed: int = 0) -> pd.DataFrame:
    """Explainers as rows; per metric the mean over users with its bootstrap 95 % interval, and the paired gain over
    the random order on DEL, the share of users for whom the explainer gives no order (its relevance constant over
    her history: a random order stands in) and the share whose top-K cut is a tie; ``*`` marks the best of a column
    when its paired interval against every other row separates it."""
    from replicate import stats

    rows = {}
    names = explainer_names(study)
    for name in names:
        row = {}
        for metric, values in study.readings[name].items():
            mean, low, high = stats.bootstrap_interval(values, seed=seed, n_boot=1000)
            row[metric] = f"{mean:.3f} [{low:.3f}, {high:.3f}]"
        gain, low, high = metrics.paired(study.readings[name]["DEL"], study.readings[explainers.RANDOM]["DEL"], "DEL")
        row["DEL gain over random"] = f"{gain:+.3f} [{low:+.3f}, {high:+.3f}]"
        row["no order (users)"] = f"{study.degenerate[name].mean():.0%}"
        row["tied top-K cut"] = f"{study.tied[name].mean():.0%}"
        row["seconds"] = f"{study.seconds[name]:.1f}"
        rows[name] = row
    frame = pd.DataFrame(rows).T
    for metric in metrics.HIGHER_IS_FAITHFUL:
        best = max(names, key=lambda n: metrics.faithfulness_gain(study.readings[n][metric], 0.0, metric).mean())
        separated = all(
            metrics.paired(study.readings[best][metric], study.readings[o][metric], metric, n_boot=500)[1] > 0
            for o in names
            if o != best
        )
        if separated:
            frame.loc[best, metric] += " *"
    frame.index.name = study.model
    return frame


def means(study: Study) -> pd.DataFrame:
    """The numbers of :func:`table` without their intervals, for the spread over seeds: per explainer the mean over
    users of each metric and the mean paired gain over the random order on DEL."""
    rows = {}
    for name in explainer_names(study):
        row = {metric: float(np.mean(values)) for metric, values in study.readings[name].items()}
        gain = metrics.faithfulness_gain(study.readings[name]["DEL"], study.readings[explainers.RANDOM]["DEL"], "DEL")
        row["DEL gain over random"] = float(gain.mean())
        rows[name] = row
    frame = pd.DataFrame(rows).T
    frame.index.name = study.model
    return frame


def beats_random(study: Study, metric: str = "DEL", seed: int = 0) -> dict:
    """Every explainer that reads the model (:func:`model_explainers`) against the random floor: the reading is the
    explainer whose paired gain has the lowest interval end (the rule then asks every interval to lie above zero);
    the null is the popularity order, which ignores the model: if it beats the floor too, beating the floor says
    nothing about the model. The second random order's gain over the floor is in the note."""

    def gain(name):
        return metrics.paired(
            study.readings[name][metric], study.readings[explainers.RANDOM][metric], metric, seed=seed
        )

    gains = {n: gain(n) for n in model_explainers(study)}
    worst = min(gains, key=lambda n: gains[n][1])
    null = gain(explainers.POPULARITY)
    second = gain(SECOND_RANDOM)
    flagged = [f"{n} {study.degenerate[n].mean():.0%}" for n in gains if study.degenerate[n].any()]
    return dict(
        ours=gains[worst][0],
        interval=gains[worst][1:],
        null=null[0],
        null_interval=null[1:],
        note=f"weakest: {worst}; {len(study.targets)} users; above zero: "
        f"{sum(g[1] > 0 for g in gains.values())} of {len(gains)}; second random order {second[0]:+.4f} "
        f"[{second[1]:+.4f}, {second[2]:+.4f}]" + (f"; no order for: {', '.join(flagged)}" if flagged else ""),
        weakest=worst,
    )


def ig_real_vs_zero(study: Study, metric: str = "DEL", seed: int = 0) -> dict:
    """Paired gain of IG with real-user baselines over IG with a zero baseline; the null: IG from baselines with the
    real users' item counts but their items drawn at random (:data:`DENSITY_IG`), against IG from zero. On an
    additive model (EASE) IG from zero is the exact split of the score, so no baseline can do better: the answer is
    fixed by the algebra there."""
    zero = study.readings["IG (zero)"][metric]
    ours = metrics.paired(study.readings["IG (real users)"][metric], zero, metric, seed=seed)
    null = metrics.paired(study.readings[DENSITY_IG][metric], zero, metric, seed=seed)
    return dict(ours=ours[0], interval=ours[1:], null=null[0], null_interval=null[1:], note=f"{len(zero)} users")


def _relative(study: Study, name: str, best: str, metric: str, seed: int):
    from replicate import stats

    a, b = study.readings[name][metric], study.readings[best][metric]
    pairs = np.stack([a, b], axis=1)
    return stats.bootstrap_interval(pairs, lambda p: (p[:, 0].mean() - p[:, 1].mean()) / abs(p[:, 1].mean()), seed=seed)


def same_order(study: Study, a: str, b: str, k: int) -> float:
    """The share of users whose top-``k`` removal order is the same under explainers ``a`` and ``b`` (ties broken by
    the same draw for both, so that equal relevances up to a positive scale give equal orders)."""
    orders = [metrics.removal_order(study.relevance[n], study.history, k, np.random.default_rng(0)) for n in (a, b)]
    return float((orders[0] == orders[1]).all(axis=1).mean())


def own_vs_best(study: Study, own: str, k: int, metric: str = "DEL", seed: int = 0) -> dict:
    """The own explanation's mean reading relative to the best generic explainer's, (own - best) / |best|, with its
    bootstrap interval over users. Generic explainers that give the own explanation's top-``k`` order for at least
    :data:`~replicate.faithfulness.claims.IDENTICAL_SHARE` of the users are the own explanation under another name
    (on EASE, IG from zero, InputXGradient, FeatureAblation and KernelSHAP are the exact split ``x_i B_it``; on the
    linear RecoNet, LRP is IG from zero): they are left out of "best generic" and named in the note. The null puts
    the next-best admitted generic explainer in the own's place (a generic explanation must not pass); with no
    generic explainer left, the claim is not applicable (``missing``)."""
    from replicate.faithfulness.claims import IDENTICAL_SHARE

    generic = [n for n in explainers.GENERIC if n in study.readings]
    shares = {n: same_order(study, own, n, k) for n in generic}
    same = [n for n in generic if shares[n] >= IDENTICAL_SHARE]
    admitted = sorted((n for n in generic if n not in same), key=lambda n: -study.readings[n][metric].mean())
    named = f"same order as the own for >= {IDENTICAL_SHARE:.0%} of users: {', '.join(same) or 'none'}"
    if not admitted:
        return dict(missing=f"every generic explainer is the own explanation under another name ({named})")
    best = admitted[0]
    runner = admitted[1] if len(admitted) > 1 else explainers.RANDOM
    ours = _relative(study, own, best, metric, seed)
    null = _relative(study, runner, best, metric, seed)
    return dict(
        ours=ours[0],
        interval=ours[1:],
        null=null[0],
        null_interval=null[1:],
        note=f"best generic: {best}; in the own's place (null): {runner}; left out, {named}",
        identical=same,
    )


# On 0/1 inputs InputXGradient is the gradient on the history and Saliency its absolute value: the check reads
# |relevance|, so the two give the same correlation and Saliency is not run twice.
RANDOMISED_SKIP = ("Saliency",)


def randomisation(
    study: Study,
    rec: models.Recommender,
    seed: int,
    settings: dict,
    pool: np.ndarray,
    popularity: np.ndarray,
    device: str = "cpu",
) -> dict:
    """Mean rank correlation (Spearman, |relevance| over history items) between the explanations of the trained and
    the randomised model, per explainer: the own one, every generic one (Saliency aside: :data:`RANDOMISED_SKIP`)
    and popularity, all through the same function; an explainer constant for a user counts as unchanged (one). The
    claim reads the highest among the explainers that read the model (the least sensitive); the null is popularity
    re-explained on the randomised model (it ignores the model: it cannot change)."""
    random_model = models.randomised(rec, seed)
    rng = np.random.default_rng(seed)
    per = {}
    names = ([rec.own] if rec.own else []) + [n for n in explainers.GENERIC if n not in RANDOMISED_SKIP]
    for name in [*names, explainers.POPULARITY]:
        if name == rec.own:
            shadow = models.Recommender(rec.name, rec.kind, random_model, rec.own)
            other = models.own_explanation(shadow, study.history, study.targets, device)
        else:
            other = explainers.explain(
                name,
                random_model,
                study.history,
                study.targets,
                device=device,
                rng=rng,
                steps=settings["steps"],
                pool=pool,
                n_baselines=settings["baselines"],
                n_samples=settings["samples"],
                popularity=popularity,
            )
        per[name] = sanity.rank_agreement(study.relevance[name], other, study.history)
    worst = max(names, key=lambda n: np.nanmean(per[n]))
    ours = sanity.mean_interval(per[worst], seed=seed)
    null = sanity.mean_interval(per[explainers.POPULARITY], seed=seed)
    return dict(
        ours=ours[0],
        interval=ours[1:],
        null=null[0],
        null_interval=null[1:],
        note=f"least changed: {worst}; " + "; ".join(f"{n}: {np.nanmean(v):.2f}" for n, v in per.items()),
        per_explainer={n: float(np.nanmean(v)) for n, v in per.items()},
        least_changed=worst,
    )


def merged(readings: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Explainers whose per-user readings are identical, merged: label ("a = b = c") -> members. Kendall's tau
    would otherwise count their arbitrary order among themselves."""
    groups: dict[str, list[str]] = {}
    for name, values in readings.items():
        for members in groups.values():
            if np.allclose(readings[members[0]], values, rtol=0.0, atol=1e-9):
                members.append(name)
                break
        else:
            groups[name] = [name]
    return {" = ".join(members): members for members in groups.values()}


def retraining(study: Study, train, l2: float, k: int, rec: models.Recommender, seed: int = 0) -> dict:
    """The EASE retraining check on the study's users: Kendall's tau between the explainers' orders by DEL without
    and with retraining, with its bootstrap interval; explainers with identical readings are merged first
    (:func:`merged`). The null orders the same explanations by their DEL on the permuted-weights EASE
    (:func:`models.randomised`: a model that shares nothing with the trained one but the distribution of its
    weights), against the order without retraining. ``moved``: how much retraining moves the deletion curves (mean
    absolute change of the target's score after deletion, relative to the mean drop, and the share of (user, Ke)
    cells whose target rank changes)."""
    refit = sanity.EaseRefit(train, l2)
    names = explainer_names(study)
    without, with_, other = {}, {}, {}
    shifts, drops, moved = [], [], []
    permuted = models.randomised(rec, seed + models.NULL_OFFSET)
    for name in tqdm(names, desc="retraining", leave=False):
        order = metrics.removal_order(study.relevance[name], study.history, k, np.random.default_rng(seed))
        a, b = (sanity.retrained_curves(refit, study.history, study.targets, order, k, r) for r in (False, True))
        without[name], with_[name] = sanity.deletion_reading(a), sanity.deletion_reading(b)
        shifts.append(np.abs(a.deletion_score - b.deletion_score).mean())
        drops.append(np.abs(a.score[:, None] - a.deletion_score).mean())
        moved.append((a.deletion_rank != b.deletion_rank).mean())
        curves = metrics.perturbation_curves(permuted, study.history, study.targets, order, k)
        other[name] = metrics.summary(curves)["DEL"]
    groups, pick, reading = _order_check(without, with_, other, seed)
    shift = float(np.mean(shifts) / max(np.mean(drops), 1e-12))
    rank_moved = float(np.mean(moved))
    return dict(
        reading,
        note=f"{len(study.targets)} users; {len(groups)} distinct explainers of {len(names)}; retraining moves the "
        f"deleted score by {shift:.1%} of the drop and the target's rank in {rank_moved:.0%} of cells; without: "
        f"{', '.join(sanity.order_by(pick(without))[:2])}…",
        shift=shift,
        rank_moved=rank_moved,
    )


def _order_check(without: dict, with_: dict, other: dict, seed: int) -> tuple[dict, Callable, dict]:
    """The retraining checks' reading: the explainers ordered by their mean reading ``without`` and ``with_``
    retraining (identical explainers merged first, :func:`merged`), the orders compared by Kendall's tau with its
    bootstrap interval; the null's order (``other``) against the order without. Returns the merged groups, the
    function that keeps one reading per group, and the reading's ours/interval/null/null_interval/merged."""
    groups = merged(without)

    def pick(readings: dict) -> dict:
        return {label: readings[members[0]] for label, members in groups.items()}

    tau = sanity.order_agreement(pick(without), pick(with_), seed=seed)
    null = sanity.order_agreement(pick(without), pick(other), seed=seed)
    return (
        groups,
        pick,
        dict(
            ours=tau[0],
            interval=tau[1:],
            null=null[0],
            null_interval=null[1:],
            merged=[label for label, members in groups.items() if len(members) > 1],
        ),
    )


def reconet_retraining(
    study: Study, split, settings: dict, rec: models.Recommender, seed: int = 0, device: str = "cpu"
) -> dict:
    """The RecoNet retraining check on the first ``settings["retrain_users"]`` of the study's users (RecoNet has no
    closed form: one retraining per explainer). Those users join the training users with their full histories for the
    base model; for each explainer, a model is retrained (same seed and settings) with each of their histories less
    its top :func:`retrain_ke` items by that explainer. Per user the reading is the drop of the target's score from
    her full history (base model) to the deleted one, scored by the base model (without retraining) and by the
    retrained one (with retraining); the explainers are ordered by their mean drop in both settings (identical
    explainers merged first, :func:`merged`) and the orders compared by Kendall's tau with its bootstrap interval.
    The null orders the same explanations by the drop on the randomised RecoNet (:func:`models.randomised`)
    against the order without retraining, as for EASE."""
    import scipy.sparse as sp

    s = settings
    n = min(s["retrain_users"], len(study.targets))
    history = (np.asarray(study.history[:n]) > 0).astype(np.float32)
    targets = np.asarray(study.targets[:n])
    ke = retrain_ke(s)
    train = split.train if s["reconet_users"] is None else split.train[: s["reconet_users"]]

    def fit(rows: np.ndarray):
        stacked = sp.vstack([train, sp.csr_matrix(rows)]).tocsr()
        return models.fit_reconet(stacked, split.n_items, rec.model.hidden, s["reconet_epochs"], s["dim"], seed, device)

    def target_scores(model, rows):
        return models.scores(model, rows, device)[np.arange(len(rows)), targets].astype(np.float64)

    base = fit(history)
    full = target_scores(base, history)
    permuted = models.randomised(rec, seed + models.NULL_OFFSET)
    permuted_full = target_scores(permuted, history)
    names = explainer_names(study)
    without, with_, other, shifts = {}, {}, {}, []
    for name in tqdm(names, desc="RecoNet retraining", leave=False):
        order = metrics.removal_order(study.relevance[name][:n], history, ke, np.random.default_rng(seed))
        deleted = metrics.perturbed(history, order, ke)[0][ke - 1 :: ke]  # each user's history less her top ke
        kept = target_scores(base, deleted)
        retrained = target_scores(fit(deleted), deleted)
        without[name], with_[name] = full - kept, full - retrained
        other[name] = permuted_full - target_scores(permuted, deleted)
        shifts.append(np.abs(kept - retrained).mean() / max(np.abs(full - kept).mean(), 1e-12))
    groups, pick, reading = _order_check(without, with_, other, seed)
    shift = float(np.mean(shifts))
    return dict(
        reading,
        note=f"{n} users, the top {ke} items removed, {len(names) + 1} trainings; {len(groups)} distinct explainers "
        f"of {len(names)}; retraining moves the deleted score by {shift:.0%} of the drop; without: "
        f"{', '.join(sanity.order_by(pick(without))[:2])}…; with: {', '.join(sanity.order_by(pick(with_))[:2])}…",
        shift=shift,
        users=n,
        ke=ke,
    )


def retrain_ke(settings: dict) -> int:
    """How many top items the RecoNet retraining check removes: every explained user keeps at least two of her
    history items (she has at least ``min_items``), and no more than the protocol's ``k``."""
    return max(1, min(settings["k"], settings["min_items"] - 2))


def record_args(reading: dict) -> dict:
    """The keyword arguments of ``Chapter.record`` from a reading of this module (``missing`` where the claim does
    not apply)."""
    if "missing" in reading:
        return {"missing": reading["missing"]}
    return {k: reading[k] for k in ("ours", "interval", "null", "null_interval", "note")}


def explained_users(history, n: int, min_items: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of ``history`` (a users x items 0/1 matrix, e.g. the test users' fold-in) of ``n`` users drawn at random
    among those with at least ``min_items`` history items, in ascending order."""
    size = np.asarray(history.sum(axis=1)).ravel()
    eligible = np.flatnonzero(size >= min_items)
    return np.sort(rng.choice(eligible, size=min(n, len(eligible)), replace=False))


def quality(recs: dict, split, device: str = "cpu") -> pd.DataFrame:
    """nDCG@100 and Recall@20 of each model on the test users (fold-in in, held-out out), beside popularity: the
    check that the explained models are real recommenders."""
    from replicate import metrics as rank_metrics

    fold_in = split.test_in.toarray()
    out = {}
    popularity = np.asarray(split.train.sum(axis=0)).ravel().astype(np.float64)
    candidates = {name: models.scores(rec.model, fold_in, device).astype(np.float64) for name, rec in recs.items()}
    candidates["popularity"] = np.tile(popularity, (len(fold_in), 1))
    for name, s in candidates.items():
        s = rank_metrics.exclude(s, split.test_in)
        out[name] = {
            "nDCG@100": float(np.nanmean(rank_metrics.ndcg_at_k(s, split.test_out, 100))),
            "Recall@20": float(np.nanmean(rank_metrics.recall_at_k(s, split.test_out, 20))),
        }
    return pd.DataFrame(out).T

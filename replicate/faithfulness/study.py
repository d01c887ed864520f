"""One model's faithfulness study: every explainer on the same users and targets, their perturbation curves and
per-user readings, the table with paired bootstrap intervals, and the readings the chapter's claims record."""

from __future__ import annotations

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
                  reconet_retrain=False, retrain_users=0),
    "paper": dict(heldout=300, users=100, min_items=5, k=10, reconet_users=None, reconet_epochs=4, dim=64, hidden=256,
                  vae_epochs=20, vae_hidden=600, latent=200, emde_hidden=512, emde_epochs=5, steps=32, baselines=10,
                  samples=100, l2=200.0, skip=True, skip_sessions=2000, skip_test=1000, skip_epochs=3,
                  reconet_retrain=False, retrain_users=0),
}  # fmt: skip
SKIP_MODEL = dict(d_model=32, d_expert=8, heads=2, expert_heads=1, layers=1)  # the skip chapter's smoke sizes
SECOND_RANDOM = "random (second draw)"  # the null of "beats random": one more random order, against the floor
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
    over ``Ke = 1 .. settings["k"]``."""
    import time

    history = (np.asarray(history) > 0).astype(np.float32)
    targets = models.top_targets(rec.model, history, device)
    study = Study(rec.name, history, targets)
    names = ([rec.own] if rec.own else []) + list(explainers.GENERIC) + [explainers.POPULARITY, explainers.RANDOM]
    for name in tqdm([*names, SECOND_RANDOM], desc=rec.name, leave=False):
        started = time.perf_counter()
        if name == rec.own:
            relevance = models.own_explanation(rec, history, targets, device)
        else:
            relevance = explainers.explain(
                explainers.RANDOM if name == SECOND_RANDOM else name,
                rec.model,
                history,
                targets,
                device=device,
                rng=rng,
                steps=settings["steps"],
                pool=pool,
                n_baselines=settings["baselines"],
                n_samples=settings["samples"],
                popularity=popularity,
            )
        study.seconds[name] = time.perf_counter() - started
        order = metrics.removal_order(relevance, history, settings["k"])
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
        order = metrics.removal_order(relevance, history, k)
        draws.append(metrics.summary(metrics.perturbation_curves(rec.model, history, targets, order, k, device)))
    return {metric: np.mean([d[metric] for d in draws], axis=0) for metric in first}


def explainer_names(study: Study) -> list[str]:
    """The explainers shown (the second random order is the null only)."""
    return [n for n in study.readings if n != SECOND_RANDOM]


def table(study: Study, seed: int = 0) -> pd.DataFrame:
    """Explainers as rows; per metric the mean over users with its bootstrap 95 % interval, and the paired gain over
    the random order on DEL; ``*`` marks the best of a column when its paired interval against every other row
    separates it."""
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


def beats_random(study: Study, metric: str = "DEL", seed: int = 0) -> dict:
    """The smallest paired gain over the random order among the explainers (popularity included), with its
    interval; the null: the second random order's gain over the first."""
    gains = {
        n: metrics.paired(study.readings[n][metric], study.readings[explainers.RANDOM][metric], metric, seed=seed)
        for n in explainer_names(study)
        if n != explainers.RANDOM
    }
    worst = min(gains, key=lambda n: gains[n][0])
    null = metrics.paired(
        study.readings[SECOND_RANDOM][metric], study.readings[explainers.RANDOM][metric], metric, seed=seed
    )
    return dict(
        ours=gains[worst][0],
        interval=gains[worst][1:],
        null=null[0],
        null_interval=null[1:],
        note=f"weakest: {worst}; {len(study.targets)} users",
    )


def ig_real_vs_zero(study: Study, metric: str = "DEL", seed: int = 0) -> dict:
    """Paired gain of IG with real-user baselines over IG with a zero baseline; the null: the random order's."""
    zero = study.readings["IG (zero)"][metric]
    ours = metrics.paired(study.readings["IG (real users)"][metric], zero, metric, seed=seed)
    null = metrics.paired(study.readings[explainers.RANDOM][metric], zero, metric, seed=seed)
    return dict(ours=ours[0], interval=ours[1:], null=null[0], null_interval=null[1:], note=f"{len(zero)} users")


def _relative(study: Study, name: str, best: str, metric: str, seed: int):
    from replicate import stats

    a, b = study.readings[name][metric], study.readings[best][metric]
    pairs = np.stack([a, b], axis=1)
    return stats.bootstrap_interval(pairs, lambda p: (p[:, 0].mean() - p[:, 1].mean()) / abs(p[:, 1].mean()), seed=seed)


def own_vs_best(study: Study, own: str, metric: str = "DEL", seed: int = 0) -> dict:
    """The own explanation's mean reading relative to the best generic explainer's, (own - best) / |best|, with its
    bootstrap interval over users; the null puts the random order in the own explanation's place."""
    generic = [n for n in explainers.GENERIC if n in study.readings]
    best = max(generic, key=lambda n: study.readings[n][metric].mean())
    ours = _relative(study, own, best, metric, seed)
    null = _relative(study, explainers.RANDOM, best, metric, seed)
    return dict(ours=ours[0], interval=ours[1:], null=null[0], null_interval=null[1:], note=f"best generic: {best}")


RANDOMISED = ("IG (zero)", "InputXGradient", "Saliency")  # the batched explainers re-run on the randomised model


def randomisation(study: Study, rec: models.Recommender, seed: int, device: str = "cpu", steps: int = 32) -> dict:
    """Mean rank correlation (Spearman, |relevance| over history items) between the explanations of the trained and
    the randomised model, per explainer; the claim reads the highest (the explainer least sensitive to the model),
    the null is the popularity order (independent of the model: correlation one)."""
    random_model = models.randomised(rec, seed)
    per = {}
    names = ([rec.own] if rec.own else []) + list(RANDOMISED)
    for name in names:
        if name == rec.own:
            shadow = models.Recommender(rec.name, rec.kind, random_model, rec.own)
            other = models.own_explanation(shadow, study.history, study.targets, device)
        else:
            other = explainers.explain(name, random_model, study.history, study.targets, device=device, steps=steps)
        per[name] = sanity.rank_agreement(study.relevance[name], other, study.history)
    worst = max(per, key=lambda n: np.nanmean(per[n]))
    ours = sanity.mean_interval(per[worst], seed=seed)
    pop = study.relevance[explainers.POPULARITY]
    null = sanity.mean_interval(sanity.rank_agreement(pop, pop, study.history), seed=seed)
    return dict(
        ours=ours[0],
        interval=ours[1:],
        null=null[0],
        null_interval=null[1:],
        note="; ".join(f"{n}: {np.nanmean(v):.2f}" for n, v in per.items()),
        per_explainer={n: float(np.nanmean(v)) for n, v in per.items()},
    )


def retraining(study: Study, train, l2: float, k: int, seed: int = 0) -> dict:
    """The EASE retraining check on the study's users: Kendall's tau between the explainers' orders by DEL without
    and with retraining, with its bootstrap interval; the null shuffles each user's readings among the explainers
    (no explainer differs from another), read by the same function."""
    refit = sanity.EaseRefit(train, l2)
    names = [n for n in explainer_names(study)]
    without, with_ = {}, {}
    for name in tqdm(names, desc="retraining", leave=False):
        order = metrics.removal_order(study.relevance[name], study.history, k)
        for retrain, out in ((False, without), (True, with_)):
            curves = sanity.retrained_curves(refit, study.history, study.targets, order, k, retrain)
            out[name] = sanity.deletion_reading(curves)
    tau = sanity.order_agreement(without, with_, seed=seed)
    rng = np.random.default_rng(seed)
    stacked = np.stack([with_[n] for n in names], axis=1)
    shuffled = rng.permuted(stacked, axis=1)
    null = sanity.order_agreement(without, {n: shuffled[:, i] for i, n in enumerate(names)}, seed=seed)
    return dict(
        ours=tau[0],
        interval=tau[1:],
        null=null[0],
        null_interval=null[1:],
        note=f"{len(study.targets)} users; without: {', '.join(sanity.order_by(without)[:3])}…; with: "
        f"{', '.join(sanity.order_by(with_)[:3])}…",
    )


def record_args(reading: dict) -> dict:
    """The keyword arguments of ``Chapter.record`` from a reading of this module."""
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

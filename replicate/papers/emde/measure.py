"""The chapter's measurements: which users get a movie, the influencer tables, and the readings of the attributions
behind the paper's sentences of §3 and §3.2, each with its sampling interval; and the claims' null, random
attributions (:func:`random_attribution`).

Every measurement takes an :class:`~replicate.papers.emde.explain.Attribution` and the users' inputs, so that the
null goes through exactly the same code as IG's attributions: the notebook calls each function twice, on IG's and on
the null's, and the same declared rule decides both (:mod:`replicate.papers.emde.claims`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from replicate import stats
from replicate.core.claims import AtLeast, AtMost, Exceeds, Within, format_value, null_verdict
from replicate.papers.emde import explain
from replicate.papers.emde.explain import Attribution
from replicate.papers.emde.inputs import Inputs
from replicate.papers.emde.train import EMDEModel

# The paper's movies of Figures 1-2, and the one of Figures 3-4 (ML titles).
PAPER_MOVIES = ("Gladiator (2000)", "Fight Club (1999)", "Rear Window (1954)", "Apollo 13 (1995)", "Casablanca (1942)")
SCHINDLER = "Schindler's List (1993)"


def _interval(values, statistic=np.mean, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap 95 % interval over the rows of ``values`` (1,000 resamples)."""
    return tuple(stats.bootstrap_interval(values, statistic, n_boot=1000, seed=seed)[1:])


# --- attributions read per movie, completeness, faithfulness ---------------------------------------------------------


def movie_attributions(attribution: Attribution, model: EMDEModel, inputs: Inputs, aggregate: str = "mean") -> dict:
    """Per modality (by name): each user's attribution of each input movie (:func:`explain.movie_scores`)."""
    return {
        m.name: explain.movie_scores(attribution, model, inputs, k, aggregate=aggregate)
        for k, m in enumerate(model.modalities)
    }


def completeness_gap(attribution: Attribution) -> float:
    """Median over users of |sum of the attributions - (f(x) - f(baseline))| / |f(x) - f(baseline)| (IG's
    completeness axiom: 0 up to the integration error)."""
    total = attribution.cells.reshape(len(attribution.f), -1).sum(axis=1)
    change = attribution.f - attribution.f_baseline
    return float(np.median(np.abs(total - change) / np.abs(change)))


def removal_test(model: EMDEModel, inputs: Inputs, targets, top, drop_random) -> tuple[np.ndarray, float]:
    """Faithfulness: the drop of the explained output when each user's top-attributed movie ``top`` leaves her input,
    and the one-sided Mann-Whitney p that it exceeds ``drop_random`` (the drops for a random other input movie)."""
    from scipy.stats import mannwhitneyu

    drop_top = explain.removal_effect(model, inputs, targets, top)
    return drop_top, float(mannwhitneyu(drop_top, drop_random, alternative="greater").pvalue)


# --- who gets a movie -----------------------------------------------------------------------------------------------


def recommended_to(scores: np.ndarray, column: int, k: int = 10, n: int | None = None) -> np.ndarray:
    """Rows (users) that have catalogue column ``column`` among their top ``k`` (it is never in their input: scores
    mask input movies), ordered by that movie's score, best first; at most ``n``."""
    top = np.argpartition(-scores, kth=min(k, scores.shape[1] - 1), axis=1)[:, :k]
    rows = np.flatnonzero((top == column).any(axis=1))
    rows = rows[np.argsort(-scores[rows, column], kind="stable")]
    return rows if n is None else rows[:n]


def paper_movie_selection(
    dataset,
    scores: np.ndarray,
    catalogue: np.ndarray,
    titles=PAPER_MOVIES,
    k: int = 10,
    n: int = 50,
    min_users: int = 5,
) -> pd.DataFrame:
    """For each of the paper's movies: the users (rows of ``scores``) who have it in their top ``k`` (at most ``n``,
    highest scores first). A movie that fewer than ``min_users`` users get (or that is not in the catalogue) is kept
    with its count, and the most often first-recommended movie not yet chosen is added in its place. Columns:
    ``item``, ``title``, ``users`` (array of rows), ``count``, ``paper`` (one of the paper's movies), ``kept``."""
    column_of = pd.Series(np.arange(len(catalogue)), index=catalogue)
    by_title = pd.Series(dataset.items.index.to_numpy(), index=dataset.items["title"].to_numpy())
    first = pd.Series(catalogue[np.argmax(scores, axis=1)]).value_counts()
    rows, taken = [], set()
    for title in titles:
        item = int(by_title[title]) if title in by_title.index else -1
        users = recommended_to(scores, int(column_of[item]), k, n) if item in column_of.index else np.array([], int)
        kept = len(users) >= min_users
        rows.append(dict(item=item, title=title, users=users, count=len(users), paper=True, kept=kept))
        taken.add(item)
        if not kept:
            extra = next(int(i) for i in first.index if int(i) not in taken)
            taken.add(extra)
            users = recommended_to(scores, int(column_of[extra]), k, n)
            rows.append(
                dict(
                    item=extra,
                    title=dataset.items.loc[extra, "title"],
                    users=users,
                    count=len(users),
                    paper=False,
                    kept=True,
                )  # fmt: skip
            )
    return pd.DataFrame(rows)


# --- influencer tables ----------------------------------------------------------------------------------------------


def influencer_table(dataset, movie_attr: dict, selection: pd.DataFrame, offsets: dict) -> pd.DataFrame:
    """Rows: the selected movies; columns: modalities; cells: the input movie with the largest attribution summed
    over the movie's users (``offsets[item]`` = the users' rows in ``movie_attr``), or a dash."""
    out = {}
    for row in selection[selection["kept"]].itertuples():
        users = offsets[row.item]
        cells = {}
        for name, attr in movie_attr.items():
            best = explain.most_influential(attr, users)
            cells[name] = dataset.items.loc[best, "title"] if best >= 0 else "—"
        out[f"{row.title} ({row.count} users)"] = cells
    return pd.DataFrame(out).T


def per_user_table(dataset, attribution: Attribution, model: EMDEModel, inputs: Inputs, names, entity_names):
    """Rows: users (in the batch's order); the strongest unit of each entity modality and the most influential
    input movie of every modality."""
    units = {n: strongest_units(attribution, model, inputs, names.index(n)) for n in entity_names}
    movies = {n: explain.top_movie(explain.movie_scores(attribution, model, inputs, k)) for k, n in enumerate(names)}
    rows = {}
    for b in range(len(attribution.targets)):
        row = {}
        for n in entity_names:
            u = units[n][b]
            row[f"strongest {n}"] = model.modalities[names.index(n)].labels[u] if u >= 0 else "—"
        for n in names:
            row[f"movie via {n}"] = dataset.items.loc[movies[n][b], "title"] if movies[n][b] >= 0 else "—"
        rows[f"user {b + 1}"] = row
    return pd.DataFrame(rows).T


# --- units present in a user's input, and the strongest of them ------------------------------------------------------


def present_units(model: EMDEModel, inputs: Inputs, modality: int) -> np.ndarray:
    """(n_users, n_units) bool: the unit is carried by one of the user's input movies that feed the modality."""
    m = model.modalities[modality]
    feeds = inputs.liked if m.source == "liked" else inputs.disliked
    return (feeds @ m.movie_units).toarray() > 0


def strongest_units(attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int) -> np.ndarray:
    """Per user, the present unit with the largest attribution (-1 when none is present)."""
    present = present_units(model, inputs, modality)
    scores = np.where(present, explain.unit_scores(attribution, model, modality), -np.inf)
    return np.where(present.any(axis=1), scores.argmax(axis=1), -1)


def film_units(model: EMDEModel, modality: int, items: np.ndarray) -> np.ndarray:
    """(len(items), n_units) bool: the unit belongs to the film (e.g. the person is in its cast or crew)."""
    return model.modalities[modality].movie_units[np.asarray(items)].toarray() > 0


# --- §3: agreement with the interactions, as excess over chance -------------------------------------------------------


def agreement_excess(tops: dict, n_liked: np.ndarray, eligible: np.ndarray, seed: int = 0, reference="liked") -> dict:
    """Per supporting modality: the share of eligible users whose most influential movie is the ``reference``
    modality's (``raw``, the paper's number as printed) with a bootstrap 95 % interval over users (``raw_interval``),
    the share expected by chance (each user's 1 / number of liked input movies, ``chance``), their difference
    (``excess``, our reading) with its bootstrap 95 % interval (``interval``), and the number of users ``n``."""
    ref = tops[reference]
    out = {}
    for name, top in tops.items():
        if name == reference:
            continue
        mask = eligible & (ref >= 0) & (top >= 0)
        hit = (top[mask] == ref[mask]).astype(float)
        chance = 1.0 / n_liked[mask]
        if not mask.any():
            out[name] = dict(raw=np.nan, raw_interval=(np.nan, np.nan), chance=np.nan, excess=np.nan,
                             interval=(np.nan, np.nan), n=0)  # fmt: skip
            continue
        interval = _interval(hit - chance, np.mean, seed=seed)
        out[name] = dict(raw=hit.mean(), raw_interval=_interval(hit, np.mean, seed=seed), chance=chance.mean(),
                         excess=(hit - chance).mean(), interval=interval, n=int(mask.sum()))  # fmt: skip
    return out


def influence_ratio(movie_attr: dict, name: str, reference: str = "liked", seed: int = 0) -> dict:
    """Mean top attribution of ``name`` over that of ``reference`` (users where both have a movie), with a bootstrap
    95 % interval over users."""
    best = {n: np.nanmax(np.where(np.isnan(movie_attr[n]), -np.inf, movie_attr[n]), axis=1) for n in (name, reference)}
    mask = np.isfinite(best[name]) & np.isfinite(best[reference])
    pairs = np.stack([best[name][mask], best[reference][mask]], axis=1)
    ratio = float(pairs[:, 0].mean() / pairs[:, 1].mean())
    interval = _interval(pairs, lambda p: p[:, 0].mean() / p[:, 1].mean(), seed=seed)
    return dict(ratio=ratio, interval=interval, n=int(mask.sum()))


# --- §3: supporting modalities and standard performance ------------------------------------------------------------


def paired_ndcg(scores: np.ndarray, reference: np.ndarray, heldout, k: int = 100, seed: int = 0) -> dict:
    """nDCG@``k`` of ``scores`` minus that of ``reference`` per user (users with held-out movies), paired: the mean
    difference ``excess`` with a bootstrap 95 % interval over users, ``n``, and the per-user ``differences``."""
    from replicate import metrics

    ours, theirs = metrics.ndcg_at_k(scores, heldout, k), metrics.ndcg_at_k(reference, heldout, k)
    both = np.isfinite(ours) & np.isfinite(theirs)
    diff = ours[both] - theirs[both]
    return dict(excess=float(diff.mean()), interval=_interval(diff, np.mean, seed=seed), n=int(both.sum()),
                differences=diff)  # fmt: skip


def with_training_noise(result: dict, gap: float) -> dict:
    """A paired difference between two trained models (:func:`paired_ndcg`) with the training seed's noise put into
    its interval. ``gap``: the same comparison between the full model and itself trained with another seed (what
    one training per arm differs by when nothing differs). With equal seed variance s^2 in both arms, a difference
    of one training per arm has a training spread of sqrt(2) s, and ``gap`` estimates it (E gap^2 = 2 s^2): each
    half of the users' interval is widened in quadrature by 1.96 |gap| (a one-training estimate, itself rough).
    Adds ``sampling_interval`` (the users' interval alone) and ``training_noise`` (``gap``)."""
    mean, (low, high) = result["excess"], result["interval"]
    spread = 1.96 * abs(float(gap))
    interval = (mean - float(np.hypot(mean - low, spread)), mean + float(np.hypot(high - mean, spread)))
    return {**result, "interval": interval, "sampling_interval": (low, high), "training_noise": float(gap)}


def planted_difference(differences: np.ndarray, size: float, seed: int = 0) -> dict:
    """An absence claim's positive control: the per-user ``differences`` moved so that their mean is ``size``, the
    spread kept; the same ``excess``, ``interval``, ``n`` as :func:`paired_ndcg`."""
    moved = np.asarray(differences, dtype=float) - np.mean(differences) + size
    return dict(excess=float(moved.mean()), interval=_interval(moved, np.mean, seed=seed), n=len(moved))


# --- §3.2: people ---------------------------------------------------------------------------------------------------


def gini(values) -> float:
    """Gini coefficient of non-negative ``values``: 0 when all are equal, towards 1 when one holds everything (NaN
    for fewer than two values or a zero total)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n < 2 or x.sum() <= 0:
        return float("nan")
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def contribution_inequality(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, seed: int = 0
) -> dict:
    """How unequal the people's contributions are: per user, the :func:`gini` of the absolute attributions of the
    people present in her input (users with at least two); their mean ``gini`` with a bootstrap 95 % interval over
    users, ``n``."""
    present = present_units(model, inputs, modality)
    scores = np.abs(explain.unit_scores(attribution, model, modality))
    values = np.array([gini(scores[b, present[b]]) for b in range(len(present))])
    values = values[np.isfinite(values)]
    if not len(values):
        return dict(gini=np.nan, interval=(np.nan, np.nan), n=0)
    return dict(gini=float(values.mean()), interval=_interval(values, np.mean, seed=seed), n=len(values))


def person_rank(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, users, name: str, boot=200, seed=0
) -> dict:
    """Rank (1 = strongest; a tie broken at random, its expected rank, e.g. 2.5 for a tie of two behind one) of the
    person ``name`` among the people present in the inputs of ``users``, by the attribution summed over those users
    (a person counts only for users whose input has them), with a bootstrap 95 % interval over users (the same people
    ranked in every resample; a person absent from a resample scores 0 there).
    ``rank`` is None when the person is not a unit or is present for none of the users."""
    m = model.modalities[modality]
    users = np.asarray(users)
    unit = m.unit_of.get(name)
    empty = dict(rank=None, interval=None, n_people=0, n_users=len(users), present_for=0, unit=unit)
    if unit is None or not len(users):
        return empty
    present = present_units(model, inputs, modality)[users]
    scores = np.where(present, explain.unit_scores(attribution, model, modality)[users], 0.0)
    if not present[:, unit].any():
        return empty

    listed = present.any(axis=0)  # the people ranked: present for one of the users (fixed across resamples)

    def rank_of(rows):  # a tie is broken at random: the person's expected rank among the people scoring as much
        total = scores[rows].sum(axis=0)
        above, tied = np.sum(listed & (total > total[unit])), np.sum(listed & (total == total[unit])) - 1
        return 1.0 + float(above) + tied / 2

    rng = np.random.default_rng(seed)
    draws = np.asarray([rank_of(rng.integers(0, len(users), len(users))) for _ in range(boot)], dtype=float)
    interval = (float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))) if boot else None
    return dict(rank=rank_of(np.arange(len(users))), interval=interval, n_people=int(present.any(axis=0).sum()),
                n_users=len(users), present_for=int(present[:, unit].sum()), unit=unit)  # fmt: skip


def named_ranks(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality, selection, offsets, named, seed: int = 0
) -> pd.DataFrame:
    """One row per (claim id, person, movie title, what the paper says) of ``named``: the person's rank for the
    movie's users (:func:`person_rank`) and its interval, or why it cannot be measured (``missing``) and of which kind
    (``cause``: ``"data"`` when the run has no cast modality or the person no unit, ``"model"`` when this model shows
    the movie to too few users or to none whose input has the person)."""
    by_title = {row.title: row for row in selection.itertuples()}
    rows = []
    for claim_id, person, title, says in named:
        row = by_title.get(title)
        reason, cause, result = None, "data", None
        if modality is None:
            reason = "no cast modality in this run"
        elif row is None or not row.kept:
            reason, cause = f"{title} is in the top ten of {0 if row is None else row.count} users only", "model"
        else:
            result = person_rank(attribution, model, inputs, modality, offsets[row.item], person, seed=seed)
            if result["unit"] is None:
                reason = f"{person} is in fewer than two movies of the dataset (no unit)"
            elif result["rank"] is None:
                reason, cause = f"no input of the {result['n_users']} users who get {title} has {person}", "model"
        rank = None if result is None or result["rank"] is None else result["rank"]
        rank = rank if rank is None or rank != int(rank) else int(rank)  # a half rank only from a tie
        note = (
            f"{result['n_people']} people present, {person} for {result['present_for']} of {result['n_users']} users"
            if rank is not None
            else reason
        )
        rows.append(dict(id=claim_id, person=person, movie=title, says=says, rank=rank,
                         interval=None if rank is None else result["interval"], missing=reason or "", cause=cause,
                         note=note))  # fmt: skip
    return pd.DataFrame(rows)


def per_user_strength(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, users, name: str, k: int = 10
) -> np.ndarray | None:
    """Each user's vote on a person (an aggregation over users that weighs every user alike): for every user of
    ``users`` whose input has ``name``, 1 if the person is among her k strongest present people (a tie broken at
    random: the chance that it puts the person in the top k, so that equal scores, e.g. presence alone, give exactly
    the chance level), minus the chance of
    that under a random order of her people (min(k, p) / p for p present). None when the person is no unit or
    present for none."""
    unit = model.modalities[modality].unit_of.get(name)
    if unit is None or not len(users):
        return None
    present = present_units(model, inputs, modality)[np.asarray(users)]
    rows = np.flatnonzero(present[:, unit])
    if not len(rows):
        return None
    scores = np.where(
        present[rows], explain.unit_scores(attribution, model, modality)[np.asarray(users)[rows]], -np.inf
    )
    above = (scores > scores[:, [unit]]).sum(axis=1)
    tied = (scores == scores[:, [unit]]).sum(axis=1)  # the person and everyone scoring as much
    top_k = np.clip(k - above, 0, tied) / tied  # a tie broken at random: the chance the person lands in the top k
    n_present = present[rows].sum(axis=1)
    return top_k - np.minimum(k, n_present) / n_present


def named_per_user(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality, selection, offsets, named, k, seed=0
) -> dict | None:
    """:func:`per_user_strength` pooled over the named people the paper calls strong (``named`` rows whose says is
    not "not strong"), each for the users of their movie: the mean excess over chance, its bootstrap interval, and
    per person the share of users for whom they are top k. None without a cast modality or any such user."""
    if modality is None:
        return None
    by_title = {row.title: row for row in selection.itertuples()}
    pooled, per_person = [], {}
    for _, person, title, says in named:
        row = by_title.get(title)
        if says == "not strong" or row is None or not row.kept:
            continue
        excess = per_user_strength(attribution, model, inputs, modality, offsets[row.item], person, k)
        if excess is not None:
            pooled.append(excess)
            per_person[person] = (float(np.mean(excess)), len(excess))
    if not pooled:
        return None
    values = np.concatenate(pooled)
    interval = _interval(values, np.mean, seed=seed)
    return dict(excess=float(values.mean()), interval=interval, n=len(values), per_person=per_person)


def own_cast(attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, seed: int = 0) -> dict:
    """For each user whose input has a person of the explained film: is her strongest person in that film's cast or
    crew? Against
    a random present person (the share of present people who are in it). Returns the share in the film (``in_film``),
    the random share (``random``), their difference with a bootstrap interval (``excess``, ``interval``), the share
    *not* in the film with its Wilson interval (``not_in_film``, ``not_interval``) and ``n``."""
    present = present_units(model, inputs, modality)
    strongest = strongest_units(attribution, model, inputs, modality)
    in_film = film_units(model, modality, attribution.targets)
    mask = (strongest >= 0) & (present & in_film).any(axis=1)
    rows = np.flatnonzero(mask)
    hit = in_film[rows, strongest[rows]].astype(float)
    random = (present[rows] & in_film[rows]).sum(axis=1) / present[rows].sum(axis=1)
    share = float(hit.mean())
    return dict(in_film=share, random=float(random.mean()), excess=float((hit - random).mean()),
                interval=_interval(hit - random, np.mean, seed=seed), not_in_film=1.0 - share,
                not_interval=tuple(1.0 - v for v in stats.wilson_interval(share, len(rows))[::-1]),
                n=len(rows))  # fmt: skip


def person_epochs(model: EMDEModel, modality: int, years: np.ndarray) -> np.ndarray:
    """(n_units,) the median release year of each person's films (NaN without a year)."""
    m = model.modalities[modality].movie_units.tocsc()
    out = np.full(m.shape[1], np.nan)
    for u in range(m.shape[1]):
        films = m.indices[m.indptr[u] : m.indptr[u + 1]]
        known = years[films][np.isfinite(years[films])]
        out[u] = np.median(known) if len(known) else np.nan
    return out


def same_epoch(
    attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int, years, window=10, seed=0, epochs=None
) -> dict:
    """Among users whose strongest person is *not* in the explained film: is that person of the film's epoch (the
    median year of their films within ± ``window`` years of the film's)? Against a random present person who is not
    in the film. Returns ``share``, ``random``, ``excess`` (difference) with a bootstrap interval, ``n``, and
    ``hits``: per user of the batch 1 or 0, NaN where not measured (for :func:`paired_excess`). ``epochs``: the
    people's :func:`person_epochs`, when already computed."""
    years = np.asarray(years, dtype=float)
    epochs = person_epochs(model, modality, years) if epochs is None else epochs
    present = present_units(model, inputs, modality)
    strongest = strongest_units(attribution, model, inputs, modality)
    in_film = film_units(model, modality, attribution.targets)
    film_year = years[attribution.targets]
    rows = [b for b in range(len(strongest)) if strongest[b] >= 0 and not in_film[b, strongest[b]]]
    rows = [b for b in rows if np.isfinite(film_year[b]) and np.isfinite(epochs[strongest[b]])]
    hits = np.full(len(strongest), np.nan)
    if not rows:
        return dict(share=np.nan, random=np.nan, excess=np.nan, interval=(np.nan, np.nan), n=0, hits=hits)
    rows = np.asarray(rows)
    near = np.abs(epochs[None, :] - film_year[rows, None]) <= window
    others = present[rows] & ~in_film[rows] & np.isfinite(epochs)[None, :]
    hit = near[np.arange(len(rows)), strongest[rows]].astype(float)
    random = (others & near).sum(axis=1) / np.maximum(others.sum(axis=1), 1)
    hits[rows] = hit
    return dict(share=float(hit.mean()), random=float(random.mean()), excess=float((hit - random).mean()),
                interval=_interval(hit - random, np.mean, seed=seed), n=len(rows), hits=hits)  # fmt: skip


def chance_level(draws: list[np.ndarray]) -> np.ndarray:
    """Per user, the mean of the readings (1/0, NaN where not measured) of several random draws: the chance level a
    reading is paired against (NaN where no draw measured the user)."""
    stacked = np.asarray(draws, dtype=float)
    measured = np.isfinite(stacked)
    counts = measured.sum(axis=0)
    totals = np.where(measured, stacked, 0.0).sum(axis=0)
    return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


def epoch_chance(attr, model, inputs, modality, years, window, seed, epochs, draws: int, draw_seed: int):
    """The chance level :func:`same_epoch`'s reading is paired with, for the films ``attr`` explains: per user, the
    :func:`chance_level` of ``draws`` random attributions of her input (seeds ``draw_seed`` + 1, ...)."""
    return chance_level(
        [
            epoch_hits(
                random_attribution(attr, seed=draw_seed + k), model, inputs, modality, years, window, seed, epochs
            )
            for k in range(1, draws + 1)
        ]
    )


def paired_excess(hits: np.ndarray, reference: np.ndarray, seed: int = 0) -> dict:
    """Per-user readings (1/0, NaN where not measured) of two attributions of the same users, e.g. IG's and random
    attributions': over the users measured in both, ``share`` and ``random`` (the reference's share), their paired
    difference ``excess`` with a bootstrap 95 % interval over users, and ``n``."""
    both = np.isfinite(hits) & np.isfinite(reference)
    if not both.any():
        return dict(share=np.nan, random=np.nan, excess=np.nan, interval=(np.nan, np.nan), n=0)
    diff = hits[both] - reference[both]
    return dict(share=float(hits[both].mean()), random=float(reference[both].mean()), excess=float(diff.mean()),
                interval=_interval(diff, np.mean, seed=seed), n=int(both.sum()))  # fmt: skip


# --- §3.4: the same movie for different reasons -----------------------------------------------------------------------


def distinct_reasons(attribution: Attribution, model: EMDEModel, inputs: Inputs, modality: int) -> dict:
    """How many distinct strongest units the users have (``distinct``), against what one reason shared by all of them
    gives: the same summed attribution for every user, each user's strongest present unit under it (``shared``);
    ``more``: the difference, and ``n`` the users with a present unit."""
    own = strongest_units(attribution, model, inputs, modality)
    shared = strongest_units(shared_attribution(attribution), model, inputs, modality)
    distinct, common = len(set(own[own >= 0].tolist())), len(set(shared[shared >= 0].tolist()))
    return dict(distinct=distinct, shared=common, more=distinct - common, n=int((own >= 0).sum()))


# --- null attributions ----------------------------------------------------------------------------------------------


def random_attribution(attribution: Attribution, seed: int = 0) -> Attribution:
    """A null: every input-sketch cell of the same users gets an independent Gaussian score of the same spread as
    IG's in that modality (nothing learned; one spread per modality, so that a ratio between modalities keeps IG's
    scales); decoded to units and movies like IG's."""
    rng = np.random.default_rng(seed)
    spread = attribution.cells.std(axis=(0, 2, 3), keepdims=True)
    cells = rng.normal(size=attribution.cells.shape) * np.where(spread > 0, spread, 1.0)
    return replace(attribution, cells=cells.astype(attribution.cells.dtype))


def input_attribution(attribution: Attribution, model: EMDEModel, inputs: Inputs) -> Attribution:
    """A structure null: the input sketch itself as the attribution (a person scores her weight in the user's input,
    the more of her liked movies credit him the larger): what a reading shows when it only follows the input."""
    x = model.inputs_vector(inputs)
    x = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    return replace(attribution, cells=x.reshape(attribution.cells.shape).astype(attribution.cells.dtype))


def presence_attribution(attribution: Attribution, model: EMDEModel, inputs: Inputs) -> Attribution:
    """A structure null: every non-empty input-sketch cell scores 1, so every present person scores 1 (decoded as the
    mean over sketches of her buckets) and, summed over users, people rank by how many of the users have them."""
    x = input_attribution(attribution, model, inputs).cells
    return replace(attribution, cells=(x != 0).astype(attribution.cells.dtype))


def permuted_attribution(attribution: Attribution, seed: int = 0) -> Attribution:
    """A null: IG's own cells shuffled within each user and modality (the same values, no longer at the buckets the
    input fills)."""
    rng = np.random.default_rng(seed)
    n, m = attribution.cells.shape[:2]
    cells = rng.permuted(attribution.cells.reshape(n, m, -1), axis=2).reshape(attribution.cells.shape)
    return replace(attribution, cells=cells)


def shuffled_targets(targets, seed: int = 0) -> np.ndarray:
    """Each user gets another user's explained movie (a random cycle over the users, so nobody keeps her own row's;
    two users recommended the same movie may still swap it)."""
    targets = np.asarray(targets)
    order = np.random.default_rng(seed).permutation(len(targets))
    out = targets.copy()
    out[order] = targets[np.roll(order, -1)]
    return out


def popular_movie(train: sp.spmatrix, items: np.ndarray) -> int:
    """The catalogue's most popular movie (most training interactions), a dataset index."""
    return int(np.asarray(items)[np.asarray(train.sum(axis=0)).ravel().argmax()])


def structure_nulls(attribution, model, inputs, untrained, untrained_attribution, seed: int = 0, presence=False):
    """The skeptic's nulls of a reading of ``attribution``, each an (attribution, model) pair the same measurement
    reads: ``random`` (Gaussian cells), ``untrained`` (IG of an untrained network, given), ``input x`` (the input
    sketch itself), ``permuted IG`` (IG's cells shuffled within user and modality) and, with ``presence``,
    ``presence`` (every present unit scores 1)."""
    nulls = {
        "random": (random_attribution(attribution, seed=seed), model),
        "untrained": (untrained_attribution, untrained),
        "input x": (input_attribution(attribution, model, inputs), model),
        "permuted IG": (permuted_attribution(attribution, seed=seed), model),
    }
    if presence:
        nulls["presence"] = (presence_attribution(attribution, model, inputs), model)
    return nulls


def target_nulls(model, inputs, targets, popular: int, steps: int, seed: int = 0) -> dict:
    """The target-independence nulls: IG of the same model and users explaining another user's movie (``shuffled
    targets``) or the catalogue's most popular movie (``popular target``), read as the explanation of each user's
    own ``targets`` (the attribution's ``targets`` are set back to them, so a reading about the explained film, its
    cast or its epoch, is made against the user's own film): what a reading shows whatever is explained."""
    targets = np.asarray(targets)
    others = {"shuffled targets": shuffled_targets(targets, seed), "popular target": np.full(len(targets), popular)}
    return {
        name: (replace(explain.explain(model, inputs, other, steps=steps), targets=targets), model)
        for name, other in others.items()
    }


def planted_inequality(model: EMDEModel, inputs: Inputs, modality: int, like: Attribution, seed: int = 0) -> dict:
    """A positive control of an inequality reading: per user, exponential contributions (Gini 1/2 in expectation)
    planted on the people present in her input, hashed into their buckets like a sketch (each person's value added
    to her bucket of every sketch, colliding people summed), then decoded and read by
    :func:`contribution_inequality`. ``planted``: the mean Gini of the planted contributions; the rest as
    :func:`contribution_inequality`. ``like``: an attribution giving the cells' shape and targets."""
    rng = np.random.default_rng(seed)
    present = present_units(model, inputs, modality)
    codes = model.modalities[modality].codes
    cells = np.zeros(like.cells.shape, dtype=float)
    planted = []
    for b in range(len(present)):
        units = np.flatnonzero(present[b])
        values = rng.exponential(size=len(units))
        planted.append(gini(values))
        for s in range(codes.shape[1]):
            np.add.at(cells[b, modality, s], codes[units, s], values)
    out = contribution_inequality(replace(like, cells=cells), model, inputs, modality, seed=seed)
    return {**out, "planted": float(np.nanmean(planted)) if planted else np.nan}


def shared_attribution(attribution: Attribution) -> Attribution:
    """One reason shared by all users, the alternative "different reasons" is measured against: every user gets the
    mean attribution of all users (each then takes her strongest present unit under it)."""
    mean = attribution.cells.mean(axis=0, keepdims=True)
    return replace(attribution, cells=np.broadcast_to(mean, attribution.cells.shape).copy())


def sparse_rows(matrix: sp.csr_matrix) -> list[np.ndarray]:
    return [matrix.indices[matrix.indptr[b] : matrix.indptr[b + 1]] for b in range(matrix.shape[0])]


NO_CAST = "no cast modality in this run"


def reading(ours, null, value: str = "excess", interval: str | None = "interval", note: str = "") -> dict:
    """The keyword arguments of ``Chapter.record`` for a claim measured as ``ours[value]`` with ``ours[interval]``,
    its null read likewise (``note`` formatted with ours). ``ours`` None: the run has no cast modality (not
    applicable); no user to measure it on: this seed's model left none (a miss)."""
    if ours is None:
        return {"missing": NO_CAST}
    if not ours["n"]:
        return {"missing": "no user to measure it on in this run", "cause": "model"}
    return {
        "ours": ours[value],
        "interval": ours[interval] if interval else None,
        "null": null[value],
        "null_interval": null[interval] if interval else None,
        "note": note.format(**ours),
    }


def null_margin(rule, paper, value, interval) -> float:
    """How far a null's reading is from failing the claim's rule (larger: closer to passing, or passing by more)."""
    if value is None or not np.isfinite(float(value)):
        return -np.inf
    value = float(value)
    if isinstance(rule, Exceeds):
        low, high = interval if interval is not None else (value, value)
        return rule.bound - high if rule.below else low - rule.bound
    if isinstance(rule, AtLeast):
        return value - float(paper if rule.bound is None else rule.bound)
    if isinstance(rule, AtMost):
        return float(paper if rule.bound is None else rule.bound) - value
    if isinstance(rule, Within):
        return rule.abs + rule.rel * abs(float(paper)) - abs(value - float(paper))
    return 0.0


def strongest_null(rule, paper, nulls: dict, value: str = "excess", interval: str | None = "interval"):
    """Of several nulls' readings (name -> reading dict, or None where not measured), the skeptic's strongest: one
    that passes the rule (the core's :func:`~replicate.core.claims.null_verdict`) if any, and among those (or, when
    none passes, among all) the one closest to passing (:func:`null_margin`). Returns (name, reading, verdicts by
    name); (None, None, {}) when none was measured."""
    measured = {n: r for n, r in nulls.items() if r is not None and r.get("n", 1)}
    if not measured:
        return None, None, {}
    verdicts, keys = {}, {}
    for name, r in measured.items():
        band = r[interval] if interval else None
        verdicts[name] = null_verdict(rule, paper, r[value], band)
        keys[name] = (verdicts[name] == "replicated", null_margin(rule, paper, r[value], band))
    best = max(measured, key=lambda n: keys[n])
    return best, measured[best], verdicts


def readings(
    claim, ours, nulls: dict, value: str = "excess", interval: str | None = "interval", note: str = "", rule_args=None
):
    """:func:`reading` with several skeptic's nulls (name -> reading): the strongest (:func:`strongest_null`, under
    the declared ``claim``'s rule, with the run's ``rule_args`` when it has runtime fields) is recorded as the claim's
    null, every null's value and verdict in the note."""
    rule = replace(claim.rule, **rule_args) if rule_args else claim.rule
    name, best, verdicts = strongest_null(rule, claim.paper, nulls, value, interval)
    if ours is None or not ours["n"] or best is None:
        out = reading(ours, {value: None, interval: None} if best is None else best, value, interval, note)
        if rule_args and not ("missing" in out and out.get("cause") != "model"):
            out["rule_args"] = rule_args
        return out if "missing" in out else {**out, "note": f"{out['note']}; no null measured"}
    out = reading(ours, best, value, interval, note)

    def shown(n):
        r = nulls[n]
        band = r[interval] if interval else None
        band = f" [{format_value(band[0])}, {format_value(band[1])}]" if band is not None else ""
        return f"{n} {format_value(r[value])}{band} ({verdicts[n]})"

    listed = "; ".join(shown(n) for n in verdicts)
    out = {**out, "note": f"{out['note']}; null: {name} (strongest of: {listed})".lstrip("; ")}
    return {**out, "rule_args": rule_args} if rule_args else out


def rank_reading(claim, row, null_rows: dict) -> dict:
    """The record of a named person's rank (a row of :func:`named_ranks`) with its nulls (name -> the same person's
    row under each null) through :func:`readings`; a row that could not be measured gives its reason and cause."""
    if row.missing:
        return {"missing": row.missing, "cause": row.cause}
    ours = {"rank": row.rank, "interval": row.interval, "n": 1}
    nulls = {n: None if r.rank is None or pd.isna(r.rank) else {"rank": r.rank, "interval": r.interval, "n": 1}
             for n, r in null_rows.items()}  # fmt: skip
    return readings(claim, ours, nulls, "rank", note=row.note)


def vote_reading(attr, model, inputs, cast_k, selection, offsets, named, top_k, seed: int = 0):
    """:func:`named_per_user` for the chapter's "why" check (one vote per user against the sum over users): None
    without a cast modality, ``{"n": 0}`` when no user of the named movies has the named people."""
    if cast_k is None:
        return None
    return named_per_user(attr, model, inputs, cast_k, selection, offsets, named, top_k, seed=seed) or {"n": 0}


def epoch_hits(attr, model, inputs, cast_k, years, window, seed, epochs):
    """Per user, whether her strongest person is of the film's epoch (:func:`same_epoch`'s hits); None without a
    cast modality (``epochs`` None)."""
    if epochs is None:
        return None
    return same_epoch(attr, model, inputs, cast_k, years, window, seed, epochs)["hits"]

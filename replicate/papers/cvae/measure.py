"""The paper's observations about the C-VAE latent space, each as a score and a reading, on a trained model and on
untrained ones side by side; and the measurements of the chapter's other claims (the genre facts, the planted
differences of the equivalence claims' positive controls).

Every observation of §3.1 becomes

- a **score**: a scale-free number that grows the more the latent space looks as the paper describes (a ratio of
  centroid distances, a rank correlation, a silhouette), and
- a **reading**: the paper's sentence as a yes/no on that model, with a threshold fixed in advance
  (:class:`replicate.papers.cvae.claims.Thresholds`).

An untrained C-VAE already passes several readings, because the one-hot condition shifts the latent mean by itself
(a random projection also keeps much of the geometry of the histories). The paper's point is that the arrangement is
*learned* ("such correlations are not directly fed into the network"), so an observation holds only when its reading
holds on the measured model **and** its score lies beyond the scores of every one of ``K`` untrained models of the
same architecture (the first of them is the trained model's own initialisation): a one-sided rank test at level
1 / (K + 1), 0.05 for K = 19. The same function reads the claim's null against the same ``K`` models: for the claims
that something about the genres was learned, a C-VAE trained as ours on shuffled genres (:func:`shuffled_genres`);
for the others, an untrained C-VAE of another seed (:func:`null_seed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from scipy.spatial.distance import cdist
from scipy.stats import spearmanr

from replicate import stats
from replicate.papers.cvae import latent
from replicate.papers.cvae.claims import (
    CATALOGUE_DRAWS,
    CATALOGUE_NULL,
    LIFT_K,
    N_UNTRAINED,
    NULL_OFFSET,
    PAIRWISE,
    READING_ONLY,
    SHUFFLED_GENRE_NULL,
    THRESHOLDS,
    Thresholds,
)
from replicate.papers.cvae.conditions import Conditions
from replicate.papers.cvae.model import MultVAE

NEUTRAL = ("(no genres listed)", "(no genre)")
ALIASES = {"Children's": ("Children's", "Children")}  # ML-1M spells it "Children's", ML-20M "Children"


@dataclass
class Context:
    """What the observations need besides the latent space: the genres, the sampled users' histories, the Mantel
    permutations, the seed and the thresholds."""

    conditions: Conditions
    history: sp.csr_matrix
    permutations: int = 999
    seed: int = 0
    thresholds: Thresholds = THRESHOLDS

    def name(self, genre: str, names) -> str:
        return _resolve(genre, names)


def _resolve(genre: str, names) -> str:
    """Our name of the paper's ``genre`` among ``names`` (ML-1M spells some genres differently)."""
    for candidate in ALIASES.get(genre, (genre,)):
        if candidate in names:
            return candidate
    raise KeyError(f"genre {genre!r} is not among the conditions ({', '.join(names)})")


@dataclass
class Measure:
    score: float
    reading: bool
    detail: str = ""


def _closeness(distances: np.ndarray) -> np.ndarray:
    """closeness[a, b]: the share of all genre pairs that lie farther apart than a and b (1 = the closest pair)."""
    upper = distances[np.triu_indices(len(distances), 1)]
    return (upper[None, None, :] > distances[:, :, None]).mean(axis=2)


def _farness(distances: np.ndarray, i: int, j: int) -> float:
    """The share of i's other genres that lie nearer to i than j does (1 = j is i's farthest genre)."""
    others = np.delete(distances[i], [i, j])
    return float((others < distances[i, j]).mean())


def centroid_distance(space: latent.LatentPCA, a: str, b: str) -> float:
    """Euclidean distance between the centroids of genres ``a`` and ``b`` in the five-component space."""
    names = space.labels[:-1]
    return float(space.genre_distances()[names.index(a), names.index(b)])


def _best_plane(space: latent.LatentPCA, pairs: list[tuple[str, str]]):
    """Among the ten planes of two of the five components, the one where ``pairs`` are closest (mean closeness);
    the paper chose its Figure 3 plane among these as 'the most interesting'."""
    names = space.labels[:-1]
    best = None
    for plane in combinations(range(space.points.shape[-1]), 2):
        c = space.centroids()[:-1][:, plane]
        close = _closeness(cdist(c, c))
        values = [close[names.index(a), names.index(b)] for a, b in pairs]
        if best is None or np.mean(values) > best[1]:
            best = (plane, float(np.mean(values)), values, c)
    return best


def _genre_map(names) -> dict:
    """The paper's genre name -> ours, for the genres of the readings present among ``names``."""
    return {n: _resolve(n, names) for n in _GENRES if any(a in names for a in ALIASES.get(n, (n,)))}


def pairwise(d: np.ndarray, names, g: dict, th: Thresholds) -> dict:
    """The readings of :func:`measure` that depend only on the distances ``d`` between genres (``names`` in order,
    ``g``: the paper's genre name -> ours): ``{id: Measure}`` for the ids of ``PAIRWISE``. The same readings on the
    data's own genre distances are the Why of the geometry (:func:`data_readings`)."""
    idx = {n: names.index(g[n]) for n in g}
    out = {}
    nn = latent.isolation(d)
    noir = idx["Film-Noir"]
    rank = int((nn > nn[noir]).sum()) + 1
    quarter = int(np.ceil(len(names) * th.quarter))
    out["film_noir_isolated"] = Measure(
        float(nn[noir] / np.median(nn)), rank <= quarter, f"isolation rank {rank} of {len(names)}"
    )
    expected = [g[n] for n in ("Crime", "Drama", "Thriller", "Mystery")]
    nearest = latent.nearest(d, names, g["Film-Noir"], 4)
    others = [j for j, n in enumerate(names) if n not in expected and j != noir]
    score = float(d[noir, others].mean() / d[noir, [names.index(n) for n in expected]].mean())
    out["film_noir_neighbours"] = Measure(
        score, len(set(expected) & set(nearest)) >= 3, f"its 4 nearest: {', '.join(nearest)}"
    )

    near = [d[idx["War"], idx["Drama"]], d[idx["War"], idx["Romance"]]]
    far = [d[idx["War"], idx["Children's"]], d[idx["War"], idx["Animation"]]]
    score = float(min(far) / max(near))
    out["war_near_drama_romance"] = Measure(
        score, score > 1, f"Drama {near[0]:.2f}, Romance {near[1]:.2f}; Children's {far[0]:.2f}, Animation {far[1]:.2f}"
    )
    h, t, s = idx["Horror"], idx["Thriller"], idx["Sci-Fi"]
    score = float(d[t, s] / max(d[h, t], d[h, s]))
    out["horror_between"] = Measure(
        score, score > 1, f"Horror–Thriller {d[h, t]:.2f}, Horror–Sci-Fi {d[h, s]:.2f}, Thriller–Sci-Fi {d[t, s]:.2f}"
    )
    w = idx["Western"]
    far_share = _farness(d, h, w)
    out["horror_far_from_western"] = Measure(
        float(d[h, w] / np.median(np.delete(d[h], h))),
        far_share >= 1 - th.quarter,
        f"Western is farther from Horror than {far_share:.0%} of the other genres",
    )
    close = _closeness(d)
    trio = [close[idx[a], idx[b]] for a, b in (("Thriller", "Mystery"), ("Thriller", "Crime"), ("Mystery", "Crime"))]
    out["thriller_mystery_crime_close"] = Measure(
        float(np.mean(trio)),
        min(trio) >= 1 - th.quarter,
        "pair closeness (share of genre pairs farther apart): " + ", ".join(f"{v:.2f}" for v in trio),
    )

    return out


def popular_central(centre: np.ndarray, conditions: Conditions, names, th: Thresholds) -> Measure:
    """*Popular genres central*: Spearman correlation between a genre's number of movies and its closeness to the
    centre (``centre``: each genre's distance from it), positive at the test level."""
    frequency = conditions.items.sum(axis=0)[[conditions.index(n) for n in names]]
    rho, p_rho = spearmanr(frequency, -centre)
    order = [names[k] for k in np.argsort(centre)]
    return Measure(
        float(rho),
        bool(rho > 0 and p_rho <= th.alpha),
        f"Spearman ρ {rho:.2f} (p {p_rho:.3f}); most central: {', '.join(order[:4])}; farthest: "
        + ", ".join(order[-3:]),
    )


def offside(radius: np.ndarray, names, g: dict, th: Thresholds, where: str = "") -> Measure:
    """*Action, Musical, Documentary a bit offside*: each farther from the centre (``radius``: each genre's distance
    from it) than ``th.aside`` of the genres."""
    names = list(names)
    shares = [float((radius < radius[names.index(g[n])]).mean()) for n in ("Action", "Musical", "Documentary")]
    return Measure(
        float(np.mean(shares)),
        min(shares) >= th.aside,
        f"{where}farther from the centre than " + ", ".join(f"{v:.0%}" for v in shares) + " of the genres",
    )


def taste_centre_distance(d: np.ndarray) -> np.ndarray:
    """Each genre's mean taste distance to the other genres. With d = 1 − r between the genres' standardised columns
    z (1 − r_ij = |z_i − z_j|² / 2n), it ranks the genres exactly as the distance of z_i from the centroid of all
    columns (Σ_j |z_i − z_j|² = G |z_i − z̄|² + a constant): the data's own centre of the genres."""
    return d.sum(axis=1) / (len(d) - 1)


def data_readings(history: sp.csr_matrix, conditions: Conditions, names, th: Thresholds = THRESHOLDS) -> dict:
    """The readings of ``IN_DATA`` on what the users' tastes say, without any model: genres as the columns of each
    user's share of liked movies per genre, distance 1 − Pearson correlation (genres liked by the same users lie
    close). Figure 3's pairs and its offside genres are read on these distances directly (the data has no plane to
    choose); a genre's distance from the centre is :func:`taste_centre_distance`."""
    names, g = list(names), _genre_map(names)
    d = latent.taste_distance(history, conditions, names)
    out = pairwise(d, names, g, th)
    centre = taste_centre_distance(d)
    out["popular_genres_central"] = popular_central(centre, conditions, names, th)
    out["figure3_offside"] = offside(centre, names, g, th)
    close = _closeness(d)
    pairs = [("Mystery", "Horror"), ("Children's", "Fantasy"), ("War", "Western")]
    values = [close[names.index(g[a]), names.index(g[b])] for a, b in pairs]
    out["figure3_pairs_overlap"] = Measure(
        float(np.mean(values)), min(values) >= th.overlap, "pair closeness " + ", ".join(f"{v:.2f}" for v in values)
    )
    return out


# the readings that the data alone can be asked
IN_DATA = (*PAIRWISE, "figure3_pairs_overlap", "popular_genres_central", "figure3_offside")


def missed_in_data(side: "SideBySide", data: dict) -> tuple[float | None, str]:
    """Of the pairwise readings that do not hold for the trained model, the share that the users' tastes do not show
    either (None when none is missed), and which."""
    missed = [k for k in IN_DATA if k in side.trained and not side.holds(k)]
    if not missed:
        return None, "every pairwise reading holds"
    absent = [k for k in missed if not data[k].reading]
    note = f"missed {len(missed)}: " + ", ".join(
        f"{k} ({'absent' if k in absent else 'present'} in the data)" for k in missed
    )
    return len(absent) / len(missed), note


def measure(space: latent.LatentPCA, ctx: Context, neutral_space: latent.LatentPCA | None = None) -> dict:
    """Every observation of §3.1 on one latent space: ``{id: Measure}``."""
    names, th = space.labels[:-1], ctx.thresholds
    g = _genre_map(names)
    d = space.genre_distances()
    out = {}

    sil = space.silhouette(seed=ctx.seed)["all"]
    out["clusters_silhouette"] = Measure(sil, sil >= th.silhouette, f"silhouette {sil:.2f}")
    eta2 = space.eta_squared()
    out["clusters_eta2"] = Measure(float(eta2.mean()), float(eta2.mean()) >= th.eta2, f"mean η² {eta2.mean():.2f}")
    within = 1.0 - float(eta2.min())
    out["users_differ_within_condition"] = Measure(
        within,
        within >= th.within,
        f"least condition-bound component: η² {eta2.min():.2f} (PC{int(eta2.argmin()) + 1})",
    )

    r, p = stats.mantel(
        latent.cooccurrence_distance(ctx.conditions, names), d, permutations=ctx.permutations, seed=ctx.seed
    )
    out["cooccurrence_mantel"] = Measure(r, p <= th.alpha, f"Mantel r {r:.2f}, p {p:.3f}")

    centre = latent.centrality(space)
    genre_centre, unconditioned = centre[:-1], centre[-1]
    score = centre_margin(space.centroids())
    out["unconditioned_centre"] = Measure(
        score, score > 0, f"unconditioned {unconditioned:.2f} from the centre, nearest genre {genre_centre.min():.2f}"
    )

    out |= pairwise(d, names, g, th)

    out["popular_genres_central"] = popular_central(genre_centre, ctx.conditions, names, th)

    pairs = [(g["Mystery"], g["Horror"]), (g["Children's"], g["Fantasy"]), (g["War"], g["Western"])]
    plane, mean_close, values, c = _best_plane(space, pairs)
    label = f"PC{plane[0] + 1}–PC{plane[1] + 1}"
    out["figure3_pairs_overlap"] = Measure(
        mean_close,
        min(values) >= th.overlap,
        f"in {label}: pair closeness " + ", ".join(f"{v:.2f}" for v in values),
    )
    out["figure3_offside"] = offside(np.linalg.norm(c - c.mean(axis=0), axis=1), names, g, th, f"in {label}: ")

    out["figure3_view_differs"] = view_difference(space, (1, 4), (2, 4), th)

    out |= profiling_readings(space, ctx.history, ctx.conditions, g, th)
    out["documentary_serious_figure2_only"] = documentary_serious(space, g, th)

    if neutral_space is not None:
        out["neutral_far_on_pc1"] = neutral_far_on_pc1(neutral_space)
    return out


# The planes and components the paper's §3.1.1 reads (0-based): Figure 2 is PC2–PC5, "the first three principal
# components" PC1–PC3.
FIGURE2 = (1, 4)
FIRST_THREE = (0, 1, 2)


def profiling_readings(
    space: latent.LatentPCA, history: sp.csr_matrix, conditions: Conditions, g: dict, th: Thresholds = THRESHOLDS
) -> dict:
    """§3.1.1's profiling, two measurements: in Figure 2's plane (PC2–PC5, ``profiling_axis``: "users who lie in the
    bottom of the cluster") and in the first three components (``profiling_first_three``: "also supported by the
    first three principal components"). Each: Spearman ρ between the unconditioned users' position on the light
    (Comedy, Romance) → serious (Thriller, Action, Crime) axis of that view and their history's serious-minus-light
    share, positive at ``th.alpha``."""
    light, serious = (g["Comedy"], g["Romance"]), (g["Thriller"], g["Action"], g["Crime"])
    out = {}
    for key, keep, label in (("profiling_axis", FIGURE2, "PC2–PC5"), ("profiling_first_three", FIRST_THREE, "PC1–PC3")):
        _, _, rho, p_rho = latent.profiling(components(space, keep), history, conditions, light, serious)
        out[key] = Measure(rho, bool(rho > 0 and p_rho <= th.alpha), f"{label}: Spearman ρ {rho:.2f}")
    return out


def components(space: latent.LatentPCA, keep) -> latent.LatentPCA:
    """The same latent space restricted to the components ``keep`` (0-based: PC1 is 0)."""
    keep = list(keep)
    return latent.LatentPCA(space.points[..., keep], space.explained[keep], space.labels)


def view_difference(space: latent.LatentPCA, first, second, th: Thresholds = THRESHOLDS) -> Measure:
    """*This point of view highly differs from the previous one*: Spearman ρ between the genre-pair centroid distances
    in the plane of components ``first`` and in that of ``second`` (0-based pairs; the paper's Figures 2 and 3 are
    PC2–PC5 and PC3–PC5). Score 1 − ρ; the reading: ρ at most ``th.view_rho``."""
    upper = np.triu_indices(len(space.labels) - 1, 1)
    a, b = (components(space, plane).genre_distances()[upper] for plane in (first, second))
    rho = float(spearmanr(a, b).statistic)
    name = "PC{}–PC{}".format
    return Measure(
        1.0 - rho,
        rho <= th.view_rho,
        f"Spearman ρ {rho:.2f} between the genre distances in {name(*[k + 1 for k in first])} and "
        f"{name(*[k + 1 for k in second])}",
    )


def segment_position(centroids: np.ndarray, point: int, start, end) -> float:
    """Where centroid ``point`` projects on the segment from the mean centroid of ``start`` to that of ``end``
    (indices): 0 at the first, 1 at the second, 0.5 midway."""
    a, b = centroids[list(start)].mean(axis=0), centroids[list(end)].mean(axis=0)
    return float((centroids[point] - a) @ (b - a) / ((b - a) @ (b - a)))


def documentary_serious(space: latent.LatentPCA, g: dict, th: Thresholds = THRESHOLDS) -> Measure:
    """*In this latter cluster we could also include Documentary, however on other dimensions this correlation does
    not hold*: Documentary's position on the light (Comedy, Romance) → serious (Thriller, Action, Crime) segment in
    the PC2–PC5 plane past ``th.serious``, and not past it in PC1–PC3 (the "other dimensions": the sentence before
    reads the first three principal components). Score: the first position minus the second."""
    names = list(space.labels)
    light = [names.index(g[n]) for n in ("Comedy", "Romance")]
    serious = [names.index(g[n]) for n in ("Thriller", "Action", "Crime")]
    doc = names.index(g["Documentary"])
    figure2, other = (
        segment_position(components(space, keep).centroids(), doc, light, serious) for keep in (FIGURE2, FIRST_THREE)
    )
    return Measure(
        figure2 - other,
        figure2 > th.serious >= other,
        f"Documentary at {figure2:.2f} of the light → serious segment in PC2–PC5, {other:.2f} in PC1–PC3",
    )


def top_share(scores: np.ndarray, in_genre: np.ndarray, k: int = LIFT_K) -> np.ndarray:
    """Per row of ``scores``, the share of its ``k`` top-scored items for which ``in_genre`` (one bool per item)."""
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return np.asarray(in_genre)[top].mean(axis=1)


def genre_lift(model: MultVAE, fold_in: sp.csr_matrix, conditions: Conditions, k: int = LIFT_K, device=None) -> dict:
    """*The recommender must push comedy movies on top*: every user of ``fold_in`` asks for every genre; per (user,
    genre) pair, the share of the genre's movies (``conditions``: the true genres) in the top ``k`` with that genre
    as the condition minus the share without condition. Returns the per-pair ``lift``, its ``users``, the mean
    paired over users with its 95 % interval (``effect``: mean, low, high), the mean shares ``asked`` and ``plain``,
    and the asked share's mean over users with its interval (``on_top``: mean, low, high; each user's pairs averaged
    first). A C-VAE trained on other conditions (the shuffled-genre null) is asked by the same condition index."""
    from replicate.papers.cvae.train import paired_difference, scores

    plain = scores(model, fold_in, device=device)
    asked, unasked = [], []
    for genre in range(conditions.n):
        in_genre = conditions.items[:, genre] > 0
        asked.append(top_share(scores(model, fold_in, condition=genre, device=device), in_genre, k))
        unasked.append(top_share(plain, in_genre, k))
    asked, unasked = np.stack(asked, axis=1).ravel(), np.stack(unasked, axis=1).ravel()
    users = np.repeat(np.arange(fold_in.shape[0]), conditions.n)
    return {
        "lift": asked - unasked,
        "users": users,
        "effect": paired_difference(asked, unasked, users),
        "on_top": paired_difference(asked, np.zeros_like(asked), users),
        "asked": float(asked.mean()),
        "plain": float(unasked.mean()),
    }


_GENRES = (
    "Action Animation Children's Comedy Crime Documentary Drama Fantasy Film-Noir Horror Musical Mystery Romance "
    "Sci-Fi Thriller War Western"
).split()


def neutral_far_on_pc1(space: latent.LatentPCA) -> Measure:
    """The neutral genre's centroid on PC1, away from the median genre, over the farthest other genre (ML-20M)."""
    names = space.labels[:-1]
    k = next(i for i, n in enumerate(names) if n in NEUTRAL)
    pc1 = space.centroids()[:-1, 0]
    gap = np.abs(pc1 - np.median(np.delete(pc1, k)))
    score = float(gap[k] / np.delete(gap, k).max())
    return Measure(score, score > 1, f"neutral {gap[k]:.2f} from the median genre on PC1, next farthest {score:.2f}x")


# --- trained and untrained side by side -------------------------------------------------------------------------


def centre_margin(centroids: np.ndarray, k: int = -1) -> float:
    """How much nearer condition ``k`` (default: the unconditioned users, last) lies to the centre of the other
    conditions' centroids than the nearest of them, over their median distance (> 0: ``k`` is the most central)."""
    k = k % len(centroids)
    others = np.delete(np.arange(len(centroids)), k)
    distance = np.linalg.norm(centroids - centroids[others].mean(axis=0), axis=1)
    return float((distance[others].min() - distance[k]) / np.median(distance[others]))


def centre_share(spaces: list, swapped: bool = False) -> float:
    """The share of ``spaces`` on which the unconditioned users are the most central condition. ``swapped``: the
    null, where each genre in turn takes the unconditioned users' place (the share of (space, genre) pairs on which
    that genre is the most central)."""
    if not swapped:
        return float(np.mean([centre_margin(s.centroids()) > 0 for s in spaces]))
    return float(np.mean([centre_margin(s.centroids(), k) > 0 for s in spaces for k in range(len(s.labels) - 1)]))


def planted(a: np.ndarray, b: np.ndarray, users: np.ndarray, effect: float) -> np.ndarray:
    """``a`` moved by one constant so that the mean of :func:`train.paired_difference` (a − b over users) is
    ``effect``: a planted difference of that size with the per-user spread of the real comparison (the positive
    control of an equivalence claim)."""
    from replicate.papers.cvae.train import paired_difference

    return np.asarray(a) + (effect - paired_difference(a, b, users)[0])


def shuffled_genres(conditions: Conditions, rng: np.random.Generator) -> Conditions:
    """The conditions of the genre-learning claims' null: each genre's column of movies permuted at random, so that
    every condition keeps its number of movies (and a C-VAE trained on it about as many examples) but is a random set
    of movies, which neither shares the genre's movies nor co-occurs with the other genres beyond chance."""
    return Conditions(conditions.names, np.stack([rng.permutation(col) for col in conditions.items.T], axis=1))


def stronger(results: dict, key: str = "effect") -> str:
    """Of several nulls' ``{name: result}`` of :func:`genre_lift`, the name of the one closest to passing a rule on
    ``result[key]`` = (mean, low, high) read upward (Exceeds, AtLeast with its interval): the highest low end."""
    return max(results, key=lambda name: (results[name][key][1], results[name][key][0]))


def catalogue_model(n_items: int, conditions: Conditions, seed: int, scale: float = 1.0) -> MultVAE:
    """The catalogue null: the untrained C-VAE of ``seed`` whose condition column of each genre is ``scale`` times its
    own encoder's image of the genre's L2-normalised movie set, W_xᵀ g / |g| (scale 1: the shift of a user who liked
    every movie of the genre, with the encoder's own input normalisation). No training and no user: what the genres'
    co-occurrence in the catalogue alone puts into the latent space."""
    model = untrained(n_items, conditions.n, seed)
    g = torch.from_numpy(np.asarray(conditions.items, dtype=np.float32))
    g = g / g.norm(dim=0, keepdim=True).clamp_min(1e-12)
    with torch.no_grad():
        model.encoder.w_conditions.copy_(scale * (model.encoder.w_items_t.T @ g))
    return model


def catalogue_seeds(seed: int) -> list[int]:
    """The seeds of the catalogue null's draws: seed + 1000 and the next ones (:data:`CATALOGUE_DRAWS`)."""
    return [null_seed(seed) + j for j in range(CATALOGUE_DRAWS)]


def null_candidates(key: str, catalogue: list[str]) -> list[str]:
    """The skeptic's nulls of latent claim ``key``, by name (``catalogue``: the names of the catalogue draws): every
    null for a view the paper only describes; the shuffled-genre C-VAE and the catalogue draws for the genre readings;
    the untrained C-VAE and the catalogue draws for genre sizes; the untrained C-VAE for the conditions as such."""
    if key in READING_ONLY:
        return ["untrained", "shuffled genres", *catalogue]
    if key in SHUFFLED_GENRE_NULL:
        return ["shuffled genres", *catalogue]
    if key in CATALOGUE_NULL:
        return ["untrained", *catalogue]
    return ["untrained"]


def strength(side: "SideBySide", key: str) -> tuple:
    """How close a null's measurement is to passing claim ``key``'s rule: (passes, reading holds, score minus the
    largest untrained score); the larger, the closer."""
    m = side.trained[key]
    return (side.holds(key), bool(m.reading), float(m.score - max(u[key].score for u in side.untrained)))


def strongest(nulls: dict, key: str) -> str:
    """The name of the null (``{name: SideBySide}``) closest to passing claim ``key``'s rule (:func:`strength`)."""
    return max(nulls, key=lambda name: strength(nulls[name], key))


def null_note(nulls: dict, key: str, chosen: str) -> str:
    """The chosen null's reading and score, and the other nulls' verdicts by the same rule, for claim ``key``'s
    note."""
    m = nulls[chosen].trained[key]
    others = "; ".join(
        f"{name}: {'passes' if side.holds(key) else 'fails'} (score {side.trained[key].score:.2f})"
        for name, side in nulls.items()
        if name != chosen
    )
    head = f"null ({chosen}, the strongest): {m.detail}, score {m.score:.2f}"
    return head + (f"; other nulls: {others}" if others else "")


def cooccurrence_readings(conditions: Conditions, names, th: Thresholds = THRESHOLDS) -> dict:
    """The pairwise readings (:func:`pairwise`) on the genres' co-occurrence alone, no model: distance 1 − Jaccard of
    the genres' movie sets (:func:`latent.cooccurrence_distance`). What the catalogue says before any user does."""
    names = list(names)
    return pairwise(latent.cooccurrence_distance(conditions, names), names, _genre_map(names), th)


def null_seed(seed: int) -> int:
    """The seed of the claims' null model, an untrained C-VAE: never one of :func:`null_seeds` (those start at the
    chapter's seed, then 10,000 + ...), nor the trained model's own initialisation."""
    return NULL_OFFSET + seed


def second_null_seed(seed: int) -> int:
    """The seed (initialisation and shuffle) of the second shuffled-genre C-VAE, the null of the check beyond the
    first: distinct from :func:`null_seed` and :func:`null_seeds` of every chapter seed below 1000."""
    return 2 * NULL_OFFSET + seed


def second_shuffled_lift(split, conditions: Conditions, config, seed: int) -> dict:
    """The null of the check beyond the shuffled-genre null: a second C-VAE trained like the first shuffled-genre
    one (``config``, on ``split``) but with another shuffle and initialisation (:func:`second_null_seed`), and its
    :func:`genre_lift` on the test users, with its training's ``history``."""
    from replicate.papers.cvae.train import train

    model = untrained(split.n_items, conditions.n, second_null_seed(seed)).train()
    shuffled = shuffled_genres(conditions, np.random.default_rng(second_null_seed(seed)))
    history = train(model, split.train, split.valid_in, split.valid_out, config, shuffled)
    return {**genre_lift(model, split.test_in, conditions), "history": history}


def untrained(n_items: int, n_conditions: int, seed: int) -> MultVAE:
    """A C-VAE with the paper's initialisation and no training step, seeded by ``seed`` alone."""
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = MultVAE(n_items, n_conditions)
    torch.random.set_rng_state(state)
    return model.eval()


def null_seeds(seed: int, k: int = N_UNTRAINED) -> list[int]:
    """The initialisation seeds of the untrained models: the chapter's seed first (the trained model starts there)."""
    return [seed] + [10_000 + 100 * seed + j for j in range(1, k)]


def latent_space(model: MultVAE, history: sp.csr_matrix, conditions: Conditions, seed: int = 0):
    """The PCA of the latent means of ``history`` under every condition (the neutral genre left out, as the paper
    does), and, when there is a neutral genre, the PCA with it (for its PC1 observation)."""
    codes = latent.encode_conditions(model, history, conditions.n)
    neutral = tuple(n for n in conditions.names if n in NEUTRAL)
    space = latent.LatentPCA.fit(codes, conditions.names, seed=seed, drop=neutral)
    with_neutral = latent.LatentPCA.fit(codes, conditions.names, seed=seed) if neutral else None
    return space, with_neutral


@dataclass
class SideBySide:
    """The observations on the trained model and on ``K`` untrained ones; ``spaces`` holds the latent spaces of the
    trained model and of its own untrained initialisation (for the figure), ``untrained_spaces`` those of all ``K``."""

    trained: dict
    untrained: list[dict]
    spaces: tuple = ()
    untrained_spaces: tuple = ()

    def with_trained(self, measures: dict) -> "SideBySide":
        """The same untrained models beside another measured model (an earlier epoch, the null model)."""
        return SideBySide(measures, self.untrained, untrained_spaces=self.untrained_spaces)

    def verdicts(self) -> dict:
        return {key: self.holds(key) for key in self.trained}

    def readings(self) -> dict:
        return {key: bool(m.reading) for key, m in self.trained.items()}

    def learned(self, key: str) -> bool:
        """The trained score lies beyond every untrained score."""
        return bool(self.trained[key].score > max(u[key].score for u in self.untrained))

    def holds(self, key: str) -> bool:
        """The reading holds on the trained model and the arrangement is learned (beats every untrained model); for
        a view the paper only describes (:data:`READING_ONLY`), the reading alone."""
        if key in READING_ONLY:
            return bool(self.trained[key].reading)
        return bool(self.trained[key].reading) and self.learned(key)

    def untrained_holding(self, key: str) -> int:
        """On how many untrained models the reading of ``key`` holds."""
        return sum(bool(u[key].reading) for u in self.untrained)

    def untrained_share(self, key: str) -> float:
        """The share of the untrained models on which the reading of ``key`` holds (1: built into the architecture,
        training can only keep it)."""
        return self.untrained_holding(key) / len(self.untrained)

    def note(self, key: str) -> str:
        scores = [u[key].score for u in self.untrained]
        passing = self.untrained_holding(key)
        return (
            f"trained: {self.trained[key].detail}; score {self.trained[key].score:.2f} against untrained "
            f"{min(scores):.2f} to {max(scores):.2f} ({len(scores)} inits; reading holds on {passing})"
        )

    def table(self) -> pd.DataFrame:
        rows = {}
        for key, m in self.trained.items():
            scores = np.array([u[key].score for u in self.untrained])
            rows[key] = {
                "reading (trained)": bool(m.reading),
                "reading (untrained, k of K)": f"{self.untrained_holding(key)} of {len(scores)}",
                "score (trained)": m.score,
                "score (untrained, same init)": scores[0],
                "score (untrained, max)": scores.max(),
                "learned": self.learned(key),
                "verdict": "holds" if self.holds(key) else "does not hold",
            }
        return pd.DataFrame(rows).T


def changed(a: SideBySide, b: SideBySide) -> list[str]:
    """The observations whose reading or verdict differs between two trained measurements."""
    return [k for k in a.trained if a.readings()[k] != b.readings()[k] or a.verdicts()[k] != b.verdicts()[k]]


def unchanged(a: SideBySide, b: SideBySide) -> bool:
    return not changed(a, b)


def side_by_side(
    model: MultVAE,
    history: sp.csr_matrix,
    ctx: Context,
    seeds: list[int],
    progress: bool = True,
) -> SideBySide:
    """Measure every observation on ``model`` and on an untrained C-VAE for each of ``seeds`` (on the device of
    ``model``; initialised on the CPU, so that a seed gives the same untrained model everywhere)."""
    from tqdm.auto import tqdm

    device = next(model.parameters()).device

    trained_space = latent_space(model, history, ctx.conditions, ctx.seed)
    trained = measure(trained_space[0], ctx, neutral_space=trained_space[1])
    nulls, spaces = [], []
    for s in tqdm(seeds, desc="untrained C-VAEs", disable=not progress):
        space, measures = measure_space(untrained(model.n_items, model.n_conditions, s).to(device), history, ctx)
        nulls.append(measures)
        spaces.append(space)
    return SideBySide(trained, nulls, (trained_space[0], spaces[0]), tuple(spaces))


def measure_space(model: MultVAE, history: sp.csr_matrix, ctx: Context) -> tuple:
    """(the latent space of ``model`` for the users of ``history``, :func:`measure` on it)."""
    space, with_neutral = latent_space(model, history, ctx.conditions, ctx.seed)
    return space, measure(space, ctx, neutral_space=with_neutral)


def measure_model(model: MultVAE, history: sp.csr_matrix, ctx: Context) -> dict:
    """:func:`measure` on the latent space of ``model`` for the users of ``history``."""
    return measure_space(model, history, ctx)[1]


# The observations of §3.1, in the order the chapter records them (their statements are declared in claims.py).
LATENT = (
    "neutral_far_on_pc1",
    "clusters_silhouette",
    "clusters_eta2",
    "users_differ_within_condition",
    "cooccurrence_mantel",
    "unconditioned_centre",
    *PAIRWISE,
    "popular_genres_central",
    "figure3_pairs_overlap",
    "figure3_offside",
    "figure3_view_differs",
    "profiling_axis",
    "profiling_first_three",
    "documentary_serious_figure2_only",
)


def data_facts(conditions: Conditions) -> dict:
    """The paper's statements about the genres of the data: ``{id: (holds, detail)}``, ``holds`` None when the data
    lack what the statement needs (IMAX and the neutral genre are ML-20M's)."""
    from replicate.papers.cvae.conditions import cogenres, genre_counts

    counts = genre_counts(conditions)
    least = list(counts.index[-3:])
    tail = ", ".join(f"{n} {v}" for n, v in counts.iloc[-4:].items())
    out = {
        "genres_drama_comedy_most_common": (
            set(counts.index[:2]) == {"Drama", "Comedy"},
            "most movies: " + ", ".join(f"{n} {v}" for n, v in counts.iloc[:3].items()),
        ),
        "film_noir_least_common": ("Film-Noir" in least, f"fewest movies: {tail}"),
    }
    neutral = [n for n in conditions.names if n in NEUTRAL]
    has_imax = "IMAX" in conditions.names
    out["imax_neutral_least_common"] = (
        (has_imax and bool(neutral) and {"IMAX", neutral[0]} <= set(least), f"fewest movies: {tail}")
        if has_imax and neutral
        else (None, "")
    )
    if has_imax:
        co = cogenres(conditions, "IMAX").drop(neutral, errors="ignore")
        top, bottom = set(co.index[:3]), set(co.index[-3:])
        out["imax_action_adventure_scifi"] = (
            top == {"Action", "Adventure", "Sci-Fi"} and {"War", "Western"} <= bottom,
            "IMAX movies also list: " + ", ".join(f"{n} {v}" for n, v in co.items()),
        )
    else:
        out["imax_action_adventure_scifi"] = (None, "")
    return out


def centred_silhouette(space: latent.LatentPCA, seed: int = 0, shuffle: bool = False) -> float:
    """Silhouette by condition after subtracting each user's own mean point (her taste, the same under every
    condition). ``shuffle`` permutes the condition labels within each user: the null, where no cluster can remain."""
    points = space.points - space.points.mean(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(points.shape[1]), (points.shape[0], 1))
    if shuffle:
        labels = rng.permuted(labels, axis=1)
    flat, flat_labels = points.reshape(-1, points.shape[-1]), labels.ravel()
    idx = rng.choice(len(flat), size=min(6000, len(flat)), replace=False)
    return float(latent.silhouette_values(flat[idx], flat_labels[idx]).mean())


def rarity_and_isolation(space: latent.LatentPCA, history: sp.csr_matrix, conditions: Conditions):
    """Spearman ρ (and p) across genres between the number of training examples of each condition (users who liked
    one of its movies) and its isolation (distance to the nearest other genre centroid)."""
    names = space.labels[:-1]
    columns = [conditions.index(n) for n in names]
    examples = np.asarray((history @ conditions.items[:, columns]) > 0).sum(axis=0)
    result = spearmanr(examples, latent.isolation(space.genre_distances()))
    return float(result.statistic), float(result.pvalue), dict(zip(names, examples.tolist()))


def rarity_reading(
    space: latent.LatentPCA, history: sp.csr_matrix, conditions: Conditions, th: Thresholds = THRESHOLDS
):
    """The Why of Film-Noir as a reading: (conditions with more training examples lie more isolated, one-sided at
    ``th.alpha``; Spearman ρ; p; examples per genre) from :func:`rarity_and_isolation`."""
    rho, p, examples = rarity_and_isolation(space, history, conditions)
    return bool(rho > 0 and p <= th.alpha), rho, p, examples


def untrained_reading(side: SideBySide, th: Thresholds = THRESHOLDS) -> str:
    """What the untrained C-VAEs of the run show, as the chapter's sentence (generated, never typed): on how many of
    them users cluster by condition (silhouette and η² readings) and the unconditioned users are the most central."""
    k = len(side.untrained)
    return (
        f"users cluster by condition (silhouette ≥ {th.silhouette}) on "
        f"{side.untrained_holding('clusters_silhouette')} of the {k} untrained C-VAEs of this run, the condition "
        f"explains most of the variance (mean η² ≥ {th.eta2}) on {side.untrained_holding('clusters_eta2')} of them, "
        "and the unconditioned users are the most central condition on "
        f"{side.untrained_holding('unconditioned_centre')}"
    )

"""The measurement behind each claim of RecoNet's chapter: the notebook calls each function twice, on the model and
on the claim's null (or positive control), and records both (:func:`record`); the rules live in ``claims.py``.

Every function returns a :class:`Measured`: ``ours``, its 95 % interval where there is a sample to draw it from
(users, bootstrap draws over users), and a note.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from replicate import stats
from replicate.core.claims import AtLeast, AtMost, Exceeds, Rule, Within
from replicate.core.rules import null_verdict
from replicate.papers.reconet import explain
from replicate.papers.reconet import table1 as t1
from replicate.papers.reconet.claims import CLAIMS, FIG5_GENRES, FIG5_KINDS
from replicate.papers.reconet.features import FeatureSpace

N_BOOT = 1000  # bootstrap draws for every interval below (percentile intervals over users)


def declarations_table() -> pd.DataFrame:
    """Every claim of the chapter as declared before the run (``claims.py``): its rule, the reason for it and its null
    (for an absence claim, its positive control)."""
    return pd.DataFrame(
        [(c.id, c.kind, c.rule.describe(), c.reason, c.null) for c in CLAIMS.values()],
        columns=["claim", "kind", "rule", "why", "null or control"],
    ).set_index("claim")


@dataclass
class Measured:
    ours: object
    interval: tuple | None = None
    note: str = ""

    def verdict(self, rule: Rule, paper=None) -> str:
        """What ``rule`` says of this measurement (the tests' use)."""
        return rule.verdict(paper, self.ours, self.interval)


def record(
    ch, claim_id: str, ours: Measured, null: Measured | None = None, note: str = "", nulls: dict | None = None, **kwargs
) -> None:
    """``ch.record`` of a measurement and, when given, its null (or positive control) measured the same way. With
    ``nulls`` (name -> :class:`Measured`, several skeptic's nulls measured the same way), the strongest of them
    (:func:`strongest`) is the claim's null and the note names it and gives the others."""
    if nulls:
        null, told = strongest(claim_id, nulls)
        note = "; ".join(t for t in (note, told) if t)
    if null is not None:
        kwargs |= {"null": null.ours, "null_interval": null.interval}
    ch.record(claim_id, ours.ours, ours.interval, note="; ".join(t for t in (ours.note, note) if t), **kwargs)


NULL_RANK = {"replicated": 3, "inconclusive": 2, "direction holds": 1}  # how close a null's verdict is to passing


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def margin(rule: Rule, paper, value) -> float:
    """How far ``value`` lies inside the passing side of ``rule`` (negative: outside), the tie-break between nulls of
    the same verdict: the distance to the band's edge (:class:`Within`), to the bound (:class:`AtLeast`,
    :class:`AtMost`, :class:`Exceeds`); 0 for other rules or a value that is not a number."""
    x = _number(value)
    if x is None or not np.isfinite(x):
        return 0.0
    if isinstance(rule, Within):
        centre = float(paper)
        return rule.abs + rule.rel * abs(centre) - abs(x - centre)
    if isinstance(rule, (AtLeast, AtMost)):
        bound = float(paper if rule.bound is None else rule.bound)
        return x - bound if isinstance(rule, AtLeast) else bound - x
    if isinstance(rule, Exceeds):
        return rule.bound - x if rule.below else x - rule.bound
    return 0.0


def strongest(claim_id: str, nulls: dict) -> tuple[Measured, str]:
    """Of several skeptic's nulls of one claim (name -> :class:`Measured`, each measured like ours), the one closest to
    passing the claim's rule: the best verdict as the core reads a null (replicated, then inconclusive, then direction
    holds, then not replicated), then the largest :func:`margin`, then the order given. Returns it, its name put in
    front of its note, and a note naming it and giving the others with their verdicts."""
    claim = CLAIMS[claim_id]

    def judged(m):
        return null_verdict(claim.rule, claim.paper, m.ours, m.interval)

    def key(item):
        return NULL_RANK.get(judged(item[1]), 0), margin(claim.rule, claim.paper, item[1].ours)

    ranked = sorted(nulls.items(), key=key, reverse=True)  # stable: ties keep the order given
    name, best = ranked[0]

    def told(n, m):
        band = "" if m.interval is None else f" [{m.interval[0]:.3g}, {m.interval[1]:.3g}]"
        value = f"{m.ours:.3g}" if _number(m.ours) is not None else str(m.ours)
        return f"{n} {value}{band} ({judged(m)})"

    others = "; ".join(told(n, m) for n, m in ranked[1:])
    note = f"null: the strongest of {len(ranked)}, {told(name, best)}" + (f"; others: {others}" if others else "")
    return Measured(best.ours, best.interval, f"{name}: {best.note}".strip(": ")), note


def _boot(columns: list, statistic, seed: int = 0) -> tuple[float, float, float]:
    """``statistic(*columns)`` and its percentile interval, resampling the rows (users) of all columns together."""
    columns = [np.asarray(c, dtype=float) for c in columns]
    n = len(columns[0])
    estimate = float(statistic(*columns))
    if n < 2:
        return estimate, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(N_BOOT):
        take = rng.integers(0, n, n)
        draws.append(statistic(*(c[take] for c in columns)))
    low, high = np.nanquantile(np.asarray(draws, dtype=float), [0.025, 0.975])
    return estimate, float(low), float(high)


def _paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


# --- Table 1 -------------------------------------------------------------------------------------------------------
def relative_gain(better, worse, what: str = "") -> Measured:
    """mean(better) / mean(worse) − 1 over the users with both values (per-user recall), with a paired bootstrap."""
    a, b = _paired(better, worse)
    value, low, high = _boot([a, b], lambda x, y: x.mean() / y.mean() - 1)
    return Measured(value, (low, high), f"{what}{a.mean():.4f} vs {b.mean():.4f}, {len(a)} users".strip())


def largest_gain(pairs: dict) -> Measured:
    """The largest relative gain over several (better, worse) pairs of per-user recalls (the same users), with a
    paired bootstrap of the maximum: "not better in any column" needs all of its interval below the margin."""
    names = list(pairs)
    columns = [np.asarray(v, dtype=float) for name in names for v in pairs[name]]
    keep = np.all([np.isfinite(c) for c in columns], axis=0)
    columns = [c[keep] for c in columns]

    def statistic(*cols):
        return max(cols[2 * i].mean() / cols[2 * i + 1].mean() - 1 for i in range(len(names)))

    value, low, high = _boot(columns, statistic)
    parts = [f"{n}: {columns[2 * i].mean():.4f} vs {columns[2 * i + 1].mean():.4f}" for i, n in enumerate(names)]
    return Measured(value, (low, high), "; ".join(parts))


def other_rows(frame: pd.DataFrame, claim_id: str) -> dict:
    """The null of a Table 1 cell (``t1_<key>_<part>``): every other method's recall@50 of ours in the same column
    (popularity included), each in the cell's place: name -> :class:`Measured`. A cell is informative only where the
    paper's band excludes the other methods."""
    key, part = claim_id.removeprefix("t1_").rsplit("_", 1)
    method = next(m for m, k in t1.CLAIM_KEYS.items() if k == key)
    column = {m: x for m, x in t1.column(frame, part).items() if m != method}
    if "popularity" in frame.index and np.isfinite(float(frame.loc["popularity", f"ours_{part}"])):
        column["popularity"] = float(frame.loc["popularity", f"ours_{part}"])
    return {f"{m} in its place": Measured(float(x)) for m, x in column.items()}


def among_two_best(column: dict, method: str) -> Measured:
    """Whether ``method`` is one of the two highest values of ``column`` (method → recall@50)."""
    ranked = sorted(column, key=lambda m: -column[m])
    note = "ours, best first: " + ", ".join(f"{m} {column[m]:.4f}" for m in ranked)
    return Measured(bool(method in ranked[:2]), None, note)


def in_place(column: dict, method: str, value: float) -> dict:
    """``column`` (method → recall@50) with ``method``'s value replaced by ``value`` (a null in the method's place)."""
    return {**column, method: float(value)}


def order(column: dict) -> list:
    """Methods of ``column`` (method → value, NaN skipped), best first."""
    return [m for m in sorted(column, key=lambda m: -column[m]) if np.isfinite(column[m])]


def difference(a_users: np.ndarray, b_users: np.ndarray, note: str = "") -> Measured:
    """Paired difference of per-user recall, a − b, with a bootstrap 95 % interval over the users both have."""
    a, b = _paired(a_users, b_users)
    value, low, high = _boot([a - b], np.mean)
    return Measured(value, (low, high), f"{note}{len(a)} users")


def best_minus_rest(per_user: dict, best: str, rest: list) -> Measured:
    """Mean per-user recall of ``best`` minus the best mean of ``rest`` (the better alternative, chosen in each
    bootstrap draw), paired over the users all of them have."""
    columns = [np.asarray(per_user[m], dtype=float) for m in [best, *rest]]
    keep = np.all([np.isfinite(c) for c in columns], axis=0)
    columns = [c[keep] for c in columns]
    value, low, high = _boot(columns, lambda b, *others: b.mean() - max(o.mean() for o in others))
    note = ", ".join(f"{m} {c.mean():.4f}" for m, c in zip([best, *rest], columns)) + f"; {keep.sum()} users"
    return Measured(value, (low, high), note)


def second_beats_third(per_user: dict, column: dict) -> Measured:
    """Paired difference of per-user recall between the second and the third method of ``column``."""
    ranked = order(column)
    return difference(per_user[ranked[1]], per_user[ranked[2]], f"{ranked[1]} − {ranked[2]}, ")


def planted_gain(better_users, worse_users, gain: float) -> np.ndarray:
    """A positive control: ``better_users`` (per-user recall) shifted so that its mean over the users both have lies
    exactly ``gain`` (relative) above ``worse_users``', each user's own difference to the mean kept: a planted effect
    of that size, with the pair's real per-user noise."""
    a, b = np.asarray(better_users, dtype=float), np.asarray(worse_users, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    return a - a[keep].mean() + (1 + gain) * b[keep].mean()


def layer_minus_reconet(without_users: dict, with_users: dict) -> Measured:
    """RecoNet + Layer − RecoNet, paired over test users, in the column where the layer comes closest (the column
    that decides "the extra layer does not help")."""
    both = [
        difference(users["RecoNet + Layer"], users["RecoNet"], f"{part} attributes, RecoNet + Layer − RecoNet, ")
        for part, users in (("without", without_users), ("with", with_users))
    ]
    return max(both, key=lambda m: m.ours)


def common_scale(ours: dict, paper: dict, band: float) -> Measured:
    """Is the gap to the paper one factor shared by every method (a protocol-wide shift: split, data version)? The
    share of values with ours / paper within ``band`` of the median ratio (method → value, the same keys)."""
    keys = [k for k in paper if k in ours and np.isfinite(ours[k]) and np.isfinite(paper[k]) and paper[k] > 0]
    ratios = np.array([ours[k] / paper[k] for k in keys])
    scale = float(np.median(ratios))
    inside = np.abs(ratios / scale - 1) <= band + 1e-12
    note = f"median ours / paper {scale:.3f}; " + ", ".join(f"{k} {r:.2f}" for k, r in zip(keys, ratios))
    return Measured(float(inside.mean()), None, note)


def edge_claims(table, edges: list, frame: pd.DataFrame, seed: int) -> list[dict]:
    """The claims of the extended search (:func:`table1.edge_runs`), one per baseline row of Table 1 and one per
    column for "RecoNet among the two best" again, the same ids in every run: keyword arguments of ``ch.record``
    (``missing`` with its ``cause`` where the row's choice lies inside its grid or where the search did not run:
    seeds after 0, a one-configuration grid)."""
    by_row = {(e.method, e.attributes): e for e in edges}
    if edges or any(len(t.trials) > 1 for t in table.rows):
        idle, cause = None, "data"
    elif seed != 0:
        idle, cause = (
            f"seed {seed} retrains seed 0's choices: the search, and this extension of it, ran on seed 0",
            "seed",
        )
    else:
        idle, cause = (
            "the search tried one configuration per method (this profile's grid): no edge to step past",
            "data",
        )
    out = []
    for t in table.rows:
        if t.method not in t1.BASELINE_KEYS or t.method not in t1.CLAIM_KEYS:
            continue
        claim = {"id": f"t1_edge_{t1.CLAIM_KEYS[t.method]}_{'with' if t.attributes else 'without'}"}
        run = by_row.get((t.method, t.attributes))
        if run is not None:
            gain = largest_gain(run.gains())
            claim |= {
                "ours": gain.ours,
                "interval": gain.interval,
                "note": f"chosen {t1.config_label(run.config)}; {gain.note}",
            }
        else:
            claim |= {
                "missing": idle or f"its configuration ({t1.config_label(t.config)}) lies inside its grid",
                "cause": cause,
            }
        out.append(claim)
    for part in ("without", "with"):
        claim = {"id": f"reconet_two_best_extended_{part}"}
        if edges:
            column = t1.stronger_column(frame, edges, part)
            claim |= {"ours": order(column), "note": among_two_best(column, "RecoNet").note}
        else:
            claim |= {"missing": idle or "no baseline's configuration sits at an edge of its grid", "cause": cause}
        out.append(claim)
    return out


def plateau(valid: list, at: int) -> Measured:
    """Relative gain of validation recall from epoch ``at`` to the last epoch of a learning curve."""
    return Measured(float(valid[-1] / valid[at - 1] - 1), None, "per epoch: " + ", ".join(f"{v:.4f}" for v in valid))


# --- cold start ----------------------------------------------------------------------------------------------------
def curve_ratio(numerator: dict, denominator: dict, per_user: dict) -> Measured:
    """Ratio of the mean recall over k = 1..50 of ``numerator`` to ``denominator`` (each a list of method names; the
    ratio is taken to the best of the list), with a paired bootstrap over the cold users."""
    names = list(numerator) + list(denominator)
    columns = [per_user[n].mean(axis=1) for n in names]
    k = len(numerator)

    def statistic(*cols):
        return max(c.mean() for c in cols[:k]) / max(c.mean() for c in cols[k:])

    value, low, high = _boot(columns, statistic)
    note = ", ".join(f"{n} {c.mean():.4f}" for n, c in zip(names, columns)) + f" (mean recall over k, {len(columns[0])}"
    return Measured(value, (low, high), note + " cold users)")


# --- Figure 5 -------------------------------------------------------------------------------------------------------
def qualifying(space: FeatureSpace, target: int, kinds=FIG5_KINDS, genres=FIG5_GENRES) -> np.ndarray:
    """Features that the paper's Figure 5 names: the user features of ``kinds`` (gender and age) and the movies of
    any of ``genres`` (action, sci-fi); not the genre features themselves, nor ``target``."""
    columns = space.columns("genre")
    named = columns[np.isin(space.labels[columns], genres)]
    out = np.isin(space.kinds, kinds)
    out[: space.n_items] = np.asarray(space.item_attrs[:, named].sum(axis=1)).ravel() > 0
    out[target] = False
    return out


def closest_users(ranks: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` users who rank the paper's movie best (rank 1: it is their top recommendation)."""
    return np.argsort(ranks, kind="stable")[:n]


def fig5_excess(
    space: FeatureSpace, profiles, relevances, target: int, n: int = 6, kinds=FIG5_KINDS, genres=FIG5_GENRES
) -> Measured:
    """Per user: the share of the ``n`` most relevant positive features that are named features (:func:`qualifying`:
    the user features of ``kinds``, the movies of ``genres``), minus that share among all her features (what a random
    six would give on average). Mean over users with its t interval."""
    good = qualifying(space, target, kinds, genres)
    present = np.asarray(profiles) > 0
    relevances = np.asarray(relevances, dtype=float)
    excess, named = [], {kind: [] for kind in FIG5_KINDS}
    for row, rel in zip(present, relevances):
        order = [k for k in np.argsort(-rel, kind="stable") if row[k] and rel[k] > 0][:n]
        if not order:
            continue
        excess.append(good[order].mean() - good[row].mean())
        for kind, found in named.items():
            found.append(kind in space.kinds[order])
    mean, low, high = stats.t_interval(excess)
    shares = ", ".join(f"{kind} for {np.mean(found):.0%}" for kind, found in named.items())
    return Measured(mean, (low, high), f"{len(excess)} users; among the top {n}: {shares} of them")


def fig5(model, space: FeatureSpace, profiles, exclude, title: str = "Men in Black", n_users: int = 20):
    """Figure 5 on ``model``: pick the ``n_users`` users who rank ``title`` best by its scores
    (:func:`~replicate.papers.reconet.explain.paper_case`), explain the movie for them with LRP and measure
    :func:`fig5_excess` for each half of the paper's sentence: ``"gender_age"`` (the user's gender and age) and
    ``"action_scifi"`` (movies of the action or sci-fi genres). Returns ``(case, {half: measured})``; the notebook
    calls it on the trained RecoNet and on its nulls (an untrained one; another movie in the paper's movie's place),
    each with its own selection of users."""
    case = explain.paper_case(model, space, profiles, exclude, title=title, n=n_users)
    rows, relevances = profiles[case.users].cpu().numpy(), case.relevances.cpu().numpy()
    halves = {"gender_age": (FIG5_KINDS, ()), "action_scifi": ((), FIG5_GENRES)}
    return case, {
        half: fig5_excess(space, rows, relevances, case.target, kinds=kinds, genres=genres)
        for half, (kinds, genres) in halves.items()
    }


# --- Figures 6 to 8 ------------------------------------------------------------------------------------------------
def paired_shift(a, b, what: str = "") -> Measured:
    """Mean of a − b over users with its t interval (a paired comparison)."""
    a, b = _paired(a, b)
    mean, low, high = stats.t_interval(a - b)
    return Measured(mean, (low, high), f"{what}means {a.mean():.4f} vs {b.mean():.4f}, {len(a)} users")


def pertinence_gap(top_a, random_a, scale_a, top_b, random_b, scale_b) -> Measured:
    """How much more pertinent one network's LRP ranking is than another's, in each network's own units: per user,
    the drop after removing her top k (``top_*``) minus the drop after removing k random features (``random_*``),
    divided by the spread of that network's logits over the items for her (``scale_*``: the units in which its ranking
    is decided); network a's mean minus network b's, a bootstrap over the users (the same users for both)."""
    columns = [np.asarray(c, dtype=float) for c in (top_a, random_a, scale_a, top_b, random_b, scale_b)]
    keep = np.all([np.isfinite(c) for c in columns], axis=0) & (columns[2] > 0) & (columns[5] > 0)
    a = (columns[0][keep] - columns[1][keep]) / columns[2][keep]
    b = (columns[3][keep] - columns[4][keep]) / columns[5][keep]
    value, low, high = _boot([a, b], lambda x, y: x.mean() - y.mean())
    return Measured(value, (low, high), f"in logit spreads: {a.mean():.3f} against {b.mean():.3f}; {keep.sum()} users")


def mann_whitney(top1, random1) -> Measured:
    """Two-sided Mann–Whitney U p-value of "top 1" against "random 1" (the paper's question: same distribution?)."""
    p = float(mannwhitneyu(top1, random1, alternative="two-sided").pvalue)
    return Measured(p, None, f"medians: top 1 {np.median(top1):.4f}, random 1 {np.median(random1):.4f}; {len(top1)}")


def quartile_skew(values) -> float:
    """Bowley's quartile skewness (Q3 + Q1 − 2 median) / (Q3 − Q1), in [−1, 1]. The moment skewness
    (``stats.skewness``) of these Δŷ samples is ruled by a few outliers: two random rankings of the same users gave
    1.3 and 4.2 with a bootstrap interval that excluded equality (``tests/test_reconet_null.py``)."""
    q1, q2, q3 = np.quantile(np.asarray(values, dtype=float), [0.25, 0.5, 0.75])
    return float((q3 + q1 - 2 * q2) / (q3 - q1)) if q3 > q1 else 0.0


def plant_skew(values, target: float) -> np.ndarray:
    """A positive control for "fairly symmetric": ``values`` with the half on one side of the median stretched about
    it (the lower half for a negative ``target``, the upper for a positive one) so that the quartile skewness is
    exactly ``target``; the order of the values is kept, so the quartiles move with the stretch."""
    x = np.asarray(values, dtype=float)
    q1, q2, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    low, high = q2 - q1, q3 - q2
    if low <= 0 or high <= 0:
        return x.copy()
    if target < 0:  # (high − a·low) / (high + a·low) = target
        a = high * (1 - target) / (low * (1 + target))
        return np.where(x < q2, q2 - a * (q2 - x), x)
    a = low * (1 + target) / (high * (1 - target))  # (a·high − low) / (a·high + low) = target
    return np.where(x > q2, q2 + a * (x - q2), x)


def skew_gap(top1, random1) -> Measured:
    """Quartile skewness of 'top 1' minus that of 'random 1', the users resampled together."""
    value, low, high = _boot([top1, random1], lambda a, b: quartile_skew(a) - quartile_skew(b))
    note = (
        f"quartile skewness: top 1 {quartile_skew(top1):.2f}, random 1 {quartile_skew(random1):.2f}; moment "
        f"skewness: {stats.skewness(top1):.2f}, {stats.skewness(random1):.2f}"
    )
    return Measured(value, (low, high), note)


def skew(values) -> Measured:
    """Quartile skewness with its bootstrap interval (the moment skewness in the note)."""
    value, low, high = _boot([values], quartile_skew)
    return Measured(value, (low, high), f"moment skewness {stats.skewness(values):.2f}; {len(values)} users")


def top_overlap(lrp_relevances, lime_weights, profiles, n: int = 5) -> Measured:
    """Figure 8 right, per explained user: the share of LRP's ``n`` most relevant present features that are also
    among LIME's ``n`` largest coefficients (1: the same top ``n``), mean over users with its t interval."""
    shared = []
    arrays = (x.detach().cpu().numpy() if hasattr(x, "detach") else x for x in (lrp_relevances, lime_weights, profiles))
    for a, b, row in zip(*(np.asarray(x, dtype=float) for x in arrays)):
        present = np.flatnonzero(row > 0)
        top = [set(present[np.argsort(-x[present], kind="stable")[:n]]) for x in (a, b)]
        shared.append(len(top[0] & top[1]) / min(n, len(present)))
    mean, low, high = stats.t_interval(shared)
    return Measured(mean, (low, high), f"{len(shared)} users; per user: " + ", ".join(f"{x:.1f}" for x in shared))


def orders_of_magnitude(slow_seconds: float, fast_seconds: float) -> Measured:
    """log10 of how many times slower ``slow_seconds`` is than ``fast_seconds`` (3: a thousand times)."""
    ratio = slow_seconds / fast_seconds
    return Measured(float(np.log10(ratio)), None, f"{ratio:,.0f} times")


def deletion_agreement(lrp_curves, other_curves, k_max: int = 5) -> Measured:
    """How much of LRP's drop (mean Δŷ_c over users and k = 1..k_max) another ranking's removals reach: the ratio
    of the two mean drops, with a paired bootstrap over users (1: the curves agree)."""
    a = np.asarray(other_curves, dtype=float)[:, :k_max].mean(axis=1)
    b = np.asarray(lrp_curves, dtype=float)[:, :k_max].mean(axis=1)
    value, low, high = _boot([a, b], lambda x, y: x.mean() / y.mean())
    return Measured(value, (low, high), f"mean Δŷ_c, k = 1..{k_max}: LIME {a.mean():.4f}, LRP {b.mean():.4f}")


def later_between(lrp_curves, other_curves, random_curves, k_split: int = 5) -> Measured:
    """Figure 8 left, the features after the first ``k_split``: where another explainer's mean drop Δŷ_c at
    k > ``k_split`` lies between LRP's (0) and a random ranking's (1), ``(other − LRP) / (random − LRP)`` over the
    same users (ratio of means, a paired bootstrap over users). Between 0 and 1: RecoNet's removals decrease the output
    more than the other explainer's, which still beats chance; a random ranking in the other's place gives about 1."""
    late = [np.asarray(c, dtype=float)[:, k_split:].mean(axis=1) for c in (lrp_curves, other_curves, random_curves)]

    def statistic(lrp, other, random):
        return (other.mean() - lrp.mean()) / (random.mean() - lrp.mean())

    value, low, high = _boot(late, statistic)
    lrp, other, random = (c.mean() for c in late)
    note = f"mean Δŷ_c, k > {k_split}: LRP {lrp:.4f}, other {other:.4f}, random {random:.4f}; {len(late[0])} users"
    return Measured(value, (low, high), note)


def toward_lrp(lrp_curves, lime_curves, more_curves, k_max: int = 5) -> Measured:
    """How much closer to LRP's drop (mean Δŷ_c, k = 1..k_max) LIME comes with more samples: |ratio − 1| with the
    study's samples minus |ratio − 1| with more (ratio: LIME's mean drop / LRP's), a paired bootstrap over users.
    Above 0: more samples help, so the disagreement is (partly) LIME's sampling noise."""
    a, b, c = (np.asarray(x, dtype=float)[:, :k_max].mean(axis=1) for x in (lrp_curves, lime_curves, more_curves))
    value, low, high = _boot([a, b, c], lambda x, y, z: abs(y.mean() / x.mean() - 1) - abs(z.mean() / x.mean() - 1))
    note = f"LIME / LRP mean drop, k = 1..{k_max}: {b.mean() / a.mean():.3f} → {c.mean() / a.mean():.3f}"
    return Measured(value, (low, high), note)


def table1_reading(frame: pd.DataFrame, band: float) -> str:
    """The sentence on Table 1 the chapter prints, generated from the run: how wide our band of methods is against
    the paper's (best / worst of each column), and which of our values lie above or below the paper's by more than
    ``band`` (relative, the ``t1_*`` rule), so that no comparison with the paper is typed into prose."""
    parts = []
    for part in ("without", "with"):
        ours, paper = (t1.column(frame, part, who) for who in ("ours", "paper"))
        parts.append(
            f"{part} attributes, best / worst {max(ours.values()) / min(ours.values()):.2f} here against "
            f"{max(paper.values()) / min(paper.values()):.2f} in the paper"
        )
    cells, paper_cells = t1.cells(frame), t1.cells(frame, "paper")
    ratio = {k: cells[k] / paper_cells[k] for k in paper_cells if k in cells}
    above = sorted({k.split("|")[0] for k, r in ratio.items() if r > 1 + band})
    below = sorted({k.split("|")[0] for k, r in ratio.items() if r < 1 - band})
    text = "The spread of the methods: " + "; ".join(parts) + ". "
    text += f"Above the paper's value by more than {band:.0%}: {', '.join(above) or 'none'}; "
    return text + f"below it by more than {band:.0%}: {', '.join(below) or 'none'}."


def beta_reading(table) -> str:
    """The sentence on β the chapter prints, generated from the run: with one β tried (seeds after 0 retrain seed
    0's choice) there is nothing to compare; otherwise the largest range of validation recall@50 over the β grid
    (:func:`~replicate.papers.reconet.table1.beta_spread`)."""
    tried = max(len(t.trials) for t in table.rows if t.method.startswith("RecoNet"))
    if tried < 2:
        return "this run tried one β per variant (the search runs on seed 0), so it cannot say how much β moves them"
    spread = t1.beta_spread(table)
    return (
        f"the short runs of this run separate its {tried} β values by at most {spread:.4f} validation recall@50 (the "
        "trials table)"
    )


def summary(claims: list) -> str:
    """Markdown: for paper claims, facts and book checks apart, how many got each verdict, and the rows that did not
    replicate or whose null passes too (generated from the recorded claims, so that no verdict is typed into prose)."""
    lines = []
    for kind, label in (("paper", "Paper claims"), ("fact", "Facts"), ("book", "Book checks")):
        rows = [c for c in claims if c.kind == kind]
        if not rows:
            continue
        counts = pd.Series([c.verdict for c in rows]).value_counts()
        lines.append(f"- **{label}** ({len(rows)}): " + ", ".join(f"{n} {verdict}" for verdict, n in counts.items()))
        missed = [
            c for c in rows if c.verdict in ("not replicated", "inconclusive", "direction holds", "uninformative")
        ]
        lines += [f"  - `{c.id}` ({c.verdict}): {c.description}" for c in missed]
    return "\n".join(lines)

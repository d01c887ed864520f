"""The EMDE chapter's measurements, on cases computed by hand: who gets a movie, the fallback when too few do,
agreement over chance, and every reading of the attributions that a claim records (on ours and on the null alike)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from replicate.papers.emde import measure
from replicate.papers.emde.explain import Attribution
from replicate.papers.emde.inputs import Inputs
from replicate.papers.emde.modalities import Modality


def test_recommended_to_orders_users_by_the_movie_score():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.7], [0.3, 0.2, 0.1], [-np.inf, 0.0, 0.95]])
    assert measure.recommended_to(scores, 2, k=2).tolist() == [3, 1, 0]
    assert measure.recommended_to(scores, 2, k=1).tolist() == [3]
    assert measure.recommended_to(scores, 2, k=2, n=1).tolist() == [3]


def test_selection_adds_the_next_movie_when_too_few_users_get_one():
    items = pd.DataFrame({"title": ["A (1990)", "B (1991)", "C (1992)"]})
    ds = type("D", (), {"items": items})()
    scores = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.7, 0.3, 0.0], [0.1, 0.9, 0.0]])
    selection = measure.paper_movie_selection(ds, scores, np.arange(3), titles=("C (1992)",), k=1, min_users=2)
    assert selection["title"].tolist() == ["C (1992)", "A (1990)"]
    assert selection["kept"].tolist() == [False, True] and selection["count"].tolist() == [0, 3]


def test_agreement_excess_by_hand():
    tops = {"liked": np.array([1, 2, 3, -1]), "cast": np.array([1, 5, 3, 2])}
    n_liked = np.array([2, 4, 4, 2])
    out = measure.agreement_excess(tops, n_liked, np.ones(4, bool))["cast"]
    assert out["n"] == 3 and out["raw"] == pytest.approx(2 / 3)
    assert out["chance"] == pytest.approx((0.5 + 0.25 + 0.25) / 3)
    assert out["excess"] == pytest.approx(2 / 3 - 1 / 3)
    # the share as printed has its own interval, around the raw share, not the excess
    assert out["raw_interval"][0] <= 2 / 3 <= out["raw_interval"][1] and out["raw_interval"][1] == pytest.approx(1.0)


def test_paired_ndcg_by_hand():
    heldout = sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]], dtype=float))
    ours = np.array([[3.0, 2.0, 1.0], [1.0, 3.0, 2.0], [1.0, 2.0, 3.0]])  # user 0: first; user 1: second
    reference = np.array([[2.0, 3.0, 1.0], [1.0, 3.0, 2.0], [3.0, 2.0, 1.0]])  # user 0: second; user 1: second
    out = measure.paired_ndcg(ours, reference, heldout, k=2)
    # user 2 has nothing held out; user 0 gains 1 - 1/log2(3), user 1 nothing
    assert out["n"] == 2 and out["differences"] == pytest.approx([1 - 1 / np.log2(3), 0.0])
    assert out["excess"] == pytest.approx((1 - 1 / np.log2(3)) / 2)
    assert out["interval"][0] == pytest.approx(0.0) and out["interval"][1] == pytest.approx(1 - 1 / np.log2(3))


def test_planted_difference_keeps_the_spread_and_moves_the_mean():
    out = measure.planted_difference(np.array([-0.01, 0.0, 0.04]), 0.02)
    assert out["excess"] == pytest.approx(0.02) and out["n"] == 3
    assert out["interval"][1] - out["interval"][0] == pytest.approx(0.05 * 2 / 3, abs=0.02)
    assert out["interval"][0] <= 0.02 <= out["interval"][1]


def test_gini_by_hand():
    assert measure.gini([1.0, 1.0, 1.0]) == pytest.approx(0.0)
    assert measure.gini([0.0, 0.0, 1.0]) == pytest.approx(2 / 3)
    assert measure.gini([0.9, 0.1, 0.5]) == pytest.approx(3.2 / 9)  # sum of |xi - xj| over 2 n^2 mean
    assert np.isnan(measure.gini([5.0])) and np.isnan(measure.gini([0.0, 0.0]))


# --- a model small enough to read by hand: one cast modality, one sketch, unit u hashed to bucket u ------------------
# Movies 0-3; people p0-p3: movie 0 credits p0, p1; movie 1 p1, p2; movie 2 p3; movie 3 p0, p3.
# Users' liked inputs: u0 {1, 2} and u2 {1, 2} (present p1, p2, p3), u1 {0} (present p0, p1).
# Attributions (one cell per person): u0 [0, .5, .9, .1], u1 [.3, .2, .8, 0], u2 [.9, .9, .1, .95].
# Strongest present person: u0 p2, u1 p0, u2 p3. Explained films: u0 movie 0, u1 movie 3, u2 movie 0.


def _tiny():
    movie_units = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 1]], dtype=float))
    cast = Modality("cast", ["p0", "p1", "p2", "p3"], movie_units, "liked", codes=np.arange(4)[:, None],
                    unit_of={f"p{u}": u for u in range(4)})  # fmt: skip
    model = SimpleNamespace(modalities=[cast])
    liked = sp.csr_matrix(np.array([[0, 1, 1, 0], [1, 0, 0, 0], [0, 1, 1, 0]], dtype=float))
    inputs = Inputs(liked, sp.csr_matrix(liked.shape))
    cells = np.array([[0, 0.5, 0.9, 0.1], [0.3, 0.2, 0.8, 0.0], [0.9, 0.9, 0.1, 0.95]])[:, None, None, :]
    attribution = Attribution(cells, np.ones(3), np.zeros(3), np.zeros(3), np.array([0, 3, 0]))
    return model, inputs, attribution


def test_contribution_inequality_by_hand():
    model, inputs, attribution = _tiny()
    out = measure.contribution_inequality(attribution, model, inputs, 0)
    # present |attributions|: u0 (.5, .9, .1) Gini 1.6/4.5; u1 (.3, .2) Gini .1/1; u2 (.9, .1, .95) Gini 1.7/5.85
    assert out["n"] == 3 and out["gini"] == pytest.approx((1.6 / 4.5 + 0.1 + 1.7 / 5.85) / 3)
    # contributions are sizes: negative attributions count by their absolute value
    flipped = Attribution(-attribution.cells, attribution.f, attribution.f_baseline, attribution.delta,
                          attribution.targets)  # fmt: skip
    assert measure.contribution_inequality(flipped, model, inputs, 0)["gini"] == pytest.approx(out["gini"])


def test_strongest_present_person_by_hand():
    model, inputs, attribution = _tiny()
    assert measure.strongest_units(attribution, model, inputs, 0).tolist() == [2, 0, 3]


def test_own_cast_by_hand():
    model, inputs, attribution = _tiny()
    out = measure.own_cast(attribution, model, inputs, 0)
    # users with someone of their film present: all three; strongest in the film: u1 only
    assert out["n"] == 3 and out["in_film"] == pytest.approx(1 / 3) and out["not_in_film"] == pytest.approx(2 / 3)
    # a random present person is in the film for 1 of 3 (u0), 1 of 2 (u1), 1 of 3 (u2)
    assert out["random"] == pytest.approx((1 / 3 + 1 / 2 + 1 / 3) / 3)
    assert out["excess"] == pytest.approx(1 / 3 - 7 / 18)
    assert out["not_interval"][0] <= 2 / 3 <= out["not_interval"][1]


def test_distinct_reasons_by_hand():
    model, inputs, attribution = _tiny()
    out = measure.distinct_reasons(attribution, model, inputs, 0)
    # own: p2, p0, p3; shared (the users' mean, p0 .4, p1 .53, p2 .6, p3 .35): p2, p1, p2
    assert (out["distinct"], out["shared"], out["more"], out["n"]) == (3, 2, 1, 3)


def test_person_rank_sums_over_the_users_who_have_the_person():
    model, inputs, attribution = _tiny()
    # totals over present users: p0 .3, p1 1.6, p2 1.0, p3 1.05
    users = [0, 1, 2]
    ranks = {
        p: measure.person_rank(attribution, model, inputs, 0, users, p, boot=0)["rank"] for p in ("p0", "p1", "p3")
    }
    assert ranks == {"p0": 4, "p1": 1, "p3": 2}
    assert measure.person_rank(attribution, model, inputs, 0, users, "nobody", boot=0)["rank"] is None


def test_per_user_strength_by_hand():
    model, inputs, attribution = _tiny()
    # p1 ranks 2nd for every user; top 2 against chance 2/3, 2/2, 2/3
    values = measure.per_user_strength(attribution, model, inputs, 0, np.arange(3), "p1", k=2)
    assert values == pytest.approx([1 / 3, 0.0, 1 / 3])


def test_same_epoch_by_hand():
    model, inputs, attribution = _tiny()
    years = np.array([1950.0, 1990.0, 2000.0, 1960.0])  # people's median years: p0 1955, p1 1970, p2 1990, p3 1980
    out = measure.same_epoch(attribution, model, inputs, 0, years, window=30)
    # strongest outside the film: u0 (p2, 40 years off) and u2 (p3, 30 years off); random non-cast: p2 or p3, 1/2
    assert out["n"] == 2 and out["share"] == pytest.approx(0.5) and out["random"] == pytest.approx(0.5)
    assert out["excess"] == pytest.approx(0.0)
    assert out["hits"][[0, 2]].tolist() == [0.0, 1.0] and np.isnan(out["hits"][1])


def test_chance_level_is_the_mean_of_the_draws_that_measured_the_user():
    draws = [np.array([1.0, np.nan, 0.0, np.nan]), np.array([0.0, 1.0, 0.0, np.nan]), np.array([1.0, 1.0, 1.0, np.nan])]
    level = measure.chance_level(draws)
    assert level[:3] == pytest.approx([2 / 3, 1.0, 1 / 3]) and np.isnan(level[3])


def test_paired_excess_uses_the_users_measured_in_both():
    ours = np.array([1.0, 1.0, 0.0, np.nan, 1.0])
    null = np.array([0.0, 1.0, 0.0, 1.0, np.nan])
    out = measure.paired_excess(ours, null)
    assert out["n"] == 3 and out["share"] == pytest.approx(2 / 3) and out["random"] == pytest.approx(1 / 3)
    assert out["excess"] == pytest.approx(1 / 3) and out["interval"][0] <= 1 / 3 <= out["interval"][1]
    assert measure.paired_excess(ours[3:4], null[3:4])["n"] == 0


def test_completeness_gap_by_hand():
    cells = np.array([[1.0, 1.0], [1.0, 0.0], [2.0, 2.0]])[:, None, None, :]
    attribution = Attribution(cells, np.array([2.0, 2.0, 2.0]), np.zeros(3), np.zeros(3), np.zeros(3, int))
    assert measure.completeness_gap(attribution) == pytest.approx(0.5)  # gaps 0, 0.5, 1


def test_influence_ratio_by_hand():
    nan = np.nan
    movie_attr = {
        "liked": np.array([[1.0, nan], [2.0, 0.0], [4.0, 1.0]]),
        "cast": np.array([[0.5, nan], [nan, nan], [1.0, 3.0]]),
    }
    out = measure.influence_ratio(movie_attr, "cast")
    assert out["n"] == 2 and out["ratio"] == pytest.approx((0.5 + 3.0) / (1.0 + 4.0))


def test_random_attribution_is_seeded_noise_of_the_same_shape():
    _, _, attribution = _tiny()
    a, b = (measure.random_attribution(attribution, seed=s) for s in (1, 1))
    c = measure.random_attribution(attribution, seed=2)
    assert a.cells.shape == attribution.cells.shape and np.array_equal(a.cells, b.cells)
    assert not np.array_equal(a.cells, c.cells) and np.array_equal(a.targets, attribution.targets)


def test_named_ranks_says_why_a_person_is_not_measured():
    model, inputs, attribution = _tiny()
    selection = pd.DataFrame({"item": [0, 3], "title": ["A", "B"], "count": [3, 1], "kept": [True, False]})
    offsets = {0: np.arange(3)}
    named = (("one", "p1", "A", "strong"), ("two", "p1", "B", "strong"), ("three", "nobody", "A", "strong"))
    rows = measure.named_ranks(attribution, model, inputs, 0, selection, offsets, named).set_index("id")
    assert rows.loc["one", "rank"] == 1 and rows.loc["one", "missing"] == ""
    assert rows.loc["two", "cause"] == "model" and "top ten of 1 users" in rows.loc["two", "missing"]
    assert rows.loc["three", "cause"] == "data"
    none = measure.named_ranks(attribution, model, inputs, None, selection, offsets, named)
    assert set(none["cause"]) == {"data"}


# --- the skeptic's nulls and how the strongest is chosen ----------------------------------------------------------


def test_input_and_presence_attributions_read_the_input_sketch():
    model, inputs, attribution = _tiny()
    sketch = np.array([[0.0, 0.6, 0.8, 0.0], [0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.3, 0.4]])
    model.inputs_vector = lambda _: sketch
    x = measure.input_attribution(attribution, model, inputs)
    assert np.array_equal(x.cells.reshape(3, 4), sketch) and np.array_equal(x.targets, attribution.targets)
    ones = measure.presence_attribution(attribution, model, inputs)
    assert ones.cells.reshape(3, 4).tolist() == [[0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]]


def test_permuted_attribution_shuffles_within_user_and_modality():
    _, _, attribution = _tiny()
    a, b = (measure.permuted_attribution(attribution, seed=3) for _ in range(2))
    assert np.array_equal(a.cells, b.cells) and a.cells.shape == attribution.cells.shape
    for u in range(3):
        assert sorted(a.cells[u].ravel()) == sorted(attribution.cells[u].ravel())


def test_random_attribution_keeps_each_modality_spread():
    rng = np.random.default_rng(0)
    cells = np.stack([rng.normal(size=(50, 2, 64)), 100 * rng.normal(size=(50, 2, 64))], axis=1)
    attribution = Attribution(cells, np.ones(50), np.zeros(50), np.zeros(50), np.zeros(50, int))
    noise = measure.random_attribution(attribution, seed=1).cells
    assert noise[:, 0].std() == pytest.approx(1.0, rel=0.05) and noise[:, 1].std() == pytest.approx(100.0, rel=0.05)


def test_shuffled_targets_give_every_user_another_row():
    targets = np.array([10, 11, 12, 13, 14])
    out = measure.shuffled_targets(targets, seed=4)
    assert sorted(out) == sorted(targets) and not np.any(out == targets)
    assert np.array_equal(out, measure.shuffled_targets(targets, seed=4))


def test_popular_movie_by_hand():
    train = sp.csr_matrix(np.array([[1, 0, 1], [0, 0, 1], [1, 0, 1]]))
    assert measure.popular_movie(train, np.array([7, 8, 9])) == 9


def test_ties_are_broken_at_random():
    model, inputs, attribution = _tiny()
    ones = Attribution(np.ones_like(attribution.cells), *(getattr(attribution, f) for f in ("f", "f_baseline",
                       "delta", "targets")))  # fmt: skip
    # every present person scores 1: p1 ties with everyone, in the top 2 with probability 2/3 (u0, u2) or 1 (u1),
    # exactly the chance level
    values = measure.per_user_strength(ones, model, inputs, 0, np.arange(3), "p1", k=2)
    assert values == pytest.approx([0.0, 0.0, 0.0])
    # p1 scores .5, p3 .1 and p2 .5 for u0 only: p1 ties with p2, in the top 1 half the time (chance 1/3)
    tie = Attribution(np.array([[0, 0.5, 0.5, 0.1]])[:, None, None, :], np.ones(1), np.zeros(1), np.zeros(1),
                      np.zeros(1, int))  # fmt: skip
    assert measure.per_user_strength(tie, model, inputs, 0, [0], "p1", k=1) == pytest.approx([0.5 - 1 / 3])
    # summed over users: p1 3, p2 2, p3 2, p0 1; p2 ties with p3 for 2nd and 3rd, expected rank 2.5
    ranks = {p: measure.person_rank(ones, model, inputs, 0, [0, 1, 2], p, boot=0)["rank"] for p in ("p1", "p2", "p0")}
    assert ranks == {"p1": 1, "p2": 2.5, "p0": 4}


def test_planted_inequality_decodes_without_collisions_to_the_planted_gini():
    model, inputs, attribution = _tiny()
    out = measure.planted_inequality(model, inputs, 0, attribution, seed=5)
    assert out["n"] == 3 and out["gini"] == pytest.approx(out["planted"])
    # two people in one bucket: their contributions add up, the decoded inequality differs from the planted one
    model.modalities[0].codes = np.array([[0], [1], [1], [2]])
    collided = measure.planted_inequality(model, inputs, 0, attribution, seed=5)
    assert collided["planted"] == pytest.approx(out["planted"]) and collided["gini"] != pytest.approx(out["gini"])


def test_with_training_noise_widens_the_interval_in_quadrature():
    result = {"excess": 0.01, "interval": (0.0, 0.03), "n": 4}
    out = measure.with_training_noise(result, -0.01)
    spread = 1.96 * 0.01
    assert out["interval"] == pytest.approx((0.01 - np.hypot(0.01, spread), 0.01 + np.hypot(0.02, spread)))
    assert out["sampling_interval"] == (0.0, 0.03) and out["training_noise"] == -0.01 and out["excess"] == 0.01
    assert measure.with_training_noise(result, 0.0)["interval"] == pytest.approx((0.0, 0.03))


def test_strongest_null_prefers_a_passing_null_then_the_closest():
    from replicate.core.claims import AtMost, Exceeds, Within

    nulls = {"a": {"excess": 0.05, "interval": (-0.01, 0.1), "n": 5}, "b": {"excess": 0.02, "interval": (0.01, 0.03),
             "n": 5}, "c": None}  # fmt: skip
    name, best, verdicts = measure.strongest_null(Exceeds(0.0), None, nulls)
    assert name == "b" and best is nulls["b"] and verdicts == {"a": "inconclusive", "b": "replicated"}
    nulls["b"]["interval"] = (-0.02, 0.03)  # none passes: the one whose interval comes closest to the bound
    assert measure.strongest_null(Exceeds(0.0), None, nulls)[0] == "a"
    ranks = {"x": {"rank": 30, "interval": (20, 40)}, "y": {"rank": 12, "interval": (1, 90)}}
    assert measure.strongest_null(AtMost(10), None, ranks, "rank")[0] == "y"
    shares = {"x": {"raw": 0.2, "raw_interval": None}, "y": {"raw": 0.13, "raw_interval": None}}
    assert measure.strongest_null(Within(abs=0.05), 0.1, shares, "raw", "raw_interval")[0] == "y"


def test_readings_records_the_strongest_null_and_lists_all():
    claim = SimpleNamespace(rule=pytest.importorskip("replicate.core.claims").Exceeds(0.0), paper=None)
    ours = {"excess": 0.1, "interval": (0.05, 0.15), "n": 9}
    nulls = {"random": {"excess": 0.0, "interval": (-0.05, 0.05), "n": 9},
             "input x": {"excess": 0.08, "interval": (0.02, 0.12), "n": 9}}  # fmt: skip
    out = measure.readings(claim, ours, nulls, note="{n} users")
    assert out["null"] == 0.08 and out["null_interval"] == (0.02, 0.12) and out["ours"] == 0.1
    assert out["note"].startswith("9 users; null: input x") and "random 0 [-0.05, 0.05] (inconclusive)" in out["note"]
    assert measure.readings(claim, None, nulls) == {"missing": measure.NO_CAST}
    assert measure.readings(claim, ours, {"random": None})["null"] is None


def test_epoch_chance_is_the_chance_level_of_random_draws_for_the_explained_films():
    model, inputs, attribution = _tiny()
    years = np.array([1950.0, 1990.0, 2000.0, 1960.0])
    args = (model, inputs, 0, years, 30, 0, measure.person_epochs(model, 0, years))
    draws = [measure.epoch_hits(measure.random_attribution(attribution, seed=7 + k), *args) for k in (1, 2, 3)]
    expected = measure.chance_level(draws)
    assert np.array_equal(measure.epoch_chance(attribution, *args, 3, 7), expected, equal_nan=True)

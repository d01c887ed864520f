"""The C-VAE chapter's nulls and controls: the measurement functions the notebook calls on the model and on its null
(an untrained C-VAE of another seed, a condition where the paper says c = 0, labels shuffled, a genre in the
unconditioned users' place, a planted difference), on hand-made cases and small untrained models."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from replicate import data, seed_everything, splits
from replicate.core.claims import AtLeast, AtMost, Exceeds, Within
from replicate.papers.cvae import claims, latent
from replicate.papers.cvae import measure as obs
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import Conditions, genre_conditions
from replicate.papers.cvae.model import MultVAE, as_multvae, reduction_gap

GENRES = tuple(sorted(obs._GENRES + ["Adventure"]))  # ML-1M's eighteen


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(0)
    n_items = 400
    items = (rng.random((n_items, len(GENRES))) < 0.12).astype(np.float32)
    items[np.arange(n_items), rng.integers(0, len(GENRES), n_items)] = 1.0  # every movie has a genre
    conditions = Conditions(GENRES, items)
    history = sp.csr_matrix((rng.random((150, n_items)) < 0.06).astype(np.float32))
    return conditions, history, obs.Context(conditions, history, permutations=199, seed=0)


def test_the_null_model_rarely_beats_the_untrained_ones(setting):
    """The chapter's null, an untrained C-VAE of another seed (obs.null_seed), is a draw from the untrained models
    themselves: read by the chapter's rule against K others it holds for about 1 in K + 1 observations by chance,
    and never for most of them. Its seed is none of the compared models' seeds."""
    conditions, history, ctx = setting
    seeds = obs.null_seeds(0, 9)
    assert obs.null_seed(0) not in seeds and obs.null_seed(3) not in obs.null_seeds(3)
    model = obs.untrained(history.shape[1], conditions.n, obs.null_seed(0))
    side = obs.side_by_side(model, history, ctx, seeds, progress=False)
    assert set(side.trained) == set(obs.LATENT) - {"neutral_far_on_pc1"}
    assert sum(side.verdicts().values()) <= 2, side.table()
    # several readings do hold on an untrained model: that is why the rule needs the comparison
    assert sum(m.reading for m in side.trained.values()) >= 3


def test_the_rule_can_pass_when_the_arrangement_differs_from_the_null(setting):
    """A stand-in for learning: a trained score beyond every untrained one, with the reading, gives 'holds'."""
    conditions, history, ctx = setting
    nulls = [{"x": obs.Measure(0.1 * k, True)} for k in range(5)]
    assert obs.SideBySide({"x": obs.Measure(0.9, True)}, nulls).holds("x")
    assert not obs.SideBySide({"x": obs.Measure(0.9, False)}, nulls).holds("x")
    assert not obs.SideBySide({"x": obs.Measure(0.4, True)}, nulls).holds("x")


def test_cvae_with_zero_condition_is_multvae_and_a_condition_breaks_it():
    torch.manual_seed(0)
    model = MultVAE(300, 6, hidden=32, latent=8)
    x = (torch.rand(40, 300) < 0.05).float()
    rule = AtMost(1e-4)
    assert rule.verdict(0.0, reduction_gap(model, x, steps=3)) == "replicated"
    assert rule.verdict(0.0, reduction_gap(model, x, steps=3, condition=2)) == "not replicated"
    plain = as_multvae(model)
    assert plain.n_conditions == 0 and plain.encoder.in_features == 300
    assert model.encoder.in_features == 306  # the original is untouched


@pytest.fixture(scope="module")
def trained_pair():
    seed_everything(1)
    ds = data.make_synthetic(n_users=200, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=30, seed=1)
    conditions = genre_conditions(ds, s.items)
    multvae = MultVAE(s.n_items, hidden=32, latent=8)
    config = train_vae.Config(epochs=15, batch_size=32, lr=1e-2, seed=1)
    train_vae.train(multvae, s.train, s.valid_in, s.valid_out, config, progress=False)
    return s, conditions, multvae


def test_conditioning_beats_filter_fails_for_an_untrained_cvae(trained_pair):
    s, conditions, multvae = trained_pair
    torch.manual_seed(0)
    null = MultVAE(s.n_items, conditions.n, hidden=32, latent=8)
    result = train_vae.conditioned_evaluation(
        {"filtered": (multvae, "filter"), "null": (null, "condition")}, s.test_in, s.test_out, conditions
    )
    mean, low, high = train_vae.paired_difference(
        result["per_pair"]["null"], result["per_pair"]["filtered"], result["users"]
    )
    assert Exceeds(0.0).verdict(None, mean, (low, high)) == "not replicated"


def test_planted_difference_has_the_planted_mean_and_the_real_spread():
    """The equivalence claims' positive control: a planted difference of exactly the size asked, per-user spread
    kept; the rule rejects twice its margin when the spread is small, and cannot when it is large."""
    users = np.array([0, 0, 1, 2, 3, 3])
    a = np.array([0.5, 0.7, 0.2, np.nan, 0.4, 0.6])
    b = np.array([0.4, 0.6, 0.3, 0.1, 0.4, 0.4])
    # per-user differences: user 0: 0.1, user 1: -0.1, user 3: 0.1 (user 2's only pair is missing): mean 1/30
    assert train_vae.paired_difference(a, b, users)[0] == pytest.approx(1 / 30)
    moved = obs.planted(a, b, users, 0.04)
    assert np.isnan(moved[3]) and moved[0] - a[0] == pytest.approx(0.04 - 1 / 30)
    mean, low, high = train_vae.paired_difference(moved, b, users)
    assert mean == pytest.approx(0.04) and high - low == pytest.approx(
        np.subtract(*train_vae.paired_difference(a, b, users)[2:0:-1])
    )
    rule = claims.CLAIMS["cvae_vs_multvae_matched_steps"].rule
    rng = np.random.default_rng(0)
    quiet, loud = rng.normal(0.3, 0.01, 500), rng.normal(0.3, 0.5, 500)
    base, many = np.full(500, 0.3), np.arange(500)
    effect = claims.PLANTED["cvae_vs_multvae_matched_steps"]
    for noisy, detected in ((quiet, True), (loud, False)):
        _, low, high = train_vae.paired_difference(obs.planted(noisy, base, many, effect), base, many)
        assert (rule.verdict(0.0, effect, (low, high)) == "not replicated") is detected


def test_changed_names_the_observations_whose_reading_or_verdict_differs():
    """The epoch-cap ablation's measurement on hand-made measures: a reading that flips, and a verdict that flips
    because the score falls among the untrained ones (same reading), are both changes; a score that moves while
    still beating every untrained model is not."""
    untrained = [
        {"a": obs.Measure(0.1 * k, True), "b": obs.Measure(0.1 * k, True), "c": obs.Measure(0.0, True)}
        for k in range(5)
    ]
    cap = obs.SideBySide(
        {"a": obs.Measure(0.9, True), "b": obs.Measure(0.9, True), "c": obs.Measure(0.5, True)}, untrained
    )
    half = cap.with_trained({"a": obs.Measure(0.9, False), "b": obs.Measure(0.2, True), "c": obs.Measure(0.7, True)})
    assert obs.changed(half, cap) == ["a", "b"]
    assert obs.changed(cap, cap) == []


def test_why_checks_fail_on_their_controls(setting):
    conditions, history, ctx = setting
    space, _ = obs.latent_space(obs.untrained(history.shape[1], conditions.n, 0), history, conditions)
    rule = AtLeast(0.25)
    assert rule.verdict(None, obs.centred_silhouette(space, shuffle=True)) == "not replicated"
    # a planted case: every user's taste offset is large, each condition moves everyone the same way
    rng = np.random.default_rng(0)
    points = rng.normal(scale=5, size=(100, 1, 5)) + rng.normal(scale=1, size=(1, 19, 5))
    points = points + rng.normal(scale=0.05, size=points.shape)
    planted = latent.LatentPCA(points, np.ones(5) / 5, GENRES + (latent.UNCONDITIONED_LABEL,))
    assert planted.silhouette()["all"] < 0.25
    assert rule.verdict(None, obs.centred_silhouette(planted)) == "replicated"
    assert rule.verdict(None, obs.centred_silhouette(planted, shuffle=True)) == "not replicated"
    holds, rho, p, _ = obs.rarity_reading(space, history, conditions)
    assert not holds and holds == (rho > 0 and p <= claims.THRESHOLDS.alpha)


def test_condition_adds_nothing_check_fails_when_the_request_changes_the_ranking(trained_pair):
    """The Why of conditioning_beats_filter asks whether C-VAE's condition adds nothing beyond filtering its own ranking
    (Within ±0.005). The same rule on a request that does change the ranking, the filter against the plain
    ranking of the same model, must not pass; the same ranking against itself must."""
    s, conditions, multvae = trained_pair
    result = train_vae.conditioned_evaluation(
        {"plain": (multvae, "plain"), "filtered": (multvae, "filter")}, s.test_in, s.test_out, conditions
    )
    per_pair, users = result["per_pair"], result["users"]
    mean, low, high = train_vae.paired_difference(per_pair["filtered"], per_pair["plain"], users)
    assert Within(abs=0.005).verdict(0.0, mean, (low, high)) == "not replicated"
    mean, low, high = train_vae.paired_difference(per_pair["filtered"], per_pair["filtered"], users)
    assert Within(abs=0.005).verdict(0.0, mean, (low, high)) == "replicated"


def test_centre_share_on_untrained_models_and_its_swapped_null(setting):
    """The Why of unconditioned_centre: on untrained C-VAEs the zero condition sits amid the genres (the check
    passes), while a genre put in its place (the notebook's null) is seldom the most central; untrained C-VAEs whose
    genre columns share one large common shift (the zero condition off to one side) fail the same rule."""
    conditions, history, ctx = setting
    rule = claims.CLAIMS["why_centre_built_in"].rule
    seeds = obs.null_seeds(0, 5)
    side = obs.side_by_side(obs.untrained(history.shape[1], conditions.n, 0), history, ctx, seeds, progress=False)
    share = obs.centre_share(side.untrained_spaces)
    assert share == side.untrained_share("unconditioned_centre")
    assert rule.verdict(None, share) == "replicated"
    assert rule.verdict(None, obs.centre_share(side.untrained_spaces, swapped=True)) == "not replicated"
    shifted = []
    for s in seeds:
        model = obs.untrained(history.shape[1], conditions.n, s)
        with torch.no_grad():
            model.encoder.w_conditions += 3.0 * torch.randn(model.encoder.w_conditions.shape[0], 1)
        shifted.append(obs.measure_space(model, history, ctx)[0])
    assert rule.verdict(None, obs.centre_share(shifted)) == "not replicated"


def test_centre_margin_by_hand():
    # three genres on a triangle around the origin, the unconditioned users at (0.5, 0): the most central
    centroids = np.array([[2.0, 0.0], [-1.0, 1.0], [-1.0, -1.0], [0.5, 0.0]])
    d = np.array([2.0, np.sqrt(2), np.sqrt(2)])  # the genres' distances from their centre, the origin
    assert obs.centre_margin(centroids) == pytest.approx((np.sqrt(2) - 0.5) / np.sqrt(2))
    assert obs.centre_margin(centroids) == pytest.approx((d.min() - 0.5) / np.median(d))
    # genre 0 in the unconditioned users' place: centre of the others (-2/3, 0); it is the farthest
    assert obs.centre_margin(centroids, 0) < 0
    space = latent.LatentPCA(centroids[None], np.ones(2) / 2, ("A", "B", "C", latent.UNCONDITIONED_LABEL))
    assert obs.centre_share([space]) == 1.0 and obs.centre_share([space], swapped=True) == 0.0


def test_every_claim_is_declared_once_with_its_kind():
    declared = claims.CLAIMS
    assert set(obs.LATENT) <= set(declared)
    assert all(declared[k].kind == "paper" for k in obs.LATENT)
    assert set(claims.SHUFFLED_GENRE_NULL) <= set(obs.LATENT)
    for k in obs.LATENT:  # genre-learning claims: shuffled genres and the catalogue; sizes: untrained and catalogue
        null = declared[k].null
        if k in claims.READING_ONLY:
            assert all(word in null for word in ("untrained", "shuffled-genre", "catalogue"))
        elif k in claims.SHUFFLED_GENRE_NULL:
            assert "shuffled genres" in null and "catalogue" in null
        elif k in claims.CATALOGUE_NULL:
            assert "untrained C-VAE of seed + 1000" in null and "catalogue" in null
        else:
            assert "another seed" in null
        assert set(obs.null_candidates(k, ["catalogue 1000"])) >= (
            {"catalogue 1000"} if k in claims.CATALOGUE_NULL else {"untrained"}
        )
    # the claims about the conditions as such (and genre sizes, which the shuffle keeps) are not shuffled-genre claims
    assert not {"clusters_silhouette", "unconditioned_centre", "popular_genres_central"} & set(
        claims.SHUFFLED_GENRE_NULL
    )
    for fact in ("genres_drama_comedy_most_common", "film_noir_least_common", "cvae_on_par_with_multvae"):
        assert declared[fact].kind == "fact"
    for equivalence in ("cvae_vs_multvae_matched_steps", "why_condition_adds_nothing", "epoch_cap_ablation"):
        assert declared[equivalence].absence
    for key, effect in claims.PLANTED.items():  # a planted effect the rule rules out, however narrow the interval
        assert declared[key].rule.verdict(0.0, effect, (effect, effect)) == "not replicated"


def test_shuffled_genres_keep_each_size_and_break_the_genres():
    """The genre-learning claims' null trains on each genre's movies permuted: every condition keeps its number of
    movies (so the training keeps its shape), but its movies are another set and the genres' co-occurrence is gone."""
    items = np.zeros((200, 3), dtype=np.float32)
    items[:60, 0] = items[:60, 1] = 1.0  # genres 0 and 1: the same 60 movies
    items[150:, 2] = 1.0
    conditions = Conditions(("A", "B", "C"), items)
    shuffled = obs.shuffled_genres(conditions, np.random.default_rng(0))
    assert shuffled.names == conditions.names
    np.testing.assert_array_equal(shuffled.items.sum(axis=0), items.sum(axis=0))
    assert set(np.unique(shuffled.items)) <= {0.0, 1.0}
    for c in range(3):  # another set of movies, sharing about its share of the catalogue with the genre's own
        assert (shuffled.items[:, c] * items[:, c]).sum() < 0.6 * items[:, c].sum()
    assert latent.cooccurrence_distance(shuffled, ("A", "B", "C"))[0, 1] > 0.5  # co-occurrence at chance
    assert latent.cooccurrence_distance(conditions, ("A", "B", "C"))[0, 1] == 0.0

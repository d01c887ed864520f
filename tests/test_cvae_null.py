"""Every verdict of the C-VAE chapter can fail: the same measurement and rule on a null model (an untrained C-VAE, a
condition where the paper says c = 0, labels shuffled) does not pass."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from replicate import data, seed_everything, splits
from replicate.core.claims import AtLeast, AtMost, Exceeds, Within
from replicate.papers.cvae import latent
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


def test_no_observation_holds_on_the_untrained_model(setting):
    """The chapter's rule (reading holds and the score beats every untrained model) on the untrained C-VAE with the
    trained model's seed: it must fail for every observation."""
    conditions, history, ctx = setting
    model = obs.untrained(history.shape[1], conditions.n, 0)
    side = obs.side_by_side(model, history, ctx, obs.null_seeds(0, 4), progress=False)
    assert set(side.trained) == set(obs.DESCRIPTIONS) - {"neutral_far_on_pc1"}
    assert not any(side.verdicts().values()), side.table()
    # several readings do hold on an untrained model: that is why the rule needs the comparison
    assert sum(m.reading for m in side.trained.values()) >= 3


def test_another_untrained_model_rarely_beats_the_untrained_ones(setting):
    """An untrained model of another seed is a draw from the null itself: it beats all K others for about 1 in K + 1
    observations by chance, and never for most of them."""
    conditions, history, ctx = setting
    model = obs.untrained(history.shape[1], conditions.n, 777)
    side = obs.side_by_side(model, history, ctx, obs.null_seeds(0, 9), progress=False)
    assert sum(side.verdicts().values()) <= 2, side.table()


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


def test_conditioning_helps_fails_for_an_untrained_cvae(trained_pair):
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


def test_matched_steps_and_liang_claims_fail_for_an_untrained_model(trained_pair):
    s, conditions, multvae = trained_pair
    torch.manual_seed(0)
    null = MultVAE(s.n_items, conditions.n, hidden=32, latent=8)
    ours, theirs = (train_vae.evaluate(m, s.test_in, s.test_out)["per_user"]["nDCG@100"] for m in (null, multvae))
    mean, low, high = train_vae.paired_difference(ours, theirs, np.arange(len(ours)))
    assert Within(abs=0.02).verdict(0.0, mean, (low, high)) != "replicated"
    untrained_multvae = MultVAE(s.n_items, hidden=32, latent=8)
    ndcg = train_vae.evaluate(untrained_multvae, s.test_in, s.test_out)["nDCG@100"]
    assert Within(rel=0.05).verdict(0.426, ndcg) == "not replicated"


def test_epoch_cap_ablation_fails_when_the_early_model_is_untrained(setting):
    """The ablation's rule (no reading and no verdict changes) fails when the 'half-cap' model is an untrained one
    and the 'cap' model differs from it (here: a model whose arrangement is planted by hand)."""
    conditions, history, ctx = setting
    nulls = obs.side_by_side(obs.untrained(history.shape[1], conditions.n, 0), history, ctx, [1, 2], progress=False)
    other = obs.measure_model(obs.untrained(history.shape[1], conditions.n, 5), history, ctx)
    shifted = {k: obs.Measure(m.score, not m.reading, m.detail) for k, m in other.items()}
    assert obs.unchanged(nulls.with_trained(other), nulls.with_trained(other))
    assert not obs.unchanged(nulls.with_trained(other), nulls.with_trained(shifted))


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
    rho, p, _ = obs.rarity_and_isolation(space, history, conditions)
    assert not (rho > 0 and p <= 0.05)


def test_condition_adds_nothing_check_fails_when_the_request_changes_the_ranking(trained_pair):
    """The Why of conditioning_helps asks whether C-VAE's condition adds nothing beyond filtering its own ranking
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


def test_centre_built_in_check_fails_when_the_zero_condition_is_moved_off_centre(setting):
    """The Why of unconditioned_centre: on untrained C-VAEs the zero condition sits amid the genres (the check
    passes); the null, untrained C-VAEs whose genre columns share one large common shift (every genre moves the same
    way, so the zero condition lies off to one side), fails the same rule."""
    conditions, history, ctx = setting
    rule = AtLeast(0.9)
    seeds = obs.null_seeds(0, 5)
    side = obs.side_by_side(obs.untrained(history.shape[1], conditions.n, 0), history, ctx, seeds, progress=False)
    assert rule.verdict(None, side.untrained_share("unconditioned_centre")) == "replicated"
    shifted = []
    for s in seeds:
        model = obs.untrained(history.shape[1], conditions.n, s)
        with torch.no_grad():
            model.encoder.w_conditions += 3.0 * torch.randn(model.encoder.w_conditions.shape[0], 1)
        shifted.append(obs.measure_model(model, history, ctx))
    null = obs.SideBySide(side.trained, shifted)
    assert rule.verdict(None, null.untrained_share("unconditioned_centre")) == "not replicated"

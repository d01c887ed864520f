"""Skip prediction: every verdict can fail. For each claim decided on a trained model, the chapter's own measurement
and rule (``replicate.papers.skip.measure``, the notebook's defaults) run on a null model (untrained weights,
shuffled labels or random attributions) and must not pass; and a test set of a few sessions is never replicated."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from replicate.papers.skip import baseline, challenge, sessions, sources, train
from replicate.papers.skip import measure as ex
from replicate.papers.skip import toys as synthetic

FIXTURE = Path(__file__).parent / "fixtures" / "spotify"
T = ex.Thresholds()
STEPS = 600  # the smoke profile's budget: enough for the trained toy models to pass (the notebook's smoke run)


def _fails(rows, ids=None):
    got = ex.verdicts([r for r in rows if ids is None or r["id"] in ids])
    assert got, "no row measured"
    passed = {k: v for k, v in got.items() if v == "replicated"}
    assert not passed, f"a null model passes: {passed}"
    return got


def _random_attribution(attribution, seed=0):
    return np.random.default_rng(seed).dirichlet(np.ones(attribution.shape[-1]), size=attribution.shape[:-1])


# --- toys --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixture():
    toy = synthetic.toy("mixture")
    kw = dict(steps=STEPS, n_test=1000, progress=False)
    return {
        "em": train.fit_toy(toy, eval_every=25, **kw),
        "sequential": train.fit_toy(toy, eval_every=25, algorithm="sequential", **kw),
        "ungated": train.fit_toy(toy, gating="none", **kw),
        "untrained": train.fit_toy(toy, steps=0, n_test=1000, progress=False),
        "shuffled": train.fit_toy(toy, eval_every=25, shuffle_labels=True, **kw),
        "shuffled_sequential": train.fit_toy(toy, eval_every=25, algorithm="sequential", shuffle_labels=True, **kw),
        "shuffled_ungated": train.fit_toy(toy, gating="none", shuffle_labels=True, **kw),
    }


def test_trained_toy_passes_the_rules_the_nulls_fail(mixture):
    trained = ex.verdicts(
        ex.toy_rows([mixture["em"]])
        + ex.fast_rows(mixture["em"], mixture["sequential"])
        + ex.card_rows(mixture["em"], mixture["ungated"])
    )
    assert trained["toy_mixture_recovery"] == "replicated"
    assert trained["fast_em_speedup"] == "replicated" and trained["card_vs_ungated"] == "replicated"
    assert trained["card_excess"] == "replicated"


def test_untrained_toy_fails_accuracy_and_recovery(mixture):
    for name in ("four clusters", "XOR", "4-D"):
        _fails(ex.toy_rows([train.fit_toy(synthetic.toy(name), steps=0, n_test=1000, progress=False)]))
    _fails(ex.toy_rows([mixture["untrained"]]))


def test_random_attributions_fail_toy_recovery(mixture):
    em = mixture["em"]
    shuffled = train.ToyResult(**{**vars(em), "attribution": _random_attribution(em.attribution)})
    got = _fails(ex.toy_rows([shuffled]), ids={"toy_mixture_recovery"})
    assert got["toy_mixture_recovery"] == "not replicated"


def test_shuffled_labels_fail_fast_em(mixture):
    got = _fails(ex.fast_rows(mixture["shuffled"], mixture["shuffled_sequential"]), ids={"fast_em_speedup"})
    assert got["fast_em_speedup"] == "not replicated"  # neither reaches the target: no speed-up to measure


def test_card_rules_fail_on_untrained_and_on_shuffled_labels(mixture):
    got = _fails(ex.card_rows(mixture["untrained"], mixture["ungated"]), ids={"card_excess"})
    assert got["card_excess"] == "not replicated"
    _fails(ex.card_rows(mixture["shuffled"], mixture["shuffled_ungated"]))
    random = train.ToyResult(**{**vars(mixture["em"]), "attribution": _random_attribution(mixture["em"].attribution)})
    _fails(ex.card_rows(random, mixture["ungated"]), ids={"card_excess"})


# --- skip prediction ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated():
    parts = sources.synthetic_sessions(500, seed=0)
    settings = train.ModelSettings(d_model=16, d_expert=4, heads=2, expert_heads=1, layers=1)
    config = train.Config(epochs=3, batch_size=64, lr=3e-3, progress=False)
    return {
        "trained_plain": train.compare("synthetic sessions", parts, settings, config, untrained=("interpretable",)),
        "untrained": train.compare("synthetic sessions", parts, settings, config, untrained=train.KINDS),
    }


def test_untrained_interpretable_fails_the_gap_and_the_session_rules(generated):
    c = generated["trained_plain"]
    assert c.scores["plain"]["Acc"] > c.scores["interpretable"]["Acc"] + 0.05  # the null is worse than the model
    got = _fails(ex.gap_rows(c, "synthetic"), ids={"synthetic_gap_acc", "synthetic_gap_maa"})
    assert set(got.values()) == {"not replicated"}
    _fails(ex.sessions_rows(c))
    _fails(ex.ablation_rows(c, c), ids={"ablation_position_expert_recovery"})


def test_untrained_models_do_not_beat_the_baseline(generated):
    _fails(ex.gap_rows(generated["untrained"], "synthetic"), ids={"synthetic_beats_baseline"})


def test_random_attributions_fail_session_recovery(generated):
    c = generated["trained_plain"]
    pred = c.predictions["interpretable"]
    noisy = train.Predictions(pred.prob, pred.F, _random_attribution(pred.attribution))
    null = SimpleNamespace(**{**vars(c), "predictions": {**c.predictions, "interpretable": noisy}})
    _fails(ex.sessions_rows(null), ids={"sessions_recovery", "sessions_recovery_min_position"})


# --- enough data -------------------------------------------------------------------------------------------------


def _fake(test, predictions):
    return SimpleNamespace(test=test, predictions=predictions)


def test_a_few_spotify_sessions_are_inconclusive_even_when_perfect():
    logs, tracks = challenge.load(FIXTURE)
    test = challenge.encode(logs, tracks)  # the fixture's three sessions, all as the test set
    perfect = (test.y > 0.5) & test.right_mask
    c = _fake(test, {"baseline": baseline.last_skip(test), "plain": perfect, "interpretable": perfect})
    rows = ex.slide14_rows(c, "spotify", "Spotify challenge logs")
    got = ex.verdicts(rows)
    assert "replicated" not in got.values()
    for r in rows:
        if r["id"].startswith("slide14_") and r["interval"] is not None and r["id"] != "slide14_spread":
            assert r["interval"][1] - r["interval"][0] > 2 * T.slide14, r
    # a single session says nothing: its interval is the metric's whole range
    assert ex.metric_interval(perfect[:1], test.take([0]), "Acc")[1:] == (0.0, 100.0)


def test_enough_sessions_decide():
    test = sessions.generate(2000, seed=1).encode()
    rng = np.random.default_rng(0)
    truth = test.y > 0.5
    valid = np.flatnonzero(test.right_mask)
    wrong = rng.choice(valid, size=round(len(valid) * (1 - ex.PAPER_SPOTIFY["plain"]["Acc"] / 100)), replace=False)
    flip = np.zeros(truth.size, bool)
    flip[wrong] = True
    pred = (truth ^ flip.reshape(truth.shape)) & test.right_mask
    acc, low, high = ex.metric_interval(pred, test, "Acc")
    assert high - low < 2 * T.slide14
    c = _fake(test, {"baseline": baseline.last_skip(test), "plain": pred, "interpretable": pred})
    got = ex.verdicts(ex.slide14_rows(c, "spotify", "Spotify challenge logs"))
    assert got["slide14_transformer_acc"] == "replicated", (acc, low, high)


def test_paired_difference_of_a_model_with_itself_is_zero_and_not_significant(generated):
    c = generated["trained_plain"]
    est, low, high = ex.paired_interval(c.predictions["plain"], c.predictions["plain"], c.test, "Acc")
    assert est == low == high == 0.0
    rows = ex.gap_rows(
        SimpleNamespace(**{**vars(c), "predictions": {**c.predictions, "baseline": c.predictions["plain"].binary}}), "x"
    )
    assert ex.verdicts(rows)["x_beats_baseline"] != "replicated"

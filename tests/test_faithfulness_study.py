"""The faithfulness chapter's study on a planted linear recommender (EASE's form, s = x B): every explainer runs,
the exact decomposition is the model's own explanation, and the claims' readings come out as they must."""

import numpy as np
import scipy.sparse as sp

from replicate.faithfulness import figures, metrics, models, study
from replicate.faithfulness.claims import CLAIMS, MODELS, OWN

SETTINGS = dict(k=3, steps=8, baselines=2, samples=40)


def _planted(n_users=30, n_items=12, seed=0):
    rng = np.random.default_rng(seed)
    train = (rng.random((80, n_items)) < 0.3).astype(np.float32)
    B = models.EASE(l2=5.0).fit(sp.csr_matrix(train)).weights_
    rec = models.Recommender("planted EASE", "ease", models.Linear(B), own="x·B (own)")
    history = (rng.random((n_users, n_items)) < 0.4).astype(np.float32)
    history[:, 0] = 1.0  # nobody has an empty history
    return rec, history, train, rng


def test_study_runs_every_explainer_and_reads_the_claims():
    rec, history, train, rng = _planted()
    s = study.run(rec, history, SETTINGS, train, train.sum(axis=0), rng)
    names = study.explainer_names(s)
    assert names[0] == "x·B (own)" and "random" in names
    assert not set(study.NULLS) & set(names) and set(study.NULLS) <= set(s.readings)
    frame = study.table(s)
    assert list(frame.index) == names and {"DEL gain over random", "no order (users)"} <= set(frame.columns)
    means = study.means(s)  # the table's numbers without intervals, for the spread over seeds
    assert list(means.index) == names and means.loc["LIME", "DEL"] == np.mean(s.readings["LIME"]["DEL"])
    gain = np.mean(s.readings["LIME"]["DEL"] - s.readings["random"]["DEL"])
    assert np.isclose(means.loc["LIME", "DEL gain over random"], gain)
    # LIME with its least-squares surrogate gives an order for every user (captum's Lasso gave none at small scales)
    assert not s.degenerate["LIME"].any()
    own = study.own_vs_best(s, rec.own, SETTINGS["k"])
    # on a linear model the exact split is what IG (zero), InputXGradient, FeatureAblation, KernelSHAP and LIME give:
    # they are the own explanation under another name and are left out of "best generic"
    assert {"IG (zero)", "InputXGradient", "FeatureAblation"} <= set(own["identical"])
    assert "IG (zero)" not in own["note"].split(";")[0]
    reading = study.beats_random(s)
    assert set(study.record_args(reading)) == {"ours", "interval", "null", "null_interval", "note"}
    gains = {
        n: metrics.paired(s.readings[n]["DEL"], s.readings["random"]["DEL"], "DEL") for n in study.model_explainers(s)
    }
    assert reading["interval"][0] == min(g[1] for g in gains.values())  # the lowest interval end, not point estimate
    popularity = metrics.paired(s.readings["popularity"]["DEL"], s.readings["random"]["DEL"], "DEL")
    assert reading["null"] == popularity[0]  # the null: popularity, which ignores the model
    sanity = study.randomisation(s, rec, 1, SETTINGS, train, train.sum(axis=0))
    assert sanity["null"] == 1.0 and sanity["ours"] < 1.0
    assert "Saliency" not in sanity["per_explainer"] and "LIME" in sanity["per_explainer"]
    tau = study.retraining(s, sp.csr_matrix(train), 5.0, SETTINGS["k"], rec)
    assert -1.0 <= tau["ours"] <= 1.0 and tau["interval"][0] <= tau["interval"][1]
    assert any("x·B (own)" in label and "IG (zero)" in label for label in tau["merged"])  # identical ones merged
    assert 0.0 <= tau["rank_moved"] <= 1.0 and tau["shift"] >= 0.0
    figures.plot_deletion(s)


def test_own_vs_best_not_applicable_when_every_generic_is_the_own():
    rec, history, train, rng = _planted(n_users=10)
    s = study.run(rec, history, SETTINGS, train, train.sum(axis=0), rng)
    for name in [n for n in s.relevance if n in study.explainers.GENERIC]:
        s.relevance[name] = 2.0 * s.relevance[rec.own]  # the own explanation, rescaled: the same order
    reading = study.own_vs_best(s, rec.own, SETTINGS["k"])
    assert set(study.record_args(reading)) == {"missing"}


def test_claims_cover_every_model():
    for key in MODELS:
        assert {f"beats_random_{key}", f"ig_real_beats_zero_{key}", f"randomisation_{key}"} <= set(CLAIMS)
    assert {f"own_vs_best_{key}" for key in OWN} <= set(CLAIMS)
    assert all(c.kind == "book" and c.null for c in CLAIMS.values())


def test_reconet_retraining_is_the_order_without_it_when_training_learns_nothing():
    """With zero epochs every "retrained" RecoNet is the same initialisation as the base one: retraining moves nothing,
    so the orders agree exactly (tau one, shift zero), and each user loses her top ``retrain_ke`` items."""
    rng = np.random.default_rng(0)
    n_items = 15
    train = sp.csr_matrix((rng.random((40, n_items)) < 0.3).astype(np.float32))
    rec = models.Recommender("RecoNet", "reconet", models.fit_reconet(train, n_items, 0, 0, 8, 0, "cpu"), "LRP (own)")
    history = (rng.random((10, n_items)) < 0.5).astype(np.float32)
    history[:, :5] = 1.0  # everyone has at least min_items history items
    s = study.run(rec, history, SETTINGS, train.toarray(), np.asarray(train.sum(axis=0)).ravel(), rng)

    class Split:
        n_items = 15

    Split.train = train
    settings = dict(k=3, min_items=5, retrain_users=6, reconet_users=None, dim=8, reconet_epochs=0)
    assert study.retrain_ke(settings) == 3 and study.retrain_ke(dict(settings, min_items=3)) == 1
    reading = study.reconet_retraining(s, Split, settings, rec)
    assert reading["users"] == 6 and reading["ke"] == 3
    assert reading["shift"] == 0.0 and reading["ours"] == 1.0
    assert set(study.record_args(reading)) == {"ours", "interval", "null", "null_interval", "note"}
    moved = study.reconet_retraining(s, Split, dict(settings, reconet_epochs=1), rec)
    assert moved["shift"] > 0.0  # a model that learns from the deleted histories scores them otherwise

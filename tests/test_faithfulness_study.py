"""The faithfulness chapter's study on a planted linear recommender (EASE's form, s = x B): every explainer runs,
the exact decomposition is the model's own explanation, and the claims' readings come out as they must."""

import numpy as np
import scipy.sparse as sp

from replicate.faithfulness import figures, models, study
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
    assert names[0] == "x·B (own)" and "random" in names and study.SECOND_RANDOM not in names
    frame = study.table(s)
    assert list(frame.index) == names and "DEL gain over random" in frame.columns
    own = study.own_vs_best(s, rec.own)
    assert own["ours"] >= -1e-9  # the exact split: nothing generic removes a larger share of the score
    assert own["null"] < own["ours"]  # the random order in its place
    reading = study.beats_random(s)
    assert set(study.record_args(reading)) == {"ours", "interval", "null", "null_interval", "note"}
    sanity = study.randomisation(s, rec, seed=1, steps=8)
    assert sanity["null"] == 1.0 and sanity["ours"] < 1.0
    tau = study.retraining(s, sp.csr_matrix(train), 5.0, SETTINGS["k"])
    assert -1.0 <= tau["ours"] <= 1.0 and tau["interval"][0] <= tau["interval"][1]
    figures.plot_deletion(s)


def test_claims_cover_every_model():
    for key in MODELS:
        assert {f"beats_random_{key}", f"ig_real_beats_zero_{key}", f"randomisation_{key}"} <= set(CLAIMS)
    assert {f"own_vs_best_{key}" for key in OWN} <= set(CLAIMS)
    assert all(c.kind == "book" and c.null for c in CLAIMS.values())

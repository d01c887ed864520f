"""Every verdict can fail: each model-based claim of the EMDE chapter, measured and decided exactly as in the chapter
(the same functions of :mod:`replicate.papers.emde.measure`, the same rule objects of :mod:`.rules`), does *not*
pass on a null model that breaks the property it is about: random attributions, attributions that echo the
explained film's credits, one reason shared by all users, a model that ignores a modality, an untrained network.

A small EMDE on ML-100K with the named cast of the Wikidata film table keeps this fast.
"""

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from replicate import data, metrics, splits
from replicate.baselines import Popularity
from replicate.papers.emde import measure, rules
from replicate.papers.emde import explain as emde_ig
from replicate.papers.emde import inputs as emde_inputs
from replicate.papers.emde import modalities as emde_modalities
from replicate.papers.emde import train as emde


def verdict(rule, ours, interval=None, paper=None):
    return rule.verdict(paper, ours, interval)


@pytest.fixture(scope="module")
def run():
    ds = data.load("ml-100k")
    split = splits.strong_generalization(ds, n_heldout=120, seed=0)
    people = emde_modalities.cast_people(ds, "films")
    modalities = emde_modalities.build_modalities(ds, people=people)
    config = emde.Config(hidden=128, epochs=2, seed=0)
    ratings = ds.ratings[ds.ratings["user"].isin(split.train_users)]
    emde.fit_codes(modalities, emde_inputs.interaction_graph(ratings, ds.n_items, ds.n_users), config)
    train_inputs = emde_inputs.user_inputs(ds, split.train_users, split.train, split.items)
    model = emde.train(modalities, train_inputs.liked, train_inputs.disliked, split.items, config, progress=False).model
    _, inputs, heldout = emde_inputs.split_inputs(ds, split, "test")
    scores = model.scores(inputs)
    top_items = split.items[np.argmax(scores, axis=1)]
    attribution = emde_ig.explain(model, inputs, top_items, steps=8)
    names = [m.name for m in modalities]
    return dict(ds=ds, split=split, model=model, inputs=inputs, heldout=heldout, scores=scores, top=top_items,
                attribution=attribution, names=names, cast=names.index("cast"), config=config)  # fmt: skip


def tops_of(run, attribution):
    model, inputs = run["model"], run["inputs"]
    movie = {n: emde_ig.movie_scores(attribution, model, inputs, k) for k, n in enumerate(run["names"])}
    return movie, {n: emde_ig.top_movie(a) for n, a in movie.items()}


def test_agreement_excess_fails_on_random_attributions(run):
    _, tops = tops_of(run, measure.random_attribution(run["attribution"], seed=1))
    n_liked = (run["inputs"].liked > 0).sum(axis=1).A.ravel()
    agree = measure.agreement_excess(tops, n_liked, n_liked >= 2)
    assert abs(agree["cast"]["excess"]) < 0.05  # random picks agree at chance
    assert verdict(rules.STRUCTURAL_AGREEMENT, agree["cast"]["excess"], agree["cast"]["interval"]) != "replicated"
    assert verdict(rules.AGREEMENT, agree["cast"]["excess"], agree["cast"]["interval"], paper=0.10) != "replicated"


def test_own_cast_claims_fail_on_their_nulls(run):
    model, inputs, k = run["model"], run["inputs"], run["cast"]
    random = measure.own_cast(measure.random_attribution(run["attribution"], seed=1), model, inputs, k)
    assert verdict(rules.OWN_CAST_STRONG, random["excess"], random["interval"]) != "replicated"
    echo = measure.own_cast(measure.echo_attribution(run["attribution"], model, k, seed=1), model, inputs, k)
    assert echo["n"] > 0 and echo["in_film"] > 0.9
    assert verdict(rules.NOT_OWN_CAST, echo["not_in_film"], echo["not_interval"]) != "replicated"


def test_same_epoch_fails_on_random_attributions(run):
    null = measure.random_attribution(run["attribution"], seed=1)
    years = run["ds"].items["year"].to_numpy()
    epoch = measure.same_epoch(null, run["model"], run["inputs"], run["cast"], years)
    assert epoch["n"] > 0
    assert verdict(rules.SAME_EPOCH, epoch["excess"], epoch["interval"]) != "replicated"


def _most_common_movie(run):
    items, counts = np.unique(run["top"], return_counts=True)
    item = int(items[np.argmax(counts)])
    return item, np.flatnonzero(run["top"] == item)


def test_named_rank_rules_fail_on_their_nulls(run):
    model, inputs, k = run["model"], run["inputs"], run["cast"]
    item, users = _most_common_movie(run)
    m = model.modalities[k]
    present = measure.present_units(model, inputs, k)[users]
    labels = {v: name for name, v in m.unit_of.items()}
    # STRONG on random scores: the person present for most of the movie's users is no longer in the top k
    common = int(np.argmax(present.sum(axis=0)))
    null = measure.random_attribution(run["attribution"], seed=1)
    result = measure.person_rank(null, model, inputs, k, users, labels[common])
    assert result["n_people"] > 5 * rules.TOP_K
    assert verdict(rules.STRONG, result["rank"], result["interval"]) != "replicated"
    # NOT_STRONG on the credits echo: the film's best-known present person ranks among the strongest
    cast = np.flatnonzero(measure.film_units(model, k, [item])[0] & present.any(axis=0))
    assert len(cast)
    fame = np.asarray(m.movie_units.sum(axis=0)).ravel()
    star = int(cast[np.argmax(fame[cast])])
    echo = measure.echo_attribution(run["attribution"], model, k, seed=1)
    result = measure.person_rank(echo, model, inputs, k, users, labels[star])
    assert result["rank"] <= rules.TOP_K
    assert verdict(rules.NOT_STRONG, result["rank"], result["interval"]) != "replicated"


def test_different_reasons_fails_on_one_shared_reason(run):
    model, inputs, k = run["model"], run["inputs"], run["cast"]
    _, users = _most_common_movie(run)
    sub = emde_inputs.select(inputs, users)
    focus = emde_ig.explain(model, sub, run["top"][users], steps=8)
    null = measure.shared_attribution(focus)
    reasons = measure.distinct_reasons(null, model, sub, k)
    assert verdict(rules.DIFFERENT_REASONS, reasons["distinct"] - reasons["shared"]) != "replicated"


def test_influence_ratios_fail_on_a_model_that_ignores_the_modality(run):
    for name in ("cast", "disliked", "genres", "title"):
        null = measure.silent_attribution(run["attribution"], run["names"].index(name))
        movie, _ = tops_of(run, null)
        ratio = measure.influence_ratio(movie, name)
        assert verdict(rules.HIGH_INFLUENCE, ratio["ratio"], ratio["interval"]) != "replicated"
        if name == "cast":
            assert verdict(rules.CAST_RATIO, ratio["ratio"], ratio["interval"], rules.PAPER_CAST_RATIO) != "replicated"


def test_removal_and_completeness_fail_on_random_attributions(run):
    model, inputs = run["model"], run["inputs"]
    null = measure.random_attribution(run["attribution"], seed=1)
    _, tops = tops_of(run, null)
    n_liked = (inputs.liked > 0).sum(axis=1).A.ravel()
    users = np.flatnonzero((n_liked >= 2) & (tops["liked"] >= 0))
    sub = emde_inputs.select(inputs, users)
    rng = np.random.default_rng(0)
    rows = measure.sparse_rows(sub.liked)
    pick = np.array([rng.choice(np.setdiff1d(r, [tops["liked"][u]])) for r, u in zip(rows, users)])
    drop_top = emde_ig.removal_effect(model, sub, run["top"][users], tops["liked"][users])
    drop_random = emde_ig.removal_effect(model, sub, run["top"][users], pick)
    p = mannwhitneyu(drop_top, drop_random, alternative="greater").pvalue
    assert verdict(rules.REMOVAL, float(p)) != "replicated"
    gap = np.abs(null.cells.reshape(len(null.f), -1).sum(axis=1) - (null.f - null.f_baseline))
    assert verdict(rules.COMPLETENESS, float(np.median(gap / np.abs(null.f - null.f_baseline)))) != "replicated"


def test_beats_popularity_fails_on_an_untrained_network(run):
    split, inputs, config = run["split"], run["inputs"], run["config"]
    untrained = emde.train(run["model"].modalities, split.train[:0], split.train[:0], split.items,
                           emde.Config(**{**config.__dict__, "epochs": 0}), progress=False).model  # fmt: skip
    fold_in = emde_inputs.fold_in_catalogue(inputs, split.items)
    pop = emde_inputs.mask_seen(Popularity().fit(split.train).fold_in(fold_in), inputs, split.items)
    ndcg = {
        "untrained": np.nanmean(metrics.ndcg_at_k(untrained.scores(inputs), run["heldout"], 100)),
        "popularity": np.nanmean(metrics.ndcg_at_k(pop, run["heldout"], 100)),
    }
    assert verdict(rules.BEATS, ndcg["untrained"] - ndcg["popularity"]) != "replicated"


def test_one_user_reading_fails_on_random_attributions_and_passes_on_the_credits_echo(run):
    """``why_named_one_user``: a person is top k in more users' own explanations than chance. Random attributions
    must fail it; the credits echo (the film's people made strongest) must pass it for the film's best-known person."""
    model, inputs, k = run["model"], run["inputs"], run["cast"]
    item, users = _most_common_movie(run)
    m = model.modalities[k]
    labels = {v: name for name, v in m.unit_of.items()}
    present = measure.present_units(model, inputs, k)[users]
    cast = np.flatnonzero(measure.film_units(model, k, [item])[0] & present.any(axis=0))
    fame = np.asarray(m.movie_units.sum(axis=0)).ravel()
    star = labels[int(cast[np.argmax(fame[cast])])]
    null = measure.random_attribution(run["attribution"], seed=1)
    values = measure.per_user_strength(null, model, inputs, k, users, star, rules.TOP_K)
    interval = measure._interval(values, np.mean, seed=0)
    assert verdict(rules.OWN_CAST_STRONG, float(values.mean()), interval) != "replicated"
    echo = measure.echo_attribution(run["attribution"], model, k, seed=1)
    values = measure.per_user_strength(echo, model, inputs, k, users, star, rules.TOP_K)
    interval = measure._interval(values, np.mean, seed=0)
    assert verdict(rules.OWN_CAST_STRONG, float(values.mean()), interval) == "replicated"

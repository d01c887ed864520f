# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   replicate:
#     title: "How faithful is each explanation?"
#     datasets: [ml-100k]
#     figures: [deletion_reconet, deletion_reconet_layer, deletion_multvae, deletion_ease, deletion_emde]
#     claims: replicate.faithfulness.claims
#     dataset_choices: [ml-100k, ml-1m]
# ---

# %% [markdown]
# # How faithful is each explanation?
#
# Each paper chapter explains its own model its own way and checks the explanation, if at all, on its own terms. This
# chapter puts explanations of the book's recommenders side by side under the counterfactual protocol the
# recommender literature has settled on (Barkan et al., WWW 2024, "LXR", and its successors): for a user's top
# recommendation, remove the history items an explanation ranks highest, without retraining, and follow how the
# recommended item's score and rank move; keep only those items, likewise. An explanation is faithful when the items
# it names are the ones the recommendation rests on. Two sanity checks say what the protocol is worth: the
# model-randomisation check of Adebayo et al. (NeurIPS 2018), and, for EASE, whose retraining is a closed form, the
# same protocol with the model retrained without the removed items (as ACCENT, Tran et al. 2021, does).
#
# **Models** (trained here with the paper packages' own training code, on one strong-generalisation split): RecoNet
# and RecoNet + Layer (the RecoNet chapter; item features only, so that the unit is a history item), Mult-VAE (the
# C-VAE chapter's unconditioned model), EASE, and EMDE (the EMDE chapter's network on the liked-movies modality
# alone: its input is the sketch of the history, which is linear in the history's movies, so a history movie is the
# unit here too). **Explainers**: each model's own (LRP for RecoNet; for the linear EASE the exact split of the score,
# `x_i B_it`; for EMDE the EMDE chapter's decoded IG: Integrated Gradients on the sketch's cells, a movie's attribution
# the mean of its buckets' cells), and for every model the same generic ones from captum: Integrated Gradients from an
# empty history and from real users' histories, InputXGradient, Saliency, LIME, KernelSHAP and FeatureAblation
# (leave-one-out); the popularity of the history items; and a random order, the floor. A last section measures the
# interpretable skip transformer, whose unit of explanation is a feature group.
#
# The paper chapters: [EMDE](emde.ipynb), [C-VAE](cvae.ipynb) (Mult-VAE), [RecoNet](reconet.ipynb) and
# [skip prediction](skip.ipynb). **Our choice: every model is trained in this run**, not loaded from its chapter's
# run. The models explained here take the item history as their only input (the unit every explainer ranks), while
# the chapters' models also read attributes, cast, crew or conditions, so their weights do not fit; and training all
# five here costs {glue:text}`train_seconds` of this run (printed below), against making this chapter wait for four
# others in the sweep.
#
# **Redesigned after an adversarial review.** The claims' rules and nulls below were fixed before this run, but
# several were redesigned after a review of an earlier version found them vacuous or broken: ties in a removal order
# were broken by the item index (which follows popularity on MovieLens), so an explainer with tied relevances posed
# as a popularity order; captum's default LIME surrogate (a Lasso) zeroed every coefficient at this score scale; a
# missing relevance could let an item outside the history into the order; "beats random" read one explainer and had
# a null that could not pass; "own vs best" compared the own explanation with itself on EASE and RecoNet; the
# randomisation check dropped constant explainers and never measured its null; the retraining check could not fail;
# the gates' null could not pass. What changed is said where each claim is read.

# %% tags=["parameters"]
profile = "smoke"  # "smoke": small models, few users (CI); "paper": the full run
dataset = "ml-100k"  # ml-100k (default) or ml-1m
data_dir = None
seed = 0
device = "auto"

# %%
import pandas as pd

from replicate import data, splits
from replicate.core.chapter import Chapter
from replicate.faithfulness import claims as faith_claims
from replicate.faithfulness import figures as faith_figures
from replicate.faithfulness import groups, models, study

# %%
ch = Chapter("faithfulness", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
SETTINGS = study.PROFILES[profile]
print(f"dataset={dataset}, settings={SETTINGS}")

# %% [markdown]
# ## Data and models
#
# Users are split as in the other chapters' strong generalisation: held-out validation and test users whose liked
# movies (rating ≥ 4) are split 80 / 20 into a history (the fold-in) and movies to predict. The explained users are
# test users with at least {glue:text}`min_items` history items, drawn at random. EASE's L2 weight is fixed in the
# settings (Steck's grid for MovieLens spans a few hundred). The smoke profile trains RecoNet on the first
# {glue:text}`reconet_users` training users only (its budget), the paper profile on all of them. The recommendation
# quality below is the check that each explained model is a real recommender (popularity beside them).

# %%
ds = data.load(dataset, data_dir=data_dir)
split = splits.strong_generalization(ds, n_heldout=SETTINGS["heldout"], seed=seed)
pool = split.train.toarray()
popularity = pool.sum(axis=0)
recs, train_seconds = study.train_models(ds, split, SETTINGS, seed, device)
ch.glue("train_seconds", f"{sum(train_seconds.values()):.0f} s")
print("training seconds: " + ", ".join(f"{key} {seconds:.1f}" for key, seconds in train_seconds.items()))
ch.glue("min_items", SETTINGS["min_items"])
ch.glue("reconet_users", SETTINGS["reconet_users"] or len(split.train_users))
study.quality({rec.name: rec for rec in recs.values()}, split, device).style.format("{:.3f}")

# %% [markdown]
# ## The protocol
#
# For each explained user, the target is her top recommendation (her history excluded). Every explainer gives one
# relevance per history item for that target; its removal order is the history by relevance, highest first. For
# `Ke` from one to {glue:text}`k` the chapter records the target's score and rank after removing the top `Ke` items
# (deletion) and with only them kept (insertion). A short history loses, or keeps, all of its items. The readings
# are areas, the mean over `Ke`: **DEL**, the drop of the target's score (higher is more faithful); **INS**, the
# target's score with only the top `Ke` kept minus its full-history score (higher is more faithful); **POS@Kr**, the
# share of steps at which the target has left the top `Kr` of the items outside her history; **CDCG**, the rank
# discount `1 / log2(1 + rank)` of the target after deletion (lower is more faithful). Every explainer sees the same
# users and targets, so comparisons are paired over users, with bootstrap intervals (two-sided, 95 %).
#
# **Where this differs from LXR.** LXR's areas run over the *fraction* of the history removed, in equal steps that
# include nothing removed and everything removed; here they run over the absolute explanation length `Ke`, from one
# to {glue:text}`k`, the same for every user. LXR's DEL and INS follow the model's confidence in the target (a
# softmax probability); here DEL is the raw drop of the target's score (for Mult-VAE the order of the explainers is
# the same under logits, log-softmax and softmax). LXR's POS@k is the share of steps at which the target is *still*
# in the top k (lower is more faithful); here POS@Kr is the share at which it has *left* the top `Kr` (higher is more
# faithful): the label's direction is the opposite of LXR's tables. Candidates are the items outside the original
# history, as in LXR.
#
# **Removal orders.** Ties in an explainer's relevances are broken at random with the run's generator, never by item
# index. An explainer whose relevance is constant over a user's history gives no order for her (a random order stands
# in): the tables flag the share of such users (`no order`) and of users whose top-`Ke` cut is a tie. A missing (NaN)
# relevance counts as the lowest within the history, so no item outside the history enters an order.
#
# Integrated Gradients runs {glue:text}`steps` steps; with real users' histories as baselines it averages
# {glue:text}`baselines` baselines, each a training user drawn at random (SPINRec). LIME and KernelSHAP perturb the
# history items only, {glue:text}`samples` samples per user; LIME's surrogate is an unpenalised weighted linear
# regression (captum's default Lasso zeroes every coefficient when the score moves as little as it does here, and
# then gives no order at all). Saliency is captum's, the absolute gradient: it ranks items by how sensitive the score
# is to them, not by the direction of their effect; on a 0/1 history it is the absolute value of InputXGradient.

# %%
rows = study.explained_users(split.test_in, SETTINGS["users"], SETTINGS["min_items"], rng)
history = split.test_in[rows].toarray()
studies = {key: study.run(rec, history, SETTINGS, pool, popularity, rng, device) for key, rec in recs.items()}
for name in ("k", "steps", "baselines", "samples"):
    ch.glue(name, SETTINGS[name])
ch.glue("n_users", len(rows))

# %% [markdown]
# ## One table per model
#
# Explainers as rows; each reading with its interval over the {glue:text}`n_users` explained users; `DEL gain over
# random` is the paired gain over the random order, whose readings are the mean over {glue:text}`random_draws`
# random orders of each user's history (the figure shows the first). A star marks the best of a column only where
# its paired interval against every other row lies above zero. Where the book ran several seeds, each table is
# followed by the spread of its numbers over them (mean ± standard deviation of the per-seed means). The claims below
# the tables read, for each model:
#
# - whether every explainer that reads the model beats the random order: every paired interval above zero (the
#   claim records the one with the lowest interval end). The null is the popularity order, which ignores the model:
#   where it beats the floor too, beating the floor says nothing about the model and the claim is uninformative;
# - whether IG from real users' histories beats IG from an empty history; the null runs IG from baselines with the
#   real users' item counts but items drawn at random. On an additive model (EASE) IG from an empty history is the
#   exact split of the score, so no baseline can do better there: the answer is fixed by the algebra, not measured;
# - for models with an explanation of their own, whether it is at least as faithful as the best generic one
#   (relative DEL, at most {glue:text}`own_tolerance` below it). A generic explainer that gives the own explanation's
#   top-`Ke` order for nearly every user ({glue:text}`identical_share` or more) is the own explanation under another
#   name (on EASE, IG from zero, InputXGradient, FeatureAblation and KernelSHAP are all the exact split; on the
#   linear RecoNet, LRP is IG from zero): it is left out of "best generic", and the note names it. The null puts the
#   next-best generic explainer in the own's place. Where no generic explainer is left, the claim does not apply.

# %% [markdown]
# (faithfulness-reconet)=
# ### RecoNet

# %%
ch.glue("own_tolerance", f"{-faith_claims.OWN_TOLERANCE:.0%}")
ch.glue("identical_share", f"{faith_claims.IDENTICAL_SHARE:.0%}")
ch.glue("random_draws", study.RANDOM_DRAWS)
key = "reconet"
display(study.table(studies[key], seed=seed))
ch.readings(f"table_{key}", study.means(studies[key]))
ch.figure(faith_figures.plot_deletion(studies[key]), f"deletion_{key}")

# %% [markdown]
# (faithfulness-reconet-layer)=
# ### RecoNet + Layer

# %%
key = "reconet_layer"
display(study.table(studies[key], seed=seed))
ch.readings(f"table_{key}", study.means(studies[key]))
ch.figure(faith_figures.plot_deletion(studies[key]), f"deletion_{key}")

# %% [markdown]
# (faithfulness-multvae)=
# ### Mult-VAE

# %%
key = "multvae"
display(study.table(studies[key], seed=seed))
ch.readings(f"table_{key}", study.means(studies[key]))
ch.figure(faith_figures.plot_deletion(studies[key]), f"deletion_{key}")

# %% [markdown]
# (faithfulness-ease)=
# ### EASE

# %%
key = "ease"
display(study.table(studies[key], seed=seed))
ch.readings(f"table_{key}", study.means(studies[key]))
ch.figure(faith_figures.plot_deletion(studies[key]), f"deletion_{key}")

# %% [markdown]
# (faithfulness-emde)=
# ### EMDE

# %%
key = "emde"
display(study.table(studies[key], seed=seed))
ch.readings(f"table_{key}", study.means(studies[key]))
ch.figure(faith_figures.plot_deletion(studies[key]), f"deletion_{key}")

# %%
for key, model_study in studies.items():
    ch.record(f"beats_random_{key}", **study.record_args(study.beats_random(model_study, seed=seed)))
    ch.record(f"ig_real_beats_zero_{key}", **study.record_args(study.ig_real_vs_zero(model_study, seed=seed)))
for key in faith_claims.OWN:
    ch.record(
        f"own_vs_best_{key}",
        **study.record_args(study.own_vs_best(studies[key], recs[key].own, SETTINGS["k"], seed=seed)),
    )
ch.table([c.id for c in ch.claims])

# %% [markdown]
# ## Sanity: explanations of a randomised model
#
# Each model's weights are re-drawn, all at once, after training (RecoNet and Mult-VAE: the untrained initialisation
# of the chapter's seed + {glue:text}`null_offset`; EASE, whose weights are a closed form and no initialisation: its
# off-diagonal weights permuted at random). The same users and targets are explained on it by every explainer,
# through the same function: the model's own, every generic one and popularity (Saliency aside: the check compares
# absolute relevances, and on a 0/1 history Saliency is the absolute InputXGradient, so its reading would repeat
# InputXGradient's). Each is compared with the trained model's explanation by Spearman's rank correlation of the
# absolute relevances over each user's history items. An explainer constant for a user on the trained model has no
# order to lose and counts as unchanged (one), not as missing. The claim reads the least sensitive explainer among
# those that read the model (the highest mean correlation); the null is popularity, re-explained on the randomised
# model like the others. The bound is loose: an even blend of the popularity rank and a model-reading rank can meet
# it.

# %%
ch.glue("null_offset", models.NULL_OFFSET)
with ch.controls():  # the randomised models exist only for this check
    sanity = {key: study.randomisation(studies[key], recs[key], seed + models.NULL_OFFSET, SETTINGS, pool, popularity, device) for key in recs}  # fmt: skip
display(pd.DataFrame({recs[key].name: s["per_explainer"] for key, s in sanity.items()}).style.format("{:.2f}"))
for key, reading in sanity.items():
    ch.record(f"randomisation_{key}", **study.record_args(reading))

# %% [markdown]
# ## Is removal without retraining fair?
#
# The protocol asks how the trained model reacts to a shorter history, not how a model trained without those items
# would recommend. For EASE both can be computed exactly: with the explained user among the training users, EASE
# refit on the training users and her (perturbed) history is a rank-one update of its inverse Gram matrix. Without
# retraining, the perturbed history is scored by EASE fit with her full history; with retraining, by EASE refit on
# the perturbed one. The explainers (their explanations from the fold-in EASE above) are ordered by DEL in both
# settings, and the orders compared by Kendall's tau with a bootstrap interval over users. Explainers whose readings
# are identical are merged first (here: {glue:text}`retrain_merged`), so that their arbitrary order among themselves
# does not count. The null orders the same explanations by their DEL on EASE with its off-diagonal weights permuted
# (the randomised EASE above), a model that shares nothing with the trained one; the bound sits above the tau that
# null reached in the review. How much retraining moves anything here: the deleted target's score by
# {glue:text}`retrain_shift` of the mean drop, its rank in {glue:text}`retrain_moved` of the (user, `Ke`) cells. Where
# retraining barely moves the scores the two orders agree by construction and the claim, whatever its verdict, says
# only that the cheap protocol is harmless at this scale.

# %%
with ch.controls():
    retrained = study.retraining(studies["ease"], split.train, SETTINGS["l2"], SETTINGS["k"], recs["ease"], seed=seed)
ch.record("retraining_order_ease", **study.record_args(retrained))
ch.glue("retrain_merged", "; ".join(retrained["merged"]) or "none")
ch.glue("retrain_shift", f"{retrained['shift']:.1%}")
ch.glue("retrain_moved", f"{retrained['rank_moved']:.0%}")

# %% [markdown]
# RecoNet has no closed form, so its check costs one retraining per explainer and runs on a subsample: the first
# {glue:text}`retrain_users` explained users join the training users, with their full histories for the base model.
# For each explainer, RecoNet is retrained (same seed and settings) with each of their histories less its top
# {glue:text}`retrain_ke` items by that explainer (every explained user keeps at least two). Per user, the reading is
# the drop of the target's score from her full history to the deleted one: scored by the base model (without
# retraining) and by the model retrained without those items (with retraining). The orders of the explainers by their
# mean drop are compared as for EASE; the null is the same explanations' drop on the randomised RecoNet above.
# With this few users the interval is wide, and a wide one reads inconclusive.

# %%
with ch.controls():
    reconet_retrained = study.reconet_retraining(studies["reconet"], split, SETTINGS, recs["reconet"], seed, device)
ch.record("retraining_order_reconet", **study.record_args(reconet_retrained))
ch.glue("retrain_users", reconet_retrained["users"])
ch.glue("retrain_ke", reconet_retrained["ke"])
ch.glue("reconet_retrain_shift", f"{reconet_retrained['shift']:.0%}")
ch.glue("reconet_retrain_verdict", ch.recorded("retraining_order_reconet").verdict)
ch.table(["retraining_order_ease", "retraining_order_reconet"] + [f"randomisation_{key}" for key in recs])

# %% [markdown]
# Retraining moves RecoNet's deleted target score by {glue:text}`reconet_retrain_shift` of the drop itself (EASE's
# exact refit: {glue:text}`retrain_shift`), and the check is {glue:text}`reconet_retrain_verdict` in this run. A
# likely cause of a large shift, not tested here: any change of the training rows sends a network's stochastic
# training down another path, so what a retrained RecoNet says about the removed items is mixed with that.

# %% [markdown]
# (faithfulness-skip)=
# ## The skip transformer: masking a feature group
#
# The interpretable skip transformer of the [skip prediction chapter](skip.ipynb) explains each prediction by its
# gates: an attribution over candidate subsets of feature groups, read as an attribution to each group (the session
# position, shared by every subset, is no candidate). Its unit is a feature group, not a history item, so its protocol
# is its own: per session, the group an explainer ranks first is masked (its columns set to zero in both halves of the
# session, no retraining), and the chapter records the mean change of the predicted skip probabilities over the
# second-half tracks (`Δprob`) and the session's accuracy lost (`Δacc`). Beside the gates: Saliency per group (the
# summed absolute gradient over the group's columns), FeatureAblation per group (the group whose masking moves the
# probabilities most: the counterfactual itself, a ceiling), and a random group, the floor. The claim's null is the
# best constant group (the one group whose masking moves the probabilities most on these sessions, masked in every
# session): where it beats the random group as well, the gates' per-session picks add nothing one group does not.
# The claim's note says how varied the gates' picks are (the most frequent group's share, and the entropy of the
# picks in bits). The model is trained here
# on {glue:text}`skip_sessions` generated sessions ({glue:text}`skip_epochs` epochs, the skip chapter's smoke sizes)
# and explained on {glue:text}`skip_test` more. Skipped in this run: {glue:text}`skip_skipped` (its training alone
# costs more than the smoke profile's budget).

# %%
for name in ("skip_sessions", "skip_epochs", "skip_test"):
    ch.glue(name, SETTINGS[name])
ch.glue("skip_skipped", "no" if SETTINGS["skip"] else f"yes, the {profile} profile does not run it")
if SETTINGS["skip"]:
    skip_model, skip_test = groups.train_skip(SETTINGS["skip_sessions"], SETTINGS["skip_test"], SETTINGS["skip_epochs"], study.SKIP_MODEL, seed, device)  # fmt: skip
    skip_study = groups.run(skip_model, skip_test, rng, device)
    display(groups.table(skip_study, seed=seed))
    ch.record("skip_gates_beat_random", **study.record_args(groups.gates_beat_random(skip_study, seed=seed)))
else:
    ch.record("skip_gates_beat_random", missing=f"the skip transformer is not trained in the {profile} profile")
ch.table(["skip_gates_beat_random"])

# %% [markdown]
# ## What the run says
#
# The weakest explainer against the random order, per model: {glue:text}`weakest`. The explainer least changed by
# re-drawing the weights, per model: {glue:text}`least_changed`. Generic explainers left out of "best generic" as the
# own explanation under another name: {glue:text}`identical`. The smoke profile trains small models for a few
# epochs on a few dozen users: its verdicts say nothing about the paper profile.

# %%
ch.glue("weakest", "; ".join(f"{recs[k].name}: {study.beats_random(s, seed=seed)['weakest']}" for k, s in studies.items()))  # fmt: skip
ch.glue("least_changed", "; ".join(f"{recs[k].name}: {s['least_changed']}" for k, s in sanity.items()))  # fmt: skip
ch.glue("identical", "; ".join(f"{recs[k].name}: {', '.join(study.own_vs_best(studies[k], recs[k].own, SETTINGS['k'], seed=seed).get('identical', [])) or 'none'}" for k in faith_claims.OWN))  # fmt: skip
ch.finish()

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
#     title: "Interpretable attribution: skip prediction"
#     datasets: [ml-1m]
#     dataset_choices: [synthetic-sessions, ml-1m, spotify]
#     figures: [toys, training, completeness, session, attribution_by_position, recovery_by_position]
#     claims: replicate.papers.skip.claims
# ---

# %% [markdown]
# # Interpretable attribution: skip prediction
#
# Afchar and Hennequin (RecSys 2020, *Making Neural Networks Interpretable with Attribution: Application to Implicit
# Signals Prediction*) make a network explain itself. The input is split into groups of features; a set S of
# candidate subsets of groups is fixed; each subset s gets an expert F_s that sees only the groups in s. The
# prediction is a mixture f = Σ α_s f_s / Σ α_s whose weights α_s = |F_s| · Π_{t ⊊ s} (1 − |F_t|) let a larger
# subset speak only where its smaller subsets are unsure, and the *attribution* of a prediction is the distribution
# of α over S: which groups of features the decision rests on. All experts live in one network whose weight
# matrices are masked, and the mixture is trained by a generalised EM. The paper (we have its slides; facts about
# the authors' TensorFlow code are in the book's notes) shows that this recovers the true subset on toy problems,
# and that a transformer made interpretable this way predicts skips in the Spotify Sequential Skip Prediction
# Challenge almost as well as the plain transformer (slide 14, reproduced below) while saying, track
# by track, whether the user's interactions or the music explain a skip.

# %% [markdown]
# **What this chapter substitutes.** Spotify's session logs are not available here and nothing below is Spotify's
# data. The embedded run uses two stand-ins:
#
# - *generated sessions* in the challenge's exact schema (log columns and track features), whose skips come from planted
#   mechanisms, so that the right attribution is known;
# - *ML-1M rating sessions*, a real-data analog in which a rating below 4 stars plays the skip.
#
# A reader with the challenge files runs the comparison on them with `dataset="spotify"` (files under
# `<data_dir>/spotify/`, see below); only then are the slide-14 numbers comparable.

# %% tags=["parameters"]
profile = "smoke"  # "smoke": small models, 2 epochs (CI); "paper": the sizes and budget described below
dataset = "synthetic-sessions"  # which sessions fill the slide-14 table: "synthetic-sessions" (generated), "ml-1m"
# (rating sessions), or "spotify" (the challenge's log_*.csv and tf_*.csv under data_dir/spotify/)
data_dir = None
seed = 0
device = "auto"

# %%
import pandas as pd

from replicate.core.chapter import Chapter
from replicate.papers.skip import attribution as attr
from replicate.papers.skip import figures, measure, sources, train
from replicate.papers.skip import toys as synthetic
from replicate.papers.skip.claims import GAP, GAP_REASON, NULL_SEED, PAPER_SPOTIFY, STAGE_TOL, SUFFIX
from replicate.papers.skip.tensors import pick_session

ch = Chapter("skip", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
sources.check(dataset, data_dir)
SETTINGS = {
    "smoke": dict(
        toy_steps=600,
        toy_test=1000,
        ablation_steps=600,
        sessions=800,
        test_sessions=1000,  # enough test sessions for the positive controls to be seen (80 of the 800 are not)
        ml_train=640,
        ml_eval=1000,
        spotify_rows=20_000,
        epochs=2,
        model=train.ModelSettings(d_model=32, d_expert=8, heads=2, expert_heads=1, layers=1),
    ),
    "paper": dict(
        toy_steps=15_000,
        toy_test=4096,
        ablation_steps=3000,
        sessions=12_000,
        test_sessions=None,  # the 10 % of the 12,000
        ml_train=12_000,
        ml_eval=2_000,
        spotify_rows=400_000,
        epochs=8,
        model=train.ModelSettings(d_model=64, d_expert=12, heads=4, expert_heads=2, layers=2),
    ),
}[profile]
config = train.Config(epochs=SETTINGS["epochs"], batch_size=256, lr=3e-3, seed=seed, device=device)
print(f"dataset={dataset}, settings={SETTINGS}")

# %% [markdown]
# ## The model
#
# {cite:t}`afchar2020` partition the input into feature groups $X_1, \dots, X_N$ and fix a set $\mathcal S$ of
# $H = \lvert \mathcal S \rvert$ candidate subsets of groups. Each subset $s$ has an expert $F_s$ that sees only
# $x_{|s}$, the groups in $s$, and outputs a number in $[-1, 1]$ (a tanh head). Its prediction of the binary target, and
# its *selection* (how sure it is), are
#
# $$
# f_s(x) = \tfrac{1}{2}\big(F_s(x_{|s}) + 1\big), \qquad g_s(x) = \big\lvert F_s(x_{|s}) \big\rvert .
# $$ (skip-expert)

# %% [markdown]
# The gate of a subset is its selection, damped by the selections of its children, the candidate subsets strictly inside
# it (the slides write $t \subseteq s$; the product leaves $s$ itself out):
#
# $$
# \alpha_s(x) = g_s(x) \prod_{t \in \operatorname{child}(s)} \big(1 - g_t(x)\big), \qquad
# \operatorname{child}(s) = \{\, t \in \mathcal S : t \subsetneq s \,\}.
# $$ (skip-gate)

# %% [markdown]
# The prediction mixes the experts by their gates, and the *attribution* of the prediction is the gates' distribution
# over $\mathcal S$ {cite:p}`afchar2020`:
#
# $$
# f(x) = \frac{\sum_{s \in \mathcal S} \alpha_s(x)\, f_s(x)}{\sum_{s \in \mathcal S} \alpha_s(x)}, \qquad
# a_s(x) = \frac{\alpha_s(x)}{\sum_{t \in \mathcal S} \alpha_t(x)}.
# $$ (skip-moe)
#
# A parent subset weighs only where its children are unsure, so the smallest sufficient subset wins (the slides call it
# boosting). Where every expert abstains ($\sum_s \alpha_s = 0$), $f = 1/2$ and $a$ is uniform.

# %% [markdown]
# **One network.** Every weight matrix is a block matrix whose block $(s, t)$ is kept when $t \subseteq s$ and zeroed
# otherwise, so the units of expert $s$ depend only on $x_{|s}$. A parent reads its children's units without gradient:
# the backward pass does not flow through them into the children.

# %% [markdown]
# **Training** is the generalised EM, in the variant of the authors' general library. The E-step fixes the
# responsibilities (no gradient); the M-step takes one optimiser step on the mean over points of
#
# $$
# \mathcal L = \sum_{s \in \mathcal S} r_s \, \mathrm{BCE}\big(y, f_s(x)\big), \qquad
# r_s = \frac{\prod_{t \in \operatorname{child}(s)} \big(1 - F_t^2\big)}
# {\sum_{u \in \mathcal S} \prod_{t \in \operatorname{child}(u)} \big(1 - F_t^2\big)}.
# $$ (skip-em)
#
# The responsibilities use $F_t^2$ (the authors' code) where the gate {eq}`skip-gate` uses $\lvert F_t \rvert$ (the
# paper); the authors' toy notebook multiplies $r_s$ by $F_s^2$ too.

# %% [markdown]
# **Attribution to a group.** A subset's share is split equally among its groups. Position, which every subset of the
# skip model holds (the shared groups $P$), cannot distinguish the experts, so it is credited only with the share of the
# subset made of position alone (our choice):
#
# $$
# A_i(x) = \sum_{s \in \mathcal S} a_s(x)\, \frac{[\, i \in s' \,]}{\lvert s' \rvert}, \qquad
# s' = \begin{cases} s \setminus P & \text{if } s \not\subseteq P, \\ s & \text{otherwise.} \end{cases}
# $$ (skip-groups)
#
# The group shares $A_i$ add up to one over the groups.

# %% [markdown]
# ## Claims, nulls and controls
#
# Every claim, with its rule, the bound's reason and its **null**, is declared before the run in
# `replicate/papers/skip/claims.py`. The run measures ours and the null with the same function
# (`replicate/papers/skip/measure.py`) and the same rule. Nulls are what a skeptic puts in the model's place:
#
# - the same network untrained (another seed), for the toys and for slide 4;
# - joint training without EM, for slide 13;
# - random attributions, for recovery;
# - the training sessions' majority label, for accuracies.

# %% [markdown]
# The claims of absence or equivalence ("costs at most 2 points", "moves accuracy by at most 1 point", "ends at most 1
# point below", "no larger than the generating subsets") have a **positive control** instead: the same measurement on a
# planted effect of twice the claim's bound (right predictions turned wrong at random, or excess planted in the
# generating subsets). The rule must reject it; where it does not, the claim is *uninformative (could not have seen a
# difference)*.

# %% [markdown]
# Intervals are 95 % intervals:
#
# - Wilson over test points, for the toys;
# - a bootstrap over test *sessions*, for skip prediction (paired over the same sessions when two models are compared).
#   When the test sessions are very few, the interval is widened to the worst case, so that a handful of sessions can
#   only be *inconclusive*.

# %% [markdown]
# ## Toy problems
#
# The authors' toy notebook trains three experts, {x1}, {x2} and {x1, x2}, on four problems:
#
# - *four clusters*, whose label depends on x1 alone in two clusters and on x2 alone in the other two;
# - *XOR*, which needs both;
# - their *mixture*;
# - a *4-D* problem with the four clusters in (x1, x2) and XOR in (x3, x4) (experts {x1}, {x2}, {x3, x4}).

# %% [markdown]
# | | |
# |---|---|
# | experts | two hidden layers of 8 or 16 units each, tanh head |
# | experts' links | ours also pass their hidden units to their parents, as in the authors' general library, which their toy notebook leaves out |
# | data | every training step draws 256 fresh points; we score fresh test points |
# | optimiser | Adam, learning rate 10⁻³ |
# | `paper` profile | the notebook's 15,000 steps ({glue:text}`toy_epochs` epochs of {glue:text}`toy_epoch_steps`) |

# %% [markdown]
# The **recovery rate** is the share of test points whose dominant subset (largest α in {eq}`skip-moe`) is the subset
# that generated their label. The paper shows attribution maps and no recovery number; the accuracy the authors'
# notebook prints at its last epoch is the paper's column of the claims table below. These rows are the book's checks
# that our network is the paper's (`kind="book"`); the slides' statements about the method follow in the next two
# sections.

# %%
toy_results = [
    train.fit_toy(
        synthetic.toy(name), steps=SETTINGS["toy_steps"], seed=seed, n_test=SETTINGS["toy_test"], device=device
    )
    for name in synthetic.TOYS
]
ch.glue("toy_epochs", synthetic.NOTEBOOK_EPOCHS)
ch.glue("toy_epoch_steps", synthetic.NOTEBOOK_EPOCH_STEPS)
toy_table = pd.DataFrame(
    {r.toy.name: {"accuracy": r.accuracy, "recovery": attr.recovery_rate(r.attribution, r.source)} for r in toy_results}
).T
toy_table.style.format("{:.4f}")

# %% [markdown]
# One row per toy: the accuracy on fresh test points, and the share of them whose dominant subset is the one that
# generated their label.

# %%
ch.figure(figures.plot_toys(toy_results), "toys")

# %% [markdown]
# Per toy, the figure shows the labels, the prediction, the attribution over the input plane (colour: the subsets mixed
# by their share) and the dominant subset of the test points, crossed where it is not the generating subset; the 4-D
# problem shows its two planes.

# %%
with ch.controls():
    toy_nulls = [measure.untrained_toy(r, seed + NULL_SEED) for r in toy_results]
for id, r in measure.toy_records(toy_results, toy_nulls).items():
    ch.record(id, **r)
ch.table([c.id for c in ch.claims if c.id.startswith("toy_")])

# %% [markdown]
# Each toy's accuracy stands beside the notebook's (XOR, which the notebook does not train alone, beside a bound), and
# its recovery beside the book's bound; the `null` column gives the untrained network of another seed, decided by the
# same rule.

# %% [markdown]
# ## A fast algorithm: generalised EM against sequential residual training
#
# Slide 13 contrasts the generalised EM {eq}`skip-em` with the naive approach: "train sequentially with residuals", i.e.
# the smallest subsets first, then each larger subset on the residual its children leave (its loss weighted by Π_{t ⊊ s}
# (1 − F_t²), the children fixed). On the *mixture* toy, which needs both levels, both algorithms draw the same batches.

# %% [markdown]
# - **Stages.** The sequential training runs its first stage to convergence (it ends once the mean training loss over a
#   window of 25 steps falls by less than 1 % below its best), our reading of "sequentially": the slides give no stage
#   budget, and with a fixed one the ratio below is set by that budget, growing with it. Its last stage, and EM, get the
#   budget.
# - **Speed.** We count the training steps until the accuracy on held-out points first reaches the authors' notebook
#   accuracy less the tolerance of the toy rows above (steps, not seconds, decide; the wall-time ratio is in the note).
# - **Final accuracy.** Compared paired over the same test points (the sequential network scored on EM's).

# %% [markdown]
# The null of the speed-up is what a skeptic would say any training of all experts at once gets: the same network
# trained jointly on the binary cross-entropy of its own mixed prediction {eq}`skip-moe`, *without* EM's
# responsibilities, on the same batches, evaluation grid and target, in EM's place. Where it too is 1.5 times faster
# than the sequential training, the speed-up is that of training all experts at once, not of EM, and the claim is
# *uninformative (the null passes too)*.
#
# The control of the final accuracy is the sequential training against itself with 2 % of the test points turned wrong.

# %%
em_mix, sequential_mix, ungated_mix = (
    train.fit_toy(
        synthetic.toy("mixture"),
        steps=SETTINGS["ablation_steps"],
        seed=seed,
        n_test=SETTINGS["toy_test"],
        device=device,
        **kw,
    )
    for kw in (
        dict(eval_every=25),
        dict(eval_every=25, algorithm="sequential", stage_tol=STAGE_TOL),
        dict(gating="none"),
    )
)
with ch.controls():  # the null only needs its steps to the target: it stops there
    joint_mix = train.fit_toy(
        synthetic.toy("mixture"),
        steps=SETTINGS["ablation_steps"],
        seed=seed,
        n_test=SETTINGS["toy_test"],
        device=device,
        eval_every=25,
        algorithm="joint",
        stop_at=measure.fast_target("mixture"),
    )
for id, r in measure.fast_records(em_mix, sequential_mix, joint_mix, seed=seed).items():
    ch.record(id, **r)
ch.glue("fast_reading", measure.null_reading(next(c for c in ch.claims if c.id == "fast_em_speedup")))
ch.table(["fast_em_speedup", "fast_em_accuracy"])

# %% [markdown]
# `fast_em_speedup` is the sequential training's steps to the target over EM's, and `fast_em_accuracy` EM's final
# accuracy minus the sequential network's. In this run, {glue:text}`fast_reading`.

# %% [markdown]
# ## E[Card(S)] as small as possible
#
# Slide 4 asks of an attribution that it be complete (the restricted model still predicts) and that E[Card(S)] be as
# small as possible; the residual gating {eq}`skip-gate` is how the model gets there. On the same mixture toy, half of
# the labels need one coordinate and half need both, so the smallest sufficient subsets have a known mean size. We
# measure the mean size of the dominant subset of the EM model above against:
#
# - that of the generating subsets;
# - the *same network* mixed and trained without the residual product (α_s = g_s), paired over the same test points.

# %% [markdown]
# The slides name a direction for the gating (it makes E[Card(S)] small), no amount, so `card_vs_ungated` asks for a
# paired interval below zero (the amount is `card_excess`'s). Its null is the gated network of another seed *untrained*,
# against the same ungated network:
#
# - at initialisation the residual product can already hand the points to the smallest subsets (the row's note gives the
#   untrained network's E[Card]);
# - the ungated network gives them to the largest by construction (its parent sees both coordinates and is as sure as
#   any child).
#
# Where that null passes, a smaller dominant subset under the gating is a property of the architecture, not evidence of
# training, and `card_vs_ungated` is *uninformative (the null passes too)*.

# %%
with ch.controls():
    gated_null = measure.untrained_toy(em_mix, seed + NULL_SEED)
for id, r in measure.card_records(em_mix, ungated_mix, gated_null, seed=seed).items():
    ch.record(id, **r)
ch.glue("card_reading", measure.null_reading(next(c for c in ch.claims if c.id == "card_vs_ungated")))
ch.glue("card_null_accuracy", gated_null.accuracy, ".2f")
ch.table(["card_excess", "card_vs_ungated"])

# %% [markdown]
# In this run, {glue:text}`card_reading`. What training adds is measured by `card_excess` (the smallest *sufficient*
# subsets, which the untrained network, at {glue:text}`card_null_accuracy` accuracy, may not find).

# %% [markdown]
# ## Skip prediction: the task, the data, the models
#
# As in the challenge, a session has 10 to 20 tracks. Its first half (the first ⌊length / 2⌋ tracks) is given with its
# full logs, and the target `skip_2` is predicted for every track of the second half. Three metrics:
#
# - **Acc**, the accuracy over all second-half tracks;
# - **Acc@1**, the accuracy on the first of them;
# - **MAA**, the challenge's mean average accuracy: per session, (1/T) Σ_i A(i)·L(i), with A(i) the accuracy over
#   predictions 1..i and L(i) = 1 when prediction i is right; averaged over sessions.

# %% [markdown]
# The features form the paper's five groups; the second half has only position, general and content:
#
# - *position*: position and length;
# - *context*;
# - *interaction*: skips, seeks, reasons a track started and ended (first half only);
# - *general* track information;
# - *content*: musical features.

# %% [markdown]
# ### Generated sessions
#
# Spotify's schema, 21 log columns and 30 track-feature columns (checked against the authors' preprocessing and other
# public readers of the files), filled by a generator whose skips come from five planted mechanisms. Each has a
# signature visible only in its own groups (the design follows the toy problems):

# %% [markdown]
# | mechanism | what skips | groups |
# |---|---|---|
# | *persistence* | a first half that is one streak of skips or plays goes on for three more tracks | interaction |
# | *context* | shuffle sessions skip radio, charts and editorial playlists | context |
# | *context × interaction* | free-account sessions repeat the last skip, flipped in those contexts | both |
# | *popularity* | tracks of extreme popularity, the less popular skipped | general |
# | *musical* | tracks of extreme energy, the calmer skipped; also the later tracks of persistence sessions | content |
#
# 5 % of the second-half labels are flipped, so no model can exceed 95 % accuracy. The generator's docstring gives the
# details.

# %% [markdown]
# ### ML-1M rating sessions
#
# A user's ratings in time order, cut at gaps of more than an hour and then into sessions of 10 to 20 ratings; a rating
# below 4 is the skip. The groups:
#
# - context: the time (hour, weekday, time since the previous rating, days since the first);
# - interaction: the given ratings and the user's dislike rate before the session;
# - general information: the year and popularity;
# - content: the genres.
#
# Sessions are split by user (80/10/10). The `paper` profile trains on 12,000 of the training sessions (this seed's
# split holds {glue:text}`ml1m_available`) and scores 2,000 test sessions. This source has no known mechanism: it shows
# what the attribution says on real behaviour.

# %% [markdown]
# ### Spotify's files
#
# With `dataset="spotify"`, put the challenge's `training_set/log_*.csv` and `track_features/tf_*.csv` under
# `<data_dir>/spotify/`. The `paper` profile reads the first 400,000 log rows, split at random 80/10/10 (the table below
# then gives their sessions), and only the features of the tracks they play.

# %% [markdown]
# ### Models
#
# - The *baseline* repeats the last skip of the first half (the paper does not say what its baseline is).
# - The *transformer* is an encoder over the first half and a decoder over the second half with cross-attention; the
#   decoder sees the position and track features of every second-half track, which the challenge gives.
# - The *interpretable transformer* is the same code with one 12-unit block per subset: the authors' eight subsets
#   (every one includes position: context, interaction, general, content, context + interaction, general + content, all
#   but content, all) plus position alone, our addition so that "position" can be the answer.

# %% [markdown]
# Masks make each block of the interpretable transformer see only its subset's groups, children's blocks join their
# parents without gradient, and it is trained by the generalised EM {eq}`skip-em` (responsibilities Π_{t ⊊ s} (1 −
# F_t²), normalised and held fixed, as in the authors' library).

# %% [markdown]
# Our sizes beside the authors':
#
# | | the authors | ours (`paper` profile) |
# |---|---|---|
# | encoder + decoder blocks | 3 + 3 | 2 + 2, to stay within this book's CPU budget |
# | width | 64 | 64 |
# | heads | 8 | 4 |
# | optimiser | Adam, learning rate 10⁻³ | Adam, learning rate 3·10⁻³, to converge in fewer epochs on a CPU |
#
# Both transformers get the same data, epochs, batches and optimiser; the epoch with the best validation accuracy is
# kept.

# %%
ml_parts, ml_available = sources.ml1m(
    data_dir, seed=seed, n_train=SETTINGS["ml_train"], n_eval=SETTINGS["ml_eval"], with_available=True
)
ch.glue("ml1m_available", ml_available[0], ",")
runs = {
    "synthetic sessions": sources.synthetic_sessions(
        SETTINGS["sessions"], seed=seed, noise=0.05, n_test=SETTINGS["test_sessions"]
    ),
    "ML-1M rating sessions": ml_parts,
}
if dataset == "spotify":
    runs["Spotify challenge logs"] = sources.spotify(data_dir, seed=seed, max_rows=SETTINGS["spotify_rows"])
pd.DataFrame(
    {
        name: parts[0].summary() | {"valid / test sessions": f"{len(parts[1]):,} / {len(parts[2]):,}"}
        for name, parts in runs.items()
    }
)

# %% [markdown]
# Each column is one source: its sessions, second-half tracks, skip rate, mean session length and features per half, and
# the sizes of its validation and test splits.

# %%
comparisons = {name: train.compare(name, parts, SETTINGS["model"], config) for name, parts in runs.items()}
pd.DataFrame(
    {
        name: {
            "parameters (transformer)": c.models["plain"].n_parameters(),
            "parameters (interpretable)": c.models["interpretable"].n_parameters(),
            "sessions/s (transformer)": round(c.histories["plain"].throughput),
            "sessions/s (interpretable)": round(c.histories["interpretable"].throughput),
        }
        for name, c in comparisons.items()
    }
)

# %% [markdown]
# The table gives what the interpretable transformer's masked blocks cost beside the plain transformer's: parameters,
# and training throughput in sessions per second.

# %%
ch.figure(
    figures.plot_training(
        {n: {train.MODEL_NAMES[k]: h for k, h in c.histories.items()} for n, c in comparisons.items()}
    ),
    "training",
)

# %% [markdown]
# Per source, the training loss (the EM objective {eq}`skip-em` for the interpretable model, the binary cross-entropy
# for the plain one) and the validation accuracy per epoch.

# %% [markdown]
# ## Slide 14: completeness
#
# The paper's table (Spotify test set, mean ± std over runs) beside ours for every source we ran. The claims below put
# the paper's numbers beside those of the source named by `dataset` (here and in the scorecard), each with its interval
# over test sessions.

# %% [markdown]
# - They are about Spotify's data, so they are *not applicable* unless `dataset="spotify"`.
# - Then a value whose interval lies within 1 point of the paper's is replicated, a too-wide interval is inconclusive,
#   and a miss still counts as the direction holding when ours beats our baseline as the paper's beats its own (over
#   seeds: the mean of ours against the mean of our baselines).
# - Deezer's table (eight legible values, and the baseline's Acc, which the slides' text lost and the book's notes read
#   on the slide's image) needs Deezer's private logs: one row each, not applicable.

# %%
PAPER = pd.DataFrame(PAPER_SPOTIFY).T.rename(index=train.MODEL_NAMES)
ch.glue("gap_bound", GAP, "g")
ch.glue("gap_reason", GAP_REASON)
tables = {"Spotify (paper, slide 14)": PAPER} | {f"{n} (ours)": c.table() for n, c in comparisons.items()}
completeness = pd.concat(tables)
display(completeness.style.format("{:.1f}"))
ch.figure(figures.plot_completeness(completeness), "completeness")

# %% [markdown]
# The paper's Spotify rows come first, then ours for each source we ran, in the table and in the figure's panels; only
# the source named by `dataset` is decided against the paper, below.

# %% [markdown]
# **The ± of slide 14.** Read as the slide means it, "70.9 ± 0.2" is a mean and a standard deviation over the authors'
# training runs (± 0.2 on every Spotify value, ± 0.1 on every Deezer value). Our run is one seed: it trains each model
# once and has one accuracy, so it cannot measure a spread over runs.

# %% [markdown]
# - What one run does measure, the interval over test sessions, is another quantity (how the score moves with the test
#   set's sampling, not with the training seed), so it is not recorded as the spread: `slide14_spread` records no value
#   and is not applicable, its note giving this seed's interval for orientation.
# - Over seeds, the book's sweep gives `slide14_interpretable_acc` the standard deviation of its seeds' values, which
#   *is* the quantity of the slide (comparable with its ± only on Spotify's logs).
# - Deezer's ± (`deezer_spread`) needs Deezer's private logs: not applicable.

# %%
primary = {
    "synthetic-sessions": "synthetic sessions",
    "ml-1m": "ML-1M rating sessions",
    "spotify": "Spotify challenge logs",
}[dataset]
for id, r in measure.slide14_records(comparisons[primary], dataset, primary, seed=seed).items():
    ch.record(id, **r)
ch.table([c.id for c in ch.claims if c.id.startswith(("slide14_", "deezer_"))])

# %% [markdown]
# Every slide-14 and Deezer row, with the paper's value beside ours on the source named by `dataset`; the `verdict`
# column says which of them this source can decide.

# %% [markdown]
# What carries over to our data is the comparison, recorded per source:
#
# - *the interpretable transformer costs little*: plain minus interpretable is at most {glue:text}`gap_bound` points on
#   each metric, the whole paired interval over test sessions included: {glue:text}`gap_reason`;
# - *both transformers beat the baseline* on all three metrics: the smallest of the six paired differences, with an
#   interval above zero (a sign alone is "direction holds").

# %%
SOURCES = {"synthetic": "synthetic sessions", "ml1m": "ML-1M rating sessions"}
with ch.controls():
    gap_controls = {prefix: measure.gap_controls(comparisons[name], seed=seed) for prefix, name in SOURCES.items()}
for prefix, name in SOURCES.items():
    for id, r in measure.gap_records(comparisons[name], prefix, gap_controls[prefix], seed=seed).items():
        ch.record(id, **r)
ch.table([c.id for c in ch.claims if c.id.startswith(("synthetic_", "ml1m_"))])

# %% [markdown]
# Per source, the gaps between the two transformers and the smallest difference over the baseline, each with its
# positive control or null in the `null` column.
#
# How to read the gaps on our data:
#
# - The generated sessions have exactly the structure the interpretable model is built for (every label comes from one
#   group or a known pair), so there it may match or even beat the plain transformer within the same budget; that says
#   nothing about Spotify.
# - On ML-1M, dislikes are a weak and noisy signal, and the gap between the two transformers is the comparison that
#   carries over to real behaviour.

# %% [markdown]
# ### Why a gap can exceed the paper's
#
# Where plain minus interpretable exceeds the bound, the most plausible causes, ranked:
#
# 1. **the training budget**: the interpretable model, whose nine 12-unit experts each see part of the input and are
#    trained by EM, needs more epochs than the plain one to converge, and we stop both after the same epochs;
# 2. **capacity**: each expert is far narrower than the plain transformer (the authors' sizes are not in the slides);
# 3. **a weak signal**, on ML-1M: the signal that the interaction group carries is weak, so every restricted expert is
#    unsure and the mixture falls back on the largest subsets.

# %% [markdown]
# The first is tested on every run: the interpretable model is "still improving" when its best validation epoch is its
# last and its validation accuracy rose over the last epochs by more than the plain model's did.

# %%
for prefix, name in SOURCES.items():
    still, note = measure.still_improving(comparisons[name])
    ch.record(f"why_{prefix}_gap_budget", still, note=note)
    for suffix in SUFFIX.values() if still else ():  # the budget, tested, is the cause of a gap above the bound
        ch.miss_cause(f"{prefix}_gap_{suffix}", "budget")
    ch.glue(f"{prefix}_gap", next(c.ours for c in ch.claims if c.id == f"{prefix}_gap_acc"), ".1f")
    ch.glue(f"{prefix}_budget", "still improving" if still else "not still improving")
ch.table(["why_synthetic_gap_budget", "why_ml1m_gap_budget"])

# %% [markdown]
# On the ML-1M sessions the gap in accuracy is {glue:text}`ml1m_gap` points and that test says
# *{glue:text}`ml1m_budget`*; on the generated sessions, {glue:text}`synthetic_gap` points and
# *{glue:text}`synthetic_budget`*. Where the cause holds, the gap says more about our CPU budget than about the method;
# where it does not, the budget is ruled out and the next causes remain untested here.

# %% [markdown]
# ## One network, masked
#
# Slide 12 combines the experts "in a single neural network ... by masking the weight matrices", and slide 8 restricts
# the candidates to H = |S| patterns, fewer than the 2^N subsets of the N groups. Both are identities of our code,
# checked on the trained interpretable transformer of the generated sessions (`kind="fact"`):
#
# - the gradient of each expert's output on every group outside its subset must be exactly zero;
# - every group of a subset must be read by some expert (so that the measurement can see a read where there is one).

# %%
masked = comparisons["synthetic sessions"]
for id, r in measure.masking_records(masked.models["interpretable"], masked.test).items():
    ch.record(id, **r)
ch.table(["masks_isolate_experts", "subsets_fewer_than_groups"])

# %% [markdown]
# The notes give the largest gradient of an expert on a group outside its subset, and H beside 2^N for this model.

# %% [markdown]
# ## Interpretation: one session, track by track
#
# Slide 16 shows, for one session, the predicted skip of each second-half track and the attribution to the groups. A
# subset's share is split equally among its groups; position, which every subset holds, is credited only with the share
# of the position-alone expert ({eq}`skip-groups`; our choice: a group present everywhere cannot distinguish the
# experts).
#
# - On the left, a generated *persistence* session (the first test session in id order with a full second half of 10
#   tracks); its planted mechanism is written above each track.
# - On the right, the first ML-1M test session (in id order) with 10 tracks to predict.

# %%
syn, ml = comparisons["synthetic sessions"], comparisons["ML-1M rating sessions"]
i_syn, i_ml = pick_session(syn.test, "persistence"), pick_session(ml.test)
ch.figure(
    figures.plot_session(
        [
            figures.session_panel(syn, i_syn, f"generated session {syn.test.session_ids[i_syn][:10]}…"),
            figures.session_panel(ml, i_ml, f"ML-1M session {ml.test.session_ids[i_ml]} (user {ml.test.owners[i_ml]})"),
        ]
    ),
    "session",
)
ch.record("interpretation_slides")
ch.table(["interpretation_slides"])

# %% [markdown]
# Each panel shows the predicted skip probability beside the truth at each second-half position, and under it the
# attribution to each group {eq}`skip-groups`. The slides' own interpretation results (slides 15 and 16, "Predicted next
# skip interactions") are pictures of the authors' sessions with no number or sentence in the slides' text: their row is
# not applicable, and the planted mechanisms' recovery below is this book's test of the same reading.

# %% [markdown]
# ## Interpretation: attribution by position, over all test sessions
#
# The mean attribution to each group {eq}`skip-groups` at each position of the second half (the number of sessions that
# reach a position is written at the foot of its bar).

# %%
by_position = [figures.position_panel(name, c) for name, c in comparisons.items()]
ch.figure(figures.plot_attribution_by_position(by_position), "attribution_by_position")
pd.concat(
    {p["title"]: pd.DataFrame(p["shares"], columns=p["group_names"], index=range(1, 11)) for p in by_position},
    names=["source", "position"],
).style.format("{:.2f}")

# %% [markdown]
# The table gives the same means as the bars, one row per source and position.

# %% [markdown]
# ## Recovery of the planted mechanisms
#
# On the generated sessions the mechanism behind every label is known, and so is the expert that should answer it: the
# subset made of the mechanism's groups and position. The recovery rate is the share of second-half tracks whose
# dominant subset is that one. The bounds are those declared with the claims, with intervals over test sessions:
#
# - accuracy at least 0.9 below the noise's ceiling;
# - recovery at least 0.8 overall and 0.7 at every position.

# %%
pred, subsets = syn.predictions["interpretable"], syn.models["interpretable"].subsets
recovery, share = attr.recovery_by_position(pred.attribution, syn.test, subsets)
ch.figure(figures.plot_recovery_by_position(recovery, share), "recovery_by_position")
attr.confusion(pred.attribution, syn.test, subsets)

# %% [markdown]
# Left, the recovery rate at each position, per mechanism and over all ("all", in black); right, the share of the labels
# each mechanism generated at each position. The table under the figure crosses planted mechanisms (columns) with
# dominant subsets (rows).

# %%
with ch.controls():
    random_attribution = measure.random_attribution(pred.attribution, seed + NULL_SEED)
for id, r in measure.sessions_records(syn, random_attribution, seed=seed).items():
    ch.record(id, **r)
ch.table([c.id for c in ch.claims if c.id.startswith("sessions_")])

# %% [markdown]
# The rows decide accuracy and recovery against the bounds above; the `null` column gives the majority label for the
# accuracy and random attributions of the same tracks for recovery.

# %% [markdown]
# ## Ablation: the position-only expert
#
# The slides' eight subsets all hold position; we add position alone, so that "position" can be the answer. That choice
# could move the verdicts above, so the interpretable transformer is trained again on the same generated sessions
# without it (same seed, data and budget) and compared on the same test sessions: a book check that the choice moves
# accuracy by at most its declared bound, and that recovery still meets its bound without it.

# %%
ablated = train.compare(
    "synthetic sessions",
    runs["synthetic sessions"],
    SETTINGS["model"],
    config,
    subsets=train.SKIP_SUBSETS[1:],
    kinds=("interpretable",),
)
with ch.controls():
    ablated_pred = ablated.predictions["interpretable"]
    ablation_control = measure.ablation_control(syn, seed)
    ablation_null = measure.random_attribution(ablated_pred.attribution, seed + NULL_SEED)
for id, r in measure.ablation_records(syn, ablated, ablation_control, ablation_null, seed=seed).items():
    ch.record(id, **r)
ch.table([c.id for c in ch.claims if c.id.startswith("ablation_")])

# %% [markdown]
# The accuracy row gives the change without the position-only expert, with its positive control in the `null` column;
# the recovery row gives the ablated model's recovery, with random attributions as its null.

# %% [markdown]
# ## What differs, and why
#
# How faithful the gates are as an explanation, against generic explainers and a random group, with the same
# protocol as the book's other recommenders, is measured in the faithfulness chapter's
# {ref}`section on the skip transformer <faithfulness-skip>`.
#
# - **Data.** No Spotify (or Deezer) logs: slide 14's absolute numbers are compared only when a reader supplies the
#   challenge files, and Deezer's never. The generated sessions follow the challenge's schema but their skips come from
#   mechanisms we planted; the ML-1M sessions are ratings, not listening, and "dislike" is a much weaker signal than a
#   skip. Ratings entered in the same second keep ML-1M's order, not the order of watching.

# %% [markdown]
# - **Budget.** 2 + 2 blocks instead of 3 + 3, 8 epochs, 12,000 sessions, learning rate 3·10⁻³, 12 units per expert:
#   sized for two CPU cores. The `smoke` profile trains tiny models for two epochs; its verdicts say nothing about the
#   paper and exist so that the regeneration check covers every number.
# - **Spread over runs.** Every number here is one seed's; the book's sweep over seeds gives each row its mean, interval
#   and standard deviation, which is what slide 14's ± is to be compared with. No hyperparameter search: every seed
#   trains the settings above (the figures here are seed 0's).

# %% [markdown]
# **Choices where the paper is silent or ambiguous:**
#
# - the baseline (repeat the last skip);
# - the position-alone expert (ablated above);
# - the gate |F| for the prediction and the attribution (the paper) while the EM responsibilities use F² (the authors'
#   code);
# - responsibilities normalised per track;
# - the naive sequential training read as one stage per subset size with the children fixed;
# - the equal split of a subset's share among its groups with position credited only alone;
# - Acc pooled over tracks and MAA averaged over sessions (the challenge's definition; the authors' code pools MAA over
#   tracks);
# - on the toys, the authors' notebook mixes the experts with a sharper gate (2|F|⁴ / (1 + |F|³)); we keep the paper's
#   |F| everywhere.

# %% [markdown]
# **Nulls and controls.** Every claim above was decided twice by its declared rule: on ours and on its null (or, for a
# claim of absence or equivalence, its positive control), both shown in the claims tables. @@
# Two claims were redesigned after an adversarial review:
#
# - `card_vs_ungated` now asks for the paired interval below zero (the slides' direction; a former tolerance of 0.1
#   group answered a bug of the core, since fixed) and takes the untrained gated network of another seed as its null
#   (what it gives in this run is said in its section).
# - `fast_em_speedup` now lets the sequential training's first stage end at convergence (a fixed stage budget set the
#   ratio) and takes joint training without EM as its null (the old null, the sequential training of another seed, was 1
#   by construction); where that null passes too, the speed-up is that of joint training and the claim is uninformative.

# %% [markdown]
# `fast_em_accuracy` now scores the sequential network on EM's own test points (they were drawn after different step
# counts, so the pairing was not over the same points).

# %% [markdown]
# The positive controls plant twice each bound (4 points for the gaps, 2 for the position-only expert and for EM's final
# accuracy, 0.2 group for E[Card]): on few test sessions or points they can go undetected, and the claim is then
# *uninformative* whatever ours is.
#
# `beats_baseline`'s null, the majority label, is the strongest cheap predictor that knows nothing of the session: where
# it too beats the last-skip baseline, beating that baseline is not evidence that a transformer learned anything, and
# the row says so.

# %%
ch.finish()

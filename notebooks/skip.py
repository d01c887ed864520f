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
#     figures: [toys, training, completeness, session, attribution_by_position, recovery_by_position]
#     claims: [toy_four_clusters_accuracy, toy_four_clusters_recovery, toy_xor_accuracy, toy_xor_recovery,
#       toy_mixture_accuracy, toy_mixture_recovery, toy_4d_accuracy, toy_4d_recovery,
#       slide14_baseline_acc, slide14_baseline_acc1, slide14_baseline_maa, slide14_transformer_acc,
#       slide14_transformer_acc1, slide14_transformer_maa, slide14_interpretable_acc, slide14_interpretable_acc1,
#       slide14_interpretable_maa, synthetic_gap_acc, synthetic_gap_acc1, synthetic_gap_maa,
#       synthetic_beats_baseline, ml1m_gap_acc, ml1m_gap_acc1, ml1m_gap_maa, ml1m_beats_baseline,
#       sessions_accuracy, sessions_recovery, sessions_recovery_min_position]
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
# Challenge almost as well as the plain transformer (slide 14: 70.9 % against 72.2 % accuracy) while saying, track
# by track, whether the user's interactions or the music explain a skip.
#
# **What this chapter substitutes.** Spotify's session logs are not available here and nothing below is Spotify's
# data. The embedded run uses two stand-ins: *generated sessions* in the challenge's exact schema (log columns and
# track features) whose skips come from planted mechanisms, so that the right attribution is known; and *ML-1M
# rating sessions*, a real-data analog in which a rating below 4 stars plays the skip. A reader with the challenge
# files runs the comparison on them with `dataset="spotify"` (files under `<data_dir>/spotify/`, see below); only
# then are the slide-14 numbers comparable.

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
from replicate.core.claims import AtLeast, AtMost, Holds, NotApplicable, Within
from replicate.papers.skip import attribution as attr
from replicate.papers.skip import figures, sources, train
from replicate.papers.skip import toys as synthetic
from replicate.papers.skip.tensors import pick_session

ch = Chapter("skip", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
sources.check(dataset, data_dir)
SETTINGS = {
    "smoke": dict(
        toy_steps=600,
        toy_test=1000,
        sessions=800,
        ml_train=640,
        ml_eval=300,
        spotify_rows=20_000,
        epochs=2,
        model=train.ModelSettings(d_model=32, d_expert=8, heads=2, expert_heads=1, layers=1),
    ),
    "paper": dict(
        toy_steps=15_000,
        toy_test=4096,
        sessions=12_000,
        ml_train=12_000,
        ml_eval=2_000,
        spotify_rows=400_000,
        epochs=8,
        model=train.ModelSettings(d_model=64, d_expert=12, heads=4, expert_heads=2, layers=2),
    ),
}[profile]
config = train.TrainConfig(epochs=SETTINGS["epochs"], batch_size=256, lr=3e-3, seed=seed, device=device)
print(f"dataset={dataset}, settings={SETTINGS}")

# %% [markdown]
# ## Toy problems
#
# The authors' toy notebook trains three experts, {x1}, {x2} and {x1, x2} (two hidden layers of 8 or 16 units each,
# tanh head; ours also pass their hidden units to their parents, as in the authors' general library, which their toy
# notebook leaves out), on four problems: *four clusters* whose label depends on x1 alone in two clusters and on x2
# alone in the other two; *XOR*, which needs both; their *mixture*; and a *4-D* problem with the four clusters in
# (x1, x2) and XOR in (x3, x4) (experts {x1}, {x2}, {x3, x4}). Every training step draws 256 fresh points; Adam,
# learning rate 10⁻³; the `paper` profile takes the notebook's 15,000 steps (30 epochs of 500). We score fresh test
# points.
#
# The **recovery rate** is the share of test points whose dominant subset (largest α) is the subset that generated
# their label. The paper shows attribution maps and no recovery number; the notebook prints a training accuracy of
# 0.9975 (four clusters), 0.9952 (mixture) and 0.9987 (4-D) at its last epoch. Rules, fixed before running: test
# accuracy within 1 point of the notebook's value (XOR, not trained alone there: at least 0.98; its Bayes accuracy
# exceeds 0.999); recovery at least 0.9, since in the paper's maps only points near the class boundaries take a
# colour other than their cluster's.

# %%
toy_results = [
    train.fit_toy(synthetic.toy(name), steps=SETTINGS["toy_steps"], seed=seed, n_test=SETTINGS["toy_test"])
    for name in synthetic.TOYS
]
toy_table = pd.DataFrame(
    {r.toy.name: {"accuracy": r.accuracy, "recovery": attr.recovery_rate(r.attribution, r.source)} for r in toy_results}
).T
toy_table.style.format("{:.4f}")

# %%
ch.figure(figures.plot_toys(toy_results), "toys")

# %%
NOTEBOOK_ACCURACY = {"four clusters": 0.9975, "mixture": 0.9952, "4-D": 0.9987}
for key, name in (("four_clusters", "four clusters"), ("xor", "XOR"), ("mixture", "mixture"), ("4d", "4-D")):
    paper = NOTEBOOK_ACCURACY.get(name)
    ch.claim(
        f"toy_{key}_accuracy",
        f"Toy problem '{name}': test accuracy of the interpretable network",
        kind="book",
        paper=paper,
        ours=toy_table.loc[name, "accuracy"],
        rule=Within(abs=0.01) if paper else AtLeast(0.98),
        source=(
            "authors' toy notebook (training accuracy, epoch 30)" if paper else "this book (Bayes accuracy > 0.999)"
        ),
        note="ours on fresh test points",
        regen_abs=0.01,
    )
    ch.claim(
        f"toy_{key}_recovery",
        f"Toy problem '{name}': share of points whose dominant subset generated the label",
        kind="book",
        paper=None,
        ours=toy_table.loc[name, "recovery"],
        rule=AtLeast(0.9),
        source="paper, toy problems (attribution maps); threshold of this book",
        regen_abs=0.03,
    )
ch.table([c.id for c in ch.claims if c.id.startswith("toy_")])

# %% [markdown]
# ## Skip prediction: the task, the data, the models
#
# As in the challenge, a session has 10 to 20 tracks; its first half (the first ⌊length / 2⌋ tracks) is given with
# its full logs and the target `skip_2` is predicted for every track of the second half. **Acc** is the accuracy over
# all second-half tracks, **Acc@1** the accuracy on the first of them, **MAA** the challenge's mean average accuracy
# (per session, (1/T) Σ_i A(i)·L(i) with A(i) the accuracy over predictions 1..i and L(i) = 1 when prediction i is
# right; averaged over sessions). The features form the paper's five groups: *position* (position and length),
# *context*, *interaction* (skips, seeks, reasons a track started and ended: first half only), *general* track
# information and *content* (musical features). The second half has only position, general and content.
#
# **Generated sessions.** Spotify's schema, 21 log columns and 30 track-feature columns (checked against the
# authors' preprocessing and other public readers of the files), filled by a generator whose skips come from five
# planted mechanisms, each with a signature visible only in its own groups (the design follows the toy problems):
# *persistence* (a first half that is one streak of skips or plays goes on for three more tracks: interaction),
# *context* (shuffle sessions skip radio, charts and editorial playlists: context), *context × interaction*
# (free-account sessions repeat the last skip, flipped in those contexts: both groups), *popularity* (tracks of
# extreme popularity, the less popular skipped: general) and *musical* (tracks of extreme energy, the calmer
# skipped: content; also the later tracks of persistence sessions). 5 % of the second-half labels are flipped, so
# no model can exceed 95 % accuracy. The generator's docstring gives the details.
#
# **ML-1M rating sessions.** A user's ratings in time order, cut at gaps of more than an hour and then into sessions
# of 10 to 20 ratings; a rating below 4 is the skip. Context is the time (hour, weekday, time since the previous
# rating, days since the first), interaction the given ratings and the user's dislike rate before the session,
# general information the year and popularity, content the genres. Sessions are split by user (80/10/10); the
# `paper` profile trains on 12,000 of the about 51,000 training sessions and scores 2,000 test sessions. This
# source has no known mechanism: it shows what the attribution says on real behaviour.
#
# **Spotify's files** (`dataset="spotify"`): put the challenge's `training_set/log_*.csv` and
# `track_features/tf_*.csv` under `<data_dir>/spotify/`; the `paper` profile reads the first 400,000 log rows (about
# 27,000 sessions), split at random 80/10/10, and only the features of the tracks they play.
#
# **Models.** The *baseline* repeats the last skip of the first half (the paper does not say what its baseline is).
# The *transformer* is an encoder over the first half and a decoder over the second half with cross-attention (the
# authors use 3 + 3 blocks, width 64, 8 heads; we use 2 + 2, width 64, 4 heads in the `paper` profile, to stay within
# this book's CPU budget); the decoder sees the position and track features of every second-half track, which the
# challenge gives. The *interpretable transformer* is the same code with one 12-unit block per subset: the authors'
# eight subsets (every one includes position: context, interaction, general, content, context + interaction, general +
# content, all but content, all) plus position alone, our addition so that "position" can be the answer. Masks make
# each block see only its subset's groups, children's blocks join their parents without gradient, and it is trained by
# the generalised EM (responsibilities Π_{t ⊊ s} (1 − F_t²), normalised and held fixed, as in the authors' library).
# Both transformers get the same data, epochs, batches and optimiser (Adam, learning rate 3·10⁻³ instead of the
# authors' 10⁻³, to converge in fewer epochs on a CPU); the epoch with the best validation accuracy is kept.

# %%
runs = {
    "synthetic sessions": sources.synthetic_sessions(SETTINGS["sessions"], seed=seed),
    "ML-1M rating sessions": sources.ml1m(
        data_dir, seed=seed, n_train=SETTINGS["ml_train"], n_eval=SETTINGS["ml_eval"]
    ),
}
if dataset == "spotify":
    runs["Spotify challenge logs"] = sources.spotify(data_dir, seed=seed, max_rows=SETTINGS["spotify_rows"])
pd.DataFrame(
    {
        name: parts[0].summary() | {"valid / test sessions": f"{len(parts[1]):,} / {len(parts[2]):,}"}
        for name, parts in runs.items()
    }
)

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

# %%
ch.figure(
    figures.plot_training(
        {n: {train.MODEL_NAMES[k]: h for k, h in c.histories.items()} for n, c in comparisons.items()}
    ),
    "training",
)

# %% [markdown]
# ## Slide 14: completeness
#
# The paper's table (Spotify test set, mean ± std over runs) beside ours for every source we ran. The claims below
# put the paper's numbers beside those of the source named by `dataset` (here and in the scorecard). They are
# about Spotify's data, so they are *not applicable* unless `dataset="spotify"`; then a value within 1 point of the
# paper's is replicated, and a miss still counts as the direction holding when ours beats our baseline as the
# paper's beats its own. What carries over to our data is the comparison, recorded per source:
#
# - *the interpretable transformer costs little*: plain minus interpretable is at most 2 points on each metric
#   (the paper's gaps are 1.0 to 1.7 points on Spotify and Deezer; 2 is its largest plus its reported spread);
# - *both transformers beat the baseline* on all three metrics.
#
# How to read the gaps on our data. The generated sessions have exactly the structure the interpretable model is
# built for (every label comes from one group or a known pair), so there it may match or even beat the plain
# transformer within the same budget; that says nothing about Spotify. On ML-1M, dislikes are a weak and noisy
# signal, and the gap between the two transformers is the comparison that carries over to real behaviour.

# %%
PAPER = pd.DataFrame(
    {"Acc": [63.0, 72.2, 70.9], "Acc@1": [74.2, 80.0, 78.8], "MAA": [54.3, 62.8, 61.1]},
    index=list(train.MODEL_NAMES.values()),
)
tables = {"Spotify (paper, slide 14)": PAPER} | {f"{n} (ours)": c.table() for n, c in comparisons.items()}
completeness = pd.concat(tables)
display(completeness.style.format("{:.1f}"))
ch.figure(figures.plot_completeness(completeness), "completeness")

# %%
primary = {
    "synthetic-sessions": "synthetic sessions",
    "ml-1m": "ML-1M rating sessions",
    "spotify": "Spotify challenge logs",
}[dataset]
ours = comparisons[primary].table()
baseline_ours = ours.loc[train.MODEL_NAMES["baseline"]]
for key, model in (("baseline", "baseline"), ("transformer", "plain"), ("interpretable", "interpretable")):
    for metric, suffix in (("Acc", "acc"), ("Acc@1", "acc1"), ("MAA", "maa")):
        name = train.MODEL_NAMES[model]
        if dataset == "spotify":
            rule = (
                Within(abs=1.0)
                if model == "baseline"
                else Within(abs=1.0, baseline=(PAPER.loc[train.MODEL_NAMES["baseline"], metric], baseline_ours[metric]))
            )
        else:
            rule = NotApplicable(f"Spotify's logs are not available; ours is on {primary}")
        ch.claim(
            f"slide14_{key}_{suffix}",
            f"{name}: {metric} (%)",
            kind="paper",
            paper=PAPER.loc[name, metric],
            ours=ours.loc[name, metric],
            rule=rule,
            source="slide 14 (Spotify test results)",
            note=f"ours on {primary}",
            regen_abs=3.0,
        )

# %%
PAPER_GAP = {"Acc": 1.3, "Acc@1": 1.2, "MAA": 1.7}
for prefix, name in (("synthetic", "synthetic sessions"), ("ml1m", "ML-1M rating sessions")):
    c = comparisons[name]
    gap = c.gap()
    for metric, suffix in (("Acc", "acc"), ("Acc@1", "acc1"), ("MAA", "maa")):
        ch.claim(
            f"{prefix}_gap_{suffix}",
            f"{name}: transformer minus interpretable transformer, {metric} (points)",
            kind="paper",
            paper=PAPER_GAP[metric],
            ours=gap[metric],
            rule=AtMost(2.0),
            source="slide 14 (Spotify gap)",
            note=f"transformer {100 * c.scores['plain'][metric]:.1f}, interpretable "
            f"{100 * c.scores['interpretable'][metric]:.1f}",
            regen_abs=3.0,
        )
    ch.claim(
        f"{prefix}_beats_baseline",
        f"{name}: both transformers beat the baseline on Acc, Acc@1 and MAA",
        kind="paper",
        paper=True,
        ours=c.beats_baseline(),
        rule=Holds(),
        source="slide 14",
        note="baseline " + ", ".join(f"{m} {100 * v:.1f}" for m, v in c.scores["baseline"].items()),
    )
for name, c in comparisons.items():
    gap = c.gap()
    print(
        f"{name}: transformer minus interpretable = "
        + ", ".join(f"{m} {v:+.1f}" for m, v in gap.items())
        + " points; "
        + ("both beat" if c.beats_baseline() else "not both beat")
        + " the baseline on every metric"
    )
ch.table([c.id for c in ch.claims if c.id.startswith(("slide14_", "synthetic_", "ml1m_"))])

# %% [markdown]
# ## Interpretation: one session, track by track
#
# Slide 16 shows, for one session, the predicted skip of each second-half track and the attribution to the groups.
# A subset's share is split equally among its groups; position, which every subset holds, is credited only with the
# share of the position-alone expert (our choice: a group present everywhere cannot distinguish the experts). On the
# left, a generated *persistence* session (the first test session in id order with a full second half of 10
# tracks); its planted mechanism is written above each track. On the right, the first ML-1M test session (in id
# order) with 10 tracks to predict.

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

# %% [markdown]
# ## Interpretation: attribution by position, over all test sessions
#
# The mean attribution to each group at each position of the second half (the number of sessions that reach a
# position is written at the foot of its bar).

# %%
by_position = [figures.position_panel(name, c) for name, c in comparisons.items()]
ch.figure(figures.plot_attribution_by_position(by_position), "attribution_by_position")
pd.concat(
    {p["title"]: pd.DataFrame(p["shares"], columns=p["group_names"], index=range(1, 11)) for p in by_position},
    names=["source", "position"],
).style.format("{:.2f}")

# %% [markdown]
# ## Recovery of the planted mechanisms
#
# On the generated sessions the mechanism behind every label is known, and so is the expert that should answer it:
# the subset made of the mechanism's groups and position. The recovery rate is the share of second-half tracks
# whose dominant subset is that one. Rules fixed before running: the interpretable transformer's accuracy is at
# least 90 % (the noise caps it at 95 %); recovery is at least 0.8 overall (below the toys' 0.9: five mechanisms,
# learned through attention over sessions) and at least 0.7 at every position. The table under the figure crosses
# planted mechanisms with dominant subsets.

# %%
pred, subsets = syn.predictions["interpretable"], syn.models["interpretable"].subsets
recovery, share = attr.recovery_by_position(pred.attribution, syn.test, subsets)
ch.figure(figures.plot_recovery_by_position(recovery, share), "recovery_by_position")
attr.confusion(pred.attribution, syn.test, subsets)

# %%
truth, known = attr.planted_truth(syn.test, subsets)
overall = attr.recovery_rate(pred.attribution, truth, known)
accuracy = syn.scores["interpretable"]["Acc"]
ch.claim(
    "sessions_accuracy",
    "Generated sessions: interpretable transformer accuracy (ceiling 0.95)",
    kind="book",
    paper=None,
    ours=accuracy,
    rule=AtLeast(0.9),
    source="this book (planted mechanisms)",
    note=f"transformer {syn.scores['plain']['Acc']:.3f}",
    regen_abs=0.05,
)
ch.claim(
    "sessions_recovery",
    "Generated sessions: share of tracks whose dominant subset is the planted one",
    kind="book",
    paper=None,
    ours=overall,
    rule=AtLeast(0.8),
    source="slide 16 (attribution per track); threshold of this book",
    note=", ".join(f"{k} {v:.2f}" for k, v in recovery.drop(columns="all").mean().items()),
    regen_abs=0.1,
)
ch.claim(
    "sessions_recovery_min_position",
    "Generated sessions: lowest recovery over second-half positions",
    kind="book",
    paper=None,
    ours=float(recovery["all"].min()),
    rule=AtLeast(0.7),
    source="this book",
    note=f"at position {int(recovery['all'].idxmin())}",
    regen_abs=0.15,
)
ch.table([c.id for c in ch.claims if c.id.startswith("sessions_")])

# %% [markdown]
# ## Claims of this chapter
#
# What differs from the paper, and why:
#
# - **Data.** No Spotify (or Deezer) logs: slide 14's absolute numbers are compared only when a reader supplies the
#   challenge files. The generated sessions follow the challenge's schema but their skips come from mechanisms we
#   planted; the ML-1M sessions are ratings, not listening, and "dislike" is a much weaker signal than a skip.
#   Ratings entered in the same second keep ML-1M's order, not the order of watching.
# - **Choices where the paper is silent or ambiguous.** The baseline (repeat the last skip); the position-alone
#   expert; the gate |F| for the prediction and the attribution (the paper) while the EM responsibilities use F²
#   (the authors' code); responsibilities normalised per track; the equal split of a subset's share among its
#   groups with position credited only alone; Acc pooled over tracks and MAA averaged over sessions (the
#   challenge's definition; the authors' code pools MAA over tracks). On the toys, the authors' notebook mixes the
#   experts with a sharper gate (2|F|⁴ / (1 + |F|³)); we keep the paper's |F| everywhere.
# - **Budget.** 2 + 2 blocks instead of 3 + 3, 8 epochs, 12,000 sessions, learning rate 3·10⁻³, 12 units per
#   expert: sized for two CPU cores. The `smoke` profile trains tiny models for two epochs; its verdicts say nothing
#   about the paper and exist so that the regeneration check covers every number.

# %%
ch.finish()

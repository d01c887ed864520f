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
#     title: "RecoNet: explaining a recommendation, feature by feature"
#     datasets: [ml-1m]
#     figures: [table1, learning_curve, cold_start, sankey, pertinence, top1_random1, lime_deletion, lime_instance]
#     claims: [t1_fm_without, t1_fm_with, t1_ocular_without, t1_ocular_with, t1_item2item_without,
#       t1_user2user_without, t1_cml_without, t1_cml_with, t1_reconet_without, t1_reconet_with,
#       t1_layer_without, t1_layer_with, t1_popularity_without,
#       t1b2b_fm_without, t1b2b_fm_with, t1b2b_ocular_without, t1b2b_ocular_with, t1b2b_item2item_without,
#       t1b2b_user2user_without, t1b2b_cml_without, t1b2b_cml_with, t1b2b_reconet_without, t1b2b_reconet_with,
#       t1b2b_layer_without, t1b2b_layer_with, b2b_size, b2b_cold_share, b2b_explanations,
#       reconet_two_best_without, reconet_two_best_with, order_without, order_with, layer_not_better,
#       attributes_help_reconet, second_beats_third_with, layer_beats_reconet, ablation_keep_label_genres,
#       plateau_without, plateau_with,
#       t1_common_scale, t1_edge_fm_without, t1_edge_ocular_without, t1_edge_item2item_without,
#       t1_edge_user2user_without, t1_edge_cml_without, t1_edge_fm_with, t1_edge_ocular_with, t1_edge_cml_with,
#       reconet_two_best_extended_without, reconet_two_best_extended_with,
#       cold_comparable_ocular, cold_beats_cml_fm, cold_reconet_above_floor, cold_demographic_signal, cold_ocular_ranks,
#       fig5_top_features, lrp_conservation, pertinence_drop, top1_shift, top1_mannwhitney, top1_negative_skew,
#       top1_skew_gap, random1_symmetric, lime_agreement, lime_agreement_linear, lime_deletion_weaker, lime_more_samples,
#       lime_seconds_per_explanation, lrp_seconds_per_explanation, lime_speedup]
# ---

# %% [markdown]
# # RecoNet: explaining a recommendation, feature by feature
#
# Fusco, Vlachos, Vasileiadis, Wardatzky and Schneider (IJCAI 2019, *RecoNet: An Interpretable Neural Architecture
# for Recommender Systems*) put items, user attributes and item attributes in one embedding space, represent a user
# by the average of the embeddings of everything in her profile, and map that average to the items with one linear
# layer and a softmax. Because the network is so shallow, layer-wise relevance propagation (LRP) splits each
# recommendation exactly into contributions of the user's movies, genres and demographics. The paper claims that
# RecoNet is as accurate as the state of the art (Table 1), handles cold-start users (Figure 4), that the features
# LRP ranks first really drive the prediction (Figures 6 and 7, Mann–Whitney p < 10⁻⁴), and that LRP agrees with
# LIME while being more than 1000 times faster (Figure 8).
#
# **Data.** The paper's public dataset is MovieLens-1M, which is embedded here complete. The paper's second dataset
# (B2B purchases of IBM) is proprietary: its rows are on the scorecard as *not applicable*, saying what they need.
#
# **Every verdict can fail.** Each rule below is fixed before the run, listed with the reason for its threshold in
# the table of rules, and shown to fail on a null model (untrained weights, random attributions or shuffled
# demographics) by `tests/test_reconet_null.py`, which runs the same functions of
# `replicate/papers/reconet/measure.py`.

# %% tags=["parameters"]
profile = "smoke"  # "smoke": 600 users, one epoch, one configuration per method (CI); "paper": all of ML-1M
dataset = "ml-1m"  # "ml-1m" (the paper's) or "ml-100k"; both carry gender, age and occupation
data_dir = None
seed = 0
device = "auto"

# %%
import numpy as np
import pandas as pd
import torch
from IPython.display import Markdown

from replicate import data, splits, stats
from replicate.core.chapter import Chapter
from replicate.core.claims import AtLeast, AtMost, NotApplicable
from replicate.errors import ParameterError
from replicate.papers.reconet import cold_start, deletion, explain, lrp
from replicate.papers.reconet import figures as figs
from replicate.papers.reconet import table1 as t1
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet import measure as v
from replicate.papers.reconet.interactive import explanation_sankey

# %%
ch = Chapter("reconet", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
if dataset not in ("ml-1m", "ml-100k"):
    raise ParameterError(
        f"unknown dataset {dataset!r} for this chapter: valid choices are 'ml-1m', 'ml-100k' "
        "(RecoNet needs user demographics, which ML-20M lacks)"
    )
SETTINGS = {
    "smoke": dict(users=600, dim=32, epochs=1, epoch_scale=0.2, grid=1, k_max=10, lime_users=5, lime_samples=500),
    "paper": dict(users=None, dim=64, epochs=3, epoch_scale=1.0, grid=4, k_max=50, lime_users=20, lime_samples=2000),
}[profile]
print(f"dataset={dataset}, settings={SETTINGS}")

# %% [markdown]
# The rules of this chapter, each with the one-line reason for its threshold (fixed before any run; the claims below
# name them):

# %%
display(v.rules_table())
# %% [markdown]
# ## Data and split
#
# As in the paper, ratings ≥ 3 are positives and the rest is unknown (one-class data). The paper says "a 60–20–20
# split for training, developing and testing" and follows the evaluation of Collaborative Metric Learning (Hsieh et
# al. 2017), whose code splits **per user**: each user with at least five positives has her positives shuffled and
# cut 60 / 20 / 20. We split per user for that reason and because it gives every test user a training history, which
# the cold-start experiment then removes on purpose; a split per interaction would leave some test users without any
# history by chance. Recall@k is CML's: hits among the top k divided by the number of the user's test items (no
# min(k, n) cap), with the user's training items removed from the ranking (and at test time her validation items
# too: they are known positives, not targets), averaged over users.
#
# Features: every movie, the user's gender, age group and occupation, and the genres of the movies she saw (the
# paper's FS_u = V(u) ∪ Φ^U(u) ∪ Φ^V(V(u)), as a 0/1 vector). Whether the decade of release joins the item
# attributes is decided on validation below.

# %%
ds = data.load(dataset, data_dir=data_dir)
split = splits.per_user_split(ds, min_rating=3, seed=seed, n_users=SETTINGS["users"])
display(pd.Series(split.summary(), name=ds.name).to_frame())

# %% [markdown]
# ## Table 1: recall@50
#
# **Models.** RecoNet exactly as section 4.1 (one shared embedding matrix, average pooling, one linear layer without
# bias to the movies, softmax, cross-entropy, Xavier initialisation; Adam, learning rate 4·10⁻³, batches of 1,024,
# our choices since the paper gives none) and RecoNet + Layer (one hidden ReLU layer after the pooling, of the
# width and embedding size the budget table below prints for this run). Each training example removes one movie as
# the label and further features (movies and attributes alike) with probability 1/(r+1)^β after r removals
# (section 4.2); one epoch draws one example per training positive. **One choice the paper does not make:** a
# training example's input also loses the label's genres that no remaining movie of the user carries, so that the
# input does not reveal the label's genres (the ablation below trains without this removal). The paper selects β by
# cross-validation without giving its grid or value; we try β ∈ {0.5, 1, 2, 4}.
#
# Baselines (`replicate/baselines/`, written here since no maintained package for them installs on this stack):
# FM (factorization machine, logistic loss with sampled negatives), OCuLaR (non-negative co-clustering,
# P(r = 1) = 1 − exp(−⟨f_u, f_i⟩)), item-2-item and user-2-user (cosine), CML (metric learning with WARP-like
# weights), and popularity as a floor. *With attributes* means: user demographics and item genres for FM and OCuLaR,
# item genres for CML (its feature extension covers items only), and everything in FS_u for RecoNet.
#
# **The tuning budget, the same rule for every method** (`replicate/papers/reconet/table1.py`): at most four
# configurations per method, fixed in advance (each baseline's `GRID`, β for RecoNet); an iterative method trains each
# configuration for a quarter of its epoch budget and the best on validation recall@50 is trained again with the full
# budget; closed-form methods are fitted once per configuration. No early stopping. The decade of release is tried
# once, in a short run of RecoNet with attributes, and kept for every method with attributes if it raises validation
# recall@50. **The search runs once, on seed 0**; the other seeds of a sweep retrain the configurations seed 0 chose.
# The paper allowed "at least two days" of search per technique; ours is minutes, on two CPU cores.

# %%
budget = t1.Budget(
    reconet=reconet.Config(dim=SETTINGS["dim"], epochs=SETTINGS["epochs"]),
    epoch_scale=SETTINGS["epoch_scale"],
    grid_size=SETTINGS["grid"],
)
display(t1.budget_table(budget).assign(**{"RecoNet + Layer hidden units": budget.layer_hidden, "dim": SETTINGS["dim"]}))
table1 = t1.run_table1(ds, split, budget, seed=seed, device=device, chosen=ch.chosen("table1"))
ch.choose("table1", table1.choices())
frame = table1.frame()
display(frame.style.format("{:.4f}", na_rep="—"))
print(f"decade of release kept as an item attribute: {table1.decades} (short-run validation: {table1.decade_trial})")
ch.figure(figs.plot_table1(frame), "table1")

# %% [markdown]
# Every configuration tried, with its validation recall@50 (after the short run for iterative methods; on seeds
# other than 0, only the configuration seed 0 chose):

# %%
display(table1.trials().style.format({"validation recall@50": "{:.4f}"}))

# %% [markdown]
# Each value of the table is a claim, replicated when ours lies within the `table1` rule's band of the paper's; the
# paper's B2B columns and its description of that data are rows we cannot measure.

# %%
for row in t1.claim_rows(frame):
    ch.claim(
        **row,
        kind="paper",
        rule=v.rule("table1"),
        source="RecoNet Table 1, MovieLens",
        regen_abs=0.01,
        why="Why the values of Table 1 may differ from the paper's",
    )
for row in t1.claim_rows(frame, b2b=True):
    ch.claim(**row, kind="paper", rule=NotApplicable("needs IBM's proprietary B2B purchases"), source="RecoNet Table 1")
ch.claim(
    "t1_popularity_without",
    "Popularity recall@50 (our floor)",
    kind="book",
    paper=None,
    ours=float(frame.loc["popularity", "ours_without"]),
    rule=NotApplicable("not in the paper: a floor for Table 1"),
    source="ours: a floor for Table 1",
    regen_abs=0.01,
)
ch.claim(
    "b2b_size",
    "B2B dataset: purchases, users, items",
    kind="paper",
    paper="550,000 purchases, 130,000 users, 500 items",
    ours=None,
    rule=NotApplicable("needs IBM's proprietary B2B purchases"),
    source="RecoNet §5",
)

# %% [markdown]
# ### The paper's readings of its table
#
# - *RecoNet is competitive with the best techniques*: the caption sets the two best of each column in bold, and in
#   the paper RecoNet is one of them in both MovieLens columns (with OCuLaR). We check both columns, and the whole
#   order of the methods against the paper's (Kendall's τ).
# - *The extra layer does not help*: RecoNet + Layer's largest relative gain over RecoNet, over the two columns, with
#   a paired bootstrap over test users, is at most the `layer_not_better` margin.
# - *Attributes help RecoNet*: RecoNet with attributes gains at least the `attributes_help` margin over RecoNet
#   without, the whole paired interval.

# %%
for part in ("without", "with"):
    ours_column = t1.column(frame, part)
    ch.claim(
        f"reconet_two_best_{part}",
        f"RecoNet is among the two best of the {part}-attributes column",
        kind="paper",
        paper=True,
        rule=v.rule("two_best"),
        source="RecoNet §5.1 and Table 1 (bold)",
        why="Why RecoNet may miss the two best, and attributes may not help it",
        **v.among_two_best(ours_column, "RecoNet").claim(),
    )
    ch.claim(
        f"order_{part}",
        f"Order of the methods, {part} attributes (best first)",
        kind="paper",
        paper=v.order(t1.column(frame, part, "paper")),
        ours=v.order(ours_column),
        rule=v.rule("order"),
        source="RecoNet Table 1",
        why="Why RecoNet may miss the two best, and attributes may not help it",
    )

# %%
without_users, with_users = t1.per_user(table1, False), t1.per_user(table1, True)
layer_gain = v.largest_gain(
    {
        "without": (without_users["RecoNet + Layer"], without_users["RecoNet"]),
        "with": (with_users["RecoNet + Layer"], with_users["RecoNet"]),
    }
)
ch.claim(
    "layer_not_better",
    "RecoNet + Layer's largest relative gain over RecoNet (the two columns)",
    kind="paper",
    paper=0.0,
    rule=v.rule("layer_not_better"),
    source="RecoNet §4.1 and Table 1",
    regen_abs=0.05,
    why="Why RecoNet may miss the two best, and attributes may not help it",
    **layer_gain.claim(),
)
attributes_gain = v.relative_gain(with_users["RecoNet"], without_users["RecoNet"], "with vs without: ")
ch.claim(
    "attributes_help_reconet",
    "RecoNet: relative gain of recall@50 with attributes over without",
    kind="paper",
    paper=0.3508 / 0.3294 - 1,
    rule=v.rule("attributes_help"),
    source="RecoNet Table 1 (0.3294 → 0.3508)",
    why="Why RecoNet may miss the two best, and attributes may not help it",
    regen_abs=0.05,
    **attributes_gain.claim(),
)

# %% [markdown]
# ### Why RecoNet may miss the two best, and attributes may not help it
#
# Ranked by how plausible they are, with a run for each (book checks, each able to fail):
#
# 1. **The top of the table is within noise.** If the second and third methods of the with-attributes column cannot
#    be told apart on the test users, "among the two best" is decided by chance, whatever the verdict says. The check
#    below asks whether the second beats the third (paired bootstrap over users). The same holds for "the extra
#    layer does not help": if RecoNet + Layer and RecoNet cannot be told apart where the layer comes closest, the
#    verdict on the layer's gain moves with the seed; the second check asks whether the layer beats RecoNet there.
# 2. **Our removal of the label's genres** (the choice above) may hide exactly the attribute signal the paper's
#    RecoNet exploits. The ablation retrains RecoNet with attributes keeping the label's genres in the input, and asks
#    the paper's question again: does it beat RecoNet without attributes by the same margin?
# 3. **The training budget.** If the epochs we give stop before a plateau, the variant that learns more slowly (the
#    one with more inputs) is penalised. The learning curves train both variants for twice the budget.
# 4. **β.** The short runs separate β values by at most {glue:text}`beta_spread` validation recall@50 (the trials
#    table), so β hardly moves either variant at this budget.
# 5. **A baseline's search stopped short**, which would move the table's order: the next section runs each baseline's
#    grid one step longer and asks "among the two best" again.

# %%
ch.glue("beta_spread", t1.beta_spread(table1), fmt=".4f")
ch.claim(
    "second_beats_third_with",
    "With attributes: recall@50 of the second best minus the third (paired over test users)",
    kind="book",
    paper=None,
    rule=v.rule("separated"),
    source="ours: is 'the two best' decidable?",
    regen_abs=0.02,
    **v.second_beats_third(with_users, t1.column(frame, "with")).claim(),
)
ch.claim(
    "layer_beats_reconet",
    "Where the layer comes closest: recall@50 of RecoNet + Layer minus RecoNet (paired over test users)",
    kind="book",
    paper=None,
    rule=v.rule("separated"),
    source="ours: is 'the extra layer does not help' decidable?",
    regen_abs=0.02,
    **v.layer_minus_reconet(without_users, with_users).claim(),
)
kept_users, _ = t1.reconet_variant(table1, split, budget, seed=seed, device=device, drop_label_attributes=False)
ablation = v.relative_gain(kept_users, without_users["RecoNet"], "label's genres kept vs without attributes: ")
ch.claim(
    "ablation_keep_label_genres",
    "Ablation: RecoNet with attributes, the label's genres kept, relative gain over RecoNet without attributes",
    kind="book",
    paper=None,
    rule=v.rule("attributes_help"),
    source="ours: the removal of the label's unshared genres (issue 11 §4)",
    regen_abs=0.05,
    **ablation.claim(),
)
ch.glue("ablation_gain", ablation.ours, fmt="+.1%")
ch.glue("attributes_gain", attributes_gain.ours, fmt="+.1%")

# %%
curves = t1.learning_curves(table1, split, budget, factor=2, seed=seed, device=device)
for name, part in zip(curves, ("without", "with")):
    ch.claim(
        f"plateau_{part}",
        f"{name}: relative gain of validation recall@50 from {budget.reconet.epochs} to "
        f"{2 * budget.reconet.epochs} epochs",
        kind="book",
        paper=None,
        rule=v.rule("plateau"),
        source="ours: does the epoch budget reach a plateau?",
        regen_abs=0.05,
        **v.plateau(curves[name], budget.reconet.epochs).claim(),
    )
ch.figure(figs.plot_learning_curve(curves, budget.reconet.epochs), "learning_curve")

# %% [markdown]
# With the label's genres kept, RecoNet with attributes gains {glue:text}`ablation_gain` over RecoNet without
# (with our removal: {glue:text}`attributes_gain`): if the ablation row replicates where the paper's row does not, our
# removal is the cause and the paper's RecoNet kept the label's genres; if both fail, the removal is not the cause.
# The plateau rows say whether more epochs would change the comparison.

# %% [markdown]
# ### Why the values of Table 1 may differ from the paper's
#
# The `table1` rows compare each value with the paper's. Where they miss, the most plausible causes, ranked:
#
# 1. **One shift for every method.** Recall@50 depends on the protocol as much as on the method: the split (ours per
#    user, the paper's unstated beyond "60–20–20"), how many test items a user has, which ML-1M ratings count. Such
#    causes move every method by about the same factor. The check divides our values by the paper's, takes the median
#    ratio as the common factor, and counts the values that fall within the `table1` band once that factor is divided
#    out: if most do, the misses are the protocol's, not any one implementation's.
# 2. **A baseline's grid stops short.** A configuration chosen at the edge of its grid may have a better neighbour
#    beyond it, and the paper searched for "at least two days" per technique. For every baseline row whose choice sits
#    at an edge, the search is run one step longer (one more step of the grid's own ratio on that hyperparameter,
#    `t1.past_edge`; rule written before any run), with the same short budget; a configuration that wins on
#    validation is trained with the full budget as the tuning rule says, and "RecoNet among the two best" is asked
#    again of the table with the extended search's choices. A step that wins the short runs may still lose after the
#    full budget: then the short budget misleads, not the grid, and the "two best" row says how fragile the reading
#    is to the search rather than that the baselines got stronger. This extends the search, so it runs where the
#    search runs: seed 0 (its rows are about one seed).

# %%
scale = v.common_scale(t1.cells(frame), t1.cells(frame, "paper"), band=v.rule("table1").rel)
ch.claim(
    "t1_common_scale",
    "Table 1: share of values within the band of the paper's once the median ratio ours / paper is divided out",
    kind="book",
    paper=None,
    rule=v.rule("common_scale"),
    source="ours: is the gap one protocol-wide factor?",
    regen_abs=0.2,
    **scale.claim(),
)
ch.glue("t1_scale_share", scale.ours, fmt=".0%")
edges = t1.edge_runs(table1, split, budget, seed=seed, device=device)
display(t1.edge_frame(table1, edges).style.format(precision=4, na_rep="—"))
for claim in v.edge_claims(table1, edges, frame, seed):
    ch.claim(**claim, kind="book", source="ours: did the grid stop short?", regen_abs=0.05)
changed_rows, better_rows = t1.edge_outcome(table1, edges)
ch.glue("t1_edge_changed", changed_rows)
ch.glue("t1_edge_better", better_rows)

# %% [markdown]
# Once one common factor is divided out, {glue:text}`t1_scale_share` of Table 1's values lie within the band. The
# edge rows say, per baseline, whether one more step of its grid wins the short runs (their table above gives the
# configurations and the test recall of any that would); the extended search changes {glue:text}`t1_edge_changed`
# rows, of which {glue:text}`t1_edge_better` end up better on test after the full budget. The last rows say whether
# the paper's reading survives the extended search.

# %% [markdown]
# ## Figure 4: cold start
#
# 10 % of the test users lose their whole history from training (`share=0.1` below). RecoNet, OCuLaR, CML and FM
# are retrained with the configurations Table 1 chose, with attributes, and rank movies for those users from what
# they know of them: their demographics (RecoNet averages the embeddings of her gender, age group and occupation;
# OCuLaR fits her factors to her demographic columns; FM uses her attribute features; CML, which has no user
# features, has only an untrained vector for her). The paper does not say what its cold-start users are given at
# test time; this is our reading of "their history was removed from the training data". Three more lines:
# popularity (the floor, dotted grey), popularity within the user's gender × age group (what demographics alone
# give), and, dashed, the same RecoNet (not retrained) fed the cold users' histories at inference, the situation the
# paper's design is built for.
#
# The paper reads its curves over the whole range k = 1..50, so each claim compares the methods' recall averaged
# over k (the area under the curve), with a paired bootstrap over the cold users: *comparable with OCuLaR* is the
# `cold_comparable` rule on RecoNet / OCuLaR, *substantially better than CML and FM* the `cold_beats` rule on
# RecoNet / the better of the two.

# %%
cold = cold_start.run_cold_start(table1, split, budget, share=0.1, seed=seed, device=device)
print(f"{len(cold.users)} cold-start users")
ch.figure(figs.plot_cold_start(cold.curves), "cold_start")
display(
    pd.DataFrame({"mean recall over k": cold.mean_recall(), "recall@50": {n: c[-1] for n, c in cold.curves.items()}})
)

# %%
ch.claim(
    "cold_comparable_ocular",
    "Cold start: RecoNet / OCuLaR, mean recall over k = 1..50",
    kind="paper",
    paper=1.0,
    rule=v.rule("cold_comparable"),
    source="RecoNet §5.2, Figure 4",
    regen_rel=0.5,
    why="Why cold start may not replicate",
    **v.curve_ratio(["RecoNet"], ["OCuLaR"], cold.per_user).claim(),
)
ch.claim(
    "cold_beats_cml_fm",
    "Cold start: RecoNet / the better of CML and FM, mean recall over k = 1..50",
    kind="paper",
    paper="substantially better",
    rule=v.rule("cold_beats"),
    source="RecoNet §5.2, Figure 4",
    regen_rel=0.5,
    why="Why cold start may not replicate",
    **v.curve_ratio(["RecoNet"], ["CML", "FM"], cold.per_user).claim(),
)
ch.claim(
    "b2b_cold_share",
    "B2B: share of test users without a history in the training data (split by time of purchase)",
    kind="paper",
    paper=0.35,
    ours=None,
    rule=NotApplicable("needs IBM's proprietary B2B purchases with their purchase times"),
    source="RecoNet §5.2",
)

# %% [markdown]
# ### Why cold start may not replicate
#
# 1. **Demographics carry little signal on ML-1M.** If the popularity of the movies within the user's gender × age
#    group hardly beats global popularity, no method that sees only demographics can do much better than the floor,
#    and the differences between the methods say little about them. Measured below (`demographic_signal` rule).
# 2. **Our training misses what signal there is.** Then RecoNet falls below the floor (`floor` rule), which a model
#    that learned anything about these users should not.
# 3. **OCuLaR's fit for a cold user.** Its factors for such a user come from three attribute columns only. The
#    test suite checks on a hand-made case (`tests/test_reconet_cold.py`: two groups with clear tastes, a cold user
#    of one of them) that she is scored towards her group's movies. It is, with OCuLaR's stronger regularisations;
#    with the weakest of its grid the attribute columns get co-clusters of their own, the cold user joins only
#    those, and her affinity to every movie is exactly zero: a tie, which ranks the movies by index. The check below
#    counts the cold users left without any ranking by OCuLaR ({glue:text}`ocular_constant` of them).
#
# Over the curve, group popularity reaches {glue:text}`group_vs_popularity` times global popularity, and RecoNet
# {glue:text}`reconet_vs_popularity` times.

# %%
signal = v.curve_ratio(["popularity by gender x age"], ["popularity"], cold.per_user)
floor = v.curve_ratio(["RecoNet"], ["popularity"], cold.per_user)
ch.glue("group_vs_popularity", signal.ours, fmt=".2f")
ch.glue("reconet_vs_popularity", floor.ours, fmt=".2f")
ch.glue("ocular_constant", cold.constant["OCuLaR"], fmt=".0%")
ch.claim(
    "cold_ocular_ranks",
    "Cold start: share of the cold users whose OCuLaR scores are all equal (no ranking)",
    kind="book",
    paper=None,
    ours=cold.constant["OCuLaR"],
    rule=v.rule("ranks"),
    source="ours: OCuLaR's attribute-only fit (issue 15)",
    regen_abs=0.05,
    note=f"OCuLaR's configuration: {table1.get('OCuLaR', True).config}",
)
ch.claim(
    "cold_demographic_signal",
    "Cold start: popularity within gender × age group / global popularity, mean recall over k",
    kind="book",
    paper=None,
    rule=v.rule("demographic_signal"),
    source="ours: how much do demographics tell? (issue 15)",
    regen_rel=0.5,
    **signal.claim(),
)
ch.claim(
    "cold_reconet_above_floor",
    "Cold start: RecoNet / popularity, mean recall over k",
    kind="book",
    paper=None,
    rule=v.rule("floor"),
    source="ours: the popularity floor of Figure 4 (issue 15)",
    regen_rel=0.5,
    **floor.claim(),
)
# %% [markdown]
# ## Figure 5: one recommendation explained
#
# From here on the models are Table 1's RecoNet and RecoNet + Layer with attributes. For every test user we take her
# top recommendation (training and validation movies excluded) and explain it with the three LRP steps of
# section 4.3 (`replicate/papers/reconet/lrp.py`, checked against captum's LRP in the tests). In the linear RecoNet the
# relevances of a user's features add up exactly to the target's logit ŷ_c, an identity of the method recorded as a
# book check.
#
# The paper's example: the top six positive features behind a recommendation of *Men in Black* are the user's gender
# and age and movies of the action and sci-fi genres. We explain *Men in Black* for the test users who rank it
# best (rank 1: it is their top recommendation; when too few have it first, the next-best ranks, the nearest cases,
# as the note says) and ask whether their top six features are demographics, movies sharing a genre with it or
# its genres themselves (features of their own in RecoNet) **more often than six features drawn at random from the same profile** (`fig5_features` rule); the Sankey shows
# the user who ranks it best.

# %%
models = {name: table1.get(name, True).scorer.trained.model for name in ("RecoNet", "RecoNet + Layer")}
model, space = models["RecoNet"], table1.spaces[True]
profiles, exclude = explain.ranking_inputs(space, split, device=device)
targets, logits, relevances = lrp.explain_top(model, profiles, exclude)
gap = (relevances.double().sum(dim=1) - logits.double()).abs().max().item()
ch.claim(
    "lrp_conservation",
    "Linear RecoNet: largest |Σ relevances − ŷ_c| over the test users",
    kind="book",
    paper=None,
    ours=gap,
    rule=AtMost(1e-3),
    source="RecoNet §4.3: R_i = w_ji x_i (an identity of LRP on the linear model)",
    regen_rel=1e6,
    regen_abs=1e-3,
)
case = explain.paper_case(model, space, profiles, exclude, title="Men in Black", n=20)
fig5 = v.fig5_excess(space, profiles[case.users].cpu().numpy(), case.relevances.cpu().numpy(), case.target)
ch.claim(
    "fig5_top_features",
    f"{case.title}: share of the top six features that are demographics or movies of its genres, minus a random six's",
    kind="paper",
    paper="demographics and movies of its genres",
    rule=v.rule("fig5_features"),
    source="RecoNet §5.3, Figure 5",
    regen_abs=0.1,
    ours=fig5.ours,
    interval=fig5.interval,
    note=f"{fig5.note}; its rank for them: {', '.join(map(str, case.ranks))}",
)

# %%
top6 = explain.top_features(space, case.relevances[0], n=6)
display(top6.style.format({"relevance": "{:.4f}"}))
user = ds.users.loc[split.users[case.users[0]], "original_id"]
ch.figure(
    figs.plot_sankey(
        top6["feature"], top6["kind"], top6["relevance"], case.title, title=f"Why user {user} gets this movie"
    ),
    "sankey",
)

# %% [markdown]
# The same explanation to explore: hover a flow for the feature, its kind and its relevance.

# %%
ch.interactive(explanation_sankey(top6["feature"], top6["kind"], top6["relevance"], case.title), "sankey")

# %% [markdown]
# ## Figures 6 and 7: are the relevant features pertinent?
#
# For each test user we remove her k most relevant features and measure Δŷ_c = f_c(x without them) − f_c(x) on the
# recommended movie's logit, against removing k features drawn at random from her profile; "removing" sets the
# feature's entry to zero and the model averages over what remains. The curves use the users with more than k_max
# features (so that something remains); "top 1" against "random 1" uses every test user.
#
# **For the linear RecoNet this test cannot fail.** Its logit is the mean of w_c·q_k over the present features and
# LRP's relevance of feature k is w_c·q_k / |FS_u|, so removing the k most relevant features leaves the smallest
# possible mean of any k-subset removal: the drop is at least the random one for every user and every k. We draw it,
# since the paper does, but record the claims on RecoNet + Layer, whose ReLU layer makes LRP an approximation that
# can fail this test. "Significantly decreases" needs the paired interval over users below zero; the paper's
# Mann–Whitney question ("do the samples come from the same distribution?") is two-sided; Figure 7's shapes are
# measured by quartile skewness with bootstrap intervals (the moment skewness, in the notes, is ruled by a few
# outliers here: on two random rankings of the same users it differed beyond its interval).

# %%
ks = np.arange(1, SETTINGS["k_max"] + 1)
rich = torch.nonzero(profiles.sum(dim=1) > SETTINGS["k_max"]).ravel()
random_keys = deletion.random_scores(profiles > 0, rng)
layer_targets, _, layer_relevances = lrp.explain_top(models["RecoNet + Layer"], profiles, exclude)
explained_by = {"RecoNet": (targets, relevances), "RecoNet + Layer": (layer_targets, layer_relevances)}
curves = {}
for name, (target, relevance) in explained_by.items():
    for label, keys in (("top-k (LRP)", relevance), ("random k", random_keys)):
        curves[f"{name}: {label}"] = deletion.deletion_deltas(
            models[name], profiles[rich], target[rich], keys[rich], ks
        )
ch.figure(figs.plot_deletion(ks, curves), "pertinence")
pertinence = v.paired_shift(curves["RecoNet + Layer: top-k (LRP)"][:, -1], curves["RecoNet + Layer: random k"][:, -1])
ch.claim(
    "pertinence_drop",
    f"RecoNet + Layer: Δŷ_c after removing the top {ks[-1]} LRP features minus after {ks[-1]} random ones",
    kind="paper",
    paper="significantly negative",
    rule=v.rule("pertinence"),
    source="RecoNet §5.4, Figure 6",
    regen_rel=0.25,
    regen_abs=0.01,
    **pertinence.claim(),
)

# %%
layer = models["RecoNet + Layer"]
top1 = deletion.deletion_deltas(layer, profiles, layer_targets, layer_relevances, [1])[:, 0]
random1 = deletion.deletion_deltas(layer, profiles, layer_targets, random_keys, [1])[:, 0]
mann_whitney = v.mann_whitney(top1, random1)
ch.figure(figs.plot_top1_random1(top1, random1, mann_whitney.ours), "top1_random1")
shapes = {
    "top1_shift": (
        "RecoNet + Layer: Δŷ_c of 'top 1' minus 'random 1' (paired)",
        "negative",
        "pertinence",
        v.paired_shift(top1, random1),
    ),
    "top1_mannwhitney": (
        "RecoNet + Layer: two-sided Mann–Whitney U p-value, 'top 1' against 'random 1'",
        1e-4,
        "mannwhitney",
        mann_whitney,
    ),
    "top1_negative_skew": ("RecoNet + Layer: skewness of 'top 1'", "negative", "negative_skew", v.skew(top1)),
    "top1_skew_gap": (
        "RecoNet + Layer: skewness of 'top 1' minus skewness of 'random 1'",
        "negative",
        "skew_gap",
        v.skew_gap(top1, random1),
    ),
    "random1_symmetric": ("RecoNet + Layer: skewness of 'random 1'", 0.0, "symmetric", v.skew(random1)),
}
for claim_id, (description, paper, rule_name, measured) in shapes.items():
    ch.claim(
        claim_id,
        description,
        kind="paper",
        paper=paper,
        rule=v.rule(rule_name),
        source="RecoNet §5.4, Figure 7",
        regen_rel=1e3,
        regen_abs=0.5,
        **measured.claim(),
    )
ch.claim(
    "b2b_explanations",
    "B2B: the pertinence test and the Mann–Whitney p < 10⁻⁴ on the second dataset",
    kind="paper",
    paper="significant",
    ours=None,
    rule=NotApplicable("needs IBM's proprietary B2B purchases"),
    source="RecoNet §5.4 ('for both datasets')",
)

# %% [markdown]
# ## Figure 8 and section 5.5: LIME
#
# captum's `Lime` explains the same recommendation with the same model as a black box, over the presence of each
# profile feature (`replicate/papers/reconet/lime.py`: ridge surrogate on the target logit; captum's default Lasso
# zeroes nearly every coefficient here). The paper's "very good agreement among the first four to five features" is
# about Figure 8 *left*, the deletion curves: we compare the drop LIME's ranking reaches at k = 1..5 with LRP's
# (`lime_agreement` rule, a paired bootstrap over the explained users). **On the linear RecoNet a ridge surrogate of a
# model that is linear in the normalised presence of features reproduces LRP's ordering almost by construction**, so
# the claim is recorded on RecoNet + Layer and the linear value is a book check. *RecoNet's later features matter
# more* (Figure 8 left, k ≥ 6) is the paired LRP − LIME difference, `lime_weaker` rule. Times: LIME's wall time per
# explanation against LRP's for one user at a time (a forward pass and its explanation, batch of one, after a
# warm-up), on the same users; the paper reports 10–12 s against 10 ms.

# %%
explained = rng.choice(rich.cpu().numpy(), size=min(SETTINGS["lime_users"], len(rich)), replace=False)
study = explain.lime_study(models, explained_by, profiles, explained, ks, SETTINGS["lime_samples"], random_keys)
ch.figure(figs.plot_deletion(ks, study.curves), "lime_deletion")
agreement = {name: v.deletion_agreement(study.curves[f"{name}: LRP"], study.curves[f"{name}: LIME"]) for name in models}
later = ks >= 6
ch.claim(
    "lime_agreement",
    "RecoNet + Layer: LIME's mean Δŷ_c at k = 1..5 / LRP's",
    kind="paper",
    paper=1.0,
    rule=v.rule("lime_agreement"),
    source="RecoNet §5.5, Figure 8 left",
    why="Why LIME may disagree with LRP, or not take the paper's time",
    regen_abs=0.5,
    **agreement["RecoNet + Layer"].claim(),
)
ch.claim(
    "lime_agreement_linear",
    "Linear RecoNet: LIME's mean Δŷ_c at k = 1..5 / LRP's (near 1 by construction)",
    kind="book",
    paper=1.0,
    rule=v.rule("lime_agreement"),
    source="ours: the linear model, where the surrogate is exact",
    regen_abs=0.5,
    **agreement["RecoNet"].claim(),
)
weaker = v.paired_shift(
    study.curves["RecoNet + Layer: LRP"][:, later].mean(axis=1),
    study.curves["RecoNet + Layer: LIME"][:, later].mean(axis=1),
)
ch.claim(
    "lime_deletion_weaker",
    "RecoNet + Layer: mean Δŷ_c over k ≥ 6, LRP minus LIME (paired)",
    kind="paper",
    paper="negative",
    rule=v.rule("lime_weaker"),
    source="RecoNet §5.5, Figure 8 left",
    why="Why LIME may disagree with LRP, or not take the paper's time",
    regen_rel=0.5,
    regen_abs=0.05,
    **weaker.claim(),
)

# %%
fargo = [j for j, u in enumerate(explained) if str(space.labels[int(targets[u])]).startswith("Fargo")]
instance = fargo[0] if fargo else 0
u = int(explained[instance])
union = list(
    dict.fromkeys(
        torch.topk(relevances[u], 5).indices.tolist()
        + torch.topk(study.weights["RecoNet"][instance], 5).indices.tolist()
    )
)
ch.figure(
    figs.plot_agreement(
        space.labels[union],
        relevances[u, union].cpu().numpy(),
        study.weights["RecoNet"][instance, union].cpu().numpy(),
        title=f"Top-5 features of either method: recommendation of {space.labels[int(targets[u])]}",
    ),
    "lime_instance",
)

# %%
lrp_single = explain.one_by_one_seconds(model, profiles, exclude, explained)
lime_seconds = study.seconds["RecoNet"]
ch.claim(
    "lime_seconds_per_explanation",
    "LIME: seconds per explanation (RecoNet, one user)",
    kind="paper",
    paper=11.0,
    ours=lime_seconds,
    rule=v.rule("lime_seconds"),
    source="RecoNet §5.5: 10–12 s",
    why="Why LIME may disagree with LRP, or not take the paper's time",
    timing=True,
    note=f"captum, {SETTINGS['lime_samples']} samples, {len(explained)} users",
)
ch.claim(
    "lrp_seconds_per_explanation",
    "RecoNet: seconds to recommend and explain for one user (batch of one)",
    kind="paper",
    paper=0.010,
    ours=lrp_single,
    rule=AtMost(),
    source="RecoNet §5.5: 10 ms per explanation",
    timing=True,
    note=f"mean over {len(explained)} users",
)
ch.claim(
    "lime_speedup",
    "LIME seconds per explanation / LRP seconds per explanation (one user each)",
    kind="paper",
    paper=1000.0,
    ours=lime_seconds / lrp_single,
    rule=AtLeast(),
    source="RecoNet §5.5: more than 1000 times faster",
    why="Why LIME may disagree with LRP, or not take the paper's time",
    timing=True,
    note=f"LIME {lime_seconds:.3f} s, LRP {lrp_single * 1e3:.2f} ms",
)
# %% [markdown]
# ### Why LIME may disagree with LRP, or not take the paper's time
#
# 1. **LIME's sampling noise.** LIME fits its surrogate to random perturbations of the profile; with too few of them
#    its ranking is noisy and its deletion curve drops less than LRP's for that reason alone. The paper does not give
#    its number of samples. The check explains the same users of RecoNet + Layer again with twice the samples and
#    asks whether LIME's drop comes closer to LRP's (`toward_lrp` rule); if it does not, the disagreement is the
#    surrogate's, not its sampling.
# 2. **The time is the samples' and the machine's.** LIME's time grows with its samples (one forward pass each):
#    twice the samples took {glue:text}`lime_time_ratio` times as long here, so at our speed the paper's 10–12 s is
#    about {glue:text}`lime_samples_for_paper` samples. Timings are not compared between machines (`check` skips them).

# %%
layer_target = explained_by["RecoNet + Layer"][0]
more = explain.more_samples(study, models, "RecoNet + Layer", profiles, layer_target, ks, 2 * SETTINGS["lime_samples"])
ch.claim(
    "lime_more_samples",
    "RecoNet + Layer: how much closer LIME's drop at k = 1..5 comes to LRP's with twice the samples",
    kind="book",
    paper=None,
    rule=v.rule("toward_lrp"),
    source="ours: is LIME's disagreement its sampling noise?",
    regen_abs=0.5,
    **v.toward_lrp(study.curves["RecoNet + Layer: LRP"], study.curves["RecoNet + Layer: LIME"], more["curves"]).claim(),
)
ch.glue("lime_time_ratio", more["seconds"] / study.seconds["RecoNet + Layer"], fmt=".1f")
ch.glue("lime_samples_for_paper", 11.0 / more["seconds"] * more["n_samples"], fmt=",.0f")

# %% [markdown]
# ## What differs, and why
#
# The verdicts of this run, generated from its claims (paper claims and book checks apart; rows that did not
# replicate listed by id):

# %%
display(Markdown(v.summary(ch.claims)))
ch.glue("reconet_with", float(frame.loc["RecoNet", "ours_with"]), fmt=".3f")
ch.glue("ocular_with", float(frame.loc["OCuLaR", "ours_with"]), fmt=".3f")
ch.glue(
    "tau_with",
    stats.kendall_tau(v.order(t1.column(frame, "with", "paper")), v.order(t1.column(frame, "with"))),
    fmt=".2f",
)
ch.glue("cold_ratio", v.curve_ratio(["RecoNet"], ["OCuLaR"], cold.per_user).ours, fmt=".2f")
ch.glue("lime_seconds", lime_seconds, fmt=".2f")
ch.glue("speedup", lime_seconds / lrp_single, fmt=",.0f")

# %% [markdown]
# - **Table 1.** The methods land in a narrow band and the paper's order does not come back in full (Kendall's τ
#   {glue:text}`tau_with` with attributes). RecoNet with attributes reaches {glue:text}`reconet_with` against
#   OCuLaR's {glue:text}`ocular_with`. Our neighbourhood methods and CML are stronger than the paper's; the paper's
#   came from Turicreate and the authors' code with settings it does not give, our split is CML's per-user split,
#   which the paper may not have used, and its "two days of search per technique" is minutes here. The "Why" checks
#   above test the top of the table for noise, our removal of the label's genres (an ablation) and the epoch budget
#   (learning curves).
# - **Cold start.** With only their demographics, RecoNet reaches {glue:text}`cold_ratio` times OCuLaR's recall
#   over the curve. The popularity floor on Figure 4 and the demographics-only popularity measure how much any
#   method can get from three attribute columns; the dashed line shows what the paper's design is for: the same
#   RecoNet, not retrained, fed the cold users' histories at inference.
# - **Explanations.** LRP's relevances add up to the logit of the linear model. The pertinence test, Figure 7's
#   shapes and the LIME comparison are measured on RecoNet + Layer, where they can fail (on the linear RecoNet the
#   first holds and the third nearly holds by construction).
# - **Speed.** captum's LIME needs {glue:text}`lime_seconds` s per explanation here, far less than the paper's
#   10–12 s (a faster implementation and machine, fewer samples in the smoke profile), so its timing row is not
#   replicated while the ratio to LRP ({glue:text}`speedup` times) is what the paper's "more than 1000 times"
#   compares; `python -m benchmarks reconet` prints it with the batched throughput.
# - **Seeds.** The search of Table 1 runs once, on seed 0; the other seeds retrain its choices, so their spread is
#   that of training and of the split, not of the search.

# %%
ch.finish()

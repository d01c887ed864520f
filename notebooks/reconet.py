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
#     claims: replicate.papers.reconet.claims
#     dataset_choices: [ml-1m, ml-100k]
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

# %% [markdown]
# **Data.** The paper's public dataset is MovieLens-1M {cite:p}`harper2015`, embedded here complete. The paper's
# second dataset (B2B purchases of IBM) is proprietary: its rows are on the scorecard as *not applicable*, saying
# what they need.

# %% [markdown]
# **Every verdict against a null.** Each claim is declared before the run in `replicate/papers/reconet/claims.py`:
# the paper's words, its value, the rule with the reason for its threshold, and the **null**, what a skeptic would
# put in the model's place so that the property is absent. This chapter's nulls:
#
# - another method's value in a Table 1 cell;
# - random attributions in LRP's or LIME's place;
# - an untrained RecoNet of another seed, for the explanations;
# - shuffled attributes and another training seed, for the gain from attributes;
# - another movie, for Figure 5;
# - another similarity, for cosine;
# - occlusion and a gradient explainer, for the timing.

# %% [markdown]
# Where a claim has several such nulls, all are measured and the one closest to passing is recorded, the others in
# the note. The run measures the null with the same function of `replicate/papers/reconet/measure.py` and the same
# rule; a claim whose null passes too is *uninformative*, not replicated.
#
# A claim that something is absent ("the extra layer does not help", "random 1 is fairly symmetric") has a
# **positive control** instead: the same measurement on a planted effect of the size the rule rules out, which must
# be rejected.

# %% [markdown]
# **Redesigned claims.** `lime_deletion_weaker` read "LRP's drop at k ≥ 6 exceeds LIME's", which a random explainer
# in LIME's place passes too. The paper's sentence says more: LIME agrees with RecoNet among the first four to five
# features, and RecoNet decreases more for the remaining ones. So the claim now asks where LIME's drop at k ≥ 6 lies
# between LRP's and a random ranking's: strictly between (RecoNet better, LIME still better than chance). It stays
# uninformative where its null, a random ranking against a second one, lands near 1 inside the band (a null is read
# on its value): a handful of LIME users cannot tell "just beats chance" from chance.

# %% [markdown]
# Two more redesigns:
#
# - the order claims and "RecoNet among the two best" now place RecoNet (in the top two, the paper's bold), a method
#   we lack counting against it;
# - the absolute timings of LIME and LRP are not compared (another machine); their ratio is, as "more than 1000
#   times" (§5.5) and as "three orders of magnitude" (the abstract).

# %% [markdown]
# **Read at the paper's size.**
#
# - Attributes must help RecoNet by about Table 1's gain (`attributes_help_reconet`); the sign alone is a weaker,
#   separately named reading (`attributes_help_reconet_sign`).
# - Figure 5 counts the features the paper names (gender and age; action and sci-fi movies: each half of its
#   sentence a claim), not any demographic or any shared genre.

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
from replicate.errors import ParameterError
from replicate.papers.reconet import claims, cold_start, deletion, explain, features, lrp
from replicate.papers.reconet import figures as figs
from replicate.papers.reconet import measure as v
from replicate.papers.reconet import similarity as item_similarity
from replicate.papers.reconet import table1 as t1
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet.interactive import explanation_sankey
from replicate.papers.reconet.model import untrained_like

# %%
ch = Chapter("reconet", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
null_rng = np.random.default_rng([seed, 1000])  # the nulls' own draws: ours are those of a run without them
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
# The claims of this chapter as declared before the run, each rule with the one-line reason for its threshold and
# the null the run measures beside ours:

# %%
display(v.declarations_table())

# %% [markdown]
# ## The model
#
# RecoNet {cite:p}`fusco2019` puts the items $V$, the user attributes $\Phi^U$ and the item attributes $\Phi^V$ in
# one embedding space $Q \in \mathbb{R}^{d \times m}$, one column $q_k$ per feature. A user $u$ is the set of her
# features $FS_u = V(u) \cup \Phi^U(u) \cup \Phi^V(V(u))$, written as a 0/1 vector $I_u$, and is represented by the
# mean of their embeddings:
#
# $$
# x_u = \frac{Q\, I_u^{\top}}{|FS_u|}
# $$ (reconet-pool)
#
# One linear layer $W \in \mathbb{R}^{|V| \times d}$ scores every item, and a softmax over the items is trained with
# the cross-entropy of an item removed from the profile:
#
# $$
# \hat y = W x_u, \qquad \hat p = \operatorname{softmax}(\hat y).
# $$ (reconet-out)
#
# RecoNet + Layer puts one hidden ReLU layer between the two, $\hat y = W \operatorname{ReLU}(H x_u + b)$. Because
# {eq}`reconet-out` is linear and {eq}`reconet-pool` is a mean, the logit of item $j$ splits exactly into one term per
# feature of the user, which is what layer-wise relevance propagation {cite:p}`bach2015` gives for this network:
#
# $$
# \hat y_j = \sum_{k \in FS_u} Z_{k \to j}, \qquad Z_{k \to j} = \frac{w_j \cdot q_k}{|FS_u|}.
# $$ (reconet-lrp)
#
# LIME {cite:p}`ribeiro2016` explains the same score by fitting a sparse linear model to the network's outputs on
# perturbed profiles; the paper compares the two explanations and their cost.

# %% [markdown]
# ## Data and split
#
# As in the paper, ratings ≥ 3 are positives and the rest is unknown (one-class data). The paper says "a 60–20–20
# split for training, developing and testing" and follows the evaluation of Collaborative Metric Learning (CML)
# {cite:p}`hsieh2017`, whose code splits **per user**: each user with at least five positives has her positives
# shuffled and cut 60 / 20 / 20. We split per user for that reason, and because it gives every test user a training
# history, which the cold-start experiment then removes on purpose (a split per interaction would leave some test
# users without any history by chance).

# %% [markdown]
# - **Recall@k** is CML's: hits among the top k divided by the number of the user's test items (no min(k, n) cap),
#   averaged over users. The user's training items are removed from the ranking, and at test time her validation
#   items too: they are known positives, not targets.
# - **Features**: every movie, the user's gender, age group and occupation, and the genres of the movies she saw:
#   the paper's $FS_u$ of {eq}`reconet-pool`, as a 0/1 vector. Whether the decade of release joins the item
#   attributes is decided on validation below.

# %%
ds = data.load(dataset, data_dir=data_dir)
split = splits.per_user_split(ds, min_rating=3, seed=seed, n_users=SETTINGS["users"])
display(pd.Series(split.summary(), name=ds.name).to_frame())

# %% [markdown]
# The table counts the users and movies this run keeps and the positives of each part of the split.

# %% [markdown]
# ## Table 1: recall@50
#
# **RecoNet** exactly as section 4.1: one shared embedding matrix, average pooling {eq}`reconet-pool`, one linear
# layer without bias to the movies and a softmax {eq}`reconet-out`, cross-entropy, Xavier initialisation. Adam,
# learning rate 4·10⁻³ and batches of 1,024 are our choices, since the paper gives none. **RecoNet + Layer** puts
# one hidden ReLU layer after the pooling, of the width and embedding size the budget table below prints for this
# run.

# %% [markdown]
# **Training examples** (section 4.2). Each removes one movie as the label, and further features (movies and
# attributes alike) with probability 1/(r+1)^β after r removals; one epoch draws one example per training positive.
# The paper selects β by cross-validation without giving its grid or value; we try β ∈ {0.5, 1, 2, 4}.
#
# **One choice the paper does not make:** a training example's input also loses the label's genres that no
# remaining movie of the user carries, so that the input does not reveal the label's genres (the ablation below
# trains without this removal).

# %% [markdown]
# **Baselines** (`replicate/baselines/`, written here since no maintained package for them installs on this stack):
#
# - FM, a factorization machine (logistic loss with sampled negatives);
# - OCuLaR {cite:p}`heckel2017`, non-negative co-clustering, P(r = 1) = 1 − exp(−⟨f_u, f_i⟩);
# - item-2-item and user-2-user (cosine);
# - CML {cite:p}`hsieh2017`, metric learning with WARP-like weights;
# - popularity, as a floor.
#
# *With attributes* means user demographics and item genres for FM and OCuLaR, item genres for CML (its feature
# extension covers items only), and everything in $FS_u$ for RecoNet.

# %% [markdown]
# **The tuning budget, the same rule for every method** (`replicate/papers/reconet/table1.py`):
#
# - at most four configurations per method, fixed in advance (each baseline's `GRID`, β for RecoNet);
# - an iterative method trains each configuration for a quarter of its epoch budget, and the best on validation
#   recall@50 is trained again with the full budget; closed-form methods are fitted once per configuration;
# - no early stopping;
# - the decade of release is tried once, in a short run of RecoNet with attributes, and kept for every method with
#   attributes if it raises validation recall@50;
# - **the search runs once, on seed 0**; the other seeds of a sweep retrain the configurations seed 0 chose.
#
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
# The first table gives this run's budget; the second sets our recall@50 beside the paper's for each method, without
# and with attributes, and the figure draws both. {glue:text}`table1_reading` RecoNet with attributes reaches
# {glue:text}`reconet_with` against OCuLaR's {glue:text}`ocular_with`.

# %% [markdown]
# Every configuration tried, with its validation recall@50 (after the short run for iterative methods; on seeds
# other than 0, only the configuration seed 0 chose):

# %%
display(table1.trials().style.format({"validation recall@50": "{:.4f}"}))

# %% [markdown]
# Each method's configuration of highest validation recall@50 here is the one Table 1 uses (trained again with the
# full budget where the method is iterative).

# %% [markdown]
# Each value of the table is a claim, replicated when ours lies within a tenth of the paper's and no other method's
# value of ours, put in its place, does too (its null: every other row of the same column, popularity included, the
# one closest to the paper's value recorded): a band wide enough to hold another method says nothing of this one. The
# paper's B2B columns and its description of that data are rows we cannot measure.

# %%
with ch.controls():  # every other row of the column in the cell's place: fitted with the table, no extra cost
    popularity = float(frame.loc["popularity", "ours_without"])
    cell_nulls = {row["id"]: v.other_rows(frame, row["id"]) for row in t1.claim_rows(frame)}
for row in t1.claim_rows(frame):
    v.record(ch, row["id"], v.Measured(row["ours"]), nulls=cell_nulls[row["id"]])
for row in t1.claim_rows(frame, b2b=True):
    ch.record(row["id"])
ch.record("t1_popularity_without", popularity)
ch.record("b2b_size")
ch.glue(
    "t1_verdicts", "; ".join(f"{c.id}: {c.verdict}" for c in ch.claims if c.id.startswith("t1_") and c.kind == "paper")
)

# %% [markdown]
# The verdict of each MovieLens cell in this run: {glue:text}`t1_verdicts`. The scorecard gives each cell's null, the
# other row of the column closest to the paper's value.

# %% [markdown]
# ### The paper's readings of its table
#
# *RecoNet is competitive with the best techniques*: the caption sets the two best of each column in bold, and in the
# paper RecoNet is one of them in both MovieLens columns (with OCuLaR). We check RecoNet's place in both columns, and
# the whole order of the methods against the paper's (Kendall's τ) with RecoNet in the top two; a method missing from
# ours counts against RecoNet. The null puts popularity in RecoNet's place.

# %%
for part in ("without", "with"):
    ours_column = t1.column(frame, part)
    null_column = v.in_place(ours_column, "RecoNet", popularity)
    note = v.among_two_best(ours_column, "RecoNet").note
    for claim_id in (f"reconet_two_best_{part}", f"order_{part}"):
        ch.record(claim_id, v.order(ours_column), null=v.order(null_column), note=note)
ch.glue(
    "order_verdicts", ch.verdicts("reconet_two_best_without", "order_without", "reconet_two_best_with", "order_with")
)

# %% [markdown]
# In this run: {glue:text}`order_verdicts`. The note of each row gives our order of the column, best first, with
# each method's recall@50.

# %% [markdown]
# *The extra layer does not help*: RecoNet + Layer's largest relative gain over RecoNet, over the two columns, with a
# paired bootstrap over test users, is at most a 1 % margin. This is a claim of absence. Its positive control plants
# a gain of twice the margin (RecoNet + Layer's per-user recall shifted to a mean 2 % above RecoNet's, the users' own
# differences kept) and must be rejected by the same rule, else the claim could not have seen a difference.

# %% [markdown]
# *Attributes help RecoNet*: Table 1 gives RecoNet 0.3294 without attributes and 0.3508 with them. The paper's size
# is the claim: our relative gain lies within half of the paper's either way, the whole paired interval. The sign
# alone (any gain, the paired interval above 0) is a weaker reading, recorded apart. Their nulls, the strongest
# recorded and the others in the note:
#
# - RecoNet trained with shuffled attributes (each user's demographics another user's, each movie's genres another
#   movie's);
# - the seed's noise: RecoNet without attributes trained at another seed against ours without attributes, in either
#   direction (the paired interval over users leaves out how much training's seed moves the gain).

# %%
without_users, with_users = t1.per_user(table1, False), t1.per_user(table1, True)
columns = {"without": without_users, "with": with_users}
layer_gain = v.largest_gain({p: (u["RecoNet + Layer"], u["RecoNet"]) for p, u in columns.items()})
attributes_gain = v.relative_gain(with_users["RecoNet"], without_users["RecoNet"], "with vs without: ")
with ch.controls():
    planted = {
        p: (v.planted_gain(u["RecoNet + Layer"], u["RecoNet"], claims.LAYER_CONTROL_GAIN), u["RecoNet"])
        for p, u in columns.items()
    }
    shuffled_space = features.shuffled_attributes(table1.spaces[True], null_rng)
    shuffled_users, _ = t1.reconet_variant(table1, split, budget, seed=seed, device=device, space=shuffled_space)
    shuffled_gain = v.relative_gain(shuffled_users, without_users["RecoNet"], "shuffled vs without: ")
    other_seed, _ = t1.reconet_variant(
        table1, split, budget, seed=seed + claims.NULL_OFFSET, device=device, attributes=False
    )
    attribute_nulls = {
        "shuffled attributes": shuffled_gain,
        "seed noise, other seed over ours": v.relative_gain(other_seed, without_users["RecoNet"]),
        "seed noise, ours over other seed": v.relative_gain(without_users["RecoNet"], other_seed),
    }
v.record(ch, "layer_not_better", layer_gain, v.largest_gain(planted))
v.record(ch, "attributes_help_reconet", attributes_gain, nulls=attribute_nulls)
v.record(ch, "attributes_help_reconet_sign", attributes_gain, nulls=attribute_nulls)
ch.glue("gain_verdicts", ch.verdicts("layer_not_better", "attributes_help_reconet", "attributes_help_reconet_sign"))

# %% [markdown]
# RecoNet with attributes gains {glue:text}`attributes_gain` over RecoNet without, on the same test users. In this
# run: {glue:text}`gain_verdicts`.

# %% [markdown]
# *Item similarity works best with cosine*: the paper tuned Turicreate's item-2-item and "obtained the best results
# using cosine similarity". We score item-2-item with cosine, Jaccard and Pearson (the phi coefficient of two binary
# columns) at the neighbourhood size Table 1 chose, and ask whether cosine beats the better of the other two on the
# test users (paired interval above 0). Its nulls:
#
# - another similarity in cosine's place: Jaccard or Pearson against the better of the other two (does any
#   similarity "win" by this measure?);
# - popularity in cosine's place.

# %%
item2item_top_k = table1.get("item-2-item", False).config["top_k"]
similarities = item_similarity.similarity_users(split, item2item_top_k)
cosine_best = v.best_minus_rest(similarities, "cosine", ["jaccard", "pearson"])
with ch.controls():  # another similarity in cosine's place (the permutation null); popularity in cosine's place
    with_popularity = {**similarities, "popularity": table1.get("popularity", False).users}
    cosine_nulls = {
        "Jaccard in cosine's place": v.best_minus_rest(similarities, "jaccard", ["cosine", "pearson"]),
        "Pearson in cosine's place": v.best_minus_rest(similarities, "pearson", ["cosine", "jaccard"]),
        "popularity in cosine's place": v.best_minus_rest(with_popularity, "popularity", ["jaccard", "pearson"]),
    }
v.record(ch, "item_similarity_cosine_best", cosine_best, note=f"top_k = {item2item_top_k}", nulls=cosine_nulls)
ch.glue("cosine_margin", cosine_best.ours, "+.4f")
ch.glue("cosine_verdict", ch.recorded("item_similarity_cosine_best").verdict)

# %% [markdown]
# Cosine's mean recall@50 over the test users minus the better of Jaccard's and Pearson's is
# {glue:text}`cosine_margin`: the claim is {glue:text}`cosine_verdict` in this run.

# %% [markdown]
# ### Why RecoNet may miss the two best, and attributes may not help it
#
# Ranked by how plausible they are, with a run for each (book checks, each able to fail):
#
# 1. **The top of the table is within noise.** If the second and third methods of the with-attributes column cannot
#    be told apart on the test users, "among the two best" is decided by chance, whatever the verdict says. The check
#    below asks whether the second beats the third (paired bootstrap over users). The same reasoning applies to "the
#    extra layer does not help": if RecoNet + Layer and RecoNet cannot be told apart where the layer comes closest,
#    the verdict on the layer's gain moves with the seed; the second check asks whether the layer beats RecoNet there.

# %% [markdown]
# 2. **Our removal of the label's genres** (the choice above) may hide exactly the attribute signal the paper's
#    RecoNet exploits. The ablation retrains RecoNet with attributes keeping the label's genres in the input, and
#    asks the paper's question again: does it beat RecoNet without attributes by the same margin?

# %%
ch.glue("beta_reading", v.beta_reading(table1))
v.record(ch, "second_beats_third_with", v.second_beats_third(with_users, t1.column(frame, "with")))
v.record(ch, "layer_beats_reconet", v.layer_minus_reconet(without_users, with_users))
kept_users, _ = t1.reconet_variant(table1, split, budget, seed=seed, device=device, drop_label_attributes=False)
ablation = v.relative_gain(kept_users, without_users["RecoNet"], "label's genres kept vs without attributes: ")
v.record(ch, "ablation_keep_label_genres", ablation)
ch.glue("ablation_gain", ablation.ours, fmt="+.1%")
ch.glue("attributes_gain", attributes_gain.ours, fmt="+.1%")
ch.glue("noise_verdicts", ch.verdicts("second_beats_third_with", "layer_beats_reconet", "ablation_keep_label_genres"))

# %% [markdown]
# In this run: {glue:text}`noise_verdicts`. With the label's genres kept, RecoNet with attributes gains
# {glue:text}`ablation_gain` over RecoNet without (with our removal: {glue:text}`attributes_gain`). If the ablation
# row replicates where the paper's row does not, our removal is the cause and the paper's RecoNet kept the label's
# genres; if both fail, the removal is not the cause.

# %% [markdown]
# 3. **The training budget.** If the epochs we give stop before a plateau, the variant that learns more slowly (the
#    one with more inputs) is penalised. The learning curves train both variants for twice the budget.
# 4. **β.** If β mattered, a β grid too coarse would cost RecoNet. Of this run's β grid:
#    {glue:text}`beta_reading`.
# 5. **A baseline's search stopped short**, which would move the table's order: the next section runs each
#    baseline's grid one step longer and asks "among the two best" again.

# %%
curves = t1.learning_curves(table1, split, budget, factor=2, seed=seed, device=device)
for name, part in zip(curves, ("without", "with")):
    note = f"{budget.reconet.epochs} → {2 * budget.reconet.epochs} epochs"
    v.record(ch, f"plateau_{part}", v.plateau(curves[name], budget.reconet.epochs), note=note)
ch.figure(figs.plot_learning_curve(curves, budget.reconet.epochs), "learning_curve")
ch.glue("plateau_verdicts", ch.verdicts("plateau_without", "plateau_with"))

# %% [markdown]
# The plateau rows say whether more epochs would change the comparison; in this run: {glue:text}`plateau_verdicts`.

# %% [markdown]
# ### Why the values of Table 1 may differ from the paper's
#
# The `t1_*` rows compare each value with the paper's. Where they miss, the most plausible causes, ranked:
#
# 1. **One shift for every method.** Recall@50 depends on the protocol as much as on the method: the split (ours per
#    user, the paper's unstated beyond "60–20–20"), how many test items a user has, which ML-1M ratings count. Such
#    causes move every method by about the same factor. The check divides our values by the paper's, takes the median
#    ratio as the common factor, and counts the values that fall within the `t1_*` band once that factor is divided
#    out: if most do, the misses are the protocol's, not any one implementation's.

# %% [markdown]
# 2. **A baseline's grid stops short.** A configuration chosen at the edge of its grid may have a better neighbour
#    beyond it, and the paper searched for "at least two days" per technique. For every baseline row whose choice
#    sits at an edge:
#    - the search is run one step longer (one more step of the grid's own ratio on that hyperparameter,
#      `t1.past_edge`; rule written before any run), with the same short budget;
#    - a configuration that wins on validation is trained with the full budget, as the tuning rule says;
#    - "RecoNet among the two best" is asked again of the table with the extended search's choices.

# %% [markdown]
# A step that wins the short runs may still lose after the full budget: then the short budget misleads, not the grid,
# and the "two best" row says how fragile the reading is to the search rather than that the baselines got stronger.
# This extends the search, so it runs where the search runs: seed 0 (its rows are about one seed).

# %%
scale = v.common_scale(t1.cells(frame), t1.cells(frame, "paper"), band=claims.CLAIMS["t1_fm_without"].rule.rel)
v.record(ch, "t1_common_scale", scale)
ch.glue("t1_scale_share", scale.ours, fmt=".0%")
edges = t1.edge_runs(table1, split, budget, seed=seed, device=device)
display(t1.edge_frame(table1, edges).style.format(precision=4, na_rep="—"))
for claim in v.edge_claims(table1, edges, frame, seed):
    ch.record(claim.pop("id"), **claim)
changed_rows, better_rows = t1.edge_outcome(table1, edges)
ch.glue("t1_edge_changed", changed_rows)
ch.glue("t1_edge_better", better_rows)
ch.glue("extended_verdicts", "; ".join(f"{c.id}: {c.verdict}" for c in ch.claims if "extended" in c.id))

# %% [markdown]
# Once one common factor is divided out, {glue:text}`t1_scale_share` of Table 1's values lie within the band. The
# edge rows say, per baseline, whether one more step of its grid wins the short runs (their table above gives the
# configurations and the test recall of any that would); the extended search changes {glue:text}`t1_edge_changed`
# rows, of which {glue:text}`t1_edge_better` end up better on test after the full budget. The last rows say whether
# the paper's reading survives the extended search: {glue:text}`extended_verdicts`.

# %% [markdown]
# ## Figure 4: cold start
#
# 10 % of the test users lose their whole history from training (`share=0.1` below). RecoNet, OCuLaR, CML and FM
# are retrained with the configurations Table 1 chose, with attributes, and rank movies for those users from what
# they know of them, their demographics:
#
# - RecoNet averages the embeddings of her gender, age group and occupation ({eq}`reconet-pool`);
# - OCuLaR fits her factors to her demographic columns;
# - FM uses her attribute features;
# - CML, which has no user features, has only an untrained vector for her.
#
# The paper does not say what its cold-start users are given at test time; this is our reading of "their history
# was removed from the training data".

# %% [markdown]
# Three more lines:
#
# - popularity, the floor (dotted grey);
# - popularity within the user's gender × age group, what demographics alone give;
# - dashed, the same RecoNet (not retrained) fed the cold users' histories at inference, the situation the paper's
#   design is built for.

# %%
cold = cold_start.run_cold_start(table1, split, budget, share=0.1, seed=seed, device=device)
print(f"{len(cold.users)} cold-start users")
ch.figure(figs.plot_cold_start(cold.curves), "cold_start")
display(
    pd.DataFrame({"mean recall over k": cold.mean_recall(), "recall@50": {n: c[-1] for n, c in cold.curves.items()}})
)

# %% [markdown]
# The figure draws recall@k for k = 1..50 and the table its mean over k and its end point. Over the curve, RecoNet
# reaches {glue:text}`cold_ratio` times OCuLaR's recall.

# %% [markdown]
# The paper reads its curves over the whole range k = 1..50, so each claim compares the methods' recall averaged over
# k (the area under the curve), with a paired bootstrap over the cold users:
#
# - *comparable with OCuLaR* is `cold_comparable_ocular`, on RecoNet / OCuLaR;
# - *substantially better than CML and FM* is `cold_beats_cml_fm`, on RecoNet / the better of the two.
#
# The null of both puts popularity, which knows nothing of the cold users, in RecoNet's place.

# %% [markdown]
# *The model does not require retraining in the presence of new users* (abstract, §4) is the dashed line read
# against the model that was retrained with them. `no_retraining_new_users` divides the not-retrained RecoNet's
# recall over the curve by that of Table 1's RecoNet with attributes (trained with the cold users' histories), on the
# same cold users, and asks for at least 90 % of it (Table 1's ±10 %), the whole paired interval. An interval too wide
# to clear the bound is inconclusive, not a pass, so no positive control is needed for this non-inferiority reading.

# %% [markdown]
# The abstract ties the sentence to cold start ("addresses cold-start issues, and therefore ..."), so its nulls, in
# the not-retrained RecoNet's place, are popularity (which needs no retraining because it ignores the user) and CML
# with an untrained vector for each new user (a model that does need retraining); the stronger is recorded.

# %%
cold_pairs = {"cold_comparable_ocular": ["OCuLaR"], "cold_beats_cml_fm": ["CML", "FM"]}
with ch.controls():  # popularity, fitted with the curves, in RecoNet's place
    cold_nulls = {i: v.curve_ratio(["popularity"], below, cold.per_user) for i, below in cold_pairs.items()}
for claim_id, below in cold_pairs.items():
    v.record(ch, claim_id, v.curve_ratio(["RecoNet"], below, cold.per_user), cold_nulls[claim_id])
retrained = {**cold.per_user, "Table 1's RecoNet": cold_start.retrained_curves(table1, split, cold.users)}
not_retrained = v.curve_ratio(["RecoNet, history given at inference"], ["Table 1's RecoNet"], retrained)
with ch.controls():  # popularity (needs no retraining), CML's untrained vector (needs it) in its place
    not_retrained_nulls = {m: v.curve_ratio([m], ["Table 1's RecoNet"], retrained) for m in ("popularity", "CML")}
v.record(ch, "no_retraining_new_users", not_retrained, nulls=not_retrained_nulls)
ch.record("b2b_cold_share")
ch.glue("not_retrained_ratio", not_retrained.ours, ".2f")
ch.glue(
    "cold_verdicts",
    "; ".join(f"{c.id}: {c.verdict}" for c in ch.claims if c.id in [*cold_pairs, "no_retraining_new_users"]),
)

# %% [markdown]
# Not retrained, RecoNet keeps {glue:text}`not_retrained_ratio` of the retrained model's recall over the curve. In this
# run: {glue:text}`cold_verdicts`.

# %% [markdown]
# ### Why cold start may not replicate
#
# 1. **Demographics carry little signal on ML-1M.** If the popularity of the movies within the user's gender × age
#    group hardly beats global popularity, no method that sees only demographics can do much better than the floor,
#    and the differences between the methods say little about them. Measured below (`cold_demographic_signal`).
# 2. **Our training misses what signal there is.** Then RecoNet falls below the floor (`cold_reconet_above_floor`),
#    which a model that learned anything about these users should not.

# %% [markdown]
# 3. **OCuLaR's fit for a cold user.** Its factors for such a user come from three attribute columns only. The test
#    suite checks on a hand-made case (`tests/test_reconet_cold.py`: two groups with clear tastes, a cold user of one
#    of them) that she is scored towards her group's movies. It is, with OCuLaR's stronger regularisations. With the
#    weakest of its grid, the attribute columns get co-clusters of their own, the cold user joins only those, and her
#    affinity to every movie is exactly zero: a tie, which ranks the movies by index. The check below counts the cold
#    users left without any ranking by OCuLaR.

# %%
signal = v.curve_ratio(["popularity by gender x age"], ["popularity"], cold.per_user)
floor = v.curve_ratio(["RecoNet"], ["popularity"], cold.per_user)
ch.glue("group_vs_popularity", signal.ours, fmt=".2f")
ch.glue("reconet_vs_popularity", floor.ours, fmt=".2f")
ch.glue("ocular_constant", cold.constant["OCuLaR"], fmt=".0%")
ocular_config = f"OCuLaR's configuration: {table1.get('OCuLaR', True).config}"
ch.record("cold_ocular_ranks", cold.constant["OCuLaR"], note=ocular_config)
v.record(ch, "cold_demographic_signal", signal)
v.record(ch, "cold_reconet_above_floor", floor)
ch.glue("floor_verdicts", ch.verdicts("cold_demographic_signal", "cold_reconet_above_floor"))

# %% [markdown]
# Over the curve, group popularity reaches {glue:text}`group_vs_popularity` times global popularity, and RecoNet
# {glue:text}`reconet_vs_popularity` times; in this run: {glue:text}`floor_verdicts`. OCuLaR leaves
# {glue:text}`ocular_constant` of the cold users without any ranking.

# %% [markdown]
# ## Figure 5: one recommendation explained
#
# From here on the models are Table 1's RecoNet and RecoNet + Layer with attributes. For every test user we take her
# top recommendation (training and validation movies excluded) and explain it with the three LRP steps of
# section 4.3 (`replicate/papers/reconet/lrp.py`, checked against captum's LRP in the tests). In the linear RecoNet
# the relevances of a user's features add up exactly to the target's logit ({eq}`reconet-lrp`), an identity of the
# method recorded as a fact (`lrp_conservation`).

# %% [markdown]
# **The paper's example.** The top six positive features behind a recommendation of *Men in Black* are the user's
# gender and age and movies of the action and sci-fi genres. We explain *Men in Black* for the test users who rank it
# best (rank 1: it is their top recommendation; when too few have it first, the next-best ranks, the nearest cases,
# as the note says). We ask whether their top six features are **the ones the paper names** more often than **six
# features drawn at random from the same profile**. The ones named are the user's gender, her age and movies of the
# action or sci-fi genres (the genre features themselves and the occupation are not named).

# %% [markdown]
# The paper's sentence has two halves ("based on gender and age, as well as previously watched movies in the action
# and sci-fi genres"), so each is a claim:
#
# - gender and age in the top six (`fig5_gender_age`);
# - action and sci-fi movies in the top six (`fig5_action_scifi`).

# %% [markdown]
# **Two nulls**, the stronger of the two recorded. The first is *an untrained RecoNet of seed + 1000, with **its
# own** users*, picked by its own scores the same way and measured by the same function. Picking users who rank the
# movie highly is itself a selection: an untrained RecoNet's favourite users for Men in Black share demographics or
# genres that its random weights happen to tie to the movie, and these rise into the top six without any training
# (under the chapter's earlier, broader reading of the features, 8 seeds in 20 passed the rule so). The claim
# replicates only where training does what the selection alone does not.

# %% [markdown]
# The second null puts *another movie of neither genre, Toy Story, in Men in Black's place* (its own users, the same
# features counted): if action and sci-fi movies rise into the top six of any recommendation, they say nothing of
# Men in Black's.

# %%
models = {name: table1.get(name, True).scorer.trained.model for name in ("RecoNet", "RecoNet + Layer")}
model, space = models["RecoNet"], table1.spaces[True]
profiles, exclude = explain.ranking_inputs(space, split, device=device)
targets, logits, relevances = lrp.explain_top(model, profiles, exclude)
gap = (relevances.double().sum(dim=1) - logits.double()).abs().max().item()
ch.record("lrp_conservation", gap)
case, fig5 = v.fig5(model, space, profiles, exclude)
with ch.controls():  # an untrained RecoNet of another seed; another movie; each with its own users
    _, fig5_untrained = v.fig5(untrained_like(model, seed + claims.NULL_OFFSET), space, profiles, exclude)
    _, fig5_other = v.fig5(model, space, profiles, exclude, title=claims.FIG5_OTHER)
ranks_note = f"its rank for them: {', '.join(map(str, case.ranks))}"
for half in ("gender_age", "action_scifi"):
    fig5_nulls = {"untrained": fig5_untrained[half], claims.FIG5_OTHER: fig5_other[half]}
    v.record(ch, f"fig5_{half}", fig5[half], note=ranks_note, nulls=fig5_nulls)
ch.glue("fig5_verdicts", ch.verdicts("fig5_gender_age", "fig5_action_scifi"))

# %% [markdown]
# In this run: {glue:text}`fig5_verdicts`. The note of each row gives Men in Black's rank for the users explained.

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
# The table lists the six most relevant features of the user who ranks Men in Black best, with their kinds and
# relevances; the Sankey draws them.

# %% [markdown]
# The same explanation to explore: hover a flow for the feature, its kind and its relevance.

# %%
ch.interactive(explanation_sankey(top6["feature"], top6["kind"], top6["relevance"], case.title), "sankey")

# %% [markdown]
# ## Figures 6 and 7: are the relevant features pertinent?
#
# For each test user we remove her k most relevant features and measure
# $\Delta \hat y_c = f_c(x \text{ without them}) - f_c(x)$ on the logit of the recommended movie $c$, against removing
# k features drawn at random from her profile. "Removing" sets the feature's entry of $I_u$ to zero, and the mean of
# {eq}`reconet-pool` averages over what remains. The curves use the users with more than k_max features (so that
# something remains); "top 1" against "random 1" uses every test user.

# %% [markdown]
# **For the linear RecoNet this test cannot fail.** By {eq}`reconet-lrp`, its logit is the mean of
# $w_c \cdot q_k$ over the present features, and LRP's relevance of feature $k$ is $w_c \cdot q_k / |FS_u|$. So
# removing the k most relevant features leaves the smallest possible mean of any k-subset removal: the drop is at
# least the random one for every user and every k. We draw it, since the paper does, but record the claims on
# RecoNet + Layer, whose ReLU layer makes LRP an approximation that can fail this test.

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

# %% [markdown]
# The figure draws each model's mean drop against k, LRP's top k beside k random features; on the linear RecoNet the
# first cannot lie above the second, by construction.

# %% [markdown]
# **Their nulls**, the stronger of the two recorded (the other in its note):
#
# - a random ranking in LRP's place asks whether LRP's ranking is faithful to the model it explains;
# - an *untrained* RecoNet + Layer of seed + 1000 in the trained one's place (LRP on its own top recommendation, the
#   same users and random features), since LRP may decompose a mean-pooled network well whatever its weights.
#
# A claim the untrained network passes too is uninformative: it shows that LRP is faithful on this architecture, not
# that training made it so. "Significantly decreases" needs the paired interval over users below zero.

# %% [markdown]
# **Trained against untrained, in their own units.** The untrained network's logits are far smaller than the trained
# one's, so a book reading compares the two in their own units: per user, the top-k drop minus the random-k drop in
# units of the spread of the network's logits over the movies (the scale at which its ranking is decided), trained
# minus untrained (`pertinence_trained_vs_untrained`, a bootstrap over the users). Its null is a second untrained
# network, of the next seed, against the first.

# %%
top_k, random_k = (curves[f"RecoNet + Layer: {label}"][:, -1] for label in ("top-k (LRP)", "random k"))
pertinence = v.paired_shift(top_k, random_k)
with ch.controls():  # a second random ranking in LRP's place; untrained RecoNet + Layer of seed + 1000 and + 1001
    other_keys = deletion.random_scores(profiles > 0, null_rng)
    other_k = deletion.deletion_deltas(
        models["RecoNet + Layer"], profiles[rich], layer_targets[rich], other_keys[rich], ks[-1:]
    )[:, 0]
    blank, blank_other = (
        explain.untrained_drops(models["RecoNet + Layer"], seed + offset, profiles, exclude, rich, random_keys, ks[-1])
        for offset in (claims.NULL_OFFSET, claims.NULL_OFFSET + 1)
    )
    pertinence_nulls = {
        "second random ranking": v.paired_shift(other_k, random_k),
        "untrained": v.paired_shift(blank["top_k"], blank["random_k"]),
    }
    trained_gap_null = v.pertinence_gap(*(d[x] for d in (blank_other, blank) for x in ("top_k", "random_k", "scale")))
v.record(ch, "pertinence_drop", pertinence, note=f"k = {ks[-1]}", nulls=pertinence_nulls)
trained_spread = explain.logit_spread(models["RecoNet + Layer"], profiles[rich])
trained_gap = v.pertinence_gap(top_k, random_k, trained_spread, blank["top_k"], blank["random_k"], blank["scale"])
v.record(ch, "pertinence_trained_vs_untrained", trained_gap, trained_gap_null, note=f"k = {ks[-1]}")
ch.glue("pertinence_shift", pertinence.ours, "+.3f")
ch.glue("pertinence_gap", trained_gap.ours, ".2f")
ch.glue("pertinence_verdicts", ch.verdicts("pertinence_drop", "pertinence_trained_vs_untrained"))

# %% [markdown]
# At the largest k, removing LRP's top features of RecoNet + Layer moves the logit by {glue:text}`pertinence_shift`
# more than removing random ones (mean over users; negative: a larger drop). Trained minus untrained, in units of the
# logits' spread: {glue:text}`pertinence_gap`. In this run: {glue:text}`pertinence_verdicts`.

# %% [markdown]
# *Figure 7*: "top 1" against "random 1" over every test user. The paper's Mann–Whitney question ("do the samples
# come from the same distribution?") is two-sided. Figure 7's shapes are measured by quartile skewness with bootstrap
# intervals: the moment skewness, in the notes, is ruled by a few outliers here (on two random rankings of the same
# users it differed beyond its interval).

# %%
layer = models["RecoNet + Layer"]
top1 = deletion.deletion_deltas(layer, profiles, layer_targets, layer_relevances, [1])[:, 0]
random1 = deletion.deletion_deltas(layer, profiles, layer_targets, random_keys, [1])[:, 0]
mann_whitney = v.mann_whitney(top1, random1)
ch.figure(figs.plot_top1_random1(top1, random1, mann_whitney.ours), "top1_random1")
ch.glue("top1_p", mann_whitney.ours, ".1e")

# %% [markdown]
# On RecoNet + Layer, the histograms set the drop of removing the top feature beside that of removing a random one;
# Mann–Whitney's p-value between the two is {glue:text}`top1_p` (the paper: p < 10⁻⁴).

# %%
with ch.controls():  # 'top 1' of a second random ranking, or of the untrained network, in LRP's; a planted skew
    other1 = deletion.deletion_deltas(layer, profiles, layer_targets, other_keys, [1])[:, 0]
    shape_nulls = {
        name: [v.paired_shift(a, b), v.mann_whitney(a, b), v.skew(a), v.skew_gap(a, b)]
        for name, (a, b) in {
            "second random ranking": (other1, random1),
            "untrained": (blank["top1"], blank["random1"]),
        }.items()
    }
    symmetry_control = v.skew(v.plant_skew(random1, claims.SKEW_CONTROL))
shapes = [v.paired_shift(top1, random1), mann_whitney, v.skew(top1), v.skew_gap(top1, random1)]
shape_ids = ["top1_shift", "top1_mannwhitney", "top1_negative_skew", "top1_skew_gap"]
for j, (claim_id, measured) in enumerate(zip(shape_ids, shapes)):
    v.record(ch, claim_id, measured, nulls={name: found[j] for name, found in shape_nulls.items()})
v.record(ch, "random1_symmetric", v.skew(random1), symmetry_control)
ch.record("b2b_explanations")
ch.glue("shape_verdicts", "; ".join(f"{c.id}: {c.verdict}" for c in ch.claims if c.id.startswith(("top1_", "random1"))))

# %% [markdown]
# In this run: {glue:text}`shape_verdicts`. "Random 1 is fairly symmetric" is a claim of absence: its positive
# control plants a skew of twice the margin in random 1, which the rule must reject.

# %% [markdown]
# ## Figure 8 and section 5.5: LIME
#
# captum's `Lime` {cite:p}`kokhlikyan2020captum` explains the same recommendation with the same model as a black box,
# over the presence of each profile feature (`replicate/papers/reconet/lime.py`). Its surrogate is a ridge regression
# on the target logit: captum's default Lasso zeroes nearly every coefficient here.
#
# **On the linear RecoNet a ridge surrogate reproduces LRP's ordering almost by construction**: the model is linear
# in the normalised presence of features ({eq}`reconet-lrp`). So each claim is recorded on RecoNet + Layer, and the
# linear value is a book check.

# %% [markdown]
# The paper's readings of Figure 8 *left*, the deletion curves:
#
# - *"very good agreement among the first four to five features"*: we compare the drop LIME's ranking reaches at
#   k = 1..5 with LRP's (`lime_agreement`, a paired bootstrap over the explained users);
# - *RecoNet's later features matter more* (k ≥ 6): LIME's mean drop at k ≥ 6 lies between LRP's (0) and a random
#   ranking's (1), with a paired bootstrap over the explained users, so that RecoNet decreases the output more than
#   LIME and LIME still beats chance (`lime_deletion_weaker`; redesigned: the plain LRP − LIME difference at k ≥ 6
#   passed on a random explainer in LIME's place).

# %% [markdown]
# The nulls of both claims, the stronger recorded: a random ranking in LIME's place, on the same users, and the
# untrained RecoNet + Layer of seed + 1000, explained by LIME (the same users and samples) and by LRP on its own top
# recommendation.

# %%
explained = rng.choice(rich.cpu().numpy(), size=min(SETTINGS["lime_users"], len(rich)), replace=False)
study = explain.lime_study(models, explained_by, profiles, explained, ks, SETTINGS["lime_samples"], random_keys)
ch.figure(figs.plot_deletion(ks, study.curves), "lime_deletion")
agreement = {name: v.deletion_agreement(study.curves[f"{name}: LRP"], study.curves[f"{name}: LIME"]) for name in models}
layer_curves = {label: study.curves[f"RecoNet + Layer: {label}"] for label in ("LRP", "LIME", "random")}
weaker = v.later_between(layer_curves["LRP"], layer_curves["LIME"], layer_curves["random"])

# %% [markdown]
# The figure draws the deletion curves of LRP, LIME and a random ranking for both models, over the explained users.

# %%
with ch.controls(), torch.random.fork_rng(devices=[]):  # LIME's draws for the null leave ours as they were
    # a random ranking in LIME's place; the untrained RecoNet + Layer explained by LIME and LRP
    other_rows, other_targets = profiles[explained], layer_targets[explained]
    other_curves = deletion.deletion_deltas(layer, other_rows, other_targets, other_keys[explained], ks)
    blank_study = explain.lime_study(
        {"untrained": blank["model"]},
        {"untrained": (blank["targets"], blank["relevances"])},
        *(profiles, explained, ks, SETTINGS["lime_samples"], random_keys),
    )
    blank_curves = [blank_study.curves[f"untrained: {label}"] for label in ("LRP", "LIME", "random")]
    agreement_nulls = {
        "random ranking": v.deletion_agreement(layer_curves["LRP"], layer_curves["random"]),
        "untrained": v.deletion_agreement(*blank_curves[:2]),
    }
    weaker_nulls = {
        "random against random": v.later_between(layer_curves["LRP"], layer_curves["random"], other_curves),
        "untrained": v.later_between(*blank_curves),
    }
v.record(ch, "lime_agreement", agreement["RecoNet + Layer"], nulls=agreement_nulls)
v.record(ch, "lime_agreement_linear", agreement["RecoNet"])
v.record(ch, "lime_deletion_weaker", weaker, nulls=weaker_nulls)
ch.glue("lime_verdicts", ch.verdicts("lime_agreement", "lime_agreement_linear", "lime_deletion_weaker"))

# %% [markdown]
# In this run: {glue:text}`lime_verdicts`.

# %% [markdown]
# *Figure 8 right*, "a good agreement of feature importance for LIME and RecoNet for a recommendation instance for
# the movie Fargo", is read over every explained user of RecoNet + Layer, since one instance decides nothing: the
# share of LRP's top five features among LIME's top five, at least three in five over the whole t interval. Its
# nulls: a random ranking in LIME's place, and the untrained network's LIME against its LRP. The instance drawn is a
# user recommended *Fargo* when there is one (the note says which), else the first explained user.

# %%
fargo = [j for j, u in enumerate(explained) if str(space.labels[int(layer_targets[u])]).startswith("Fargo")]
instance = fargo[0] if fargo else 0
u, layer_weights = int(explained[instance]), study.weights["RecoNet + Layer"]
union = list(
    dict.fromkeys(
        torch.topk(layer_relevances[u], 5).indices.tolist() + torch.topk(layer_weights[instance], 5).indices.tolist()
    )
)
ch.figure(
    figs.plot_agreement(
        space.labels[union],
        layer_relevances[u, union].cpu().numpy(),
        layer_weights[instance, union].cpu().numpy(),
        title=f"RecoNet + Layer, top-5 features of either method: {space.labels[int(layer_targets[u])]}",
    ),
    "lime_instance",
)

# %% [markdown]
# The bars set LRP's relevance beside LIME's coefficient, each scaled by its largest absolute value, for the union of
# both methods' top five features of the drawn user.

# %%
fargo_agreement = v.top_overlap(layer_relevances[explained], layer_weights, profiles[explained])
with ch.controls():  # the study's random ranking in LIME's place; the untrained network's LIME against its LRP
    fargo_nulls = {
        "random ranking": v.top_overlap(layer_relevances[explained], random_keys[explained], profiles[explained]),
        "untrained": v.top_overlap(
            blank["relevances"][explained], blank_study.weights["untrained"], profiles[explained]
        ),
    }
drawn = f"drawn: user {instance + 1} of the list, {space.labels[int(layer_targets[u])]}"
drawn += "" if fargo else " (no explained user is recommended Fargo)"
v.record(ch, "fig8_fargo_agreement", fargo_agreement, note=drawn, nulls=fargo_nulls)
ch.glue("fargo_overlap", fargo_agreement.ours, ".2f")
ch.glue("fargo_verdict", ch.recorded("fig8_fargo_agreement").verdict)

# %% [markdown]
# Over the explained users, a share {glue:text}`fargo_overlap` of LRP's top five is among LIME's top five; the claim
# is {glue:text}`fargo_verdict` in this run.

# %% [markdown]
# **Times.** LIME's wall time per explanation against LRP's for one user at a time (a forward pass and its
# explanation, batch of one, after a warm-up), on the same users; the paper reports 10–12 s against 10 ms. Only their
# ratio is compared (the absolute times are another machine's). The abstract's "three orders of magnitude" is the
# same ratio read on a log scale: its log10 within ±0.5 of 3.

# %% [markdown]
# The ratio's nulls put another general-purpose explainer in LRP's place, timed the same way: occlusion (one
# inference per feature) and captum's InputXGradient (one gradient, as cheap as LRP). Where a gradient explainer is as
# many times faster than LIME, the ratio measures LIME's cost at our number of samples, not a property of RecoNet's
# explanation, and the claim is uninformative.

# %%
lrp_single = explain.one_by_one_seconds(model, profiles, exclude, explained)
lime_seconds = study.seconds["RecoNet"]
with ch.controls():  # occlusion and InputXGradient in LRP's place, timed the same way
    null_seconds = {
        "occlusion": explain.occlusion_seconds(model, profiles, exclude, explained),
        "InputXGradient": explain.input_x_gradient_seconds(model, profiles, exclude, explained),
    }
lime_note = f"captum, {SETTINGS['lime_samples']} samples, {len(explained)} users"
ch.record("lime_seconds_per_explanation", lime_seconds, note=lime_note)
ch.record("lrp_seconds_per_explanation", lrp_single, note=f"mean over {len(explained)} users")
speed_note = f"LIME {lime_seconds:.3f} s, LRP {lrp_single * 1e3:.2f} ms; " + ", ".join(
    f"{name} {t * 1e3:.2f} ms" for name, t in null_seconds.items()
)
speed_nulls = {name: v.Measured(lime_seconds / t) for name, t in null_seconds.items()}
v.record(ch, "lime_speedup", v.Measured(lime_seconds / lrp_single), note=speed_note, nulls=speed_nulls)
orders_nulls = {name: v.orders_of_magnitude(lime_seconds, t) for name, t in null_seconds.items()}
v.record(ch, "lime_orders_of_magnitude", v.orders_of_magnitude(lime_seconds, lrp_single), nulls=orders_nulls)
ch.glue("speed_verdicts", ch.verdicts("lime_speedup", "lime_orders_of_magnitude"))

# %% [markdown]
# Here LIME takes {glue:text}`speedup` times LRP's time per explanation (log10 {glue:text}`speedup_orders`); the note
# of `lime_speedup` gives each explainer's time, the nulls' included. In this run: {glue:text}`speed_verdicts`.

# %% [markdown]
# *LIME probes several thousands of inferences per explanation*: we count the inputs our LIME evaluates per
# explanation, a fact of our code (the number is our setting), not a result.

# %%
inferences = study.inferences["RecoNet"]
bound = {"bound": SETTINGS["lime_samples"]}
ch.record("lime_inferences_per_explanation", float(np.mean(inferences)), note=lime_note, rule_args=bound)

# %% [markdown]
# The fact row sets the mean count beside our number of samples, {glue:text}`lime_samples`.

# %% [markdown]
# ### Why LIME may disagree with LRP, or not take the paper's time
#
# 1. **LIME's sampling noise.** LIME fits its surrogate to random perturbations of the profile; with too few of them
#    its ranking is noisy and its deletion curve drops less than LRP's for that reason alone. The paper does not give
#    its number of samples. The check explains the same users of RecoNet + Layer again with twice the samples and
#    asks whether LIME's drop comes closer to LRP's (`lime_more_samples`); if it does not, the disagreement is the
#    surrogate's, not its sampling.
# 2. **The time is the samples' and the machine's.** LIME's time grows with its samples (one forward pass each).
#    Timings are not compared between machines (`check` skips them).

# %%
layer_target = explained_by["RecoNet + Layer"][0]
more = explain.more_samples(study, models, "RecoNet + Layer", profiles, layer_target, ks, 2 * SETTINGS["lime_samples"])
toward = v.toward_lrp(layer_curves["LRP"], layer_curves["LIME"], more["curves"])
v.record(ch, "lime_more_samples", toward)
ch.glue("lime_time_ratio", more["seconds"] / study.seconds["RecoNet + Layer"], fmt=".1f")
paper_seconds = claims.CLAIMS["lime_seconds_per_explanation"].paper
ch.glue("lime_samples_for_paper", paper_seconds / more["seconds"] * more["n_samples"], fmt=",.0f")
ch.glue("more_samples_verdict", ch.recorded("lime_more_samples").verdict)

# %% [markdown]
# With twice the samples, `lime_more_samples` is {glue:text}`more_samples_verdict` in this run. Twice the samples took
# {glue:text}`lime_time_ratio` times as long here, so at our speed the paper's 10–12 s is about
# {glue:text}`lime_samples_for_paper` samples.

# %% [markdown]
# ## What differs, and why
#
# The verdicts of this run, generated from its claims (paper claims, facts and book checks apart; rows that did not
# replicate, and rows whose null passes too, listed by id):

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
ch.glue("lime_samples", SETTINGS["lime_samples"], fmt=",")
ch.glue("speedup", lime_seconds / lrp_single, fmt=",.0f")
ch.glue("speedup_orders", v.orders_of_magnitude(lime_seconds, lrp_single).ours, fmt=".2f")
ch.glue("table1_reading", v.table1_reading(frame, band=claims.CLAIMS["t1_fm_without"].rule.rel))

# %% [markdown]
# - **Table 1.** {glue:text}`table1_reading` Kendall's τ between the paper's order with attributes and ours:
#   {glue:text}`tau_with`. RecoNet with attributes reaches {glue:text}`reconet_with` against OCuLaR's
#   {glue:text}`ocular_with`. Where our baselines differ from the paper's: the paper's came from Turicreate and the
#   authors' code with settings it does not give, our split is CML's per-user split, which the paper may not have
#   used, and its "two days of search per technique" is minutes here. The "Why" checks above test the top of the
#   table for noise, our removal of the label's genres (an ablation) and the epoch budget (learning curves).

# %% [markdown]
# - **Cold start.** With only their demographics, RecoNet reaches {glue:text}`cold_ratio` times OCuLaR's recall over
#   the curve. The popularity floor on Figure 4 and the demographics-only popularity measure how much any method can
#   get from three attribute columns. The dashed line shows what the paper's design is for: the same RecoNet, not
#   retrained, fed the cold users' histories at inference (`no_retraining_new_users` sets it against the RecoNet
#   trained with them).

# %% [markdown]
# - **Explanations.** LRP's relevances add up to the logit of the linear model ({eq}`reconet-lrp`). The pertinence
#   test, Figure 7's shapes and the LIME comparison are measured on RecoNet + Layer, where they can fail (on the
#   linear RecoNet the first holds and the third nearly holds by construction).

# %% [markdown]
# - **Speed.** captum's LIME takes {glue:text}`lime_seconds` s per explanation here with {glue:text}`lime_samples`
#   samples; the paper's 10–12 s came from another machine and a number of samples it does not give, so absolute
#   times are not compared. The ratio to LRP ({glue:text}`speedup` times, log10 {glue:text}`speedup_orders`) is what
#   the paper's "more than 1000 times" and "three orders of magnitude" compare, with occlusion and InputXGradient in
#   LRP's place as its nulls; `python -m benchmarks reconet` prints it with the batched throughput.

# %% [markdown]
# - **Seeds.** The search of Table 1 runs once, on seed 0; the other seeds retrain its choices, so their spread is
#   that of training and of the split, not of the search.

# %% [markdown]
# Beyond the paper's own tests, {ref}`the faithfulness chapter <faithfulness-reconet>` compares LRP on RecoNet
# and {ref}`RecoNet + Layer <faithfulness-reconet-layer>` with generic explainers from captum (Integrated
# Gradients, LIME, KernelSHAP and others) by the counterfactual protocol {cite:p}`barkan2024lxr`: remove the
# history items an explanation ranks highest, without retraining, and follow how the recommended item's score and
# rank move.

# %%
ch.finish()

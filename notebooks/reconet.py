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
#     figures: [table1, cold_start, sankey, pertinence, top1_random1, lime_deletion, lime_instance]
#     claims: [t1_fm_without, t1_fm_with, t1_ocular_without, t1_ocular_with, t1_item2item_without,
#       t1_user2user_without, t1_cml_without, t1_cml_with, t1_reconet_without, t1_reconet_with,
#       t1_layer_without, t1_layer_with, t1_popularity_without, reconet_competitive, layer_not_better,
#       attributes_help_reconet, cold_comparable_ocular, cold_beats_cml_fm, pertinence_drop,
#       top1_mannwhitney, lime_top5_agreement, lime_deletion_weaker, lrp_seconds_per_explanation, lime_speedup]
# ---

# %% [markdown]
# # RecoNet: explaining a recommendation, feature by feature
#
# Fusco, Vlachos, Vasileiadis, Wardatzky and Schneider (IJCAI 2019, *RecoNet: An Interpretable Neural Architecture
# for Recommender Systems*) put items, user attributes and item attributes in one embedding space, represent a user
# by the average of the embeddings of everything in her profile, and map that average to the items with one linear
# layer and a softmax. Because the network is so shallow, layer-wise relevance propagation (LRP) splits each
# recommendation exactly into contributions of the user's movies, genres and demographics. The paper claims that
# RecoNet is as accurate as the state of the art on MovieLens-1M (Table 1: recall@50 0.351 with attributes, OCuLaR
# 0.377, CML 0.306), handles cold-start users, that the features LRP ranks first really drive the prediction
# (removing them drops the output far more than removing random ones, Mann–Whitney p < 10⁻⁴), and that LRP agrees
# with LIME while being more than 1000 times faster.
#
# **Data.** The paper's public dataset is MovieLens-1M, which is embedded here complete (1,000,209 ratings). The
# paper's second dataset (B2B purchases of IBM) is proprietary: its columns of Table 1 are not reproduced.

# %% tags=["parameters"]
profile = "smoke"  # "smoke": 600 users, one epoch, one configuration per method (CI); "paper": all of ML-1M
dataset = "ml-1m"  # "ml-1m" (the paper's) or "ml-100k"; both carry gender, age and occupation
data_dir = None
seed = 0
device = "auto"

# %%
import time

import numpy as np
import pandas as pd
import torch
from scipy import stats
from scipy.stats import mannwhitneyu

from replicate import data, splits
from replicate.core.chapter import Chapter
from replicate.core.claims import AtLeast, AtMost, Holds, NotApplicable, Within
from replicate.errors import ParameterError
from replicate.papers.reconet import cold_start, deletion, explain, lime, lrp
from replicate.papers.reconet import figures as figs
from replicate.papers.reconet import table1 as t1
from replicate.papers.reconet import train as reconet

ch = Chapter("reconet", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
if dataset not in ("ml-1m", "ml-100k"):
    raise ParameterError(
        f"unknown dataset {dataset!r} for this chapter: valid choices are 'ml-1m', 'ml-100k' "
        "(RecoNet needs user demographics, which ML-20M lacks)"
    )
SETTINGS = {
    "smoke": dict(users=600, dim=32, epochs=1, epoch_scale=0.2, grid=1, k_max=10, lime_users=3, lime_samples=500),
    "paper": dict(users=None, dim=64, epochs=3, epoch_scale=1.0, grid=4, k_max=50, lime_users=10, lime_samples=2000),
}[profile]
print(f"dataset={dataset}, settings={SETTINGS}")

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
# embedding size 64, our choices since the paper gives none) and RecoNet + Layer (128 ReLU units after the pooling). Each training example
# removes one movie as the label and further features (movies and attributes alike) with probability 1/(r+1)^β
# after r removals (section 4.2); one epoch draws one example per training positive. The paper selects β by
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
# budget; closed-form methods are fitted once per configuration (the table below lists each method's grid and
# epochs for this run; the smoke profile keeps only the first configuration and a fifth of the baselines' epochs).
# No early stopping. Each RecoNet row gets its own β search. The decade of release is tried once, in a short run of
# RecoNet with attributes at its chosen β, and kept for every method with attributes if it raises validation
# recall@50 (a choice made on RecoNet, then imposed on the baselines). The paper allowed "at least two days" of
# search per technique; ours is minutes, on two CPU cores.
#
# **When a row replicates**: ours within ±10 % of the paper's value (relative), written down before the runs.

# %%
budget = t1.Budget(
    reconet=reconet.RecoNetConfig(dim=SETTINGS["dim"], epochs=SETTINGS["epochs"]),
    epoch_scale=SETTINGS["epoch_scale"],
    grid_size=SETTINGS["grid"],
)
display(t1.budget_table(budget))
started = time.perf_counter()
table1 = t1.run_table1(ds, split, budget, seed=seed, device=device)
table1_seconds = time.perf_counter() - started
frame = table1.frame()
display(frame.style.format("{:.4f}", na_rep="—"))
print(
    f"decade of release kept as an item attribute: {table1.decades} (short-run validation recall@50 without / "
    f"with decades: {table1.decade_trial[0]:.4f} / {table1.decade_trial[1]:.4f})"
)
ch.figure(figs.plot_table1(frame), "table1")

# %% [markdown]
# Every configuration tried, with its validation recall@50 (after the short run for iterative methods):

# %%
display(table1.trials().style.format({"validation recall@50": "{:.4f}"}))

# %%
SOURCE = "RecoNet Table 1, MovieLens"
WITHIN = Within(rel=0.10)
ids = {
    "FM": "fm",
    "OCuLaR": "ocular",
    "item-2-item": "item2item",
    "user-2-user": "user2user",
    "CML": "cml",
    "RecoNet": "reconet",
    "RecoNet + Layer": "layer",
}
for method, key in ids.items():
    for part in ("without", "with"):
        paper = frame.loc[method, f"paper_{part}"]
        if pd.isna(paper):
            continue
        ours = float(frame.loc[method, f"ours_{part}"])
        ch.claim(
            f"t1_{key}_{part}",
            f"{method} recall@50, {part} attributes",
            kind="paper",
            paper=float(paper),
            ours=ours,
            rule=WITHIN,
            source=SOURCE,
            note=f"{ds.name}, per-user 60/20/20 split",
            regen_abs=0.01,
        )
ch.claim(
    "t1_popularity_without",
    "Popularity recall@50 (our floor)",
    kind="paper",
    paper=None,
    ours=float(frame.loc["popularity", "ours_without"]),
    rule=NotApplicable("not in the paper"),
    source="ours: a floor for Table 1",
    regen_abs=0.01,
)

# %% [markdown]
# The paper's three readings of its table, as rules fixed in advance:
#
# - *RecoNet is competitive with the best techniques*: RecoNet with attributes is one of the two best methods of the
#   with-attributes column (the table's caption sets the two best in bold; in the paper, OCuLaR and RecoNet).
# - *The extra layer does not help*: RecoNet + Layer is not better than RecoNet, with and without attributes.
# - *Attributes help RecoNet* (0.329 → 0.351 in the paper, +6.5 %): RecoNet with attributes beats RecoNet without by
#   at least 1 % (relative), so that a difference within run-to-run noise does not count.

# %%
with_column = frame["ours_with"].dropna().drop(index="popularity", errors="ignore").sort_values(ascending=False)
ch.claim(
    "reconet_competitive",
    "RecoNet with attributes is among the two best of the with-attributes column",
    kind="paper",
    paper=True,
    ours=bool("RecoNet" in with_column.index[:2]),
    rule=Holds(),
    source="RecoNet §5.1 and Table 1",
    note="ours, best first: " + ", ".join(f"{m} {v:.4f}" for m, v in with_column.items()),
)
layer = frame.loc["RecoNet + Layer", ["ours_without", "ours_with"]].astype(float)
plain = frame.loc["RecoNet", ["ours_without", "ours_with"]].astype(float)
ch.claim(
    "layer_not_better",
    "RecoNet + Layer is not better than RecoNet (with and without attributes)",
    kind="paper",
    paper=True,
    ours=bool((layer.to_numpy() <= plain.to_numpy()).all()),
    rule=Holds(),
    source="RecoNet §4.1 and Table 1",
    note=f"without: {layer.iloc[0]:.4f} vs {plain.iloc[0]:.4f}; with: {layer.iloc[1]:.4f} vs {plain.iloc[1]:.4f}",
)
ch.claim(
    "attributes_help_reconet",
    "RecoNet with attributes beats RecoNet without by at least 1 %",
    kind="paper",
    paper=True,
    ours=bool(plain.iloc[1] >= 1.01 * plain.iloc[0]),
    rule=Holds(),
    source="RecoNet Table 1 (0.3294 → 0.3508)",
    note=f"{plain.iloc[0]:.4f} → {plain.iloc[1]:.4f}",
)

# %% [markdown]
# ## Figure 4: cold start
#
# 10 % of the test users lose their whole history from training. RecoNet, OCuLaR, CML and FM are retrained with the
# configurations Table 1 chose, with attributes, and rank movies for those users from what they know of them: their
# demographics (RecoNet averages the embeddings of her gender, age group and occupation; OCuLaR fits her factors to
# her demographic columns; FM uses her attribute features; CML, which has no user features, has only an untrained
# vector for her). The paper does not say what its cold-start users are given at test time; this is our reading of
# "their history was removed from the training data". A dashed line shows the other reading: the same RecoNet (not
# retrained) fed the cold users' histories at inference, the situation the paper's design is built for.
#
# Rules fixed in advance, at k = 50: *comparable with OCuLaR* means within ±10 % of OCuLaR's recall; *substantially
# better than CML and FM* means at least 1.2 times each.

# %%
cold = cold_start.run_cold_start(table1, split, budget, share=0.1, seed=seed, device=device)
print(f"{len(cold.users)} cold-start users")
ch.figure(figs.plot_cold_start(cold.curves), "cold_start")
at50 = {name: float(curve[-1]) for name, curve in cold.curves.items()}
display(pd.Series(at50, name="recall@50, cold-start users").to_frame().style.format("{:.4f}"))
ch.claim(
    "cold_comparable_ocular",
    "Cold start: RecoNet recall@50 within ±10 % of OCuLaR's",
    kind="paper",
    paper=True,
    ours=bool(abs(at50["RecoNet"] - at50["OCuLaR"]) <= 0.10 * at50["OCuLaR"]),
    rule=Holds(),
    source="RecoNet §5.2, Figure 4",
    note=f"RecoNet {at50['RecoNet']:.4f}, OCuLaR {at50['OCuLaR']:.4f}",
)
ch.claim(
    "cold_beats_cml_fm",
    "Cold start: RecoNet recall@50 ≥ 1.2 × CML's and FM's",
    kind="paper",
    paper=True,
    ours=bool(at50["RecoNet"] >= 1.2 * max(at50["CML"], at50["FM"])),
    rule=Holds(),
    source="RecoNet §5.2, Figure 4",
    note=f"RecoNet {at50['RecoNet']:.4f}, CML {at50['CML']:.4f}, FM {at50['FM']:.4f}; CML has no user features, "
    "so only the comparison with FM is informative",
)

# %% [markdown]
# ## Figure 5: one recommendation explained
#
# From here on the models are Table 1's RecoNet and RecoNet + Layer with attributes. For every test user we take her
# top recommendation (training and validation movies excluded) and explain it with the three LRP steps of section
# 4.3 (`replicate/papers/reconet/lrp.py`, checked against captum's LRP in the tests). In the linear RecoNet the relevances of
# a user's features add up exactly to the target's logit ŷ_c (an identity of the method, asserted here and tested in
# the test suite). The Sankey shows the six most relevant positive features of one user's recommendation; the
# paper's example is "Men in Black", which we use when it is someone's top recommendation.

# %%
models = {name: table1.get(name, True).scorer.trained.model.cpu() for name in ("RecoNet", "RecoNet + Layer")}
model = models["RecoNet"]
space = table1.spaces[True]
profiles, exclude = explain.ranking_inputs(space, split)
started = time.perf_counter()
targets, logits, relevances = lrp.explain_top(model, profiles, exclude)
lrp_batch_seconds = time.perf_counter() - started
gap = (relevances.double().sum(dim=1) - logits.double()).abs().max().item()
assert gap < 1e-3, gap
print(
    f"LRP for {len(targets):,} users in one batch: {lrp_batch_seconds:.3f} s; largest |Σ relevances − ŷ_c| = {gap:.2e}"
)

titles = space.labels[: space.n_items]
wanted = [i for i, t in enumerate(titles) if t.startswith("Men in Black")]
hits = np.flatnonzero(np.isin(targets.numpy(), wanted))
example = int(hits[0]) if len(hits) else int(np.argmax(logits.numpy()))
top6 = explain.top_features(space, relevances[example], n=6)
display(top6.style.format({"relevance": "{:.4f}"}))
ch.figure(
    figs.plot_sankey(
        top6["feature"],
        top6["kind"],
        top6["relevance"],
        titles[int(targets[example])],
        title=f"Why user {ds.users.loc[split.users[example], 'original_id']} gets this movie",
    ),
    "sankey",
)

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
# since the paper does, but we record the claims on RecoNet + Layer, whose ReLU layer makes LRP an approximation
# that can fail this test. The paper finds the "top 1" drop far more negative, one-sided Mann–Whitney p < 10⁻⁴.

# %%
ks = np.arange(1, SETTINGS["k_max"] + 1)
sizes = profiles.sum(dim=1)
rich = torch.nonzero(sizes > SETTINGS["k_max"]).ravel()
random_keys = deletion.random_scores(profiles > 0, rng)
layer_targets, _, layer_relevances = lrp.explain_top(models["RecoNet + Layer"], profiles, exclude)
explained_by = {"RecoNet": (targets, relevances), "RecoNet + Layer": (layer_targets, layer_relevances)}
curves = {}
for name, (target, relevance) in explained_by.items():
    curves[f"{name}: top-k (LRP)"] = deletion.deletion_deltas(
        models[name], profiles[rich], target[rich], relevance[rich], ks
    )
    curves[f"{name}: random k"] = deletion.deletion_deltas(
        models[name], profiles[rich], target[rich], random_keys[rich], ks
    )
ch.figure(figs.plot_deletion(ks, curves), "pertinence")
top_k, random_k = curves["RecoNet + Layer: top-k (LRP)"][:, -1], curves["RecoNet + Layer: random k"][:, -1]
ch.claim(
    "pertinence_drop",
    f"RecoNet + Layer: mean Δŷ_c after removing the top {ks[-1]} LRP features minus after {ks[-1]} random ones",
    kind="paper",
    paper="negative",
    ours=float(top_k.mean() - random_k.mean()),
    rule=AtMost(0.0),
    source="RecoNet §5.4, Figure 6",
    regen_rel=0.25,
    regen_abs=0.01,
    note=f"top-k {top_k.mean():.3f}, random {random_k.mean():.3f}, {len(rich)} users; "
    f"share of users whose top-k drop is the larger: {np.mean(top_k < random_k):.2f}",
)

# %%
layer = models["RecoNet + Layer"]
top1 = deletion.deletion_deltas(layer, profiles, layer_targets, layer_relevances, [1])[:, 0]
random1 = deletion.deletion_deltas(layer, profiles, layer_targets, random_keys, [1])[:, 0]
p_value = float(mannwhitneyu(top1, random1, alternative="less").pvalue)
ch.figure(figs.plot_top1_random1(top1, random1, p_value), "top1_random1")
ch.claim(
    "top1_mannwhitney",
    "RecoNet + Layer: Mann–Whitney U p-value, Δŷ_c of 'top 1' less than 'random 1'",
    kind="paper",
    paper=1e-4,
    ours=p_value,
    rule=AtMost(),
    source="RecoNet §5.4, Figure 7",
    regen_rel=1e3,
    regen_abs=1e-4,
    note=f"median Δŷ_c: top 1 {np.median(top1):.4f}, random 1 {np.median(random1):.4f}; {len(top1)} users",
)

# %% [markdown]
# ## Figure 8 and section 5.5: LIME
#
# captum's `Lime` explains the same recommendation with the same model as a black box, over the presence of each
# profile feature (`replicate/papers/reconet/lime.py`: ridge surrogate on the target logit; captum's default Lasso zeroes
# nearly every coefficient here). Rules fixed in advance:
#
# - *Very good agreement among the first four to five features* (RecoNet, the paper's model): the top-5 sets of LRP
#   and LIME share at least 3 of 5 features on average over the explained users.
# - *RecoNet's ranking is more descriptive than LIME's* (Figure 8 left): the LRP deletion curve lies below LIME's on
#   average over k = 6..k_max. For the linear RecoNet this holds by construction (see above), so the claim is
#   measured on RecoNet + Layer; both are drawn.
# - *More than 1000 times faster*: LIME's wall time per explanation against LRP's for one user at a time (a forward
#   pass to find the recommendation and its explanation, batch of one, after a warm-up), on the same users. The
#   paper reports 10–12 s against 10 ms. We also print LRP's throughput when all test users are explained in one
#   batch, which is how a service would run it.

# %%
explained = rng.choice(rich.numpy(), size=min(SETTINGS["lime_users"], len(rich)), replace=False)
lime_runs = {}
for name, (target, _) in explained_by.items():
    weights, seconds = lime.seconds_per_explanation(
        models[name], profiles[explained], target[explained], n_samples=SETTINGS["lime_samples"]
    )
    lime_runs[name] = (torch.stack(weights), seconds)
lime_weights, lime_seconds = lime_runs["RecoNet"]
overlap = [
    len(set(torch.topk(relevances[u], 5).indices.tolist()) & set(torch.topk(w, 5).indices.tolist())) / 5
    for u, w in zip(explained, lime_weights)
]
spread = stats.sem(overlap) if len(overlap) > 1 else 0.0
low, high = (
    np.clip(stats.t.interval(0.95, max(1, len(overlap) - 1), loc=np.mean(overlap), scale=spread), 0, 1)
    if spread > 0
    else (np.mean(overlap), np.mean(overlap))
)
deletion_curves = {}
for name, (target, relevance) in explained_by.items():
    rows = profiles[explained]
    deletion_curves[f"{name}: LRP"] = deletion.deletion_deltas(
        models[name], rows, target[explained], relevance[explained], ks
    )
    deletion_curves[f"{name}: LIME"] = deletion.deletion_deltas(
        models[name], rows, target[explained], lime_runs[name][0], ks
    )
ch.figure(figs.plot_deletion(ks, deletion_curves), "lime_deletion")
later = ks >= 6
layer_gap = (
    deletion_curves["RecoNet + Layer: LRP"][:, later] - deletion_curves["RecoNet + Layer: LIME"][:, later]
).mean()
ch.claim(
    "lime_top5_agreement",
    "RecoNet: mean share of the top-5 features LRP and LIME have in common",
    kind="paper",
    paper="very good",
    ours=float(np.mean(overlap)),
    rule=AtLeast(0.6),
    source="RecoNet §5.5, Figure 8 right",
    regen_abs=0.1,
    note=f"95 % interval {low:.2f}–{high:.2f}; {len(explained)} users, {SETTINGS['lime_samples']} LIME samples each",
)
ch.claim(
    "lime_deletion_weaker",
    "RecoNet + Layer: mean Δŷ_c of LRP minus LIME over k = 6..k_max (negative: LRP's features matter more)",
    kind="paper",
    paper="negative",
    ours=float(layer_gap),
    rule=AtMost(0.0),
    source="RecoNet §5.5, Figure 8 left",
    regen_rel=0.5,
    regen_abs=0.02,
    note=f"{len(explained)} users",
)

# %%
fargo = [i for i, t in enumerate(titles) if t.startswith("Fargo")]
fargo_users = [j for j, u in enumerate(explained) if int(targets[u]) in fargo]
instance = fargo_users[0] if fargo_users else 0
u = int(explained[instance])
union = list(
    dict.fromkeys(
        torch.topk(relevances[u], 5).indices.tolist() + torch.topk(lime_weights[instance], 5).indices.tolist()
    )
)
ch.figure(
    figs.plot_agreement(
        space.labels[union],
        relevances[u, union].numpy(),
        lime_weights[instance, union].numpy(),
        title=f"Top-5 features of either method: recommendation of {titles[int(targets[u])]}",
    ),
    "lime_instance",
)

# %%
one = torch.as_tensor(explained)
lrp.explain_top(model, profiles[one[:2]], exclude[one[:2]], batch=1)  # warm-up
started = time.perf_counter()
lrp.explain_top(model, profiles[one], exclude[one], batch=1)
lrp_single = (time.perf_counter() - started) / len(one)
print(
    f"LRP throughput, all {len(targets):,} test users in one batch: {len(targets) / lrp_batch_seconds:,.0f} "
    f"explanations/s ({lrp_batch_seconds:.3f} s)"
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
    note=f"mean over {len(one)} users",
)
ch.claim(
    "lime_speedup",
    "LIME seconds per explanation / LRP seconds per explanation (one user each)",
    kind="paper",
    paper=1000.0,
    ours=lime_seconds / lrp_single,
    rule=AtLeast(),
    source="RecoNet §5.5: more than 1000 times faster",
    timing=True,
    note=f"LIME {lime_seconds:.3f} s ({SETTINGS['lime_samples']} samples), LRP {lrp_single * 1e3:.2f} ms",
)

# %% [markdown]
# ## What differs, and why
#
# Read with the `paper` profile's run (seed 0, two CPU cores); every number is in the tables above and on the
# scorecard.
#
# - **Table 1.** Every method lands in a narrow band (recall@50 about 0.28–0.39), and the paper's ordering does not
#   come back. FM and OCuLaR replicate within 10 %, and so does RecoNet with attributes; our neighbourhood methods
#   and CML are much stronger than the paper's (user-2-user about 0.38 against 0.27), and RecoNet *without*
#   attributes is the best number of our table, higher than the paper's. Attributes do not help RecoNet here (they
#   lower it), so RecoNet with attributes is not among the two best of its column, although the top four of that
#   column lie within about 0.006 of each other. RecoNet + Layer is worse without attributes and level with
#   RecoNet with them. Why the baselines differ, we can only guess: the paper's neighbourhood scores came from
#   Turicreate and its CML from the authors' code, with settings it does not give; our split is CML's per-user split,
#   which the paper may not have used; and the paper's "two days of search per technique" is minutes here. The
#   short tuning runs (one epoch for RecoNet) separate β values poorly: the trial table shows them within 0.003.
# - **Cold start** is the clearest miss. With only their demographics, the cold users are ranked best by FM, then
#   RecoNet, then CML; OCuLaR, whose factors for such users come from three attribute columns, is far behind. The
#   paper's "RecoNet comparable with OCuLaR, far better than CML and FM" does not hold under our reading. The dashed
#   line shows what the paper's design is for: the same RecoNet, not retrained, fed the cold users' histories at
#   inference, recovers almost its warm recall.
# - **Explanations.** LRP's relevances add up to the logit, and the pertinence test replicates on RecoNet + Layer,
#   where it is a real test (on the linear RecoNet it holds by construction). LIME's top five agree with LRP's on
#   the linear RecoNet, which is nearly additive in the presence of features. On RecoNet + Layer, LIME's ranking
#   removes slightly *more* activation than LRP's over k = 6..50: not replicated, on ten users whose bands overlap
#   widely, so weak evidence either way.
# - **Speed.** captum's LIME needs about half a second per explanation here (the paper: 10–12 s); LRP for one user
#   takes a fraction of a millisecond, and all test users in one batch about a third of a second. The ratio per
#   explanation is above the paper's 1000×; the benchmark (`python -m benchmarks reconet`) prints it with the
#   batched throughput.
# - **Budget.** This run takes about 19 minutes on two cores (most of it Table 1's tuning: 13 rows, up to four
#   configurations each), above the 15 minutes this book aims at for a chapter.

# %%
print(f"Table 1 took {table1_seconds / 60:.1f} min")
ch.finish()

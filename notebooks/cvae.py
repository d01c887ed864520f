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
#     title: "C-VAE: a look inside the latent space"
#     figures: [training, pc2_pc5, pc3_pc5, pc_grid, untrained, profiling]
#     claims: [genres_drama_comedy_most_common, film_noir_least_common, imax_neutral_least_common,
#       imax_action_adventure_scifi, multvae_ndcg100, multvae_recall20, multvae_recall50, cvae_on_par_with_multvae,
#       cvae_vs_multvae_matched_steps, conditioning_helps, neutral_far_on_pc1, clusters_silhouette, clusters_eta2,
#       users_differ_within_condition, cooccurrence_mantel, unconditioned_centre, film_noir_isolated,
#       film_noir_neighbours, war_near_drama_romance, horror_between, horror_far_from_western,
#       thriller_mystery_crime_close, popular_genres_central, figure3_pairs_overlap, figure3_offside, profiling_axis,
#       epoch_cap_ablation, why_silhouette_taste_spread, why_film_noir_rarity, why_geometry_in_data,
#       why_condition_adds_nothing, why_centre_built_in]
# ---

# %% [markdown]
# # C-VAE: a look inside the latent space
#
# Carraro, Polato and Aiolli (UMAP 2020 Adjunct, *A Look Inside the Black-Box: Towards the Interpretability of
# Conditioned Variational Autoencoder for Collaborative Filtering*) train a conditioned variational autoencoder
# (C-VAE) on MovieLens 20M, encode 2,000 users under every genre and without a condition, and read the first five
# principal components of the latent space. They report, from the plots, that users cluster by condition, that
# genres which go together lie close (War near Drama and Romance, Horror between Thriller and Sci-Fi, Film-Noir far
# from everything and nearest to Crime, Drama, Thriller and Mystery), that unconditioned users sit in the centre, and
# that the spread of the unconditioned users separates light from serious tastes.
#
# This chapter rebuilds the model and turns each of those sentences into a measurement with a rule stated in
# advance. Each is measured on the trained model **and on untrained ones** side by side: an untrained C-VAE already
# clusters users by condition, because the one-hot condition shifts the latent mean by itself, so an observation
# counts as the paper's (learned) observation only where training made it so.
#
# **The data differ**: ML-20M is not available here, so the default run uses ML-1M (18 genres; no IMAX and no "no
# genres listed", so the paper's first principal component, which it spent on the neutral genre, has no
# counterpart). A reader with the GroupLens ML-20M files runs the paper's exact setting with
# `dataset="ml-20m"` and `data_dir` pointing at them.

# %% tags=["parameters"]
profile = "smoke"  # "smoke": 800 users, 2 epochs (CI); "paper": all users, the paper's settings within the budget
dataset = "ml-1m"  # "ml-1m" (embedded) or "ml-20m" (GroupLens files under data_dir/ml-20m)
data_dir = None
seed = 0
device = "auto"

# %%
import numpy as np
import pandas as pd
import torch

from replicate import data, splits
from replicate.core.chapter import Chapter
from replicate.core.claims import AtLeast, AtMost, Exceeds, Holds, NotApplicable, Within
from replicate.papers.cvae import figures, interactive, latent
from replicate.papers.cvae import measure as obs
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import genre_conditions
from replicate.papers.cvae.model import MultVAE, reduction_gap

ch = Chapter("cvae", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
SETTINGS = {
    "smoke": dict(users=800, heldout=100, cvae_epochs=2, latent_users=300, permutations=999, untrained=5),
    "paper": dict(
        users=None,
        heldout=10_000 if dataset == "ml-20m" else 600,
        cvae_epochs=60,
        latent_users=2_000,
        permutations=9_999,
        untrained=obs.N_UNTRAINED,
    ),
}[profile]
print(f"dataset={dataset}, settings={SETTINGS}")

# %% [markdown]
# ## Data and protocol
#
# The paper follows Liang et al. (2018): ratings of 4 or more become positives, users with at least five positives
# are kept, a set of users is held out for validation and another for testing, and each held-out user's history is
# split at random into four fifths given to the model and one fifth to predict. On ML-20M Liang et al. hold out 10,000 + 10,000
# users; on ML-1M we hold out 600 + 600 (about a tenth each), our choice. The item catalogue is the set of movies the
# training users liked. Conditions are the genres of those movies.

# %%
ds = data.load(dataset, data_dir=data_dir)
if SETTINGS["users"]:
    ds = ds.subset_users(rng.choice(ds.n_users, size=SETTINGS["users"], replace=False))
split = splits.strong_generalization(ds, n_heldout=SETTINGS["heldout"], seed=seed)
conditions = genre_conditions(ds, split.items)
pd.Series(split.summary() | {"conditions": conditions.n}, name=ds.name).to_frame()

# %% [markdown]
# ### The genres of the data
#
# The paper: "Drama and Comedy are the most common genres, while Film-noir, IMAX and *neutral* (i.e., no genres
# listed) are the least common ones", and IMAX movies are mostly Action, Adventure and Sci-Fi, with War and Western
# the least represented. We count movies per genre in the catalogue (the paper does not say what it counted); "least
# common" means among the three least common. ML-1M has neither IMAX nor a neutral genre: those two statements need
# ML-20M and are measured when it is given by path.

# %%
facts = obs.data_facts(conditions)
needs_20m = NotApplicable("needs ML-20M (IMAX and '(no genres listed)' are not in " + ds.name + ")")
for key, text in (
    ("genres_drama_comedy_most_common", "Drama and Comedy are the two most common genres"),
    ("film_noir_least_common", "Film-Noir is among the three least common genres"),
    ("imax_neutral_least_common", "IMAX and the neutral genre are among the three least common"),
    ("imax_action_adventure_scifi", "IMAX movies are mostly Action/Adventure/Sci-Fi, War and Western the least"),
):
    holds, detail = facts[key]
    rule = needs_20m if holds is None else Holds()
    ch.claim(key, text, kind="paper", paper=True, ours=holds, rule=rule, source="§3", note=detail)
display(ch.table(list(facts)))

# %% [markdown]
# ## Training
#
# Both models have the paper's architecture [m + C → 600 → 200 → 600 → m] with tanh, input dropout 0.5 and
# L2-normalised input, Xavier weights and biases from a truncated normal with std 10⁻³ (the paper's value; the
# authors' library uses 1.0). Adam with learning rate 10⁻³, batches of 500 examples. β grows linearly with the
# steps, as in Liang et al., up to the paper's best value 8·10⁻³. Liang et al.'s rate (1/200,000 per step) was set
# for ML-20M's 233 steps per epoch; on ML-1M, Mult-VAE takes 10 steps per epoch and would never reach the cap while
# C-VAE takes 15 times more. We therefore state the schedule per epoch, the same for both models: β reaches the cap
# after 10 epochs and stays there (our choice). Early stopping keeps the epoch with the best validation nDCG@100
# and stops after 10 epochs without improvement.
#
# C-VAE sees each training user once unconditioned and once per genre she liked, with the target restricted to that
# genre's movies; on ML-1M that is about 15 examples per user, so a C-VAE epoch costs about 15 Mult-VAE epochs. The
# paper trains for up to 100 epochs; to stay within this book's budget on two CPU cores, the `paper` profile caps
# C-VAE at 60 epochs (our choice, ablated below: we keep the model of half the cap too). Mult-VAE gets the **same
# budget of optimiser steps** as C-VAE (its epoch cap is C-VAE's steps over its steps per epoch), with the same early
# stopping, so that the two are compared at matched training, not matched epochs. The C-VAE starts from the
# initialisation of seed `seed` alone, so that the first untrained model below is exactly where it started.

# %%
histories, models = {}, {}
half = max(1, SETTINGS["cvae_epochs"] // 2)
config = train_vae.Config(epochs=SETTINGS["cvae_epochs"], seed=seed, device=device, snapshot_epochs=(half,))
models["C-VAE"] = obs.untrained(split.n_items, conditions.n, obs.null_seeds(seed)[0]).train()
histories["C-VAE"] = train_vae.train(models["C-VAE"], split.train, split.valid_in, split.valid_out, config, conditions)
steps_per_epoch = int(np.ceil(split.train.shape[0] / config.batch_size))
multvae_epochs = int(np.ceil(histories["C-VAE"].steps[-1] / steps_per_epoch))
models["Mult-VAE"] = MultVAE(split.n_items)
histories["Mult-VAE"] = train_vae.train(
    models["Mult-VAE"],
    split.train,
    split.valid_in,
    split.valid_out,
    train_vae.Config(epochs=multvae_epochs, seed=seed, device=device),
)
for name, h in histories.items():
    print(
        f"{name}: kept epoch {h.best_epoch + 1} of {len(h.valid_ndcg)} ({h.best_steps:,} of {h.steps[-1]:,} steps; "
        f"{'early stop' if h.stopped_early else 'epoch cap'}), {np.mean(h.seconds):.1f} s per epoch"
    )
ch.figure(figures.plot_training(histories), "training")

# %% [markdown]
# ## Recommendation quality
#
# nDCG@100, Recall@20 and Recall@50 X, with Recall's denominator min(k, n) as in
# Liang et al. The paper reports no accuracy for its model; for scale we put Liang et al.'s Mult-VAE on ML-20M beside
# ours. Those numbers are about another dataset and are not comparable unless `dataset="ml-20m"`.

# %%
quality = {name: train_vae.evaluate(m, split.test_in, split.test_out) for name, m in models.items()}
table = pd.DataFrame({name: {k: v for k, v in q.items() if k != "per_user"} for name, q in quality.items()}).T
table.loc["Mult-VAE on ML-20M (Liang et al.)"] = [0.426, 0.395, 0.537]
display(table.style.format("{:.3f}"))

other_data = NotApplicable("the paper's value is Liang et al.'s Mult-VAE on ML-20M; ours is on " + ds.name)
same_data = Within(rel=0.05)  # 5 %: about the spread of Mult-VAE's nDCG@100 over held-out users on ML-1M
for key, metric, paper in (
    ("multvae_ndcg100", "nDCG@100", 0.426),
    ("multvae_recall20", "Recall@20", 0.395),
    ("multvae_recall50", "Recall@50", 0.537),
):
    ch.claim(
        key,
        f"Mult-VAE {metric} on the test users",
        kind="paper",
        paper=paper,
        ours=quality["Mult-VAE"][metric],
        rule=same_data if dataset == "ml-20m" else other_data,
        source="Liang et al. 2018, ML-20M",
        regen_abs=2e-3,
    )

# %% [markdown]
# ### With c = 0, C-VAE is Mult-VAE
#
# The paper's sentence "if **c** is fixed to **0**, C-VAE is equivalent to Mult-VAE" is about the architecture: with a
# zero condition the encoder's condition columns multiply zeros, and the training is Mult-VAE's. We test it directly:
# the trained C-VAE with c = 0 and the Mult-VAE made of its weights without the condition columns give the same item
# logits on the test users, and still do after two Adam steps taken side by side on the same unconditioned examples
# with the same random draws. The rule: the largest logit difference is at most 10⁻⁴ (float32 rounding is far below).
# The same measurement with a genre as condition instead of 0 is the null case, and must show a difference.
#
# Whether C-VAE trained on conditioned examples then *ranks* as well as Mult-VAE without a condition is another
# question, a book check: per test user, the difference in nDCG@100 at matched optimiser steps, whose 95 % interval
# must lie within ±0.02 (about how much Mult-VAE's nDCG@100 moves when the held-out users are drawn again, issue 13).

# %%
probe = torch.from_numpy(split.test_in[:100].toarray()).to(device)
gap = reduction_gap(models["C-VAE"], probe, steps=2, seed=seed)
null_gap = reduction_gap(models["C-VAE"], probe, steps=0, condition=0)
ch.claim(
    "cvae_on_par_with_multvae",
    "C-VAE with c = 0 is Mult-VAE: largest logit difference, before and during training",
    kind="paper",
    paper=0.0,
    ours=gap,
    rule=AtMost(1e-4),  # float32 rounding of logits of this size is far below; a condition moves them by more
    source="C-VAE §2: if c is fixed to 0, C-VAE is equivalent to Mult-VAE",
    note=f"with a genre as condition instead (null case): {null_gap:.3g}",
    regen_abs=1e-4,
)
per_user = [quality[name]["per_user"]["nDCG@100"] for name in ("C-VAE", "Mult-VAE")]
difference, low, high = train_vae.paired_difference(*per_user, np.arange(len(per_user[0])))
ch.claim(
    "cvae_vs_multvae_matched_steps",
    "Unconditioned C-VAE minus Mult-VAE, nDCG@100 per test user, at matched optimiser steps",
    kind="book",
    paper=0.0,
    ours=difference,
    interval=(low, high),
    rule=Within(abs=0.02),  # equivalence margin: Mult-VAE's own spread over draws of held-out users
    source="book check (the paper reports no accuracy)",
    note=f"C-VAE {quality['C-VAE']['nDCG@100']:.3f} ({histories['C-VAE'].best_steps:,} steps), Mult-VAE "
    f"{quality['Mult-VAE']['nDCG@100']:.3f} ({histories['Mult-VAE'].best_steps:,} steps)",
    regen_abs=0.01,
)

# %% [markdown]
# ### Conditioned evaluation
#
# What conditioning is for: a user asks for a genre, and that genre's movies should come first. For every test user
# and every genre among her held-out movies, the relevant set is her held-out movies of that genre; C-VAE ranks with
# that genre as its condition. An unconditioned model can serve the same request by dropping every movie outside the
# genre from its ranking, so that is the fair baseline: the claim is replicated when conditioned C-VAE beats Mult-VAE
# filtered to the genre, with the 95 % interval of the per-user difference in nDCG@100 above zero (each user's pairs
# averaged first).

# %%
conditioned = train_vae.conditioned_evaluation(
    {
        "Mult-VAE": (models["Mult-VAE"], "plain"),
        "Mult-VAE, filtered to the genre": (models["Mult-VAE"], "filter"),
        "C-VAE without condition, filtered": (models["C-VAE"], "filter"),
        "C-VAE conditioned on the genre": (models["C-VAE"], "condition"),
    },
    split.test_in,
    split.test_out,
    conditions,
)
pairs, per_pair, pair_users = (conditioned.pop(k) for k in ("pairs", "per_pair", "users"))
display(pd.DataFrame(conditioned).T.style.format("{:.3f}").set_caption(f"{pairs:,} (user, genre) pairs"))
gain, low, high = train_vae.paired_difference(
    per_pair["C-VAE conditioned on the genre"], per_pair["Mult-VAE, filtered to the genre"], pair_users
)
ch.claim(
    "conditioning_helps",
    "Conditioned C-VAE ranks a requested genre better than Mult-VAE filtered to it (nDCG@100 difference)",
    kind="paper",
    paper=None,
    ours=gain,
    interval=(low, high),
    rule=Exceeds(0.0),  # 'pushes the genre on top': better than filtering, the interval above zero
    source="C-VAE §2: the recommender must push that genre on top",
    note=f"conditioned {conditioned['C-VAE conditioned on the genre']['nDCG@100']:.3f}, filtered Mult-VAE "
    f"{conditioned['Mult-VAE, filtered to the genre']['nDCG@100']:.3f}",
    regen_abs=0.01,
    why="Why conditioning may not beat filtering",
)

# %% [markdown]
# ### Why conditioning may not beat filtering
#
# The comparison mixes two things: the condition itself, and the difference between the two models' rankings before
# any genre is asked for (C-VAE and Mult-VAE are trained differently). The most plausible cause of a gain that comes
# and goes with the seed: the condition adds almost nothing over filtering C-VAE's own ranking to the genre, and what
# is left is the two models' base quality, which moves with the seed. Tested on the same pairs: conditioned C-VAE
# against the *same* C-VAE without condition, filtered to the genre (per-user paired difference). The cause is
# supported when that difference lies within ±0.005 nDCG@100, the whole interval (half a point: the size of the
# gaps this claim is decided on).

# %%
own_gain, own_low, own_high = train_vae.paired_difference(
    per_pair["C-VAE conditioned on the genre"], per_pair["C-VAE without condition, filtered"], pair_users
)
ch.claim(
    "why_condition_adds_nothing",
    "Conditioned C-VAE minus the same C-VAE filtered to the genre (nDCG@100, paired over users; 0: adds nothing)",
    kind="book",
    paper=0.0,
    ours=own_gain,
    interval=(own_low, own_high),
    rule=Within(abs=0.005),  # the condition adds nothing beyond the filter: half a point of nDCG@100
    source="book check (why conditioning may not beat filtering)",
    note=f"C-VAE without condition, filtered: {conditioned['C-VAE without condition, filtered']['nDCG@100']:.3f}",
    regen_abs=0.01,
)

# %% [markdown]
# ## The latent space, trained and untrained
#
# As in the paper: random training users (2,000 in the `paper` profile), each encoded under every genre and without
# condition (the latent mean μ), PCA on all those points, first five components. The paper then drops the neutral
# genre ("no genres listed", which it found alone on PC1): on ML-20M we leave that condition out of the PCA and of
# every measurement below except the PC1 one (our choice of how to "remove" it); ML-1M has no neutral genre.
# Principal components are defined up to sign and order, so our PC2 and PC5 are not the paper's; we draw the same
# pairs the paper drew, then all pairs.
#
# Every observation is measured on the trained C-VAE and on untrained C-VAEs with the same architecture and
# initialisation scheme, no training step: the first has the trained model's own initial weights, the others other
# seeds. Each sentence of the paper becomes a **reading** (the sentence as a yes/no, with a threshold fixed here,
# before the run) and a **score** (a scale-free number that grows the more the space looks as the paper says). The
# paper's claim is that the arrangement is *learned*; an observation is replicated when its reading holds on the
# trained model **and** the trained score lies beyond every untrained score: with
# {glue:text}`n_untrained` untrained models, a one-sided rank test at level 1 / ({glue:text}`n_untrained` + 1). The
# `smoke` profile uses fewer untrained models than the `paper` profile's nineteen.
#
# The thresholds, each with its reason:

# %%
thresholds = obs.Thresholds(
    silhouette=0.25,  # Kaufman and Rousseeuw's lower bound of a weak but real cluster structure
    eta2=0.5,  # "clusters correspond to the conditions": the condition explains most of the variance
    within=0.5,  # "users still have different tastes": a component with most of its variance within conditions
    alpha=0.05,  # the usual level of the one-sided Mantel and Spearman tests
    quarter=0.25,  # "far" / "close": among the top quarter of the genres (or of the genre pairs)
    overlap=0.9,  # "almost completely overlap": among the closest tenth of the genre pairs
    aside=0.5,  # "a bit offside": farther from the centre than half of the genres
)
sample = rng.choice(split.train.shape[0], size=min(SETTINGS["latent_users"], split.train.shape[0]), replace=False)
ctx = obs.Context(conditions, split.train[sample], SETTINGS["permutations"], seed, thresholds)
null_seeds = obs.null_seeds(seed, SETTINGS["untrained"])
side = obs.side_by_side(models["C-VAE"], split.train[sample], ctx, null_seeds)
space, untrained_space = side.spaces
ch.glue("n_untrained", len(null_seeds))
print("variance explained by PC1..PC5:", np.round(space.explained, 3))
ch.figure(figures.plot_pair(space, 2, 5, seed=seed), "pc2_pc5")

# %% [markdown]
# The same plane to explore: hover a point for its condition and user; click a genre in the legend to hide it.

# %%
ch.interactive(interactive.latent_scatter(space, 2, 5, users=split.train_users[sample], seed=seed), "pc2_pc5")

# %%
ch.figure(figures.plot_pair(space, 3, 5, seed=seed), "pc3_pc5")

# %%
ch.figure(figures.plot_grid(space, seed=seed), "pc_grid")

# %% [markdown]
# The same plane for the trained model and for its untrained initialisation, where training started from.

# %%
ch.figure(figures.plot_trained_untrained(space, untrained_space, seed=seed), "untrained")

# %% [markdown]
# ## The paper's observations, measured
#
# The readings, all on condition centroids (the mean point of a condition) in the five-component space unless said:
#
# - *Clusters correspond to the conditions*: mean silhouette of the points labelled by condition, and mean η² of the
#   five components (score: the value itself). *The fourth component stretches the clusters*: some component has
#   most of its variance within conditions (score: one minus the smallest η²).
# - *Correlated genres lie close*: a Mantel test between genre co-occurrence (1 − Jaccard of the genres' movie sets)
#   and centroid distance (score: Mantel r).
# - *Unconditioned users are at the centre*: their centroid is the nearest of all to the centre of the genre
#   centroids (score: the margin to the nearest genre, over the median genre's distance).
# - *Film-Noir is far from every genre*: its nearest-genre distance ranks in the top quarter (score: that distance
#   over the median genre's); *its nearest are Crime, Drama, Thriller, Mystery*: at least three of its four nearest
#   (score: mean distance to the other genres over mean distance to those four).
# - *War near Drama and Romance, far from Children's and Animation*: both near distances below both far ones;
#   *Horror between Thriller and Sci-Fi*: nearer to each than they are to each other; *Horror far from Western*:
#   Western in Horror's farthest quarter; *Thriller, Mystery, Crime close*: each of the three pairs among the closest
#   quarter of all genre pairs (scores: the corresponding distance ratios or closeness shares).
# - *Popular genres central, less popular aside*: Spearman correlation between a genre's number of movies and its
#   closeness to the centre, positive at the test level (score: ρ).
# - *Figure 3*: Mystery ≈ Horror, Children's ≈ Fantasy, War ≈ Western: each pair among the closest tenth of pairs,
#   and Action, Musical, Documentary each farther from the centre than half of the genres, in the plane of two
#   components where the pairs are closest (the paper chose its plane as the most interesting; every model, trained
#   or not, gets the same choice).
# - *Profiling* (§3.1.1): below.
#
# The table: each reading on the trained model and on how many untrained ones it holds, the scores, and the verdict.

# %%
verdicts = side.table()
display(verdicts.style.format(precision=2))
for key, (description, source) in obs.DESCRIPTIONS.items():
    measured = key in side.trained
    ch.claim(
        key,
        description,
        kind="paper",
        paper=True,
        ours=side.holds(key) if measured else None,
        rule=Holds() if measured else needs_20m,
        source=source,
        note=side.note(key) if measured else "",
        why={
            "clusters_silhouette": "Why: clusters",
            "clusters_eta2": "Why: clusters",
            "film_noir_isolated": "Why: Film-Noir",
            "unconditioned_centre": "Why: the unconditioned centre",
        }.get(key, "Why: the genres' geometry" if key in obs.IN_DATA else ""),
    )
ch.glue("sil_trained", side.trained["clusters_silhouette"].score, ".2f")
ch.glue("sil_untrained", side.untrained[0]["clusters_silhouette"].score, ".2f")

# %% [markdown]
# ## Profiling users
#
# The paper reads the vertical spread of the unconditioned users in its Figure 2: users at the bottom lean to light
# entertainment (Comedy, Romance), users at the top to serious movies (Thriller, Action, Crime). Our components are
# not the paper's, so we define the axis from the data: the direction from the mean centroid of the light genres to
# the mean centroid of the serious genres. Each unconditioned user is projected on it and compared with her history:
# the share of her liked movies in a serious genre minus the share in a light genre. The reading: Spearman
# correlation positive at the test level (the claim `profiling_axis` above; score: ρ).

# %%
position, score, rho, _ = latent.profiling(
    space, split.train[sample], conditions, ("Comedy", "Romance"), ("Thriller", "Action", "Crime")
)
ch.figure(figures.plot_profiling(position, score, rho), "profiling")

# %% [markdown]
# ## The epoch cap, ablated
#
# The cap of C-VAE's epochs is our choice, not the paper's (it trains up to 100). If the cap mattered, the verdicts
# would still be moving when it ends training: we measure every observation again on the model kept at half the cap
# (the best epoch up to then, from the same run) against the same untrained models. The book check holds when no
# reading and no verdict differs.

# %%
kept_half, state = histories["C-VAE"].snapshots[half]
early = MultVAE(split.n_items, conditions.n).to(device)
early.load_state_dict(state)
early_side = side.with_trained(obs.measure_model(early, split.train[sample], ctx))
changed = obs.changed(early_side, side)
ch.claim(
    "epoch_cap_ablation",
    f"No observation's reading or verdict changes between half the epoch cap ({half}) and the cap",
    kind="book",
    paper=True,
    ours=not changed,
    rule=Holds(),
    source="book check (epoch cap: our choice)",
    note=f"kept epoch {kept_half + 1} at half the cap, {histories['C-VAE'].best_epoch + 1} at the cap; changed: "
    + (", ".join(changed) or "none"),
)

# %% [markdown]
# ## Why: clusters
#
# The untrained C-VAE clusters users by condition (silhouette {glue:text}`sil_untrained` for its own initialisation);
# the trained one has {glue:text}`sil_trained`. Where the trained model misses, the most plausible cause: training
# makes the latent code carry each user's taste, which is the same under every condition and spreads each condition's cloud over the space, so
# clouds overlap even if every condition moves every user the same way. Tested: subtract each user's own mean point
# (over her conditions) and compute the silhouette again; if the conditions then separate (silhouette at the same
# threshold), the clusters are there and the taste spread hides them. A control that must fail: the same with the
# condition labels shuffled within each user.

# %%
centred = obs.centred_silhouette(space, seed=seed)
shuffled = obs.centred_silhouette(space, seed=seed, shuffle=True)
ch.claim(
    "why_silhouette_taste_spread",
    "With each user's taste removed, the trained model's points cluster by condition (silhouette)",
    kind="book",
    paper=None,
    ours=centred,
    rule=AtLeast(thresholds.silhouette),
    source="book check (why the silhouette fails)",
    note=f"with labels shuffled within users (control): {shuffled:.2f}",
    regen_abs=0.02,
)

# %% [markdown]
# ## Why: Film-Noir
#
# The paper finds Film-Noir far from every genre. On ML-1M it has the fewest movies of all genres, so its condition
# has few training examples. The most plausible cause of a miss: rare conditions are moved least by training and stay close
# to the rest. Tested: the rank correlation across genres between a condition's number of training examples and its
# isolation, on the trained model; the cause is supported when it is positive at the test level.

# %%
rho_rare, p_rare, examples = obs.rarity_and_isolation(space, split.train, conditions)
ch.claim(
    "why_film_noir_rarity",
    "Across genres, conditions with more training examples lie more isolated (Spearman ρ, p ≤ alpha)",
    kind="book",
    paper=True,
    ours=bool(rho_rare > 0 and p_rare <= thresholds.alpha),
    rule=Holds(),
    source="book check (why Film-Noir is not isolated)",
    note=f"Spearman ρ {rho_rare:.2f} (p {p_rare:.3f}); Film-Noir has {examples['Film-Noir']:,} examples",
)

# %% [markdown]
# ## Why: the unconditioned centre
#
# The paper sees the unconditioned users at the centre of the genre clusters and reads it as learned. The most
# plausible cause of our verdict: the arrangement is built into the architecture. The condition enters the encoder
# as one column of its first layer per genre and the zero condition adds none, so before any training each genre's
# cloud is the unconditioned cloud moved by its own random column, and the unconditioned cloud sits amid them.
# Training can keep the arrangement (the trained model's reading is in the observations' table) but cannot make it
# more than the untrained models already show. Tested: the share of the untrained models on which the reading
# holds; the cause is supported when it is at least 0.9 (at most one initialisation in ten misses it). The null of
# `tests/test_cvae_null.py` (genre columns sharing one large common shift, so the zero condition lies to one side)
# fails the same rule.

# %%
ch.claim(
    "why_centre_built_in",
    "Untrained C-VAEs already put the unconditioned users nearest the centre (share of the untrained models)",
    kind="book",
    paper=None,
    ours=side.untrained_share("unconditioned_centre"),
    rule=AtLeast(0.9),
    source="book check (why the unconditioned centre is not learned)",
    note=side.note("unconditioned_centre"),
    regen_abs=0.2,
)

# %% [markdown]
# ## Why: the genres' geometry
#
# The paper reads its genre relations (Film-Noir's neighbours, War near Drama and Romance, Horror between Thriller
# and Sci-Fi and far from Western, Thriller, Mystery and Crime close, Figure 3's overlapping pairs, popular genres
# central and Action, Musical and Documentary offside) off ML-20M's latent space. The most plausible cause of a miss
# here: the relation is not in ML-1M's users' tastes at all, so no model trained on them should show it. Tested
# without any model: the same readings, with the same thresholds, on the genres' distances in the data itself (genres
# as columns of each user's share of liked movies per genre, distance 1 − correlation: genres liked by the same users
# lie close). A genre's distance from the data's centre is its mean distance to the other genres, which ranks the
# genres exactly as the distance of their standardised columns from the columns' centroid. One limit of this test:
# shares sum to one, which by itself pushes the largest genres away from the others, so for the two centre readings
# an "absent in the data" leans the way popular genres are not central. The unconditioned users have no column of
# their own, so their centre reading has no data counterpart. The book check is the share of the readings the
# trained model misses that the data does not show either; when it is high, the misses are the data's (ML-1M is not
# ML-20M), not the model's.

# %%
in_data = obs.data_readings(split.train, conditions, space.labels[:-1])
display(
    pd.DataFrame(
        {
            "trained model": {k: side.holds(k) for k in obs.IN_DATA},
            "users' tastes (no model)": {k: bool(in_data[k].reading) for k in obs.IN_DATA},
            "in the data": {k: in_data[k].detail for k in obs.IN_DATA},
        }
    )
)
share, detail = obs.missed_in_data(side, in_data)
ch.claim(
    "why_geometry_in_data",
    "Of the genre relations the trained model misses, the share that the users' tastes do not show either",
    kind="book",
    paper=None,
    ours=share,
    rule=AtLeast(0.5) if share is not None else NotApplicable("every pairwise reading holds on the trained model"),
    source="book check (why the genres' geometry differs)",
    note=detail,
    regen_abs=0.01,
)

# %% [markdown]
# ## What differs, and why
#
# - **Data.** ML-1M instead of ML-20M: 18 genres instead of 20, about 3,500 movies instead of 20,000, and no neutral
#   genre or IMAX, so the paper's first component (spent on "no genres listed") has no counterpart, the components are
#   not numbered alike, and the statements about IMAX and the neutral genre are not applicable. Each verdict is about
#   ML-1M unless the run was given ML-20M.
# - **Learned, not built in.** An untrained C-VAE already clusters users by condition and puts unconditioned users in
#   the centre: the one-hot condition shifts the latent mean by itself. Every observation is therefore required to
#   beat untrained models, which the paper did not do; a reading the untrained models share is not counted as learned.
# - **Reading.** The paper reads its figures by eye; here each reading is a number with a threshold fixed in advance,
#   and the Figure 3 plane is chosen by the same rule for every model.
# - **Training.** The paper's settings, except the epoch cap of C-VAE (ablated above) and our choice of held-out
#   users; Mult-VAE gets C-VAE's budget of optimiser steps.
# - **Seeds.** No hyperparameter search (the paper gives its settings), so every seed of the book's sweep trains the
#   same settings on its own held-out users and untrained models; the scorecard gives each row its mean, interval and
#   k of N, and the figures here are seed 0's.
# - **Smoke profile.** Two epochs on 800 users and fewer untrained models: its verdicts say nothing about the paper;
#   they exist so that the regeneration check covers every number.

# %%
ch.finish()

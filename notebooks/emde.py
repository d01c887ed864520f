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
#     title: "EMDE: why you like this movie"
#     datasets: [ml-1m, films]
#     figures: [entities, influencers, schindler_entities, schindler_movies, removal]
#     claims: [split_sizes, emde_beats_popularity, emde_beats_ease, ig_completeness, own_cast_strong,
#       not_own_cast, crowe_gladiator, smith_gladiator, hitchcock_rear_window, norton_fight_club, cotten_casablanca,
#       why_named_one_user, same_epoch, tokens_fight_club, tokens_gladiator, violence_viewers, posters_toolkit,
#       gladiator_braveheart,
#       different_reasons, cast_text_vs_posters, agreement_cast, agreement_title, agreement_posters,
#       top_influence_interactions, top_influence_cast, cast_vs_interactions, high_influence_disliked,
#       high_influence_genres, high_influence_title, removal_faithful, ablation_cleora_iterations,
#       ablation_sum_over_units, why_agreement_untrained]
# ---

# %% [markdown]
# # EMDE: why you like this movie
#
# Rychalska, Basaj, Dąbrowski and Daniluk (ICML 2020 workshop, *I know why you like this movie: Interpretable
# Efficient Multimodal Recommender*) interpret EMDE, a recommender whose input is a *sketch*: every movie (or actor,
# or plot word) is hashed into buckets, and a user is the sum of her items' buckets. They attribute the output to the
# input sketch with Integrated Gradients and decode the attributions back to movies, actors and words. On ML-20M with
# five modalities (liked movies, disliked movies, cast, plot texts, posters) they show the strongest people and plot
# words for five movies (*Gladiator*, *Fight Club*, *Rear Window*, *Apollo 13*, *Casablanca*) and for *Schindler's
# List* user by user, tell anecdotes about named people (Russell Crowe, Will Smith, Alfred Hitchcock, Edward Norton,
# Joseph Cotten), and report that supporting modalities rarely pick the same most influential movie as the
# interactions and that the top influencer's attribution is similar across modalities.
#
# **What this chapter substitutes.** ML-20M, plot texts and posters are not available here. The default run uses
# ML-1M, which holds all six of the paper's movies; its cast and crew come **by name** from the Wikidata film table
# (actors, directors and writers, joined by title and year; see the data chapter for the join's coverage). Title words
# stand in for plot texts (they are not plot texts: no claim about plot words is called replicated on them), genres
# are a fifth modality, and there is no poster modality. `dataset="ml-100k"` runs on ML-100K with either the same
# named table (`cast="films"`) or its Freebase graph (`cast="freebase"`, entities without names); ML-20M loads from
# a path. A reader with plot texts or poster clusters adds them as a modality from a CSV file (`extra_modality`,
# columns `movie,unit`).

# %% tags=["parameters"]
profile = "smoke"  # "smoke": small network, 3 epochs (CI); "paper": the full run
dataset = "ml-1m"  # ml-1m (default), ml-100k, or ml-20m given by data_dir
data_dir = None
seed = 0
device = "auto"
cast = "films"  # cast and crew: "films" (Wikidata table, by name), "freebase" (ML-100K only, no names) or "none"
extra_modality = None  # optional CSV (movie,unit) adding e.g. plot words or poster clusters as a modality

# %%
import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from replicate import data, splits
from replicate.baselines import EASE, Popularity
from replicate.core.chapter import Chapter
from replicate.core.claims import NotApplicable
from replicate.papers.emde import measure, rules
from replicate.papers.emde import explain as emde_ig
from replicate.papers.emde import figures as emde_figures
from replicate.papers.emde import inputs as emde_inputs
from replicate.papers.emde import modalities as emde_modalities
from replicate.papers.emde import train as emde

# %%
ch = Chapter("emde", profile=profile, seed=seed, device=device)
rng, device = ch.rng, ch.device
SETTINGS = {
    "smoke": dict(heldout=150, hidden=256, epochs=3, steps=32, per_movie=30, explained_users=15),
    "paper": dict(heldout=500, hidden=1024, epochs=5, steps=32, per_movie=50, explained_users=15),
}[profile]
print(f"dataset={dataset}, cast={cast}, settings={SETTINGS}")

# %% [markdown]
# ## Data, modalities and model
#
# Users are split as for the other chapters' strong generalisation: held-out validation and test users whose liked
# movies (rating ≥ 4) are split 80 / 20 into input and movies to predict; their disliked movies (< 4) are input too.
# The paper's split (116,677 / 10,000 / 10,000 users of ML-20M) needs ML-20M. The cast modality's units are people
# by name, whatever their role (Hitchcock directs *Rear Window* and appears in it: one unit); people and title words
# in only one movie are left out (they would hash like that movie and carry nothing the movie does not), and people
# credited on exactly the same movies are merged (the model cannot tell them apart). Each modality's units are
# embedded with a Cleora-style graph embedding (random vectors propagated over the co-occurrence graph: movies
# through users, people and words through movies) and hashed by density-dependent LSH into 10 sketches of width 128.
# We use one propagation step (the paper does not say; the ablation below runs three). The network is a residual
# feed-forward net (3 blocks of Linear → LeakyReLU → BatchNorm) whose output is read as 10 distributions over 128
# buckets; each epoch draws, per training user, a random fifth of her liked movies as the target.

# %%
ds = data.load(dataset, data_dir=data_dir)
split = splits.strong_generalization(ds, n_heldout=SETTINGS["heldout"], seed=seed)
people = emde_modalities.cast_people(ds, cast, data_dir=data_dir)
modalities = emde_modalities.build_modalities(ds, people=people)
if extra_modality:
    modalities.append(emde_modalities.modality_from_csv(extra_modality, ds))
names = [m.name for m in modalities]
config = emde.Config(hidden=SETTINGS["hidden"], epochs=SETTINGS["epochs"], seed=seed, device=device)
train_ratings = ds.ratings[ds.ratings["user"].isin(split.train_users)]
graph = emde_inputs.interaction_graph(train_ratings, ds.n_items, ds.n_users)
emde.fit_codes(modalities, graph, config)
pd.DataFrame(
    {
        "units": [m.n_units for m in modalities],
        "movies with a unit": [int((m.movie_units.sum(axis=1) > 0).sum()) for m in modalities],
        "fed by": [m.source for m in modalities],
        "non-empty buckets (sketch 1)": [len(np.unique(m.codes[:, 0])) for m in modalities],
    },
    index=names,
)

# %%
train_inputs = emde_inputs.user_inputs(ds, split.train_users, split.train, split.items, decay=config.decay)
history = emde.train(modalities, train_inputs.liked, train_inputs.disliked, split.items, config)
model = history.model
ch.glue("epoch_seconds", float(np.mean(history.seconds)), ".1f")
print(f"{len(history.losses)} epochs, {np.mean(history.seconds):.1f} s each; loss {history.losses[0]:.3f} → {history.losses[-1]:.3f}")  # fmt: skip

# %% [markdown]
# ## Recommendation quality (book checks)
#
# Recall@k (denominator min(k, n)) and nDCG@100 on the test users' held-out liked movies, beside a popularity ranking
# and EASE (Steck 2019), whose L2 weight is chosen on the validation users (searched once, on seed 0: the other
# seeds of the book's sweep retrain EASE with seed 0's weight). Every model excludes the same movies (the
# user's liked and disliked input movies); only EMDE also reads the disliked movies and the content modalities. The
# interpretability paper reports no accuracy; EMDE's own paper reports it beating such baselines on ML-20M, so these
# are the book's checks that the explained model is a real recommender.

# %%
test_users, test_inputs, test_heldout = emde_inputs.split_inputs(ds, split, "test", decay=config.decay)
valid_users, valid_inputs, valid_heldout = emde_inputs.split_inputs(ds, split, "valid", decay=config.decay)
l2 = ch.chosen("ease_l2") or emde.tune_ease(
    split.train, emde_inputs.fold_in_catalogue(valid_inputs, split.items), valid_heldout
)
ch.choose("ease_l2", l2)
fold_in = emde_inputs.fold_in_catalogue(test_inputs, split.items)
scores = model.scores(test_inputs)
quality = emde.evaluate(
    {
        "EMDE": scores,
        "popularity": emde_inputs.mask_seen(Popularity().fit(split.train).fold_in(fold_in), test_inputs, split.items),
        f"EASE (λ = {l2})": emde_inputs.mask_seen(
            EASE(l2=float(l2)).fit(split.train).fold_in(fold_in), test_inputs, split.items
        ),  # fmt: skip
    },
    test_heldout,
)
display(quality.style.format("{:.3f}"))
emde_ndcg, pop_ndcg, ease_ndcg = quality["nDCG@100"].to_numpy()

# %%
ch.claim(
    "emde_beats_popularity",
    "EMDE nDCG@100 minus popularity's",
    kind="book",
    paper=None,
    ours=emde_ndcg - pop_ndcg,
    rule=rules.BEATS,  # a recommender worth explaining beats the most popular movies
    source="this book (Dąbrowski et al. 2020 report EMDE beating such baselines on ML-20M)",
    note=f"EMDE {emde_ndcg:.3f}, popularity {pop_ndcg:.3f}",
    regen_abs=0.02,
)
ch.claim(
    "emde_beats_ease",
    "EMDE nDCG@100 minus EASE's",
    kind="book",
    paper=None,
    ours=emde_ndcg - ease_ndcg,
    rule=rules.BEATS,  # EMDE's own paper reports it above EASE on ML-20M
    source="this book (Dąbrowski et al. 2020, Table 2)",
    note=f"EASE {ease_ndcg:.3f} (λ = {l2})",
    regen_abs=0.02,
)
ch.claim(
    "split_sizes",
    "Train / test / validation users of the filtered ML-20M",
    kind="paper",
    paper="116,677 / 10,000 / 10,000",
    ours=f"{len(split.train_users):,} / {len(test_users):,} / {len(valid_users):,} ({ds.name})",
    rule=NotApplicable("needs ML-20M filtered as in Dąbrowski et al. 2020"),
    source="Rychalska et al. §3",
)

# %% [markdown]
# ## Attributions
#
# For each test user, the explained output is the sum of the output-sketch values at the buckets of her top-scored
# movie (the paper's "output buckets belonging to the item with the highest recommendation score"). captum's
# `IntegratedGradients` attributes it to the input sketch from an all-zero baseline (an empty history; the paper
# does not give its baseline or number of steps). Completeness says the attributions add up to f(x) − f(baseline);
# the remaining gap measures the integration error. A unit's attribution is the mean over the ten sketches of its
# bucket's attribution (the paper's decoding); a movie's attribution in a modality is the mean over its units (the
# paper does not say; the sum is an ablation below).

# %%
top_items = split.items[np.argmax(scores, axis=1)]
attribution = emde_ig.explain(model, test_inputs, top_items, steps=SETTINGS["steps"])
gap = np.abs(attribution.cells.reshape(len(top_items), -1).sum(axis=1) - (attribution.f - attribution.f_baseline))
relative_gap = float(np.median(gap / np.abs(attribution.f - attribution.f_baseline)))
ch.claim(
    "ig_completeness",
    "IG completeness: median |Σ attributions − (f(x) − f(0))| / |f(x) − f(0)|",
    kind="book",
    paper=None,
    ours=relative_gap,
    rule=rules.COMPLETENESS,  # the integration error of a few dozen steps; larger means too few steps
    source="Sundararajan et al. 2017 (completeness axiom)",
    regen_abs=0.01,
)
movie_attr = {m.name: emde_ig.movie_scores(attribution, model, test_inputs, k) for k, m in enumerate(modalities)}
tops = {name: emde_ig.top_movie(a) for name, a in movie_attr.items()}

# %% [markdown]
# ## Figure 1 analog: the strongest people and words for the paper's movies
#
# The paper aggregates over the users to whom a movie is recommended. Few test users get one particular movie as
# their very first recommendation, so a user "gets" a movie here when it is in her top ten (validation and test
# users, the movie never in her input); for each of the paper's movies we explain it as the target for up to the
# number of users set in the settings, those with the highest score for it. A movie that fewer than five users get
# is listed with its count below, and the most often first-recommended movie not yet shown is added in its place.
# Bar length plays the role of word size in the paper's word clouds: the attribution summed over the movie's users,
# counting a person or word only for users whose input has it.

# %%
pool = emde_inputs.stack_inputs(valid_inputs, test_inputs)
pool_scores = model.scores(pool)
selection = measure.paper_movie_selection(ds, pool_scores, split.items, n=SETTINGS["per_movie"])
display(selection[["title", "count", "paper", "kept"]])
kept = selection[selection["kept"]]
batch_rows = np.concatenate(kept["users"].to_list())
batch_targets = np.concatenate([np.full(len(u), i) for u, i in zip(kept["users"], kept["item"])])
movie_inputs = emde_inputs.select(pool, batch_rows)
movie_attribution = emde_ig.explain(model, movie_inputs, batch_targets, steps=SETTINGS["steps"])
offsets = dict(zip(kept["item"], np.split(np.arange(len(batch_rows)), np.cumsum(kept["count"])[:-1])))
entity_modalities = tuple(n for n in ("cast", "title") if n in names)
tables = {
    f"{row.title} ({row.count} users)": {
        n: emde_ig.top_entities(movie_attribution, model, movie_inputs, names.index(n), offsets[row.item], k=8)
        for n in entity_modalities
    }
    for row in kept.itertuples()
}
ch.figure(emde_figures.plot_entities(tables, entity_modalities), "entities")

# %% [markdown]
# ## Figure 2 analog: the most influential input movie per modality
#
# For the same movies, the input movie with the largest attribution summed over their users, in each modality (the
# paper shows posters: its Figure 2 pairs *Gladiator* with *Braveheart*; here each modality gives a title).

# %%
movie_attr_selected = {
    m.name: emde_ig.movie_scores(movie_attribution, model, movie_inputs, k) for k, m in enumerate(modalities)
}
influencers = measure.influencer_table(ds, movie_attr_selected, selection, offsets)
ch.figure(emde_figures.plot_table(influencers, "Most influential input movie per modality"), "influencers")
display(influencers)
gladiator_row = [label for label in influencers.index if label.startswith("Gladiator (2000)")]
ch.claim(
    "gladiator_braveheart",
    "The most influential poster for Gladiator is Braveheart's",
    kind="paper",
    paper="Braveheart (1995)",
    ours=influencers.loc[gladiator_row[0], "liked"] if gladiator_row else None,
    rule=NotApplicable("needs movie posters; ours: the most influential liked movie"),
    source="Rychalska et al. §3.3, Figure 2",
)

# %% [markdown]
# ## §3.2 The people behind a recommendation
#
# The paper's sentences about cast, each measured and decided by a rule fixed before the run (justifications below):
#
# - *Actors and directors often are strong influencers on other movies they have worked on*: over test users whose
#   input has someone of their recommended film, the share whose strongest person is in that film's cast or crew,
#   against the share a random person of her input would give (their difference, with a bootstrap interval).
# - *Lead actors may not have a strong influence on their own movies*: the share of those users whose strongest
#   person is *not* in the film (the billing order is unknown, so every credited person stands for the lead).
# - Named people: Russell Crowe is not strong for *Gladiator*, Will Smith is; Alfred Hitchcock is strong for *Rear
#   Window*, Edward Norton for *Fight Club*, Joseph Cotten for *Casablanca*: their rank among the people present for
#   the movie's users, with a bootstrap interval over those users, "strong" meaning the top k, k fixed in advance.
# - *An actor who does not star in a movie but belongs to the same movie epoch can be a strong attribution*: among
#   users whose strongest person is not in the film, the share whose person's films (median year) lie within ± 10
#   years of the film, against a random person of her input who is not in the film.

# %%
display(pd.Series(rules.JUSTIFICATIONS, name="why this threshold").to_frame())
cast_k = names.index("cast") if "cast" in names else None
no_cast = NotApplicable("no cast modality in this run")
owned = measure.own_cast(attribution, model, test_inputs, cast_k, seed=seed) if cast_k is not None else None
ch.claim(
    "own_cast_strong",
    "Strongest person in the recommended film's cast: share minus a random person's",
    kind="paper",
    paper=None,
    ours=owned["excess"] if owned else None,
    interval=owned["interval"] if owned else None,
    rule=rules.OWN_CAST_STRONG if owned else no_cast,  # 'strong influencers on their movies': more than chance
    source="Rychalska et al. §3.2",
    note=f"in film {owned['in_film']:.2f} vs random {owned['random']:.2f}; {owned['n']} users" if owned else "",
    regen_abs=0.1,
)
ch.claim(
    "not_own_cast",
    "Share of users whose strongest person is not in the recommended film",
    kind="paper",
    paper=None,
    ours=owned["not_in_film"] if owned else None,
    interval=owned["not_interval"] if owned else None,
    rule=rules.NOT_OWN_CAST if owned else no_cast,  # the paper names two of five movies so
    source="Rychalska et al. §3.2",
    note=f"{owned['n']} users" if owned else "",
    regen_abs=0.15,
)

# %%
named = [
    ("crowe_gladiator", "Russell Crowe", "Gladiator (2000)", rules.NOT_STRONG, "not strong"),
    ("smith_gladiator", "Will Smith", "Gladiator (2000)", rules.STRONG, "the decisive actor"),
    ("hitchcock_rear_window", "Alfred Hitchcock", "Rear Window (1954)", rules.STRONG, "strong"),
    ("norton_fight_club", "Edward Norton", "Fight Club (1999)", rules.STRONG, "strong"),
    ("cotten_casablanca", "Joseph Cotten", "Casablanca (1942)", rules.STRONG, "strongly contributes"),
]
ranks = measure.named_ranks(movie_attribution, model, movie_inputs, cast_k, selection, offsets, named, seed=seed)
display(ranks.drop(columns=["rule"]))
for row in ranks.itertuples():
    ch.claim(
        row.id,
        f"Rank of {row.person} among the people for {row.movie} (paper: {row.says}; top {rules.TOP_K} is strong)",
        kind="paper",
        paper=row.says,
        ours=row.rank,
        interval=row.interval,
        rule=row.rule,
        source="Rychalska et al. §3.2, Figure 1",
        note=row.note,
        regen_abs=50,
        why="Why a named person may not rank where the paper says",
    )

# %% [markdown]
# ### Why a named person may not rank where the paper says
#
# The paper's Figure 1 shows one user's explanation; our rank sums each person's attribution over all the users who
# get the movie. The most plausible cause of a miss is that difference of reading: a person can be strong for some
# users without being among the strongest summed over all of them. Tested: for each person the paper calls strong,
# and each user of the movie whose input has that person, whether the person is among the top {glue:text}`top_k`
# people of that user's own explanation, minus the chance of that under a random order of her people; pooled over
# the named people, the cause is supported when the excess is above zero (bootstrap interval over users), i.e. when a
# figure of one well-chosen user can show the person strong. When it is not, the named people are not strong even
# user by user, and our model disagrees with the paper's anecdote.

# %%
one_user = measure.named_per_user(
    movie_attribution, model, movie_inputs, cast_k, selection, offsets, named, rules.TOP_K, seed=seed
)
ch.glue("top_k", rules.TOP_K)
ch.claim(
    "why_named_one_user",
    "Named people the paper calls strong: share of their movie's users for whom they are top k, minus chance",
    kind="book",
    paper=None,
    ours=one_user["excess"] if one_user else None,
    interval=one_user["interval"] if one_user else None,
    rule=rules.OWN_CAST_STRONG if one_user else no_cast,  # more often top k than a random order of her people
    source="ours: one user's reading against the sum over users (issue 15)",
    note="; ".join(f"{p}: {e:+.2f} over {n} users" for p, (e, n) in one_user["per_person"].items()) if one_user else "",
    regen_abs=0.15,
)

# %%
epoch = (
    measure.same_epoch(attribution, model, test_inputs, cast_k, ds.items["year"].to_numpy(), seed=seed)
    if cast_k is not None
    else None
)
ch.claim(
    "same_epoch",
    "Strongest person not in the film but of its epoch (± 10 years): share minus a random non-cast person's",
    kind="paper",
    paper=None,
    ours=epoch["excess"] if epoch and epoch["n"] else None,
    interval=epoch["interval"] if epoch and epoch["n"] else None,
    rule=rules.SAME_EPOCH if epoch and epoch["n"] else no_cast,  # 'belongs to the same epoch': more than chance
    source="Rychalska et al. §3.2 (Joseph Cotten and Casablanca)",
    note=f"share {epoch['share']:.2f} vs random {epoch['random']:.2f}; {epoch['n']} users" if epoch else "",
    regen_abs=0.15,
)

# %% [markdown]
# ## §3.1 and §3.3: plot words and posters
#
# The paper's readings of plot words ('gang' and 'kill' for *Fight Club*; 'know', 'help', 'see', 'world' for
# *Gladiator*; violence as an advantage for *Rear Window*, *Fight Club* and *Apollo 13*) need plot texts, and its
# reading of posters needs posters. Title words are no plot texts: the words shown in Figure 1's right column are
# the strongest title words, recorded beside each claim but never compared.

# %%
title_tops = {
    row.title: list(tables[f"{row.title} ({row.count} users)"].get("title", pd.Series(dtype=float)).index[:4])
    for row in kept.itertuples()
}
for claim_id, movie, words in [
    ("tokens_fight_club", "Fight Club (1999)", "gang, kill"),
    ("tokens_gladiator", "Gladiator (2000)", "know, help, see, world"),
]:
    ch.claim(
        claim_id,
        f"Plot words with high attribution for {movie}",
        kind="paper",
        paper=words,
        ours=", ".join(title_tops.get(movie, [])) or None,
        rule=NotApplicable("needs plot texts; ours: the strongest title words, a substitute"),
        source="Rychalska et al. §3.1, Figure 1a",
    )
ch.claim(
    "violence_viewers",
    "Violence words help Rear Window, Fight Club and Apollo 13, not Gladiator",
    kind="paper",
    paper="violence words strong for three of the movies",
    ours=None,
    rule=NotApplicable("needs plot texts"),
    source="Rychalska et al. §3.1",
)
ch.claim(
    "posters_toolkit",
    "Shared poster elements (colour, positioning, number of characters) of recommended and influential movies",
    kind="paper",
    paper="qualitative",
    ours=None,
    rule=NotApplicable("needs movie posters (SimCLR embeddings)"),
    source="Rychalska et al. §3.3",
)

# %% [markdown]
# ## Figures 3–4 analog: Schindler's List for 15 users
#
# The paper explains the recommendation of *Schindler's List* to 15 users. We take the validation and test users who
# have it in their top ten, the 15 with the highest score, and explain *Schindler's List* as the target for each.
# Rows are users, in the same order in both figures: Figure 3 the strongest person and title word, Figure 4 the most
# influential input movie in every modality (the paper's posters). *Different reasons*: the number of distinct
# strongest people (and words) over these users, against what one reason shared by all of them gives (every user
# scored by the users' mean attribution, each then taking her strongest present person).

# %%
schindler = int(ds.items.index[ds.items["title"] == measure.SCHINDLER][0])
column = int(np.flatnonzero(split.items == schindler)[0])
chosen = measure.recommended_to(pool_scores, column, k=10, n=SETTINGS["explained_users"])
chosen_inputs = emde_inputs.select(pool, chosen)
focus = emde_ig.explain(model, chosen_inputs, np.full(len(chosen), schindler), steps=SETTINGS["steps"])
per_user = measure.per_user_table(ds, focus, model, chosen_inputs, names, entity_modalities)
entity_columns = [c for c in per_user.columns if c.startswith("strongest")]
title = f"Why {measure.SCHINDLER}, user by user ({len(chosen)} users)"
ch.figure(emde_figures.plot_table(per_user[entity_columns], title, width=9), "schindler_entities")
ch.figure(emde_figures.plot_table(per_user.drop(columns=entity_columns), title, width=18), "schindler_movies")
reasons = {n: measure.distinct_reasons(focus, model, chosen_inputs, names.index(n)) for n in entity_modalities}
display(pd.DataFrame(reasons).T)

# %%
ch.claim(
    "different_reasons",
    "Schindler's List: distinct strongest people over the users, minus one shared reason's",
    kind="paper",
    paper=None,
    ours=reasons["cast"]["distinct"] - reasons["cast"]["shared"] if "cast" in reasons else None,
    rule=rules.DIFFERENT_REASONS if "cast" in reasons else no_cast,  # one reason for all is what the paper rules out
    source="Rychalska et al. §3 and §3.4",
    note=f"{reasons['cast']['distinct']} distinct vs {reasons['cast']['shared']} shared; {reasons['cast']['n']} users"
    if "cast" in reasons
    else "",
    regen_abs=5,
)
ch.claim(
    "cast_text_vs_posters",
    "Cast and text vary more across users than posters",
    kind="paper",
    paper="cast, text > posters",
    ours=", ".join(f"{n}: {r['distinct']} distinct" for n, r in reasons.items()),
    rule=NotApplicable("needs posters; title words substitute for text"),
    source="Rychalska et al. §3.4",
)

# %% [markdown]
# ## The paper's statistics, measured
#
# - **Agreement**: for each supporting modality, the share of test users whose most influential movie in that
#   modality is the same as in the liked-movies modality (users with at least two liked input movies), *minus* the
#   agreement expected by chance (picking one of the user's liked input movies at random), with a bootstrap interval.
#   The paper's users (ML-20M, dozens of liked movies each) have a chance agreement near zero, so its 10 % for plots
#   and cast reads as an excess; the raw share is shown beside it. Title words stand in for plot texts: measured,
#   never compared.
# - **Top influence**: the mean over users of the largest movie attribution in a modality. The paper's values (0.023
#   for cast, 0.026 for interactions) depend on the scale of its explained output, which it does not publish, so
#   the absolute values are not comparable; their ratio to the interactions' is ("comparatively high" for every
#   modality).

# %%
n_liked = (test_inputs.liked > 0).sum(axis=1).A.ravel()
agree = measure.agreement_excess(tops, n_liked, n_liked >= 2, seed=seed)
display(pd.DataFrame(agree).T.drop(columns="interval"))
ch.claim(
    "agreement_cast",
    "Cast picks the same most influential movie as interactions (share of users, excess over chance)",
    kind="paper",
    paper=0.10,
    ours=agree["cast"]["excess"] if "cast" in agree else None,
    interval=agree["cast"]["interval"] if "cast" in agree else None,
    rule=rules.AGREEMENT if "cast" in agree else no_cast,  # ± 5 points: half the paper's value
    source="Rychalska et al. §3",
    why="Why the cast agreement may not be the paper's",
    note=f"raw {agree['cast']['raw']:.3f}, chance {agree['cast']['chance']:.3f}, {agree['cast']['n']} users"
    if "cast" in agree
    else "",
    regen_abs=0.1,
)
ch.claim(
    "agreement_title",
    "Plot texts pick the same movie as interactions (ours: title words, excess over chance)",
    kind="paper",
    paper=0.10,
    ours=agree["title"]["excess"],
    interval=agree["title"]["interval"],
    rule=NotApplicable("needs plot texts; title words are a substitute, shown, not compared"),
    source="Rychalska et al. §3",
    note=f"title words: raw {agree['title']['raw']:.3f}, chance {agree['title']['chance']:.3f}",
    regen_abs=0.1,
)
ch.claim(
    "agreement_posters",
    "Posters pick the same movie as interactions",
    kind="paper",
    paper=0.0,
    ours=None,
    rule=NotApplicable("needs movie posters"),
    source="Rychalska et al. §3",
)

# %%
influence = {name: emde_ig.top_influence(a) for name, a in movie_attr.items()}
ratios = {n: measure.influence_ratio(movie_attr, n, seed=seed) for n in names if n != "liked"}
display(pd.DataFrame({"top influence": pd.Series(influence), "ratio to liked": pd.Series({n: r["ratio"] for n, r in ratios.items()})}))  # fmt: skip
for claim_id, name, value in [("top_influence_interactions", "liked", 0.026), ("top_influence_cast", "cast", 0.023)]:
    ch.claim(
        claim_id,
        f"Mean attribution of the top influential movie, {name}",
        kind="paper",
        paper=value,
        ours=influence.get(name),
        rule=NotApplicable("the scale of the explained output differs; the ratio is compared"),
        source="Rychalska et al. §3",
        regen_abs=0.01,
    )
ch.claim(
    "cast_vs_interactions",
    "Top influence of cast relative to interactions",
    kind="paper",
    paper=rules.PAPER_CAST_RATIO,
    ours=ratios["cast"]["ratio"] if "cast" in ratios else None,
    interval=ratios["cast"]["interval"] if "cast" in ratios else None,
    rule=rules.CAST_RATIO if "cast" in ratios else no_cast,  # ± 0.2: 'comparable' told from 'much weaker'
    source="Rychalska et al. §3",
    regen_abs=0.05,
    why="Why the cast-to-interactions ratio is not the paper's",
)
for name in ("disliked", "genres", "title"):
    ch.claim(
        f"high_influence_{name}",
        f"Top influence of {name} relative to interactions ('comparatively high')",
        kind="paper" if name == "disliked" else "book",
        paper=None,
        ours=ratios[name]["ratio"],
        interval=ratios[name]["interval"],
        rule=rules.HIGH_INFLUENCE,  # 'comparatively high': at least half the interactions'
        source="Rychalska et al. §3" if name == "disliked" else "this book (a modality the paper does not have)",
        regen_abs=0.1,
    )

# %% [markdown]
# ## Faithfulness (book check)
#
# If the attributions are faithful, taking each user's top-attributed liked input movie out of her input should
# lower the explained output more than taking out a random other liked input movie (one-sided Mann–Whitney U test,
# test users with at least two liked input movies).

# %%
users = np.flatnonzero((n_liked >= 2) & (tops["liked"] >= 0))
sub = emde_inputs.select(test_inputs, users)
liked_rows = measure.sparse_rows(sub.liked)
random_pick = np.array([rng.choice(np.setdiff1d(row, [tops["liked"][u]])) for row, u in zip(liked_rows, users)])
drop_top = emde_ig.removal_effect(model, sub, top_items[users], tops["liked"][users])
drop_random = emde_ig.removal_effect(model, sub, top_items[users], random_pick)
u_test = mannwhitneyu(drop_top, drop_random, alternative="greater")
ch.figure(emde_figures.plot_removal(drop_top, drop_random, u_test.pvalue), "removal")
ch.claim(
    "removal_faithful",
    "Removing the top-attributed movie lowers the output more than a random one (p)",
    kind="book",
    paper=None,
    ours=float(u_test.pvalue),
    rule=rules.REMOVAL,  # the usual level of a one-sided test
    source="this book (faithfulness check)",
    note=f"median drop {np.median(drop_top):.3f} vs {np.median(drop_random):.3f}; {len(users)} users",
    regen_abs=0.01,
)

# %% [markdown]
# ## Ablations of choices the paper does not make (book checks)
#
# - **Cleora iterations.** We propagate the embeddings once; a common Cleora setting is three. The same model trained
#   on three-step codes, with the same seed and budget: its nDCG@100 minus ours, and its cast agreement.
# - **Mean or sum over a movie's units.** The cast-to-interactions ratio with a movie's cast attribution summed over
#   its people instead of averaged, decided by the same rule as the paper claim: if the verdict flips, the paper's
#   ratio depends on a choice it does not state.

# %%
ablation_config = emde.Config(**{**config.__dict__, "iterations": 3})
ablation_modalities = emde_modalities.build_modalities(ds, people=people)
emde.fit_codes(ablation_modalities, graph, ablation_config)
ablation = emde.train(ablation_modalities, train_inputs.liked, train_inputs.disliked, split.items, ablation_config)
ablation_scores = ablation.model.scores(test_inputs)
ablation_ndcg = float(emde.evaluate({"three steps": ablation_scores}, test_heldout)["nDCG@100"].iloc[0])
ch.claim(
    "ablation_cleora_iterations",
    "nDCG@100 with one Cleora step (ours) minus three steps'",
    kind="book",
    paper=None,
    ours=emde_ndcg - ablation_ndcg,
    rule=rules.BEATS,  # our one step must be at least as good as three, or the choice costs accuracy
    source="this book (ablation)",
    note=f"three steps {ablation_ndcg:.3f}, one step {emde_ndcg:.3f}",
    regen_abs=0.02,
)
summed = {n: emde_ig.movie_scores(attribution, model, test_inputs, k, aggregate="sum") for k, n in enumerate(names)}
sum_ratio = measure.influence_ratio(summed, "cast", seed=seed) if "cast" in names else None
ch.claim(
    "ablation_sum_over_units",
    "Cast / interactions top influence with the sum over a movie's people (same rule as the paper claim)",
    kind="book",
    paper=rules.PAPER_CAST_RATIO,
    ours=sum_ratio["ratio"] if sum_ratio else None,
    interval=sum_ratio["interval"] if sum_ratio else None,
    rule=rules.CAST_RATIO if sum_ratio else no_cast,
    source="this book (ablation)",
    regen_abs=0.2,
)

# %% [markdown]
# ### Why the cast-to-interactions ratio is not the paper's
#
# A movie has one unit in the liked modality but dozens of credited people in the cast modality; its cast
# attribution is the mean over them (our choice; the paper does not say). The tested cause is that aggregation: with
# the mean the ratio is {glue:text}`cast_ratio`, with the sum {glue:text}`cast_ratio_sum`, each decided by the same
# rule (the claim above and the ablation row). The paper's ratio (0.023 against 0.026) lies {glue:text}`ratio_position`
# our two readings. A recommended movie lists {glue:text}`people_per_movie` people on average in the Wikidata table
# (the paper's cast lists are probably shorter, its count is not published), and that count is the factor between
# the mean and the sum: the paper's ratio cannot be told apart from a choice it leaves open.

# %% [markdown]
# ### Why the cast agreement may not be the paper's
#
# The most plausible causes, ranked. (1) Part of the agreement is built into the inputs, not learned: a person's
# input is the weight of the user's liked movies that credit them, so the movies a user weighs most (her recent
# ones, under the time decay) are large in both sketches, and the explained output's buckets are shared by both; the
# paper, whose number we compare, reports no agreement of a network that has learned nothing. (2) Our chance
# correction: we subtract 1 / (liked input movies), which the paper does not state it did. Tested, the first: the
# same agreement, on the same users, inputs, codes and explained movie, for the untrained network of the same
# architecture and seed (no training step). The cause is supported when that network's excess over chance reaches
# the claim's band (0.05); random attributions do not (`tests/test_emde_null.py`). When it is not supported, the
# agreement is the trained network's own, and a gap to the paper's value is not in the inputs' structure.

# %%
untrained = emde.train(
    modalities,
    train_inputs.liked[:0],
    train_inputs.disliked[:0],
    split.items,
    emde.Config(**{**config.__dict__, "epochs": 0}),
    progress=False,
).model
untrained_attribution = emde_ig.explain(untrained, test_inputs, top_items, steps=SETTINGS["steps"])
untrained_tops = {
    n: emde_ig.top_movie(emde_ig.movie_scores(untrained_attribution, untrained, test_inputs, k))
    for k, n in enumerate(names)
}
untrained_agree = measure.agreement_excess(untrained_tops, n_liked, n_liked >= 2, seed=seed)
ch.claim(
    "why_agreement_untrained",
    "Cast picks the same movie as interactions for an untrained network (excess over chance)",
    kind="book",
    paper=None,
    ours=untrained_agree["cast"]["excess"] if "cast" in untrained_agree else None,
    interval=untrained_agree["cast"]["interval"] if "cast" in untrained_agree else None,
    rule=rules.STRUCTURAL_AGREEMENT if "cast" in untrained_agree else no_cast,
    source="book check (why the cast agreement differs)",
    note=f"raw {untrained_agree['cast']['raw']:.3f}, chance {untrained_agree['cast']['chance']:.3f}; trained "
    f"network's excess {agree['cast']['excess']:.3f}"
    if "cast" in untrained_agree
    else "",
    regen_abs=0.1,
)

# %% [markdown]
# ## What differs, and why
#
# The data: ML-1M ({glue:text}`n_train` training users) instead of ML-20M, the Wikidata table's cast and crew
# instead of the paper's cast lists (no billing order, so "lead actor" is every credited person), title words for
# plot texts, genres added, no posters. The method's undisclosed parts, defined here: the IG baseline and steps, how
# a movie's attributions aggregate over its units, what "recommended to a user" means for a given movie (top ten
# here), and the agreement statistic (excess over chance). The scale of the attributions differs, so only ratios are
# compared. The smoke profile trains a small network for a few epochs: its verdicts say nothing about the paper.
#
# The run: EMDE reaches nDCG@100 {glue:text}`emde_ndcg` against {glue:text}`pop_ndcg` for popularity and
# {glue:text}`ease_ndcg` for EASE; cast agrees with the interactions on the most influential movie for a share
# {glue:text}`agree_cast_raw` of users, {glue:text}`agree_cast_excess` above chance (the paper: a share of one in
# ten); the cast's top influence is {glue:text}`cast_ratio` of the interactions' ({glue:text}`cast_ratio_sum` with
# the sum over a movie's people). The strongest person is in the recommended film for a share
# {glue:text}`own_in_film` of users, against {glue:text}`own_random` for a random person of their input.

# %%
ch.glue("n_train", len(split.train_users), ",")
bracket = sorted([ratios["cast"]["ratio"], sum_ratio["ratio"]]) if sum_ratio else [float("nan")] * 2
ch.glue("ratio_position", "between" if bracket[0] <= rules.PAPER_CAST_RATIO <= bracket[1] else "outside both of")
ch.glue("people_per_movie", float(np.asarray(modalities[names.index("cast")].movie_units.sum(axis=1)).ravel()[top_items].mean()) if "cast" in names else float("nan"), ".1f")  # fmt: skip
ch.glue("emde_ndcg", emde_ndcg, ".3f")
ch.glue("pop_ndcg", pop_ndcg, ".3f")
ch.glue("ease_ndcg", ease_ndcg, ".3f")
ch.glue("agree_cast_raw", agree.get("cast", {}).get("raw", float("nan")), ".3f")
ch.glue("agree_cast_excess", agree.get("cast", {}).get("excess", float("nan")), ".3f")
ch.glue("cast_ratio", ratios["cast"]["ratio"] if "cast" in ratios else float("nan"), ".2f")
ch.glue("cast_ratio_sum", sum_ratio["ratio"] if sum_ratio else float("nan"), ".2f")
ch.glue("own_in_film", owned["in_film"] if owned else float("nan"), ".2f")
ch.glue("own_random", owned["random"] if owned else float("nan"), ".2f")
ch.finish()

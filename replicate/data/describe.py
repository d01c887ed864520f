"""Descriptive statistics and figures of the data chapter (counts, ratings, genres, demographics, knowledge graph)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from replicate import plots
from replicate.data.types import AGE_GROUPS, Dataset


def counts_table(datasets: list[Dataset]):
    """One row per dataset: users, items, rated items, ratings, density, median ratings per user, genres (styled)."""
    table = pd.DataFrame([d.summary() for d in datasets], index=pd.Index([d.name for d in datasets], name="dataset"))
    return table.style.format({"density": "{:.2%}", "ratings per user (median)": "{:.0f}"}, thousands=",")


def rating_shares(dataset: Dataset) -> pd.Series:
    """Share of ratings at each rating value."""
    return dataset.ratings["rating"].value_counts(normalize=True).sort_index()


def genre_counts(dataset: Dataset, by: str = "movies") -> pd.Series:
    """Movies per genre (``by="movies"``) or ratings per genre (``by="ratings"``), largest first.

    A movie with several genres counts once for each.
    """
    if by not in ("movies", "ratings"):
        raise ValueError(f"by must be 'movies' or 'ratings', not {by!r}")
    genres = dataset.items["genres"]
    if by == "ratings":
        genres = genres.loc[dataset.ratings["item"]]
    exploded = genres.explode().dropna()
    return exploded.value_counts().sort_values(ascending=False, kind="stable")


def positive_share(dataset: Dataset, threshold: float) -> float:
    """Share of ratings at or above ``threshold`` (the implicit-feedback positives of a protocol)."""
    return float((dataset.ratings["rating"] >= threshold).mean())


def plot_ratings(datasets: list[Dataset]):
    """Left: rating distribution of each dataset. Right: ratings per user (log-scaled counts)."""
    fig, (left, right) = plots.subplots(1, 2, figsize=(10, 3.8))
    width = 0.8 / len(datasets)
    for k, dataset in enumerate(datasets):
        shares = rating_shares(dataset)
        left.bar(shares.index + (k - (len(datasets) - 1) / 2) * width, shares.values, width=width, label=dataset.name)
        per_user = dataset.ratings.groupby("user").size()
        bins = np.logspace(np.log10(max(per_user.min(), 1)), np.log10(per_user.max()), 40)
        right.hist(per_user, bins=bins, histtype="step", linewidth=1.5, label=dataset.name)
    left.set(xlabel="rating", ylabel="share of ratings", title="Rating distribution")
    left.legend()
    right.set(
        xscale="log", yscale="log", xlabel="ratings per user (log bins)", ylabel="users", title="Activity per user"
    )
    right.legend()
    return fig


def plot_genres(dataset: Dataset):
    """Movies per genre and ratings per genre, side by side."""
    fig, (left, right) = plots.subplots(1, 2, figsize=(10, 0.28 * len(dataset.genres) + 1.2))
    movies = genre_counts(dataset, "movies")
    plots.barh(left, movies.index, movies.values)
    left.set(title=f"{dataset.name}: movies per genre", xlabel="movies")
    ratings = genre_counts(dataset, "ratings")
    plots.barh(right, ratings.index, ratings.values, color=plots.PALETTE[1])
    right.set(title="ratings per genre", xlabel="ratings")
    return fig


def plot_demographics(dataset: Dataset):
    """Age groups, gender and the most common occupations of the users (panels say when a field is missing)."""
    fig, axes = plots.subplots(1, 3, figsize=(11, 3.8))
    users = dataset.users
    panels = [
        ("age_group", "Age group", list(AGE_GROUPS.values())),
        ("gender", "Gender", None),
        ("occupation", "Occupation (top 10)", None),
    ]
    for ax, (column, title, order) in zip(axes, panels):
        values = users[column].dropna()
        ax.set_title(title)
        if values.empty:
            ax.text(0.5, 0.5, f"{dataset.name} has no {column}", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        counts = values.value_counts()
        counts = counts.reindex([o for o in order if o in counts.index]) if order else counts.head(10)
        plots.barh(ax, counts.index, counts.values, color=plots.PALETTE[2])
        ax.set_xlabel("users")
    fig.suptitle(f"{dataset.name}: {dataset.n_users:,} users")
    return fig


def plot_kg_coverage(dataset: Dataset):
    """Share of the catalogue that each knowledge-graph relation covers, and its number of distinct entities."""
    coverage = dataset.kg.coverage(dataset.n_items)
    fig, (left, right) = plots.subplots(1, 2, figsize=(10, 4.2))
    plots.barh(left, coverage.index, coverage["item_coverage"].values, fmt="{:.0%}")
    left.set(xlabel="share of movies with at least one fact", title=f"{dataset.name}: knowledge-graph coverage")
    left.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    right.set_xscale("log")
    plots.barh(right, coverage.index, coverage["entities"].values, color=plots.PALETTE[3])
    right.set(xlabel="distinct entities (log)", title="entities per relation", xlim=(1, coverage["entities"].max() * 8))
    return fig


def film_facts(dataset: Dataset, title: str, relations=("director", "writer", "actor", "subject"), per_relation=4):
    """The knowledge-graph facts of one film, with readable entity labels, for a quick look."""
    match = dataset.items.index[dataset.items["title"] == title]
    if len(match) == 0:
        raise KeyError(f"no film titled {title!r} in {dataset.name}")
    facts = dataset.kg.triples[dataset.kg.triples["item"] == match[0]]
    facts = facts[facts["relation"].isin(relations)].copy()
    facts["label"] = dataset.kg.entities["label"].loc[facts["entity"]].to_numpy()
    facts["n_items"] = dataset.kg.entities["n_items"].loc[facts["entity"]].to_numpy()
    facts["relation"] = pd.Categorical(facts["relation"], categories=list(relations), ordered=True)
    facts = facts.sort_values(["relation", "n_items"], ascending=[True, False])
    return (
        facts.groupby("relation", observed=True)
        .head(per_relation)[["relation", "label", "n_items"]]
        .reset_index(drop=True)
    )


def plot_film_coverage(coverages: dict, first_year: int | None = None):
    """One panel per dataset: the share of its movies of each decade of release that matched a film with a cast,
    matched one without, or matched none, with the decade's number of movies on top (``coverages``: dataset name ->
    :func:`replicate.data.films.coverage`). Decades before ``first_year`` (the film table's first year) are shaded."""
    fig, axes = plots.subplots(1, len(coverages), figsize=(5.2 * len(coverages), 4.0), squeeze=False, sharey=True)
    for ax, (name, table) in zip(axes[0], coverages.items()):
        table = table[table.index.notna()]
        x = np.arange(len(table))
        parts = [
            (table["with_cast"], "matched, with cast", plots.PALETTE[0]),
            (table["matched"] - table["with_cast"], "matched, no cast listed", plots.PALETTE[5]),
            (table["movies"] - table["matched"], "unmatched", "#BBBBBB"),
        ]
        bottom = np.zeros(len(x))
        for values, label, colour in parts:
            share = (values / table["movies"]).to_numpy()
            ax.bar(x, share, bottom=bottom, color=colour, label=label, width=0.8)
            bottom += share
        for xi, movies in enumerate(table["movies"]):
            ax.annotate(f"{movies:,}", (xi, 1.0), ha="center", va="bottom", fontsize=8)
        if first_year is not None:
            before = [xi for xi, d in zip(x, table.index) if d + 9 < first_year]
            if before:
                ax.axvspan(-0.5, max(before) + 0.5, color="#EEEEEE", zorder=0, label="before the table's years")
        ax.set_xticks(x, [f"{int(d)}s" for d in table.index], rotation=45)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set(title=f"{name}: movies per decade, joined", xlabel="decade of release (movies on top)", ylim=(0, 1.12))
    axes[0][0].set_ylabel("share of the decade's movies")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    return fig


def most_rated_unmatched(dataset: Dataset, unmatched: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` unmatched movies with most ratings (those a reader misses most), with their number of ratings."""
    counts = dataset.ratings["item"].value_counts()
    table = unmatched.assign(ratings=counts.reindex(unmatched["item"]).fillna(0).astype(int).to_numpy())
    return table.sort_values(["ratings", "item"], ascending=[False, True]).head(n).reset_index(drop=True)

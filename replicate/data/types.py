"""The typed objects every loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

RATING_COLUMNS = ("user", "item", "rating", "timestamp")
ITEM_COLUMNS = ("original_id", "title", "year", "genres")
USER_COLUMNS = ("original_id", "age", "age_group", "gender", "occupation")
TRIPLE_COLUMNS = ("item", "relation", "entity")

# MovieLens-1M age codes (README of ml-1m); ML-100K ages are binned into the same groups.
AGE_GROUPS = {1: "Under 18", 18: "18-24", 25: "25-34", 35: "35-44", 45: "45-49", 50: "50-55", 56: "56+"}


def age_group(age: float) -> str | None:
    """The ML-1M age group an age (or an ML-1M age code) falls in."""
    if age is None or pd.isna(age):
        return None
    lower = max((code for code in AGE_GROUPS if code <= age), default=1)
    return AGE_GROUPS[lower]


@dataclass(frozen=True)
class KnowledgeGraph:
    """Knowledge-graph facts about items.

    ``triples``: one row per (item, relation, entity), ``item`` the dataset's item index, ``relation`` a short name
    (``actor``, ``director``, ``writer``, ``genre``, ``subject``, ...), ``entity`` an opaque id.
    ``entities``: indexed by entity id, with ``label`` (readable), ``relation`` (the entity's main relation) and
    ``n_items`` (how many of the dataset's items it links to).
    """

    triples: pd.DataFrame
    entities: pd.DataFrame
    source: str = ""

    @property
    def relations(self) -> list[str]:
        return sorted(self.triples["relation"].unique())

    def coverage(self, n_items: int) -> pd.DataFrame:
        """Per relation: triples, distinct entities, items covered and their share of the catalogue."""
        grouped = self.triples.groupby("relation")
        table = pd.DataFrame(
            {
                "triples": grouped.size(),
                "entities": grouped["entity"].nunique(),
                "items": grouped["item"].nunique(),
            }
        )
        table["item_coverage"] = table["items"] / n_items
        return table.sort_values("triples", ascending=False)


@dataclass(frozen=True)
class Dataset:
    """One MovieLens-shaped dataset.

    - ``ratings``: columns ``user``, ``item`` (0-based contiguous indices into ``users`` and ``items``),
      ``rating`` (float), ``timestamp`` (int, seconds), sorted by user, timestamp, item.
    - ``items``: indexed by ``item``; ``original_id`` (the source's key), ``title``, ``year`` (nullable int),
      ``genres`` (tuple of genre names, empty when the source lists none).
    - ``users``: indexed by ``user``; ``original_id``, ``age`` (years for ML-100K, the age-group code for ML-1M),
      ``age_group`` (ML-1M's groups), ``gender``, ``occupation``; missing columns are all-null (ML-20M has none).
    - ``kg``: ML-100K's knowledge graph (``None`` elsewhere); ``tags``: ML-20M's tags when given.
    - ``source``: where the data came from, in words.
    """

    name: str
    ratings: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame
    source: str
    kg: KnowledgeGraph | None = None
    tags: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_ratings(self) -> int:
        return len(self.ratings)

    @property
    def genres(self) -> list[str]:
        """The genre vocabulary, sorted."""
        return sorted({g for gs in self.items["genres"] for g in gs})

    def genre_matrix(self) -> np.ndarray:
        """Binary (n_items, n_genres) matrix in the order of :attr:`genres`."""
        index = {g: j for j, g in enumerate(self.genres)}
        out = np.zeros((self.n_items, len(index)), dtype=np.float32)
        for i, gs in enumerate(self.items["genres"]):
            for g in gs:
                out[i, index[g]] = 1.0
        return out

    def interactions(self, min_rating: float | None = None) -> sp.csr_matrix:
        """Binary user x item matrix of the ratings at or above ``min_rating`` (all ratings when ``None``)."""
        r = self.ratings if min_rating is None else self.ratings[self.ratings["rating"] >= min_rating]
        data = np.ones(len(r), dtype=np.float32)
        m = sp.csr_matrix((data, (r["user"].to_numpy(), r["item"].to_numpy())), shape=(self.n_users, self.n_items))
        m.sum_duplicates()
        m.data[:] = 1.0
        return m

    def summary(self) -> dict:
        """Counts a reader wants first."""
        per_user = self.ratings.groupby("user").size()
        return {
            "users": self.n_users,
            "items": self.n_items,
            "rated items": int(self.ratings["item"].nunique()),
            "ratings": self.n_ratings,
            "density": self.n_ratings / (self.n_users * self.n_items),
            "ratings per user (median)": float(per_user.median()),
            "genres": len(self.genres),
        }

    def subset_users(self, users) -> "Dataset":
        """The same dataset restricted to some users (re-indexed 0..n-1); items and the KG are kept whole."""
        users = np.sort(np.asarray(users))
        new_index = pd.Series(np.arange(len(users)), index=users)
        ratings = self.ratings[self.ratings["user"].isin(users)].copy()
        ratings["user"] = new_index.loc[ratings["user"]].to_numpy()
        table = self.users.loc[users].reset_index(drop=True)
        table.index.name = "user"
        return replace(self, ratings=ratings.reset_index(drop=True), users=table)

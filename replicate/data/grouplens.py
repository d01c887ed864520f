"""Loaders for the official GroupLens layouts, read from a directory the user gives.

- ml-100k: ``u.data``, ``u.item``, ``u.user`` (as in ``ml-100k.zip``)
- ml-1m: ``ratings.dat``, ``movies.dat``, ``users.dat`` (as in ``ml-1m.zip``)
- ml-20m: ``ratings.csv``, ``movies.csv``, optionally ``tags.csv`` (as in ``ml-20m.zip``); never fetched here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from replicate.data.atomic import ML1M_OCCUPATIONS
from replicate.data.frames import index_items, index_ratings, index_users
from replicate.data.types import Dataset

LAYOUTS = {
    "ml-100k": ("u.data", "u.item", "u.user"),
    "ml-1m": ("ratings.dat", "movies.dat", "users.dat"),
    "ml-20m": ("ratings.csv", "movies.csv"),
}
ML100K_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
_YEAR = re.compile(r"\((\d{4})\)\s*$")


def has_layout(name: str, directory: Path) -> bool:
    return all((directory / f).is_file() for f in LAYOUTS[name])


def _year_from_title(title: str):
    match = _YEAR.search(title)
    return int(match.group(1)) if match else None


def _split_dat(path: Path, fields: int) -> list[list[str]]:
    """Split a ``::``-separated GroupLens .dat file (latin-1, as GroupLens ships it)."""
    rows = []
    with open(path, encoding="latin-1") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line.split("::", fields - 1)
            if len(parts) != fields:
                raise ValueError(f"line {number} has {len(parts)} fields, expected {fields}")
            rows.append(parts)
    return rows


def load_ml100k(directory: Path) -> Dataset:
    flags = list(ML100K_GENRES)
    raw_items = pd.read_csv(
        directory / "u.item",
        sep="|",
        header=None,
        encoding="latin-1",
        names=["id", "title", "release", "video", "url", *flags],
    )
    items = index_items(
        pd.DataFrame(
            {
                "original_id": raw_items["id"].astype(int),
                "title": raw_items["title"],
                "year": raw_items["release"].astype(str).str[-4:],
                "genres": [tuple(g for g in flags if row[g] == 1) for _, row in raw_items.iterrows()],
            }
        )
    )
    raw_users = pd.read_csv(
        directory / "u.user", sep="|", header=None, names=["id", "age", "gender", "occupation", "zip"]
    )
    users = index_users(raw_users.rename(columns={"id": "original_id"}).drop(columns="zip"))
    raw = pd.read_csv(directory / "u.data", sep="\t", header=None, names=["user", "item", "rating", "timestamp"])
    ratings = index_ratings(raw, users, items, str(directory / "u.data"))
    return Dataset("ml-100k", ratings, items, users, source=f"MovieLens 100K, GroupLens files from {directory}")


def load_ml1m(directory: Path) -> Dataset:
    movies = _split_dat(directory / "movies.dat", 3)
    items = index_items(
        pd.DataFrame(
            {
                "original_id": [int(m[0]) for m in movies],
                "title": [m[1] for m in movies],
                "year": [_year_from_title(m[1]) for m in movies],
                "genres": [tuple(m[2].split("|")) if m[2] else () for m in movies],
            }
        )
    )
    people = _split_dat(directory / "users.dat", 5)
    users = index_users(
        pd.DataFrame(
            {
                "original_id": [int(p[0]) for p in people],
                "gender": [p[1] for p in people],
                "age": [int(p[2]) for p in people],
                "occupation": [ML1M_OCCUPATIONS[int(p[3])] for p in people],
            }
        )
    )
    raw = pd.read_csv(directory / "ratings.dat", sep=":", header=None, usecols=[0, 2, 4, 6], engine="c")
    raw.columns = ["user", "item", "rating", "timestamp"]
    ratings = index_ratings(raw, users, items, str(directory / "ratings.dat"))
    return Dataset("ml-1m", ratings, items, users, source=f"MovieLens 1M, GroupLens files from {directory}")


def load_ml20m(directory: Path) -> Dataset:
    movies = pd.read_csv(directory / "movies.csv", dtype={"title": str, "genres": str})
    items = index_items(
        pd.DataFrame(
            {
                "original_id": movies["movieId"].astype(int),
                "title": movies["title"],
                "year": [_year_from_title(t) for t in movies["title"]],
                "genres": [tuple(g.split("|")) for g in movies["genres"].fillna("(no genres listed)")],
            }
        )
    )
    raw = pd.read_csv(directory / "ratings.csv").rename(columns={"userId": "user", "movieId": "item"})
    users = index_users(pd.DataFrame({"original_id": sorted(raw["user"].unique())}))
    ratings = index_ratings(raw, users, items, str(directory / "ratings.csv"))
    tags = None
    if (directory / "tags.csv").is_file():
        tags = pd.read_csv(directory / "tags.csv").rename(columns={"userId": "user", "movieId": "item"})
        known = tags["user"].isin(users["original_id"]) & tags["item"].isin(items["original_id"])
        tags = tags[known].copy()
        tags["user"] = tags["user"].map(pd.Series(users.index.to_numpy(), index=users["original_id"].to_numpy()))
        tags["item"] = tags["item"].map(pd.Series(items.index.to_numpy(), index=items["original_id"].to_numpy()))
        tags = tags.reset_index(drop=True)
    return Dataset(
        "ml-20m", ratings, items, users, tags=tags, source=f"MovieLens 20M, GroupLens files from {directory}"
    )


LOADERS = {"ml-100k": load_ml100k, "ml-1m": load_ml1m, "ml-20m": load_ml20m}

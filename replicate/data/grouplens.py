"""Loaders for the official GroupLens layouts, read from a directory the user gives.

- ml-100k: ``u.data``, ``u.item``, ``u.user`` (as in ``ml-100k.zip``)
- ml-1m: ``ratings.dat``, ``movies.dat``, ``users.dat`` (as in ``ml-1m.zip``)
- ml-20m: ``ratings.csv``, ``movies.csv``, optionally ``tags.csv`` (as in ``ml-20m.zip``); never fetched here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from replicate.data.atomic import ML1M_OCCUPATIONS
from replicate.data.frames import index_items, index_ratings, index_users, lines_of, number_error, strict_numbers
from replicate.data.types import Dataset
from replicate.errors import DatasetError

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
    """Split a ``::``-separated GroupLens .dat file (latin-1, as GroupLens ships it); a line with another number of
    fields is an error naming the file and the line."""
    rows = []
    with open(path, encoding="latin-1") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line.split("::", fields - 1)
            if len(parts) != fields:
                raise DatasetError(f"{path}, line {number}: {len(parts)} fields separated by '::', expected {fields}")
            rows.append(parts)
    return rows


RATING = ("float", "a rating from 0.5 to 5", 0.5, 5)
TIMESTAMP = ("int", "a whole number of seconds since 1970 (Unix time)", 0, None)
ID = ("int", "a positive whole-number id", 1, None)


def _read_text(path: Path, sep: str, names: list[str], form: str = "", encoding: str = "latin-1") -> pd.DataFrame:
    """Every field as text (nothing coerced), one row per non-empty line; a line with more fields than ``names`` is
    an error naming the line, one with fewer leaves empty values that the column checks name."""
    form = form or f"{len(names)} fields: {', '.join(names)}"
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            encoding=encoding,
            skip_blank_lines=False,
            index_col=False,
        )
    except pd.errors.ParserError as error:
        raise DatasetError(f"{path}: {str(error).strip()} (expected {form})") from None
    frame = frame.replace("", np.nan)
    if frame.shape[1] > len(names):
        extra = frame.iloc[:, len(names) :].notna().any(axis=1).to_numpy()
        if extra.any():
            line = int(lines_of(frame)[np.flatnonzero(extra)[0]])
            raise DatasetError(f"{path}, line {line}: more fields than expected ({form})")
        frame = frame.iloc[:, : len(names)]
    for missing in range(frame.shape[1], len(names)):
        frame[missing] = np.nan
    frame.columns = names
    return frame.dropna(how="all")  # a blank line is skipped; the index still counts lines


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
    path = directory / "u.user"
    raw_users = strict_numbers(
        _read_text(path, "|", ["id", "age", "gender", "occupation", "zip"]),
        path,
        {"id": ID, "age": ("int", "an age in years", 1, 120)},
    )
    _strict_text(raw_users, path, {"gender": ("M or F", ("M", "F")), "occupation": ("an occupation name", None)})
    users = index_users(raw_users.rename(columns={"id": "original_id"}).drop(columns="zip"))
    path = directory / "u.data"
    raw = strict_numbers(
        _read_text(path, "\t", ["user", "item", "rating", "timestamp"]),
        path,
        {"user": ID, "item": ID, "rating": RATING, "timestamp": TIMESTAMP},
    )
    ratings = index_ratings(raw, users, items, str(path))
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
    path = directory / "users.dat"
    people = pd.DataFrame(_split_dat(path, 5), columns=["id", "gender", "age", "occupation", "zip"], dtype=str)
    people = strict_numbers(
        people.replace("", np.nan),
        path,
        {
            "id": ID,
            "age": ("int", "an ML-1M age code (1, 18, 25, 35, 45, 50 or 56)", 1, 56),
            "occupation": ("int", f"an ML-1M occupation code from 0 to {len(ML1M_OCCUPATIONS) - 1}", 0, 20),
        },
    )
    _strict_text(people, path, {"gender": ("M or F", ("M", "F"))})
    users = index_users(
        pd.DataFrame(
            {
                "original_id": people["id"],
                "gender": people["gender"],
                "age": people["age"],
                "occupation": [ML1M_OCCUPATIONS[c] for c in people["occupation"]],
            }
        )
    )
    path = directory / "ratings.dat"
    form = "user::item::rating::timestamp on each line"
    raw = _read_text(path, ":", ["user", "a", "item", "b", "rating", "c", "timestamp"], form=form)
    raw = raw[["user", "item", "rating", "timestamp"]]
    raw = strict_numbers(raw, path, {"user": ID, "item": ID, "rating": RATING, "timestamp": TIMESTAMP})
    ratings = index_ratings(raw, users, items, str(path))
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
    path = directory / "ratings.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", np.nan)
    missing = [c for c in ("userId", "movieId", "rating", "timestamp") if c not in raw.columns]
    if missing:
        raise DatasetError(
            f"{path}: no column {', '.join(missing)} in its header line (expected userId,movieId,rating,timestamp)"
        )
    raw = raw.rename(columns={"userId": "user", "movieId": "item"})[["user", "item", "rating", "timestamp"]]
    raw = strict_numbers(
        raw, path, {"user": ID, "item": ID, "rating": RATING, "timestamp": TIMESTAMP}, lines=lines_of(raw) + 1
    )
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


def _strict_text(frame: pd.DataFrame, path: Path, columns: dict) -> None:
    """Reject an empty text field, or one outside its allowed values, naming the file, line and column."""
    names = list(frame.columns)
    for name, (expected, allowed) in columns.items():
        text = frame[name]
        bad = np.array(text.isna(), dtype=bool)
        if allowed is not None:
            bad = bad | ~np.array(text.isin(allowed), dtype=bool)
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise number_error(path, int(lines_of(frame)[at]), names.index(name) + 1, name, text.iloc[at], expected)


LOADERS = {"ml-100k": load_ml100k, "ml-1m": load_ml1m, "ml-20m": load_ml20m}

"""Building the typed tables from raw columns, shared by every loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from replicate.data.types import ITEM_COLUMNS, USER_COLUMNS, age_group
from replicate.errors import DatasetError


def index_items(items: pd.DataFrame) -> pd.DataFrame:
    """``items`` with columns original_id, title, year, genres -> indexed 0..n-1 in the given order."""
    items = items.reset_index(drop=True)
    items["year"] = pd.array(pd.to_numeric(items["year"], errors="coerce").round(), dtype="Int64")
    items["genres"] = [tuple(g) for g in items["genres"]]
    items.index.name = "item"
    return items[list(ITEM_COLUMNS)]


def index_users(users: pd.DataFrame) -> pd.DataFrame:
    """``users`` with original_id (+ age, gender, occupation when known) -> indexed 0..n-1 in the given order."""
    users = users.reset_index(drop=True).copy()
    for column in ("age", "gender", "occupation"):
        if column not in users:
            users[column] = None
    users["age"] = pd.to_numeric(users["age"], errors="coerce")
    users["age_group"] = [age_group(a) for a in users["age"]]
    users.index.name = "user"
    return users[list(USER_COLUMNS)]


def index_ratings(raw: pd.DataFrame, users: pd.DataFrame, items: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Map raw (original user id, original item id, rating, timestamp) to contiguous indices.

    Ratings that name a user or item absent from the tables are an error naming ``origin``.
    """
    user_index = pd.Series(users.index.to_numpy(), index=users["original_id"].to_numpy())
    item_index = pd.Series(items.index.to_numpy(), index=items["original_id"].to_numpy())
    if user_index.index.has_duplicates or item_index.index.has_duplicates:
        raise ValueError(f"{origin}: duplicate user or item ids")
    user = raw["user"].map(user_index)
    item = raw["item"].map(item_index)
    unknown = user.isna() | item.isna()
    if unknown.any():
        example = raw[unknown].iloc[0]
        raise ValueError(
            f"{origin}: {int(unknown.sum())} ratings name users or items missing from the user/item files "
            f"(first: user {example['user']!r}, item {example['item']!r})"
        )
    ratings = pd.DataFrame(
        {
            "user": user.to_numpy(dtype=np.int64),
            "item": item.to_numpy(dtype=np.int64),
            "rating": pd.to_numeric(raw["rating"]).to_numpy(dtype=np.float32),
            "timestamp": pd.to_numeric(raw["timestamp"]).to_numpy(dtype=np.int64),
        }
    )
    return ratings.sort_values(["user", "timestamp", "item"], kind="stable").reset_index(drop=True)


def lines_of(frame: pd.DataFrame) -> np.ndarray:
    """The 1-based line numbers of a frame read without a header (its index counts the lines read)."""
    return frame.index.to_numpy() + 1


def number_error(path: Path, line: int, column: int, name: str, value, expected: str) -> DatasetError:
    shown = "an empty value" if value is None or (isinstance(value, float) and np.isnan(value)) else repr(value)
    return DatasetError(f"{path}, line {line}, column {column} ({name}): {shown} is not {expected}")


def strict_numbers(
    frame: pd.DataFrame,
    path: Path,
    columns: dict,
    lines: np.ndarray | None = None,
    first_column: int = 1,
    positions: dict | None = None,
) -> pd.DataFrame:
    """Parse the named text columns of ``frame`` as numbers, rejecting what cannot be read instead of coercing it.

    ``columns``: ``{name: (kind, expected, low, high)}`` with kind ``"int"`` or ``"float"``, ``expected`` the form
    the error names (``"a whole number of seconds"``) and an inclusive range (``None``: unbounded); ``lines``: each
    row's line in the file (default: the index + 1); ``positions``: each column's 1-based place in the file (default:
    its place in ``frame`` + ``first_column`` - 1). The first bad value
    is a :class:`DatasetError` naming the file, the line, the column and the expected form.
    """
    lines = lines_of(frame) if lines is None else lines
    out = frame.copy()
    names = list(frame.columns)
    for name, (kind, expected, low, high) in columns.items():
        text = frame[name]
        values = pd.to_numeric(text, errors="coerce")
        number = values.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(number)
        if kind == "int":
            bad = bad | (np.nan_to_num(number) % 1 != 0)
        if low is not None:
            bad = bad | ~(number >= low)
        if high is not None:
            bad = bad | ~(number <= high)
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            column = positions[name] if positions else names.index(name) + first_column
            raise number_error(path, int(lines[at]), column, name, text.iloc[at], expected)
        out[name] = values.astype(np.int64) if kind == "int" else values.astype(float)
    return out

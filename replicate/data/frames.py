"""Building the typed tables from raw columns, shared by every loader."""

from __future__ import annotations

import numpy as np
import pandas as pd

from replicate.data.types import ITEM_COLUMNS, USER_COLUMNS, age_group


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

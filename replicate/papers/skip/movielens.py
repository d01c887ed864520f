"""A real-data analog of skip prediction on MovieLens 1M: chronological rating sessions, "dislike" as the skip.

A user's ratings, in time order, are cut into *sittings* wherever two consecutive ratings are more than
``max_gap`` seconds apart (one hour by default); each sitting is cut into consecutive sessions of 10 to 20 ratings
(lengths drawn at random, a remainder shorter than 10 dropped). A rating below 4 stars is a *dislike*, the implicit
negative signal standing in for a skip; as in the challenge, the first half of a session is given with its ratings
and the dislikes of the second half are predicted. Ratings entered in the same second keep ML-1M's order (by movie
id), so the order inside such a burst is not the order of watching.

Feature groups, named as in the Spotify model:

- *position*: position in the session, session length, position relative to the half;
- *context* (time): hour of day and weekday (sine, cosine), time since the user's previous rating, days since her
  first rating;
- *interaction* (first half only): the dislike and the rating, the user's dislike rate and number of ratings before
  the session;
- *general* item information: release year and popularity (log number of ratings in ML-1M; counts, not values);
- *content*: the 18 genres.
"""

from __future__ import annotations

import numpy as np

from replicate.data.types import Dataset
from replicate.errors import DatasetError
from replicate.papers.skip.tensors import MAX_LENGTH, MIN_LENGTH, SessionTensors, assemble

GROUPS = ("position", "context", "interaction", "general", "content")
RIGHT_GROUPS = ("position", "general", "content")
GROUP_LABELS = {
    "position": "position",
    "context": "context (time)",
    "interaction": "interaction history",
    "general": "year & popularity",
    "content": "genres",
}
DISLIKE_BELOW = 4.0


def cut_sessions(user: np.ndarray, timestamp: np.ndarray, max_gap: int, seed: int) -> np.ndarray:
    """Session number per rating (-1 for ratings left out), for ratings sorted by user then time."""
    rng = np.random.default_rng(seed)
    gap = np.diff(timestamp, prepend=timestamp[0])
    new = np.ones(len(user), bool)
    new[1:] = (user[1:] != user[:-1]) | (gap[1:] > max_gap)
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(user))
    out = np.full(len(user), -1, np.int64)
    session = 0
    for start, end in zip(starts, ends):
        at = start
        while end - at >= MIN_LENGTH:
            n = min(int(rng.integers(MIN_LENGTH, MAX_LENGTH + 1)), end - at)
            if end - at - n < MIN_LENGTH and end - at <= MAX_LENGTH:
                n = end - at  # take a remainder that fits in one session rather than drop it
            out[at : at + n] = session
            session += 1
            at += n
    return out


def sessions(ds: Dataset, max_gap: int = 3600, seed: int = 0) -> SessionTensors:
    """Every rating session of ``ds`` (an ML-1M-shaped :class:`~replicate.data.types.Dataset`) as SessionTensors."""
    if ds.n_ratings == 0:
        raise DatasetError(f"{ds.name} has no ratings to cut into sessions")
    r = ds.ratings
    user = r["user"].to_numpy()
    ts = r["timestamp"].to_numpy(dtype=np.int64)
    item = r["item"].to_numpy()
    rating = r["rating"].to_numpy(dtype=np.float64)
    session = cut_sessions(user, ts, max_gap, seed)
    if (session < 0).all():
        raise DatasetError(f"{ds.name}: no sitting has {MIN_LENGTH} ratings or more")

    dislike = (rating < DISLIKE_BELOW).astype(np.float64)
    # per user, before each rating: number of earlier ratings and dislikes; time since previous / first rating
    first_of_user = np.r_[True, user[1:] != user[:-1]]
    user_start = np.maximum.accumulate(np.where(first_of_user, np.arange(len(user)), 0))
    earlier = np.arange(len(user)) - user_start
    cum = np.cumsum(dislike)
    earlier_dislikes = cum - dislike - np.where(user_start > 0, cum[user_start - 1], 0.0)
    since_previous = np.where(first_of_user, 0, np.diff(ts, prepend=ts[0]))
    since_first = ts - ts[user_start]

    keep = session >= 0
    sid = session[keep]
    start_of = np.r_[True, sid[1:] != sid[:-1]]
    first_row = np.maximum.accumulate(np.where(start_of, np.arange(len(sid)), 0))
    position = np.arange(len(sid)) - first_row + 1
    length = np.bincount(sid)[sid]

    ts_k = ts[keep]
    hours = (ts_k % 86400) / 3600
    weekday = ((ts_k // 86400) + 3) % 7  # 1970-01-01 was a Thursday (3 with Monday = 0)
    half = length // 2
    pos = np.stack([position / MAX_LENGTH, length / MAX_LENGTH, (position - half - 0.5) / 10], axis=1)
    context = np.stack(
        [
            np.sin(2 * np.pi * hours / 24),
            np.cos(2 * np.pi * hours / 24),
            np.sin(2 * np.pi * weekday / 7),
            np.cos(2 * np.pi * weekday / 7),
            np.log1p(since_previous[keep] / 3600) / 5,
            np.log1p(since_first[keep] / 86400) / 7,
        ],
        axis=1,
    )
    # the user's history before the session: the values at the session's first rating
    before_n = earlier[keep][first_row]
    before_d = earlier_dislikes[keep][first_row]
    interaction = np.stack(
        [dislike[keep], (rating[keep] - 3) / 2, (before_d + 1) / (before_n + 2), np.log1p(before_n) / 7], axis=1
    )
    year = ds.items["year"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    year = np.nan_to_num((year - np.nanmean(year)) / np.nanstd(year))
    count = np.log1p(np.bincount(item, minlength=ds.n_items))
    count = (count - count.mean()) / count.std()
    general = np.stack([year[item[keep]], count[item[keep]]], axis=1)
    content = ds.genre_matrix()[item[keep]]

    parts = {"position": pos, "context": context, "interaction": interaction, "general": general, "content": content}
    left = np.concatenate([parts[g] for g in GROUPS], axis=1).astype(np.float32)
    right = np.concatenate([parts[g] for g in RIGHT_GROUPS], axis=1).astype(np.float32)
    n = int(sid.max()) + 1
    owners = np.zeros(n, np.int64)
    owners[sid] = user[keep]
    return assemble(
        f"{ds.name} rating sessions",
        sid,
        position,
        length,
        left,
        right,
        dislike[keep].astype(np.float32),
        left_groups=[(g, parts[g].shape[1]) for g in GROUPS],
        right_groups=[(g, parts[g].shape[1]) for g in RIGHT_GROUPS],
        session_ids=np.arange(n),
        group_labels=dict(GROUP_LABELS),
        owners=owners,
        notes=(f"sittings split at gaps over {max_gap} s; dislike = rating below {DISLIKE_BELOW:g}",),
    )

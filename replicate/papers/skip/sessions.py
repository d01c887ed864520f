"""Listening sessions in the Spotify challenge schema, generated with planted mechanisms.

Every second-half skip (``skip_2``) is produced by one known mechanism, whose inputs lie in one feature group (or
two), so that an attribution can be checked against the truth. Each mechanism has a *signature* visible only in its
own group(s), and outside that signature the group says nothing about the skip, as in the paper's toy problems
(the class depends on x1 alone in some clusters, on x2 alone in others):

================================  ============================  =================================================
mechanism (groups)                signature                     skip_2 of a second-half track
================================  ============================  =================================================
persistence (interaction)         the first half is one streak  the last first-half skip, for the first 3 tracks
                                  (all skipped or all played)   of the second half; later tracks follow *musical*
context (context)                 shuffle on                    skipped in radio, charts and editorial playlists
context × interaction (both)      free (non-premium) account    the last first-half skip, flipped in radio, charts
                                                                and editorial playlists (needs both groups)
popularity (general)              tracks of extreme popularity  skipped when less popular than the median
musical (content)                 tracks of extreme "energy"    skipped when energy + danceability + valence −
                                                                acousticness is below its median
================================  ============================  =================================================

Outside their signature, sessions have shuffle off, a premium account, a first half with both skips and plays, and
tracks of middling popularity and energy. A share ``noise`` of the second-half labels is flipped at random, so the
best possible accuracy is 1 − noise. The other log columns are filled consistently with the skips (``skip_1`` ⊂
``skip_2`` ⊂ ``skip_3``; a skipped track mostly ends with ``fwdbtn`` and the next one starts with it) and carry no
further signal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd

from replicate.errors import ParameterError
from replicate.papers.skip import challenge
from replicate.papers.skip.tensors import MAX_LENGTH, MIN_LENGTH, SessionTensors

MECHANISMS = ("persistence", "context", "context × interaction", "popularity", "musical")
MECHANISM_GROUPS = (("interaction",), ("context",), ("context", "interaction"), ("general",), ("content",))
PERSISTENCE_TRACKS = 3  # second-half tracks that follow the last skip in a persistence session
SKIPPY_CONTEXTS = ("radio", "charts", "editorial_playlist")
ENERGY = {"energy": 1.0, "danceability": 1.0, "valence": 1.0, "acousticness": -1.0}  # the musical direction
MID, POPULAR, MUSICAL = 0, 1, 2  # track pools


@dataclass(frozen=True)
class Generated:
    """Generated logs and track features (the challenge's schema), and the mechanism behind each log row
    (``planted``: index into :data:`MECHANISMS`; -1 for first-half rows)."""

    logs: pd.DataFrame
    tracks: pd.DataFrame
    planted: np.ndarray

    def encode(self, name: str = "synthetic sessions") -> SessionTensors:
        return challenge.encode(
            self.logs,
            self.tracks,
            name=name,
            planted_rows=self.planted,
            planted_groups=MECHANISM_GROUPS,
            planted_names=MECHANISMS,
        )


def _ids(rng: np.random.Generator, n: int, prefix: str) -> list[str]:
    return [f"{prefix}{uuid.UUID(bytes=rng.bytes(16))}" for _ in range(n)]


def _tracks(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Track features; returns (table, pool of each track, popularity score, musical score)."""
    pool = rng.choice([MID, POPULAR, MUSICAL], size=n, p=[0.6, 0.2, 0.2])
    sign = rng.choice([-1.0, 1.0], size=n)
    mid_pop = np.clip(rng.normal(0, 0.35, n), -0.7, 0.7)
    mid_mus = np.clip(rng.normal(0, 0.25, n), -0.5, 0.5)
    extreme = sign * rng.uniform(1.2, 2.5, n)
    popularity = np.where(pool == POPULAR, extreme, mid_pop)
    energy = np.where(pool == MUSICAL, extreme, mid_mus)

    musical = list(challenge.MUSICAL_COLUMNS)
    u = rng.normal(0, 1, (n, len(musical)))
    w = np.zeros(len(musical))
    for column, weight in ENERGY.items():
        w[musical.index(column)] = weight
    w /= np.linalg.norm(w)
    u += np.outer(energy - u @ w, w)  # set the component along w to the track's musical score

    def unit(k):
        return 1 / (1 + np.exp(-u[:, musical.index(k)]))

    table = {
        "track_id": _ids(rng, n, "t_"),
        "duration": np.round(60 + rng.lognormal(5.0, 0.35, n), 3),
        "release_year": np.clip(2018 - np.floor(rng.exponential(9, n)), 1950, 2018).astype(int),
        "us_popularity_estimate": np.clip(97 + 1.2 * popularity, 90, 99.999).round(6),
    }
    for k in musical:
        if k == "key":
            table[k] = np.floor(12 * unit(k)).clip(0, 11).astype(int)
        elif k == "mode":
            table[k] = np.where(u[:, musical.index(k)] > -0.4, "major", "minor")
        elif k == "loudness":
            table[k] = (-9 + 3 * u[:, musical.index(k)]).round(4)
        elif k == "tempo":
            table[k] = (120 + 25 * u[:, musical.index(k)]).round(3)
        elif k == "time_signature":
            z = u[:, musical.index(k)]
            table[k] = np.where(z < -1.6, 3, np.where(z > 1.9, 5, 4))
        elif k.startswith("acoustic_vector"):
            table[k] = (0.4 * u[:, musical.index(k)]).round(6)
        else:
            table[k] = unit(k).round(6)
    return pd.DataFrame(table)[list(challenge.TRACK_COLUMNS)], pool, popularity, energy


def generate(
    n_sessions: int, seed: int = 0, n_tracks: int = 3000, noise: float = 0.05, shares=(0.2, 0.2, 0.2, 0.2, 0.2)
) -> Generated:
    """``n_sessions`` sessions of 10-20 tracks; ``shares``: how often each of :data:`MECHANISMS` drives a session."""
    if len(shares) != len(MECHANISMS) or min(shares) < 0 or not np.isclose(sum(shares), 1):
        raise ParameterError(
            f"shares must be {len(MECHANISMS)} non-negative numbers adding up to 1 "
            f"(one per mechanism: {', '.join(MECHANISMS)})"
        )
    if not 0 <= noise < 0.5:
        raise ParameterError(f"noise={noise} must be in [0, 0.5)")
    rng = np.random.default_rng(seed)
    tracks, pool, popularity, energy = _tracks(rng, n_tracks)
    pools = [np.flatnonzero(pool == p) for p in (MID, POPULAR, MUSICAL)]

    # sessions
    kind = rng.choice(len(MECHANISMS), size=n_sessions, p=list(shares))
    length = rng.integers(MIN_LENGTH, MAX_LENGTH + 1, n_sessions)
    context_type = rng.choice(challenge.CONTEXT_TYPES, size=n_sessions)
    skippy = np.isin(context_type, SKIPPY_CONTEXTS)
    shuffle = kind == 1
    premium = kind != 2
    hour = rng.integers(0, 24, n_sessions)
    date = np.asarray(challenge.FIRST_DATE + pd.to_timedelta(rng.integers(0, 66, n_sessions), unit="D"))

    # rows
    s = np.repeat(np.arange(n_sessions), length)
    position = np.concatenate([np.arange(1, n + 1) for n in length])
    L = length[s]
    half = L // 2
    second = 2 * position > L
    k = position - half  # 1.. in the second half
    first_of = np.concatenate([[0], np.cumsum(length)[:-1]])

    # first half: one streak for persistence sessions, mixed otherwise
    skip = rng.random(len(s)) < 0.5
    streak = rng.random(n_sessions) < 0.5
    persist = kind[s] == 0
    skip = np.where(persist & ~second, streak[s], skip)
    n_half = length // 2
    skipped = np.bincount(s[~second], weights=skip[~second], minlength=n_sessions)
    one_way = (kind != 0) & ((skipped == 0) | (skipped == n_half))  # a non-persistence half needs skips and plays
    skip[first_of[one_way] + rng.integers(0, n_half[one_way])] ^= True
    last = skip[first_of + length // 2 - 1]

    # second half: which mechanism, which track, which label
    mech = np.full(len(s), -1)
    mech[second] = kind[s][second]
    late = second & persist & (k > PERSISTENCE_TRACKS)
    mech[late] = 4
    track_pool = np.full(len(s), MID)
    track_pool[mech == 3] = POPULAR
    track_pool[mech == 4] = MUSICAL
    track = np.empty(len(s), np.int64)
    for p, members in enumerate(pools):
        rows = np.flatnonzero(track_pool == p)
        track[rows] = members[rng.integers(0, len(members), len(rows))]
    label = {0: last[s], 1: skippy[s], 2: last[s] ^ skippy[s], 3: popularity[track] < 0, 4: energy[track] < 0}
    for m, value in label.items():
        rows = second & (mech == m)
        skip[rows] = value[rows]
    flip = second & (rng.random(len(s)) < noise)
    skip[flip] ^= True

    # the other log columns, consistent with the skips
    r = rng.random((6, len(s)))
    skip_1 = skip & (r[0] < 0.6)
    skip_3 = skip | (r[1] < 0.15)
    not_skipped = ~skip_3 & (r[2] < 0.9)
    end_skip = np.where(r[3] < 0.85, "fwdbtn", rng.choice(["backbtn", "clickrow", "endplay"], len(s)))
    end_play = np.where(r[3] < 0.9, "trackdone", rng.choice(["endplay", "logout", "remote"], len(s)))
    reason_end = np.where(skip, end_skip, end_play)
    reason_start = np.roll(reason_end, 1)
    reason_start[first_of] = rng.choice(["clickrow", "playbtn", "appload", "trackdone"], n_sessions)
    pause = rng.choice(3, size=len(s), p=[0.85, 0.1, 0.05])
    session_ids = np.array(_ids(rng, n_sessions, ""), dtype=object)
    session_ids = np.array([f"{i % 100}_{u}" for i, u in enumerate(session_ids)], dtype=object)

    logs = pd.DataFrame(
        {
            "session_id": session_ids[s],
            "session_position": position,
            "session_length": L,
            "track_id_clean": tracks["track_id"].to_numpy()[track],
            "skip_1": skip_1,
            "skip_2": skip,
            "skip_3": skip_3,
            "not_skipped": not_skipped,
            "context_switch": r[4] < 0.03,
            "no_pause_before_play": pause == 0,
            "short_pause_before_play": pause == 1,
            "long_pause_before_play": pause == 2,
            "hist_user_behavior_n_seekfwd": rng.poisson(0.15 + 0.3 * skip),
            "hist_user_behavior_n_seekback": rng.poisson(0.1, len(s)),
            "hist_user_behavior_is_shuffle": shuffle[s],
            "hour_of_day": hour[s],
            "date": date[s],
            "premium": premium[s],
            "context_type": context_type[s],
            "hist_user_behavior_reason_start": reason_start,
            "hist_user_behavior_reason_end": reason_end,
        }
    )[list(challenge.LOG_COLUMNS)]
    return Generated(logs, tracks, mech)


def write(generated: Generated, directory) -> tuple:
    """Write generated data as challenge files: ``training_set/log_0_20180715_000000000000.csv`` and
    ``track_features/tf_000000000000.csv`` (booleans as ``true``/``false``)."""
    from pathlib import Path

    directory = Path(directory)
    logs_path = directory / "training_set" / "log_0_20180715_000000000000.csv"
    tracks_path = directory / "track_features" / "tf_000000000000.csv"
    for path in (logs_path, tracks_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    logs = generated.logs.copy()
    for column in challenge.BOOLEAN_COLUMNS:
        logs[column] = np.where(logs[column], "true", "false")
    logs.to_csv(logs_path, index=False)
    generated.tracks.to_csv(tracks_path, index=False)
    return logs_path, tracks_path

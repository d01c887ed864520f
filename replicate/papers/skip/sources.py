"""Where sessions come from in the chapter: generated, ML-1M, or the real challenge files; each split three ways.

- ``synthetic-sessions`` (embedded: generated): :mod:`replicate.papers.skip.sessions`, split at random by session;
- ``ml-1m`` (embedded: fetched with the book's data): :mod:`replicate.papers.skip.movielens`, split by user, so that
  no user
  has sessions on both sides;
- ``spotify`` (your files): the challenge's ``log_*.csv`` and ``tf_*.csv`` under ``<data_dir>/spotify/``, split at
  random by session (the logs carry no user id).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from replicate import data
from replicate.errors import DatasetError, ParameterError
from replicate.papers.skip import challenge, movielens, sessions
from replicate.papers.skip.metrics import MIN_SESSIONS
from replicate.papers.skip.tensors import SessionTensors
from replicate.paths import data_root

DATASETS = ("synthetic-sessions", "ml-1m", "spotify")
FRACTIONS = (0.8, 0.1, 0.1)


def check(dataset: str, data_dir=None) -> str:
    """A valid ``dataset``; for ``spotify``, also that its files are in place (so that a run fails at once)."""
    if dataset not in DATASETS:
        raise ParameterError(f"unknown dataset {dataset!r}: valid choices are {', '.join(DATASETS)}")
    if dataset == "spotify":
        challenge.find_files(spotify_dir(data_dir))
    return dataset


def _cap(part: SessionTensors, n: int | None, rng: np.random.Generator) -> SessionTensors:
    if n is None or len(part) <= n:
        return part
    return part.take(np.sort(rng.choice(len(part), size=n, replace=False)))


def synthetic_sessions(
    n: int, seed: int = 0, noise: float = 0.05, n_test: int | None = None
) -> tuple[SessionTensors, ...]:
    """(train, valid, test) of ``n`` generated sessions, split 80/10/10; with ``n_test``, ``n_test`` more sessions of
    the same generation make the test part (train and valid keep 80 % and 10 % of ``n``): a test set large enough for
    the intervals, whatever the training budget."""
    if n_test is None:
        return sessions.generate(n, seed=seed, noise=noise).encode().split(FRACTIONS, seed=seed)
    total = round(n * sum(FRACTIONS[:2])) + n_test
    fractions = (n * FRACTIONS[0] / total, n * FRACTIONS[1] / total, n_test / total)
    return sessions.generate(total, seed=seed, noise=noise).encode().split(fractions, seed=seed)


def ml1m(
    data_dir=None, seed: int = 0, n_train: int | None = None, n_eval: int | None = None, with_available: bool = False
):
    """(train, valid, test) ML-1M rating sessions split by user; at most ``n_train`` training and ``n_eval``
    validation and test sessions (drawn at random) when given. ``with_available``: also how many sessions each part
    of the split held before that draw, as ``((train, valid, test), (n_train, n_valid, n_test))``."""
    st = movielens.sessions(data.load("ml-1m", data_dir=data_dir), seed=seed)
    parts = st.split(FRACTIONS, seed=seed, by=st.owners)
    rng = np.random.default_rng(seed)
    capped = tuple(_cap(p, n, rng) for p, n in zip(parts, (n_train, n_eval, n_eval)))
    return (capped, tuple(len(p) for p in parts)) if with_available else capped


def spotify_dir(data_dir=None) -> Path:
    return data_root(data_dir) / "spotify"


def spotify(data_dir=None, seed: int = 0, max_rows: int | None = None):
    """(train, valid, test) of the real challenge logs found under ``<data_dir>/spotify/``."""
    logs, tracks = challenge.load(spotify_dir(data_dir), max_rows=max_rows)
    encoded = challenge.encode(logs, tracks, name="Spotify challenge logs")
    parts = encoded.split(FRACTIONS, seed=seed)
    if min(len(p) for p in parts) == 0:
        raise DatasetError(
            f"{spotify_dir(data_dir)}: {len(encoded)} complete sessions leave no validation or test session in the "
            f"{'/'.join(f'{round(100 * f)}' for f in FRACTIONS)} split: give more log rows (at least 10 sessions; "
            f"a test set of fewer than {MIN_SESSIONS} sessions makes every slide-14 verdict inconclusive)"
        )
    return parts

"""The Spotify Sequential Skip Prediction Challenge (WSDM Cup 2019): schema, file loader, and feature groups.

The challenge's training set is a folder of session logs ``training_set/log_*.csv`` and a folder of track features
``track_features/tf_*.csv``. Column lists below are those of the released files (the same lists appear in the
paper's authors' preprocessing and in other public readers of the data). Booleans are read from ``true``/``false``
in any case, or 0/1; ``date`` in the released ISO form or the day-first ``DD-MM-YY`` form (:func:`parse_dates`).
The target is ``skip_2``; sessions have 10 to 20 tracks and the positions with 2·position > length are predicted.

:func:`encode` turns logs and track features into
:class:`~replicate.papers.skip.tensors.SessionTensors` with the paper's
five feature groups (``models/spotify.py`` of deezer/interpretable_nn_attribution): *position* (session position
and length), *context* (shuffle, premium, time, pauses, context type), *interaction* (skips, seeks, context switch,
reasons the track started and ended), *general* track information (duration, release year, US popularity) and
*content* (the musical features and acoustic vectors). The second half has only position, general and content.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from replicate.data.frames import strict_numbers
from replicate.errors import DatasetError
from replicate.papers.skip.tensors import MAX_LENGTH, MIN_LENGTH, SessionTensors, assemble

LOG_COLUMNS = (
    "session_id",
    "session_position",
    "session_length",
    "track_id_clean",
    "skip_1",
    "skip_2",
    "skip_3",
    "not_skipped",
    "context_switch",
    "no_pause_before_play",
    "short_pause_before_play",
    "long_pause_before_play",
    "hist_user_behavior_n_seekfwd",
    "hist_user_behavior_n_seekback",
    "hist_user_behavior_is_shuffle",
    "hour_of_day",
    "date",
    "premium",
    "context_type",
    "hist_user_behavior_reason_start",
    "hist_user_behavior_reason_end",
)
MUSICAL_COLUMNS = (
    "acousticness",
    "beat_strength",
    "bounciness",
    "danceability",
    "dyn_range_mean",
    "energy",
    "flatness",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mechanism",
    "mode",
    "organism",
    "speechiness",
    "tempo",
    "time_signature",
    "valence",
    *(f"acoustic_vector_{k}" for k in range(8)),
)
GENERAL_COLUMNS = ("duration", "release_year", "us_popularity_estimate")
TRACK_COLUMNS = ("track_id", *GENERAL_COLUMNS, *MUSICAL_COLUMNS)
BOOLEAN_COLUMNS = (
    "skip_1",
    "skip_2",
    "skip_3",
    "not_skipped",
    "context_switch",
    "no_pause_before_play",
    "short_pause_before_play",
    "long_pause_before_play",
    "hist_user_behavior_is_shuffle",
    "premium",
)
CONTEXT_TYPES = ("editorial_playlist", "user_collection", "catalog", "radio", "charts", "personalized_playlist")
REASONS = (
    "trackdone",
    "fwdbtn",
    "backbtn",
    "clickrow",
    "endplay",
    "playbtn",
    "appload",
    "remote",
    "uriopen",
    "trackerror",
    "popup",
    "logout",
)
FIRST_DATE = pd.Timestamp("2018-07-15")  # the training logs run from 2018-07-15 to 2018-09-18
GROUPS = ("position", "context", "interaction", "general", "content")
RIGHT_GROUPS = ("position", "general", "content")
GROUP_LABELS = {
    "position": "position",
    "context": "context",
    "interaction": "interaction",
    "general": "general track info",
    "content": "musical features",
}
HOW_TO_GET = (
    "download the challenge's training set and track features (aicrowd.com, Spotify Sequential Skip Prediction "
    "Challenge) and put, under {where}, at least one log file (training_set/log_*.csv, e.g. "
    "training_set/log_0_20180715_000000000000.csv) and the track feature files (track_features/tf_*.csv)"
)


def _files(directory: Path, pattern: str) -> list[Path]:
    return sorted(p for p in directory.rglob(pattern) if p.is_file())


def find_files(directory) -> tuple[list[Path], list[Path]]:
    """The ``log_*.csv`` and ``tf_*.csv`` files under ``directory`` (any depth); a clear error when either lacks."""
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise DatasetError(
            f"no folder {directory} for the Spotify challenge data: " + HOW_TO_GET.format(where=directory)
        )
    logs, tracks = _files(directory, "log_*.csv"), _files(directory, "tf_*.csv")
    missing = [what for what, found in (("log_*.csv", logs), ("tf_*.csv", tracks)) if not found]
    if missing:
        raise DatasetError(
            f"no {' and no '.join(missing)} file under {directory}: " + HOW_TO_GET.format(where=directory)
        )
    return logs, tracks


# The numeric columns of the log files, each with the form a value must have (read strictly: a value that cannot be
# read is an error naming the file, line and column, never coerced).
LOG_NUMBERS = {
    "session_position": ("int", "a position from 1 to 20", 1, MAX_LENGTH),
    "session_length": ("int", f"a session length from {MIN_LENGTH} to {MAX_LENGTH}", MIN_LENGTH, MAX_LENGTH),
    "hist_user_behavior_n_seekfwd": ("int", "a count of seeks forward (0 or more)", 0, None),
    "hist_user_behavior_n_seekback": ("int", "a count of seeks back (0 or more)", 0, None),
    "hour_of_day": ("int", "an hour from 0 to 23", 0, 23),
}
TRACK_NUMBERS = {c: ("float", "a number", None, None) for c in (*GENERAL_COLUMNS, *MUSICAL_COLUMNS) if c != "mode"}


def _strict(frame: pd.DataFrame, path: Path, numbers: dict, header: list[str], first_row: int = 0) -> pd.DataFrame:
    """``frame`` (text read from ``path``, whose header line is ``header``) with its ``numbers`` columns parsed by
    :func:`replicate.data.frames.strict_numbers`; the lines it names count the header (row 0 is line 2)."""
    lines = frame.index.to_numpy() + 2 + first_row
    positions = {name: header.index(name) + 1 for name in numbers}
    return strict_numbers(frame, path, numbers, lines=lines, positions=positions)


def _numbers_in(frame: pd.DataFrame, numbers: dict, name: str) -> pd.DataFrame:
    """``frame`` with those of its ``numbers`` columns that hold text parsed strictly (rows counted from 1)."""
    text = [c for c in numbers if c in frame.columns and not pd.api.types.is_numeric_dtype(frame[c])]
    if not text:
        return frame
    parsed = strict_numbers(frame[text].reset_index(drop=True), name, {c: numbers[c] for c in text})
    out = frame.copy()
    for column in text:
        out[column] = parsed[column].to_numpy()
    return out


def _read(path: Path, columns: tuple[str, ...], nrows=None) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, nrows=nrows, dtype=str, keep_default_na=False).replace("", np.nan)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DatasetError(
            f"could not read {path}: {error}. The file is corrupt or not a challenge CSV; replace it."
        ) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        kind = "log" if "session_id" in columns else "track feature"
        raise DatasetError(
            f"{path} lacks the challenge columns {', '.join(missing)}: is it a {kind} file of the challenge?"
        )
    numbers = LOG_NUMBERS if "session_id" in columns else TRACK_NUMBERS
    return _strict(frame[list(columns)], path, numbers, list(frame.columns))


def _boolean(series: pd.Series, path) -> np.ndarray:
    if series.dtype == bool:
        return series.to_numpy()
    text = series.astype(str).str.strip().str.lower()
    mapping = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}
    out = text.map(mapping)
    if out.isna().any():
        bad = series[out.isna()].iloc[0]
        raise DatasetError(f"{path}: column {series.name} has the value {bad!r}, expected true/false")
    return out.to_numpy(dtype=bool)


# The two spellings of ``date`` accepted, each parsed with its explicit format (never guessed): the released files'
# ISO form and the day-first two-digit-year form of public copies re-saved by spreadsheets.
DATE_FORMATS = {r"\d{4}-\d{2}-\d{2}": "%Y-%m-%d", r"\d{2}-\d{2}-\d{2}": "%d-%m-%y"}
DATE_EXAMPLES = "2018-07-15 (ISO, as released) or 15-07-18 (DD-MM-YY)"


def parse_dates(series: pd.Series, where) -> pd.Series:
    """The ``date`` column as timestamps: every value in one of :data:`DATE_FORMATS`, parsed with that format.

    A value in neither form, or one that is not a calendar date (``2018-02-30``), raises :class:`DatasetError` naming
    ``where`` (the file) and the column; ``07-08-18`` is always 7 August 2018, never guessed.
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    text = series.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    matched = pd.Series(False, index=series.index)
    for pattern, fmt in DATE_FORMATS.items():
        hit = text.str.fullmatch(pattern) & ~matched
        if hit.any():
            out[hit] = pd.to_datetime(text[hit], format=fmt, errors="coerce")
            matched |= hit
    bad = ~matched | out.isna()
    if bad.any():
        value = series[bad].iloc[0]
        raise DatasetError(
            f"{where}: column date has the value {value!r} ({int(bad.sum())} such rows); expected dates written as "
            f"{DATE_EXAMPLES}. Fix or re-export the file with one of these forms."
        )
    return out


def load(directory, max_rows: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the challenge files under ``directory``: (logs, track features), booleans parsed, schema checked.

    ``max_rows`` limits the log rows read (first files first); the last, possibly cut, session is dropped. Only the
    features of tracks that appear in the logs are kept; they are standardised over those tracks by :func:`encode`.
    """
    log_files, track_files = find_files(directory)
    frames, left = [], max_rows
    for path in log_files:
        frame = _read(path, LOG_COLUMNS, nrows=left)
        for column in BOOLEAN_COLUMNS:
            frame[column] = _boolean(frame[column], path)
        frame["date"] = parse_dates(frame["date"], path)
        frames.append(frame)
        if left is not None:
            left -= len(frame)
            if left <= 0:
                break
    logs = pd.concat(frames, ignore_index=True)
    if max_rows is not None:
        counts = logs.groupby("session_id", sort=False)["session_id"].transform("size")
        logs = logs[counts == logs["session_length"]].reset_index(drop=True)
    used = set(logs["track_id_clean"].unique())
    tracks = pd.concat([_read_tracks(p, used) for p in track_files], ignore_index=True)
    validate(logs, tracks, where=str(directory))
    return logs, tracks


def _read_tracks(path: Path, used: set) -> pd.DataFrame:
    """The rows of a track-feature file whose track appears in the logs (the full files hold millions of tracks)."""
    try:
        chunks = pd.read_csv(path, chunksize=500_000, dtype=str, keep_default_na=False)
        kept = [chunk[chunk["track_id"].isin(used)].replace("", np.nan) for chunk in chunks]
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DatasetError(
            f"could not read {path}: {error}. The file is corrupt or not a challenge CSV; replace it."
        ) from None
    frame = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=list(TRACK_COLUMNS))
    missing = [c for c in TRACK_COLUMNS if c not in frame.columns]
    if missing:
        raise DatasetError(
            f"{path} lacks the challenge columns {', '.join(missing)}: is it a track feature file of the challenge?"
        )
    header = list(pd.read_csv(path, nrows=0).columns)
    return _strict(frame[list(TRACK_COLUMNS)], path, TRACK_NUMBERS, header)


def validate(logs: pd.DataFrame, tracks: pd.DataFrame, where: str = "the logs") -> None:
    """Sessions of 10-20 tracks with positions 1..length, once each; known categorical values."""
    if logs.empty:
        raise DatasetError(f"{where}: no complete session in the log files")
    length = logs["session_length"].to_numpy()
    if ((length < MIN_LENGTH) | (length > MAX_LENGTH)).any():
        raise DatasetError(f"{where}: session_length outside {MIN_LENGTH}-{MAX_LENGTH}")
    sizes = logs.groupby("session_id", sort=False).agg(
        n=("session_position", "size"),
        length=("session_length", "first"),
        distinct=("session_position", "nunique"),
        top=("session_position", "max"),
    )
    broken = sizes[(sizes["n"] != sizes["length"]) | (sizes["distinct"] != sizes["n"]) | (sizes["top"] != sizes["n"])]
    if len(broken):
        raise DatasetError(
            f"{where}: {len(broken)} sessions do not have positions 1..session_length exactly once "
            f"(first: {broken.index[0]})"
        )
    unknown = set(logs["context_type"].unique()) - set(CONTEXT_TYPES)
    if unknown:
        raise DatasetError(f"{where}: unknown context_type values {sorted(unknown)}; known: {', '.join(CONTEXT_TYPES)}")
    if tracks["track_id"].duplicated().any():
        raise DatasetError(f"{where}: track features list a track_id twice")


def _one_hot(values: pd.Series, vocabulary) -> np.ndarray:
    """One column per known value; a value outside the vocabulary is all zeros."""
    codes = pd.Categorical(values, categories=list(vocabulary)).codes
    out = np.zeros((len(values), len(vocabulary)), np.float32)
    known = codes >= 0
    out[np.flatnonzero(known), codes[known]] = 1.0
    return out


def track_matrix(tracks: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """(track ids, general (n, 3), content (n, 26)) standardised over the track table (mode: major = 1)."""
    frame = tracks.copy()
    frame["mode"] = (frame["mode"].astype(str).str.lower() == "major").astype(float)
    values = frame[list(GENERAL_COLUMNS + MUSICAL_COLUMNS)].to_numpy(dtype=np.float64)
    mean, std = np.nanmean(values, axis=0), np.nanstd(values, axis=0)
    z = (values - mean) / np.where(std > 0, std, 1.0)
    z = np.nan_to_num(z).astype(np.float32)
    return pd.Index(frame["track_id"]), z[:, : len(GENERAL_COLUMNS)], z[:, len(GENERAL_COLUMNS) :]


def encode(
    logs: pd.DataFrame,
    tracks: pd.DataFrame,
    name: str = "spotify",
    planted_rows=None,
    planted_groups=(),
    planted_names=(),
) -> SessionTensors:
    """Logs (in the challenge schema) and track features -> :class:`SessionTensors` with the five groups. Numeric
    columns given as text are read strictly (an error names ``name``, the row and the column)."""
    logs = _numbers_in(logs, LOG_NUMBERS, name)
    tracks = _numbers_in(tracks, TRACK_NUMBERS, name)
    position = logs["session_position"].to_numpy(dtype=np.int64)
    length = logs["session_length"].to_numpy(dtype=np.int64)
    session_ids, session_index = np.unique(logs["session_id"].to_numpy(), return_inverse=True)

    half = length // 2
    pos = np.stack([position / MAX_LENGTH, length / MAX_LENGTH, (position - half - 0.5) / 10], axis=1)
    hour = logs["hour_of_day"].to_numpy(dtype=np.float64)
    days = (parse_dates(logs["date"], name) - FIRST_DATE).dt.days.to_numpy(dtype=np.float64)
    context = np.concatenate(
        [
            np.stack(
                [
                    logs["hist_user_behavior_is_shuffle"],
                    logs["premium"],
                    np.sin(2 * np.pi * hour / 24),
                    np.cos(2 * np.pi * hour / 24),
                    days / 65,
                    logs["no_pause_before_play"],
                    logs["short_pause_before_play"],
                    logs["long_pause_before_play"],
                ],
                axis=1,
            ).astype(np.float32),
            _one_hot(logs["context_type"], CONTEXT_TYPES),
        ],
        axis=1,
    )
    interaction = np.concatenate(
        [
            np.stack(
                [
                    logs["skip_1"],
                    logs["skip_2"],
                    logs["skip_3"],
                    logs["not_skipped"],
                    logs["context_switch"],
                    np.log1p(logs["hist_user_behavior_n_seekfwd"].to_numpy(dtype=np.float64)),
                    np.log1p(logs["hist_user_behavior_n_seekback"].to_numpy(dtype=np.float64)),
                ],
                axis=1,
            ),
            _one_hot(logs["hist_user_behavior_reason_start"], REASONS),
            _one_hot(logs["hist_user_behavior_reason_end"], REASONS),
        ],
        axis=1,
    ).astype(np.float32)
    ids, general, content = track_matrix(tracks)
    row = ids.get_indexer(logs["track_id_clean"])
    found = row >= 0
    general_rows = np.where(found[:, None], general[np.maximum(row, 0)], 0.0).astype(np.float32)
    content_rows = np.where(found[:, None], content[np.maximum(row, 0)], 0.0).astype(np.float32)
    notes = () if found.all() else (f"{int((~found).sum())} log rows name a track without features (set to the mean)",)

    left_parts = {
        "position": pos,
        "context": context,
        "interaction": interaction,
        "general": general_rows,
        "content": content_rows,
    }
    left_features = np.concatenate([left_parts[g] for g in GROUPS], axis=1).astype(np.float32)
    right_features = np.concatenate([left_parts[g] for g in RIGHT_GROUPS], axis=1).astype(np.float32)
    return assemble(
        name,
        session_index,
        position,
        length,
        left_features,
        right_features,
        logs["skip_2"].to_numpy(dtype=np.float32),
        left_groups=[(g, left_parts[g].shape[1]) for g in GROUPS],
        right_groups=[(g, left_parts[g].shape[1]) for g in RIGHT_GROUPS],
        session_ids=session_ids,
        group_labels=dict(GROUP_LABELS),
        planted_rows=None if planted_rows is None else np.asarray(planted_rows),
        planted_groups=tuple(planted_groups),
        planted_names=tuple(planted_names),
        notes=notes,
    )

"""Sessions as arrays: the first half (given with its logs) and the second half (to predict), 10 slots each.

The challenge's sessions have 10 to 20 tracks; the first ``length // 2`` are given, the rest (positions with
2·position > length) are predicted. As in the authors' code, the first half is right-aligned in its 10 slots (its last
track is always slot 9) and the second half left-aligned (its first track is always slot 0); unused slots are masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from replicate.errors import DatasetError

HALF = 10  # slots per half: sessions have at most 20 tracks
MIN_LENGTH, MAX_LENGTH = 10, 20


def slots(position: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is second half, slot) of 1-based positions in sessions of the given lengths."""
    position, length = np.asarray(position), np.asarray(length)
    half = length // 2
    second = 2 * position > length
    slot = np.where(second, position - half - 1, HALF - half + position - 1)
    return second, slot


@dataclass
class SessionTensors:
    """Encoded sessions.

    - ``left`` (n, 10, F_left), ``right`` (n, 10, F_right): features per slot, zero where a slot is unused;
    - ``left_mask``, ``right_mask`` (n, 10): which slots hold a track;
    - ``y`` (n, 10): the target of each second-half track (skip_2, or dislike), 0 where unused;
    - ``left_y`` (n, 10): the same signal for the first-half tracks (given), for the baseline;
    - ``left_groups`` / ``right_groups``: (group name, number of columns) in column order;
    - ``planted`` (n, 10): for generated data, the index into ``planted_groups`` of the mechanism that produced each
      second-half label (-1 where unused or unknown); ``planted_names`` names them;
    - ``session_ids``: one per session; ``owners``: the user of each session where known (for splits by user).
    """

    name: str
    left: np.ndarray
    right: np.ndarray
    left_mask: np.ndarray
    right_mask: np.ndarray
    y: np.ndarray
    left_y: np.ndarray
    left_groups: tuple[tuple[str, int], ...]
    right_groups: tuple[tuple[str, int], ...]
    session_ids: np.ndarray
    group_labels: dict = field(default_factory=dict)
    planted: np.ndarray | None = None
    planted_groups: tuple[tuple[str, ...], ...] = ()
    planted_names: tuple[str, ...] = ()
    owners: np.ndarray | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        n = len(self.session_ids)
        for name in ("left", "right", "left_mask", "right_mask", "y", "left_y"):
            value = getattr(self, name)
            if value.shape[:2] != (n, HALF):
                raise DatasetError(f"{self.name}: {name} has shape {value.shape}, expected ({n}, {HALF}, ...)")
        for side, groups, array in (("left", self.left_groups, self.left), ("right", self.right_groups, self.right)):
            if sum(size for _, size in groups) != array.shape[2]:
                raise DatasetError(f"{self.name}: {side} groups {groups} do not add up to {array.shape[2]} columns")

    def __len__(self) -> int:
        return len(self.session_ids)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(g for g, _ in self.left_groups)

    def label(self, group: str) -> str:
        return self.group_labels.get(group, group)

    def take(self, index) -> "SessionTensors":
        index = np.asarray(index)
        return replace(
            self,
            left=self.left[index],
            right=self.right[index],
            left_mask=self.left_mask[index],
            right_mask=self.right_mask[index],
            y=self.y[index],
            left_y=self.left_y[index],
            session_ids=self.session_ids[index],
            planted=None if self.planted is None else self.planted[index],
            owners=None if self.owners is None else self.owners[index],
        )

    def split(self, fractions=(0.8, 0.1, 0.1), seed: int = 0, by=None) -> tuple["SessionTensors", ...]:
        """Random train/valid/test split of the sessions, or of the values of ``by`` (one per session, e.g. the
        user) so that all sessions sharing a value land in the same part."""
        keys = np.arange(len(self)) if by is None else np.asarray(by)
        values = np.unique(keys)
        order = np.random.default_rng(seed).permutation(len(values))
        cuts = np.round(np.cumsum(fractions)[:-1] * len(values)).astype(int)
        parts = np.split(values[order], cuts)
        return tuple(self.take(np.flatnonzero(np.isin(keys, part))) for part in parts)

    def summary(self) -> dict:
        lengths = self.left_mask.sum(1) + self.right_mask.sum(1)
        return {
            "sessions": len(self),
            "second-half tracks": int(self.right_mask.sum()),
            "skip rate (second half)": float(self.y[self.right_mask].mean()) if self.right_mask.any() else float("nan"),
            "session length (mean)": float(lengths.mean()) if len(self) else float("nan"),
            "features (first half / second half)": f"{self.left.shape[2]} / {self.right.shape[2]}",
        }


def assemble(
    name,
    session_index,
    position,
    length,
    left_features,
    right_features,
    target,
    left_groups,
    right_groups,
    session_ids,
    **extra,
) -> SessionTensors:
    """Scatter per-track rows into :class:`SessionTensors`.

    ``session_index`` (rows): 0..n-1 session of each row; ``position`` 1-based; ``length`` the session's length;
    ``left_features`` / ``right_features``: (rows, F) features each row would have in either half (only the half it
    belongs to is used); ``target``: per row. ``extra`` may hold ``planted_rows`` (per row, -1 for none) and the
    other optional fields of :class:`SessionTensors`.
    """
    n = len(session_ids)
    position, length = np.asarray(position), np.asarray(length)
    if ((length < MIN_LENGTH) | (length > MAX_LENGTH)).any() or ((position < 1) | (position > length)).any():
        raise DatasetError(f"{name}: sessions must have {MIN_LENGTH}-{MAX_LENGTH} tracks and positions 1..length")
    second, slot = slots(position, length)
    left = np.zeros((n, HALF, left_features.shape[1]), np.float32)
    right = np.zeros((n, HALF, right_features.shape[1]), np.float32)
    left_mask, right_mask = np.zeros((n, HALF), bool), np.zeros((n, HALF), bool)
    y, left_y = np.zeros((n, HALF), np.float32), np.zeros((n, HALF), np.float32)
    first = ~second
    left[session_index[first], slot[first]] = left_features[first]
    left_mask[session_index[first], slot[first]] = True
    left_y[session_index[first], slot[first]] = target[first]
    right[session_index[second], slot[second]] = right_features[second]
    right_mask[session_index[second], slot[second]] = True
    y[session_index[second], slot[second]] = target[second]
    planted_rows = extra.pop("planted_rows", None)
    planted = None
    if planted_rows is not None:
        planted = np.full((n, HALF), -1, np.int64)
        planted[session_index[second], slot[second]] = planted_rows[second]
    return SessionTensors(
        name,
        left,
        right,
        left_mask,
        right_mask,
        y,
        left_y,
        tuple(left_groups),
        tuple(right_groups),
        np.asarray(session_ids),
        planted=planted,
        **extra,
    )


def pick_session(sessions: SessionTensors, mechanism: str | None = None) -> int:
    """A session to show, chosen by rule: the first in id order with a full second half (10 tracks) — among those
    whose first second-half track comes from ``mechanism`` when given; the longest second half when none is full."""
    ok = np.ones(len(sessions), bool)
    if mechanism is not None:
        if mechanism not in sessions.planted_names:
            raise DatasetError(f"no planted mechanism {mechanism!r}; valid: {', '.join(sessions.planted_names)}")
        ok = sessions.planted[:, 0] == sessions.planted_names.index(mechanism)
    candidates = np.flatnonzero(ok)
    if not len(candidates):
        raise DatasetError(f"{sessions.name}: no session to show" + (f" for {mechanism}" if mechanism else ""))
    lengths = sessions.right_mask[candidates].sum(1)
    best = candidates[lengths == lengths.max()]
    return int(best[np.argsort(sessions.session_ids[best], kind="stable")[0]])

"""The baseline: repeat the last skip of the first half for every track of the second half.

The paper does not say what its baseline is. This one is the natural rule for a sequence whose first half is
given ("the user keeps doing what she did last"); it needs no training.
"""

from __future__ import annotations

import numpy as np

from replicate.papers.skip.tensors import SessionTensors


def last_skip(sessions: SessionTensors) -> np.ndarray:
    """Binary predictions (sessions, slots): the first half's last target (its slot 9) repeated."""
    last = sessions.left_y[:, -1] > 0.5
    return np.repeat(last[:, None], sessions.y.shape[1], axis=1) & sessions.right_mask

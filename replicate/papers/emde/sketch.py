r"""Count sketches of users and the decoding of item scores from an output sketch.

A modality's sketch of a user is an (n_sketches, width) array: for every unit the user has in that modality (a
movie, an actor, a token), +1 (times an optional weight) at the unit's bucket in each sketch. Input sketches are
L2-normalised per sketch row; targets are L1-normalised per row (a distribution per row, matching the network's
softmax). An item's score in an output sketch is the geometric mean of the output at its buckets,
:math:`\exp(\frac{1}{N}\sum_n \log(\varepsilon + o_{n, c_n(i)}))`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

EPS = 1e-8


def sketch(membership: sp.csr_matrix, codes: np.ndarray, width: int) -> np.ndarray:
    """Sketches of many users at once.

    ``membership``: (n_users, n_units) weights (counts) of each unit for each user; ``codes``: (n_units, n_sketches)
    bucket indices. Returns (n_users, n_sketches, width) raw counts.
    """
    n_units, n_sketches = codes.shape
    out = np.zeros((membership.shape[0], n_sketches, width), dtype=np.float32)
    for s in range(n_sketches):
        bucket_of_unit = sp.csr_matrix(
            (np.ones(n_units, dtype=np.float32), (np.arange(n_units), codes[:, s])), shape=(n_units, width)
        )
        out[:, s, :] = (membership @ bucket_of_unit).toarray()
    return out


def normalise_input(sketches: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(sketches, axis=-1, keepdims=True)
    return np.divide(sketches, norms, out=np.zeros_like(sketches), where=norms > 0)


def normalise_target(sketches: np.ndarray) -> np.ndarray:
    sums = sketches.sum(axis=-1, keepdims=True)
    return np.divide(sketches, sums, out=np.zeros_like(sketches), where=sums > 0)


def decode(output: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """Item scores (batch, n_items) from output sketches (batch, n_sketches, width) and item codes
    (n_items, n_sketches).

    Each item's buckets are read with one ``index_select`` from the flattened sketches: the values of
    ``output[:, arange(n_sketches), codes]`` in the same layout, and a gradient accumulated in the same order
    (``tests/test_emde_model.py`` holds both to the bit), 1.5-1.75x faster forward and backward on a CPU, which
    matters where explainers push thousands of rows through it. A bucket outside ``[0, width)`` is refused (the
    flattened read would take another sketch's bucket)."""
    batch, n_sketches, width = output.shape
    if codes.numel() and (int(codes.min()) < 0 or int(codes.max()) >= width):
        raise ValueError(f"item codes must lie in [0, {width}): got {int(codes.min())}..{int(codes.max())}")
    flat = (codes + width * torch.arange(n_sketches, device=codes.device)[None, :]).reshape(-1)
    picked = output.reshape(batch, n_sketches * width).index_select(1, flat).view(batch, *codes.shape)
    return torch.exp(torch.log(EPS + picked).mean(dim=-1))

"""0/1 sparse matrices (users x items, users x attributes), shared by the baselines and the papers."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from replicate.errors import ParameterError


def binarise(matrix: sp.spmatrix) -> sp.csr_matrix:
    """``matrix`` as a float32 CSR whose stored entries are all 1 (every non-zero becomes 1)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    matrix.eliminate_zeros()
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def require_binary(matrix, name: str) -> sp.csr_matrix:
    """``matrix`` as a float32 CSR with only 1s stored; a dense or non-binary matrix is refused with the fix."""
    if not sp.issparse(matrix) or matrix.ndim != 2:
        raise ParameterError(
            f"{name} must be a 2-D scipy.sparse matrix (e.g. scipy.sparse.csr_matrix), got {type(matrix).__name__}"
        )
    checked = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    checked.eliminate_zeros()
    checked.sum_duplicates()
    if checked.nnz and not np.all(checked.data == 1):
        raise ParameterError(f"{name} must be binary (0/1): binarise it first, e.g. (ratings >= 3) as 1")
    return checked

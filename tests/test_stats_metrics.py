"""Metrics and statistics against hand-computed values."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from replicate import metrics, stats


def test_top_k_orders_and_breaks_ties_by_index():
    scores = np.array([[0.1, 0.9, 0.5, 0.9], [3.0, 2.0, 1.0, 0.0]])
    assert metrics.top_k(scores, 3).tolist() == [[1, 3, 2], [0, 1, 2]]


def test_ndcg_by_hand():
    # ranking: item 2, 0, 1, 3 ; relevant {0, 3}
    scores = np.array([[0.8, 0.5, 0.9, 0.1]])
    heldout = np.array([[1, 0, 0, 1]])
    # DCG@3 = 1/log2(3) (item 0 at rank 2); IDCG@3 with min(3, 2) = 2 hits = 1 + 1/log2(3)
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert metrics.ndcg_at_k(scores, heldout, 3)[0] == pytest.approx(expected)
    # all relevant at the top: 1
    assert metrics.ndcg_at_k(np.array([[0.9, 0.1, 0.2, 0.8]]), heldout, 2)[0] == pytest.approx(1.0)
    # accepts sparse held-out matrices; no relevant item: nan
    result = metrics.ndcg_at_k(np.vstack([scores, scores]), sp.csr_matrix([[1, 0, 0, 1], [0, 0, 0, 0]]), 3)
    assert result[0] == pytest.approx(expected) and math.isnan(result[1])


def test_recall_denominator_is_min_k_n():
    scores = np.array([[0.9, 0.8, 0.7, 0.6, 0.5]])
    heldout = np.array([[1, 0, 1, 1, 1]])  # 4 relevant
    # top 2 = items 0, 1 -> 1 hit; denominator min(2, 4) = 2
    assert metrics.recall_at_k(scores, heldout, 2)[0] == pytest.approx(0.5)
    # top 5 -> 4 hits; denominator min(5, 4) = 4
    assert metrics.recall_at_k(scores, heldout, 5)[0] == pytest.approx(1.0)
    # excluded (fold-in) items carry -inf and never count
    excluded = np.array([[-np.inf, 0.8, 0.7, 0.6, 0.5]])
    assert metrics.recall_at_k(excluded, heldout, 2)[0] == pytest.approx(0.5)


def test_eta_squared_by_hand():
    values = np.array([1.0, 3.0, 5.0, 7.0])
    labels = np.array([0, 0, 1, 1])
    # grand mean 4; total SS = 9+1+1+9 = 20; group means 2, 6 -> between = 2*4 + 2*4 = 16
    assert stats.eta_squared(values, labels)[0] == pytest.approx(0.8)
    assert stats.eta_squared(np.array([1.0, 2.0, 1.0, 2.0]), labels)[0] == pytest.approx(0.0)


def test_mantel_detects_related_and_unrelated_matrices():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(12, 2))
    a = np.linalg.norm(points[:, None] - points[None], axis=-1)
    r, p = stats.mantel(a, 2 * a + 1 - np.eye(12), permutations=499)
    assert r > 0.99 and p == pytest.approx(1 / 500)
    other = rng.normal(size=(12, 2))
    b = np.linalg.norm(other[:, None] - other[None], axis=-1)
    r, p = stats.mantel(a, b, permutations=499)
    assert abs(r) < 0.5 and p > 0.05
    with pytest.raises(ValueError):
        stats.mantel(a, a[:5, :5])


def test_exclude_sets_known_items_to_minus_infinity_in_place():
    scores = np.array([[0.5, 0.2, 0.9], [0.1, 0.3, 0.2]])
    known = sp.csr_matrix(np.array([[0, 0, 1], [1, 1, 0]]))
    out = metrics.exclude(scores, known)
    assert out is scores
    assert scores.tolist() == [[0.5, 0.2, -np.inf], [-np.inf, -np.inf, 0.2]]
    assert metrics.exclude(np.ones((1, 2)), np.array([[0, 1]])).tolist() == [[1.0, -np.inf]]

"""The EMDE chapter's readings, by hand: who gets a movie, the fallback when too few do, agreement over chance."""

import numpy as np
import pandas as pd
import pytest

from replicate.papers.emde import measure


def test_recommended_to_orders_users_by_the_movie_score():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.7], [0.3, 0.2, 0.1], [-np.inf, 0.0, 0.95]])
    assert measure.recommended_to(scores, 2, k=2).tolist() == [3, 1, 0]
    assert measure.recommended_to(scores, 2, k=1).tolist() == [3]
    assert measure.recommended_to(scores, 2, k=2, n=1).tolist() == [3]


def test_selection_adds_the_next_movie_when_too_few_users_get_one():
    items = pd.DataFrame({"title": ["A (1990)", "B (1991)", "C (1992)"]})
    ds = type("D", (), {"items": items})()
    scores = np.array([[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.7, 0.3, 0.0], [0.1, 0.9, 0.0]])
    selection = measure.paper_movie_selection(ds, scores, np.arange(3), titles=("C (1992)",), k=1, min_users=2)
    assert selection["title"].tolist() == ["C (1992)", "A (1990)"]
    assert selection["kept"].tolist() == [False, True] and selection["count"].tolist() == [0, 3]


def test_agreement_excess_by_hand():
    tops = {"liked": np.array([1, 2, 3, -1]), "cast": np.array([1, 5, 3, 2])}
    n_liked = np.array([2, 4, 4, 2])
    out = measure.agreement_excess(tops, n_liked, np.ones(4, bool))["cast"]
    assert out["n"] == 3 and out["raw"] == pytest.approx(2 / 3)
    assert out["chance"] == pytest.approx((0.5 + 0.25 + 0.25) / 3)
    assert out["excess"] == pytest.approx(2 / 3 - 1 / 3)

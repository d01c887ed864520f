"""The C-VAE readings added for issue 31 (a genre request lifts the genre, the two views differ, profiling on the
first three components, Documentary's place), on hand-made cases whose values are computed by hand."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import spearmanr

from replicate.core.claims import NotApplicable
from replicate.papers.cvae import claims, latent
from replicate.papers.cvae import measure as obs
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import UNCONDITIONED, Conditions

NAMES = ("Comedy", "Romance", "Thriller", "Action", "Crime", "Documentary")


def _space(centres: np.ndarray, names=NAMES) -> latent.LatentPCA:
    """One user whose points are the given centroids (unconditioned last)."""
    return latent.LatentPCA(centres[None], np.ones(centres.shape[1]) / centres.shape[1], (*names, "no condition"))


def test_top_share_counts_the_genre_in_the_top_k():
    scores = np.array([[5.0, 4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
    in_genre = np.array([True, False, False, True, True])
    # row 0: top 2 = items 0, 1 (one in the genre); row 1: top 2 = items 4, 3 (both)
    np.testing.assert_allclose(obs.top_share(scores, in_genre, 2), [0.5, 1.0])
    np.testing.assert_allclose(obs.top_share(scores, in_genre, 3), [1 / 3, 2 / 3])


def test_genre_lift_by_hand(monkeypatch):
    """Six items, genre 0 = items 3, 4, genre 1 = items 0, 5. Unconditioned, both users rank items 0 > 1 > 2 > ...;
    asking for genre g puts g's items first for user 0 only (user 1's request is ignored). Top 2:
    unconditioned {0, 1}: genre 0 share 0, genre 1 share 1/2. User 0 asked: genre 0 -> {3, 4}: 1; genre 1 -> {0, 5}: 1.
    User 1 asked: as unconditioned. Lifts: user 0: 1 - 0 = 1, 1 - 1/2 = 1/2 (mean 3/4); user 1: 0, 0."""
    items = np.zeros((6, 2), dtype=np.float32)
    items[[3, 4], 0] = items[[0, 5], 1] = 1.0
    conditions = Conditions(("A", "B"), items)
    base = np.array([6.0, 5, 4, 3, 2, 1])

    def fake_scores(model, fold_in, condition=UNCONDITIONED, device=None):
        out = np.tile(base, (fold_in.shape[0], 1))
        if not np.all(np.asarray(condition) == UNCONDITIONED):
            out[0] += 10 * items[:, int(np.asarray(condition).ravel()[0])]
        return out

    monkeypatch.setattr(train_vae, "scores", fake_scores)
    lift = obs.genre_lift(None, sp.csr_matrix(np.zeros((2, 6))), conditions, k=2)
    np.testing.assert_allclose(lift["lift"], [1.0, 0.5, 0.0, 0.0])
    np.testing.assert_array_equal(lift["users"], [0, 0, 1, 1])
    assert lift["effect"][0] == pytest.approx(3 / 8)  # users' means 3/4 and 0
    assert lift["asked"] == pytest.approx((1 + 1 + 0 + 0.5) / 4) and lift["plain"] == pytest.approx(0.25)
    # asked shares: user 0 (1, 1), user 1 (0, 1/2): the users' means 1 and 1/4
    assert lift["on_top"][0] == pytest.approx(5 / 8)


def test_view_difference_by_hand():
    # four genres; PC2 and PC3 identical: the two views agree perfectly (rho 1, reading false)
    pc = np.array([0.0, 1, 2, 3])
    centres = np.zeros((5, 5))
    centres[:4, 1] = centres[:4, 2] = pc
    same = obs.view_difference(_space(centres, NAMES[:4]), (1, 4), (2, 4))
    assert same.score == pytest.approx(0.0) and not same.reading
    # PC3 = (0, 3, 1, 2): pair distances (01, 02, 03, 12, 13, 23): 1, 2, 3, 1, 2, 1 in PC2; 3, 1, 2, 2, 1, 1 in PC3
    centres[:4, 2] = [0.0, 3, 1, 2]
    rho = spearmanr([1, 2, 3, 1, 2, 1], [3, 1, 2, 2, 1, 1]).statistic
    other = obs.view_difference(_space(centres, NAMES[:4]), (1, 4), (2, 4))
    assert other.score == pytest.approx(1 - rho) and other.reading == (rho <= claims.THRESHOLDS.view_rho)
    assert rho < 0  # the second view reverses much of the first


def test_documentary_on_the_serious_side_of_figure_2_only():
    g = {n: n for n in NAMES}
    centres = np.zeros((7, 5))
    centres[[2, 3, 4], 4] = 1.0  # serious genres at 1 on PC5 (light at 0), likewise on PC1 and PC4
    centres[[2, 3, 4], 0] = 1.0
    centres[[2, 3, 4], 3] = 1.0
    # Documentary: serious in PC2-PC5 (0.8), light in PC1-PC3 (0.2); on PC1, PC3, PC4 it would be (0.2 + 0.9) / 2
    centres[5, 4], centres[5, 0], centres[5, 3] = 0.8, 0.2, 0.9
    assert obs.segment_position(centres[:, [1, 4]], 5, [0, 1], [2, 3, 4]) == pytest.approx(0.8)
    assert obs.segment_position(centres[:, [0, 1, 2]], 5, [0, 1], [2, 3, 4]) == pytest.approx(0.2)
    m = obs.documentary_serious(_space(centres), g)
    assert m.reading and m.score == pytest.approx(0.6)
    centres[5, 0] = 0.9  # serious in the first three components too: the paper's "does not hold" fails
    m = obs.documentary_serious(_space(centres), g)
    assert not m.reading and m.score == pytest.approx(-0.1)


def test_components_keep_the_chosen_ones():
    points = np.arange(2 * 3 * 5, dtype=float).reshape(2, 3, 5)
    space = latent.LatentPCA(points, np.linspace(0.5, 0.1, 5), ("A", "B", "no condition"))
    first_three = obs.components(space, (0, 1, 2))
    np.testing.assert_array_equal(first_three.points, points[..., :3])
    assert first_three.labels == space.labels and len(first_three.explained) == 3


def test_untrained_reading_counts_the_untrained_models():
    def measures(sil, eta, centre):
        return {
            "clusters_silhouette": obs.Measure(0.0, sil),
            "clusters_eta2": obs.Measure(0.0, eta),
            "unconditioned_centre": obs.Measure(0.0, centre),
        }

    side = obs.SideBySide(measures(True, True, True), [measures(True, False, True), measures(False, False, True)])
    text = obs.untrained_reading(side)
    assert "on 1 of the 2 untrained" in text and "on 0 of them" in text and text.endswith("central condition on 2")


def test_issue_31_declarations():
    declared = claims.CLAIMS
    book = ("multvae_ndcg100", "multvae_recall20", "multvae_recall50", "conditioning_beats_filter")
    for key in (*book, "condition_lift_beyond_shuffled"):
        assert declared[key].kind == "book"  # another paper's numbers, and a comparison the paper does not make
    lift = declared["condition_lifts_genre"]
    assert lift.kind == "paper" and "shuffled genres" in lift.null and "on top" in lift.quote
    beta = declared["best_beta"]
    assert beta.kind == "paper" and isinstance(beta.rule, NotApplicable) and beta.paper == 8e-3
    for key in ("figure3_view_differs", "profiling_first_three", "documentary_serious_figure2_only"):
        assert key in obs.LATENT and key in claims.SHUFFLED_GENRE_NULL

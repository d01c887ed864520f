"""The latent-space measurements of the C-VAE chapter, on hand-made points."""

import numpy as np
import pytest

from replicate.papers.cvae import latent
from replicate.papers.cvae.conditions import Conditions


@pytest.fixture
def pca():
    # 3 users x (genres A, B, C + unconditioned) in 2-D; centroids A (0,0), B (4,0), C (0,3), none (1,1)
    offsets = np.array([[0.1, 0.0], [-0.1, 0.0], [0.0, 0.0]])
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    points = centres[None, :, :] + offsets[:, None, :]
    return latent.LatentPCA(points, np.array([0.6, 0.4]), ("A", "B", "C", latent.UNCONDITIONED_LABEL))


def test_distances_nearest_isolation(pca):
    d = pca.genre_distances()
    assert d[0, 1] == pytest.approx(4) and d[0, 2] == pytest.approx(3) and d[1, 2] == pytest.approx(5)
    assert latent.nearest(d, ("A", "B", "C"), "B", 2) == ["A", "C"]
    np.testing.assert_allclose(latent.isolation(d), [3, 4, 3])


def test_centrality_and_taste_axis(pca):
    # centre of genre centroids = (4/3, 1); distances of A, B, C, none to it
    expected = [np.hypot(4 / 3, 1), np.hypot(8 / 3, 1), np.hypot(4 / 3, 2), np.hypot(1 / 3, 0)]
    np.testing.assert_allclose(latent.centrality(pca), expected)
    np.testing.assert_allclose(latent.taste_axis(pca, ("A",), ("B",)), [1.0, 0.0])
    np.testing.assert_allclose(latent.taste_axis(pca, ("A",), ("B", "C")), np.array([2.0, 1.5]) / 2.5)


def test_eta_and_silhouette_see_clusters(pca):
    assert pca.eta_squared().min() > 0.99
    assert pca.silhouette(sample=100)["all"] > 0.9


def test_cooccurrence_distance_by_hand():
    # movies: 0 A, 1 A+B, 2 B, 3 C
    items = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    d = latent.cooccurrence_distance(Conditions(("A", "B", "C"), items))
    # A and B share 1 of 3 movies: Jaccard 1/3
    assert d[0, 1] == pytest.approx(2 / 3) and d[0, 2] == pytest.approx(1.0) and d[0, 0] == 0
    sub = latent.cooccurrence_distance(Conditions(("A", "B", "C"), items), ("C", "A"))
    assert sub.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_fit_drops_named_conditions():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(20, 4, 6))  # 3 conditions + unconditioned
    fitted = latent.LatentPCA.fit(codes, ("A", "(no genres listed)", "B"), components=2, drop=("(no genres listed)",))
    assert fitted.labels == ("A", "B", latent.UNCONDITIONED_LABEL) and fitted.points.shape == (20, 3, 2)

"""The skeptic's nulls of the C-VAE claims (issue 31, second review): the catalogue C-VAE, the choice of the
strongest null, the genre readings on co-occurrence alone, the popularity null of the multvae_* rows; on hand-made
cases whose values are computed by hand."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from replicate.papers.cvae import claims
from replicate.papers.cvae import measure as obs
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import Conditions


def test_catalogue_model_conditions_are_the_encoders_image_of_each_genre():
    items = np.zeros((6, 2), dtype=np.float32)
    items[[0, 1], 0] = 1.0  # genre A: movies 0, 1
    items[[2, 3, 5], 1] = 1.0  # genre B: movies 2, 3, 5
    model = obs.catalogue_model(6, Conditions(("A", "B"), items), seed=3)
    plain = obs.untrained(6, 2, 3)
    w = plain.encoder.w_items_t.detach()  # (items, hidden)
    expected = torch.stack([(w[0] + w[1]) / np.sqrt(2), (w[2] + w[3] + w[5]) / np.sqrt(3)], dim=1)
    torch.testing.assert_close(model.encoder.w_conditions.detach(), expected)
    torch.testing.assert_close(model.encoder.w_items_t, plain.encoder.w_items_t)  # the rest untouched
    scaled = obs.catalogue_model(6, Conditions(("A", "B"), items), seed=3, scale=3.0)
    torch.testing.assert_close(scaled.encoder.w_conditions.detach(), 3 * expected)
    assert obs.catalogue_seeds(2) == [1002 + j for j in range(claims.CATALOGUE_DRAWS)]


def _side(reading: bool, score: float, key: str = "war_near_drama_romance") -> obs.SideBySide:
    untrained = [{key: obs.Measure(s, False)} for s in (0.5, 1.0)]
    return obs.SideBySide({key: obs.Measure(score, reading)}, untrained)


def test_strongest_null_is_the_one_closest_to_passing():
    key = "war_near_drama_romance"
    fails = _side(False, 5.0)  # score beyond the untrained, reading false
    reads = _side(True, 0.9)  # reading holds, score within the untrained (not learned)
    passes = _side(True, 1.2)
    assert obs.strength(reads, key) == (False, True, pytest.approx(-0.1))
    assert obs.strongest({"a": fails, "b": reads, "c": passes}, key) == "c"
    assert obs.strongest({"a": fails, "b": reads}, key) == "b"
    assert obs.strongest({"a": fails, "b": _side(False, 0.2)}, key) == "a"
    note = obs.null_note({"a": fails, "c": passes}, key, "c")
    assert note.startswith("null (c, the strongest)") and "a: fails (score 5.00)" in note


def test_a_view_the_paper_only_describes_is_read_alone():
    key = claims.READING_ONLY[0]
    side = _side(True, 0.1, key)  # far below the untrained scores, but the reading holds: it holds
    assert side.holds(key) and not side.learned(key)
    assert not _side(True, 0.1).holds("war_near_drama_romance")


def test_stronger_lift_null_has_the_higher_low_end():
    results = {"a": {"effect": (0.05, -0.01, 0.11)}, "b": {"effect": (0.01, 0.002, 0.018)}}
    assert obs.stronger(results) == "b"


def test_null_candidates_by_claim():
    cat = ["catalogue 1000", "catalogue 1001"]
    assert obs.null_candidates("war_near_drama_romance", cat) == ["shuffled genres", *cat]
    assert obs.null_candidates("popular_genres_central", cat) == ["untrained", *cat]
    assert obs.null_candidates("clusters_silhouette", cat) == ["untrained"]
    assert set(obs.null_candidates("figure3_view_differs", cat)) == {"untrained", "shuffled genres", *cat}


def test_pairwise_readings_on_cooccurrence_alone_by_hand():
    """Each genre has two movies of its own; War shares two more with Drama and one with Romance. Jaccard distances:
    War-Drama 1 - 2/7, War-Romance 1 - 1/7, War-Children's and War-Animation 1: the War reading holds, score 7/6."""
    names = "Action Animation Children's Comedy Crime Documentary Drama Fantasy Film-Noir Horror Musical Mystery "
    names = (names + "Romance Sci-Fi Thriller War Western").split()
    items = np.zeros((2 * len(names) + 3, len(names)), dtype=np.float32)
    for j in range(len(names)):
        items[[2 * j, 2 * j + 1], j] = 1.0
    war, drama, romance = (names.index(n) for n in ("War", "Drama", "Romance"))
    shared = 2 * len(names)
    items[[shared, shared + 1], war] = items[[shared, shared + 1], drama] = 1.0
    items[shared + 2, war] = items[shared + 2, romance] = 1.0
    m = obs.cooccurrence_readings(Conditions(tuple(names), items), names)["war_near_drama_romance"]
    assert m.reading and m.score == pytest.approx(7 / 6)
    assert "Drama 0.71, Romance 0.86" in m.detail


def test_popularity_null_scores_by_training_counts():
    train = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0]], dtype=np.float32))
    fold_in = sp.csr_matrix(np.array([[1, 0, 0, 0], [0, 0, 0, 1]], dtype=np.float32))
    s = train_vae.popularity_scores(train, fold_in)
    np.testing.assert_array_equal(s, [[-np.inf, 1, 1, 0], [3, 1, 1, -np.inf]])
    train = sp.random(30, 150, density=0.1, format="csr", random_state=0)
    train.data[:] = 1.0
    fold_in = sp.csr_matrix((2, 150), dtype=np.float32)
    top = int(np.asarray(train.sum(axis=0)).ravel().argmax())
    heldout = sp.csr_matrix(([1.0, 1.0], ([0, 1], [top, top])), shape=(2, 150))
    q = train_vae.quality(train_vae.popularity_scores(train, fold_in), heldout)
    assert q["Recall@20"] == pytest.approx(1.0) and q["nDCG@100"] == pytest.approx(1.0)


def test_profiling_planes_are_the_papers():
    """Figure 2 is PC2-PC5; "the first three principal components" PC1-PC3 (0-based)."""
    assert obs.FIGURE2 == (1, 4) and obs.FIRST_THREE == (0, 1, 2)


def test_profiling_reads_figure_2_and_the_first_three_components_apart():
    """Six genres, six users. The genres' centroids put the light → serious axis on PC5 in Figure 2's plane and on
    PC1 in the first three components. User u likes u + 1 serious and 6 − u light movies (her taste rises with u);
    the unconditioned users' PC5 rises with u (ρ 1 in PC2–PC5), their PC1 falls (ρ −1 in PC1–PC3). A reading on
    the wrong plane flips the sign."""
    names = ("Comedy", "Romance", "Thriller", "Action", "Crime", "Documentary")
    items = np.zeros((12, 6), dtype=np.float32)
    items[:6, 0] = 1.0  # movies 0-5 Comedy (light), 6-11 Thriller (serious)
    items[6:, 2] = 1.0
    history = np.zeros((6, 12), dtype=np.float32)
    for u in range(6):
        history[u, 6 : 7 + u] = 1.0
        history[u, : 6 - u] = 1.0
    points = np.zeros((6, 7, 5))
    points[:, [2, 3, 4], 4] = 1.0  # serious genres up on PC5 and on PC1
    points[:, [2, 3, 4], 0] = 1.0
    points[:, -1, 4] = np.arange(6) / 6  # unconditioned users: PC5 with their taste, PC1 against it
    points[:, -1, 0] = -np.arange(6) / 6
    space = obs.latent.LatentPCA(points, np.full(5, 0.2), (*names, "no condition"))
    out = obs.profiling_readings(
        space, sp.csr_matrix(history), Conditions(names, items), {x: x for x in names}, claims.THRESHOLDS
    )
    assert out["profiling_axis"].score == pytest.approx(1.0) and out["profiling_axis"].reading
    assert out["profiling_first_three"].score == pytest.approx(-1.0) and not out["profiling_first_three"].reading

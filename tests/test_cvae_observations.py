"""The C-VAE observation helpers and the data facts, on hand-made cases."""

import numpy as np
import pytest

from replicate.papers.cvae import latent
from replicate.papers.cvae import measure as obs
from replicate.papers.cvae.claims import THRESHOLDS
from replicate.papers.cvae.conditions import Conditions, cogenres, genre_counts


def test_closeness_and_farness_by_hand():
    # three genres on a line at 0, 1, 3: pairs (0,1)=1, (1,2)=2, (0,2)=3
    x = np.array([[0.0], [1.0], [3.0]])
    d = np.abs(x - x.T)
    close = obs._closeness(d)
    assert close[0, 1] == pytest.approx(2 / 3) and close[1, 2] == pytest.approx(1 / 3) and close[0, 2] == 0
    assert obs._farness(d, 0, 2) == 1.0 and obs._farness(d, 0, 1) == 0.0


def test_best_plane_finds_the_plane_where_pairs_meet():
    # 4 genres in 3 components: A and B coincide on components 1 and 3 only
    centres = np.array([[0.0, 0.0, 0.0], [0.0, 5.0, 0.0], [3.0, 1.0, 4.0], [-3.0, 2.0, -4.0], [0.0, 0.0, 0.0]])
    space = latent.LatentPCA(centres[None], np.ones(3) / 3, ("A", "B", "C", "D", latent.UNCONDITIONED_LABEL))
    plane, mean_close, values, _ = obs._best_plane(space, [("A", "B")])
    assert plane == (0, 2) and values == [pytest.approx(5 / 6)]  # the pair itself is one of the six pairs


def test_data_facts_and_cogenres():
    names = ("Action", "Comedy", "Drama", "Film-Noir", "IMAX", "War", "Western", "(no genres listed)")
    rows = [
        [1, 0, 0, 0, 1, 0, 0, 0],
        [1, 0, 0, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 0, 0, 0],
        [0, 0, 1, 0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0, 0, 1, 0],
        [0, 0, 0, 1, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 0, 1],
        [0, 1, 1, 0, 0, 1, 0, 0],
    ]
    conditions = Conditions(names, np.array(rows, dtype=np.float32))
    counts = genre_counts(conditions)
    assert list(counts.index[:2]) == ["Drama", "Comedy"] and counts["Film-Noir"] == 1
    co = cogenres(conditions, "IMAX")
    assert co.index[0] == "Action" and co["Action"] == 2 and "IMAX" not in co.index
    facts = obs.data_facts(conditions)
    assert facts["genres_drama_comedy_most_common"][0] is True
    assert facts["film_noir_least_common"][0] is True
    assert facts["imax_neutral_least_common"][0] is False  # IMAX has 2 movies; the three least common have 1
    without = Conditions(names[:4], np.array(rows, dtype=np.float32)[:, :4])
    assert obs.data_facts(without)["imax_action_adventure_scifi"][0] is None


def test_neutral_far_on_pc1_by_hand():
    centres = np.array([[0.0, 0], [1, 0], [-1, 0], [9, 0], [0, 0]])
    space = latent.LatentPCA(centres[None], np.ones(2) / 2, ("A", "B", "C", "(no genres listed)", "no condition"))
    m = obs.neutral_far_on_pc1(space)
    assert m.reading and m.score == pytest.approx(9.0)


def test_unknown_genre_names_the_conditions():
    ctx = obs.Context(Conditions(("A",), np.ones((1, 1), dtype=np.float32)), None)
    assert ctx.name("Children's", ("Children", "A")) == "Children"
    with pytest.raises(KeyError, match="not among the conditions"):
        ctx.name("Horror", ("A",))


def test_taste_distance_puts_genres_liked_by_the_same_users_close():
    import scipy.sparse as sp

    # items: 0, 1 are A; 2 is B; 3 is C. Users who like A also like B; C is liked by the others
    items = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    conditions = Conditions(("A", "B", "C"), items)
    history = sp.csr_matrix(np.array([[1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 1]], np.float32))
    d = latent.taste_distance(history, conditions)
    assert d[0, 1] < d[0, 2] and d[0, 1] < d[1, 2] and np.allclose(np.diag(d), 0)


class _Side:
    def __init__(self, holds):
        self.trained = dict.fromkeys(holds)
        self._holds = holds

    def holds(self, key):
        return self._holds[key]


def test_missed_in_data_counts_the_misses_the_data_lacks_too_and_fails_when_the_data_shows_them():
    from replicate.core.claims import AtLeast

    side = _Side({k: k == "horror_between" for k in obs.IN_DATA})  # the model misses every relation but one
    absent = {k: obs.Measure(0.0, False) for k in obs.IN_DATA}
    share, note = obs.missed_in_data(side, absent)
    assert share == 1.0 and "horror_between" not in note
    assert AtLeast(0.5).verdict(None, share) == "replicated"
    # the null: the users' tastes show every relation the model misses, so the data is not the cause
    shown = {k: obs.Measure(1.0, True) for k in obs.IN_DATA}
    share, _ = obs.missed_in_data(side, shown)
    assert share == 0.0 and AtLeast(0.5).verdict(None, share) == "not replicated"
    assert obs.missed_in_data(_Side(dict.fromkeys(obs.IN_DATA, True)), shown)[0] is None


def test_taste_centre_distance_ranks_genres_as_their_distance_from_the_centroid_of_standardised_columns():
    rng = np.random.default_rng(0)
    shares = rng.random((200, 6)) ** np.arange(1, 7)  # columns of unequal spread and correlation
    z = (shares - shares.mean(axis=0)) / shares.std(axis=0)
    d = 1.0 - np.corrcoef(shares.T)
    np.fill_diagonal(d, 0.0)
    from_centroid = np.linalg.norm(z - z.mean(axis=1, keepdims=True), axis=0)
    assert np.array_equal(np.argsort(obs.taste_centre_distance(d)), np.argsort(from_centroid))


def test_popular_central_and_offside_on_hand_made_radii():
    names = ("Action", "Musical", "Documentary", "Drama", "Comedy", "Horror")
    # genre k has 6 - k movies: Action the most popular, Horror the least
    items = np.zeros((21, 6), np.float32)
    row = 0
    for k in range(6):
        items[row : row + 6 - k, k] = 1
        row += 6 - k
    conditions = Conditions(names, items)
    g = {n: n for n in names}
    th = THRESHOLDS
    assert obs.popular_central(np.arange(6.0), conditions, names, th).reading  # popular = central
    assert not obs.popular_central(np.arange(6.0)[::-1], conditions, names, th).reading  # the null: reversed
    assert obs.offside(np.array([5.0, 4, 3, 0, 1, 2]), names, g, th).reading  # the three are the farthest
    assert not obs.offside(np.array([0.0, 1, 2, 5, 4, 3]), names, g, th).reading  # the three are the nearest

"""Null models for the data chapter's checks of the film join: the same measurement and rule as the notebook
(``notebooks/data.py``), on a join that should fail them, must not pass."""

import numpy as np
import pytest

from replicate import data
from replicate.core.claims import AtLeast, Holds
from replicate.data import films
from replicate.stats import wilson_interval

ROUGH = {"ml-1m": (3_042, 2_931), "ml-100k": (1_353, 1_309)}  # the notebook's bounds: the rough join's counts
MIN_AGREEMENT = 0.9  # the notebook's bound for the genre agreement of the added matches

# a few of the notebook's expectations (the paper's movies and people)
PAPER_MOVIES = {
    "Gladiator (2000)": [("actor", "Russell Crowe", True), ("director", "Ridley Scott", True)],
    "Rear Window (1954)": [("director", "Alfred Hitchcock", True)],
    "Casablanca (1942)": [("actor", "Humphrey Bogart", True), ("actor", "Joseph Cotten", False)],
}


@pytest.fixture(scope="module")
def table():
    data.fetch("films")
    return films.load_table()


@pytest.mark.parametrize("name", ["ml-1m", "ml-100k"])
def test_a_naive_join_fails_the_coverage_checks(name, table, request):
    dataset = request.getfixturevalue(name.replace("-", ""))
    naive = films.naive_match(dataset, table=table)
    matched, with_cast = ROUGH[name]
    assert AtLeast(matched).verdict(matched, len(naive)) == "not replicated"
    assert AtLeast(with_cast).verdict(with_cast, int((naive["n_cast"] > 0).sum())) == "not replicated"
    careful = films.summary(dataset, table=table)
    assert AtLeast(matched).verdict(matched, careful["matched"]) == "replicated"


def test_a_random_join_fails_the_genre_check(ml1m, table):
    joined = films.match(ml1m, table=table)
    naive_items = films.naive_match(ml1m, table=table)["item"]
    for seed in range(3):
        random_join = films.shuffled(joined, np.random.default_rng(seed))
        added = random_join[~random_join["item"].isin(naive_items)]  # as in the notebook: the added matches
        share, n = films.genre_agreement(ml1m, added, table=table)
        verdict = AtLeast(MIN_AGREEMENT).verdict(MIN_AGREEMENT, share, interval=wilson_interval(share, n))
        assert verdict == "not replicated", (seed, share)


def test_a_random_join_fails_the_paper_movies_check(ml1m, table):
    joined = films.match(ml1m, table=table)
    checks = films.expected_people(ml1m, PAPER_MOVIES, films.people_of(joined, table))
    assert Holds().verdict(True, bool(checks["ok"].all())) == "replicated"
    for seed in range(3):
        random_join = films.shuffled(joined, np.random.default_rng(seed))
        checks = films.expected_people(ml1m, PAPER_MOVIES, films.people_of(random_join, table))
        assert Holds().verdict(True, bool(checks["ok"].all())) == "not replicated"

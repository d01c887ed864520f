"""The data chapter's declarations (``replicate/data/claims.py``) and the measurements its checks and their nulls
share, on hand-made joins whose answers are computed by hand: the genre agreement, the shuffled join and the named
people. The nulls themselves are measured in the chapter's run (its reference stores them beside ours)."""

import numpy as np
import pandas as pd
import pytest
from test_data_films import hand_dataset, write_table

from replicate import paths
from replicate.core.chapter import declaration
from replicate.data import films
from replicate.data.claims import CLAIMS, MIN_AGREEMENT, ROUGH
from replicate.data.types import Dataset


def test_the_notebook_records_what_the_module_declares():
    declared = declaration(paths.NOTEBOOKS / "data.py")
    assert declared["claims_module"] == "replicate.data.claims" and declared["claims"] == list(CLAIMS)


def test_the_data_chapter_holds_facts_and_book_checks_only():
    # no paper of its own: the READMEs' counts and what the papers say of their data are facts, not results
    assert {c.kind for c in CLAIMS.values()} == {"fact", "book"}
    counts = [i for i in CLAIMS if i.startswith(("ml100k_", "ml1m_", "reconet_", "emde_"))]
    assert len(counts) == 10 and all(CLAIMS[i].kind == "fact" for i in counts)
    assert CLAIMS["cvae_top_genres"].same_as == "cvae:genres_drama_comedy_most_common"
    assert CLAIMS["cvae_film_noir_rarest"].same_as == "cvae:film_noir_least_common"
    # every check of the join has a null, measured in the run
    books = [c for c in CLAIMS.values() if c.kind == "book"]
    assert len(books) == 6 and all(c.null and c.needs_null for c in books)
    for name, (matched, with_cast) in ROUGH.items():
        stem = name.replace("-", "")
        assert CLAIMS[f"films_{stem}_matched"].rule.bound == CLAIMS[f"films_{stem}_matched"].paper == matched
        assert CLAIMS[f"films_{stem}_with_cast"].rule.bound == with_cast
    assert CLAIMS["films_added_genre_agreement"].rule.bound == MIN_AGREEMENT


# ---------------------------------------------------------------- measurements, on hand-made joins

# (ID, Title, Year, Genre, Director, Writer, Cast)
GENRE_FILMS = [
    (1, "Comedy Film", 1990, "Drama", "D1", "", "Actor One"),  # shares Drama with (Comedy, Drama)
    (2, "Noir Film", 1950, "Crime", "D2", "", "Actor Two"),  # Film-Noir agrees with Crime
    (3, "Family Film", 1995, "Family", "D3", "", "Actor Three"),  # Children's agrees with Family
    (4, "War Film", 1970, "War", "D4", "", "Actor Four"),  # disagrees with Horror
    (5, "Untyped Film", 1980, "", "D5", "", "Actor Five"),  # no genres: not counted
]
GENRES = [("Comedy", "Drama"), ("Film-Noir",), ("Children's",), ("Horror",), ("Drama",)]


@pytest.fixture
def genre_case(tmp_path):
    table = films.load_table(path=write_table(tmp_path / "movies.db", GENRE_FILMS))
    dataset = hand_dataset(tuple(f"{t} ({y})" for _, t, y, *_ in GENRE_FILMS))
    dataset.items["genres"] = GENRES
    joined = films.match(dataset, table=table)
    return dataset, table, joined


def test_genre_agreement_by_hand(genre_case):
    dataset, table, joined = genre_case
    assert joined["film"].tolist() == [1, 2, 3, 4, 5]
    share, n = films.genre_agreement(dataset, joined, table=table)
    assert n == 4 and share == pytest.approx(3 / 4)  # any shared genre, with the equivalents; film 5 has none
    # a join that deals the same films out otherwise: the same function on the same movies
    swapped = joined.assign(film=[2, 1, 4, 3, 5])
    share, n = films.genre_agreement(dataset, swapped, table=table)
    assert n == 4 and share == pytest.approx(0.0)
    subset = joined[joined["item"].isin([0, 3])]  # the notebook restricts to the added movies this way
    assert films.genre_agreement(dataset, subset, table=table) == (pytest.approx(0.5), 2)


def test_shuffled_deals_the_same_films_to_the_same_movies():
    joined = pd.DataFrame({"item": np.arange(50), "film": np.arange(100, 150), "n_cast": np.ones(50, int)})
    shuffled = films.shuffled(joined, np.random.default_rng(0))
    assert shuffled["item"].tolist() == joined["item"].tolist()
    assert sorted(shuffled["film"]) == sorted(joined["film"]) and (shuffled["film"] != joined["film"]).mean() > 0.9
    assert joined["film"].tolist() == list(range(100, 150))  # the join itself is left alone
    again = films.shuffled(joined, np.random.default_rng(0))
    assert again["film"].tolist() == shuffled["film"].tolist()


def test_named_people_follow_the_join(genre_case):
    dataset, table, joined = genre_case
    expectations = {"Noir Film (1950)": [("actor", "Actor Two", True), ("director", "D2", True)]}
    right = films.expected_people(dataset, expectations, films.people_of(joined, table))
    assert right["ok"].tolist() == [True, True]
    swapped = joined.assign(film=[2, 1, 4, 3, 5])
    wrong = films.expected_people(dataset, expectations, films.people_of(swapped, table))
    assert wrong["found"].tolist() == [False, False] and not wrong["ok"].any()
    absent = {"Noir Film (1950)": [("actor", "Actor One", False)]}  # an absence holds on the right join only
    assert films.expected_people(dataset, absent, films.people_of(joined, table))["ok"].all()
    assert not films.expected_people(dataset, absent, films.people_of(swapped, table))["ok"].any()


def test_naive_match_counts_exact_titles_and_years_only(tmp_path):
    table = films.load_table(path=write_table(tmp_path / "movies.db", GENRE_FILMS))
    dataset: Dataset = hand_dataset(("Comedy Film (1990)", "Noir Film (1951)", "Family Film, The (1995)"))
    naive = films.naive_match(dataset, table=table)
    careful = films.match(dataset, table=table)
    # one year off and a trailing article: the careful join only (the null of the coverage checks is the naive one)
    assert naive["item"].tolist() == [0] and careful["item"].tolist() == [0, 1, 2]
    assert int((naive["n_cast"] > 0).sum()) == 1 and int((careful["n_cast"] > 0).sum()) == 3

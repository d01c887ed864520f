"""The Wikidata film table and its join to MovieLens: a hand-made table and dataset for every title form, ties, the
year tolerance and misses; the real table for coverage and the paper's movies; bad input."""

import sqlite3

import numpy as np
import pandas as pd
import pytest

from replicate import data
from replicate.data import embedded, films
from replicate.data.claims import ROUGH
from replicate.data.types import Dataset
from replicate.errors import DatasetError

OMDB = [
    "ID",
    "imdbID",
    "Title",
    "Year",
    "Genre",
    "Director",
    "Writer",
    "Cast",
    "Language",
    "Country",
    "Runtime",
    "Rating",
    "Oscars",
]

# (ID, Title, Year, Genre, Director, Writer, Cast): the hand-made table
FILMS = [
    (10, "The Usual Suspects", 1995, "Crime, Thriller", "Bryan Singer", "C. McQuarrie", "Gabriel Byrne, Kevin Spacey"),
    (11, "Se7en", 1995, "Crime", "David Fincher", "Andrew Kevin Walker", "Brad Pitt, Morgan Freeman"),
    (12, "Amélie", 2001, "Comedy, Romance", "Jean-Pierre Jeunet", None, "Audrey Tautou"),
    (13, "Romeo and Juliet", 1968, "Drama, Romance", "Franco Zeffirelli", "", "Leonard Whiting, Olivia Hussey"),
    (14, "La Haine", 1995, "Drama", "Mathieu Kassovitz", "Mathieu Kassovitz", "Vincent Cassel"),
    (15, "Das Boot", 1981, "War", "Wolfgang Petersen", "", "Jürgen Prochnow"),
    (16, "Heat", 1996, "Crime", "Michael Mann", "Michael Mann", "Al Pacino, Robert De Niro"),
    (17, "Hamlet", 1990, "Drama", "Franco Zeffirelli", "", "Mel Gibson"),
    (18, "Hamlet", 1991, "Drama", "Someone Else", "", "An Actor, Another Actor, Third Actor"),
    (19, "Noise", 2007, "Drama", "Henry Bean", "", "Tim Robbins"),
    (20, "Noise", 2007, "Drama", "Matthew Saville", "", "Brendan Cowell, Maia Thomas"),
    (21, "Twin", 2005, "Drama", "A", "", "One Actor"),
    (22, "Twin", 2005, "Drama", "B", "", "Two Actor"),
    (23, "Fear", 1996, "Thriller", "James Foley", "", "Mark Wahlberg"),
    (24, "Two Moon Junction", 1988, "Drama", "Zalman King", "", "Sherilyn Fenn"),
    (25, "Puppet Masters", 1994, "Sci-Fi", "Stuart Orme", "", "Donald Sutherland"),
    (26, "National Lampoon's Christmas Vacation", 1989, "Comedy", "Jeremiah Chechik", "John Hughes", "Chevy Chase"),
    (27, "Star Wars: Episode IV – A New Hope", 1977, "Sci-Fi", "George Lucas", "George Lucas", "Mark Hamill"),
    (28, "Léon: The Professional", 1994, "Crime", "Luc Besson", "Luc Besson", "Jean Reno"),
    (29, "Faust (2011 film)", 2011, "Drama", "Aleksandr Sokurov", "", "Johannes Zeiler"),
    (30, "Old Film", 1941, "Drama", "Nobody", "", ""),
    (31, "Star Trek II: The Wrath of Khan", 1982, "Sci-Fi", "Nicholas Meyer", "", "William Shatner"),
    (32, "Romeo + Juliet", 1996, "Drama", "Baz Luhrmann", "", "Leonardo DiCaprio"),
]

# title as MovieLens writes it -> (film it must match, step) or None for a miss
EXPECTED = {
    "Usual Suspects, The (1995)": (10, "title"),
    "Seven (Se7en) (1995)": (11, "alternative title"),
    "Amelie (2001)": (12, "title"),
    "Romeo & Juliet (1968)": (13, "title"),
    "Hate (Haine, La) (1995)": (14, "alternative title"),
    "Boot, Das (1981)": (15, "title"),
    "Heat (1995)": (16, "title"),  # one year off
    "Hamlet (1990)": (17, "title"),  # the exact year wins over the longer cast one year off
    "Noise (2007)": (20, "title"),  # one title, one year: the longer cast wins
    "Twin (2005)": (21, "title"),  # and then the smaller ID
    "Fear, The (1995)": None,  # one year off with another article: not the same film
    "Two Moon Juction (1988)": (24, "similar title"),  # MovieLens's typo
    "Puppet Master 4 (1993)": None,  # alike, but its number differs
    "Christmas Vacation (1989)": (26, "short title"),
    "Star Wars (1977)": (27, "short title"),
    "Professional, The (a.k.a. Leon: The Professional) (1994)": (28, "alternative title"),
    "Faust (2011)": (29, "title"),
    "Star Trek: The Wrath of Khan (1982)": (31, "short title"),  # the parts after the colons agree
    "William Shakespeare's Romeo and Juliet (1996)": (32, "short title"),  # a possessive, and "+" for "and"
    "Early Film (1940)": None,
    "Nowhere Film (1995)": None,
    "Before Sound (1930)": None,
    "Old Film (1944)": None,  # the title exists, three years away
    "No Year Film": None,
}


def write_table(path, rows=FILMS):
    with sqlite3.connect(path) as connection:
        columns = ", ".join(f'"{c}"' for c in OMDB)
        connection.execute(f'CREATE TABLE "omdb" ({columns})')
        for film, title, year, genre, director, writer, cast in rows:
            values = (film, f"tt{film}", title, year, genre, director, writer, cast, "English", "US", 100.0, "", 0)
            connection.execute(f'INSERT INTO "omdb" VALUES ({", ".join("?" * len(OMDB))})', values)
    return path


def hand_dataset(titles=tuple(EXPECTED)) -> Dataset:
    years = [films._TRAILING_YEAR.search(t) for t in titles]
    items = pd.DataFrame(
        {
            "original_id": list(titles),
            "title": list(titles),
            "year": pd.array([int(m.group(1)) if m else None for m in years], dtype="Int64"),
            "genres": [("Drama",)] * len(titles),
        },
        index=pd.Index(np.arange(len(titles)), name="item"),
    )
    ratings = pd.DataFrame({"user": [0], "item": [0], "rating": [4.0], "timestamp": [0]})
    users = pd.DataFrame({"original_id": [1]}, index=pd.Index([0], name="user"))
    return Dataset(name="hand-made", ratings=ratings, items=items, users=users, source="test")


@pytest.fixture
def table(tmp_path):
    return films.load_table(path=write_table(tmp_path / "movies.db"))


def test_hand_made_join_covers_every_title_form(table):
    dataset = hand_dataset()
    joined = films.match(dataset, table=table).set_index("title")
    for title, expected in EXPECTED.items():
        if expected is None:
            assert title not in joined.index, f"{title} should match nothing, got {joined.loc[title, 'film_title']}"
        else:
            assert title in joined.index, f"{title} should match film {expected[0]}"
            assert (joined.loc[title, "film"], joined.loc[title, "how"]) == expected, title
    assert joined.loc["Heat (1995)", "year_diff"] == 1 and joined.loc["Hamlet (1990)", "year_diff"] == 0


def test_ties_do_not_depend_on_the_table_order(tmp_path):
    forward = films.load_table(path=write_table(tmp_path / "a.db"))
    backward = films.load_table(path=write_table(tmp_path / "b.db", rows=FILMS[::-1]))
    dataset = hand_dataset()
    pd.testing.assert_frame_equal(films.match(dataset, table=forward), films.match(dataset, table=backward))


def test_unmatched_gives_a_reason(table):
    reasons = films.unmatched(hand_dataset(), table=table).set_index("title")["reason"]
    assert reasons["Nowhere Film (1995)"] == "no title within a year"
    assert reasons["Before Sound (1930)"] == "before the table's years"
    assert reasons["No Year Film"] == "no year"
    assert reasons["Early Film (1940)"] == "before the table's years"  # the hand-made table starts in 1941
    matched = films.match(hand_dataset(), table=table)
    assert len(reasons) + len(matched) == len(EXPECTED)


def test_table_lists_and_people(table):
    assert table.loc[10, "cast"] == ("Gabriel Byrne", "Kevin Spacey")
    assert table.loc[12, "writers"] == () and table.loc[13, "writers"] == () and table.loc[30, "cast"] == ()
    assert table.loc[10, "genres"] == ("Crime", "Thriller") and table["year"].dtype == "Int64"
    dataset = hand_dataset(("Usual Suspects, The (1995)", "Amelie (2001)", "Old Film (1941)"))
    people = films.people(dataset, table=table)
    assert list(people.columns) == ["item", "role", "name"]
    suspects = people[people["item"] == 0]
    assert suspects.values.tolist() == [
        [0, "actor", "Gabriel Byrne"],
        [0, "actor", "Kevin Spacey"],
        [0, "director", "Bryan Singer"],
        [0, "writer", "C. McQuarrie"],
    ]
    assert set(people.loc[people["item"] == 1, "role"]) == {"actor", "director"}  # no writer listed
    assert set(people.loc[people["item"] == 2, "role"]) == {"director"}  # no cast listed
    assert set(films.people(dataset, table=table, roles=("director",))["role"]) == {"director"}


def test_coverage_per_decade(table):
    coverage = films.coverage(hand_dataset(), table=table)
    assert coverage["movies"].sum() == len(EXPECTED)
    assert coverage["matched"].sum() == sum(v is not None for v in EXPECTED.values())
    assert coverage.loc[1990, "movies"] == sum(" (199" in t for t in EXPECTED)
    assert (coverage["with_cast"] <= coverage["matched"]).all() and coverage.loc[1930, "matched"] == 0


def test_title_keys():
    assert films.key("Usual Suspects, The") == films.key("The Usual Suspects") == "usual suspects"
    assert films.key("Amélie") == films.key("AMELIE") and films.key("Romeo & Juliet") == films.key("Romeo and Juliet")
    assert films.key("Three Colors: Red") == films.key("Three Colours: Red")
    assert films.key("Godfather: Part II") == films.key("The Godfather Part 2")
    assert films.split_title("Old Lady Who Walked in the Sea, The (Vieille qui marchait dans la mer, La) (1991)") == (
        "Old Lady Who Walked in the Sea, The",
        ["Vieille qui marchait dans la mer, La"],
    )
    assert films.split_title("Faust (2011 film)") == ("Faust", [])
    assert films.article("Boys, Les (1997)") == "les" and films.article("Fear") == ""


def test_genre_agreement_and_its_null(table):
    dataset = hand_dataset(("Usual Suspects, The (1995)", "Seven (Se7en) (1995)", "Hate (Haine, La) (1995)"))
    share, n = films.genre_agreement(dataset, table=table)
    assert n == 3 and share == pytest.approx(1 / 3)  # only La Haine is a drama


def test_expected_people_flags_absence_and_typos(table):
    dataset = hand_dataset(("Usual Suspects, The (1995)",))
    named = films.people(dataset, table=table)
    checks = films.expected_people(
        dataset, {"Usual Suspects, The (1995)": [("actor", "Kevin Spacey", True), ("actor", "Brad Pitt", False)]}, named
    )
    assert checks["ok"].all()
    with pytest.raises(DatasetError, match="no movie titled"):
        films.expected_people(dataset, {"Usual Suspects (1995)": [("actor", "Kevin Spacey", True)]}, named)


# ---------------------------------------------------------------- the real table


@pytest.fixture(scope="session")
def real_table():
    data.fetch("films")
    return films.load_table()


def test_real_table(real_table):
    assert len(real_table) == 17_472 and real_table.index.is_unique
    assert (int(real_table["year"].min()), int(real_table["year"].max())) == (1940, 2014)
    assert real_table["cast"].map(len).gt(0).mean() > 0.85


@pytest.mark.parametrize("name", sorted(ROUGH))
def test_real_coverage_beats_the_rough_rule(name, real_table, request):
    rough_matched, rough_cast = ROUGH[name]  # the bounds the chapter declares
    dataset = request.getfixturevalue(name.replace("-", ""))
    summary = films.summary(dataset, table=real_table)
    # the careful join finds at least 4 % more than the rough rule of the reference facts
    assert summary["matched"] >= 1.04 * rough_matched and summary["with cast"] >= 1.04 * rough_cast, summary
    coverage = films.coverage(dataset, table=real_table)
    assert coverage["movies"].sum() == dataset.n_items and coverage["matched"].sum() == summary["matched"]
    assert coverage.loc[coverage.index < 1930, "matched"].sum() == 0  # the table starts in 1940
    share, n = films.genre_agreement(dataset, table=real_table)
    assert share > 0.9 and n > 0.95 * summary["matched"]


PAPER_MOVIES = {
    "Gladiator (2000)": [
        ("actor", "Russell Crowe", True),
        ("actor", "Joaquin Phoenix", True),
        ("director", "Ridley Scott", True),
    ],
    "Fight Club (1999)": [("actor", "Edward Norton", True), ("actor", "Brad Pitt", True)],
    "Rear Window (1954)": [
        ("actor", "Alfred Hitchcock", True),
        ("director", "Alfred Hitchcock", True),
        ("actor", "James Stewart", True),
    ],
    "Apollo 13 (1995)": [("actor", "Tom Hanks", True), ("director", "Ron Howard", True)],
    "Casablanca (1942)": [("actor", "Humphrey Bogart", True), ("actor", "Joseph Cotten", False)],
    "Schindler's List (1993)": [("actor", "Liam Neeson", True), ("director", "Steven Spielberg", True)],
    "Braveheart (1995)": [("actor", "Mel Gibson", True), ("director", "Mel Gibson", True)],
    "Men in Black (1997)": [("actor", "Will Smith", True), ("actor", "Tommy Lee Jones", True)],
}


def test_paper_movies_in_ml1m_with_their_people(ml1m, real_table):
    named = films.people(ml1m, table=real_table)
    checks = films.expected_people(ml1m, PAPER_MOVIES, named)
    assert checks["ok"].all(), checks[~checks["ok"]]
    assert films.people(ml1m).equals(named)  # the table read from the data cache is the same
    cotten = named[(named["role"] == "actor") & (named["name"] == "Joseph Cotten")]
    assert cotten["item"].nunique() > 5  # he is in the table, only not in Casablanca


def test_real_join_is_deterministic(ml1m, real_table):
    first = films.match(ml1m, table=real_table)
    films._MATCH_CACHE.clear()
    films._KEYS_CACHE.clear()
    pd.testing.assert_frame_equal(first, films.match(ml1m, table=real_table))


# ---------------------------------------------------------------- bad input


def test_missing_table_names_the_fetch_command(tmp_path):
    with pytest.raises(DatasetError, match=rf"run `python -m replicate fetch films --data-dir {tmp_path}`"):
        films.load_table(data_dir=tmp_path)


def test_corrupt_table_names_its_path(tmp_path, real_table):
    target = tmp_path / "films" / "movies.db"
    target.parent.mkdir()
    target.write_bytes(films.table_path().read_bytes()[:4096])
    with pytest.raises(DatasetError) as error:
        films.load_table(data_dir=tmp_path)
    assert str(target) in str(error.value) and f"fetch films --data-dir {tmp_path} --force" in str(error.value)


def test_unreadable_or_wrong_file_by_path(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DatasetError, match=str(junk)):
        films.load_table(path=junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE something (x)")
    with pytest.raises(DatasetError, match="no such table"):
        films.load_table(path=other)
    assert junk.read_bytes() == b"not a database at all" * 100  # read-only: nothing written
    with pytest.raises(DatasetError, match="no film table at"):
        films.load_table(path=tmp_path / "absent.db")


def test_bad_arguments(table):
    with pytest.raises(DatasetError, match="no rating dataset"):
        data.load("films")
    with pytest.raises(DatasetError, match="unknown roles"):
        films.people(hand_dataset(), table=table, roles=("producer",))
    with pytest.raises(DatasetError, match="must be a Dataset"):
        films.match(42, table=table)
    with pytest.raises(DatasetError, match="lacks the columns"):
        films.match(hand_dataset(), table=pd.DataFrame({"title": []}))


def test_films_is_fetchable_and_pinned():
    spec = embedded.EMBEDDED["films"]
    assert spec.requirement == "bokeh-sampledata==2026.1" and spec.member_prefix == "bokeh_sampledata/_data/"
    assert spec.fetch_command == "python -m replicate fetch films"
    assert embedded.is_cached(spec)  # the real table was fetched into the shared cache


def test_failed_films_fetch_leaves_nothing(tmp_path):
    def fake_download(spec, into):
        into.mkdir(parents=True)
        wheel = into / "bokeh_sampledata-2026.1-py3-none-any.whl"
        wheel.write_bytes(b"not the wheel")
        return wheel

    with pytest.raises(DatasetError, match="does not match its pinned sha256"):
        embedded.fetch("films", data_dir=tmp_path, downloader=fake_download)
    assert not (tmp_path / "films").exists() and not any(tmp_path.glob(".fetch-*"))


def test_ml20m_layout_by_path_gets_people(tmp_path, real_table):
    movies = pd.DataFrame(
        {
            "movieId": [1, 2, 3, 4],
            "title": ["Gladiator (2000)", "Fight Club (1999)", "Postman, The (Postino, Il) (1994) ", "Nowhere (1888)"],
            "genres": ["Action|Drama", "Drama", "Comedy|Drama|Romance", "(no genres listed)"],
        }
    )
    movies.to_csv(tmp_path / "movies.csv", index=False)
    ratings = pd.DataFrame(
        {"userId": [1, 1, 2], "movieId": [1, 2, 3], "rating": [5.0, 4.0, 3.0], "timestamp": [1, 2, 3]}
    )
    ratings.to_csv(tmp_path / "ratings.csv", index=False)
    ml20m = data.load("ml-20m", path=tmp_path)
    joined = films.match(ml20m, table=real_table).set_index("item")
    assert sorted(joined["film_title"]) == ["Fight Club", "Gladiator", "Il Postino: The Postman"]
    named = films.people(ml20m, table=real_table)
    assert "Russell Crowe" in set(named.loc[named["item"] == 0, "name"])
    assert films.unmatched(ml20m, table=real_table)["reason"].tolist() == ["before the table's years"]


def test_details_per_matched_movie(table):
    dataset = hand_dataset(("Usual Suspects, The (1995)", "Nowhere Film (1995)"))
    found = films.details(dataset, table=table)
    assert list(found.index) == [0] and found.loc[0, "film"] == 10
    assert found.loc[0, "languages"] == ("English",) and found.loc[0, "countries"] == ("US",)

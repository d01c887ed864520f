"""Loaders: synthetic fixtures, the real cached files, and the GroupLens layouts on small hand-made files."""

import numpy as np
import pandas as pd

from replicate import data
from replicate.data.types import AGE_GROUPS, age_group


def assert_well_formed(d):
    r = d.ratings
    assert list(r.columns) == ["user", "item", "rating", "timestamp"]
    assert r["user"].between(0, d.n_users - 1).all() and r["item"].between(0, d.n_items - 1).all()
    assert list(d.users.index) == list(range(d.n_users)) and list(d.items.index) == list(range(d.n_items))
    assert list(d.items.columns) == ["original_id", "title", "year", "genres"]
    assert list(d.users.columns) == ["original_id", "age", "age_group", "gender", "occupation"]
    assert all(isinstance(g, tuple) for g in d.items["genres"])
    assert not r.duplicated(["user", "item", "timestamp"]).any()
    assert r.equals(r.sort_values(["user", "timestamp", "item"], kind="stable").reset_index(drop=True))


def test_age_groups():
    assert age_group(17) == "Under 18" and age_group(18) == "18-24" and age_group(56) == "56+"
    assert age_group(49) == "45-49" and age_group(None) is None
    assert [age_group(code) for code in AGE_GROUPS] == list(AGE_GROUPS.values())


def test_synthetic_shape_and_determinism():
    a, b = data.load("synthetic"), data.make_synthetic()
    assert_well_formed(a)
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    assert a.n_users == 60 and a.n_items == 40
    assert set(a.ratings["rating"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert a.kg is not None and set(a.kg.relations) == {"actor", "director"}
    assert a.kg.entities["label"].is_unique
    other = data.make_synthetic(seed=1)
    assert not other.ratings.equals(a.ratings)


def test_interactions_and_genre_matrix():
    d = data.make_synthetic()
    x = d.interactions()
    assert x.shape == (d.n_users, d.n_items) and x.nnz == d.n_ratings
    liked = d.interactions(min_rating=4)
    assert liked.nnz == int((d.ratings["rating"] >= 4).sum())
    g = d.genre_matrix()
    assert g.shape == (d.n_items, len(d.genres))
    assert g.sum(axis=1).tolist() == [float(len(gs)) for gs in d.items["genres"]]


def test_subset_users_reindexes():
    d = data.make_synthetic()
    sub = d.subset_users([5, 2, 9])
    assert sub.n_users == 3 and sorted(sub.ratings["user"].unique()) == [0, 1, 2]
    assert sub.users["original_id"].tolist() == [3, 6, 10]
    assert sub.n_ratings == int(d.ratings["user"].isin([2, 5, 9]).sum())


def test_ml100k_real(ml100k):
    assert_well_formed(ml100k)
    assert (ml100k.n_users, ml100k.n_items, ml100k.n_ratings) == (943, 1682, 100_000)
    assert ml100k.items.loc[0, "title"] == "Toy Story (1995)" and ml100k.items.loc[0, "year"] == 1995
    assert ml100k.items.loc[0, "genres"] == ("Animation", "Children's", "Comedy")
    assert len(ml100k.genres) == 19  # 18 genres and "unknown"
    assert ml100k.users.loc[0].to_dict() | {} == {
        "original_id": 1,
        "age": 24,
        "age_group": "18-24",
        "gender": "M",
        "occupation": "technician",
    }


def test_ml100k_knowledge_graph(ml100k):
    kg = ml100k.kg
    assert {"actor", "director", "writer", "subject", "genre"} <= set(kg.relations)
    assert kg.triples["item"].nunique() == 1598  # RecBole links 1,598 of the 1,682 movies
    assert not kg.triples.duplicated().any()
    assert kg.entities["label"].is_unique
    star_wars = ml100k.items.index[ml100k.items["title"] == "Star Wars (1977)"][0]
    directors = kg.triples[(kg.triples["item"] == star_wars) & (kg.triples["relation"] == "director")]["entity"]
    labels = kg.entities.loc[directors, "label"].tolist()
    assert len(labels) == 1 and labels[0].startswith("director: Star Wars (1977)")
    coverage = kg.coverage(ml100k.n_items)
    assert coverage.loc["director", "items"] == kg.triples.query("relation == 'director'")["item"].nunique()
    assert 0 < coverage["item_coverage"].max() <= 1


def test_ml1m_real(ml1m):
    assert_well_formed(ml1m)
    assert (ml1m.n_users, ml1m.n_ratings, ml1m.ratings["item"].nunique()) == (6040, 1_000_209, 3706)
    assert ml1m.n_items == 3883 and len(ml1m.genres) == 18
    first = ml1m.users.loc[0]
    assert (first["original_id"], first["gender"], first["age_group"], first["occupation"]) == (
        "1m_1",
        "F",
        "Under 18",
        "K-12 student",
    )
    assert ml1m.items.loc[0, "title"] == "Toy Story (1995)"
    assert ml1m.ratings["rating"].isin([1, 2, 3, 4, 5]).all()
    assert ml1m.kg is None


# --- GroupLens layouts, on small files written the way GroupLens writes them ------------------------------------------


def test_grouplens_ml100k(tmp_path):
    flags = ["0"] * 19
    action = flags.copy()
    action[1] = "1"
    drama = flags.copy()
    drama[8] = "1"
    (tmp_path / "u.item").write_text(
        "1|Toy Story (1995)|01-Jan-1995||http://x|" + "|".join(action) + "\n"
        "2|Señor (1996)|01-Jan-1996||http://y|" + "|".join(drama) + "\n",
        encoding="latin-1",
    )
    (tmp_path / "u.user").write_text("1|24|M|technician|85711\n2|53|F|other|94043\n")
    (tmp_path / "u.data").write_text("1\t2\t4\t881250949\n2\t1\t3\t881250950\n1\t1\t5\t881250940\n")
    d = data.load("ml-100k", path=tmp_path)
    assert_well_formed(d)
    assert d.items["genres"].tolist() == [("Action",), ("Drama",)]
    assert d.items.loc[1, "title"] == "Señor (1996)" and d.items.loc[1, "year"] == 1996
    assert d.ratings.values.tolist() == [[0, 0, 5, 881250940], [0, 1, 4, 881250949], [1, 0, 3, 881250950]]


def test_grouplens_ml1m(tmp_path):
    (tmp_path / "movies.dat").write_text(
        "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Star Wars: Episode IV (1977)::Action|Sci-Fi\n",
        encoding="latin-1",
    )
    (tmp_path / "users.dat").write_text("1::F::1::10::48067\n2::M::56::16::70072\n")
    (tmp_path / "ratings.dat").write_text("1::1::5::978300760\n2::2::3::978302109\n")
    d = data.load("ml-1m", path=tmp_path)
    assert_well_formed(d)
    assert d.items.loc[1, "title"] == "Star Wars: Episode IV (1977)" and d.items.loc[1, "year"] == 1977
    assert d.users["occupation"].tolist() == ["K-12 student", "self-employed"]
    assert d.users["age_group"].tolist() == ["Under 18", "56+"]


def test_grouplens_ml20m_from_data_dir(tmp_path):
    folder = tmp_path / "ml-20m"
    folder.mkdir()
    (folder / "movies.csv").write_text(
        'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,"Big, Film (2010)",(no genres listed)\n'
    )
    (folder / "ratings.csv").write_text("userId,movieId,rating,timestamp\n7,1,3.5,1112486027\n9,2,4.0,1112484676\n")
    (folder / "tags.csv").write_text("userId,movieId,tag,timestamp\n7,1,pixar,1112486000\n")
    d = data.load("ml-20m", data_dir=tmp_path)
    assert_well_formed(d)
    assert d.items["genres"].tolist() == [("Adventure", "Animation"), ("(no genres listed)",)]
    assert d.users["original_id"].tolist() == [7, 9] and d.users["gender"].isna().all()
    assert d.tags[["user", "item", "tag"]].values.tolist() == [[0, 0, "pixar"]]
    np.testing.assert_allclose(d.ratings["rating"], [3.5, 4.0])

"""The GroupLens loaders on the real data: write the cached MovieLens in GroupLens' own layout, read it back with the
GroupLens loader, and get the same dataset as the loader of the embedded (RecBole) files."""

import pandas as pd

from replicate import data
from replicate.data.grouplens import ML100K_GENRES


def _same(a, b):
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    assert a.items["title"].tolist() == b.items["title"].tolist()
    assert a.items["genres"].tolist() == b.items["genres"].tolist()
    assert a.items["year"].fillna(-1).tolist() == b.items["year"].fillna(-1).tolist()
    columns = ["age", "age_group", "gender", "occupation"]
    pd.testing.assert_frame_equal(a.users[columns], b.users[columns])


def test_ml100k_grouplens_layout_matches_embedded(ml100k, tmp_path):
    with open(tmp_path / "u.item", "w", encoding="latin-1") as out:
        for _, row in ml100k.items.iterrows():
            release = "" if pd.isna(row["year"]) else f"01-Jan-{row['year']}"
            flags = "|".join("1" if g in row["genres"] else "0" for g in ML100K_GENRES)
            out.write(f"{row['original_id']}|{row['title']}|{release}||http://imdb|{flags}\n")
    with open(tmp_path / "u.user", "w") as out:
        for _, row in ml100k.users.iterrows():
            out.write(f"{row['original_id']}|{row['age']:.0f}|{row['gender']}|{row['occupation']}|00000\n")
    ratings = ml100k.ratings.assign(
        user=ml100k.users["original_id"].to_numpy()[ml100k.ratings["user"]],
        item=ml100k.items["original_id"].to_numpy()[ml100k.ratings["item"]],
        rating=ml100k.ratings["rating"].astype(int),
    )
    ratings.to_csv(tmp_path / "u.data", sep="\t", header=False, index=False)
    _same(data.load("ml-100k", path=tmp_path), ml100k)


def test_ml1m_grouplens_layout_matches_embedded(ml1m, tmp_path):
    occupations = data.atomic.ML1M_OCCUPATIONS
    with open(tmp_path / "movies.dat", "w", encoding="latin-1", errors="replace") as out:
        for i, row in ml1m.items.iterrows():
            out.write(f"{i + 1}::{row['title']}::{'|'.join(row['genres'])}\n")
    with open(tmp_path / "users.dat", "w") as out:
        for i, row in ml1m.users.iterrows():
            out.write(f"{i + 1}::{row['gender']}::{row['age']:.0f}::{occupations.index(row['occupation'])}::00000\n")
    lines = (
        (ml1m.ratings["user"] + 1).astype(str)
        + "::"
        + (ml1m.ratings["item"] + 1).astype(str)
        + "::"
        + ml1m.ratings["rating"].astype(int).astype(str)
        + "::"
        + ml1m.ratings["timestamp"].astype(str)
    )
    (tmp_path / "ratings.dat").write_text("\n".join(lines) + "\n")
    loaded = data.load("ml-1m", path=tmp_path)
    unencodable = [t for t in ml1m.items["title"] if t.encode("latin-1", errors="replace").decode("latin-1") != t]
    assert not unencodable  # every ML-1M title survives GroupLens' latin-1 encoding
    _same(loaded, ml1m)

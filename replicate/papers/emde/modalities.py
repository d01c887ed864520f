"""EMDE's modalities: each a set of *units* with an embedding and LSH codes, and a map from movies to units.

- ``liked`` / ``disliked``: the movies themselves, embedded from the co-interaction graph of the training users;
- ``cast``: actors, directors and writers *by name* (the Wikidata film table, :mod:`replicate.data.films`, or, on
  ML-100K, the Freebase knowledge graph whose entities have no names), embedded from the person-movie graph;
- ``genres``: genres, embedded from the genre-movie graph;
- ``title``: title words (a stand-in for plot texts), embedded from the word-movie graph.

A modality is pluggable: :class:`Modality` takes any unit-movie matrix, so plots or poster clusters given by a path
become one more modality (:func:`modality_from_csv`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from replicate.data.types import Dataset

CAST_RELATIONS = ("actor", "director", "writer")
STOPWORDS = frozenset("the a an of and in on to for with from at by is it its de la le les el der die das".split())


@dataclass
class Modality:
    """``movie_units[i, u] = 1`` when movie i (dataset index) carries unit u; ``source`` says which of the user's
    input movies feed the modality (``liked`` or ``disliked``)."""

    name: str
    labels: list
    movie_units: sp.csr_matrix
    source: str
    codes: np.ndarray | None = None
    unit_of: dict = field(default_factory=dict)  # original name -> unit index (units linked to the same movies merge)
    buckets: sp.csr_matrix | None = None  # (n_items, n_sketches * width) bucket counts per movie, set with the codes

    @property
    def n_units(self) -> int:
        return len(self.labels)


def title_tokens(title: str) -> list[str]:
    """Lower-case words of a title without its year, articles moved to the end ("Godfather, The") included."""
    title = re.sub(r"\(\d{4}\)\s*$", "", title)
    return sorted({w for w in re.findall(r"[a-z][a-z']+", title.lower()) if w not in STOPWORDS and len(w) > 2})


def _merge_alike(pairs: pd.DataFrame) -> pd.DataFrame:
    """Merge units that link to exactly the same movies: the model cannot tell them apart (same embedding, same
    buckets), so they become one unit labelled by the first of them and how many more there are."""
    movie_set = pairs.groupby("unit")["item"].apply(lambda s: tuple(sorted(set(s))))
    groups = movie_set.groupby(movie_set).groups
    rename = {}
    for members in groups.values():
        members = sorted(members)
        label = members[0] if len(members) == 1 else f"{members[0]} (+{len(members) - 1} alike)"
        rename.update({m: label for m in members})
    return pairs.assign(unit=pairs["unit"].map(rename)).drop_duplicates()


def _units(
    pairs: pd.DataFrame, n_items: int, name: str, source: str = "liked", min_movies: int = 1, merge_alike: bool = False
) -> Modality:
    """A modality from (item, unit) pairs, keeping units shared by at least ``min_movies`` movies."""
    movies_per_unit = pairs.groupby("unit")["item"].nunique()
    pairs = pairs[pairs["unit"].isin(movies_per_unit.index[movies_per_unit >= min_movies])]
    merged = _merge_alike(pairs.assign(original=pairs["unit"])) if merge_alike else pairs.assign(original=pairs["unit"])
    labels = sorted(merged["unit"].unique())
    column = pd.Series(np.arange(len(labels)), index=labels)
    unit_of = dict(zip(merged["original"].to_numpy(), column.loc[merged["unit"]].to_numpy().tolist()))
    pairs = merged.drop(columns="original").drop_duplicates()
    matrix = sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.float32), (pairs["item"].to_numpy(), column.loc[pairs["unit"]].to_numpy())),
        shape=(n_items, len(labels)),
    )
    matrix.data[:] = 1.0
    return Modality(name, labels, matrix, source, unit_of=unit_of)


CAST_SOURCES = ("films", "freebase", "none")


def cast_people(dataset: Dataset, source: str = "films", data_dir=None) -> pd.DataFrame | None:
    """(item, role, name) of the cast and crew: ``films`` the Wikidata film table joined by title and year (any
    dataset with titles and years), ``freebase`` the knowledge graph of ML-100K (entities labelled by their films, no
    names), ``none`` no cast modality."""
    if source not in CAST_SOURCES:
        raise ValueError(f"cast source must be one of {', '.join(CAST_SOURCES)}, not {source!r}")
    if source == "none":
        return None
    if source == "freebase":
        if dataset.kg is None:
            raise ValueError(f"{dataset.name} has no knowledge graph: use cast='films' (the Wikidata film table)")
        facts = dataset.kg.triples[dataset.kg.triples["relation"].isin(CAST_RELATIONS)]
        labels = dataset.kg.entities["label"].loc[facts["entity"]].to_numpy()
        return pd.DataFrame({"item": facts["item"].to_numpy(), "role": facts["relation"].to_numpy(), "name": labels})
    from replicate.data import films

    return films.people(dataset, data_dir=data_dir)


def build_modalities(dataset: Dataset, min_movies: int = 2, people: pd.DataFrame | None = None) -> list[Modality]:
    """The five modalities of this chapter; ``people`` (item, role, name) gives the cast modality (its units are
    people by name, whatever their role: Hitchcock directs *Rear Window* and appears in it, one unit).

    Cast members and title words that appear in fewer than ``min_movies`` movies are left out: such a unit only ever
    co-occurs with its one movie, so it hashes exactly like that movie's other single-movie units and carries nothing
    the ``liked`` modality does not. Cast members linked to exactly the same movies are merged into one unit.
    """
    n = dataset.n_items
    identity = sp.identity(n, format="csr", dtype=np.float32)
    titles = dataset.items["title"].tolist()
    out = [
        Modality("liked", titles, identity, "liked"),
        Modality("disliked", titles, identity, "disliked"),
    ]
    if people is not None:
        cast = pd.DataFrame({"item": people["item"].to_numpy(), "unit": people["name"].to_numpy()})
        out.append(_units(cast.drop_duplicates(), n, "cast", min_movies=min_movies, merge_alike=True))
    genres = dataset.items["genres"].explode().dropna()
    out.append(_units(pd.DataFrame({"item": genres.index, "unit": genres.to_numpy()}), n, "genres"))
    words = [(i, w) for i, t in enumerate(titles) for w in title_tokens(t)]
    out.append(_units(pd.DataFrame(words, columns=["item", "unit"]), n, "title", min_movies=min_movies))
    return out


def modality_from_csv(path, dataset: Dataset, name: str | None = None) -> Modality:
    """A modality given by a user: a CSV with columns ``movie`` (a title as in ``dataset.items``) and ``unit`` (a
    plot word, a poster cluster, ...), one row per (movie, unit); fed by the user's liked input movies."""
    from pathlib import Path

    from replicate.errors import DatasetError

    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as error:
        raise DatasetError(f"could not read the modality file {path}: {error}") from None
    if not {"movie", "unit"} <= set(table.columns):
        raise DatasetError(f"{path} needs the columns movie,unit (found {', '.join(table.columns)})")
    index = pd.Series(dataset.items.index.to_numpy(), index=dataset.items["title"].to_numpy())
    known = table["movie"].isin(index.index)
    if not known.any():
        raise DatasetError(f"none of the movies in {path} match a title of {dataset.name}")
    pairs = pd.DataFrame({"item": index.loc[table.loc[known, "movie"]].to_numpy(), "unit": table.loc[known, "unit"]})
    return _units(pairs.drop_duplicates(), dataset.n_items, name or path.stem)

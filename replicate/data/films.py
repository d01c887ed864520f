"""Named cast and crew: the Wikidata film table of ``bokeh-sampledata``, joined to MovieLens by title and year.

The table (``python -m replicate fetch films``; see :mod:`replicate.data.embedded`) is the SQLite file
``bokeh_sampledata/_data/movies.db`` of ``bokeh-sampledata==2026.1``: its table ``omdb`` holds 17,472 films released
1940-2014 from a Wikidata snapshot retrieved on 2026-10-18, under CC0 1.0 (attribution: Wikidata contributors).
``Cast``, ``Director`` and ``Writer`` are comma-separated names; the cast is alphabetical, so there is no billing
order. Missing text fields are empty strings (``Writer`` and ``Language`` are sometimes NULL).

The join (:func:`match`) works for any :class:`~replicate.data.types.Dataset` whose items have a ``title`` and a
``year`` (ML-100K, ML-1M, ML-20M by path). Both sides' titles are reduced to keys: the year in parentheses and
Wikidata's "(2011 film)" disambiguators go; MovieLens's trailing articles ("Usual Suspects, The") are dropped and so
are leading articles in English, French, Italian, Spanish, German, Dutch and Portuguese; accents, case and
punctuation go, "&" reads "and" and Roman numerals II-X read as digits. A film then matches when a key and the year
agree within one year, in this order of preference (the ``how`` column):

1. ``title``: the main titles' keys agree;
2. ``alternative title``: a title in parentheses on either side ("Seven (Se7en)", "Postino, Il (The Postman)",
   "(a.k.a. X)") agrees with the other side's main or alternative title;
3. ``short title``: the part before a colon or " - " on either side agrees with the other side's whole key
   ("Star Wars: Episode IV - A New Hope" and "Star Wars").

Within a step the exact year wins over one year off; remaining ties (two films with one title and year) go to the
film with the longer cast list, then to the smaller Wikidata table ID, so the join is deterministic. Several
MovieLens items may match one film (ML-100K lists a few movies twice).
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from replicate.data.embedded import EMBEDDED, verify
from replicate.errors import DatasetError
from replicate.paths import data_root

SOURCE = (
    "Wikidata film table (snapshot 2026-10-18, CC0 1.0, Wikidata contributors), "
    "bokeh_sampledata/_data/movies.db of bokeh-sampledata==2026.1"
)
TABLE = "omdb"
COLUMNS = ("ID", "imdbID", "Title", "Year", "Genre", "Director", "Writer", "Cast", "Language", "Country", "Runtime",
           "Rating", "Oscars")  # fmt: skip
LISTS = {"Genre": "genres", "Cast": "cast", "Director": "directors", "Writer": "writers",
         "Language": "languages", "Country": "countries"}  # fmt: skip
ROLES = {"cast": "actor", "directors": "director", "writers": "writer"}
STEPS = ("title", "alternative title", "short title")
YEAR_TOLERANCE = 1

# Leading articles, dropped from both sides' keys (so a missing or an extra article never blocks a match).
ARTICLES = frozenset(
    "the a an le la les l il lo gli i el los las un una uno une der die das den dem ein eine een het de o os".split()
)
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
_TRAILING_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_DISAMBIGUATOR = re.compile(r"\s*\((?:\d{4} )?(?:[a-z ]+ )?film\)\s*$", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*$")
_AKA = re.compile(r"^\s*a\.?k\.?a\.?\s+", re.IGNORECASE)
_ARTICLE_WORDS = "The|A|An|Le|La|Les|L'|Il|Lo|Gli|I|El|Los|Las|Un|Una|Uno|Une|Der|Die|Das|Den|Ein|Eine|Een|Het|De|O|Os"
_TRAILING_ARTICLE = re.compile(rf",\s*(?:{_ARTICLE_WORDS})\s*(?=$|:)", re.IGNORECASE)
_SHORT = re.compile(r"\s*(?::|\s-\s|\s–\s|\s—\s)")


def key(title: str) -> str:
    """The comparison key of one title (no parentheses handled here: see :func:`title_keys`).

    >>> key("Usual Suspects, The")
    'usual suspects'
    >>> key("Schindler's List") == key("SCHINDLERS LIST")
    True
    """
    text = _TRAILING_ARTICLE.sub("", title)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("&", " and ").replace("'", "").replace("’", "").replace("`", "")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(_ROMAN.get(w, w) for w in words)


def split_title(title: str) -> tuple[str, list[str]]:
    """A title's main part and the alternative titles in parentheses at its end (year and "(film)" removed).

    >>> split_title("Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)")
    ('Shanghai Triad', ['Yao a yao yao dao waipo qiao'])
    """
    text = _TRAILING_YEAR.sub("", str(title))
    text = _DISAMBIGUATOR.sub("", text)
    alternatives = []
    while (found := _PARENTHESIS.search(text)) and found.start() > 0:
        alternatives.insert(0, _AKA.sub("", found.group(1)))
        text = text[: found.start()]
    return text.strip(), [a.strip() for a in alternatives if a.strip()]


def title_keys(title: str) -> dict[str, set[str]]:
    """The keys of a title for each step of the join: ``main``, ``alternative`` and ``short``."""
    main, alternatives = split_title(title)
    main_key = key(main)
    alt_keys = {key(a) for a in alternatives} - {"", main_key}
    short = set()
    for part in [main, *alternatives]:
        head = _SHORT.split(part, maxsplit=1)[0]
        if head != part:
            short.add(key(head))
    return {"main": {main_key} - {""}, "alternative": alt_keys, "short": short - {""} - {main_key} - alt_keys}


# ---------------------------------------------------------------- the table


def table_path(data_dir=None) -> Path:
    """Where the fetched ``movies.db`` lives in the data cache."""
    return data_root(data_dir) / "films" / "movies.db"


def _names(value) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    return tuple(dict.fromkeys(n.strip() for n in str(value).split(",") if n.strip()))


_TABLE_CACHE: dict[tuple, pd.DataFrame] = {}


def _read(path: Path) -> pd.DataFrame:
    stat = path.stat()
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size)
    if cache_key in _TABLE_CACHE:
        return _TABLE_CACHE[cache_key]
    quoted = ", ".join(f'"{c}"' for c in COLUMNS)
    try:
        # Read-only and immutable: a bad file is never modified, and no journal is written next to it.
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True) as connection:
            raw = pd.read_sql_query(f'SELECT {quoted} FROM "{TABLE}" ORDER BY "ID"', connection)
    except (sqlite3.Error, pd.errors.DatabaseError) as error:
        raise DatasetError(
            f"could not read the film table {path}: {error}. Replace it: run `python -m replicate fetch films --force`"
        ) from None
    if raw.empty or raw["ID"].isna().any() or raw["ID"].duplicated().any():
        raise DatasetError(f"the film table {path} has no rows or IDs that are missing or repeated; replace it")
    table = pd.DataFrame(
        {
            "imdb_id": raw["imdbID"].fillna("").astype(str).to_numpy(),
            "title": raw["Title"].fillna("").astype(str).to_numpy(),
            "year": pd.array(raw["Year"], dtype="Int64"),
        },
        index=pd.Index(raw["ID"].astype("int64"), name="film"),
    )
    for column, name in LISTS.items():
        table[name] = [_names(v) for v in raw[column]]
    table["runtime"] = pd.to_numeric(raw["Runtime"], errors="coerce").to_numpy()
    table["rating"] = raw["Rating"].fillna("").astype(str).to_numpy()
    table["oscars"] = pd.array(raw["Oscars"], dtype="Int64")
    _TABLE_CACHE.clear()
    _TABLE_CACHE[cache_key] = table
    return table


def load_table(data_dir=None, path=None) -> pd.DataFrame:
    """The film table, one row per film, indexed by ``film`` (the table's ``ID``).

    Columns: ``imdb_id``, ``title``, ``year`` (Int64), ``genres``, ``cast``, ``directors``, ``writers``,
    ``languages``, ``countries`` (tuples of names, empty when the source has none; the cast alphabetical),
    ``runtime`` (minutes, float), ``rating`` (MPAA, often empty), ``oscars`` (Int64).

    ``path``: a ``movies.db`` elsewhere (not checked by sha256); otherwise the fetched, sha256-checked copy in the
    data cache (``data_dir``, else ``$REPLICATE_DATA_DIR``, else the user's cache directory).
    """
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise DatasetError(f"no film table at {path}: pass the path of a movies.db, or fetch it with "
                               f"`python -m replicate fetch films`")  # fmt: skip
    else:
        path = table_path(data_dir)
        verify(EMBEDDED["films"], path.parent)
    return _read(path).copy()


def _table(table, data_dir) -> pd.DataFrame:
    if table is None:
        return load_table(data_dir)
    if isinstance(table, (str, os.PathLike)):
        return load_table(path=table)
    if isinstance(table, pd.DataFrame):
        missing = {"title", "year", "cast", "directors", "writers"} - set(table.columns)
        if missing:
            raise DatasetError(f"the film table lacks the columns {sorted(missing)}: pass films.load_table()")
        return table
    raise DatasetError(f"table must be None, a path to movies.db or films.load_table(), not {type(table).__name__}")


# ---------------------------------------------------------------- the join


def _dataset(dataset, data_dir):
    from replicate.data import load
    from replicate.data.types import Dataset

    if isinstance(dataset, str):
        return load(dataset, data_dir=data_dir)
    if isinstance(dataset, Dataset):
        return dataset
    raise DatasetError(f"dataset must be a Dataset or a dataset name, not {type(dataset).__name__}")


def _index(table: pd.DataFrame) -> dict[str, dict[str, list[int]]]:
    """Key -> film ids, for each kind of key of the table's titles."""
    index: dict[str, dict[str, list[int]]] = {"main": {}, "alternative": {}, "short": {}}
    for film, title in zip(table.index, table["title"]):
        for kind, keys in title_keys(title).items():
            for k in keys:
                index[kind].setdefault(k, []).append(int(film))
    return index


# Which of an item's keys meets which of the table's, at each step.
_PAIRS = {
    "title": [("main", "main")],
    "alternative title": [("main", "alternative"), ("alternative", "main"), ("alternative", "alternative")],
    "short title": [("short", "main"), ("main", "short")],
}

_MATCH_CACHE: dict[tuple, pd.DataFrame] = {}


def _items(dataset) -> pd.DataFrame:
    items = dataset.items
    missing = {"title", "year"} - set(items.columns)
    if missing:
        raise DatasetError(f"{dataset.name} items lack {sorted(missing)}: the film join needs titles and years")
    return items


def match(dataset, data_dir=None, table=None) -> pd.DataFrame:
    """The join of a dataset's movies to the film table: one row per matched item.

    Columns: ``item`` (the dataset's item index), ``film`` (the table's ID), ``title`` and ``year`` (the dataset's),
    ``film_title`` and ``film_year`` (the table's), ``how`` (``title``, ``alternative title`` or ``short title``,
    see the module docstring), ``year_diff`` (film year minus item year: -1, 0 or 1) and ``n_cast``.
    ``dataset``: a :class:`~replicate.data.types.Dataset` or a name for :func:`replicate.data.load`; ``table``: None
    (the fetched table), a path to a ``movies.db``, or a frame from :func:`load_table`.
    """
    dataset = _dataset(dataset, data_dir)
    items = _items(dataset)
    films = _table(table, data_dir)
    cache_key = (
        int(pd.util.hash_pandas_object(items[["title", "year"]].astype(str)).sum()),
        int(pd.util.hash_pandas_object(films[["title", "year"]].astype(str)).sum()),
        int(films["cast"].map(len).sum()),
    )
    if cache_key in _MATCH_CACHE:
        return _MATCH_CACHE[cache_key].copy()
    index = _index(films)
    film_year = films["year"].to_dict()
    n_cast = films["cast"].map(len).to_dict()
    rows = []
    for item, title, year in zip(items.index, items["title"], items["year"]):
        if pd.isna(year):
            continue
        keys = title_keys(title)
        for step, pairs in _PAIRS.items():
            candidates = {f for mine, theirs in pairs for k in keys[mine] for f in index[theirs].get(k, ())}
            close = [f for f in candidates if pd.notna(film_year[f]) and abs(film_year[f] - year) <= YEAR_TOLERANCE]
            if close:
                best = min(close, key=lambda f: (abs(film_year[f] - year), -n_cast[f], f))
                rows.append((int(item), best, title, int(year), step, int(film_year[best] - year)))
                break
    out = pd.DataFrame(rows, columns=["item", "film", "title", "year", "how", "year_diff"])
    out.insert(4, "film_title", films["title"].reindex(out["film"]).to_numpy())
    out.insert(5, "film_year", films["year"].reindex(out["film"]).to_numpy())
    out["n_cast"] = films["cast"].map(len).reindex(out["film"]).to_numpy().astype(int)
    out = out.astype({"item": "int64", "film": "int64", "year": "int64", "year_diff": "int64"})
    _MATCH_CACHE.clear()
    _MATCH_CACHE[cache_key] = out
    return out.copy()


def people(dataset, data_dir=None, table=None, roles=("actor", "director", "writer")) -> pd.DataFrame:
    """Cast and crew by name of every matched movie: columns ``item``, ``role`` (``actor``, ``director``,
    ``writer``) and ``name``, sorted by item, role and name (the cast is alphabetical in the source anyway)."""
    unknown = set(roles) - set(ROLES.values())
    if unknown:
        raise DatasetError(f"unknown roles {sorted(unknown)}: valid roles are actor, director, writer")
    films = _table(table, data_dir)
    joined = match(dataset, data_dir=data_dir, table=films)
    frames = []
    for column, role in ROLES.items():
        if role not in roles:
            continue
        lists = films[column].reindex(joined["film"]).to_numpy()
        part = pd.DataFrame({"item": joined["item"].to_numpy(), "name": lists}).explode("name").dropna()
        part.insert(1, "role", role)
        frames.append(part)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["item", "role", "name"])
    order = {r: i for i, r in enumerate(ROLES.values())}
    out = out.drop_duplicates().assign(_order=out["role"].map(order))
    out = out.sort_values(["item", "_order", "name"], kind="stable").drop(columns="_order").reset_index(drop=True)
    return out.astype({"item": "int64", "role": "str", "name": "str"})


def decade(years) -> pd.Series:
    """The decade of each year (1995 -> 1990), missing years stay missing."""
    years = pd.Series(years, dtype="Int64")
    return (years // 10) * 10


def coverage(dataset, data_dir=None, table=None) -> pd.DataFrame:
    """Per decade of release: ``movies`` (the dataset's), ``matched``, ``with_cast`` (matched to a film that lists
    a cast) and the shares ``matched_share`` and ``cast_share`` of the decade's movies. Movies without a year fall
    in a decade of their own (missing)."""
    dataset = _dataset(dataset, data_dir)
    joined = match(dataset, data_dir=data_dir, table=table)
    items = _items(dataset)
    frame = pd.DataFrame(
        {
            "decade": decade(items["year"]).to_numpy(),
            "matched": items.index.isin(joined["item"]),
            "with_cast": items.index.isin(joined.loc[joined["n_cast"] > 0, "item"]),
        }
    )
    grouped = frame.groupby("decade", dropna=False)
    out = pd.DataFrame(
        {"movies": grouped.size(), "matched": grouped["matched"].sum(), "with_cast": grouped["with_cast"].sum()}
    ).astype("int64")
    out["matched_share"] = out["matched"] / out["movies"]
    out["cast_share"] = out["with_cast"] / out["movies"]
    return out


def unmatched(dataset, data_dir=None, table=None) -> pd.DataFrame:
    """The dataset's movies that match no film: ``item``, ``title``, ``year`` and ``reason`` (``no year``,
    ``before the table's years``, ``after the table's years``, or ``no title within a year``)."""
    dataset = _dataset(dataset, data_dir)
    films = _table(table, data_dir)
    joined = match(dataset, data_dir=data_dir, table=films)
    items = _items(dataset)
    rest = items.loc[~items.index.isin(joined["item"]), ["title", "year"]]
    first, last = int(films["year"].min()), int(films["year"].max())
    year = rest["year"]
    reason = np.select(
        [year.isna().to_numpy(), (year < first - YEAR_TOLERANCE).fillna(False).to_numpy(),
         (year > last + YEAR_TOLERANCE).fillna(False).to_numpy()],
        ["no year", "before the table's years", "after the table's years"],
        default="no title within a year",
    )  # fmt: skip
    out = rest.assign(reason=reason).rename_axis("item").reset_index()
    return out.astype({"item": "int64"})


def summary(dataset, data_dir=None, table=None) -> dict:
    """The join's totals for one dataset: movies, matched, with a cast, and how many matched at each step."""
    dataset = _dataset(dataset, data_dir)
    joined = match(dataset, data_dir=data_dir, table=table)
    steps = joined["how"].value_counts()
    return {
        "dataset": dataset.name,
        "movies": dataset.n_items,
        "matched": len(joined),
        "with cast": int((joined["n_cast"] > 0).sum()),
        **{f"by {step}": int(steps.get(step, 0)) for step in STEPS},
        "year one off": int((joined["year_diff"] != 0).sum()),
    }

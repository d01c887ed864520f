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
3. ``short title``: the part before a colon or " - " of a title on either side (or one after it, of two words or
   eight letters at least), or the title without a leading possessive of two names or more, agrees with the other
   side's main or alternative title, or the parts after the colons agree (two words at least): "Star Wars: Episode
   IV - A New Hope" and "Star Wars"; "Christmas Vacation" and "National Lampoon's Christmas Vacation"; "Star Trek:
   The Wrath of Khan" and "Star Trek II: The Wrath of Khan";
4. ``similar title``: the main keys are alike (difflib ratio of at least :data:`SIMILARITY`) and hold the same
   numbers, for keys of :data:`SIMILAR_MIN_LENGTH` letters or more ("Two Moon Juction", a typo in ML-1M, and "Two
   Moon Junction"; not "Puppet Master 4" and "Puppet Masters", nor "Fausto" and "Faust").

At the first step, a match one year off needs the same leading article as well ("Fear, The (1995)" is not "Fear"
of 1996, "Boys, Les (1997)" not "Boys" of 1996; long titles may still meet at the last step). Within a step the
exact year wins over one year off; remaining ties (two films with one title and year) go to the film with the longer
cast list, then to the smaller Wikidata table ID, so the join is deterministic. Several MovieLens items may match one
film (ML-100K lists a few movies twice).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import sqlite3
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from replicate.data.embedded import EMBEDDED, fetch_command, verify
from replicate.errors import DatasetError
from replicate.paths import data_root

SOURCE = (
    "Wikidata film table (snapshot 2026-10-18, CC0 1.0, Wikidata contributors), "
    "bokeh_sampledata/_data/movies.db of bokeh-sampledata==2026.1"
)
TABLE = "omdb"
COLUMNS = (
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
)
LISTS = {
    "Genre": "genres",
    "Cast": "cast",
    "Director": "directors",
    "Writer": "writers",
    "Language": "languages",
    "Country": "countries",
}
ROLES = {"cast": "actor", "directors": "director", "writers": "writer"}
STEPS = ("title", "alternative title", "short title", "similar title")
SIMILARITY = 0.9  # difflib ratio of the compact main keys for the last step, with the same numbers in both
SIMILAR_MIN_LENGTH = 10  # and keys of at least 10 letters: "Fausto" is not "Faust", nor "Funeral" "Funerals"
YEAR_TOLERANCE = 1

# Leading articles, dropped from both sides' keys (so a missing or an extra article never blocks a match).
ARTICLES = frozenset(
    "the a an le la les l il lo gli i el los las un una uno une der die das den dem ein eine een het de o os".split()
)
# Words read alike on both sides: Roman numerals II-X, British spellings; "part" ("Part II" and "2") is dropped.
_WORDS = dict(
    pair.split("=")
    for pair in (
        "ii=2 iii=3 iv=4 v=5 vi=6 vii=7 viii=8 ix=9 x=10 two=2 three=3 four=4 five=5 six=6 seven=7 eight=8 nine=9 "
        "ten=10 eleven=11 twelve=12 thirteen=13 second=2nd third=3rd fourth=4th fifth=5th sixth=6th seventh=7th "
        "eighth=8th ninth=9th tenth=10th colours=colors colour=color honour=honor favour=favor armour=armor "
        "harbour=harbor behaviour=behavior labour=labor neighbour=neighbor neighbours=neighbors humour=humor "
        "rumour=rumor theatre=theater centre=center blvd=boulevard doctor=dr mister=mr et=and und=and part="
    ).split()
)
_TRAILING_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_DISAMBIGUATOR = re.compile(r"\s*\((?:\d{4} )?(?:[a-z ]+ )?film\)\s*$", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*$")
_AKA = re.compile(r"^\s*a\.?k\.?a\.?\s+", re.IGNORECASE)
_ARTICLE_WORDS = "The|A|An|Le|La|Les|L'|Il|Lo|Gli|I|El|Los|Las|Un|Una|Uno|Une|Der|Die|Das|Den|Ein|Eine|Een|Het|De|O|Os"
_TRAILING_ARTICLE = re.compile(rf",\s*({_ARTICLE_WORDS})\s*(?=$|:)", re.IGNORECASE)
_SHORT = re.compile(r"\s+or:\s*|\s*:\s*|\s+[-–—]\s+")
# "Rudyard Kipling's The Jungle Book", "National Lampoon's Christmas Vacation": two or more names, then 's.
_POSSESSIVE = re.compile(r"^(?!(?:The|A|An)\s)(?:[A-Z][\w.]*\s+){1,3}[A-Z][\w.]*['’]s\s+(?=\S)")


@functools.lru_cache(maxsize=1 << 16)
def key(title: str) -> str:
    """The comparison key of one title (no parentheses handled here: see :func:`title_keys`).

    >>> key("Usual Suspects, The")
    'usual suspects'
    >>> key("Schindler's List") == key("SCHINDLERS LIST")
    True
    """
    text = _TRAILING_ARTICLE.sub("", title)
    if not text.isascii():
        text = "".join(f" {c} " if unicodedata.name(c, "").startswith("VULGAR FRACTION") else c for c in text)  # 8½
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = text.replace("&", " and ").replace(" + ", " and ").replace("'", "").replace("’", "").replace("`", "")
    text = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text)  # "Alien3" reads "Alien 3"
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(w for w in (_WORDS.get(w, w) for w in words) if w)


def article(title: str) -> str:
    """The leading article of a title's main part, lower case ("" when none), wherever MovieLens put it.

    >>> article("Boys, Les (1997)"), article("The Air Up There"), article("Fear")
    ('les', 'the', '')
    """
    main = split_title(title)[0]
    found = _TRAILING_ARTICLE.search(main)
    if found:
        return found.group(1).lower().rstrip("'")
    words = re.split(r"[\s'’]+", main.strip(), maxsplit=1)
    return words[0].lower() if len(words) > 1 and words[0].lower() in ARTICLES else ""


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
    """The keys of a title for each step of the join: ``main``, ``alternative``, ``short`` and ``tail`` (the parts
    after a colon or a dash of two words or more, which may meet the other side's tails: "Star Trek: The Wrath of
    Khan" and "Star Trek II: The Wrath of Khan").

    Keys are compared without spaces, so "Rocket Man" meets "Rocketman" and "Chain Saw" "Chainsaw".
    """
    main, alternatives = split_title(title)
    main_key = key(main)
    alt_keys = {key(a) for a in alternatives}
    short, tails = set(), set()
    for part in [main, *alternatives]:
        pieces = _SHORT.split(part)
        if len(pieces) > 1:
            short.add(key(pieces[0]))
            # "Kids in the Hall: Brain Candy" is "Brain Candy" too, and "Star Wars: Episode VI - Return of the Jedi"
            # "Return of the Jedi"; a tail must have two words or eight letters ("Three Colors: Red" is not "Red").
            for tail in {_SHORT.split(part, maxsplit=1)[1], *pieces[1:]}:
                words = key(tail).split()
                if len(words) >= 2 or len("".join(words)) >= 8:
                    short.add(key(tail))
                if len(words) >= 2:
                    tails.add(key(tail))
        if _POSSESSIVE.match(part):
            short.add(key(_POSSESSIVE.sub("", part)))
    main_set = {compact(main_key)} - {""}
    alt_set = {compact(k) for k in alt_keys} - {""} - main_set
    short_set = {compact(k) for k in short} - {""} - main_set - alt_set
    return {"main": main_set, "alternative": alt_set, "short": short_set, "tail": {compact(k) for k in tails} - {""}}


def compact(key_text: str) -> str:
    """A key without its spaces: what the join compares."""
    return key_text.replace(" ", "")


def numbers(key_text: str) -> frozenset[str]:
    """The numbers in a key ("Puppet Master 4" and "Puppet Masters" differ in them)."""
    return frozenset(re.findall(r"\d+", key_text))


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
            f"could not read the film table {path}: {error}. Replace it: run "
            f"`{fetch_command('films', path.parent.parent, force=True)}`"
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
            raise DatasetError(
                f"no film table at {path}: pass the path of a movies.db, or fetch it with "
                f"`{fetch_command('films', data_dir)}`"
            )
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
    index: dict[str, dict[str, list[int]]] = {"main": {}, "alternative": {}, "short": {}, "tail": {}}
    for film, title in zip(table.index, table["title"]):
        for kind, keys in title_keys(title).items():
            for k in keys:
                index[kind].setdefault(k, []).append(int(film))
    return index


# Which of an item's keys meets which of the table's, at each step.
_PAIRS = {
    "title": [("main", "main")],
    "alternative title": [("main", "alternative"), ("alternative", "main"), ("alternative", "alternative")],
    "short title": [
        ("short", "main"),
        ("main", "short"),
        ("alternative", "short"),
        ("short", "alternative"),
        ("tail", "tail"),
    ],
}

_MATCH_CACHE: dict[tuple, pd.DataFrame] = {}
_KEYS_CACHE: dict[int, tuple] = {}


def _table_keys(films: pd.DataFrame, table_hash: int) -> tuple:
    """The table's keys for every step, and its articles; computed once per table."""
    if table_hash not in _KEYS_CACHE:
        articles = {int(f): article(t) for f, t in zip(films.index, films["title"])}
        _KEYS_CACHE.clear()
        _KEYS_CACHE[table_hash] = (_index(films), _by_year(films), articles)
    return _KEYS_CACHE[table_hash]


def _by_year(films: pd.DataFrame) -> dict[tuple[int, int], dict[str, list[tuple[int, frozenset]]]]:
    """(year, key length) -> compact main key -> [(film, numbers)], for the similarity step."""
    out: dict[tuple[int, int], dict[str, list[tuple[int, frozenset]]]] = {}
    for film, title, year in zip(films.index, films["title"], films["year"]):
        if pd.isna(year):
            continue
        spaced = key(split_title(title)[0])
        found = compact(spaced)
        out.setdefault((int(year), len(found)), {}).setdefault(found, []).append((int(film), numbers(spaced)))
    return out


def _similar(title: str, year: int, by_year) -> set[int]:
    """Films within a year whose main key is alike (at least :data:`SIMILARITY`) and has the same numbers."""
    spaced = key(split_title(title)[0])
    mine, mine_numbers = compact(spaced), numbers(spaced)
    if len(mine) < SIMILAR_MIN_LENGTH:
        return set()
    # difflib's ratio is at most 2 min / (sum) of the lengths: only keys of these lengths can reach SIMILARITY
    shortest = int(np.ceil(len(mine) * SIMILARITY / (2 - SIMILARITY)))
    longest = int(np.floor(len(mine) * (2 - SIMILARITY) / SIMILARITY))
    pool: dict[str, list[tuple[int, frozenset]]] = {}
    for y in range(year - YEAR_TOLERANCE, year + YEAR_TOLERANCE + 1):
        for length in range(shortest, longest + 1):
            for k, films in by_year.get((y, length), {}).items():
                pool.setdefault(k, []).extend(films)
    close = difflib.get_close_matches(mine, list(pool), n=3, cutoff=SIMILARITY)
    if not close:
        return set()
    best = close[0]  # the most alike key only; its films then compete on year, cast and ID
    return {f for f, found in pool[best] if found == mine_numbers}


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
    index, by_year, articles = _table_keys(films, cache_key[1])
    film_year = films["year"].to_dict()
    n_cast = films["cast"].map(len).to_dict()
    rows = []
    for item, title, year in zip(items.index, items["title"], items["year"]):
        if pd.isna(year):
            continue
        year = int(year)
        keys = title_keys(title)
        for step in STEPS:
            if step == "similar title":
                candidates = _similar(title, year, by_year)
            else:
                candidates = {f for mine, theirs in _PAIRS[step] for k in keys[mine] for f in index[theirs].get(k, ())}
            close = [f for f in candidates if pd.notna(film_year[f]) and abs(film_year[f] - year) <= YEAR_TOLERANCE]
            if step == "title":  # a year off needs the same article too: "Fear, The (1995)" is not "Fear" (1996)
                close = [f for f in close if film_year[f] == year or articles[f] == article(title)]
            if close:
                best = min(close, key=lambda f: (abs(film_year[f] - year), -n_cast[f], f))
                rows.append((int(item), best, title, year, step, int(film_year[best] - year)))
                break
    out = pd.DataFrame(rows, columns=["item", "film", "title", "year", "how", "year_diff"])
    out.insert(4, "film_title", films["title"].reindex(out["film"]).to_numpy())
    out.insert(5, "film_year", films["year"].reindex(out["film"]).to_numpy())
    out["n_cast"] = films["cast"].map(len).reindex(out["film"]).to_numpy().astype(int)
    out = out.astype({"item": "int64", "film": "int64", "year": "int64", "year_diff": "int64"})
    while len(_MATCH_CACHE) >= 8:  # a few joins (datasets x tables) at once, the oldest dropped first
        _MATCH_CACHE.pop(next(iter(_MATCH_CACHE)))
    _MATCH_CACHE[cache_key] = out
    return out.copy()


def people(dataset, data_dir=None, table=None, roles=("actor", "director", "writer")) -> pd.DataFrame:
    """Cast and crew by name of every matched movie: columns ``item``, ``role`` (``actor``, ``director``,
    ``writer``) and ``name``, sorted by item, role and name (the cast is alphabetical in the source anyway)."""
    unknown = set(roles) - set(ROLES.values())
    if unknown:
        raise DatasetError(f"unknown roles {sorted(unknown)}: valid roles are actor, director, writer")
    films = _table(table, data_dir)
    named = people_of(match(dataset, data_dir=data_dir, table=films), films)
    return named[named["role"].isin(roles)].reset_index(drop=True)


def details(dataset, data_dir=None, table=None) -> pd.DataFrame:
    """Per matched movie, indexed by ``item``: ``film``, ``film_title``, ``film_year``, ``how`` and the film's
    ``genres``, ``languages``, ``countries`` (tuples), ``runtime`` and ``oscars`` from the table."""
    films = _table(table, data_dir)
    joined = match(dataset, data_dir=data_dir, table=films).set_index("item")
    columns = [c for c in ("genres", "languages", "countries", "runtime", "oscars") if c in films.columns]
    extra = films[columns].reindex(joined["film"].to_numpy())
    extra.index = joined.index
    return pd.concat([joined[["film", "film_title", "film_year", "how"]], extra], axis=1)


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
        [
            year.isna().to_numpy(),
            (year < first).fillna(False).to_numpy(),
            (year > last).fillna(False).to_numpy(),
        ],
        ["no year", "before the table's years", "after the table's years"],
        default="no title within a year",
    )
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


# ---------------------------------------------------------------- checks of the join

# MovieLens genre -> the table's genres that count as agreeing with it (the rest share their name).
GENRE_EQUIVALENTS = {
    "Children's": ("Family", "Animation"),
    "Film-Noir": ("Crime", "Thriller", "Mystery"),
    "Musical": ("Musical", "Music"),
}


def naive_match(dataset, data_dir=None, table=None) -> pd.DataFrame:
    """The join without any care: the dataset's title (its year removed) equal to the table's, ignoring case, and the
    same year. A baseline for :func:`match`, in the same columns (``how`` is ``naive``)."""
    dataset = _dataset(dataset, data_dir)
    items = _items(dataset)
    films = _table(table, data_dir)
    lookup: dict[tuple[str, int], int] = {}
    for film, title, year in sorted(zip(films.index, films["title"], films["year"]), key=lambda row: row[0]):
        if pd.notna(year):
            lookup.setdefault((str(title).strip().lower(), int(year)), int(film))
    rows = []
    for item, title, year in zip(items.index, items["title"], items["year"]):
        if pd.notna(year):
            film = lookup.get((_TRAILING_YEAR.sub("", str(title)).strip().lower(), int(year)))
            if film is not None:
                rows.append((int(item), film, title, int(year), "naive", 0))
    out = pd.DataFrame(rows, columns=["item", "film", "title", "year", "how", "year_diff"])
    out.insert(4, "film_title", films["title"].reindex(out["film"]).to_numpy())
    out.insert(5, "film_year", films["year"].reindex(out["film"]).to_numpy())
    out["n_cast"] = films["cast"].map(len).reindex(out["film"]).to_numpy().astype(int)
    return out.astype({"item": "int64", "film": "int64", "year": "int64", "year_diff": "int64"})


def join_counts(joined: pd.DataFrame) -> dict[str, int]:
    """Movies matched, and matched to a film with a cast: what the data chapter's coverage checks count."""
    return {"matched": len(joined), "with_cast": int((joined["n_cast"] > 0).sum())}


def added_agreement(dataset, joined: pd.DataFrame, added, table=None) -> tuple[float, tuple[float, float], int]:
    """Genre agreement (:func:`genre_agreement`) of the movies ``added`` (item ids) that ``joined`` matches, with its
    Wilson interval and the number of movies it counts: the same measurement for a join and for its null."""
    from replicate.stats import wilson_interval

    share, n = genre_agreement(dataset, joined[joined["item"].isin(added)], table=table)
    return share, wilson_interval(share, n), n


def genre_agreement(dataset, joined: pd.DataFrame | None = None, data_dir=None, table=None) -> tuple[float, int]:
    """Share of joined movies whose MovieLens genres share at least one with the film's (see
    :data:`GENRE_EQUIVALENTS`), and the number of joined movies both sides give genres for. A precision check of a
    join: a wrong film seldom shares a genre. ``joined`` defaults to :func:`match`."""
    dataset = _dataset(dataset, data_dir)
    films = _table(table, data_dir)
    joined = match(dataset, data_dir=data_dir, table=films) if joined is None else joined
    ours = dataset.items["genres"].reindex(joined["item"]).to_numpy()
    theirs = films["genres"].reindex(joined["film"]).to_numpy()
    agree = []
    for mine, found in zip(ours, theirs):
        if len(mine) and len(found):
            wanted = {g for genre in mine for g in GENRE_EQUIVALENTS.get(genre, (genre,))}
            agree.append(bool(wanted & set(found)))
    return (float(np.mean(agree)) if agree else float("nan")), len(agree)


def shuffled(joined: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The same join with its films dealt out at random among the matched movies: a null model for the checks."""
    out = joined.copy()
    out["film"] = rng.permutation(out["film"].to_numpy())
    return out


def people_of(joined: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """:func:`people` of an already computed join (e.g. :func:`shuffled`): ``item``, ``role``, ``name``."""
    frames = []
    for column, role in ROLES.items():
        lists = table[column].reindex(joined["film"]).to_numpy()
        part = pd.DataFrame({"item": joined["item"].to_numpy(), "name": lists}).explode("name").dropna()
        part.insert(1, "role", role)
        frames.append(part)
    out = pd.concat(frames, ignore_index=True).drop_duplicates()
    order = {r: i for i, r in enumerate(ROLES.values())}
    out = out.assign(_order=out["role"].map(order)).sort_values(["item", "_order", "name"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True).astype({"item": "int64", "role": "str", "name": "str"})


def expected_people(dataset, expectations: dict, named: pd.DataFrame) -> pd.DataFrame:
    """Check named people against a join's people table ``named`` (from :func:`people` or :func:`people_of`).

    ``expectations``: title as in the dataset -> list of ``(role, name, present)``, e.g.
    ``{"Casablanca (1942)": [("actor", "Humphrey Bogart", True), ("actor", "Joseph Cotten", False)]}``. Returns one
    row per expectation: ``title``, ``role``, ``name``, ``expected`` (present or not), ``found`` and ``ok``; a title
    missing from the dataset raises (a typo must not pass as "absent")."""
    dataset = _dataset(dataset, None)
    titles = dataset.items["title"]
    rows = []
    for title, wanted in expectations.items():
        items = titles.index[titles == title]
        if len(items) == 0:
            raise DatasetError(f"no movie titled {title!r} in {dataset.name}: use its title there, year included")
        mine = named[named["item"].isin(items)]
        for role, name, present in wanted:
            found = bool(((mine["role"] == role) & (mine["name"] == name)).any())
            rows.append((title, role, name, bool(present), found, found == bool(present)))
    return pd.DataFrame(rows, columns=["title", "role", "name", "expected", "found", "ok"])

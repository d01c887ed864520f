"""Where things live: the repository, the build directory and the data cache.

Environment variables override the defaults so that tests and CI can work in temporary directories:

- ``REPLICATE_BUILD_DIR``: build root (default ``<repo>/build``); executed notebooks, figures and claims go to
  ``<build>/<profile>/<chapter>/seed-<k>/`` and the rendered site to ``<build>/<profile>/site/``.
- ``REPLICATE_DATA_DIR``: data cache (default: the user's cache directory); a notebook's ``data_dir`` parameter
  overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
REFERENCES = NOTEBOOKS / "reference"
PROFILES = ("smoke", "paper")


def build_root() -> Path:
    return Path(os.environ.get("REPLICATE_BUILD_DIR") or REPO / "build").resolve()


def profile_dir(profile: str) -> Path:
    return build_root() / profile


def chapter_dir(profile: str, chapter: str, seed: int = 0) -> Path:
    """Outputs of one executed chapter for one seed: the notebook, ``figures/*.png``, ``claims.json`` and
    ``stamp.json``, in ``<build>/<profile>/<chapter>/seed-<seed>/``."""
    return profile_dir(profile) / chapter / f"seed-{seed}"


def chapter_seeds(profile: str, chapter: str) -> list[int]:
    """The seeds with finished outputs of ``chapter`` in ``profile`` (a ``stamp.json`` in their folder), sorted."""
    root = profile_dir(profile) / chapter
    found = []
    for folder in root.glob("seed-*") if root.is_dir() else []:
        suffix = folder.name[len("seed-") :]
        if suffix.isdigit() and (folder / "stamp.json").is_file():
            found.append(int(suffix))
    return sorted(found)


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """The data cache: the ``data_dir`` argument, else ``$REPLICATE_DATA_DIR``, else the user's cache directory."""
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    env = os.environ.get("REPLICATE_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_cache_dir("interpretable-recsys")) / "data"


def default_data_root() -> Path:
    """The data cache when nobody names one: ``$REPLICATE_DATA_DIR``, else the user's cache directory."""
    return data_root(None)


def usable_dir(path: Path, what: str, fix: str, write: bool = True) -> Path:
    """``path`` if it is (or can be made) a folder this process can use; else one :class:`ReplicateError` naming the
    path, what is wrong with it, and ``fix``. Creates nothing."""
    import os

    from replicate.errors import ReplicateError

    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        where = "is a file" if existing == path else f"lies under {existing}, which is a file"
        raise ReplicateError(f"the {what} {path} {where}: {fix}")
    if write and not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == path else f" (its nearest existing folder {existing} is not writable)"
        raise ReplicateError(f"the {what} {path} cannot be written{where}: {fix}")
    if not write and not path.is_dir():
        raise ReplicateError(f"the {what} {path} does not exist: {fix}")
    return path

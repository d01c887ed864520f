"""Where things live: the repository, the build directory and the data cache.

Environment variables override the defaults so that tests and CI can work in temporary directories:

- ``REPLICATE_BUILD_DIR``: build root (default ``<repo>/build``); executed notebooks, figures and claims go to
  ``<build>/<profile>/<chapter>/seed-<k>/`` and the rendered site to ``<build>/<profile>/site/``.
- ``REPLICATE_DATA_DIR``: data cache (default: the user's cache directory); a notebook's ``data_dir`` parameter
  overrides both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class Run:
    """One run of a chapter, ``(profile, chapter, seed)``, and the names of what it writes: the executed notebook,
    ``figures/*.png``, the claims, the stamp and the run's records, in ``<build>/<profile>/<chapter>/seed-<seed>/``.
    ``folder`` puts the same files elsewhere (the runner's work folder while the kernel runs, a test's folder)."""

    profile: str
    chapter: str
    seed: int = 0
    folder: Path | None = None

    @property
    def dir(self) -> Path:
        if self.folder is not None:
            return Path(self.folder)
        return profile_dir(self.profile) / self.chapter / f"seed-{self.seed}"

    def resolved(self) -> Run:
        """This run with its folder fixed now: the same files after ``$REPLICATE_BUILD_DIR`` changes."""
        return replace(self, folder=self.dir)

    @property
    def notebook(self) -> Path:
        """The executed notebook."""
        return self.dir / f"{self.chapter}.ipynb"

    @property
    def claims(self) -> Path:
        """The recorded claims (``replicate.core.claims.save``)."""
        return self.dir / "claims.json"

    @property
    def stamp(self) -> Path:
        """Written last by the runner: what the run was made from, its parameters, seconds and provenance."""
        return self.dir / "stamp.json"

    @property
    def figures(self) -> Path:
        """The folder of the chapter's declared figures."""
        return self.dir / "figures"

    def figure(self, name: str) -> Path:
        return self.figures / f"{name}.png"

    @property
    def readings(self) -> Path:
        """Numeric tables a chapter keeps for the book to show their spread over seeds (``<name>.json``)."""
        return self.dir / "readings"

    @property
    def timings(self) -> Path:
        """Wall seconds per cell; the runner turns them into seconds per section."""
        return self.dir / "timings.json"

    @property
    def device(self) -> Path:
        """The device the run used and, on CUDA, its peak memory (the GPU check reads it)."""
        return self.dir / "device.json"

    @property
    def dependencies(self) -> Path:
        """sha256 of every ``replicate`` module the run imported (the runner's freshness check)."""
        return self.dir / "dependencies.json"

    @property
    def chosen(self) -> Path:
        """What a seed other than 0 reused of seed 0's choices (the runner's freshness check compares it)."""
        return self.dir / "chosen.json"


def chapter_seeds(profile: str, chapter: str) -> list[int]:
    """The seeds with finished outputs of ``chapter`` in ``profile`` (a stamp in their folder), sorted."""
    root = profile_dir(profile) / chapter
    found = []
    for folder in root.glob("seed-*") if root.is_dir() else []:
        suffix = folder.name[len("seed-") :]
        if suffix.isdigit() and Run(profile, chapter, int(suffix), folder=folder).stamp.is_file():
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


def write_whole(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` whole: into a hidden partial file beside it, then renamed over it, so that a reader,
    or a run stopped while writing, never meets half a file (a stopped write removes its partial file and leaves
    the old ``path``). Creates the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if isinstance(data, bytes):
            partial.write_bytes(data)
        else:
            partial.write_text(data)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path

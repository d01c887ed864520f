"""``python -m replicate book``: run what is stale, then render the site from the executed notebooks.

The chapters are the ``book/chapters/<name>`` entries of ``_toc.yml``; each maps to ``notebooks/<name>.py``. The
book is assembled in ``build/<profile>/book/`` (the top-level ``_config.yml`` and ``_toc.yml``, the pages under
``book/``, the executed notebooks as ``book/chapters/<name>.ipynb``, and the generated ``book/scorecard.md``) and
rendered by Jupyter Book without executing anything again, into ``build/<profile>/site/_build/html``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from replicate import paths
from replicate.core import claims as claims_mod
from replicate.core import pages, runner
from replicate.core.chapter import check_profile, declaration
from replicate.errors import ReplicateError

CHAPTER_PREFIX = "book/chapters/"


def _toc_files(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(str(node["file"]))
        for key in ("root", "parts", "chapters", "sections"):
            value = node.get(key)
            if isinstance(value, str) and key == "root":
                found.append(value)
            elif isinstance(value, list):
                for child in value:
                    found += _toc_files(child)
    return found


def toc_chapters() -> list[str]:
    """Chapter names in book order, from ``_toc.yml``."""
    toc = yaml.safe_load((paths.REPO / "_toc.yml").read_text())
    names = [f[len(CHAPTER_PREFIX) :] for f in _toc_files(toc) if f.startswith(CHAPTER_PREFIX)]
    for name in names:
        runner.notebook_path(name)
    return names


def scorecard(profile: str, names: list[str]) -> str:
    chapters = []
    for name in names:
        claims_file = paths.chapter_dir(profile, name) / "claims.json"
        recorded = claims_mod.load(claims_file) if claims_file.is_file() else []
        chapters.append((name, declaration(paths.NOTEBOOKS / f"{name}.py")["title"], recorded))
    return claims_mod.scorecard_markdown(chapters, profile)


def stage(profile: str, names: list[str]) -> Path:
    """Assemble the book's sources in ``build/<profile>/book``; return that directory."""
    source = paths.profile_dir(profile) / "book"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for file_name in ("_config.yml", "_toc.yml"):
        shutil.copy2(paths.REPO / file_name, source / file_name)
    shutil.copytree(
        paths.REPO / "book", source / "book", ignore=shutil.ignore_patterns("chapters", "scorecard.md", "status.md")
    )
    (source / "book" / "chapters").mkdir()
    for name in names:
        executed = paths.chapter_dir(profile, name) / f"{name}.ipynb"
        shutil.copy2(executed, source / "book" / "chapters" / f"{name}.ipynb")
    (source / "book" / "scorecard.md").write_text(scorecard(profile, names))
    pages.decorate(source, profile, names)
    return source


def render(source: Path, output: Path) -> Path:
    """Run Jupyter Book on the staged sources (warnings are errors); return the site's index.html."""
    shutil.rmtree(output, ignore_errors=True)
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(source),
        "--path-output",
        str(output),
        "--all",
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        log = (result.stdout + result.stderr).strip().splitlines()
        raise ReplicateError("jupyter-book build failed:\n" + "\n".join(log[-40:]))
    index = output / "_build" / "html" / "index.html"
    if not index.is_file():
        raise ReplicateError(f"jupyter-book reported success but wrote no {index}")
    return index


def build(profile: str = "paper", force: bool = False, log=print) -> Path:
    """Run the stale chapters in ``profile``, then render the site; return its index.html."""
    check_profile(profile)
    names = toc_chapters()
    for name in names:
        result = runner.run(name, profile, force=force)
        log(f"{name} ({profile}): {'ran in %.1f s' % result.seconds if result.ran else 'up to date'}")
    source = stage(profile, names)
    index = render(source, paths.profile_dir(profile) / "site")
    log(f"site: {index}")
    return index

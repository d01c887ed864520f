"""``python -m replicate book``: run what is stale, then render the site from the executed notebooks.

The chapters are the ``book/chapters/<name>`` entries of ``_toc.yml``; each maps to ``notebooks/<name>.py``. The
book is assembled in ``build/<profile>/book/`` (the top-level ``_config.yml`` and ``_toc.yml``, the pages under
``book/``, the executed notebooks as ``book/chapters/<name>.ipynb``, and the generated ``book/scorecard.md``) and
rendered by Jupyter Book without executing anything again, into ``build/<profile>/site/_build/html``.
"""

from __future__ import annotations

import math
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


def aggregated_claims(profile: str, name: str, seeds: list[int] | None = None) -> tuple[list[claims_mod.Claim], list]:
    """The claims of chapter ``name`` aggregated over ``seeds`` (default: every seed with finished outputs), and the
    seeds used."""
    available = paths.chapter_seeds(profile, name)
    chosen = [s for s in (seeds if seeds is not None else available) if s in available]
    runs = {}
    for seed in chosen:
        claims_file = paths.chapter_dir(profile, name, seed) / "claims.json"
        if claims_file.is_file():
            runs[seed] = claims_mod.load(claims_file)
    return claims_mod.aggregate(runs), sorted(runs)


def scorecard(profile: str, names: list[str], seeds: list[int] | None = None, figures: Path | None = None) -> str:
    """The scorecard page over ``seeds``; with ``figures``, also a figure per chapter of the per-seed values of its
    numeric paper claims (saved there, linked from the page)."""
    chapters, used = [], set()
    spread = []
    for name in names:
        recorded, seeds_used = aggregated_claims(profile, name, seeds)
        used.update(seeds_used)
        title = declaration(paths.NOTEBOOKS / f"{name}.py")["title"]
        chapters.append((name, title, recorded))
        if figures is not None and len(seeds_used) > 1:
            path = spread_figure(title, recorded, figures / f"spread-{name}.png")
            if path is not None:
                spread.append((title, path.name))
    page = claims_mod.scorecard_markdown(chapters, profile, sorted(used))
    if spread:
        page += (
            "\n## Spread over seeds\n\nEach numeric paper claim: one dot per seed, their mean with its 95 % "
            "t-interval, and the paper's value.\n\n"
        )
        page += "\n".join(f"![{title}: values per seed](figures/{file})\n" for title, file in spread)
    return page


def spread_figure(title: str, recorded: list[claims_mod.Claim], path: Path) -> Path | None:
    """Per-seed values of the numeric paper claims (a dot per seed, their mean with its 95 % t-interval as a bar, the
    paper's value as a cross), or None when the chapter has none: Table 1 or slide 14 with intervals."""
    from replicate import plots

    rows = [
        c
        for c in recorded
        if c.kind == "paper"
        and c.seeds
        and c.verdict != "not applicable"
        and isinstance(c.paper, (int, float))
        and not isinstance(c.paper, bool)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in c.seeds["values"])
    ]
    if not rows:
        return None
    plots.use_style()
    fig, ax = plots.subplots(figsize=(8, 0.45 * len(rows) + 1.2))
    shown = set()

    def label(text):  # one legend entry per kind of mark
        if text in shown:
            return None
        shown.add(text)
        return text

    for y, c in enumerate(rows):
        ax.scatter(
            c.seeds["values"],
            [y] * len(c.seeds["values"]),
            color=plots.PALETTE[0],
            s=18,
            zorder=3,
            label=label("ours, per seed"),
        )
        if c.interval and all(math.isfinite(v) for v in c.interval):
            low, high = c.interval
            ax.errorbar(
                [c.ours],
                [y],
                xerr=[[c.ours - low], [high - c.ours]],
                fmt="|",
                color=plots.PALETTE[1],
                capsize=3,
                zorder=2,
                label=label("ours, mean and 95 % t-interval"),
            )
        ax.scatter([c.paper], [y], marker="x", color=plots.PALETTE[3], s=40, zorder=4, label=label("paper"))
    ax.set_yticks(range(len(rows)), [plots.short_label(c.description, 60) for c in rows])
    ax.invert_yaxis()
    ax.legend(loc="best", fontsize="small")
    ax.set(title=f"{title}: ours per seed, their mean with its interval, and the paper", xlabel="value")
    plots.save_png(fig, path)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def stage(profile: str, names: list[str], seeds: list[int] | None = None) -> Path:
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
    first = min(seeds or [0])  # the figures and the text come from seed 0 (the lowest seed); the scorecard from all
    for name in names:
        executed = paths.chapter_dir(profile, name, first) / f"{name}.ipynb"
        shutil.copy2(executed, source / "book" / "chapters" / f"{name}.ipynb")
    (source / "book" / "scorecard.md").write_text(scorecard(profile, names, seeds, figures=source / "book" / "figures"))
    pages.decorate(source, profile, names, seeds)
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


DEFAULT_SEEDS = {"paper": [0, 1, 2], "smoke": [0]}


def build(profile: str = "paper", force: bool = False, seeds: list[int] | None = None, log=print, **sweep_options):
    """Run the stale chapters in ``profile`` for ``seeds`` (default: 3 for the paper profile, 1 for smoke), then
    render the site; return its index.html. Several seeds, or a Dask scheduler given in ``sweep_options``, run as a
    sweep (:mod:`replicate.core.sweep`); one seed without a scheduler runs here, chapter after chapter."""
    check_profile(profile)
    seeds = list(seeds if seeds is not None else DEFAULT_SEEDS[profile])
    names = toc_chapters()
    if len(seeds) == 1 and not sweep_options.get("scheduler"):
        for name in names:
            result = runner.run(name, profile, {"seed": seeds[0]}, force=force)
            log(f"{name} ({profile}): {'ran in %.1f s' % result.seconds if result.ran else 'up to date'}")
    else:
        from replicate.core import sweep

        done = sweep.sweep(names, seeds, profile, force=force, log=log, **sweep_options)
        if done.failed:
            raise ReplicateError(
                "the book was not built, since some runs failed:\n"
                + "\n".join(f"  {j.chapter} seed {j.seed}: {j.error}" for j in done.failed)
            )
    source = stage(profile, names, seeds)
    index = render(source, paths.profile_dir(profile) / "site")
    log(f"site: {index}")
    return index

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
from dataclasses import dataclass
from pathlib import Path

import yaml

from replicate import paths
from replicate.core import chapter_pages, cost_page, rules, runner, status_page
from replicate.core import claims as claims_mod
from replicate.core import scorecard as scorecard_mod
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
    runs = {}
    for seed in status_page.book_seeds(profile, name, seeds):
        claims_file = paths.Run(profile, name, seed).claims
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
    page = scorecard_mod.scorecard_markdown(chapters, profile, sorted(used))
    if figures is not None:
        path = verdict_figure(chapters, figures / "verdicts.png")
        if path is not None:
            head, rest = page.split("\n\n", 1)
            first, rest = rest.split("\n\n", 1)  # after the headline paragraph
            image = f"![The paper claims of each chapter by verdict](figures/{path.name})"
            page = "\n\n".join([head, first, image, rest])
    if spread:
        page += (
            "\n## Spread over seeds\n\nOne panel per table of the paper (its numeric claims, each on its own "
            "values): one dot per seed, their mean with its 95 % t-interval, and the paper's value where ours is "
            "comparable; where it is not (the paper's data is absent), ours alone. The paper's single "
            "numbers share a last panel, as ours divided by the paper's value.\n\n"
        )
        page += "\n".join(f"![{title}: values per seed](figures/{file})\n" for title, file in spread)
    return page


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass
class SpreadPanel:
    """One panel of a chapter's spread figure: a table of the paper (the claims of one source, each on its own
    values, the paper's value beside ours where comparable) or, with ``ratio``, the paper's single numbers as ours
    divided by the paper's value, so that seconds and a thousandfold speed-up share one axis."""

    title: str
    rows: list
    ratio: bool = False

    def values(self, claim) -> tuple[list[float], float | None, tuple[float, float] | None, float | None]:
        """(per-seed values, their mean, its interval, the paper's value or None) as this panel draws them."""
        scale = float(claim.paper) if self.ratio else 1.0
        interval = claim.interval if claim.interval and all(_number(v) for v in claim.interval) else None
        paper = 1.0 if self.ratio else (float(claim.paper) if _comparable(claim) else None)
        return (
            [v / scale for v in claim.seeds["values"]],
            claim.ours / scale if _number(claim.ours) else None,
            None if interval is None else (interval[0] / scale, interval[1] / scale),
            paper,
        )


def _comparable(claim) -> bool:
    return claim.verdict != "not applicable" and _number(claim.paper)


def spread_panels(recorded: list[claims_mod.Claim]) -> list[SpreadPanel]:
    """The panels of a chapter's spread figure, from its claims aggregated over seeds: one per source of two or more
    numeric paper claims (Table 1; slide 14, whose rows are ours on the substitute data when the paper's data is
    absent, drawn without the paper's value), in the chapter's order; then one panel of ours ÷ the paper's value for
    the numeric claims whose source has a single one (positive paper values only). Claims without numbers per seed
    (orders, yes/no statements) are left to the scorecard's table."""
    rows = [
        c
        for c in recorded
        if c.kind == "paper" and c.seeds and c.seeds.get("n", 0) > 1 and all(_number(v) for v in c.seeds["values"])
    ]
    by_source: dict[str, list] = {}
    for c in rows:
        by_source.setdefault(c.source, []).append(c)
    panels = [SpreadPanel(source, group) for source, group in by_source.items() if len(group) > 1]
    singles = [
        group[0] for group in by_source.values() if len(group) == 1 and _comparable(group[0]) and group[0].paper > 0
    ]
    if singles:
        panels.append(SpreadPanel("The paper's single numbers: ours ÷ the paper's value", singles, ratio=True))
    return panels


VERDICT_COLOURS = {  # one colour per verdict, the same on every figure of the book
    "replicated": "#009E73",
    "direction holds": "#56B4E9",
    "inconclusive": "#F0E442",
    "unstable": "#E69F00",
    "uninformative": "#CC79A7",
    "not replicated": "#D55E00",
    "not applicable": "#BBBBBB",
}


def verdict_figure(chapters: list[tuple[str, str, list]], path: Path) -> Path | None:
    """One bar per paper: its paper claims (each statement once) stacked by verdict. None when no chapter has a
    paper claim."""
    from replicate import plots

    rows = [(title, [c for c in claims if scorecard_mod.counted(c)]) for _, title, claims in chapters]
    rows = [(title, mine) for title, mine in rows if mine]
    if not rows:
        return None
    fig, ax = plots.subplots(figsize=(8, 0.5 * len(rows) + 1.4))
    left = [0] * len(rows)
    for verdict in rules.VERDICTS:
        counts = [sum(c.verdict == verdict for c in mine) for _, mine in rows]
        if not any(counts):
            continue
        ax.barh(range(len(rows)), counts, left=left, color=VERDICT_COLOURS.get(verdict, "#888888"), label=verdict)
        left = [a + b for a, b in zip(left, counts)]
    ax.set_yticks(range(len(rows)), [plots.short_label(title) for title, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel("paper claims")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=4, frameon=False, fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    plots.save_png(fig, path)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def spread_figure(title: str, recorded: list[claims_mod.Claim], path: Path) -> Path | None:
    """Per-seed values of the numeric paper claims, one panel per table of the paper (:func:`spread_panels`): a dot
    per seed, their mean with its 95 % t-interval as a bar, the paper's value as a cross. None when there is none."""
    from replicate import plots

    panels = spread_panels(recorded)
    if not panels:
        return None
    heights = [0.42 * len(p.rows) + 0.9 for p in panels]
    fig, axes = plots.subplots(
        len(panels), 1, figsize=(8, sum(heights) + 0.6), gridspec_kw={"height_ratios": heights}, squeeze=False
    )
    shown = set()

    def label(text):  # one legend entry per kind of mark, over the whole figure
        if text in shown:
            return None
        shown.add(text)
        return text

    for ax, panel in zip(axes[:, 0], panels):
        spans = []
        for y, c in enumerate(panel.rows):
            values, mean, interval, paper = panel.values(c)
            spans += values + ([paper] if paper is not None else [])
            ax.scatter(values, [y] * len(values), color=plots.PALETTE[0], s=18, zorder=3, label=label("ours, per seed"))
            if mean is not None and interval is not None:
                ax.errorbar(
                    [mean],
                    [y],
                    xerr=[[mean - interval[0]], [interval[1] - mean]],
                    fmt="|",
                    color=plots.PALETTE[1],
                    capsize=3,
                    zorder=2,
                    label=label("ours, mean and 95 % t-interval"),
                )
            if paper is not None:
                ax.scatter([paper], [y], marker="x", color=plots.PALETTE[3], s=40, zorder=4, label=label("paper"))
        if panel.ratio:
            ax.axvline(1.0, color="0.6", lw=0.8, zorder=1)
            positive = [v for v in spans if v > 0]
            if positive and max(positive) / min(positive) > 20:
                ax.set_xscale("log")
        comparable = any(_comparable(c) for c in panel.rows)
        heading = (
            panel.title
            if comparable
            else f"{panel.title} (ours only: the paper's values are not comparable, see each row's rule)"
        )
        ax.set_title(plots.short_label(heading, 90), fontsize="medium", loc="left")
        ax.set_yticks(range(len(panel.rows)), [plots.short_label(c.description, 60) for c in panel.rows])
        ax.set_ylim(len(panel.rows) - 0.5, -0.5)
        ax.set_xlabel("ours ÷ paper" if panel.ratio else "value")
    fig.suptitle(f"{title}: ours per seed, their mean with its interval, and the paper", fontsize="large")
    fig.legend(*_legend(axes[:, 0]), loc="outside lower center", ncol=3, fontsize="small")
    plots.save_png(fig, path)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def _legend(axes) -> tuple[list, list]:
    handles, labels = [], []
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    return handles, labels


def stage(profile: str, names: list[str], seeds: list[int] | None = None) -> Path:
    """Assemble the book's sources in ``build/<profile>/book``; return that directory."""
    source = paths.profile_dir(profile) / "book"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for file_name in ("_config.yml", "_toc.yml"):
        shutil.copy2(paths.REPO / file_name, source / file_name)
    shutil.copytree(
        paths.REPO / "book",
        source / "book",
        ignore=shutil.ignore_patterns("chapters", "scorecard.md", "status.md", "cost.md"),
    )
    (source / "book" / "chapters").mkdir()
    first = min(seeds or [0])  # the figures and the text come from seed 0 (the lowest seed); the scorecard from all
    for name in names:
        executed = paths.Run(profile, name, first).notebook
        shutil.copy2(executed, source / "book" / "chapters" / f"{name}.ipynb")
    (source / "book" / "scorecard.md").write_text(scorecard(profile, names, seeds, figures=source / "book" / "figures"))
    verdicts = {}
    for name in names:
        recorded, used = aggregated_claims(profile, name, seeds)
        verdicts[name] = scorecard_mod.verdict_box(recorded, used)
    chapter_pages.decorate(source, profile, names, seeds, verdicts)
    (source / "book" / "cost.md").write_text(cost_page.cost_markdown(cost_page.load()))
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
    runner.check_build_root()
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

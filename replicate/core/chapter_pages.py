"""What the book adds to each chapter's page around the executed notebook: the "Reproduce this chapter" box, the
verdict box's place, the downloads the box links to, the folded machinery cells.

Everything here is read from the runs (each run's stamp and claims) and from the repository's git state at stage
time; no number is typed. :func:`decorate` is called by ``site.stage`` on the staged book; it also writes the status
page (:mod:`replicate.core.status_page`).
"""

from __future__ import annotations

import ast
import json
import shlex
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from replicate import paths
from replicate.core.status_page import commit_label, duration_label, stamps, status_page, when_label
from replicate.errors import ReplicateError
from replicate.repro import git_state, machine_environment

# What each chapter replicates or describes: its key in book/references.bib (the box cites it).
PAPERS = {
    "data": ("The data", "harper2015"),
    "emde": ("The paper", "rychalska2020"),
    "cvae": ("The paper", "carraro2020"),
    "reconet": ("The paper", "fusco2019"),
    "skip": ("The paper", "afchar2020"),
}
DOWNLOADS = "downloads"  # beside the staged chapters: book/chapters/downloads/<name>.ipynb and <name>.py


# the reproduce box --------------------------------------------------------------------------------------------------
def commands(name: str, profile: str, params: dict, defaults: dict) -> tuple[str, str]:
    """The ``python -m replicate run`` command of a run and its plain jupytext + papermill equivalent."""
    extra = [f"{k}={params[k]}" for k in params if k not in ("profile", "seed") and params[k] != defaults.get(k)]
    replicate = f"python -m replicate run {name} --profile {profile} -p seed={params.get('seed')}"
    replicate += "".join(f" -p {shlex.quote(e)}" for e in extra)
    given = " ".join(f"-p {k} {shlex.quote(str(v))}" for k, v in params.items() if v is not None)
    papermill = (
        f"jupytext --to ipynb -o {name}.ipynb notebooks/{name}.py\n"
        f"papermill {name}.ipynb build/{profile}/{name}/{name}.ipynb --cwd notebooks {given}"
    )
    return replicate, papermill


def looped(name: str, profile: str, runs: list[dict], defaults: dict) -> list[str]:
    """The commands of ``runs``: for one seed, its ``python -m replicate`` line and the papermill equivalent; for
    several seeds whose parameters differ only in the seed, each as one loop over the seeds."""
    replicate, papermill = commands(name, profile, runs[0]["parameters"], defaults)
    seeds = [run["parameters"].get("seed") for run in runs]
    rest = [{k: v for k, v in run["parameters"].items() if k != "seed"} for run in runs]
    if len(runs) == 1 or any(other != rest[0] for other in rest):
        return [commands(name, profile, run["parameters"], defaults)[0] for run in runs] + [
            "# or",
            *[commands(name, profile, run["parameters"], defaults)[1] for run in runs],
        ]
    loop = f"for seed in {' '.join(map(str, seeds))}; do"
    convert, execute = papermill.splitlines()
    execute = execute.replace(f"-p seed {seeds[0]}", "-p seed $seed")
    execute = execute.replace(f"{name}/{name}.ipynb", f"{name}/{name}-$seed.ipynb")
    return [
        f"{loop} {replicate.replace(f'seed={seeds[0]}', 'seed=$seed')}; done",
        "# or",
        convert,
        f"{loop} {execute}; done",
    ]


def reproduce_box(name: str, profile: str, runs: list[dict], defaults: dict, build_state: dict) -> str:
    """MyST markdown of the "Reproduce this chapter" admonition for a chapter rendered from ``runs`` (stamps)."""
    if not runs:
        raise ReplicateError(
            f"chapter {name} has no {paths.Run(profile, name).stamp.name}: "
            f"run `python -m replicate run {name} --profile {profile}`"
        )
    first = runs[0]["parameters"]
    seeds = [r["parameters"].get("seed") for r in runs]
    rows = [("profile", f"`{profile}`"), ("seed" + ("s" if len(seeds) > 1 else ""), ", ".join(map(str, seeds)))]
    for key, value in first.items():
        if key not in ("profile", "seed"):
            rows.append((key, f"`{value!r}`"))
    seconds = [float(r.get("seconds", 0.0)) for r in runs]
    wall = (
        duration_label(seconds[0]) if len(seconds) == 1 else f"{duration_label(sum(seconds))} for {len(seconds)} seeds"
    )
    rows.append(("wall time", wall))
    rows.append(("executed", ", ".join(sorted({when_label(r.get("executed")) for r in runs}))))
    ran_from = [r for r in runs if r.get("commit")]
    rows.append(("commit", commit_label(ran_from[0] if ran_from else build_state)))
    lines = ["````{admonition} Reproduce this chapter", ":class: tip reproduce dropdown", ""]
    if name in PAPERS:
        what, key = PAPERS[name]
        lines += [f"{what}: {{cite:t}}`{key}`.", ""]
    lines += [
        "This page shows the run below: the notebook's parameters cell (its defaults) is hidden, these are the values"
        " it ran with.",
        "",
        "| Parameter | This run |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
        "Run it again (from the repository root, environment active), or with jupytext and papermill alone:",
        "",
        "```bash",
        *looped(name, profile, runs, defaults),
        "```",
        "",
        f"Downloads: {{download}}`the executed notebook ({name}.ipynb) <{DOWNLOADS}/{name}.ipynb>`, "
        f"{{download}}`its jupytext source ({name}.py) <{DOWNLOADS}/{name}.py>`.",
        "````",
    ]
    return "\n".join(lines)


WIDGET = "application/vnd.jupyter.widget-view+json"
PLOTLY_JSON = "application/vnd.plotly.v1+json"


def _machinery(source: str) -> bool:
    """Whether a code cell is machinery a reader folds away: imports only."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in body)


def insert_box(notebook: Path, box: str, verdict: str = "") -> None:
    """Put ``verdict`` (the chapter's verdict box) after the paragraph under the notebook's title (the paper in one
    paragraph), and ``box`` (the folded reproduce box) after it. Hide its parameters cell (the defaults): the box
    shows the values of the run instead, and the injected-parameters cell is already hidden by the runner. Also drop the
    widget outputs (tqdm's progress bars): the page would load the widget manager from a CDN to draw a finished bar,
    and their text fallback shows it at 0 %. Interactive figures keep their HTML only (the downloadable notebook
    keeps Plotly's JSON too, for JupyterLab)."""
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if cell.cell_type == "code" and "parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        if cell.cell_type == "code" and _machinery(cell.source) and "hide-input" not in tags:
            tags.append("hide-input")  # folded: the science calls stand out
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET not in o.get("data", {})]
            for output in cell.outputs:  # the book draws the HTML; myst-nb would warn on the JSON it does not know
                if "text/html" in output.get("data", {}):
                    output["data"].pop(PLOTLY_JSON, None)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        title = next((k for k, line in enumerate(lines) if line.startswith("# ")), None)
        if title is not None:
            start = next((k for k in range(title + 1, len(lines)) if lines[k].strip()), len(lines))
            end = next((k for k in range(start, len(lines)) if not lines[k].strip()), len(lines))
            boxes = [verdict, "", box] if verdict else [box]
            parts = [*lines[: title + 1], "", *lines[start:end], "", *boxes, "", *lines[end:]]
            cell.source = "\n".join(parts).replace("\n\n\n", "\n\n").rstrip() + "\n"
            break
    else:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n\n".join(filter(None, [verdict, box]))))
    nbformat.write(nb, notebook)


# the spread over seeds of a chapter's kept readings -----------------------------------------------------------------
def spread_table(frames: dict[int, pd.DataFrame]) -> str:
    """A markdown table of the same readings over seeds (``{seed: frame}``, as kept by ``Chapter.readings``): each
    cell's mean over the seeds (3 significant digits) ± its sample standard deviation (2), with the seeds' range;
    rows and columns of the first seed, a cell missing in a seed left out of that cell."""
    seeds = sorted(frames)
    first = frames[seeds[0]]
    head = [first.index.name or "", *first.columns]
    lines = ["| " + " | ".join(map(str, head)) + " |", "|" + "---|" * len(head)]
    for row in first.index:
        cells = [str(row)]
        for column in first.columns:
            values = np.array(
                [frames[s].at[row, column] for s in seeds if row in frames[s].index and column in frames[s].columns],
                dtype=float,
            )
            values = values[np.isfinite(values)]
            if len(values) < 2:
                cells.append(f"{values[0]:.3g}" if len(values) else "")
                continue
            cells.append(f"{values.mean():.3g} ± {values.std(ddof=1):.2g} ({values.min():.3g}–{values.max():.3g})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def kept_readings(runs: list[paths.Run]) -> dict[str, tuple[str | None, dict[int, pd.DataFrame]]]:
    """Every reading kept by ``Chapter.readings`` in ``runs`` (one chapter's seeds): name -> (the cell that kept it,
    {seed: frame})."""
    found: dict[str, tuple[str | None, dict[int, pd.DataFrame]]] = {}
    for run in sorted(runs, key=lambda r: r.seed):
        for path in sorted(run.readings.glob("*.json")):
            record = json.loads(path.read_text())
            frame = pd.DataFrame(record["data"], index=record["index"], columns=record["columns"])
            frame.index.name = record.get("index_name")
            _, frames = found.setdefault(path.stem, (record.get("cell"), {}))
            frames[run.seed] = frame
    return found


def insert_spread(notebook: Path, runs: list[paths.Run]) -> int:
    """Below each code cell of the staged ``notebook`` that kept readings, a markdown cell with their spread over the
    runs' seeds (:func:`spread_table`), where at least two seeds kept them; returns how many were inserted."""
    from replicate.core.chapter import cell_key

    readings = {name: kept for name, kept in kept_readings(runs).items() if len(kept[1]) >= 2}
    if not readings:
        return 0
    nb = nbformat.read(notebook, as_version=4)
    cells, inserted = [], 0
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        key = cell_key(cell.source)
        for kept_in, frames in readings.values():
            if kept_in == key:
                over = ", ".join(map(str, sorted(frames)))
                text = (
                    f"*Over seeds {over}* (the book's runs of this chapter): each number of the table above, as the "
                    f"mean over the seeds ± its standard deviation over them (lowest–highest seed).\n\n"
                    + spread_table(frames)
                )
                cells.append(nbformat.v4.new_markdown_cell(text))
                inserted += 1
    nb.cells = cells
    nbformat.write(nb, notebook)
    return inserted


# called by site.stage ----------------------------------------------------------------------------------------------
def decorate(
    source: Path, profile: str, names: list[str], seeds: list[int] | None = None, verdicts: dict | None = None
) -> None:
    """On the staged book in ``source``: a reproduce box on every chapter, its downloads, the status page, and
    plotly.js in ``_static`` for the interactive figures (one copy for the whole site; no CDN). ``seeds``: the
    book's seeds (default: every run on disk), the same as the scorecard's. ``verdicts``: each chapter's verdict box
    (markdown), put after its summary."""
    from replicate.core import interactive, runner
    from replicate.core.chapter import declaration

    build_state = git_state()
    chapters = source / "book" / "chapters"
    downloads = chapters / DOWNLOADS
    downloads.mkdir(parents=True, exist_ok=True)
    titles = {}
    for name in names:
        notebook = paths.NOTEBOOKS / f"{name}.py"
        titles[name] = declaration(notebook)["title"]
        staged = chapters / f"{name}.ipynb"
        shutil.copy2(staged, downloads / f"{name}.ipynb")
        shutil.copy2(notebook, downloads / f"{name}.py")
        box = reproduce_box(name, profile, stamps(profile, name, seeds), runner.parameters(notebook), build_state)
        insert_box(staged, box, (verdicts or {}).get(name, ""))
        runs = [paths.Run(profile, name, s) for s in (seeds or paths.chapter_seeds(profile, name))]
        insert_spread(staged, [run for run in runs if run.stamp.is_file()])
    status = status_page(profile, names, titles, build_state, machine_environment(), seeds)
    (source / "book" / "status.md").write_text(status)
    shutil.copy2(interactive.PLOTLY_JS, source / "book" / "_static" / interactive.PLOTLY_JS.name)

"""The status page: how and where the chapters of a build were executed (profile, seeds, wall time, commit, the
papers' claims by verdict) and the environments they ran in, read from the runs' stamps and claims.
"""

from __future__ import annotations

import datetime as dt
import json

from replicate import paths
from replicate.core import claims as claims_mod
from replicate.core import scorecard
from replicate.repro import PACKAGES


# reading the runs --------------------------------------------------------------------------------------------------
def book_seeds(profile: str, name: str, seeds: list[int] | None = None) -> list[int]:
    """The seeds of a chapter that the book shows: those of ``seeds`` with a run on disk (default: every run), so
    that a status page or a reproduce box never mixes in an older sweep's seeds that the scorecard leaves out."""
    return [s for s in paths.chapter_seeds(profile, name) if seeds is None or s in seeds]


def stamps(profile: str, name: str, seeds: list[int] | None = None) -> list[dict]:
    """The stamps of a chapter's runs, by seed (``<profile>/<chapter>/seed-<k>/stamp.json``), of ``seeds`` only
    when given."""
    found = []
    for path in [paths.Run(profile, name, seed).stamp for seed in book_seeds(profile, name, seeds)]:
        try:
            stamp = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found.append(stamp)  # a run from before the runner recorded "executed" and "commit" shows "not recorded"
    by_seed = {}
    for stamp in found:
        by_seed.setdefault(stamp.get("parameters", {}).get("seed"), stamp)
    return [by_seed[k] for k in sorted(by_seed, key=lambda s: (s is None, s))]


def when_label(iso: str | None) -> str:
    """When a run was executed, as the pages print it (``2026-12-01 18:04 UTC``), or ``not recorded``."""
    if not iso:
        return "not recorded"
    return dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def duration_label(total: float) -> str:
    """Seconds as the pages print them: ``12.3 s``, from two minutes on ``4.5 min``."""
    return f"{total:.1f} s" if total < 120 else f"{total / 60:.1f} min"


def commit_label(state: dict) -> str:
    """A git state (:func:`replicate.repro.git_state`) as the pages print it: the short commit in backquotes, then
    ``(clean tree)``, ``(uncommitted changes)`` or ``(tree state unknown)``."""
    commit = state.get("commit") or "unknown"
    clean = state.get("clean")
    tree = "clean tree" if clean else "uncommitted changes" if clean is False else "tree state unknown"
    return f"`{commit[:12]}` ({tree})"


# the status page ----------------------------------------------------------------------------------------------------
def _verdicts(profile: str, name: str, seeds: list[int] | None = None) -> tuple[str, str]:
    runs = {}
    for seed in book_seeds(profile, name, seeds):
        path = paths.Run(profile, name, seed).claims
        if path.is_file():
            runs[seed] = claims_mod.load(path)
    recorded = claims_mod.aggregate(runs)  # the verdicts over the seeds, as on the scorecard
    return (
        scorecard.summary([c for c in recorded if c.kind == "paper"]),
        scorecard.summary([c for c in recorded if c.kind == "book"]),
    )


def _environment_rows(env: dict) -> list[tuple[str, str]]:
    rows = [("Python", env.get("python", "?"))]
    packages = env.get("packages", {})
    rows += [(name, packages[name]) for name in [*PACKAGES, *sorted(set(packages) - set(PACKAGES))] if name in packages]
    rows += [("CPU", env.get("cpu", "?")), ("cores", str(env.get("cores", "?")))]
    rows += [("torch threads", str(env.get("torch_threads", "?"))), ("GPU", env.get("gpu", "none"))]
    return rows


def status_page(
    profile: str,
    names: list[str],
    titles: dict[str, str],
    build_state: dict,
    here: dict,
    seeds: list[int] | None = None,
) -> str:
    """Markdown of the status page: per chapter its runs (of ``seeds``, default all) and verdicts; the environments
    the chapters ran in."""
    lines = [
        "# Status",
        "",
        f"How and where the chapters of this build were executed (profile `{profile}`), generated from their "
        f"runs when the book was assembled. The book was assembled from commit {commit_label(build_state)}.",
        "",
        "| Chapter | Profile | Seeds | Wall time | Executed | Commit | Paper claims | Book checks |",
        "|---|---|---|---|---|---|---|---|",
    ]
    environments: dict[str, list[str]] = {}
    for name in names:
        runs = stamps(profile, name, seeds)
        paper, book = _verdicts(profile, name, seeds)
        shown = ", ".join(str(r["parameters"].get("seed")) for r in runs) or "not run"
        wall = duration_label(sum(float(r.get("seconds", 0.0)) for r in runs)) if runs else ""
        when = ", ".join(sorted({when_label(r.get("executed")) for r in runs}))
        ran = [r for r in runs if r.get("commit")]
        commit = commit_label(ran[0]) if ran else "not recorded"
        link = f"{{doc}}`{titles.get(name, name)} <chapters/{name}>`"
        lines.append(f"| {link} | `{profile}` | {shown} | {wall} | {when} | {commit} | {paper} | {book} |")
        for run in runs:
            key = json.dumps(run.get("environment") or here, sort_keys=True)
            environments.setdefault(key, [])
            if name not in environments[key]:
                environments[key].append(name)
    lines += ["", "## Environment", ""]
    if not environments:
        environments[json.dumps(here, sort_keys=True)] = []
    for key, chapters in environments.items():
        env = json.loads(key)
        which = ", ".join(chapters) if len(environments) > 1 else "every chapter"
        lines += [
            f"Where {which} ran:" if chapters else "This machine:",
            "",
            "| What | Version or value |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v} |" for k, v in _environment_rows(env)]
        lines.append("")
    return "\n".join(lines)

"""``python -m replicate run``: jupytext ``.py`` -> ``.ipynb`` -> papermill with parameters -> executed chapter.

A chapter's outputs live in ``build/<profile>/<chapter>/seed-<k>/``: the executed ``<chapter>.ipynb``,
``figures/*.png``, ``claims.json`` and ``stamp.json``. The stamp hashes everything the run depends on (the notebook,
the ``replicate`` package, the parameters); a chapter whose stamp matches is not run again. A run executes in a
temporary directory and replaces the previous outputs only when it succeeds; a failed run leaves its executed notebook
in ``build/<profile>/<chapter>/seed-<k>.failed/`` for inspection and nothing else.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from replicate import paths
from replicate.core import claims as claims_mod
from replicate.core.chapter import (
    CONTROLS,
    cell_key,
    check_profile,
    choices_file,
    is_chapter,
)
from replicate.errors import ParameterError, ReplicateError
from replicate.repro import NATIVE_KERNELS, environment, kernel_environment, run_record

REQUIRED_PARAMETERS = ("profile", "dataset", "data_dir", "seed", "device")


def notebook_path(name: str | os.PathLike) -> Path:
    """``data``, ``data.py`` or ``notebooks/data.py`` -> the notebook's path; unknown names list the valid ones, and a
    path to a file that does not exist says so (it is never taken for the chapter of the same name elsewhere)."""
    candidate = Path(name)
    if candidate.suffix == ".py" and candidate.is_file():
        return candidate.resolve()
    if len(candidate.parts) > 1:  # a path, not a chapter's name: never taken for notebooks/<its stem>.py
        raise ParameterError(
            f"no notebook file {candidate}: it does not exist (name a chapter by its stem, e.g. {candidate.stem}, "
            f"or give an existing path)"
        )
    path = paths.NOTEBOOKS / f"{candidate.stem}.py"
    if not path.is_file():
        raise ParameterError(f"unknown notebook {str(name)!r}: valid notebooks are {', '.join(available())}")
    return path


def available() -> list[str]:
    """The chapters: ``notebooks/*.py`` files with a ``replicate:`` header block."""
    return sorted(p.stem for p in paths.NOTEBOOKS.glob("*.py") if is_chapter(p))


def parameters(notebook: Path) -> dict:
    """The notebook's papermill parameters (the cell tagged ``parameters``) with their default values."""
    nb = jupytext.read(notebook)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ReplicateError(f"{notebook} must have exactly one code cell tagged 'parameters' (found {len(cells)})")
    defaults = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    try:
                        defaults[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        raise ReplicateError(
                            f"{notebook}: parameter {target.id} must be a plain literal (papermill replaces these "
                            f"values); compute derived settings in a later cell"
                        ) from None
    missing = [p for p in REQUIRED_PARAMETERS if p not in defaults]
    if missing:
        raise ReplicateError(f"{notebook}'s parameters cell lacks {', '.join(missing)}")
    return defaults


def parse_assignments(pairs: list[str]) -> dict:
    """``["seed=3", "dataset=ml-1m"]`` -> ``{"seed": 3, "dataset": "ml-1m"}`` (Python literals, else strings)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParameterError(f"parameter {pair!r} is not of the form key=value")
        try:
            out[key.strip()] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            out[key.strip()] = value
    return out


def resolve_parameters(notebook: Path, profile: str, given: dict | None) -> dict:
    """Merge the profile and the given values over the defaults; reject unknown names, listing the valid ones."""
    defaults = parameters(notebook)
    given = dict(given or {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for {notebook.name}: valid parameters are {', '.join(defaults)}"
        )
    if "profile" in given and given["profile"] != profile:
        raise ParameterError("give the profile with --profile, not -p profile=...")
    resolved = {**defaults, **given, "profile": check_profile(profile)}
    seed = resolved.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    if resolved.get("data_dir") is not None and not isinstance(resolved["data_dir"], str):
        raise ParameterError(f"data_dir must be a folder's path or None, got {resolved['data_dir']!r}")
    if resolved.get("data_dir"):  # the kernel runs in notebooks/: make a relative path mean what the caller meant
        resolved["data_dir"] = str(Path(resolved["data_dir"]).expanduser().resolve())
    check_values(notebook, resolved)
    return resolved


def check_values(notebook: Path, resolved: dict) -> None:
    """Reject, before any kernel or cluster starts, a device, dataset or data folder the chapter cannot use: one
    :class:`ParameterError` naming the value, what is wrong and the valid ones."""
    from replicate.repro import resolve_device

    device = resolved.get("device")
    if not isinstance(device, str):
        raise ParameterError(f"device must be a string ('auto', 'cpu', 'cuda' or 'cuda:N'), got {device!r}")
    resolve_device(device)
    dataset = resolved.get("dataset")
    choices = dataset_choices(notebook)
    if dataset not in choices:
        raise ParameterError(
            f"unknown dataset {dataset!r} for {notebook.stem}: valid datasets are {', '.join(map(str, choices))}"
        )
    data_dir = resolved.get("data_dir")
    if data_dir:
        folder = Path(data_dir)
        if folder.exists() and not folder.is_dir():
            raise ParameterError(f"data_dir {folder} is a file: give the folder that holds the data")
        if not folder.exists():
            raise ParameterError(
                f"data_dir {folder} does not exist: correct the path, or create it and fetch the data into it with "
                f"`python -m replicate fetch --data-dir {folder}`"
            )


def dataset_choices(notebook: Path) -> list[str]:
    """The datasets a chapter accepts: its header's ``dataset_choices``, else every rating dataset of
    :data:`replicate.data.DATASETS`; its default ``dataset`` is always among them."""
    from replicate.core.chapter import declaration
    from replicate.data import DATASETS

    declared = declaration(notebook).get("dataset_choices") if is_chapter(notebook) else None
    return list(dict.fromkeys([parameters(notebook)["dataset"], *(declared or DATASETS)]))


def check_build_root() -> Path:
    """The build folder, if it can be written; else one error naming it and the fix (nothing is created)."""
    return paths.usable_dir(
        paths.build_root(), "build folder", "set REPLICATE_BUILD_DIR to a folder you can write, or unset it"
    )


def stamp_of(notebook: Path, params: dict, kernels: dict | None = None) -> str:
    """Hash of the notebook, its parameters and the pinned kernels it runs with (``kernels``, see
    :func:`replicate.repro.kernel_environment`). The ``replicate`` modules a run used are checked separately
    (``dependencies.json``), so an edit to one chapter's model does not re-run the others."""
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    if kernels:
        digest.update(json.dumps(kernels, sort_keys=True).encode())
    return digest.hexdigest()


@dataclass
class RunResult:
    name: str
    profile: str
    directory: Path
    ran: bool
    seconds: float
    seed: int = 0

    @property
    def run(self) -> paths.Run:
        return paths.Run(self.profile, self.name, self.seed, folder=self.directory)

    @property
    def notebook(self) -> Path:
        return self.run.notebook


def read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def is_fresh(run: paths.Run, stamp: str) -> bool:
    """Whether the outputs of ``run`` were made from this stamp, from the current ``replicate`` modules and, for a seed
    that reused seed 0's choices, from the choices recorded now."""
    recorded = read_json(run.stamp)
    dependencies = read_json(run.dependencies)
    if not isinstance(recorded, dict) or recorded.get("stamp") != stamp or not isinstance(dependencies, dict):
        return False
    if not run.notebook.is_file():
        return False
    for relative, digest in dependencies.items():
        path = paths.REPO / relative
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    reused = read_json(run.chosen)
    if isinstance(reused, dict) and reused:
        current = read_json(choices_file(run.dir.parent.parent, run.chapter))
        if not isinstance(current, dict) or any(current.get(k) != v for k, v in reused.items()):
            return False
    return True


def _fetch_needed(notebook: Path, params: dict) -> None:
    """Fetch the embedded datasets the notebook declares, and the one its ``dataset`` parameter names."""
    from replicate.core.chapter import declaration
    from replicate.data import EMBEDDED, ensure_embedded

    wanted = set(declaration(notebook)["datasets"]) if is_chapter(notebook) else set()
    wanted.add(params.get("dataset"))
    ensure_embedded(params.get("data_dir"), names=[n for n in EMBEDDED if n in wanted])


def run(notebook, profile: str = "smoke", params: dict | None = None, force: bool = False) -> RunResult:
    """Execute one notebook unless its outputs are up to date; return where its outputs are."""
    import papermill

    path = notebook_path(notebook)
    name = path.stem
    resolved = resolve_parameters(path, profile, params)
    check_build_root()
    kernels = kernel_environment(profile)
    stamp = stamp_of(path, resolved, kernels)
    seed = resolved["seed"]
    final = paths.Run(profile, name, seed).dir
    clear_dead_attempts(final)
    if not force and is_fresh(paths.Run(profile, name, seed), stamp):
        return RunResult(name, profile, final, ran=False, seconds=0.0, seed=seed)

    _fetch_needed(path, resolved)

    final.parent.mkdir(parents=True, exist_ok=True)
    failed = final.parent / f"{final.name}.failed"
    shutil.rmtree(failed, ignore_errors=True)
    # a folder of its own per attempt: a killed attempt's leftovers never mix with a retry's outputs
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.running-{_owner()}-", dir=final.parent))
    attempt = paths.Run(profile, name, seed, folder=work)
    source = work / f"{name}.source.ipynb"
    notebook_obj = jupytext.read(path)
    notebook_obj.metadata.setdefault(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}
    )
    jupytext.write(notebook_obj, source, fmt="ipynb")
    executed = attempt.notebook
    env = {
        "REPLICATE_OUTPUT_DIR": str(work),
        "REPLICATE_BUILD_DIR": str(paths.build_root()),
        "REPLICATE_DATA_DIR": str(paths.data_root()),
        **kernels,
    }
    start = time.perf_counter()
    with environment(env):  # the kernel inherits this process's environment
        try:
            with _kernel_stderr_to(work / "kernel.log"):
                papermill.execute_notebook(
                    str(source),
                    str(executed),
                    parameters=resolved,
                    kernel_name="python3",
                    cwd=str(path.parent),
                    progress_bar=False,
                    log_output=False,
                )
        except papermill.PapermillExecutionError as error:
            source.unlink(missing_ok=True)
            work.rename(failed)
            raise ReplicateError(
                f"notebook {name} ({profile}) failed in cell {error.exec_count}: {error.ename}: {error.evalue}\n"
                f"the executed notebook is at {failed / executed.name}"
            ) from None
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    seconds = time.perf_counter() - start
    source.unlink()
    (work / "kernel.log").unlink()
    try:
        if not attempt.dependencies.is_file():
            raise ReplicateError(f"notebook {name} ran but never called ch.finish(): end it with `ch.finish()`")
        _finalise(attempt)
    except ReplicateError:
        work.rename(failed)
        raise
    attempt.stamp.write_text(
        json.dumps(
            {
                "stamp": stamp,
                "parameters": resolved,
                "seconds": round(seconds, 2),
                "kernels": kernels or NATIVE_KERNELS,
                **run_record(),
            },
            indent=1,
            default=str,
        )
    )
    _replace(work, final)
    return RunResult(name, profile, final, ran=True, seconds=seconds, seed=seed)


def _replace(work: Path, final: Path) -> None:
    """Put the finished ``work`` folder in place of ``final`` (the previous outputs go only once the new are whole)."""
    if final.exists():
        old = final.with_name(f".{final.name}.old-{_owner()}")
        final.rename(old)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(final)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "host"


def _owner() -> str:
    """``<host>-<pid>``: which process of which machine an attempt's folder belongs to (build folders may be shared
    by the workers of a cluster)."""
    return f"{_host()}-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def clear_dead_attempts(final: Path) -> list[Path]:
    """Remove what a killed run of ``final`` left beside it, and return it: ``.seed-<k>.running-<host>-<pid>-*``
    folders of a process of this machine that no longer runs (a SIGKILL skips the run's own cleanup); and, where a
    kill fell between the two renames of :func:`_replace`, the previous outputs parked at ``.seed-<k>.old-<host>-<pid>``
    go back in place (or away, once new outputs are there). Folders of live processes, or of other machines, stay."""
    removed = []
    for folder in sorted(final.parent.glob(f".{final.name}.*-{_host()}-*")):
        kind, _, rest = folder.name[len(final.name) + 2 :].partition("-")
        pid = rest[len(_host()) + 1 :].split("-")[0] if rest.startswith(f"{_host()}-") else ""
        if kind not in ("running", "old") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not final.exists():
            folder.rename(final)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def _kernel_stderr_to(path: Path):
    """Send the kernel process's own log (it inherits file descriptor 2) to ``path`` instead of the terminal.

    Cell output reaches the notebook over the kernel protocol and is not affected; what lands in ``path`` is the
    kernel's housekeeping (transport warnings, shutdown messages), kept next to a failed notebook for diagnosis.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def section_anchor(title: str) -> str:
    """The HTML id Sphinx gives a section with this title."""
    from docutils.nodes import make_id

    return make_id(title)


def _headings(source: str) -> list[tuple[int, str]]:
    out = []
    in_fence = False
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            if line[level : level + 1] == " ":
                out.append((level, line[level:].strip()))
    return out


def _finalise(run: paths.Run) -> None:
    """Hide the injected-parameters cell in the book, and give each claim the section it was recorded in."""
    executed, claims_file = run.notebook, run.claims
    nb = nbformat.read(executed, as_version=4)
    section_of_cell = {}
    titles = []
    current = ""
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        if cell.cell_type == "markdown":
            headings = [h for h in _headings(cell.source) if h[0] >= 2]
            titles += [h[1] for h in headings]
            if headings:
                current = headings[-1][1]
        elif cell.cell_type == "code":
            section_of_cell[cell_key(cell.source)] = current
    nbformat.write(nb, executed)
    timings_file = run.timings
    per_cell = read_json(timings_file)
    if isinstance(per_cell, dict):  # seconds per section ("" before the first heading): the chapter's stages
        stages: dict[str, float] = {}
        controls = per_cell.pop(CONTROLS, None)
        for key, seconds in per_cell.items():
            section = section_of_cell.get(key, "")
            stages[section] = round(stages.get(section, 0.0) + seconds, 3)
        summary = {"stages": stages, **({"controls": controls} if controls is not None else {})}
        timings_file.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    if claims_file.is_file():
        recorded = claims_mod.load(claims_file)
        for claim in recorded:
            claim.section = section_of_cell.get(claim.cell, "")
            claim.anchor = section_anchor(claim.section) if claim.section else ""
            if claim.why and claim.why not in titles:
                raise ReplicateError(
                    f"{executed.stem}: claim {claim.id!r} names {claim.why!r} as its Why section, which is no heading "
                    f"of the chapter (headings: {', '.join(repr(t) for t in titles)})"
                )
            claim.why_anchor = section_anchor(claim.why) if claim.why else ""
        repeated = sorted({c.section for c in recorded if c.section and titles.count(c.section) > 1})
        if repeated:
            raise ReplicateError(
                f"{executed.stem}: claims are recorded under headings that occur twice ({', '.join(repeated)}); "
                f"give each section a distinct title so that the scorecard can link to it"
            )
        claims_mod.save(recorded, claims_file)

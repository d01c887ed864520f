"""What a notebook talks to: stable figure names, recorded claims, and the chapter's declaration.

Each notebook declares, in its jupytext header, the figures it must produce and the module that declares its
claims (:class:`~replicate.core.claims.Declared`: the paper's words, value, rule and null, once)::

    # ---
    # jupyter:
    #   replicate:
    #     title: The data
    #     figures: [ratings, genres]
    #     claims: replicate.data.claims
    #     dataset_choices: [ml-1m, ml-100k]
    # ---

and opens with ``ch = Chapter("data", profile=profile)``. ``ch.figure(fig, "ratings")`` saves
``figures/ratings.png`` in the chapter's output directory and shows it; ``ch.record(id, ours, interval, null=...)``
records the measurement of a declared claim (and of its null) in ``claims.json``; ``ch.finish()`` fails when a
declared figure or claim is missing. ``python -m replicate check`` then
compares the outputs with the committed references.

The output directory is ``$REPLICATE_OUTPUT_DIR`` when the runner sets it, else
``build/<profile>/<chapter>/seed-<seed>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import jupytext
import matplotlib.pyplot as plt
import pandas as pd

from replicate import paths, plots
from replicate.core import claims as claims_mod
from replicate.core import rules
from replicate.core.claims import Claim
from replicate.errors import ParameterError, ReplicateError
from replicate.repro import PORTABLE_KERNELS, resolve_device, seed_everything


def choices_file(profile_dir: Path, name: str) -> Path:
    """Where seed 0 of chapter ``name`` records its choices (searches) for the other seeds of the profile."""
    return profile_dir / "choices" / f"{name}.json"


def declaration(notebook: Path) -> dict:
    """The ``replicate`` block of a notebook's header: title, figures, claims (the ids declared by the module that
    ``claims:`` names, e.g. ``replicate.papers.emde.claims``), and that module's path (``claims_module``)."""
    meta = jupytext.read(notebook).metadata.get("replicate")
    if not isinstance(meta, dict) or "title" not in meta:
        raise ReplicateError(f"{notebook} has no `replicate:` block with a title in its jupytext header")
    module = meta.get("claims")
    if isinstance(module, str):
        try:
            ids = list(claims_mod.declarations(module))
        except (ImportError, TypeError, ValueError) as error:
            raise ReplicateError(f"{notebook}: its claims module {module} cannot be loaded ({error})") from error
    else:
        ids, module = list(module or []), None
    return {
        "title": meta["title"],
        "figures": list(meta.get("figures", [])),
        "claims": ids,
        "claims_module": module,
        "datasets": list(meta.get("datasets", [])),
        "dataset_choices": list(meta.get("dataset_choices", [])),
    }


def is_chapter(notebook: Path) -> bool:
    """Whether a ``.py`` file under ``notebooks/`` is a chapter (it has a ``replicate:`` header block)."""
    try:
        return isinstance(jupytext.read(notebook).metadata.get("replicate"), dict)
    except Exception:  # an unreadable file is not a chapter; running it names the problem
        return False


CONTROLS = "__controls__"  # the key of a run's timings for the seconds spent on nulls and positive controls


def used_modules() -> dict[str, str]:
    """sha256 of every module of the ``replicate`` package imported in this process, by path relative to the repo."""
    package = paths.REPO / "replicate"
    out = {}
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(package):
            path = Path(file).resolve()
            out[path.relative_to(paths.REPO).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def check_profile(profile: str) -> str:
    if profile not in paths.PROFILES:
        raise ParameterError(f"unknown profile {profile!r}: valid profiles are {', '.join(paths.PROFILES)}")
    return profile


def cell_key(source: str) -> str:
    """Identifies a notebook cell by its source; the runner uses it to find the section a claim was recorded in."""
    return hashlib.sha1(source.strip().encode()).hexdigest()[:12]


class Chapter:
    def __init__(
        self,
        name: str,
        profile: str = "smoke",
        seed: int = 0,
        device: str = "auto",
        output_dir: str | os.PathLike | None = None,
    ):
        """Also seeds everything (``self.rng`` is a NumPy generator for ``seed``), resolves ``device`` ("auto": CUDA
        when present) into ``self.device``, and starts the clock whose wall time ``finish`` prints."""
        self._started = time.perf_counter()
        self.name = name
        self.profile = check_profile(profile)
        self.notebook = paths.NOTEBOOKS / f"{name}.py"
        if not self.notebook.is_file():
            raise ReplicateError(f"no notebook {self.notebook} for chapter {name!r}")
        self.declared = declaration(self.notebook)
        module = self.declared["claims_module"]
        self.declarations = claims_mod.declarations(module) if module else {}
        self.title = self.declared["title"]
        folder = output_dir or os.environ.get("REPLICATE_OUTPUT_DIR")
        self.run = paths.Run(self.profile, name, seed, folder=Path(folder) if folder else None).resolved()
        self.dir = self.run.dir
        self.figure_dir = self.run.figures
        self.claims: list[Claim] = []
        self.figures: dict[str, Path] = {}
        self.dir.mkdir(parents=True, exist_ok=True)
        self._cell = None
        self.cell_seconds: dict[str, float] = {}
        self.control_seconds = 0.0
        self._watch_cells()
        plots.use_style()
        self.seed = seed
        self.rng = seed_everything(seed)
        self.device = resolve_device(device)
        print(f"{name}: profile={profile}, seed={seed}, device={self.device}")

    def _watch_cells(self) -> None:
        """Under IPython, remember which cell is running, so that each claim knows the cell it came from."""
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            return
        shell = get_ipython()
        if shell is not None:
            shell.events.register("pre_run_cell", self._before_cell)
            shell.events.register("post_run_cell", self._after_cell)

    def _before_cell(self, info) -> None:
        self._cell = cell_key(info.raw_cell or "")
        self._cell_started = time.perf_counter()

    def _after_cell(self, result) -> None:
        """Wall time per cell (summed per section by the runner: the stages of ``python -m benchmarks book``)."""
        if self._cell is not None and getattr(self, "_cell_started", None) is not None:
            self.cell_seconds[self._cell] = (
                self.cell_seconds.get(self._cell, 0.0) + time.perf_counter() - self._cell_started
            )

    # figures -------------------------------------------------------------------------------------------------------
    def figure(self, fig, name: str, show: bool = True) -> None:
        """Save ``fig`` as ``figures/<name>.png`` (``name`` must be declared), show it, and close it. Returns nothing,
        so that a cell ending with it shows the figure and no return value."""
        if name not in self.declared["figures"]:
            raise ReplicateError(
                f"figure {name!r} is not declared in {self.notebook.name}'s header: add it to replicate.figures"
            )
        path = self.run.figure(name)
        data = plots.save_png(fig, path)
        plt.close(fig)
        self.figures[name] = path
        if show:
            from IPython.display import Image, display

            display(Image(data=data, format="png"))

    def interactive(self, fig, name: str) -> None:
        """Show the Plotly figure ``fig`` as an interactive figure in the page (offline; see core/interactive.py).
        The PNG saved with :meth:`figure` stays what the regeneration check reads."""
        from replicate.core import interactive

        interactive.show(fig, self.name, name)

    # claims --------------------------------------------------------------------------------------------------------
    def record(
        self,
        id: str,
        ours=None,
        interval=None,
        *,
        null=rules.NO_NULL,
        null_interval=None,
        note: str = "",
        rule_args: dict | None = None,
        missing: str = "",
        cause: str = "data",
        miss_cause: str = "",
    ) -> None:
        """Record the measurement of the declared claim ``id`` (its statement, paper value, rule and null live in the
        chapter's claims module, never in the notebook).

        ``ours`` with its optional 95 % ``interval``; ``null`` and ``null_interval``: what the claim's null (an
        absence claim's positive control) gave with the same measurement, required for every testable paper claim.
        ``rule_args``: the rule's fields measured in the run (those the declaration names ``runtime``). ``missing``:
        why the claim could not be measured in this run, with its ``cause``: ``"data"`` (the run's data or options
        lack it: not applicable), ``"seed"`` (it runs with the search, on seed 0 only) or ``"model"`` (this seed's
        model made it unmeasurable: a miss). ``miss_cause``: the cause of a miss that this run's tested check
        found (one of :data:`~replicate.core.claims.MISS_CAUSES`; default: the declaration's). Returns nothing;
        :meth:`table` shows the recorded claims."""
        declared = self.declarations.get(id)
        if declared is None:
            where = self.declared["claims_module"] or self.notebook.name
            raise ReplicateError(f"claim {id!r} is not declared in {where}: declare it there")
        if any(c.id == id for c in self.claims):
            raise ReplicateError(f"claim {id!r} recorded twice in chapter {self.name!r}")
        try:
            claim = claims_mod.Claim.declared(
                self.name,
                declared,
                ours,
                interval,
                null=null,
                null_interval=null_interval,
                rule_args=rule_args,
                missing=missing,
                cause=cause,
                note=note,
                cell=self._cell,
                miss_cause=miss_cause,
            )
        except (TypeError, ValueError) as error:
            raise ReplicateError(str(error)) from error
        self.claims.append(claim)
        claims_mod.save(self.claims, self.run.claims)

    def recorded(self, id: str) -> claims_mod.Claim:
        """The recorded claim ``id`` (its ``verdict``, ``ours``, ``null``...), for the prose glued after its cell: read
        by name, never by its position among the recorded claims."""
        for claim in self.claims:
            if claim.id == id:
                return claim
        raise ReplicateError(f"claim {id!r} is not recorded yet in chapter {self.name!r}: record it first")

    def verdicts(self, *ids: str) -> str:
        """``"id: verdict; ..."`` of the recorded claims ``ids``, in that order, for glued prose."""
        return "; ".join(f"{id}: {self.recorded(id).verdict}" for id in ids)

    def miss_cause(self, id: str, cause: str) -> None:
        """Tag the recorded claim ``id`` with the cause of its miss that a tested "Why" check of this run supports
        (one of :data:`~replicate.core.claims.MISS_CAUSES`); the scorecard and the verdict box show it beside a
        ``not replicated`` or ``unstable`` verdict. Call it only where the check supports the cause."""
        if cause not in claims_mod.MISS_CAUSES:
            raise ReplicateError(f"miss cause must be one of {', '.join(claims_mod.MISS_CAUSES)}, got {cause!r}")
        self.recorded(id).miss_cause = cause
        claims_mod.save(self.claims, self.run.claims)

    @contextlib.contextmanager
    def controls(self):
        """Time the work done only for nulls and positive controls (``with ch.controls(): null = ...``): its share
        of the run is what ``python -m benchmarks book`` prints as the cost of the controls."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.control_seconds += time.perf_counter() - started

    # choices made once per chapter ----------------------------------------------------------------------------------
    def _choices_file(self) -> Path:
        return choices_file(paths.profile_dir(self.profile), self.name)

    def chosen(self, name: str):
        """What seed 0 chose for ``name`` (a hyperparameter search, a selection), for the other seeds to reuse; ``None``
        on seed 0, which searches and then calls :meth:`choose`. Searching once per chapter keeps seeds comparable
        and affordable."""
        if self.seed == 0:
            return None
        stored = json.loads(self._choices_file().read_text()) if self._choices_file().is_file() else {}
        if name not in stored:
            raise ReplicateError(
                f"seed {self.seed} of {self.name} reuses what seed 0 chose for {name!r}, but no seed-0 run of the "
                f"{self.profile} profile recorded it: run "
                f"`python -m replicate run {self.name} --profile {self.profile}` (seed 0) first"
            )
        used = self.run.chosen  # recorded, so that the run is stale once seed 0 chooses otherwise
        reused = json.loads(used.read_text()) if used.is_file() else {}
        reused[name] = stored[name]
        used.write_text(json.dumps(reused, indent=1, sort_keys=True, default=str) + "\n")
        return stored[name]

    def choose(self, name: str, value) -> None:
        """On seed 0, record ``value`` (JSON) as the choice for ``name`` that the other seeds reuse (:meth:`chosen`)."""
        if self.seed != 0:
            return
        path = self._choices_file()
        stored = json.loads(path.read_text()) if path.is_file() else {}
        stored[name] = rules.plain(value)
        paths.write_whole(path, json.dumps(stored, indent=1, sort_keys=True, default=str) + "\n")

    def readings(self, name: str, frame: pd.DataFrame) -> None:
        """Keep the numeric table ``frame`` of this seed (rows and columns as the reader sees them) under ``name``:
        where the book ran several seeds, its page shows each cell's mean and spread over them below this cell."""
        if not name.replace("_", "").isalnum():
            raise ReplicateError(f"readings name {name!r}: use letters, digits and underscores")
        table = frame.astype(float)
        record = {"cell": self._cell, "index_name": table.index.name, **table.to_dict(orient="split")}
        paths.write_whole(self.run.readings / f"{name}.json", json.dumps(record, indent=1) + "\n")

    def glue(self, name: str, value, fmt: str = "") -> None:
        """Make ``value`` (formatted with ``fmt``, e.g. ``".3f"``) available to the chapter's markdown as
        ``{glue:text}`name` ``, so that no number of the run is typed into prose (myst-nb glue; nothing is shown)."""
        from myst_nb import glue

        glue(name, format(value, fmt) if fmt else value, display=False)

    def table(self, ids=None):
        """The recorded claims (all, or those named) as a table: paper beside ours, rule and verdict."""
        chosen = [c for c in self.claims if ids is None or c.id in ids]
        return claims_mod.to_frame(chosen)

    # end -----------------------------------------------------------------------------------------------------------
    def finish(self):
        """Fail if a declared figure or claim was not produced; record which ``replicate`` modules the run used (so
        that the runner re-runs the chapter when one of them changes); return the table of all claims."""
        missing = [f"figure {f}" for f in self.declared["figures"] if f not in self.figures]
        recorded = {c.id for c in self.claims}
        missing += [f"claim {c}" for c in self.declared["claims"] if c not in recorded]
        if missing:
            raise ReplicateError(f"chapter {self.name!r} did not produce: {', '.join(missing)}")
        self.run.dependencies.write_text(json.dumps(used_modules(), indent=1, sort_keys=True) + "\n")
        timings = {k: round(v, 3) for k, v in self.cell_seconds.items()}
        timings[CONTROLS] = round(self.control_seconds, 3)
        self.run.timings.write_text(json.dumps(timings) + "\n")
        self.run.device.write_text(json.dumps(device_record(self.device)) + "\n")
        print(f"wall time of this run: {(time.perf_counter() - self._started) / 60:.1f} min ({self.profile} profile)")
        return self.table()


def device_record(device: str) -> dict:
    """What ran where: the resolved device, the CPU kernels pinned for this kernel's process (``cpu_kernels``, when
    the runner pinned them: :data:`replicate.repro.PORTABLE_KERNELS`) and, on CUDA, the peak of memory allocated on it
    during the run (zero would mean that the chapter's work silently stayed on the CPU)."""
    record = {"device": device}
    pinned = {k: os.environ[k] for k in PORTABLE_KERNELS if k in os.environ}
    if pinned:
        record["cpu_kernels"] = pinned
    if device.startswith("cuda"):
        import torch

        record["cuda_peak_bytes"] = int(torch.cuda.max_memory_allocated(device))
    return record

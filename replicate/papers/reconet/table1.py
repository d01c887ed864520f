"""Table 1 of RecoNet: every method tuned by one rule, one call from the notebook.

**The tuning rule, the same for every method.** Each method has a grid of (at most) four configurations written down
before any run (``GRID`` in each baseline's module, β for each RecoNet row). Iterative methods: every configuration
is trained for a quarter of the method's full epoch budget (at least one epoch) and scored by validation recall@50;
the best one is trained again with the full budget, and that model's test recall@50 is the table's number. Closed-
form methods (popularity, item-2-item, user-2-user) are fitted once per configuration. No early stopping for anyone:
a run's last epoch is the model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from tqdm.auto import tqdm

from replicate import baselines
from replicate.papers.reconet import features
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet.features import FeatureSpace
from replicate.papers.reconet.train import RecoNetConfig, Tuned, tune
from replicate.splits import UserSplit

# Table 1, MovieLens columns (recall@50): (without attributes, with attributes); None where the paper has "-".
PAPER_TABLE1 = {
    "FM": (0.3130, 0.3177),
    "OCuLaR": (0.3763, 0.3771),
    "item-2-item": (0.2960, None),
    "user-2-user": (0.2657, None),
    "CML": (0.3281, 0.3060),
    "RecoNet": (0.3294, 0.3508),
    "RecoNet + Layer": (0.3248, 0.3186),
    "popularity": (None, None),  # our floor, not in the paper
}
BASELINE_KEYS = {
    "FM": "fm",
    "OCuLaR": "ocular",
    "item-2-item": "item2item",
    "user-2-user": "user2user",
    "CML": "cml",
    "popularity": "popularity",
}
BETA_GRID = [{"beta": 0.5}, {"beta": 1.0}, {"beta": 2.0}, {"beta": 4.0}]


@dataclass
class Budget:
    """How much each method may train: ``reconet_epochs`` for RecoNet, ``epoch_scale`` x each baseline's default
    epochs, ``grid_size`` configurations per method (the first ones of each grid)."""

    reconet: RecoNetConfig = field(default_factory=RecoNetConfig)
    layer_hidden: int = 64  # RecoNet+Layer's hidden ReLU units (the paper does not say)
    epoch_scale: float = 1.0
    grid_size: int = 4
    short_fraction: float = 0.25

    def full_epochs(self, default: int | None) -> int | None:
        return None if default is None else max(1, int(round(default * self.epoch_scale)))

    def short_epochs(self, full: int) -> int:
        return max(1, int(full * self.short_fraction))


def two_stage(
    method: str,
    attributes: bool,
    grid: list[dict],
    fit,
    full_epochs: int | None,
    budget: Budget,
    split: UserSplit,
    chosen: Tuned | None = None,
) -> Tuned:
    """The tuning rule of this module: short runs to choose, one full run to report. ``fit(config, epochs)`` returns a
    scorer; ``full_epochs`` is None for a closed-form method. ``chosen``: the short runs, when already done."""
    grid = grid[: budget.grid_size]
    if full_epochs is None or len(grid) == 1:
        return reconet.tune(method, attributes, grid, lambda c: fit(c, full_epochs), split)
    short = budget.short_epochs(full_epochs)
    if chosen is None:
        chosen = reconet.tune(method, attributes, grid, lambda c: fit(c, short), split)
    final = reconet.tune(method, attributes, [chosen.config], lambda c: fit(c, full_epochs), split)
    final.trials = chosen.trials
    final.seconds += chosen.seconds
    return final


def baseline_fitter(key: str, space: FeatureSpace, history: sp.csr_matrix, attributes: bool, seed: int, device: str):
    """``fit(config, epochs)`` for baseline ``key`` on ``history``, with the attribute sides the method can use."""
    cls = baselines.METHODS[key]
    user_attrs = space.compact_user_attrs() if attributes and "user" in cls.ATTRIBUTE_SIDES else None
    item_attrs = space.compact_item_attrs() if attributes and "item" in cls.ATTRIBUTE_SIDES else None

    def fit(config: dict, epochs):
        model = cls(seed=seed, device=device, **config).fit(history, user_attrs, item_attrs, epochs=epochs)
        model_scorer = lambda rows: model.score(np.asarray(rows))  # noqa: E731
        model_scorer.model = model
        return model_scorer

    return fit


def reconet_fitter(
    space: FeatureSpace,
    history: sp.csr_matrix,
    base: RecoNetConfig,
    seed: int,
    device: str,
    valid=None,
    runs: dict | None = None,
):
    """``fit(config, epochs)`` for RecoNet on ``history``; the scorer feeds each user's profile from ``history``.
    ``valid``: validation recall@50 is recorded after every epoch (the learning curves resume these runs).

    ``runs``: a store of the trainings already done, shared between fitters (:func:`run_table1` passes one). A run
    with the same space, settings and seed is not trained twice, and a longer one continues the longest shorter run
    (``train(resume=...)``): the full run of a configuration picks up its short run of the search, which gives
    exactly the model trained from scratch (``tests/test_reconet_table1.py``)."""
    profiles = space.profiles(history)

    def fit(config: dict, epochs):
        setting = RecoNetConfig(**{**base.__dict__, **config, "epochs": epochs})
        settings = tuple(sorted({**setting.__dict__, "epochs": 0}.items()))
        key = (id(space), id(history), seed, valid is not None, settings)
        done = {} if runs is None else runs.setdefault(key, {})
        if epochs in done:
            return done[epochs]
        shorter = max((e for e in done if e < epochs), default=None)
        resume = None if shorter is None else done[shorter].trained
        if resume is not None:
            setting.epochs = epochs - shorter
        trained = reconet.train(
            space, history, setting, seed=seed, valid=valid, device=device, progress=False, resume=resume
        )

        def scorer(rows):
            return reconet.scores(trained.model, profiles[rows], device=device)

        scorer.trained = trained
        done[epochs] = scorer
        return scorer

    return fit


@dataclass
class Table1:
    rows: list[Tuned]
    spaces: dict  # attributes (bool) -> FeatureSpace
    decades: bool  # whether the decade of release was kept as an item attribute
    decade_trial: tuple  # (validation recall@50 without, with decades), short runs of RecoNet with attributes

    def frame(self) -> pd.DataFrame:
        """Paper beside ours, one row per method, the with/without-attributes columns side by side."""
        out = pd.DataFrame(index=list(PAPER_TABLE1))
        for part, flag in (("without", False), ("with", True)):
            column = 0 if not flag else 1
            out[f"paper_{part}"] = [PAPER_TABLE1[m][column] for m in out.index]
            ours = {t.method: t.test for t in self.rows if t.attributes == flag}
            out[f"ours_{part}"] = [ours.get(m, np.nan) for m in out.index]
        return out

    def choices(self) -> dict:
        """What the search chose (JSON): the decades flag and each row's configuration, for the other seeds."""
        return {
            "decades": bool(self.decades),
            "configs": {row_key(t.method, t.attributes): t.config for t in self.rows},
        }

    def get(self, method: str, attributes: bool) -> Tuned:
        return next(t for t in self.rows if t.method == method and t.attributes == attributes)

    def trials(self) -> pd.DataFrame:
        """Every configuration tried and its validation recall@50, with the chosen one marked."""
        records = []
        for t in self.rows:
            for config, value in t.trials:
                records.append(
                    {
                        "method": t.method,
                        "attributes": "with" if t.attributes else "without",
                        "configuration": ", ".join(f"{k}={v}" for k, v in config.items()) or "(none)",
                        "validation recall@50": value,
                        "chosen": config == t.config,
                    }
                )
        return pd.DataFrame(records)


def row_key(method: str, attributes: bool) -> str:
    """The name of a Table 1 row in a stored choice: ``"RecoNet|with"``."""
    return f"{method}|{'with' if attributes else 'without'}"


def run_table1(
    dataset, split: UserSplit, budget: Budget, seed: int = 0, device: str = "cpu", chosen: dict | None = None
) -> Table1:
    """Every row of Table 1 on ``split``, each tuned by :func:`two_stage` (β for the RecoNet rows). First, one short
    run of RecoNet with attributes, at the β its own short runs chose, decides whether the decade of release joins
    the item attributes (kept if it raises validation recall@50); every method with attributes then uses that set.

    ``chosen`` (what :meth:`Table1.choices` returned on seed 0): no search at all; each row trains the stored
    configuration with its full budget, and the decades are kept or not as stored (the other seeds of a sweep)."""
    started = time.perf_counter()
    runs: dict = {}  # RecoNet's trainings, shared by the search and the rows (none is done twice)
    genres_only = features.feature_space(dataset, split, attributes=True, decades=False)
    with_decades = features.feature_space(dataset, split, attributes=True, decades=True)
    if chosen is None:
        short = budget.short_epochs(budget.reconet.epochs)
        base = RecoNetConfig(**{**budget.reconet.__dict__, "hidden": 0})
        short_genres = reconet_fitter(genres_only, split.train, base, seed, device, split.valid, runs)
        short_decades = reconet_fitter(with_decades, split.train, base, seed, device, split.valid, runs)
        grid = BETA_GRID[: budget.grid_size]
        genres_trial = reconet.tune("RecoNet", True, grid, lambda c: short_genres(c, short), split)
        decades_trial = reconet.tune("RecoNet", True, [genres_trial.config], lambda c: short_decades(c, short), split)
        decades = decades_trial.valid > genres_trial.valid
        decade_trial = (genres_trial.valid, decades_trial.valid)
    else:
        decades, decade_trial = bool(chosen["decades"]), (float("nan"), float("nan"))
    spaces = {
        True: with_decades if decades else genres_only,
        False: features.feature_space(dataset, split, attributes=False),
    }
    jobs = []
    for attributes in (False, True):
        for name, hidden in (("RecoNet", 0), ("RecoNet + Layer", budget.layer_hidden)):
            jobs.append((name, attributes, None, hidden))
        for name, key in BASELINE_KEYS.items():
            if not attributes or baselines.METHODS[key].uses_attributes:
                jobs.append((name, attributes, key, None))
    rows = []
    for name, attributes, key, hidden in tqdm(jobs, desc="Table 1", leave=True):
        space = spaces[attributes]
        if key is None:
            base = RecoNetConfig(**{**budget.reconet.__dict__, "hidden": hidden})
            valid = split.valid if not hidden else None  # only RecoNet's rows are resumed by the learning curves
            fit = reconet_fitter(space, split.train, base, seed, device, valid=valid, runs=runs)
            grid, full = BETA_GRID, budget.reconet.epochs
        else:
            cls = baselines.METHODS[key]
            fit = baseline_fitter(key, space, split.train, attributes, seed, device)
            grid, full = cls.GRID, budget.full_epochs(cls.DEFAULT_EPOCHS)
        if chosen is not None:
            grid = [dict(chosen["configs"][row_key(name, attributes)])]
        rows.append(two_stage(name, attributes, grid, fit, full, budget, split))
    print(f"Table 1: {time.perf_counter() - started:.0f} s")
    return Table1(rows, spaces, decades, decade_trial)


def budget_table(budget: Budget) -> pd.DataFrame:
    """What each method may train under ``budget``: its configurations, full and short epoch counts."""
    rows = {}
    for name in PAPER_TABLE1:
        if name.startswith("RecoNet"):
            grid, full = BETA_GRID[: budget.grid_size], budget.reconet.epochs
        else:
            cls = baselines.METHODS[BASELINE_KEYS[name]]
            grid, full = cls.GRID[: budget.grid_size], budget.full_epochs(cls.DEFAULT_EPOCHS)
        rows[name] = {
            "configurations": "; ".join(", ".join(f"{k}={v}" for k, v in c.items()) or "(none)" for c in grid),
            "full epochs": "closed form" if full is None else full,
            "short-run epochs": "—" if full is None or len(grid) == 1 else budget.short_epochs(full),
        }
    return pd.DataFrame(rows).T


# --- the claims of Table 1 and the checks of its "Why" -------------------------------------------------------------
CLAIM_KEYS = {**{m: k for m, k in BASELINE_KEYS.items() if m != "popularity"}, "RecoNet": "reconet"}
CLAIM_KEYS["RecoNet + Layer"] = "layer"
# Table 1, B2B columns (recall@50), proprietary data: (without attributes, with attributes)
PAPER_B2B = {
    "FM": (0.8188, 0.8267),
    "OCuLaR": (0.8349, 0.8592),
    "item-2-item": (0.7408, None),
    "user-2-user": (0.8071, None),
    "CML": (0.7489, 0.8269),
    "RecoNet": (0.8317, 0.8589),
    "RecoNet + Layer": (0.8143, 0.8393),
}


def claim_rows(frame: pd.DataFrame, b2b: bool = False) -> list[dict]:
    """One claim per value of Table 1 (``b2b``: the proprietary columns, ours None): id, description, paper, ours."""
    rows = []
    for method, key in CLAIM_KEYS.items():
        for column, part in enumerate(("without", "with")):
            paper = PAPER_B2B[method][column] if b2b else frame.loc[method, f"paper_{part}"]
            if paper is None or pd.isna(paper):
                continue
            rows.append(
                {
                    "id": f"t1{'b2b' if b2b else ''}_{key}_{part}",
                    "description": f"{method} recall@50, {part} attributes" + (" (B2B)" if b2b else ""),
                    "paper": float(paper),
                    "ours": None if b2b else float(frame.loc[method, f"ours_{part}"]),
                }
            )
    return rows


def column(frame: pd.DataFrame, part: str, who: str = "ours") -> dict:
    """One column of Table 1 as method -> recall@50 (the methods of the paper's table; NaN where it has none)."""
    values = frame.loc[list(CLAIM_KEYS), f"{who}_{part}"].astype(float)
    return {m: float(v) for m, v in values.items() if np.isfinite(v)}


def cells(frame: pd.DataFrame, who: str = "ours") -> dict:
    """Every value of the paper's MovieLens columns as ``"method|part"`` -> recall@50 (``who``: ours or the paper's),
    the cells without a value left out."""
    return {f"{m}|{part}": v for part in ("without", "with") for m, v in column(frame, part, who).items()}


def per_user(table: Table1, attributes: bool) -> dict:
    """Method -> test recall@50 per user for one column of Table 1."""
    return {t.method: t.users for t in table.rows if t.attributes == attributes and t.method in CLAIM_KEYS}


def reconet_variant(table: Table1, split: UserSplit, budget: Budget, seed: int = 0, device: str = "cpu", **change):
    """RecoNet with attributes at the β Table 1 chose, trained with the full budget and ``change``d settings (e.g.
    ``drop_label_attributes=False``, ``epochs=6``; ``space=``: another feature space, e.g. shuffled attributes);
    returns (its test recall@50 per user, its History)."""
    attributes = change.pop("attributes", True)
    space = change.pop("space", None) or table.spaces[attributes]
    chosen = table.get("RecoNet", attributes).config
    config = RecoNetConfig(**{**budget.reconet.__dict__, **chosen, "hidden": 0, **change})
    history = reconet.train(space, split.train, config, seed=seed, device=device, progress=False)
    users = reconet.evaluate(history.model, space, split.train, split.test, split.train + split.valid, device=device)
    return users, history


def learning_curves(table: Table1, split: UserSplit, budget: Budget, factor: int = 2, seed: int = 0, device="cpu"):
    """Validation recall@50 per epoch of RecoNet without and with attributes (each at the β Table 1 chose), trained
    ``factor`` times the budget's epochs: does the budget reach a plateau? Each curve continues Table 1's run (the
    same model, optimiser state and example stream: exactly a run of ``factor`` times the epochs from scratch)."""
    curves = {}
    for attributes in (False, True):
        row = table.get("RecoNet", attributes)
        config = RecoNetConfig(**{**budget.reconet.__dict__, **row.config, "hidden": 0})
        config.epochs = (factor - 1) * budget.reconet.epochs
        space, done = table.spaces[attributes], row.scorer.trained
        history = reconet.train(
            space, split.train, config, seed=seed, valid=split.valid, device=device, progress=False, resume=done
        )
        curves[f"RecoNet, {'with' if attributes else 'without'} attributes"] = history.valid
    return curves


def beta_spread(table: Table1) -> float:
    """The largest range of validation recall@50 over the β grid among the RecoNet rows (0 with one β tried)."""
    spreads = [np.ptp([v for _, v in t.trials]) for t in table.rows if t.method.startswith("RecoNet")]
    return float(max(spreads))


# --- the "Why" of Table 1's values ---------------------------------------------------------------------------------
def past_edge(grid: list[dict], config: dict) -> list[dict]:
    """The configurations one step past the edge of ``grid`` at which ``config`` sits, one per hyperparameter: where
    ``config``'s value of a key is the largest (smallest) positive number the grid gives that key, the key is moved
    one more step of the grid's own ratio up (down), everything else kept. Zero, None (no limit) and keys with fewer
    than two positive values in the grid have no step. The rule is written before any run; :func:`edge_runs` trains
    what it returns."""
    out = []
    for key, value in config.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            continue
        values = sorted({c[key] for c in grid if _positive_number(c.get(key))})
        if len(values) < 2:
            continue
        if value == values[-1]:
            step = value * value / values[-2]
        elif value == values[0]:
            step = value * value / values[1]
        else:
            continue
        step = max(1, int(round(step))) if isinstance(value, int) else float(f"{step:.3g}")
        if step != value:
            out.append({**config, key: step})
    return out


def _positive_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@dataclass
class EdgeRun:
    """One baseline row of Table 1 and its configurations past the grid's edge, each trained as the search trains
    (the short budget): validation recall@50 per user of the row's configuration and of each past-edge one. When a
    past-edge configuration wins on validation, the tuning rule trains it with the full budget: its test recall@50."""

    method: str
    attributes: bool
    config: dict
    chosen_valid: np.ndarray
    valid: dict  # configuration label -> validation recall@50 per user (short budget)
    best: str | None = None  # the past-edge configuration the extended search would choose, if any
    test: float = float("nan")  # its test recall@50 after the full budget
    test_users: np.ndarray | None = None

    def gains(self) -> dict:
        """Label -> (validation per user past the edge, the row's): the pairs of a paired comparison."""
        return {label: (values, self.chosen_valid) for label, values in self.valid.items()}


def config_label(config: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.items()) or "(none)"


def edge_runs(table: Table1, split: UserSplit, budget: Budget, seed: int = 0, device: str = "cpu") -> list[EdgeRun]:
    """The search of :func:`run_table1`, one step longer: for every baseline row whose configuration sits at an edge
    of its grid (:func:`past_edge`), the configurations past it and the row's own, trained for the short budget and
    compared on validation; a winner is trained with the full budget and tested, as the tuning rule would. Part of
    the search, so run where the search runs (seed 0); it returns [] for a table built from stored choices."""
    if all(len(t.trials) <= 1 for t in table.rows):
        return []
    rows = np.arange(split.n_users)
    out = []
    for t in tqdm([t for t in table.rows if t.method in BASELINE_KEYS], desc="past the grid's edge", leave=False):
        cls = baselines.METHODS[BASELINE_KEYS[t.method]]
        extra = past_edge(cls.GRID, t.config)
        if not extra:
            continue
        key, space = BASELINE_KEYS[t.method], table.spaces[t.attributes]
        fit = baseline_fitter(key, space, split.train, t.attributes, seed, device)
        full = budget.full_epochs(cls.DEFAULT_EPOCHS)
        short = full if full is None else budget.short_epochs(full)

        def valid_users(config, fit=fit, epochs=short):
            return reconet.per_user_recall(fit(config, epochs)(rows), split.valid, split.train)

        run = EdgeRun(t.method, t.attributes, t.config, valid_users(t.config), {})
        for config in extra:
            run.valid[config_label(config)] = valid_users(config)
        label = max(run.valid, key=lambda c: np.nanmean(run.valid[c]))
        if np.nanmean(run.valid[label]) > np.nanmean(run.chosen_valid):
            config = next(c for c in extra if config_label(c) == label)
            winner = tune(t.method, t.attributes, [config], lambda c, f=fit, e=full: f(c, e), split, progress=False)
            run.best, run.test, run.test_users = label, winner.test, winner.users
        out.append(run)
    return out


def edge_outcome(table: Table1, edges: list[EdgeRun]) -> tuple[int, int]:
    """(how many rows the extended search changes, how many of those are better on test after the full budget)."""
    changed = [e for e in edges if e.best is not None]
    return len(changed), sum(e.test > table.get(e.method, e.attributes).test for e in changed)


def edge_frame(table: Table1, edges: list[EdgeRun]) -> pd.DataFrame:
    """One line per past-edge configuration: its validation recall@50 beside the row's (both after the short
    budget), and the test recall@50 of the extended search's choice where it changes."""
    records = []
    for e in edges:
        for label, values in e.valid.items():
            records.append(
                {
                    "method": e.method,
                    "attributes": "with" if e.attributes else "without",
                    "chosen": config_label(e.config),
                    "past the edge": label,
                    "validation, chosen": float(np.nanmean(e.chosen_valid)),
                    "validation, past the edge": float(np.nanmean(values)),
                    "test, chosen": table.get(e.method, e.attributes).test,
                    "test, past the edge": e.test if label == e.best else float("nan"),
                }
            )
    return pd.DataFrame(records)


def stronger_column(frame: pd.DataFrame, edges: list[EdgeRun], part: str) -> dict:
    """Column ``part`` of Table 1 (method -> test recall@50) with each baseline replaced by its past-edge
    configuration where that one wins on validation (the tuning rule, applied to the extended grid; the winner of
    the short runs need not be better after the full budget)."""
    values = column(frame, part)
    for e in edges:
        if ("with" if e.attributes else "without") == part and e.best is not None and e.method in values:
            values[e.method] = e.test
    return values

"""Table 1's "Why": the step past a grid's edge (hand cases), the common-scale check against hand-computed values,
and the extended search on a fake baseline, whose rule passes when the step finds a better model and fails (the
null) when the hyperparameter changes nothing."""

import numpy as np
import pytest
import scipy.sparse as sp

from replicate import baselines, splits
from replicate.baselines.base import Baseline
from replicate.papers.reconet import measure as v
from replicate.papers.reconet import table1 as t1
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet.claims import CLAIMS

EDGE = CLAIMS["t1_edge_fm_without"].rule


def test_past_edge_steps_one_grid_ratio_beyond_the_edge_the_choice_sits_on():
    grid = [{"K": 100, "reg": 1.0}, {"K": 100, "reg": 10.0}, {"K": 100, "reg": 100.0}, {"K": 50, "reg": 10.0}]
    assert t1.past_edge(grid, {"K": 100, "reg": 1.0}) == [{"K": 200, "reg": 1.0}, {"K": 100, "reg": 0.1}]
    assert t1.past_edge(grid, {"K": 50, "reg": 10.0}) == [{"K": 25, "reg": 10.0}]  # reg 10 is inside the grid
    # zero, None and a key with one positive value have no step
    assert t1.past_edge([{"dim": 10, "reg": 0.0}, {"dim": 10, "reg": 0.01}], {"dim": 10, "reg": 0.01}) == []
    assert t1.past_edge([{"top_k": 16}, {"top_k": None}], {"top_k": None}) == []
    assert t1.past_edge([{}], {}) == []


def test_common_scale_counts_values_in_the_band_after_the_median_ratio():
    paper = {"a": 0.30, "b": 0.20, "c": 0.40, "d": 0.10}
    shifted = {k: 1.2 * x for k, x in paper.items()}  # one factor for all: every value is inside
    assert v.common_scale(shifted, paper, band=0.10).ours == pytest.approx(1.0)
    # ratios 1.2, 1.2, 0.6, 2.4: median 1.2; 0.6 / 1.2 and 2.4 / 1.2 lie outside the band
    scattered = {"a": 0.36, "b": 0.24, "c": 0.24, "d": 0.24}
    measured = v.common_scale(scattered, paper, band=0.10)
    assert measured.ours == pytest.approx(0.5)
    assert measured.verdict(CLAIMS["t1_common_scale"].rule) == "not replicated"
    assert v.common_scale(shifted, paper, 0.10).verdict(CLAIMS["t1_common_scale"].rule) == "replicated"


class Step(Baseline):
    """A fake baseline: noise plus ``signal(q)`` times each user's validation items (``ORACLE``): none at q = 1, a
    little at q = 2 (so the search picks the grid's edge), much at q >= 4 (one step past it); ``LEARNS = False``: the
    step past the edge is as good as q = 2 (the null)."""

    name = "step"
    DEFAULTS = {"q": 1}
    GRID = [{"q": 1}, {"q": 2}]
    ORACLE = None
    LEARNS = True

    def _fit(self, train, user_attrs, item_attrs, epochs):
        self.q = self.params["q"]

    def _score(self, users):
        noise = np.random.default_rng(self.q).random((len(users), self.n_items))
        signal = 0.0 if self.q < 2 else 0.5 if self.q < 4 or not self.LEARNS else 10.0
        return noise + signal * self.ORACLE[users].toarray()


@pytest.fixture
def stepped(monkeypatch):
    rng = np.random.default_rng(0)
    n_users, n_items = 300, 200
    train, valid, test = (sp.csr_matrix((rng.random((n_users, n_items)) < p).astype(np.float32)) for p in (0.05,) * 3)
    valid, test = valid - valid.multiply(train), test - test.multiply(train + valid)
    valid, test = sp.csr_matrix((valid > 0).astype(np.float32)), sp.csr_matrix((test > 0).astype(np.float32))
    split = splits.UserSplit(np.arange(n_users), np.arange(n_items), train, valid, test)
    monkeypatch.setitem(baselines.METHODS, "step", Step)
    monkeypatch.setattr(t1, "BASELINE_KEYS", {"Step": "step"})
    monkeypatch.setattr(Step, "ORACLE", valid)
    fit = t1.baseline_fitter("step", None, train, False, 0, "cpu")
    row = reconet.tune("Step", False, Step.GRID, lambda c: fit(c, None), split, progress=False)
    table = t1.Table1([row], {False: None, True: None}, False, (np.nan, np.nan))
    return table, split, monkeypatch


def test_a_step_past_the_edge_that_finds_a_better_model_passes_the_edge_rule(stepped):
    table, split, _ = stepped
    assert table.rows[0].config == {"q": 2}
    (run,) = t1.edge_runs(table, split, t1.Budget())
    gain = v.largest_gain(run.gains())
    assert gain.verdict(EDGE) == "replicated"
    assert run.best is not None and run.test > table.rows[0].test
    assert t1.edge_outcome(table, [run]) == (1, 1)  # one row changed, better after the full budget too


def test_null_a_step_that_changes_nothing_does_not_pass_the_edge_rule(stepped):
    table, split, monkeypatch = stepped
    monkeypatch.setattr(Step, "LEARNS", False)
    runs = t1.edge_runs(table, split, t1.Budget())
    assert runs, "the chosen configuration sits at an edge of the grid"
    for run in runs:
        assert v.largest_gain(run.gains()).verdict(EDGE) != "replicated"


def test_edge_runs_are_part_of_the_search_and_skip_a_table_from_stored_choices(stepped):
    table, split, _ = stepped
    table.rows[0].trials = table.rows[0].trials[:1]
    assert t1.edge_runs(table, split, t1.Budget()) == []


def test_edge_claims_have_the_same_ids_in_every_run_and_say_why_they_do_not_apply(stepped):
    table, split, _ = stepped
    frame = None  # not read when no edge run exists
    searched_inside = v.edge_claims(table, [], frame, seed=0)
    # Step is not one of the paper's Table 1 methods, so only the two "two best" rows are left
    assert [c["id"] for c in searched_inside] == ["reconet_two_best_extended_without", "reconet_two_best_extended_with"]
    reasons = {c["id"]: c["missing"] for c in searched_inside}
    assert "edge of its grid" in reasons["reconet_two_best_extended_with"]
    assert {c["cause"] for c in searched_inside} == {"data"}
    table.rows[0].trials = table.rows[0].trials[:1]
    other_seed = v.edge_claims(table, [], frame, seed=2)
    assert all("seed 2" in c["missing"] and c["cause"] == "seed" for c in other_seed)

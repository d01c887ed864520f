"""Skip prediction: the naive sequential residual training and the ungated mixture (the two baselines of the slides'
"fast algorithm" and "E[Card(S)] as small as possible"), and the intervals over sessions, on hand-made cases."""

import numpy as np
import pytest
import torch

from replicate.errors import ParameterError
from replicate.papers.skip import measure as ex
from replicate.papers.skip import toys as synthetic
from replicate.papers.skip import train
from replicate.papers.skip.moe import AttributionMoE, Subsets, sequential_loss

TWO = Subsets.of(("x1", "x2"), [("x1",), ("x2",), ("x1", "x2")])


def test_sequential_loss_by_hand():
    children = torch.tensor(TWO.children)
    F = torch.tensor([[0.8, -0.5, 0.9]])
    y = torch.tensor([1.0])
    f = np.array([0.9, 0.25, 0.95])
    first = torch.tensor([True, True, False])
    assert sequential_loss(F, y, children, first).item() == pytest.approx(-np.log(f[:2]).sum(), rel=1e-5)
    parent = torch.tensor([False, False, True])
    residual = (1 - 0.64) * (1 - 0.25)  # the children's residual, not normalised over experts
    assert sequential_loss(F, y, children, parent).item() == pytest.approx(-residual * np.log(0.95), rel=1e-5)


def test_a_sequential_stage_trains_its_level_only():
    torch.manual_seed(0)
    model = AttributionMoE(TWO, (1, 1), hidden=(4, 4))
    X, y, _ = synthetic.toy("mixture").sample(64, np.random.default_rng(0))
    levels = model.levels
    assert [m.tolist() for m in levels] == [[True, True, False], [False, False, True]]
    loss = sequential_loss(model(torch.from_numpy(X)), torch.from_numpy(y), model.child_mask, torch.tensor(levels[1]))
    loss.backward()
    head = model.net[-1]  # the output layer: one row per expert
    assert head.weight.grad[:2].abs().sum() == 0 and head.weight.grad[2].abs().sum() > 0
    first = model.net[0]  # the children's first-layer units (rows 0..7) get no gradient from the parent's stage
    assert first.weight.grad[:8].abs().sum() == 0


def test_ungated_mixture_drops_the_residual_product():
    gated, ungated = AttributionMoE(TWO, (1, 1)), AttributionMoE(TWO, (1, 1), gating="none")
    assert gated.child_mask.any() and not ungated.child_mask.any()
    with pytest.raises(ParameterError, match="valid choices are residual, none"):
        AttributionMoE(TWO, (1, 1), gating="soft")
    with pytest.raises(ParameterError, match="valid choices are em, sequential"):
        train.fit_toy(synthetic.toy("XOR"), steps=1, algorithm="boosting", progress=False)


def test_sequential_toy_runs_one_stage_per_level_and_records_its_curve():
    result = train.fit_toy(synthetic.toy("XOR"), steps=20, algorithm="sequential", eval_every=10, progress=False)
    assert len(result.loss) == 40 and [s for s, _ in result.curve] == [10, 20, 30, 40]
    assert result.steps_to(2.0) == float("inf") and result.steps_to(0.0) == 10


def test_cardinality_of_dominant_and_generating_subsets():
    result = train.fit_toy(synthetic.toy("mixture"), steps=0, n_test=8, progress=False)
    result.attribution = np.eye(3)[[0, 1, 2, 2, 0, 0, 1, 2]]
    card, truth = ex.cardinality(result)
    assert card.tolist() == [1, 1, 2, 2, 1, 1, 1, 2]
    assert set(truth.tolist()) <= {1.0, 2.0}


def test_joint_loss_is_the_bce_of_the_mixed_prediction_by_hand():
    from replicate.papers.skip.moe import joint_loss

    children = torch.tensor(TWO.children)
    F = torch.tensor([[0.8, -0.5, 0.9]])
    # α = (0.8, 0.5, 0.9 · 0.2 · 0.5) = (0.8, 0.5, 0.09); f = (0.9, 0.25, 0.95)
    out = (0.8 * 0.9 + 0.5 * 0.25 + 0.09 * 0.95) / (0.8 + 0.5 + 0.09)
    assert joint_loss(F, torch.tensor([1.0]), children).item() == pytest.approx(-np.log(out), rel=1e-5)
    assert joint_loss(F, torch.tensor([0.0]), children).item() == pytest.approx(-np.log(1 - out), rel=1e-5)
    # without EM the parent's gate gets a gradient through the mixture (EM holds the responsibilities fixed)
    F = F.clone().requires_grad_(True)
    joint_loss(F, torch.tensor([1.0]), children).backward()
    assert (F.grad != 0).all()


def test_plateaued_by_hand():
    assert not train.plateaued([1.0], 0.01)  # one window: nothing to compare with
    assert not train.plateaued([1.0, 0.98], 0.01)  # fell by 2 %
    assert train.plateaued([1.0, 0.995], 0.01)  # fell by 0.5 %
    assert train.plateaued([1.0, 0.5, 0.6], 0.01)  # rose above its best
    assert not train.plateaued([1.0, 0.5, 0.49], 0.01)


def test_a_converged_sequential_stage_ends_early_and_the_last_keeps_its_budget():
    # stage_tol=1: any second window counts as converged, so the first stage ends after two windows of 10 steps
    result = train.fit_toy(
        synthetic.toy("XOR"), steps=50, algorithm="sequential", eval_every=10, stage_tol=1.0, progress=False
    )
    assert len(result.loss) == 20 + 50 and [s for s, _ in result.curve][:3] == [10, 20, 30]


def test_joint_training_runs_and_stops_at_its_target():
    result = train.fit_toy(
        synthetic.toy("XOR"), steps=30, algorithm="joint", eval_every=10, stop_at=0.0, progress=False
    )
    assert result.algorithm == "joint" and len(result.loss) == 10 and np.isfinite(result.loss).all()


def _curve(result, step):
    result.curve = [(step, 1.0)]
    return result


def test_fast_records_take_joint_training_as_the_null_and_pair_on_ems_points():
    toy = synthetic.toy("mixture")
    em = _curve(train.fit_toy(toy, steps=0, n_test=50, seed=0, progress=False), 100)
    sequential = _curve(train.fit_toy(toy, steps=0, n_test=50, seed=1, progress=False), 300)
    joint = _curve(train.fit_toy(toy, steps=0, n_test=50, seed=2, progress=False), 200)
    r = ex.fast_records(em, sequential, joint)
    assert r["fast_em_speedup"]["ours"] == 3.0 and r["fast_em_speedup"]["null"] == 1.5
    paired = ex.on_points(sequential, em).correct
    assert r["fast_em_accuracy"]["ours"] == pytest.approx(em.correct.mean() - paired.mean())


def test_card_records_null_is_the_other_gated_network_against_the_same_ungated_one():
    toy = synthetic.toy("mixture")
    gated, ungated, null = (train.fit_toy(toy, steps=0, n_test=4, progress=False) for _ in range(3))
    for result, dominant in ((gated, [0, 2, 1, 2]), (ungated, [2, 2, 2, 2]), (null, [0, 1, 0, 1])):
        result.attribution = np.eye(3)[dominant]
    r = ex.card_records(gated, ungated, null)["card_vs_ungated"]
    assert r["ours"] == pytest.approx((1 + 2 + 1 + 2) / 4 - 2) and r["null"] == pytest.approx(-1.0)

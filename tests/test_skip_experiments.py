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

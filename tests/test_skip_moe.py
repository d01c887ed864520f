"""The interpretable mixture of restricted experts: subsets, masks that isolate experts, stop-gradient from children,
residual gating and EM responsibilities on hand-made cases, and training on a separable toy problem."""

import numpy as np
import pytest
import torch

from replicate import seed_everything
from replicate.errors import ParameterError
from replicate.papers.skip import toys as synthetic
from replicate.papers.skip import train
from replicate.papers.skip.moe import (
    AttributionMoE,
    MaskedLinear,
    Subsets,
    attribution,
    em_loss,
    expert_template,
    input_template,
    mixture,
    residual_gating,
    responsibilities,
)
from replicate.papers.skip.transformer import SkipTransformer

TWO = Subsets.of(("x1", "x2"), [("x1",), ("x2",), ("x1", "x2")])
CHAIN = Subsets.of(("a", "b", "c"), [("a",), ("a", "b"), ("a", "b", "c"), ("c",)])


def test_inclusion_and_children():
    assert TWO.children.tolist() == [[False, False, False], [False, False, False], [True, True, False]]
    # CHAIN: {a} ⊂ {a,b} ⊂ {a,b,c}; {c} ⊂ {a,b,c}
    assert CHAIN.children.astype(int).tolist() == [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 1], [0, 0, 0, 0]]
    assert CHAIN.index(("b", "a")) == 1 and CHAIN.label(2) == "a + b + c"
    assert Subsets.single(("a", "b")).children.tolist() == [[False]]


@pytest.mark.parametrize(
    "groups, members, words",
    [
        (("a", "b"), [("a",), ("z",)], "valid groups are a, b"),
        (("a", "b"), [("a", "b"), ("b", "a")], "listed twice"),
        (("a", "a"), [("a",)], "duplicate group"),
    ],
)
def test_bad_subsets_name_the_problem(groups, members, words):
    with pytest.raises(ParameterError, match=words):
        Subsets.of(groups, members) if len(set(groups)) == len(groups) else Subsets(groups, tuple(map(tuple, members)))


def test_templates_and_mask_layout():
    assert input_template(TWO, ("x1", "x2")).tolist() == [[1, 0, 1], [0, 1, 1]]
    t = expert_template(TWO)  # (in expert, out expert): diagonal own (1), children -> parent (2)
    assert t.tolist() == [[1, 0, 2], [0, 1, 2], [0, 0, 1]]
    layer = MaskedLinear(t, [2, 2, 2], [3, 3, 3])
    mask = layer.mask.numpy()
    assert mask.shape == (9, 6)
    assert mask[6:, :].all() and not mask[:3, 2:].any() and not mask[3:6, :2].any() and not mask[3:6, 4:].any()
    assert (layer.weight.detach().numpy()[mask == 0] == 0).all()


def _input_gradient(model, x, s):
    x = x.clone().requires_grad_(True)
    model(x)[:, s].sum().backward()
    return x.grad.abs().sum(dim=0)


def test_masks_isolate_each_expert():
    torch.manual_seed(0)
    model = AttributionMoE(CHAIN, group_sizes=(2, 3, 1), hidden=(8, 8))
    x = torch.randn(32, 6)
    columns = {"a": [0, 1], "b": [2, 3, 4], "c": [5]}
    for s, members in enumerate(CHAIN.members):
        grad = _input_gradient(model, x, s)
        inside = [c for g in members for c in columns[g]]
        outside = [c for c in range(6) if c not in inside]
        assert (grad[outside] == 0).all(), (members, grad)
        assert (grad[[columns[g][0] for g in members if g in members]] > 0).any()  # it does read its own groups


def test_parent_reads_children_without_gradient():
    torch.manual_seed(0)
    model = AttributionMoE(TWO, group_sizes=(1, 1), hidden=(4, 4))
    x = torch.randn(16, 2)
    first = model.net[0]  # rows 0-3: expert {x1}, 4-7: {x2}, 8-11: {x1, x2}
    model(x)[:, 2].sum().backward()  # the parent's output only
    assert (first.weight.grad[:8] == 0).all()  # the children's own layers get nothing from the parent
    assert (first.weight.grad[8:] != 0).any()
    second = model.net[2]
    assert (second.weight.grad[8:, :8] != 0).any()  # the parent's weights on its children's units do train
    # ... and the children's units do reach the parent in the forward pass
    before = model(x)[:, 2].detach().clone()
    with torch.no_grad():
        first.weight[:4] += 1.0
    assert not torch.allclose(model(x)[:, 2], before)


def test_skip_transformer_masks_isolate_experts_in_both_halves():
    torch.manual_seed(0)
    subsets = Subsets.of(("pos", "ctx", "trk"), [("pos",), ("pos", "ctx"), ("pos", "trk"), ("pos", "ctx", "trk")])
    model = SkipTransformer(
        subsets,
        (("pos", 2), ("ctx", 3), ("trk", 2)),
        (("pos", 2), ("trk", 2)),
        d_expert=4,
        heads=2,
        encoder_layers=1,
        decoder_layers=1,
    )
    left, right = torch.randn(3, 10, 7, requires_grad=True), torch.randn(3, 10, 4, requires_grad=True)
    lm = torch.ones(3, 10, dtype=torch.bool)
    lm[:, :4] = False  # a short first half
    rm = torch.ones(3, 10, dtype=torch.bool)
    left_cols = {"pos": [0, 1], "ctx": [2, 3, 4], "trk": [5, 6]}
    right_cols = {"pos": [0, 1], "trk": [2, 3]}
    for s, members in enumerate(subsets.members):
        left.grad = right.grad = None
        model(left, right, lm, rm)[:, :, s].sum().backward()
        gl, gr = left.grad.abs().sum(dim=(0, 1)), right.grad.abs().sum(dim=(0, 1))
        for g, cols in left_cols.items():
            assert (gl[cols] > 0).all() == (g in members), (members, g, gl)
        for g, cols in right_cols.items():
            assert (gr[cols] > 0).all() == (g in members), (members, g, gr)
        assert (left.grad[:, :4] == 0).all()  # masked (unused) first-half slots are never read


def test_residual_gating_and_mixture_by_hand():
    children = torch.tensor(TWO.children)
    F = torch.tensor([[0.8, -0.5, 0.9]])
    out, alpha = mixture(F, children)
    # g = (0.8, 0.5, 0.9); α = (0.8, 0.5, 0.9 · 0.2 · 0.5); f = (0.9, 0.25, 0.95)
    np.testing.assert_allclose(alpha.numpy(), [[0.8, 0.5, 0.09]], rtol=1e-6)
    np.testing.assert_allclose(out.item(), (0.8 * 0.9 + 0.5 * 0.25 + 0.09 * 0.95) / 1.39, rtol=1e-6)
    np.testing.assert_allclose(attribution(alpha).sum().item(), 1.0, rtol=1e-6)
    # a sure child silences its parent; nobody sure: output 1/2, uniform attribution
    _, alpha = mixture(torch.tensor([[1.0, 0.3, -0.99]]), children)
    assert alpha[0, 2].item() == 0.0
    out, alpha = mixture(torch.zeros(1, 3), children)
    assert out.item() == pytest.approx(0.5)
    np.testing.assert_allclose(attribution(alpha).numpy(), [[1 / 3] * 3], rtol=1e-6)
    # the squared gate
    _, alpha = mixture(F, children, gate="square")
    np.testing.assert_allclose(alpha.numpy(), [[0.64, 0.25, 0.81 * 0.36 * 0.75]], rtol=1e-6)
    with pytest.raises(ParameterError, match="valid choices"):
        mixture(F, children, gate="cube")
    # batched: gating over the last axis only
    assert residual_gating(torch.rand(4, 5, 3), children).shape == (4, 5, 3)


def test_em_responsibilities_and_loss_by_hand():
    children = torch.tensor(TWO.children)
    F = torch.tensor([[0.8, -0.5, 0.9]], requires_grad=True)
    r = responsibilities(F, children)
    keep = np.array([1.0, 1.0, (1 - 0.64) * (1 - 0.25)])
    np.testing.assert_allclose(r.numpy(), [keep / keep.sum()], rtol=1e-6)
    assert not r.requires_grad  # held fixed in the M-step
    y = torch.tensor([1.0])
    f = np.array([0.9, 0.25, 0.95])
    expected = -(keep / keep.sum() * np.log(f)).sum()
    assert em_loss(F, y, children).item() == pytest.approx(expected, rel=1e-5)
    # one expert: plain binary cross-entropy, and padding weights
    single = torch.zeros(1, 1, dtype=torch.bool)
    G = torch.tensor([[0.2], [-0.6]])
    bce = torch.nn.functional.binary_cross_entropy((G[:, 0] + 1) / 2, torch.tensor([1.0, 0.0]))
    assert em_loss(G, torch.tensor([1.0, 0.0]), single).item() == pytest.approx(bce.item(), rel=1e-5)
    assert em_loss(G, torch.tensor([1.0, 1.0]), single, torch.tensor([1.0, 0.0])).item() == pytest.approx(
        -np.log(0.6), rel=1e-5
    )


def test_trained_on_separable_toy_reaches_high_accuracy_and_the_right_experts():
    seed_everything(0)
    result = train.fit_toy(synthetic.toy("four clusters"), steps=1500, seed=0, n_test=2000, progress=False)
    assert result.accuracy >= 0.97
    assert (result.attribution.argmax(axis=1) == result.source).mean() >= 0.85
    assert result.loss[-1] < result.loss[0]


def test_toy_training_is_deterministic():
    a = train.fit_toy(synthetic.toy("XOR"), steps=50, seed=3, n_test=100, progress=False)
    b = train.fit_toy(synthetic.toy("XOR"), steps=50, seed=3, n_test=100, progress=False)
    np.testing.assert_array_equal(a.prob, b.prob)
    assert a.loss == b.loss

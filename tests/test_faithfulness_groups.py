"""The skip transformer's group protocol and the EMDE wrapper, on cases small enough to check by hand."""

from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
import torch

from replicate.faithfulness import groups, models

LAYOUT = (("position", 1), ("a", 2), ("b", 1))


def _sessions(n=3):
    left = np.ones((n, 10, 4), np.float32)
    right = np.ones((n, 10, 2), np.float32)
    return SimpleNamespace(
        left=left,
        right=right,
        left_groups=LAYOUT,
        right_groups=(("position", 1), ("b", 1)),
        left_mask=np.ones((n, 10), np.float32),
        right_mask=np.ones((n, 10), np.float32),
    )


def test_columns_of_a_group():
    assert groups.columns(LAYOUT, "a") == slice(1, 3)
    assert groups.columns(LAYOUT, "b") == slice(3, 4)
    assert groups.columns(LAYOUT, "missing") is None


def test_masking_zeroes_each_sessions_group_in_both_halves():
    s = _sessions()
    left, right = groups.masked(s, np.array([0, 1, 0]), ("a", "b"))
    assert left[0, :, 1:3].sum() == 0 and left[0, :, [0, 3]].min() == 1  # session 0: group a only (left half)
    assert right[0].min() == 1  # a is not in the right half
    assert left[1, :, 3].sum() == 0 and right[1, :, 1].sum() == 0 and right[1, :, 0].min() == 1  # session 1: b
    assert s.left.min() == 1  # the sessions themselves are not changed


def test_session_readings_by_hand():
    prob = np.array([[0.9, 0.2, 0.7], [0.6, 0.6, 0.0]])
    masked = np.array([[0.4, 0.2, 0.8], [0.6, 0.4, 0.0]])
    y = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    mask = np.array([[1, 1, 1], [1, 1, 0]])
    r = groups.session_readings(prob, masked, y, mask)
    # session 0: |Δp| = 0.5, 0, 0.1 over 3 tracks; correct 3 -> 2 of 3. Session 1: 0, 0.2 over 2 tracks; 2 -> 1 of 2.
    assert np.allclose(r["Δprob"], [0.2, 0.1])
    assert np.allclose(r["Δacc"], [1 / 3, 0.5])


def test_dense_emde_scores_the_package_decoding_of_the_history_sketch():
    """DenseEMDE on a hand-made EMDE: two sketches of width 2, three catalogue items; the sketch of a history is the
    sum of its items' one-hot buckets, L2-normalised per sketch, as the package's ``input_sketches`` computes it."""
    from replicate.papers.emde import train as emde_train
    from replicate.papers.emde.inputs import Inputs
    from replicate.papers.emde.modalities import Modality
    from replicate.papers.emde.network import EMDENet

    torch.manual_seed(0)
    liked = Modality("liked", ["x", "y", "z"], sp.identity(3, format="csr", dtype=np.float32), "liked")
    liked.codes = np.array([[0, 1], [1, 1], [0, 0]])
    config = emde_train.Config(n_sketches=2, depth=1, hidden=4, layers=1)
    emde = emde_train.EMDEModel([liked], EMDENet(4, 2, 2, hidden=4, layers=1).eval(), config, np.arange(3))
    dense = models.DenseEMDE(emde, 3)
    history = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
    inputs = Inputs(sp.csr_matrix(history), sp.csr_matrix((2, 3), dtype=np.float32))
    with torch.no_grad():
        sketch = emde.inputs_vector(inputs)
        assert np.allclose(sketch.numpy(), [[2**-0.5, 2**-0.5, 0, 1], [1, 0, 1, 0]])  # (1,1)/√2 and (0,2)/2
        expected = emde_train.decode(emde.net(sketch), emde.item_codes()).numpy()
        assert np.allclose(dense(torch.as_tensor(history)).numpy(), expected, atol=1e-6)
    x = torch.tensor(history, requires_grad=True)
    dense(x)[:, 0].sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0  # gradients reach the history's items
    own = models.emde_own(dense, history, np.array([2, 0]), steps=4)
    assert own.shape == (2, 3) and own[0, 2] == 0 and own[1, :2].tolist() == [0, 0]  # relevance on the history only


def test_group_study_on_an_untrained_skip_transformer():
    """FeatureAblation's group is, per session, the one whose masking moves the probabilities most: no explainer's
    Δprob exceeds it; every top group is a candidate (the shared position group never is)."""
    from replicate.papers.skip import sources
    from replicate.papers.skip import train as skip_train

    _, _, test = sources.synthetic_sessions(60, seed=0)
    torch.manual_seed(0)
    model = skip_train.build("interpretable", test, d_model=8, d_expert=4, heads=1, expert_heads=1, layers=1).eval()
    study = groups.run(model, test, np.random.default_rng(0))
    assert "position" not in study.groups
    ceiling = study.readings[groups.ABLATION]["Δprob"]
    for name, readings in study.readings.items():
        assert np.all(readings["Δprob"] <= ceiling + 1e-9), name
        assert study.top[name].min() >= 0 and study.top[name].max() < len(study.groups)
    assert (study.top[groups.CONSTANT] == study.top[groups.CONSTANT][0]).all()  # one group for every session
    reading = groups.gates_beat_random(study)
    assert {"ours", "interval", "null", "null_interval", "note"} <= set(reading)
    assert reading["variety"]["groups"] >= 1 and "bits" in reading["note"]
    assert list(groups.table(study).index) == [
        groups.OWN, groups.SALIENCY, groups.ABLATION, groups.RANDOM, groups.CONSTANT
    ]  # fmt: skip


def test_variety_of_picks():
    assert groups.variety(np.zeros(10, dtype=int), 3) == dict(mode_share=1.0, groups=1, bits=0.0)
    v = groups.variety(np.array([0, 1, 2, 3]), 4)
    assert v["groups"] == 4 and v["mode_share"] == 0.25 and np.isclose(v["bits"], 2.0)

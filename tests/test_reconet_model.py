"""RecoNet: the split, the feature space, the training-example generator, LRP (against hand computation and captum),
the deletion test, LIME and recall as CML defines it."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from replicate import metrics, splits
from replicate.data.types import Dataset
from replicate.papers.reconet import deletion, features, lime, lrp
from replicate.papers.reconet import train as reconet
from replicate.papers.reconet.model import RecoNet


@pytest.fixture
def tiny():
    """3 users, 4 movies; ratings >= 3 are positives."""
    ratings = pd.DataFrame(
        {
            "user": [0, 0, 0, 1, 1, 2, 2, 2, 2, 2],
            "item": [0, 1, 2, 2, 3, 0, 1, 2, 3, 3],
            "rating": [5.0, 4, 1, 3, 5, 4, 4, 4, 4, 4],
            "timestamp": np.arange(10),
        }
    )
    items = pd.DataFrame(
        {
            "original_id": ["a", "b", "c", "d"],
            "title": ["A", "B", "C", "D"],
            "year": pd.array([1995, 1987, None, 1999], "Int64"),
            "genres": [("Action",), ("Action", "Comedy"), ("Drama",), ()],
        }
    )
    users = pd.DataFrame(
        {
            "original_id": ["u0", "u1", "u2"],
            "age": [25, 35, 25],
            "age_group": ["25-34", "35-44", "25-34"],
            "gender": ["F", "M", "M"],
            "occupation": ["writer", "lawyer", "writer"],
        }
    )
    return Dataset("tiny", ratings, items, users, source="hand-made")


def test_per_user_split_is_60_20_20_per_user_and_disjoint(ml1m):
    split = splits.per_user_split(ml1m, seed=3)
    again = splits.per_user_split(ml1m, seed=3)
    assert (split.test != again.test).nnz == 0
    n = np.asarray((split.train + split.valid + split.test).sum(axis=1)).ravel()
    assert n.min() >= 5 and (split.train.multiply(split.valid)).nnz == 0 and (split.train.multiply(split.test)).nnz == 0
    train = np.diff(split.train.indptr)
    assert np.array_equal(train, np.round(0.6 * n).astype(int))
    assert np.array_equal(np.diff(split.valid.indptr), np.round(0.2 * n).astype(int))
    positives = ml1m.ratings[ml1m.ratings["rating"] >= 3]
    counts = positives.groupby("user").size()
    assert split.train.nnz + split.valid.nnz + split.test.nnz == counts[counts >= 5].sum()
    assert len(split.users) == (counts >= 5).sum()


def test_feature_space_profiles_are_the_union_of_items_and_attributes(tiny):
    split = splits.UserSplit(
        np.arange(3),
        np.arange(4),
        sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], np.float32)),
        sp.csr_matrix((3, 4)),
        sp.csr_matrix((3, 4)),
    )
    space = features.feature_space(tiny, split, attributes=True, decades=True)
    profiles = space.profiles(split.train).toarray()
    named = [set(space.labels[profiles[u] > 0]) for u in range(3)]
    assert named[0] == {"A", "B", "female", "age 25-34", "writer", "Action", "Comedy", "1990s", "1980s"}
    assert named[1] == {"D", "male", "age 35-44", "lawyer", "1990s"}  # D has no genre
    assert named[2] == {"C", "male", "age 25-34", "writer", "Drama"}  # C has no year: no decade
    bare = features.feature_space(tiny, split, attributes=False)
    assert bare.n_features == 4 and np.array_equal(bare.profiles(split.train).toarray(), split.train.toarray())


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_removal_distribution_matches_the_formula(beta):
    extra = features.extra_removals(np.random.default_rng(0), 200_000, beta)
    for rank in range(1, 5):
        expected = features.removal_probability(rank, beta)  # P(feature of rank r removed) = 1 / ((r+1)!)^beta
        assert expected == pytest.approx(1 / math.factorial(rank + 1) ** beta)
        observed = (extra >= rank).mean()
        assert abs(observed - expected) < 4 * math.sqrt(expected * (1 - expected) / len(extra)) + 1e-4
    assert features.removal_probability(0, beta) == pytest.approx(1.0)


def test_generator_removes_the_label_and_its_unshared_attributes(tiny):
    history = sp.csr_matrix(np.array([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]], np.float32))
    split = splits.UserSplit(np.arange(3), np.arange(4), history, sp.csr_matrix((3, 4)), sp.csr_matrix((3, 4)))
    space = features.feature_space(tiny, split, attributes=True)
    generator = features.ExampleGenerator(space, history, beta=60.0)  # extra removals have probability 2^-60
    inputs, labels = generator.batch(np.random.default_rng(0), np.array([[0, 2], [0, 1]]))
    named = [set(space.labels[row > 0]) for row in inputs]
    assert named[0] == {"A", "B", "female", "age 25-34", "writer", "Action", "Comedy"}  # C and Drama gone
    assert named[1] == {"A", "C", "female", "age 25-34", "writer", "Action", "Drama"}  # Comedy only came with B
    assert list(labels) == [2, 1]
    removed = [
        features.ExampleGenerator(space, history, beta=0.0).batch(np.random.default_rng(s), np.array([[0, 2]]))[0]
        for s in range(20)
    ]
    assert all(r.sum() == 1 for r in removed)  # beta = 0 removes until one feature is left


def _model(hidden=0, seed=0, bias=True):
    torch.manual_seed(seed)
    model = RecoNet(n_features=7, n_items=4, dim=3, hidden=hidden).double()
    if hidden and not bias:
        torch.nn.init.zeros_(model.H.bias)
    elif hidden:
        torch.nn.init.normal_(model.H.bias, std=0.3)
    return model


def test_lrp_of_the_linear_model_is_w_times_x_per_dimension_and_conserves_the_logit():
    model = _model()
    I = torch.tensor([[1, 0, 1, 0, 1, 1, 0], [0, 1, 0, 0, 0, 0, 1]], dtype=torch.float64)
    targets = torch.tensor([3, 0])
    Z = lrp.relevance(model, I, targets)
    Q, W = model.Q.detach(), model.W.weight.detach()
    for u in range(2):
        features = torch.nonzero(I[u]).ravel()
        x = Q[:, features].sum(dim=1) / len(features)
        R = W[targets[u]] * x  # step 1: R_i = w_ji x_i
        for k in range(7):  # steps 2 and 3, written out
            expected = sum(Q[i, k] * I[u, k] / (Q[i, features].sum()) * R[i] for i in range(3))
            assert float(Z[u, k]) == pytest.approx(float(expected), abs=1e-12)
        assert float(Z[u].sum()) == pytest.approx(float(model(I[u : u + 1])[0, targets[u]].detach()), abs=1e-12)
    assert torch.all(Z[I == 0] == 0)


def test_lrp_with_a_hidden_layer_conserves_up_to_epsilon_and_bias():
    I = torch.tensor([[1, 1, 0, 1, 0, 1, 1], [1, 0, 1, 1, 1, 0, 0]], dtype=torch.float64)
    targets = torch.tensor([1, 2])
    no_bias = _model(hidden=5, bias=False)
    Z = lrp.relevance(no_bias, I, targets, eps=1e-9)
    assert torch.allclose(Z.sum(dim=1), no_bias(I).gather(1, targets[:, None])[:, 0], atol=1e-7)
    biased = _model(hidden=5, seed=1)
    Z = lrp.relevance(biased, I, targets, eps=1e-9)
    x = biased.pool(I)
    z = biased.H(x)
    r_hidden = biased.W.weight[targets] * torch.relu(z)
    kept_by_bias = (r_hidden * biased.H.bias / z).sum(dim=1)  # the share of each unit's relevance its bias absorbs
    assert torch.allclose(Z.sum(dim=1) + kept_by_bias, r_hidden.sum(dim=1), atol=1e-7)
    assert not torch.allclose(Z.sum(dim=1), r_hidden.sum(dim=1), atol=1e-3)


def test_lrp_matches_captum_on_the_same_network_written_with_linear_layers():
    from captum.attr import LRP

    model = _model(hidden=4, seed=2, bias=False)
    I = torch.tensor([[1, 0, 1, 1, 0, 1, 0]], dtype=torch.float64)
    pool = torch.nn.Linear(7, 3, bias=False).double()
    pool.weight.data = model.Q.detach().clone()
    net = torch.nn.Sequential(pool, model.H, torch.nn.ReLU(), model.W)
    size = I.sum()
    theirs = LRP(net).attribute(I / size, target=2)
    ours = lrp.relevance(model, I, torch.tensor([2]))
    assert torch.allclose(ours, theirs, atol=1e-8)


def test_explain_top_skips_excluded_items_and_batches_consistently():
    model = _model()
    I = torch.tensor([[1, 0, 1, 0, 1, 1, 0], [0, 1, 0, 0, 0, 0, 1], [1, 1, 1, 0, 0, 0, 1]], dtype=torch.float64)
    exclude = I[:, :4].clone()
    targets, values, Z = lrp.explain_top(model, I, exclude=exclude, batch=2)
    logits = model(I).masked_fill(exclude.bool(), float("-inf"))
    assert torch.equal(targets, logits.argmax(dim=1))
    assert all(exclude[u, targets[u]] == 0 for u in range(3))
    assert torch.allclose(Z, lrp.relevance(model, I, targets)) and torch.allclose(Z.sum(1), values)


def test_deletion_removes_features_in_rank_order():
    model = _model()
    I = torch.tensor([[1, 1, 0, 1, 0, 1, 1]], dtype=torch.float64)
    scores = torch.tensor([[0.5, 3.0, 9.0, -1.0, 9.0, 2.0, 0.1]])  # present order: 1, 5, 0, 6, 3
    positions = deletion.rank_positions(scores, I > 0)
    assert positions[0, [1, 5, 0, 6, 3]].tolist() == [0, 1, 2, 3, 4] and positions[0, 2] == 7
    deltas = deletion.deletion_deltas(model, I, torch.tensor([2]), scores, ks=[1, 2])
    before = model(I)[0, 2].detach()
    after_1 = model(I * torch.tensor([1, 0, 1, 1, 1, 1, 1.0]))[0, 2].detach()
    after_2 = model(I * torch.tensor([1, 0, 1, 1, 1, 0, 1.0]))[0, 2].detach()
    assert deltas[0].tolist() == pytest.approx([float(after_1 - before), float(after_2 - before)])


def test_lime_explains_present_features_and_finds_the_dominant_one():
    torch.manual_seed(0)
    model = RecoNet(n_features=12, n_items=4, dim=4)
    with torch.no_grad():
        model.Q[:, 7] = 3.0 * model.W.weight[1]  # feature 7 pushes item 1 hard
    profile = torch.zeros(12)
    profile[[0, 2, 5, 7, 9]] = 1
    counted = []
    weights = lime.lime_relevance(model, profile, target=1, n_samples=600, counted=counted)
    assert counted == [600]  # lime_inferences_per_explanation: one inference of the black box per sample
    assert torch.all(weights[profile == 0] == 0) and torch.count_nonzero(weights) == 5
    assert int(weights.argmax()) == 7 == int(lrp.relevance(model, profile[None], torch.tensor([1]))[0].argmax())


def test_recall_without_cap_divides_by_all_test_items():
    scores = np.array([[0.9, 0.8, 0.1, 0.7, 0.2], [0.1, 0.2, 0.3, 0.4, 0.5]])
    heldout = np.array([[1, 0, 1, 1, 1], [0, 0, 0, 0, 0]])
    # user 0: top-2 = items 0, 1 -> 1 hit of 4 test items; capped: 1 / min(2, 4)
    assert metrics.recall_at_k(scores, heldout, 2, cap=False)[0] == pytest.approx(0.25)
    assert metrics.recall_at_k(scores, heldout, 2)[0] == pytest.approx(0.5)
    assert np.isnan(metrics.recall_at_k(scores, heldout, 2, cap=False)[1])
    # curve over the user with test items: top order 0, 1, 3, 4, 2 -> hits 1, 1, 2, 3, 4
    assert metrics.recall_curve(scores, heldout, 5, cap=False).tolist() == pytest.approx([0.25, 0.25, 0.5, 0.75, 1.0])
    exclude = sp.csr_matrix(np.array([[1, 0, 0, 0, 0], [0, 0, 0, 0, 0]]))
    # excluded item 0 leaves the ranking 1, 3, 4, 2 -> recall@1 = 0 of 4
    assert reconet.recall_curve(scores, sp.csr_matrix(heldout), exclude, k=2).tolist() == pytest.approx([0.0, 0.25])


def test_extra_removals_reach_attribute_columns(tiny):
    history = sp.csr_matrix(np.array([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]], np.float32))
    split = splits.UserSplit(np.arange(3), np.arange(4), history, sp.csr_matrix((3, 4)), sp.csr_matrix((3, 4)))
    space = features.feature_space(tiny, split, attributes=True)
    generator = features.ExampleGenerator(space, history, beta=0.3)
    inputs, _ = generator.batch(np.random.default_rng(1), np.repeat(np.array([[0, 2]]), 400, axis=0))
    attributes = space.columns("gender", "age", "occupation", "genre")
    assert (inputs[:, attributes] == 0).any(axis=1).mean() > 0.2  # attributes are removed too, not only movies


def test_tune_excludes_training_items_at_validation_and_known_items_at_test():
    train = sp.csr_matrix(np.array([[1, 0, 0, 0], [0, 1, 0, 0]], np.float32))
    valid = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0]], np.float32))
    test = sp.csr_matrix(np.array([[0, 0, 1, 0], [0, 0, 0, 1]], np.float32))
    split = splits.UserSplit(np.arange(2), np.arange(4), train, valid, test)
    # every user ranks items 0 > 1 > 2 > 3: excluding known items must lift the targets into the top 1
    scorer = lambda rows: np.tile(np.array([4.0, 3.0, 2.0, 1.0], np.float32), (len(rows), 1))  # noqa: E731
    tuned = reconet.tune("fixed", False, [{}], lambda c: scorer, split, progress=False)
    # validation, train excluded: user 0 ranks 1, 2, 3 (target 1 is first); user 1 ranks 0, 2, 3 (target 0 first)
    assert tuned.curve is not None and tuned.valid == pytest.approx(1.0)
    # test, train + validation excluded: user 0 ranks 2, 3 (hit at 1); user 1 ranks 2, 3 (target 3 at rank 2)
    assert tuned.curve[0] == pytest.approx(0.5) and tuned.curve[1] == pytest.approx(1.0)


def test_cold_start_users_lose_their_whole_training_history():
    rng = np.random.default_rng(0)
    train = sp.csr_matrix((rng.random((50, 8)) < 0.5).astype(np.float32))
    test = sp.csr_matrix((rng.random((50, 8)) < 0.3).astype(np.float32))
    split = splits.UserSplit(np.arange(50), np.arange(8), train, sp.csr_matrix((50, 8)), test)
    cold = reconet.cold_start_users(split, share=0.1, seed=0)
    has_test = np.flatnonzero(np.diff(test.indptr) > 0)
    assert len(cold) == round(0.1 * len(has_test)) and set(cold) <= set(has_test)
    emptied = reconet.without_rows(train, cold)
    assert emptied[cold].nnz == 0
    others = np.setdiff1d(np.arange(50), cold)
    assert (emptied[others] != train[others]).nnz == 0


def test_extra_removals_pick_each_present_feature_equally_often(tiny):
    """The vectorised generator removes a uniform subset: with one extra removal per example (β tiny but the
    limit what is left), exactly one feature stays, each of the eight non-label ones about an eighth of the time."""
    history = sp.csr_matrix(np.array([[1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]], np.float32))
    split = splits.UserSplit(np.arange(3), np.arange(4), history, sp.csr_matrix((3, 4)), sp.csr_matrix((3, 4)))
    space = features.feature_space(tiny, split, attributes=True)
    generator = features.ExampleGenerator(space, history, beta=1e-9, drop_label_attributes=False)
    n = 6000
    inputs, _ = generator.batch(np.random.default_rng(2), np.repeat(np.array([[0, 2]]), n, axis=0))
    kept = inputs.sum(axis=0)
    present = np.flatnonzero(kept)
    assert set(inputs.sum(axis=1)) == {1.0}  # beta ~ 0: everything but one feature goes
    shares = kept[present] / n  # which single feature is left: uniform over the 8 non-label features
    assert len(present) == 8 and np.allclose(shares, 1 / 8, atol=0.02)


def test_training_resumed_equals_training_longer(tiny):
    """3 epochs then 2 more (``resume``) give exactly the model and curves of 5 epochs from scratch."""
    history = sp.csr_matrix(np.array([[1, 1, 1, 0], [0, 0, 1, 1], [1, 1, 1, 1]], np.float32))
    split = splits.UserSplit(np.arange(3), np.arange(4), history, history, sp.csr_matrix((3, 4)))
    space = features.feature_space(tiny, split, attributes=True)
    setting = dict(dim=4, beta=1.0, batch=2)
    longer = reconet.train(space, history, reconet.Config(epochs=5, **setting), seed=1, valid=history, progress=False)
    first = reconet.train(space, history, reconet.Config(epochs=3, **setting), seed=1, valid=history, progress=False)
    before = first.model.Q.detach().clone()
    resumed = reconet.train(
        space, history, reconet.Config(epochs=2, **setting), seed=1, valid=history, progress=False, resume=first
    )
    assert torch.equal(first.model.Q, before)  # the resumed run trained a copy
    assert torch.equal(resumed.model.Q, longer.model.Q) and torch.equal(resumed.model.W.weight, longer.model.W.weight)
    assert resumed.loss == longer.loss and resumed.valid == longer.valid


def test_table1_fitter_reuses_short_runs_and_its_full_run_equals_one_from_scratch(tiny, monkeypatch):
    """``reconet_fitter(runs=...)``: the same run asked twice (two fitters, one store) trains once; a 3-epoch run
    continues the 1-epoch one (2 epochs trained) and equals 3 epochs from scratch."""
    from replicate.papers.reconet import table1 as t1

    history = sp.csr_matrix(np.array([[1, 1, 1, 0], [0, 0, 1, 1], [1, 1, 1, 1]], np.float32))
    split = splits.UserSplit(np.arange(3), np.arange(4), history, history, sp.csr_matrix((3, 4)))
    space = features.feature_space(tiny, split, attributes=True)
    base = reconet.Config(dim=4, batch=2)
    trained = []
    real_train = reconet.train
    monkeypatch.setattr(reconet, "train", lambda *a, **k: trained.append(a[2].epochs) or real_train(*a, **k))
    runs = {}
    short = t1.reconet_fitter(space, history, base, 1, "cpu", history, runs)({"beta": 2.0}, 1)
    again = t1.reconet_fitter(space, history, base, 1, "cpu", history, runs)({"beta": 2.0}, 1)
    full = t1.reconet_fitter(space, history, base, 1, "cpu", history, runs)({"beta": 2.0}, 3)
    assert again is short and trained == [1, 2]
    scratch = t1.reconet_fitter(space, history, base, 1, "cpu", history)({"beta": 2.0}, 3)
    assert torch.equal(full.trained.model.Q, scratch.trained.model.Q)
    assert full.trained.valid == scratch.trained.valid and len(full.trained.valid) == 3
    rows = np.arange(3)
    assert np.array_equal(full(rows), scratch(rows))


def test_distinct_positions_are_distinct_uniform_subsets():
    """Each row gets k[i] different positions of range(n[i]); over many rows every position is picked about
    k / n of the time, and a row asking for all its positions gets all of them."""
    rng = np.random.default_rng(3)
    rows = 20000
    n, k = np.full(rows, 5), np.full(rows, 2)
    n[:10], k[:10] = 4, 4  # ask for everything
    which, position = features.distinct_positions(rng, n, k)
    assert np.array_equal(np.bincount(which, minlength=rows), k)
    pairs = set(zip(which.tolist(), position.tolist()))
    assert len(pairs) == len(which)  # no row picks a position twice
    assert all({p for w, p in pairs if w == i} == {0, 1, 2, 3} for i in range(10))
    counts = np.bincount(position[which >= 10], minlength=5) / (rows - 10)
    assert np.allclose(counts, 2 / 5, atol=0.015)
    assert features.distinct_positions(rng, np.array([3]), np.array([0]))[0].size == 0
    with pytest.raises(ValueError):
        features.distinct_positions(rng, np.array([2]), np.array([3]))


def test_pool_bags_equals_the_dense_pooling_and_its_gradient():
    """Training's sparse pooling (embedding_bag forward, Sᵀ g backward) gives the dense pooling of section 4.1 and
    the same gradient of Q, an empty bag included."""
    rng = np.random.default_rng(0)
    inputs = (rng.random((6, 9)) < 0.4).astype(np.float32)
    inputs[2] = 0.0
    columns = np.flatnonzero(inputs.ravel()) % 9
    offsets = np.concatenate([[0], np.cumsum(inputs.sum(axis=1))]).astype(np.int64)
    model = RecoNet(n_features=9, n_items=5, dim=4)
    weights = torch.from_numpy(rng.standard_normal((6, 4)).astype(np.float32))
    (model.pool(torch.from_numpy(inputs)) * weights).sum().backward()
    dense = model.Q.grad.clone()
    model.Q.grad = None
    sparse = model.pool_bags(columns, offsets)
    (sparse * weights).sum().backward()
    assert torch.allclose(sparse, model.pool(torch.from_numpy(inputs)), atol=1e-6)
    assert torch.allclose(model.Q.grad, dense, atol=1e-6)


@pytest.mark.parametrize("hidden", [0, 5])
def test_output_layer_gives_autograds_logits_and_gradients(hidden):
    """The head's output layer ((xᵀ g)ᵀ for the weight's gradient) against nn.Linear's autograd, loss included."""
    torch.manual_seed(0)
    model = RecoNet(n_features=40, n_items=30, dim=8, hidden=hidden)
    x = torch.randn(16, 8)
    labels = torch.randint(0, 30, (16,))
    grads = []
    for head in (model.head, lambda v: model.W(torch.relu(model.H(v)) if hidden else v)):
        model.zero_grad()
        inputs = x.clone().requires_grad_(True)
        logits = head(inputs)
        torch.nn.functional.cross_entropy(logits, labels).backward()
        grads.append(
            (logits.detach(), inputs.grad, *(p.grad.clone() for p in model.parameters() if p.grad is not None))
        )
    for ours, autograd in zip(*grads):
        assert ours.shape == autograd.shape and torch.allclose(ours, autograd, rtol=1e-6, atol=1e-7)

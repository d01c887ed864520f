"""The Table 1 baselines: hand-checked values on tiny matrices, a planted two-block problem, determinism, cold start
and input errors. Expected numbers are worked out by hand here, never by calling the code under test."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from replicate.baselines import CML, GRIDS, METHODS, FactorizationMachine, ItemToItem, OCuLaR, Popularity, UserToUser
from replicate.baselines import cml as cml_module
from replicate.baselines import ocular as ocular_module
from replicate.errors import ParameterError

# 3 users x 4 items. Item columns' user sets: {0,1}, {0,1}, {1,2}, {2}; user rows' item sets: {0,1}, {0,1,2}, {2,3}.
R = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]], dtype=np.float32))


# ----------------------------------------------------------------------------------------------- popularity
def test_popularity_counts_training_interactions():
    scores = Popularity().fit(R).score(np.array([0, 2]))
    assert scores.dtype == np.float32
    np.testing.assert_array_equal(scores, [[2, 2, 2, 1], [2, 2, 2, 1]])


# ----------------------------------------------------------------------------------------------- neighbours
def test_item2item_cosine_by_hand():
    # sim(0,1) = 2/sqrt(2*2) = 1, sim(0,2) = sim(1,2) = 1/sqrt(2*2) = 1/2, sim(2,3) = 1/sqrt(2*1),
    # sim(0,3) = sim(1,3) = 0
    s = 1 / math.sqrt(2)
    expected = np.array(
        [
            [1, 1, 1, 0],  # items {0,1}: item i gets sim(i,0) + sim(i,1), self-similarity excluded
            [1.5, 1.5, 1, s],  # items {0,1,2}
            [0.5, 0.5, s, s],  # items {2,3}
        ]
    )
    np.testing.assert_allclose(ItemToItem(top_k=None).fit(R).score(np.arange(3)), expected, rtol=1e-6)


def test_item2item_top_k_keeps_each_items_nearest():
    # top-1 neighbour: 0 -> 1 (sim 1), 1 -> 0, 2 -> 3 (1/sqrt2 > 1/2), 3 -> 2. A user's item j votes only for top(j).
    s = 1 / math.sqrt(2)
    expected = np.array([[1, 1, 0, 0], [1, 1, 0, s], [0, 0, s, s]])
    np.testing.assert_allclose(ItemToItem(top_k=1).fit(R).score(np.arange(3)), expected, rtol=1e-6)


def test_user2user_cosine_by_hand():
    # sim(0,1) = 2/sqrt(2*3), sim(1,2) = 1/sqrt(3*2), sim(0,2) = 0
    a, b = 2 / math.sqrt(6), 1 / math.sqrt(6)
    rows = R.toarray()
    k1 = np.array([a * rows[1], a * rows[0], b * rows[1]])  # each user's single nearest other user
    np.testing.assert_allclose(UserToUser(k=1).fit(R).score(np.arange(3)), k1, rtol=1e-6)
    k2_user1 = a * rows[0] + b * rows[2]
    np.testing.assert_allclose(UserToUser(k=2).fit(R).score(np.array([1]))[0], k2_user1, rtol=1e-6)


# ----------------------------------------------------------------------------------------------- FM
def _naive_fm(w0, w, v, x):
    """w0 + sum_f w_f x_f + sum_{f<g} <v_f, v_g> x_f x_g, pair by pair."""
    total = w0 + float(w @ x)
    for f in range(len(x)):
        for g in range(f + 1, len(x)):
            total += float(v[f] @ v[g]) * x[f] * x[g]
    return total


def test_fm_closed_form_scores_equal_the_naive_pairwise_sum():
    train = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0]], dtype=np.float32))  # user 2: cold start
    user_attrs = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32))
    item_attrs = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1]], dtype=np.float32))
    model = FactorizationMachine(dim=3, lr=0.05).fit(train, user_attrs, item_attrs, epochs=3)
    w0 = model.w0_.item()
    w = torch.cat([model.w_user_, model.w_item_]).detach().numpy().astype(np.float64)
    v = torch.cat([model.v_user_, model.v_item_]).detach().numpy().astype(np.float64)
    scores = model.score(np.arange(3))
    for u in range(3):
        user_id = np.eye(3)[u] * (u != 2)  # the cold-start user's id feature is switched off
        for i in range(3):
            x = np.concatenate([user_id, user_attrs.toarray()[u], np.eye(3)[i], item_attrs.toarray()[i]])
            assert scores[u, i] == pytest.approx(_naive_fm(w0, w, v, x), abs=1e-5)


# ----------------------------------------------------------------------------------------------- OCuLaR
def _naive_ocular(fu, fi, r, reg, corner=None):
    x = fu @ fi.T
    keep = np.ones_like(r, dtype=bool)
    if corner is not None:
        keep[corner[0] :, corner[1] :] = False
    pos = (r == 1) & keep
    neg = (r == 0) & keep
    return -np.log(1 - np.exp(-x[pos])).sum() + x[neg].sum() + reg * ((fu**2).sum() + (fi**2).sum())


def _ocular_csr64(matrix):
    return ocular_module.torch_csr(matrix).to(torch.float64)


# With attributes the last rows/columns are pseudo-users/items and their corner block holds no positive.
R_CORNER = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 1], [0, 1, 0, 0]], dtype=np.float32))


@pytest.mark.parametrize("matrix, corner", [(R, None), (R_CORNER, (2, 2))])
def test_ocular_fast_likelihood_equals_the_naive_one(matrix, corner):
    rng = np.random.default_rng(0)
    fu, fi = rng.uniform(0.5, 1.5, (3, 2)), rng.uniform(0.5, 1.5, (4, 2))
    skip = corner or (None, None)
    fast = ocular_module.neg_log_likelihood(torch.tensor(fu), torch.tensor(fi), _ocular_csr64(matrix), 0.3, *skip)
    assert fast.item() == pytest.approx(_naive_ocular(fu, fi, matrix.toarray(), 0.3, corner), rel=1e-5)


def test_ocular_row_objectives_add_up_and_a_block_step_never_increases_q():
    rng = np.random.default_rng(1)
    fu, fi = torch.tensor(rng.uniform(0, 1, (3, 2))), torch.tensor(rng.uniform(0, 1, (4, 2)))
    positives, rows = _ocular_csr64(R), torch.tensor([0, 0, 1, 1, 1, 2, 2])
    totals = fi.sum(0).expand_as(fu)
    q_rows, _ = ocular_module.row_objectives(fu, fi, positives, rows, totals, 0.3)
    q = ocular_module.neg_log_likelihood(fu, fi, positives, 0.3)
    assert (q_rows.sum() + 0.3 * fi.pow(2).sum()).item() == pytest.approx(q.item(), rel=1e-6)
    new, _ = ocular_module.block_step(fu, fi, positives, rows, totals, 0.3)
    assert ocular_module.neg_log_likelihood(new, fi, positives, 0.3) <= q
    assert (new >= 0).all()


def test_ocular_factors_stay_non_negative_and_q_decreases():
    model = OCuLaR(K=3, reg=0.1).fit(_planted()[0], epochs=10)
    assert (model.f_users_ >= 0).all() and (model.f_items_ >= 0).all()
    assert all(b <= a + 1e-3 for a, b in zip(model.losses_, model.losses_[1:]))


# ----------------------------------------------------------------------------------------------- CML
def test_cml_rank_weight_and_hinge_by_hand():
    pos = torch.tensor([1.0])
    neg = torch.tensor([[0.5, 1.5, 3.0, 4.0]])
    # margin 1: impostors have 1 + 1 - d > 0, i.e. d < 2: two of the four; J = 10 items -> log(1 + 10 * 2 / 4)
    assert cml_module.rank_weight(pos, neg, 1.0, 10).item() == pytest.approx(math.log(6))
    # the closest negative (0.5) gives [1 + 1 - 0.5]_+ = 1.5; a far one gives 0
    assert cml_module.hinge(pos, torch.tensor([0.5]), 1.0).item() == pytest.approx(1.5)
    assert cml_module.hinge(pos, torch.tensor([3.0]), 1.0).item() == 0.0


def test_cml_step_loss_on_hand_made_points():
    model = CML(dim=2, margin=1.0)
    model.n_users, model.n_items, model.projector_ = 1, 4, None
    model.users_ = torch.tensor([[0.0, 0.0]])
    model.items_ = torch.tensor([[1.0, 0.0], [0.0, 0.5], [0.0, 1.0], [0.6, 0.8]])  # squared distances 1, .25, 1, 1
    # negatives 1, 2, 3 at d^2 = 0.25, 1, 1: all three violate 1 + 1 - d^2 > 0; weight log(1 + 4 * 3/3) = log 5;
    # hardest negative 1: hinge 1 + 1 - 0.25 = 1.75
    loss = model._step_loss(np.array([0]), np.array([0]), np.array([[1, 2, 3]]))
    assert loss.item() == pytest.approx(math.log(5) * 1.75, rel=1e-6)


def test_cml_norms_are_clipped_after_fit():
    train, _, _ = _planted()
    item_attrs = sp.csr_matrix(np.kron(np.eye(2), np.ones((5, 1))).astype(np.float32))
    for kwargs, attrs in [({}, None), ({"clip_norm": 0.5}, item_attrs)]:
        model = CML(dim=4, batch_size=16, negatives=3, hidden=8, **kwargs).fit(train, item_attrs=attrs, epochs=3)
        limit = kwargs.get("clip_norm", 1.0) + 1e-5
        assert model.users_.norm(dim=1).max() <= limit and model.items_.norm(dim=1).max() <= limit


# ----------------------------------------------------------------------------------------------- planted problem
def _planted():
    """20 users in two groups of 10, 10 items in two blocks of 5; each user has 3 of her block's 5 items (the two
    left out rotate with the user), none of the other block. Returns (train, held-out own items, other block)."""
    rows, held, other = [], [], []
    for u in range(20):
        block = np.arange(5) + 5 * (u // 10)
        left_out = [block[u % 5], block[(u + 1) % 5]]
        rows.append(np.isin(np.arange(10), block) & ~np.isin(np.arange(10), left_out))
        held.append(left_out)
        other.append(np.setdiff1d(np.arange(10), block))
    return sp.csr_matrix(np.array(rows, dtype=np.float32)), np.array(held), np.array(other)


# Hyperparameters for the 20 x 10 problem, and epochs. The iterative methods need regularisation (or, for CML, a
# low dimension and a wide margin) here: with 20 users they can otherwise fit each user's own left-out pattern.
TINY = {
    "item2item": ({"top_k": None}, None),
    "user2user": ({"k": 5}, None),
    "fm": ({"dim": 4, "lr": 0.05, "batch_size": 64, "reg": 0.01}, 60),
    "ocular": ({"K": 4, "reg": 3.0}, 30),
    "cml": ({"dim": 4, "margin": 1.9, "batch_size": 16, "negatives": 3}, 30),
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_each_method_ranks_the_users_own_block_first(name):
    """Over all (user, left-out item of her block, item of the other block) triples, the left-out item scores higher
    in at least 95 % (chance: 50 %; a tie counts as a miss)."""
    train, held, other = _planted()
    params, epochs = TINY[name]
    scores = METHODS[name](**params).fit(train, epochs=epochs).score(np.arange(20))
    own = np.take_along_axis(scores, held, 1)[:, :, None]
    foreign = np.take_along_axis(scores, other, 1)[:, None, :]
    assert np.mean(own > foreign) >= 0.95, f"{name}: own block first in {np.mean(own > foreign):.0%} of the pairs"


@pytest.mark.parametrize("name", ["fm", "ocular"])
def test_cold_start_user_is_ranked_from_attributes(name):
    train, _, _ = _planted()
    train = sp.vstack([train, sp.csr_matrix((2, 10), dtype=np.float32)], format="csr")  # users 20, 21: no history
    group = np.r_[np.zeros(10), np.ones(10), 0, 1].astype(int)
    user_attrs = sp.csr_matrix(np.eye(2, dtype=np.float32)[group])  # the attribute is the user's group
    params, epochs = TINY[name]
    scores = METHODS[name](**params).fit(train, user_attrs=user_attrs, epochs=epochs).score(np.array([20, 21]))
    assert scores[0, :5].min() > scores[0, 5:].max() and scores[1, 5:].min() > scores[1, :5].max()


# ----------------------------------------------------------------------------------------------- shared behaviour
CASES = [(name, False) for name in METHODS] + [(name, True) for name, cls in METHODS.items() if cls.uses_attributes]


@pytest.mark.parametrize("name, with_attrs", CASES)
def test_same_seed_same_scores_and_cold_start_users_get_finite_scores(name, with_attrs):
    train, _, _ = _planted()
    train = sp.vstack([train, sp.csr_matrix((1, 10), dtype=np.float32)], format="csr")  # user 20: all-zero row
    attrs = {}
    if with_attrs:
        group = np.r_[np.zeros(10), np.ones(10), 0].astype(int)
        sides = {"user": np.eye(2, dtype=np.float32)[group], "item": np.kron(np.eye(2), np.ones((5, 1)))}
        attrs = {f"{s}_attrs": sp.csr_matrix(sides[s], dtype=np.float32) for s in METHODS[name].ATTRIBUTE_SIDES}
    params, epochs = TINY.get(name, ({}, None))
    params = {**params, "hidden": 8} if name == "cml" else params

    def scores(seed):
        return METHODS[name](seed=seed, **params).fit(train, epochs=epochs, **attrs).score(np.arange(21))

    first = scores(3)
    np.testing.assert_array_equal(first, scores(3))
    assert first.shape == (21, 10) and first.dtype == np.float32 and np.isfinite(first).all()
    if epochs is not None:  # a random method must actually use its seed
        assert not np.array_equal(first, scores(4))


def test_registry_grids_and_interface():
    assert list(METHODS) == ["popularity", "item2item", "user2user", "fm", "ocular", "cml"]
    for name, cls in METHODS.items():
        assert GRIDS[name] is cls.GRID
        assert len(cls.GRID) == (1 if name == "popularity" else 4)
        assert len({tuple(sorted(c.items())) for c in cls.GRID}) == len(cls.GRID)
        for config in cls.GRID:
            cls(**config)  # every configuration is accepted
        assert cls.uses_attributes == (name in ("fm", "ocular", "cml"))


def test_fit_restores_the_callers_thread_count():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        FactorizationMachine(dim=2).fit(R, epochs=1)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_bad_input_names_the_fix():
    with pytest.raises(ParameterError, match="valid ones are"):
        OCuLaR(lambda_=1.0)
    with pytest.raises(ParameterError, match="one row per user"):
        FactorizationMachine().fit(R, user_attrs=sp.csr_matrix(np.ones((2, 1), dtype=np.float32)), epochs=1)
    with pytest.raises(ParameterError, match="one row per item"):
        OCuLaR().fit(R, item_attrs=sp.csr_matrix(np.ones((3, 1), dtype=np.float32)), epochs=1)
    with pytest.raises(ParameterError, match="pass user_attrs=None"):
        CML().fit(R, user_attrs=sp.csr_matrix(np.ones((3, 1), dtype=np.float32)), epochs=1)
    with pytest.raises(ParameterError, match="pass item_attrs=None"):
        ItemToItem().fit(R, item_attrs=sp.csr_matrix(np.ones((4, 1), dtype=np.float32)))
    with pytest.raises(ParameterError, match="binary"):
        Popularity().fit(R * 4)
    with pytest.raises(ParameterError, match="without epochs"):
        UserToUser().fit(R, epochs=3)
    with pytest.raises(ParameterError, match="not fitted"):
        Popularity().score(np.array([0]))
    with pytest.raises(ParameterError, match=r"\[0, 3\)"):
        Popularity().fit(R).score(np.array([3]))

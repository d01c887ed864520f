"""C-VAE pieces: the conditioned sampler, the loss terms, the model, the split, and determinism."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch import nn

from benchmarks.bench_cvae import with_one_matrix
from replicate import data, seed_everything, splits
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import (
    NO_GENRE,
    Conditions,
    conditioned_examples,
    genre_conditions,
    one_hot,
    targets,
)
from replicate.papers.cvae.model import FirstLayer, MultVAE, _init, input_dropout, kl_divergence, multinomial_nll


@pytest.fixture
def hand_made():
    # items: 0 Action, 1 Action+Comedy, 2 Comedy, 3 no genre
    conditions = Conditions(
        ("Action", "Comedy", NO_GENRE), np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    )
    history = sp.csr_matrix(np.array([[1, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0]], dtype=np.float32))
    return conditions, history


def test_conditioned_examples_by_hand(hand_made):
    conditions, history = hand_made
    users, conds = conditioned_examples(history, conditions)
    # user 0: none, Action (item 0), Comedy (item 2); user 1: none, no-genre; user 2: nothing; user 3: none, A, C
    assert list(zip(users.tolist(), conds.tolist())) == [
        (0, -1),
        (0, 0),
        (0, 1),
        (1, -1),
        (1, 2),
        (3, -1),
        (3, 0),
        (3, 1),
    ]
    users, conds = conditioned_examples(history, conditions, unconditioned=False)
    assert -1 not in conds.tolist() and len(users) == 5


def test_targets_keep_only_the_condition(hand_made):
    conditions, history = hand_made
    rows = history.toarray()[[0, 0, 0, 3]]
    masked = targets(rows, np.array([-1, 0, 1, 1]), conditions)
    assert masked.tolist() == [[1, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
    assert (masked.sum(axis=1) > 0).all()  # no empty target for a condition the user watched


def test_one_hot_and_genre_conditions():
    assert one_hot(np.array([1, -1, 0]), 2).tolist() == [[0, 1], [0, 0], [1, 0]]
    ds = data.make_synthetic()
    conditions = genre_conditions(ds, np.arange(ds.n_items))
    assert conditions.names == tuple(ds.genres) and conditions.items.shape == (ds.n_items, len(ds.genres))
    np.testing.assert_array_equal(conditions.items, ds.genre_matrix())


def test_kl_and_multinomial_by_hand():
    assert kl_divergence(torch.zeros(3, 2), torch.zeros(3, 2)).item() == pytest.approx(0.0)
    mu, logvar = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, math.log(4.0)]])
    # 0.5 * [(1 + 1 - 0 - 1) + (4 + 4 - log 4 - 1)]
    assert kl_divergence(mu, logvar).item() == pytest.approx(0.5 * (1 + 7 - math.log(4)))
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25]]))
    target = torch.tensor([[1.0, 0.0, 1.0]])
    assert multinomial_nll(logits, target).item() == pytest.approx(-(math.log(0.5) + math.log(0.25)))


def test_input_dropout_touches_only_non_zeros():
    torch.manual_seed(0)
    x = (torch.rand(50, 40) < 0.1).float()
    y = input_dropout(x, 0.5, training=True)
    assert ((x == 0) <= (y == 0)).all()
    assert set(torch.unique(y[x > 0]).tolist()) <= {0.0, 2.0}
    assert 0.3 < (y[x > 0] == 0).float().mean() < 0.7
    assert torch.equal(input_dropout(x, 0.5, training=False), x)


def test_model_shapes_init_and_condition():
    seed_everything(0)
    model = MultVAE(30, n_conditions=3, hidden=16, latent=4)
    assert model.encoder.in_features == 33 and model.decoder_out.out_features == 30
    big = MultVAE(2000, hidden=600, latent=200)
    bias = big.decoder_out.bias.detach()
    assert bias.abs().max() <= 2e-3 and 0.7e-3 < bias.std() < 1.0e-3  # normal std 1e-3 truncated at 2 std
    bound = np.sqrt(6 / (2000 + 600))
    weight = big.encoder.weight.detach()
    assert weight.abs().max() <= bound and weight.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)  # Xavier
    model.eval()
    x = (torch.rand(5, 30) < 0.3).float()
    logits, mu, logvar = model(x, torch.from_numpy(one_hot(np.array([0, 1, 2, -1, 0]), 3)))
    assert logits.shape == (5, 30) and mu.shape == logvar.shape == (5, 4)
    same, _, _ = model(x, torch.from_numpy(one_hot(np.array([0, 1, 2, -1, 0]), 3)))
    assert torch.equal(logits, same)  # evaluation uses the mean
    other, _, _ = model(x, torch.from_numpy(one_hot(np.array([1, 1, 2, -1, 0]), 3)))
    assert not torch.equal(other[0], logits[0]) and torch.equal(other[1:], logits[1:])


def test_strong_generalization_split():
    ds = data.make_synthetic(n_users=120, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=10, seed=0)
    assert len(set(s.train_users) | set(s.valid_users) | set(s.test_users)) == (
        len(s.train_users) + len(s.valid_users) + len(s.test_users)
    )
    assert len(s.valid_users) == len(s.test_users) == 10
    assert (np.asarray(s.train.sum(axis=0)).ravel() > 0).all()  # the catalogue is what training users liked
    assert s.valid_in.multiply(s.valid_out).nnz == 0
    liked = ds.ratings[ds.ratings["rating"] >= 4]
    for row, user in enumerate(s.test_users):
        items = set(liked.loc[liked["user"] == user, "item"]) & set(s.items)
        got_in = set(s.items[s.test_in[row].indices])
        got_out = set(s.items[s.test_out[row].indices])
        assert got_in | got_out == items
        assert len(got_out) == (int(0.2 * len(items)) if len(items) >= 5 else 0)
    with pytest.raises(ValueError, match="held-out users"):
        splits.strong_generalization(ds, n_heldout=100)


def _train_once(conditioned):
    seed_everything(3)
    ds = data.make_synthetic(n_users=150, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=15, seed=3)
    conditions = genre_conditions(ds, s.items) if conditioned else None
    model = MultVAE(s.n_items, conditions.n if conditioned else 0, hidden=32, latent=8)
    config = train_vae.TrainConfig(epochs=3, batch_size=64, lr=1e-2, seed=3)
    history = train_vae.train(model, s.train, s.valid_in, s.valid_out, config, conditions, progress=False)
    return model, history


@pytest.mark.parametrize("conditioned", [False, True])
def test_training_is_deterministic_and_learns(conditioned):
    first, h1 = _train_once(conditioned)
    second, h2 = _train_once(conditioned)
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert h1.valid_ndcg == h2.valid_ndcg
    assert h1.loss[-1] < h1.loss[0]


def test_beta_schedule_and_early_stopping_restore_the_best_epoch():
    seed_everything(0)
    ds = data.make_synthetic(n_users=150, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=15, seed=0)
    model = MultVAE(s.n_items, hidden=16, latent=4)
    config = train_vae.TrainConfig(epochs=12, patience=3, batch_size=40, lr=5e-2, anneal_epochs=2, beta_cap=0.01)
    history = train_vae.train(model, s.train, s.valid_in, s.valid_out, config, progress=False)
    steps_per_epoch = int(np.ceil(s.train.shape[0] / 40))
    # beta at the last step of epoch 1 is cap * (steps - 1) / (2 * steps); from epoch 3 on it is the cap
    assert history.beta[0] == pytest.approx(0.01 * (steps_per_epoch - 1) / (2 * steps_per_epoch))
    assert all(b == pytest.approx(0.01) for b in history.beta[2:])
    assert history.best_ndcg == max(history.valid_ndcg)
    if history.stopped_early:
        assert len(history.valid_ndcg) - 1 - history.best_epoch == config.patience
    kept = train_vae.evaluate(model, s.valid_in, s.valid_out)["nDCG@100"]
    assert kept == pytest.approx(history.best_ndcg)  # the model was left at its best epoch


def test_filtering_to_the_genre_never_hurts_and_condition_changes_the_ranking():
    seed_everything(0)
    ds = data.make_synthetic(n_users=150, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=15, seed=0)
    conditions = genre_conditions(ds, s.items)
    model = MultVAE(s.n_items, conditions.n, hidden=16, latent=4)
    result = train_vae.conditioned_evaluation(
        {"plain": (model, "plain"), "filter": (model, "filter"), "condition": (model, "condition")},
        s.test_in,
        s.test_out,
        conditions,
    )
    assert result["pairs"] == int(((s.test_out @ conditions.items) > 0).sum())
    # movies outside the genre are never relevant, so dropping them can only move relevant movies up
    assert result["filter"]["nDCG@100"] >= result["plain"]["nDCG@100"]
    assert result["filter"]["Recall@20"] >= result["plain"]["Recall@20"]
    assert result["condition"]["nDCG@100"] != result["plain"]["nDCG@100"]
    with pytest.raises(ValueError, match="mode"):
        train_vae.conditioned_evaluation({"x": (model, "magic")}, s.test_in, s.test_out, conditions)


def test_history_counts_steps_and_keeps_snapshots():
    seed_everything(0)
    ds = data.make_synthetic(n_users=150, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=15, seed=0)
    model = MultVAE(s.n_items, hidden=16, latent=4)
    config = train_vae.Config(epochs=4, patience=10, batch_size=40, snapshot_epochs=(2,))
    history = train_vae.train(model, s.train, s.valid_in, s.valid_out, config, progress=False)
    per_epoch = int(np.ceil(s.train.shape[0] / 40))
    assert history.steps == [per_epoch * (k + 1) for k in range(4)]
    best, state = history.snapshots[2]
    assert best == int(np.argmax(history.valid_ndcg[:2])) and set(state) == set(model.state_dict())
    assert train_vae.TrainConfig is train_vae.Config


def test_a_snapshot_after_an_early_stop_is_the_kept_model():
    seed_everything(0)
    ds = data.make_synthetic(n_users=150, n_items=40, per_user=14)
    s = splits.strong_generalization(ds, n_heldout=15, seed=0)
    model = MultVAE(s.n_items, hidden=16, latent=4)
    config = train_vae.Config(epochs=3, batch_size=40, snapshot_epochs=(50,))
    history = train_vae.train(model, s.train, s.valid_in, s.valid_out, config, progress=False)
    best, state = history.snapshots[50]
    assert best == history.best_epoch
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_sparse_first_layer_equals_the_dense_encoder():
    """``first_layer`` is ``encoder([input_dropout(x), c])``: the same values and, seeded alike, the same dropout."""
    torch.manual_seed(0)
    model = MultVAE(30, n_conditions=3, hidden=8, latent=4).double()
    x = (torch.rand(6, 30, dtype=torch.float64) < 0.2).double()
    x[2] = 0.0  # an empty history
    c = torch.zeros(6, 3, dtype=torch.float64)
    c[0, 1] = 1.0
    for training in (False, True):
        model.train(training)
        torch.manual_seed(1)
        fast = model.first_layer(x, c)
        torch.manual_seed(1)
        dense = model.encoder(torch.cat([input_dropout(x, model.dropout, training), c], dim=1))
        assert torch.allclose(fast, dense, atol=1e-12)


def test_first_layer_keeps_one_linears_draws_and_gradients():
    """``FirstLayer`` is one ``nn.Linear`` stored as two parameters: the same initial values under a seed, and the
    same gradients, bit for bit, as the one-matrix layer it replaced (so Adam's element-wise steps are the same)."""
    torch.manual_seed(3)
    layer = FirstLayer(30, 3, 8, 1e-3)
    torch.manual_seed(3)
    full = _init(nn.Linear(33, 8), 1e-3)
    assert torch.equal(layer.weight, full.weight) and torch.equal(layer.bias, full.bias) and layer.in_features == 33
    new = MultVAE(30, n_conditions=3, hidden=8, latent=4)
    old = with_one_matrix(new)
    x = (torch.rand(6, 30) < 0.3).float()
    c = torch.from_numpy(one_hot(np.array([0, 1, 2, -1, 0, 1]), 3))
    g = torch.randn(6, 8)
    for model in (new, old):
        torch.manual_seed(4)
        (model.first_layer(x, c) * g).sum().backward()
    assert torch.equal(new.encoder.w_items_t.grad.T, old.encoder.weight.grad[:, :30])
    assert torch.equal(new.encoder.w_conditions.grad, old.encoder.weight.grad[:, 30:])
    assert torch.equal(new.encoder.bias.grad, old.encoder.bias.grad)

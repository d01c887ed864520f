"""EMDE pieces: LSH balance and determinism, sketch layout, encode/decode round trip, network output layout."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from replicate import data, stats
from replicate.baselines import EASE, Popularity
from replicate.papers.emde import inputs as emde_inputs
from replicate.papers.emde import modalities as emde_modalities
from replicate.papers.emde import train as emde
from replicate.papers.emde.embedding import cleora
from replicate.papers.emde.lsh import DLSH
from replicate.papers.emde.network import EMDENet, sketch_loss
from replicate.papers.emde.sketch import EPS, decode, normalise_input, normalise_target, sketch


@pytest.fixture(scope="module")
def embedding():
    graph = sp.random(300, 80, density=0.1, random_state=1, format="csr")
    graph.data[:] = 1.0
    return cleora(graph, dim=32, iterations=1, seed=0)


def test_cleora_rows_are_unit_vectors_and_seeded(embedding):
    np.testing.assert_allclose(np.linalg.norm(embedding, axis=1), 1.0, rtol=1e-5)
    graph = sp.random(300, 80, density=0.1, random_state=1, format="csr")
    graph.data[:] = 1.0
    np.testing.assert_array_equal(cleora(graph, dim=32, iterations=1, seed=0), embedding)


def test_each_hyperplane_splits_units_in_half_and_every_bit_counts(embedding):
    lsh = DLSH.fit(embedding, n_sketches=4, depth=5, seed=0)
    codes = lsh.codes(embedding)
    assert codes.shape == (300, 4) and codes.min() >= 0 and codes.max() < 32
    for bit in range(5):
        share = ((codes >> bit) & 1).mean(axis=0)
        np.testing.assert_allclose(share, 0.5, atol=0.01)  # median bias: each hyperplane halves the units
    assert len(np.unique(codes[:, 0])) > 16  # the top bits are used too (no modulo of a wider code)
    np.testing.assert_array_equal(DLSH.fit(embedding, 4, 5, seed=0).codes(embedding), codes)
    assert not np.array_equal(DLSH.fit(embedding, 4, 5, seed=1).codes(embedding), codes)


def test_sketch_counts_and_normalisation():
    codes = np.array([[0, 1], [0, 2], [3, 1]])
    members = sp.csr_matrix(np.array([[1, 1, 0], [0, 2, 1]], dtype=np.float32))
    s = sketch(members, codes, width=4)
    assert s.shape == (2, 2, 4)
    assert s[0].tolist() == [[2, 0, 0, 0], [0, 1, 1, 0]]
    assert s[1].tolist() == [[2, 0, 0, 1], [0, 1, 2, 0]]
    np.testing.assert_allclose(np.linalg.norm(normalise_input(s), axis=-1), 1.0)
    np.testing.assert_allclose(normalise_target(s).sum(axis=-1), 1.0)
    assert normalise_input(np.zeros((1, 2, 4))).sum() == 0  # an empty modality stays empty


def test_item_alone_in_a_sketch_decodes_as_top_item(embedding):
    lsh = DLSH.fit(embedding, n_sketches=6, depth=5, seed=0)
    codes = lsh.codes(embedding)
    for item in (0, 17, 123):
        members = sp.csr_matrix(([1.0], ([0], [item])), shape=(1, len(codes)))
        target = torch.from_numpy(normalise_target(sketch(members, codes, 32)))
        scores = decode(target, torch.from_numpy(codes))[0]
        assert scores[item] == scores.max()
        collisions = (codes == codes[item]).all(axis=1).sum()
        assert (scores == scores.max()).sum() == collisions  # only items sharing all buckets tie


def test_decode_is_the_geometric_mean_at_each_items_buckets_to_the_bit_with_its_gradient():
    torch.manual_seed(0)
    output = torch.softmax(torch.randn(7, 3, 5), dim=-1)
    codes = torch.randint(0, 5, (11, 3))
    codes[:4] = codes[4]  # items sharing buckets: their gradients accumulate in one cell
    by_hand = torch.tensor(
        [[np.exp(np.mean([np.log(EPS + output[b, n, codes[i, n]].item()) for n in range(3)])) for i in range(11)]
         for b in range(7)]
    )  # fmt: skip
    np.testing.assert_allclose(decode(output, codes).numpy(), by_hand.numpy(), rtol=1e-6)
    weights = torch.linspace(0.5, 2.0, 11)

    def forward_and_gradient(read):
        x = output.clone().requires_grad_(True)
        y = read(x)
        return y.detach(), torch.autograd.grad((y * weights).sum(), x)[0]

    indexed = lambda x: torch.exp(torch.log(EPS + x[:, torch.arange(3)[None, :], codes]).mean(dim=-1))  # noqa: E731
    ours, reference = forward_and_gradient(lambda x: decode(x, codes)), forward_and_gradient(indexed)
    assert torch.equal(ours[0], reference[0]) and torch.equal(ours[1], reference[1])
    with pytest.raises(ValueError, match="item codes must lie in"):
        decode(output, codes + 5)


def test_network_output_layout():
    torch.manual_seed(0)
    net = EMDENet(in_dim=3 * 4 * 8, n_sketches=4, width=8, hidden=16, layers=2)
    net.eval()
    out = net(torch.rand(5, 96))
    assert out.shape == (5, 4, 8)
    torch.testing.assert_close(out.sum(dim=-1), torch.ones(5, 4))  # a distribution per sketch row
    target = torch.zeros(5, 4, 8)
    target[..., 3] = 1.0
    # uniform logits: the cross-entropy of every row is log(width)
    assert sketch_loss(torch.zeros(5, 4, 8), target).item() == pytest.approx(np.log(8))
    peaked = torch.full((5, 4, 8), -1e4)
    peaked[..., 3] = 0.0
    assert sketch_loss(peaked, target).item() == pytest.approx(0.0, abs=1e-6)


def test_modalities_and_title_tokens():
    assert emde_modalities.title_tokens("Godfather: Part II, The (1974)") == ["godfather", "part"]
    ds = data.make_synthetic()
    people = emde_modalities.cast_people(ds, "freebase")
    assert emde_modalities.build_modalities(ds, people=None)[2].name == "genres"  # no people, no cast modality
    mods = emde_modalities.build_modalities(ds, min_movies=1, people=people)
    assert [m.name for m in mods] == ["liked", "disliked", "cast", "genres", "title"]
    cast = mods[2]
    assert cast.movie_units.shape == (ds.n_items, cast.n_units)
    assert cast.movie_units.sum() == len(ds.kg.triples)
    shared = emde_modalities.build_modalities(ds, people=people)[2]
    movies_per_unit = np.asarray(shared.movie_units.sum(axis=0)).ravel()
    assert movies_per_unit.min() >= 2 and shared.n_units == int((np.asarray(cast.movie_units.sum(axis=0)) >= 2).sum())


def test_random_holdout_keeps_every_item_once():
    liked = sp.csr_matrix((np.ones(9), ([0, 0, 0, 0, 0, 1, 1, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8])), shape=(3, 9))
    given, held = emde._random_holdout(liked, 0.2, np.random.default_rng(0))
    assert (given + held).toarray().tolist() == liked.toarray().tolist()
    assert np.asarray(held.sum(axis=1)).ravel().tolist() == [1, 1, 1]  # at least one target each


def test_modality_from_csv(tmp_path):
    from replicate.errors import DatasetError

    ds = data.make_synthetic()
    path = tmp_path / "plots.csv"
    path.write_text("movie,unit\nMovie 1 (1980),robbery\nMovie 2 (1981),robbery\nMovie 2 (1981),heist\nNope,x\n")
    m = emde_modalities.modality_from_csv(path, ds)
    assert m.name == "plots" and m.labels == ["heist", "robbery"] and m.source == "liked"
    assert m.movie_units[:2].toarray().tolist() == [[0, 1], [1, 1]] and m.movie_units[2:].nnz == 0
    (tmp_path / "bad.csv").write_text("title,word\nA,b\n")
    with pytest.raises(DatasetError, match="needs the columns movie,unit"):
        emde_modalities.modality_from_csv(tmp_path / "bad.csv", ds)
    with pytest.raises(DatasetError, match="could not read"):
        emde_modalities.modality_from_csv(tmp_path / "absent.csv", ds)


def test_attributions_are_complete_and_decode_to_units():
    from replicate import splits
    from replicate.papers.emde import explain as emde_ig

    ds = data.make_synthetic(n_users=120, n_items=40, per_user=14)
    split = splits.strong_generalization(ds, n_heldout=10, seed=0)
    mods = emde_modalities.build_modalities(ds, min_movies=1, people=emde_modalities.cast_people(ds, "freebase"))
    config = emde.Config(dim=16, n_sketches=4, depth=4, hidden=32, layers=1, epochs=2, batch_size=16)
    ratings = ds.ratings[ds.ratings["user"].isin(split.train_users)]
    emde.fit_codes(mods, emde_inputs.interaction_graph(ratings, ds.n_items, ds.n_users), config)
    train_inputs = emde_inputs.user_inputs(ds, split.train_users, split.train, split.items)
    model = emde.train(mods, train_inputs.liked, train_inputs.disliked, split.items, config, progress=False).model
    _, inputs, _ = emde_inputs.split_inputs(ds, split, "test")
    targets = split.items[np.argmax(model.scores(inputs), axis=1)]
    a = emde_ig.explain(model, inputs, targets, steps=200)
    total = a.cells.reshape(len(targets), -1).sum(axis=1)
    np.testing.assert_allclose(total, a.f - a.f_baseline, rtol=0.02, atol=1e-4)  # completeness
    liked = emde_ig.movie_scores(a, model, inputs, 0)
    fed = inputs.liked.toarray() > 0
    assert np.isnan(liked[~fed]).all() and not np.isnan(liked[fed]).any()
    # a movie's liked-modality score is the mean of its buckets' attributions
    b, i = np.argwhere(fed)[0]
    expected = np.mean([a.cells[b, 0, s, mods[0].codes[i, s]] for s in range(4)])
    assert liked[b, i] == pytest.approx(expected)
    # the target nulls: IG explaining other movies, read against the users' own; the input itself as attribution
    from replicate.papers.emde import measure

    nulls = measure.target_nulls(model, inputs, targets, int(split.items[0]), steps=8, seed=3)
    other = emde_ig.explain(model, inputs, measure.shuffled_targets(targets, 3), steps=8)
    np.testing.assert_allclose(nulls["shuffled targets"][0].cells, other.cells, rtol=1e-5, atol=1e-7)
    assert all(np.array_equal(null.targets, targets) for null, _ in nulls.values())
    x = measure.input_attribution(a, model, inputs).cells
    assert np.array_equal(x.reshape(len(targets), -1), model.inputs_vector(inputs).cpu().numpy())


def test_time_decay_weights_recent_movies_more():
    ds = data.make_synthetic()
    mine = ds.ratings[ds.ratings["user"] == 0].sort_values("timestamp")
    older, newer = int(mine["item"].iloc[0]), int(mine["item"].iloc[-1])
    users = np.array([0])
    liked = sp.csr_matrix((np.ones(2, np.float32), ([0, 0], [older, newer])), shape=(1, ds.n_items))
    inputs = emde_inputs.user_inputs(ds, users, liked, np.arange(ds.n_items), decay=0.5)
    assert inputs.liked[0, newer] == 1.0 and inputs.liked[0, older] == 0.5
    plain = emde_inputs.user_inputs(ds, users, liked, np.arange(ds.n_items))
    assert plain.liked[0, older] == plain.liked[0, newer] == 1.0
    given, held = emde._random_holdout(inputs.liked, 0.5, np.random.default_rng(0))
    assert held.nnz == 1 and held.data.tolist() == [1.0]  # the target counts its movie once
    kept = newer if held[0, older] else older
    assert given[0, kept] == inputs.liked[0, kept]  # the input keeps its decay weight


def test_ease_matches_the_column_by_column_solution():
    x = sp.csr_matrix(np.array([[1, 1, 0, 1], [0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 1, 0]], dtype=np.float64))
    l2 = 2.0
    model = EASE(l2=l2).fit(x)
    b = model.weights_
    assert np.allclose(np.diag(b), 0)
    dense = x.toarray()
    for j in range(4):
        others = [k for k in range(4) if k != j]
        xo = dense[:, others]
        column = np.linalg.solve(xo.T @ xo + l2 * np.eye(3), xo.T @ dense[:, j])
        np.testing.assert_allclose(b[others, j], column, atol=1e-10)
    np.testing.assert_allclose(model.fold_in(x[:2]), model.score(np.arange(2)), rtol=1e-6)
    assert Popularity().fit(x).fold_in(x[:3]).tolist() == [[3, 3, 3, 2]] * 3


def test_every_model_gets_the_same_exclusion():
    inputs = emde_inputs.Inputs(sp.csr_matrix(np.array([[1.0, 0, 0, 0]])), sp.csr_matrix(np.array([[0, 0, 1.0, 0]])))
    catalogue = np.array([0, 1, 2])
    masked = emde_inputs.mask_seen(np.array([[3.0, 2.0, 1.0]]), inputs, catalogue)
    assert masked.tolist() == [[-np.inf, 2.0, -np.inf]]
    assert emde_inputs.fold_in_catalogue(inputs, catalogue).toarray().tolist() == [[1, 0, 0]]


def test_agreement_influence_and_interval_by_hand():
    from replicate.papers.emde import explain as emde_ig

    tops = {"liked": np.array([3, 5, 7, -1]), "cast": np.array([3, 6, 7, 2]), "title": np.array([-1, 5, 1, 2])}
    agree = emde_ig.agreement(tops)
    assert agree["cast"] == pytest.approx(2 / 3)  # users 0-2 have a liked top; cast agrees on 0 and 2
    assert agree["title"] == pytest.approx(1 / 2)  # user 0 has no title top: users 1, 2 count
    attr = np.array([[0.1, np.nan, 0.3], [np.nan, np.nan, np.nan], [-0.2, -0.1, np.nan]])
    assert emde_ig.top_influence(attr) == pytest.approx((0.3 - 0.1) / 2)
    assert emde_ig.top_movie(attr).tolist() == [2, -1, 1]
    low, high = stats.wilson_interval(0.1, 100)
    assert (round(low, 3), round(high, 3)) == (0.055, 0.174)


def test_input_sketches_match_the_per_unit_sketch():
    rng = np.random.default_rng(0)
    movie_units = sp.csr_matrix((rng.random((30, 12)) < 0.2).astype(np.float32))
    m = emde_modalities.Modality("cast", list(range(12)), movie_units, "liked", codes=rng.integers(0, 8, (12, 3)))
    liked = sp.csr_matrix((rng.random((5, 30)) < 0.3).astype(np.float32))
    inputs = emde_inputs.Inputs(liked, sp.csr_matrix((5, 30), dtype=np.float32))
    expected = normalise_input(sketch(liked @ movie_units, m.codes, 8)).reshape(5, -1)
    np.testing.assert_allclose(emde.input_sketches([m], inputs, 8), expected, rtol=1e-6)


def test_cast_people_and_merged_names():
    import pandas as pd

    ds = data.make_synthetic()
    with pytest.raises(ValueError, match="cast source must be one of films, freebase, none"):
        emde_modalities.cast_people(ds, "imdb")
    assert emde_modalities.cast_people(ds, "none") is None
    people = pd.DataFrame(
        {"item": [0, 1, 0, 1, 2, 3], "role": ["actor"] * 6, "name": ["Ann", "Ann", "Bob", "Bob", "Cy", "Cy"]}
    )
    cast = emde_modalities.build_modalities(ds, people=people)[2]
    assert cast.labels == ["Ann (+1 alike)", "Cy"]  # Ann and Bob share every movie: one unit
    assert cast.unit_of == {"Ann": 0, "Bob": 0, "Cy": 1}

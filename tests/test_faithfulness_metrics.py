"""The faithfulness chapter's protocol on cases small enough to compute by hand, and its planted explainers: the
exact gradient of a linear model beats a random order, a shuffled gradient does not."""

import numpy as np
import scipy.sparse as sp
import torch

from replicate.baselines.ease import weights
from replicate.faithfulness import explainers, metrics, sanity
from replicate.faithfulness.models import Linear

# Four items; the model scores s = x W. Item 3 is the target: items 0, 1, 2 push it by 3, 2, 1.
W = np.array(
    [
        [0.0, 0.0, 0.0, 3.0],
        [0.0, 0.0, 0.5, 2.0],
        [0.0, 0.0, 0.0, 1.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
)


def linear():
    return Linear(W)


def test_removal_order_by_relevance_and_history():
    history = np.array([[1, 1, 1, 0], [0, 1, 0, 0]])
    relevance = np.array([[0.1, 0.9, 0.5, 9.0], [5.0, 0.2, 7.0, 1.0]])
    order = metrics.removal_order(relevance, history, 3)
    assert order.tolist() == [[1, 2, 0], [1, -1, -1]]  # item 3 is not in the history; a short history pads with -1


def test_target_rank_counts_candidates_strictly_above():
    scores = np.array([[5.0, 1.0, 3.0, 2.0]])
    assert metrics.target_ranks(scores, np.array([3]), np.array([[1, 1, 1, 1]])).tolist() == [3]
    assert metrics.target_ranks(scores, np.array([3]), np.array([[0, 1, 1, 1]])).tolist() == [2]  # item 0 is history


def test_curves_by_hand():
    history = np.array([[1.0, 1.0, 1.0, 0.0]])
    order = np.array([[0, 1, 2]])  # the exact order: 3, 2, 1
    c = metrics.perturbation_curves(linear(), history, np.array([3]), order, 3)
    # full history: s3 = 6; deleting 0 -> 3; 0 and 1 -> 1; all -> 0
    assert c.score.tolist() == [6.0]
    assert c.deletion_score.tolist() == [[3.0, 1.0, 0.0]]
    # keeping only 0 -> 3; 0 and 1 -> 5; all three -> 6
    assert c.insertion_score.tolist() == [[3.0, 5.0, 6.0]]
    assert c.empty_score.tolist() == [0.0]
    # no candidate but the target itself (items 0-2 are history): rank 1 throughout
    assert c.rank.tolist() == [1] and c.deletion_rank.tolist() == [[1, 1, 1]]
    s = metrics.summary(c)
    assert np.isclose(s["DEL"][0], ((6 - 3) + (6 - 1) + (6 - 0)) / 3)
    assert np.isclose(s["INS"][0], ((3 - 6) + (5 - 6) + (6 - 6)) / 3)
    assert s["CDCG"][0] == 1.0 and s["POS@1"][0] == 0.0


def test_ranks_after_deletion_by_hand():
    # history {0, 1}: s = [0, 0, 0.5, 5]; candidates 2 and 3; target 3
    history = np.array([[1.0, 1.0, 0.0, 0.0]])
    c = metrics.perturbation_curves(linear(), history, np.array([3]), np.array([[0, 1]]), 2)
    # delete 0: s = [0, 0, 0.5, 2] -> rank 1; delete both: all 0 -> rank 1 (ties are not above)
    assert c.deletion_rank.tolist() == [[1, 1]]
    c = metrics.perturbation_curves(linear(), history, np.array([2]), np.array([[1, 0]]), 2)
    # target 2 (score 0.5, item 3 at 5 above it: rank 2); delete 1: s2 = 0, s3 = 3 -> rank 2; delete both: rank 1
    assert c.rank.tolist() == [2] and c.deletion_rank.tolist() == [[2, 1]]
    s = metrics.summary(c)
    assert s["POS@1"][0] == 0.5 and np.isclose(s["CDCG"][0], (1 / np.log2(3) + 1) / 2)
    assert metrics.at_ke(c, 1)["POS@1"][0] == 1.0


def test_short_history_removes_everything():
    history = np.array([[0.0, 1.0, 0.0, 0.0]])
    c = metrics.perturbation_curves(linear(), history, np.array([3]), np.array([[1, -1, -1]]), 3)
    assert c.deletion_score.tolist() == [[0.0, 0.0, 0.0]] and c.insertion_score.tolist() == [[2.0, 2.0, 2.0]]


def test_paired_gain_is_signed_by_direction():
    a, b = np.array([0.9, 0.8]), np.array([1.0, 1.0])
    assert metrics.faithfulness_gain(a, b, "CDCG").tolist() == [0.09999999999999998, 0.19999999999999996]
    assert metrics.paired(a, b, "DEL")[0] < 0


def _planted(n_users=60, n_items=30, seed=0):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(n_items, n_items))
    np.fill_diagonal(B, 0.0)
    history = (rng.random((n_users, n_items)) < 0.3).astype(np.float32)
    model = Linear(B)
    targets = np.where(history > 0, -np.inf, history @ B).argmax(axis=1)
    return model, history, targets, B, rng


def test_planted_exact_gradient_beats_random_and_shuffled_does_not():
    model, history, targets, B, rng = _planted()
    exact = explainers.explain("InputXGradient", model, history, targets)  # x_i * dS_t/dx_i = x_i B_it exactly
    assert np.allclose(exact, history * B[:, targets].T)
    shuffled = explainers.restricted(rng.permuted(np.where(history > 0, exact, np.nan), axis=1), history)
    shuffled = np.nan_to_num(shuffled)
    random = explainers.explain("random", model, history, targets, rng=rng)
    readings = {}
    for name, relevance in (("exact", exact), ("shuffled", shuffled), ("random", random)):
        order = metrics.removal_order(relevance, history, 5)
        readings[name] = metrics.summary(metrics.perturbation_curves(model, history, targets, order, 5))
    for metric in ("DEL", "POS@1", "CDCG"):
        _, low, _ = metrics.paired(readings["exact"][metric], readings["random"][metric], metric)
        assert low > 0, metric
    _, low, high = metrics.paired(readings["shuffled"]["DEL"], readings["random"]["DEL"], "DEL")
    assert low < 0 < high


def test_captum_explainers_restricted_to_history_and_exact_on_linear():
    model, history, targets, B, rng = _planted(n_users=6, n_items=8)
    exact = history * B[:, targets].T
    for name in ("IG (zero)", "InputXGradient", "FeatureAblation", "KernelSHAP"):
        r = explainers.explain(name, model, history, targets, rng=np.random.default_rng(1), n_samples=300)
        assert np.all(r[history == 0] == 0), name
        assert np.allclose(r, exact, atol=1e-4), name  # a linear model: every one of these is the exact split
    saliency = explainers.explain("Saliency", model, history, targets)
    assert np.allclose(saliency, np.abs(exact) * 1.0)
    real = explainers.explain("IG (real users)", model, history, targets, pool=history, n_baselines=3, rng=rng)
    assert np.all(real[history == 0] == 0)


def test_ease_refit_matches_a_refit_by_hand():
    rng = np.random.default_rng(0)
    train = sp.csr_matrix((rng.random((40, 7)) < 0.4).astype(np.float32))
    user = (rng.random((2, 7)) < 0.5).astype(np.float64)
    perturbed = user.copy()
    perturbed[:, 0] = 0.0
    refit = sanity.EaseRefit(train, 5.0)
    for fit_row in (user, perturbed):
        got = refit.scores(perturbed, fit_row)
        for u in range(2):
            X = sp.vstack([train, sp.csr_matrix(fit_row[u : u + 1])])
            B = weights((X.T @ X).toarray().astype(np.float64), 5.0)
            expected = perturbed[u] @ B
            outside = perturbed[u] == 0
            assert np.allclose(got[u, outside], expected[outside])


def test_rank_agreement_and_order_agreement():
    history = np.ones((3, 5))
    a = np.arange(15.0).reshape(3, 5)
    assert np.allclose(sanity.rank_agreement(a, a, history), 1.0)
    assert np.allclose(sanity.rank_agreement(a, -a[:, ::-1], history), -1.0)
    readings = {"x": np.array([3.0, 3.0]), "y": np.array([2.0, 2.0]), "z": np.array([1.0, 1.0])}
    assert sanity.order_agreement(readings, readings, n_boot=20)[0] == 1.0
    reverse = {"x": readings["z"], "y": readings["y"], "z": readings["x"]}
    assert sanity.order_agreement(readings, reverse, n_boot=20)[0] == -1.0


def test_linear_model_gradient_is_torch_exact():
    model, history, targets, B, _ = _planted(n_users=3, n_items=5)
    x = torch.as_tensor(history)
    assert torch.allclose(model(x), torch.as_tensor(history @ B, dtype=torch.float32), atol=1e-5)


def test_ties_are_broken_at_random_not_by_item_index():
    history = np.ones((400, 6))
    flat = np.zeros((400, 6))  # a degenerate explainer: every relevance zero
    first = metrics.removal_order(flat, history, 2, np.random.default_rng(3))[:, 0]
    counts = np.bincount(first, minlength=6)
    assert counts.min() > 30  # every item comes first for some user: no index order (which would put 0 first always)
    # a tie at the cut only: the strict order above it holds, the tied pair is split at random
    relevance = np.tile([5.0, 1.0, 1.0, 0.0, 0.0, 0.0], (400, 1))
    order = metrics.removal_order(relevance, history, 2, np.random.default_rng(4))
    assert (order[:, 0] == 0).all() and set(order[:, 1]) == {1, 2}
    # the same generator gives the same order (the run is reproducible)
    assert (
        metrics.removal_order(flat, history, 3, np.random.default_rng(3))
        == metrics.removal_order(flat, history, 3, np.random.default_rng(3))
    ).all()


def test_degenerate_explainers_are_flagged():
    history = np.array([[1, 1, 1, 0], [1, 0, 1, 1], [1, 1, 0, 0]])
    relevance = np.array([[0.0, 0.0, 0.0, 9.0], [0.3, 0.0, 0.1, 0.2], [np.nan, np.nan, 4.0, 4.0]])
    # user 0: constant over her history (the 9 lies outside it); user 2: nothing finite on her history
    assert metrics.degenerate(relevance, history).tolist() == [True, False, True]
    assert metrics.tied_cut(np.array([[3.0, 1.0, 1.0, 0.0]]), np.array([[1, 1, 1, 1]]), 2).tolist() == [True]
    assert metrics.tied_cut(np.array([[3.0, 2.0, 1.0, 0.0]]), np.array([[1, 1, 1, 1]]), 2).tolist() == [False]


def test_nan_relevance_never_reaches_outside_the_history():
    # the review's hand case: history {0, 1, 2}, target 3, relevance [1, nan, .5]; item 3 has a large self-weight,
    # so inserting it would inflate its own score
    B = np.zeros((6, 6))
    B[0, 3], B[1, 3], B[2, 3], B[3, 3] = 1.0, 2.0, 0.5, 10.0
    history = np.array([[1, 1, 1, 0, 0, 0]], dtype=np.float32)
    relevance = np.array([[1.0, np.nan, 0.5, 0.0, 0.0, 0.0]])
    order = metrics.removal_order(relevance, history, 3)
    assert order.tolist() == [[0, 2, 1]]  # NaN is the lowest within the history; the target never enters
    c = metrics.perturbation_curves(Linear(B), history, np.array([3]), order, 3)
    assert c.insertion_score[0, -1] == c.score[0] == 3.5  # all three kept: the full history, not the target added


def test_lime_orders_a_model_whose_scores_barely_move():
    # scores that move by ~1e-3 under perturbation: captum's default Lasso zeroes every coefficient here
    model, history, targets, B, _ = _planted(n_users=5, n_items=8)
    small = Linear(B * 1e-3)
    lime = explainers.explain("LIME", small, history, targets, rng=np.random.default_rng(0), n_samples=40)
    assert not metrics.degenerate(lime, history).any()
    # a linear model is fitted exactly by the least-squares surrogate: LIME is the exact split
    assert np.allclose(lime, history * (B * 1e-3)[:, targets].T, atol=1e-7)


def test_rank_agreement_counts_a_constant_explainer_as_unchanged():
    history = np.ones((2, 5))
    flat, varied = np.zeros((2, 5)), np.arange(10.0).reshape(2, 5)
    assert sanity.rank_agreement(flat, flat, history).tolist() == [1.0, 1.0]  # not NaN, not dropped
    assert sanity.rank_agreement(flat, varied, history).tolist() == [1.0, 1.0]  # no order to lose
    assert sanity.rank_agreement(varied, flat, history).tolist() == [0.0, 0.0]  # its order is gone

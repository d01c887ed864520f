"""The skeptic's nulls of RecoNet's chapter on hand-computed cases: the strongest of several nulls
(``measure.strongest``), another method's value in a Table 1 cell (``measure.other_rows``), the pertinence of a
trained network against an untrained one (``measure.pertinence_gap``), Figure 5 read as its sentence's two halves, and
the gradient explainer timed in LRP's place. Fast: no data, no training."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from replicate.papers.reconet import explain
from replicate.papers.reconet import measure as v
from replicate.papers.reconet.claims import CLAIMS
from replicate.papers.reconet.features import FeatureSpace
from replicate.papers.reconet.model import RecoNet
from replicate.papers.reconet.table1 import CLAIM_KEYS


def test_strongest_prefers_the_null_closest_to_passing():
    # Exceeds(0): a null whose interval lies above 0 passes; an undecided one comes next, then the margin decides
    nulls = {
        "fails": v.Measured(-0.5, (-0.6, -0.4)),
        "undecided": v.Measured(0.01, (-0.02, 0.04)),
        "passes": v.Measured(0.02, (0.01, 0.03)),
    }
    best, note = v.strongest("attributes_help_reconet_sign", nulls)
    assert (best.ours, best.interval) == (0.02, (0.01, 0.03))
    assert note.startswith("null: the strongest of 3, passes 0.02 [0.01, 0.03] (replicated); others: undecided")
    nulls.pop("passes")
    assert v.strongest("attributes_help_reconet_sign", nulls)[0].ours == 0.01
    # two failing nulls of a Within rule: the one nearer the band is the stronger; ties keep the order given
    cells = {"far": v.Measured(0.10), "near": v.Measured(0.30), "nearer": v.Measured(0.40)}
    assert (
        v.strongest("t1_reconet_with", cells)[0].ours == 0.40
    )  # paper 0.3508 ± 0.0351: 0.30 is 0.0157 out, 0.40 0.0141
    assert v.strongest("t1_reconet_with", {"a": v.Measured(0.34), "b": v.Measured(0.35)})[0].ours == 0.35
    # AtLeast (the speed-up): the larger ratio is nearer passing
    assert v.strongest("lime_speedup", {"occ": v.Measured(200.0), "ixg": v.Measured(300.0)})[0].ours == 300.0


def test_margin_on_each_rule():
    assert v.margin(CLAIMS["t1_fm_without"].rule, 0.313, 0.313) == pytest.approx(0.0313)
    assert v.margin(CLAIMS["lime_speedup"].rule, 1000.0, 900.0) == pytest.approx(-100.0)
    assert v.margin(CLAIMS["top1_mannwhitney"].rule, 1e-4, 1e-5) == pytest.approx(9e-5)
    assert v.margin(CLAIMS["pertinence_drop"].rule, None, -0.2) == pytest.approx(0.2)  # below 0 passes
    assert v.margin(CLAIMS["order_with"].rule, [], ["a"]) == 0.0


def test_record_with_several_nulls_records_the_strongest_and_names_the_others():
    seen = {}

    class Chapter:
        def record(self, claim_id, ours, interval, note="", **kwargs):
            seen.update(id=claim_id, ours=ours, interval=interval, note=note, **kwargs)

    nulls = {"random": v.Measured(-0.01, (-0.03, 0.01)), "untrained": v.Measured(-0.001, (-0.0011, -0.0009))}
    v.record(Chapter(), "pertinence_drop", v.Measured(-0.1, (-0.12, -0.08), "means"), note="k = 10", nulls=nulls)
    assert (seen["null"], seen["null_interval"]) == (-0.001, (-0.0011, -0.0009))
    assert seen["note"] == (
        "means; k = 10; null: the strongest of 2, untrained -0.001 [-0.0011, -0.0009] (replicated); others: random "
        "-0.01 [-0.03, 0.01] (inconclusive)"
    )


def test_other_rows_puts_every_other_method_of_the_column_in_the_cells_place():
    frame = pd.DataFrame(np.nan, index=[*CLAIM_KEYS, "popularity"], columns=["ours_without", "ours_with"])
    frame.loc[["RecoNet", "OCuLaR", "FM", "popularity"], "ours_without"] = [0.30, 0.25, 0.20, 0.10]
    frame.loc[["RecoNet", "FM"], "ours_with"] = [0.32, 0.22]
    rows = v.other_rows(frame, "t1_reconet_without")
    assert {k: m.ours for k, m in rows.items()} == {
        "OCuLaR in its place": 0.25,
        "FM in its place": 0.20,
        "popularity in its place": 0.10,
    }
    assert {k: m.ours for k, m in v.other_rows(frame, "t1_fm_with").items()} == {"RecoNet in its place": 0.32}


def test_pertinence_gap_compares_two_networks_in_their_own_units():
    top_a, random_a, scale_a = np.array([-4.0, -2.0]), np.array([-1.0, -1.0]), np.array([1.0, 2.0])  # 3, 0.5 spreads
    top_b, random_b, scale_b = np.array([-0.03, -0.02]), np.array([-0.01, -0.01]), np.array([0.01, 0.01])  # 2, 1
    gap = v.pertinence_gap(top_a, random_a, scale_a, top_b, random_b, scale_b)
    assert gap.ours == pytest.approx((-3.0 - 0.5) / 2 - (-2.0 - 1.0) / 2)
    assert gap.note == "in logit spreads: -1.750 against -1.500; 2 users"
    assert v.pertinence_gap(top_b, random_b, scale_b, top_b, random_b, scale_b).ours == pytest.approx(0.0)


def test_fig5_halves_count_gender_and_age_apart_from_action_and_scifi_movies():
    # items 0-2 (0 the target; 1 Action; 2 Sci-Fi), then male, age 25, occupation, then the genres
    kinds = np.array(["movie"] * 3 + ["gender", "age", "occupation", "genre", "genre"])
    labels = np.array(["0", "1", "2", "male", "age 25", "writer", "Action", "Sci-Fi"], dtype=object)
    item_attrs = np.zeros((3, 8))
    item_attrs[1, 6] = item_attrs[2, 7] = item_attrs[0, 6] = 1
    space = FeatureSpace(3, labels, kinds, sp.csr_matrix((1, 8)), sp.csr_matrix(item_attrs))
    profile = np.array([[0, 1, 1, 1, 1, 1, 1, 1]])  # 7 present features
    relevance = np.array([[0.0, 0.9, 0.1, 0.8, 0.0, 0.7, 0.0, 0.0]])  # positive: 1, 3, 5, 2 in that order
    people = v.fig5_excess(space, profile, relevance, 0, n=2, kinds=("gender", "age"), genres=())
    assert people.ours == pytest.approx(1 / 2 - 2 / 7)  # top two: movie 1 (no), male (yes)
    movies = v.fig5_excess(space, profile, relevance, 0, n=2, kinds=(), genres=("Action", "Sci-Fi"))
    assert movies.ours == pytest.approx(1 / 2 - 2 / 7)  # movie 1 (yes), male (no); movies 1 and 2 of 7
    movies = v.fig5_excess(space, profile, relevance, 0, n=4, kinds=(), genres=("Action", "Sci-Fi"))
    assert movies.ours == pytest.approx(2 / 4 - 2 / 7)  # 1, male, writer, 2


def test_untrained_drops_and_the_gradient_timing_run_on_a_small_network():
    torch.manual_seed(0)
    model = RecoNet(12, 6, 4, 8).eval()
    profiles = (torch.rand(5, 12) < 0.6).float()
    profiles[:, 0] = 1
    exclude = torch.zeros(5, 6, dtype=torch.bool)
    keys = torch.rand(5, 12)
    rich = torch.arange(5)
    found = explain.untrained_drops(model, 1000, profiles, exclude, rich, keys, 1)
    assert found["top_k"].shape == (5,) and np.allclose(found["top_k"], found["top1"])
    logits = found["model"](profiles).detach().double()
    assert np.allclose(found["scale"], logits.std(dim=1).numpy())
    assert not torch.equal(found["model"].Q, model.Q)  # another seed's weights
    assert explain.input_x_gradient_seconds(model, profiles, exclude, [0, 1, 2]) > 0

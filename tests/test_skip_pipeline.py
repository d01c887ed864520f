"""Skip prediction: metrics on hand-computed sessions, the slot layout, the challenge loader on a schema-exact fixture,
the generator's planted mechanisms, the ML-1M analog, the baseline, attribution read-outs and training."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from replicate import data, seed_everything
from replicate.errors import DatasetError, ParameterError
from replicate.papers.skip import attribution as attr
from replicate.papers.skip import baseline, challenge, metrics, movielens, sessions, train
from replicate.papers.skip.moe import Subsets
from replicate.papers.skip.tensors import slots

FIXTURE = Path(__file__).parent / "fixtures" / "spotify"


# --- metrics -----------------------------------------------------------------------------------------------------


@pytest.fixture
def hand_sessions():
    # three sessions of 4, 2 and 3 tracks to predict (second half left-aligned)
    truth = np.array([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 0, 0]], bool)
    pred = np.array([[1, 1, 1, 0], [0, 1, 0, 0], [0, 1, 0, 1]], bool)
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]], bool)
    return pred, truth, mask


def test_accuracy_and_first_accuracy_by_hand(hand_sessions):
    pred, truth, mask = hand_sessions
    # correct: s0 = 1,0,1,0; s1 = 1,0; s2 = 0,1,1 -> 5 of 9; first tracks: right, right, wrong
    assert metrics.accuracy(pred, truth, mask) == pytest.approx(5 / 9)
    assert metrics.first_accuracy(pred, truth, mask) == pytest.approx(2 / 3)


def test_mean_average_accuracy_by_hand(hand_sessions):
    pred, truth, mask = hand_sessions
    # s0: L = 1,0,1,0; A = 1, 1/2, 2/3, 2/4 -> (1 + 2/3) / 4
    # s1: L = 1,0;     A = 1, 1/2        -> 1 / 2
    # s2: L = 0,1,1;   A = 0, 1/2, 2/3   -> (1/2 + 2/3) / 3
    expected = np.array([(1 + 2 / 3) / 4, 1 / 2, (1 / 2 + 2 / 3) / 3])
    np.testing.assert_allclose(metrics.average_accuracy(pred, truth, mask), expected)
    assert metrics.mean_average_accuracy(pred, truth, mask) == pytest.approx(expected.mean())
    # all right -> 1; all wrong -> 0; right only at the end counts less than right only at the start
    assert metrics.mean_average_accuracy(truth, truth, mask) == pytest.approx(1.0)
    assert metrics.mean_average_accuracy(~truth, truth, mask) == 0.0
    early = metrics.mean_average_accuracy([[1, 0, 0, 0]], [[1, 1, 1, 1]])
    late = metrics.mean_average_accuracy([[0, 0, 0, 1]], [[1, 1, 1, 1]])
    assert early == pytest.approx(1 / 4) and late == pytest.approx(1 / 16)
    assert set(metrics.skip_metrics(pred, truth, mask)) == {"Acc", "Acc@1", "MAA"}


def test_metrics_reject_bad_masks():
    with pytest.raises(ParameterError, match="prefix"):
        metrics.accuracy([[1, 1, 1]], [[1, 1, 1]], [[True, False, True]])
    with pytest.raises(ParameterError, match="first track"):
        metrics.accuracy([[1, 1]], [[1, 1]], [[False, True]])
    with pytest.raises(ParameterError, match="equal"):
        metrics.accuracy([[1, 1]], [[1]], None)


# --- layout and tensors ------------------------------------------------------------------------------------------


def test_slots_follow_the_challenge_split():
    second, slot = slots(np.arange(1, 16), np.full(15, 15))  # 7 given, 8 predicted (2 * position > length)
    assert second.tolist() == [False] * 7 + [True] * 8
    assert slot.tolist() == [3, 4, 5, 6, 7, 8, 9] + list(range(8))
    second, slot = slots(np.arange(1, 21), np.full(20, 20))
    assert slot.tolist() == list(range(10)) * 2 and second.sum() == 10
    second, slot = slots(np.arange(1, 11), np.full(10, 10))
    assert slot.tolist() == [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]


# --- the challenge files ---------------------------------------------------------------------------------------


def test_fixture_has_the_challenge_schema():
    logs = pd.read_csv(next(FIXTURE.rglob("log_*.csv")))
    tracks = pd.read_csv(next(FIXTURE.rglob("tf_*.csv")))
    assert tuple(logs.columns) == challenge.LOG_COLUMNS and len(challenge.LOG_COLUMNS) == 21
    assert tuple(tracks.columns) == challenge.TRACK_COLUMNS and len(challenge.TRACK_COLUMNS) == 30


def test_loader_reads_the_fixture():
    logs, tracks = challenge.load(FIXTURE)
    assert len(logs) == 38 and logs["session_id"].nunique() == 3 and len(tracks) == 29
    assert set(tracks["track_id"]) == set(logs["track_id_clean"])
    assert logs["skip_2"].dtype == bool and logs["premium"].dtype == bool
    encoded = challenge.encode(logs, tracks)
    assert len(encoded) == 3 and encoded.groups == challenge.GROUPS
    assert [n for _, n in encoded.left_groups] == [3, 14, 31, 3, 26]
    assert [g for g, _ in encoded.right_groups] == list(challenge.RIGHT_GROUPS)
    # lengths 14, 12, 12: 7, 6, 6 tracks given and 7, 6, 6 to predict
    assert encoded.left_mask.sum(1).tolist() == [7, 6, 6] and encoded.right_mask.sum(1).tolist() == [7, 6, 6]
    # session 0 skips (given) 0,0,1,0,1,0,0 then predicts 7 plays; session 1: last given 0, then 6 skips
    assert encoded.left_y[0, 3:].tolist() == [0, 0, 1, 0, 1, 0, 0]
    assert encoded.y[0].tolist() == [0] * 10 and encoded.y[1, :6].tolist() == [1] * 6
    skip_2 = [name for name, _ in encoded.left_groups].index("interaction")
    column = 3 + 14 + 1  # position (3) + context (14), then skip_1, skip_2 in the interaction group
    assert skip_2 == 2 and encoded.left[0, 3:, column].tolist() == [0, 0, 1, 0, 1, 0, 0]
    assert np.isfinite(encoded.left).all() and np.isfinite(encoded.right).all()
    # baseline: repeat the last given skip -> 7/7, 0/6, 6/6 right
    result = train.evaluate(baseline.last_skip(encoded), encoded)
    assert result == pytest.approx({"Acc": 13 / 19, "Acc@1": 2 / 3, "MAA": 2 / 3})


def test_loader_errors_name_the_fix(tmp_path):
    with pytest.raises(DatasetError, match=r"no log_\*\.csv and no tf_\*\.csv file.*training_set/log_"):
        challenge.load(tmp_path)
    with pytest.raises(DatasetError, match="no folder"):
        challenge.load(tmp_path / "missing")
    (tmp_path / "log_0.csv").write_text("session_id,skip_2\nabc,true\n")
    (tmp_path / "tf_0.csv").write_text((FIXTURE / "track_features" / "tf_000000000000.csv").read_text())
    with pytest.raises(DatasetError, match=r"log_0.csv lacks the challenge columns session_position"):
        challenge.load(tmp_path)
    (tmp_path / "log_0.csv").write_bytes(b'\x00\xff\xfe garbage \x00\n"unterminated')
    with pytest.raises(DatasetError, match="log_0.csv"):
        challenge.load(tmp_path)
    (tmp_path / "log_0.csv").write_text((FIXTURE / "training_set" / "log_0_20180715_000000000000.csv").read_text())
    (tmp_path / "tf_0.csv").write_text("track_id,duration\nt_1,200\n")
    with pytest.raises(DatasetError, match="tf_0.csv lacks the challenge columns release_year"):
        challenge.load(tmp_path)


def test_booleans_in_any_spelling_and_bad_values():
    values = pd.Series(["true", "False", "TRUE", "0", "1"], name="skip_2")
    assert challenge._boolean(values, "f.csv").tolist() == [True, False, True, False, True]
    with pytest.raises(DatasetError, match="f.csv: column skip_2 has the value 'maybe'"):
        challenge._boolean(pd.Series(["true", "maybe"], name="skip_2"), "f.csv")


def test_max_rows_drops_the_cut_session_and_unused_tracks():
    logs, tracks = challenge.load(FIXTURE, max_rows=20)  # 14 rows of session 0, 6 of session 1 (cut: dropped)
    assert logs["session_id"].nunique() == 1 and len(logs) == 14
    assert set(tracks["track_id"]) == set(logs["track_id_clean"]) and len(tracks) < 29


# --- the generator -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated():
    return sessions.generate(600, seed=1, noise=0.0)


def test_generated_logs_are_schema_exact_and_consistent(generated):
    logs = generated.logs
    assert tuple(logs.columns) == challenge.LOG_COLUMNS
    assert tuple(generated.tracks.columns) == challenge.TRACK_COLUMNS
    challenge.validate(logs, generated.tracks)
    assert (logs["skip_1"] <= logs["skip_2"]).all() and (logs["skip_2"] <= logs["skip_3"]).all()
    assert not (logs["not_skipped"] & logs["skip_3"]).any()
    assert logs["session_length"].between(10, 20).all()
    again = sessions.generate(600, seed=1, noise=0.0)
    pd.testing.assert_frame_equal(again.logs, logs)
    assert not sessions.generate(600, seed=2, noise=0.0).logs.equals(logs)


def test_planted_mechanisms_decide_the_labels(generated):
    st = generated.encode()
    names = st.planted_names
    last = st.left_y[:, -1]
    inter = [g for g, _ in st.left_groups]
    offset = dict(zip(inter, np.cumsum([0] + [n for _, n in st.left_groups])))
    shuffle = st.left[:, -1, offset["context"]]
    premium = st.left[:, -1, offset["context"] + 1]
    context_type = st.left[:, -1, offset["context"] + 8 : offset["context"] + 14]
    skippy = context_type[:, [0, 3, 4]].sum(1)  # editorial playlist, radio, charts
    given = st.left_y.sum(1)
    n_given = st.left_mask.sum(1)
    for k, name in enumerate(names):
        rows, cols = np.nonzero(st.planted == k)
        y = st.y[rows, cols]
        if name == "persistence":
            assert (y == last[rows]).all() and (cols < sessions.PERSISTENCE_TRACKS).all()
            assert ((given[rows] == 0) | (given[rows] == n_given[rows])).all()  # a streak
        elif name == "context":
            assert (shuffle[rows] == 1).all() and (y == skippy[rows]).all()
        elif name == "context × interaction":
            assert (premium[rows] == 0).all() and (y == np.logical_xor(last[rows], skippy[rows])).all()
    # outside their signatures: shuffle only in context sessions, free accounts only in context × interaction ones
    kind = st.planted[:, 0]
    assert (shuffle[kind != names.index("context")] == 0).all()
    assert (premium[kind != names.index("context × interaction")] == 1).all()
    mixed = kind != names.index("persistence")
    assert ((given[mixed] > 0) & (given[mixed] < n_given[mixed])).all()


def test_generator_noise_flips_about_the_asked_share():
    clean = sessions.generate(400, seed=5, noise=0.0).logs
    noisy = sessions.generate(400, seed=5, noise=0.1).logs
    second = 2 * clean["session_position"] > clean["session_length"]
    flipped = (clean["skip_2"] != noisy["skip_2"])[second].mean()
    assert 0.06 < flipped < 0.14
    with pytest.raises(ParameterError, match="one per mechanism"):
        sessions.generate(10, shares=(1.0, 0.0))


def test_write_then_load_round_trip(tmp_path, generated):
    small = sessions.generate(5, seed=3, n_tracks=50)
    sessions.write(small, tmp_path)
    logs, tracks = challenge.load(tmp_path)
    pd.testing.assert_frame_equal(logs, small.logs, check_dtype=False)
    used = small.tracks[small.tracks["track_id"].isin(small.logs["track_id_clean"])]  # the loader keeps these
    pd.testing.assert_frame_equal(tracks, used.reset_index(drop=True), check_dtype=False)
    a, b = challenge.encode(logs, tracks), challenge.encode(small.logs, used)
    np.testing.assert_allclose(a.left, b.left, atol=1e-5)
    np.testing.assert_array_equal(a.y, b.y)


# --- the ML-1M analog --------------------------------------------------------------------------------------------


def test_cut_sessions_by_hand():
    user = np.array([0] * 25 + [1] * 9 + [2] * 12)
    ts = np.arange(len(user)) * 10
    ts[12:] += 10_000  # user 0: a gap after 12 ratings -> sittings of 12 and 13
    out = movielens.cut_sessions(user, ts, max_gap=3600, seed=0)
    assert (out[:12] == 0).all() and (out[12:25] == 1).all()  # each sitting of 10-20 is one whole session
    assert (out[25:34] == -1).all()  # 9 ratings: too few
    assert (out[34:] == 2).all()


def test_movielens_sessions_on_a_small_dataset():
    ds = data.make_synthetic()  # 60 users with 10-12 ratings each
    st = movielens.sessions(ds, max_gap=10**9)  # one sitting, hence one session, per user
    r = ds.ratings
    counts = r.groupby("user").size().to_numpy()
    assert len(st) == 60 and (st.left_mask.sum(1) == counts // 2).all()
    assert (st.right_mask.sum(1) == counts - counts // 2).all()
    for u in (0, 17, 59):
        ratings = r.loc[r["user"] == u, "rating"].to_numpy()
        half = len(ratings) // 2
        np.testing.assert_array_equal(st.y[u, : len(ratings) - half], ratings[half:] < 4)
        np.testing.assert_array_equal(st.left_y[u, 10 - half :], ratings[:half] < 4)
    offset = dict(zip(st.groups, np.cumsum([0] + [n for _, n in st.left_groups])))
    # first session of every user: no history before it -> dislike rate (0 + 1) / (0 + 2)
    assert np.allclose(st.left[:, -1, offset["interaction"] + 2], 0.5)
    assert st.owners.tolist() == list(range(60))
    tr, va, te = st.split(seed=0, by=st.owners)
    assert len(tr) + len(va) + len(te) == 60 and not set(tr.owners) & set(te.owners)


# --- attribution read-outs ---------------------------------------------------------------------------------------


def test_group_attribution_by_hand():
    subsets = Subsets.of(("position", "ctx", "int"), [("position",), ("position", "ctx"), ("position", "ctx", "int")])
    m = attr.group_matrix(subsets)
    assert m.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0.5, 0.5]]
    a = np.array([[0.2, 0.4, 0.4]])
    np.testing.assert_allclose(attr.group_attribution(a, subsets), [[0.2, 0.6, 0.2]])
    np.testing.assert_allclose(
        attr.group_attribution(a, subsets, shared=()), [[0.2 + 0.2 + 0.4 / 3, 0.2 + 0.4 / 3, 0.4 / 3]]
    )
    assert attr.planted_subsets(subsets, [("ctx",), ("ctx", "int")]).tolist() == [1, 2]
    assert attr.recovery_rate(np.array([[0.1, 0.9, 0], [0.5, 0.2, 0.3]]), np.array([1, 1])) == 0.5
    values = np.array([[1.0, 3.0], [3.0, np.nan]])
    mask = np.array([[True, True], [True, False]])
    assert attr.by_position(values, mask).tolist() == [2.0, 3.0]
    with pytest.raises(ParameterError, match="selects nothing"):
        attr.recovery_rate(np.ones((2, 3)), np.zeros(2), np.zeros(2, bool))


# --- training ----------------------------------------------------------------------------------------------------


def test_short_training_runs_predicts_and_is_deterministic():
    st = sessions.generate(120, seed=0).encode()
    tr, va, te = st.split(seed=0)
    runs = []
    for _ in range(2):
        seed_everything(0)
        model = train.build("interpretable", tr, d_expert=4, expert_heads=1, layers=1)
        history = train.fit(model, tr, va, train.TrainConfig(epochs=2, batch_size=32, progress=False))
        runs.append((history.loss, train.predict(model, te)))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1].prob, runs[1][1].prob)
    pred = runs[0][1]
    assert pred.prob.shape == (len(te), 10) and pred.attribution.shape == (len(te), 10, 9)
    np.testing.assert_allclose(pred.attribution.sum(-1), 1.0, rtol=1e-5)
    assert set(train.evaluate(pred, te)) == {"Acc", "Acc@1", "MAA"}
    with pytest.raises(ParameterError, match="valid kinds"):
        train.build("giant", tr)


def test_plain_model_is_one_expert():
    st = sessions.generate(20, seed=0).encode()
    model = train.build("plain", st, d_model=8, heads=2, layers=1)
    assert model.n_experts == 1 and model.subsets.members == (challenge.GROUPS,)


# --- sources -----------------------------------------------------------------------------------------------------


def test_sources_check_and_spotify_from_a_data_dir(tmp_path):
    from replicate.papers.skip import sources

    with pytest.raises(ParameterError, match="valid choices are synthetic-sessions, ml-1m, spotify"):
        sources.check("lastfm")
    with pytest.raises(DatasetError, match=r"spotify.*training_set/log_"):
        sources.spotify(tmp_path)
    with pytest.raises(DatasetError, match=r"spotify.*training_set/log_"):
        sources.check("spotify", tmp_path)  # the notebook's first check, before any training
    import shutil

    shutil.copytree(FIXTURE, tmp_path / "spotify")
    assert sources.check("spotify", tmp_path) == "spotify"
    with pytest.raises(DatasetError, match="3 complete sessions leave no validation or test session"):
        sources.spotify(tmp_path)
    train_, valid, test = sources.synthetic_sessions(50, seed=0)
    assert (len(train_), len(valid), len(test)) == (40, 5, 5)
    assert not set(train_.session_ids) & set(test.session_ids)

"""Skip prediction: the challenge loader reads ``date`` in exactly two explicit forms and rejects anything else."""

from pathlib import Path

import pandas as pd
import pytest

from replicate.errors import DatasetError
from replicate.papers.skip import challenge

FIXTURE = Path(__file__).parent / "fixtures" / "spotify"
LOG = FIXTURE / "training_set" / "log_0_20180715_000000000000.csv"
TRACKS = FIXTURE / "track_features" / "tf_000000000000.csv"


def _copy_with_dates(tmp_path, dates) -> Path:
    logs = pd.read_csv(LOG, dtype=str)
    logs["date"] = dates(logs["date"])
    (tmp_path / "training_set").mkdir()
    (tmp_path / "track_features").mkdir()
    logs.to_csv(tmp_path / "training_set" / LOG.name, index=False)
    (tmp_path / "track_features" / TRACKS.name).write_text(TRACKS.read_text())
    return tmp_path


def test_iso_dates_as_released():
    logs, _ = challenge.load(FIXTURE)
    assert pd.api.types.is_datetime64_any_dtype(logs["date"])
    assert logs["date"].iloc[0] == pd.Timestamp("2018-08-13")


def test_day_first_two_digit_year_is_read_day_first(tmp_path):
    iso, _ = challenge.load(FIXTURE)
    folder = _copy_with_dates(tmp_path, lambda d: pd.to_datetime(d).dt.strftime("%d-%m-%y"))
    logs, _ = challenge.load(folder)
    assert logs["date"].tolist() == iso["date"].tolist()
    # 07-08-18 is 7 August, never July 8th (no guessing)
    assert challenge.parse_dates(pd.Series(["07-08-18", "2018-07-15"]), "f.csv").tolist() == [
        pd.Timestamp("2018-08-07"),
        pd.Timestamp("2018-07-15"),
    ]


@pytest.mark.parametrize("bad", ["2018/08/13", "08/13/2018", "13-08-2018", "Aug 13 2018", "2018-02-30", "32-01-18", ""])
def test_other_date_forms_are_rejected_naming_file_and_column(tmp_path, bad):
    folder = _copy_with_dates(tmp_path, lambda d: d.where(d.index != 5, bad))
    with pytest.raises(DatasetError, match=rf"{LOG.name}: column date has the value .*2018-07-15 \(ISO"):
        challenge.load(folder)


def test_encode_parses_dates_strictly_too():
    logs, tracks = challenge.load(FIXTURE)
    logs["date"] = logs["date"].dt.strftime("%Y-%m-%d")
    challenge.encode(logs, tracks)  # strings in the ISO form: fine
    logs.loc[0, "date"] = "13/08/2018"
    with pytest.raises(DatasetError, match="spotify: column date"):
        challenge.encode(logs, tracks)


@pytest.mark.parametrize(
    ("column", "bad", "expected"),
    [
        ("session_length", "twenty", "a session length from 10 to 20"),
        ("hour_of_day", "noon", "an hour from 0 to 23"),
        ("hour_of_day", "25", "an hour from 0 to 23"),
        ("hist_user_behavior_n_seekfwd", "many", "a count of seeks forward"),
        ("hist_user_behavior_n_seekfwd", "", "a count of seeks forward"),
    ],
)
def test_a_log_value_that_cannot_be_read_names_file_line_column_and_form(tmp_path, column, bad, expected):
    logs = pd.read_csv(LOG, dtype=str)
    logs.loc[3, column] = bad
    folder = _copy_with_dates(tmp_path, lambda d: d)
    logs.to_csv(folder / "training_set" / LOG.name, index=False)
    place = list(logs.columns).index(column) + 1
    with pytest.raises(DatasetError) as error:
        challenge.load(folder)
    assert f"{LOG.name}, line 5, column {place} ({column}):" in str(error.value)  # row 3 is line 5 under the header
    assert expected in str(error.value)


def test_a_track_feature_that_cannot_be_read_is_named(tmp_path):
    folder = _copy_with_dates(tmp_path, lambda d: d)
    tracks = pd.read_csv(TRACKS, dtype=str)
    tracks.loc[0, "tempo"] = "fast"
    tracks.to_csv(folder / "track_features" / TRACKS.name, index=False)
    with pytest.raises(
        DatasetError, match=r"tf_000000000000\.csv, line 2, column \d+ \(tempo\): 'fast' is not a number"
    ):
        challenge.load(folder)


def test_encode_reads_text_numbers_strictly():
    logs, tracks = challenge.load(FIXTURE)
    as_text = logs.astype({"session_length": str, "hour_of_day": str})
    challenge.encode(as_text, tracks)  # text that reads as the numbers it was: fine
    as_text.loc[2, "hour_of_day"] = "noon"
    with pytest.raises(DatasetError, match=r"spotify, line 3, column \d+ \(hour_of_day\): 'noon' is not an hour"):
        challenge.encode(as_text, tracks)

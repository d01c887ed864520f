"""Bad input before any work starts: each class of the new user's mistakes gives one clear error that names the fix,
a non-zero exit, and nothing written (no kernel, no cluster, no build folder)."""

import os
import subprocess
import sys

import pytest

from replicate import data, paths
from replicate.core import runner, sweep
from replicate.data import embedded
from replicate.errors import DatasetError, ParameterError, ReplicateError

DATA = paths.NOTEBOOKS / "data.py"


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "replicate", *args],
        capture_output=True,
        text=True,
        cwd=paths.REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


# --- parameters, checked before a kernel starts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"device": "tpu"}, "unknown device 'tpu': valid choices are 'auto', 'cpu', 'cuda', 'cuda:N'"),
        ({"device": 3}, "device must be a string"),
        ({"dataset": "nosuch"}, "unknown dataset 'nosuch' for data: valid datasets are"),
        ({"data_dir": 5}, "data_dir must be a folder's path or None"),
    ],
)
def test_a_bad_parameter_is_refused_before_anything_runs(build_dir, given, message):
    with pytest.raises(ParameterError, match=message):
        runner.run("data", "smoke", given)
    assert not build_dir.exists()  # nothing written


def test_cuda_without_a_gpu_is_refused_before_anything_runs(build_dir):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ParameterError, match="asked for CUDA but none is available here"):
        runner.run("data", "smoke", {"device": "cuda"})
    assert not build_dir.exists()


def test_a_sweep_refuses_bad_parameters_before_starting_its_cluster(build_dir):
    for given, message in (({"device": "tpu"}, "unknown device"), ({"dataset": "nosuch"}, "unknown dataset")):
        with pytest.raises(ParameterError, match=message):
            sweep.sweep(["data"], [0, 1], "smoke", params=given)
    assert not build_dir.exists()


def test_a_mistyped_data_dir_is_named_and_not_created(build_dir, tmp_path):
    missing = tmp_path / "dta"
    with pytest.raises(ParameterError) as error:
        runner.run("data", "smoke", {"data_dir": str(missing)})
    assert f"data_dir {missing} does not exist" in str(error.value)
    assert f"python -m replicate fetch --data-dir {missing}" in str(error.value)
    assert not missing.exists() and not build_dir.exists()
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(ParameterError, match=f"data_dir {a_file} is a file"):
        runner.run("data", "smoke", {"data_dir": str(a_file)})


def test_a_notebook_path_that_does_not_exist_is_not_taken_for_the_chapter():
    with pytest.raises(ParameterError, match="no notebook file /nowhere/data.py: it does not exist"):
        runner.notebook_path("/nowhere/data.py")
    result = cli("check", "--no-run", "/nowhere/data.py")
    assert result.returncode == 2 and "no notebook file /nowhere/data.py" in result.stderr
    assert runner.notebook_path("data.py") == DATA and runner.notebook_path("data") == DATA


def test_too_many_seeds_need_an_explicit_flag():
    with pytest.raises(ParameterError, match="asks for 100,001 seeds.*--allow-many-seeds"):
        sweep.parse_seeds("0-100000")
    assert len(sweep.parse_seeds("0-100000", allow_many=True)) == 100_001
    assert sweep.parse_seeds("0-2,1,5") == [0, 1, 2, 5]
    result = cli("book", "--seeds", "0-100000")
    assert result.returncode == 2 and "--allow-many-seeds" in result.stderr and "Traceback" not in result.stderr


# --- folders that cannot be used --------------------------------------------------------------------------------------


def test_a_build_folder_that_is_a_file_or_unwritable_is_one_line(tmp_path, monkeypatch):
    a_file = tmp_path / "build"
    a_file.write_text("")
    monkeypatch.setenv("REPLICATE_BUILD_DIR", str(a_file))
    with pytest.raises(ReplicateError, match=f"the build folder {a_file} is a file: set REPLICATE_BUILD_DIR"):
        runner.run("data", "smoke")
    result = cli("run", "data", env={"REPLICATE_BUILD_DIR": str(a_file / "below")})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"lies under {a_file}, which is a file" in result.stderr
    monkeypatch.setenv("REPLICATE_BUILD_DIR", str(tmp_path / "ro" / "build"))
    (tmp_path / "ro").mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(tmp_path / "ro") else real(p, mode))
    with pytest.raises(ReplicateError, match="cannot be written .*ro is not writable"):
        runner.run("data", "smoke")
    assert not (tmp_path / "ro" / "build").exists()


def test_a_data_folder_that_cannot_be_written_is_named_by_fetch(tmp_path, monkeypatch):
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(tmp_path) else real(p, mode))
    with pytest.raises(DatasetError, match=f"the data directory {tmp_path / 'cache'} cannot be written"):
        embedded.fetch("ml-100k", data_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    (tmp_path / "f2").write_text("")
    result = cli("fetch", "ml-100k", "--data-dir", str(tmp_path / "f2"))
    assert result.returncode == 2 and "is a file" in result.stderr and "Traceback" not in result.stderr


def test_the_suggested_fetch_carries_the_data_dir_in_use(tmp_path):
    with pytest.raises(DatasetError) as error:
        data.load("ml-1m", data_dir=tmp_path)
    assert f"python -m replicate fetch ml-1m --data-dir {tmp_path}" in str(error.value)
    assert embedded.fetch_command("ml-1m") == "python -m replicate fetch ml-1m"


# --- malformed GroupLens files ---------------------------------------------------------------------------------------


def _ml1m(folder, ratings="1::1::5::978300760\n", users="1::F::1::10::48067\n"):
    (folder / "movies.dat").write_text("1::Toy Story (1995)::Animation|Comedy\n", encoding="latin-1")
    (folder / "users.dat").write_text(users)
    (folder / "ratings.dat").write_text(ratings)
    return folder


@pytest.mark.parametrize(
    ("ratings", "users", "message"),
    [
        ("1::1::5::978300760\n1::1::4::\n", None, "ratings.dat, line 2, column 4 (timestamp): an empty value is not"),
        ("1::1::five::978300760\n", None, "ratings.dat, line 1, column 3 (rating): 'five' is not a rating from 0.5"),
        ("1::1::7::978300760\n", None, "line 1, column 3 (rating): '7' is not a rating from 0.5 to 5"),
        ("1::1::5\n", None, "line 1, column 4 (timestamp): an empty value is not a whole number of seconds"),
        ("1::1::5::978300760::9\n", None, "ratings.dat, line 1: more fields than expected"),
        ("1::1::5::97830.5\n", None, "column 4 (timestamp): '97830.5' is not a whole number"),
        (None, "1::F::1::99::48067\n", "users.dat, line 1, column 4 (occupation): '99' is not an ML-1M occupation"),
        (None, "1::X::1::10::48067\n", "users.dat, line 1, column 2 (gender): 'X' is not M or F"),
        (None, "1::F::1::10\n", "users.dat, line 1: 4 fields separated by '::', expected 5"),
    ],
)
def test_a_malformed_grouplens_file_names_file_line_column_and_form(tmp_path, ratings, users, message):
    folder = _ml1m(tmp_path, **{k: v for k, v in (("ratings", ratings), ("users", users)) if v is not None})
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        data.load("ml-1m", path=folder)


def test_a_malformed_ml100k_file_is_named(tmp_path):
    (tmp_path / "u.item").write_text("1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n")
    (tmp_path / "u.user").write_text("1|24|M|technician|85711\n")
    (tmp_path / "u.data").write_text("1\t1\t3\t881250949\n1\t1\t\t881250950\n")
    with pytest.raises(DatasetError, match=r"u\.data, line 2, column 3 \(rating\): an empty value is not a rating"):
        data.load("ml-100k", path=tmp_path)
    (tmp_path / "u.data").write_text("1\t1\t3\t881250949\n")
    assert len(data.load("ml-100k", path=tmp_path).ratings) == 1


def test_a_well_formed_ml1m_folder_loads(tmp_path):
    loaded = data.load("ml-1m", path=_ml1m(tmp_path, ratings="1::1::5::978300760\n1::1::4::978300761\n"))
    assert list(loaded.ratings["rating"]) == [5.0, 4.0] and loaded.ratings["timestamp"].min() == 978300760


def test_a_file_written_whole_leaves_no_partial_and_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    from pathlib import Path

    from replicate import paths

    target = tmp_path / "deep" / "claims.json"
    paths.write_whole(target, "old\n")
    assert target.read_text() == "old\n" and [p.name for p in target.parent.iterdir()] == ["claims.json"]

    def killed(self, data):
        with open(self, "w") as half:
            half.write(data[:2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", killed)
    with pytest.raises(KeyboardInterrupt):
        paths.write_whole(target, "new\n")
    assert target.read_text() == "old\n" and [p.name for p in target.parent.iterdir()] == ["claims.json"]

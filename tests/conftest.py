import pytest

from replicate import data


@pytest.fixture(scope="session")
def ml100k():
    data.fetch("ml-100k")
    return data.load("ml-100k")


@pytest.fixture(scope="session")
def ml1m():
    data.fetch("ml-1m")
    return data.load("ml-1m")


@pytest.fixture
def build_dir(tmp_path, monkeypatch):
    """An empty build root for the pipeline, so tests never touch the working tree's build/."""
    root = tmp_path / "build"
    monkeypatch.setenv("REPLICATE_BUILD_DIR", str(root))
    return root

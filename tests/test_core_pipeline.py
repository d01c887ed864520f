"""End to end: the data chapter through papermill (smoke), the regeneration check, and the book build."""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from replicate import paths
from replicate.core.chapter import declaration
from replicate.repro import cpu_vendor, kernel_environment, mkl_branch_note

pytestmark = pytest.mark.slow


def cli(*args, build_dir):
    env = dict(os.environ, REPLICATE_BUILD_DIR=str(build_dir))
    return subprocess.run(
        [sys.executable, "-m", "replicate", *args], capture_output=True, text=True, env=env, cwd=paths.REPO
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Run the data chapter once (smoke) into a fresh build root shared by the tests below."""
    build_dir = tmp_path_factory.mktemp("build")
    result = cli("run", "data", "--profile", "smoke", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert "data (smoke): ran in" in result.stdout
    return build_dir


def test_run_writes_notebook_figures_claims(built):
    out = paths.Run("smoke", "data", folder=built / "smoke" / "data" / "seed-0")
    declared = declaration(paths.NOTEBOOKS / "data.py")
    assert out.notebook.is_file() and out.stamp.is_file()
    assert sorted(p.stem for p in out.figures.glob("*.png")) == sorted(declared["figures"])
    claims = json.loads(out.claims.read_text())
    assert [c["id"] for c in claims] == declared["claims"]
    sections = {"Counts", "Genres", "The join to MovieLens", "Are the matches right?", "What is not here"}
    assert {c["section"] for c in claims} == sections
    nb = json.loads(out.notebook.read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0]["metadata"]["tags"]
    assert not list((built / "smoke" / "data").glob(".*running*")) and not list((built / "smoke").rglob("*.failed"))
    # the kernel ran with the smoke profile's pinned CPU kernels, which its stamp records (the check compares them)
    assert json.loads(out.device.read_text()).get("cpu_kernels", {}) == kernel_environment("smoke")
    assert json.loads(out.stamp.read_text())["kernels"] == (kernel_environment("smoke") or "the machine's own")


def test_second_run_reuses_outputs(built):
    result = cli("run", "data", build_dir=built)
    assert result.returncode == 0 and "up to date" in result.stdout


def test_check_passes_and_fails_naming_the_problem(built):
    result = cli("check", build_dir=built)
    note = mkl_branch_note(cpu_vendor())
    if not note:
        assert result.returncode == 0, result.stderr
        assert "check passed" in result.stdout
    else:  # MKL ignores its AVX2 branch on this processor: only drifts that say so may appear
        problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
        assert all(note in line for line in problems), result.stderr
    assert "data: up to date" in result.stdout

    out = paths.Run("smoke", "data", folder=built / "smoke" / "data" / "seed-0")
    figure, claims_file = out.figure("genres"), out.claims
    saved_figure, saved_claims = figure.read_bytes(), claims_file.read_text()
    try:
        figure.unlink()
        claims = json.loads(saved_claims)
        claims[0]["ours"] += 1
        claims_file.write_text(json.dumps(claims))
        result = cli("check", "--no-run", build_dir=built)
        assert result.returncode == 1
        assert "figure genres is missing" in result.stderr
        assert "claim ml100k_ratings drifted: 100,001 now, reference 100,000" in result.stderr
    finally:
        figure.write_bytes(saved_figure)
        claims_file.write_text(saved_claims)


def test_cli_errors_are_one_clear_line(built):
    result = cli("run", "data", "-p", "epochs=3", build_dir=built)
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown parameter(s) epochs") and "Traceback" not in result.stderr
    result = cli("run", "data", "--profile", "full", build_dir=built)
    assert result.returncode == 2 and "valid profiles are smoke, paper" in result.stderr


def test_book_renders_chapter_figures_and_scorecard(built):
    result = cli("book", "--profile", "smoke", build_dir=built)
    assert result.returncode == 0, result.stderr + result.stdout
    html_root = built / "smoke" / "site" / "_build" / "html"
    assert (html_root / "index.html").is_file()
    page = (html_root / "book" / "chapters" / "data.html").read_text()
    # Every declared figure is in the page, byte for byte (Sphinx names an embedded image by its sha256).
    for png in paths.Run("smoke", "data", folder=built / "smoke" / "data" / "seed-0").figures.glob("*.png"):
        digest = hashlib.sha256(png.read_bytes()).hexdigest()
        assert f"_images/{digest}.png" in page, png.name
        assert (html_root / "_images" / f"{digest}.png").read_bytes() == png.read_bytes()
    scorecard = (html_root / "book" / "scorecard.html").read_text()
    anchors = set(re.findall(r'href="chapters/data\.html#([^"]+)"', scorecard))
    assert anchors == {"counts", "genres", "the-join-to-movielens", "are-the-matches-right", "what-is-not-here"}
    for anchor in anchors:
        assert f'id="{anchor}"' in page
    from replicate.core.site import toc_chapters

    total = sum(len(declaration(paths.NOTEBOOKS / f"{name}.py")["claims"]) for name in toc_chapters())
    assert scorecard.count('class="verdict-') == total
    assert "Traceback" not in page


BROKEN = Path(__file__).parent / "fixtures" / "broken.py"  # its second cell raises ValueError("boom")


def test_failed_run_keeps_only_the_failed_notebook(build_dir):
    from replicate.core import runner
    from replicate.errors import ReplicateError

    with pytest.raises(ReplicateError) as error:
        runner.run(BROKEN, "smoke")
    assert "notebook broken (smoke) failed in cell" in str(error.value) and "ValueError: boom" in str(error.value)
    assert sorted(p.name for p in (build_dir / "smoke" / "broken").iterdir()) == ["seed-0.failed"]
    assert (build_dir / "smoke" / "broken" / "seed-0.failed" / "broken.ipynb").is_file()

"""The built site in a real browser (headless Chromium through Playwright): every page of the table of contents
loads without a console error, its images decode, its Plotly figures draw, its links and anchors resolve (each
scorecard row lands on its section), the search finds "RecoNet"; and the check fails when an image or an anchor is
broken. Screenshots of every page go to ``build/smoke/screenshots/``.

The site is the one the pipeline test rendered in this session (smoke profile) when there is one, else the one
``$REPLICATE_TEST_SITE`` names (an ``_build/html`` folder, to iterate on this test alone); otherwise this module runs
the smoke chapters and renders it itself.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from replicate import paths
from replicate.core import browser

pytestmark = pytest.mark.slow


def require_chromium() -> str:
    """The Chromium to use. Missing: fail in CI (``CI=true``; .ci/run installs it), skip elsewhere, saying how."""
    found = browser.find_chromium()
    if found is None:
        message = f"no Chromium for the browser test: {browser.INSTALL}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def html_root(tmp_path_factory):
    require_chromium()
    if os.environ.get("REPLICATE_TEST_SITE"):
        return Path(os.environ["REPLICATE_TEST_SITE"]).resolve()
    base = tmp_path_factory.getbasetemp()
    for index in sorted(base.glob("*/smoke/site/_build/html/index.html")):
        return index.parent  # rendered by test_core_pipeline in this session
    build = tmp_path_factory.mktemp("browser-build")
    env = dict(os.environ, REPLICATE_BUILD_DIR=str(build))
    result = subprocess.run(
        [sys.executable, "-m", "replicate", "book", "--profile", "smoke"],
        capture_output=True,
        text=True,
        env=env,
        cwd=paths.REPO,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return build / "smoke" / "site" / "_build" / "html"


def test_every_page_works_in_chromium(html_root):
    screenshots = paths.profile_dir("smoke") / "screenshots"
    shutil.rmtree(screenshots, ignore_errors=True)
    report = browser.check_site(html_root, screenshots=screenshots, chromium=require_chromium())
    assert report.problems == []
    assert report.search_hits > 0
    assert len(report.screenshots) == len(report.pages) == len(browser.toc_pages(html_root))
    assert all(shot.stat().st_size > 10_000 for shot in report.screenshots)
    # what the reader should find on the pages
    chapter = (html_root / "book" / "chapters" / "reconet.html").read_text()
    text = re.sub(r"<[^>]+>", "", chapter)  # highlighted code is split into spans
    assert "Reproduce this chapter" in text and "python -m replicate run reconet --profile smoke -p seed=0" in text
    assert re.search(r'href="\.\./bibliography\.html#id\d+"', chapter)  # the box cites the paper
    assert re.search(r'href="\.\./\.\./_downloads/[0-9a-f]+/reconet\.ipynb"', chapter)
    assert 'profile = "smoke"  #' not in chapter  # the defaults cell is hidden
    # verdict first: the box comes before the reproduce box; the model in labelled equations, typeset by MathJax
    assert "verdict-box" in chapter and chapter.index("verdict-box") < chapter.index("Reproduce this chapter")
    assert 'id="equation-reconet-pool"' in chapter and report.equations["book/chapters/reconet.html"] >= 3
    status = (html_root / "book" / "status.html").read_text()
    assert "torch threads" in status and "scikit-learn" in status


def test_broken_image_and_anchor_fail_the_check(html_root, tmp_path):
    site = tmp_path / "html"
    shutil.copytree(html_root, site)
    chapter = site / "book" / "chapters" / "data.html"
    image = re.search(r'src="\.\./\.\./(_images/[0-9a-f]+\.png)"', chapter.read_text()).group(1)
    (site / image).write_bytes(b"not a png")
    scorecard = site / "book" / "scorecard.html"
    text = scorecard.read_text()
    anchor = re.search(r'href="chapters/data\.html#([^"]+)"', text).group(1)
    scorecard.write_text(text.replace(f"data.html#{anchor}", "data.html#no-such-section", 1))
    report = browser.check_site(
        site, pages=["book/chapters/data.html", "book/scorecard.html"], search=None, chromium=require_chromium()
    )
    assert f"book/chapters/data.html: image not decoded: ../../{image}" in report.problems
    assert "book/scorecard.html: link to a missing anchor: chapters/data.html#no-such-section" in report.problems


def test_a_figure_that_never_fits_its_column_is_reported(tmp_path):
    """The check waits for the load-time redraw (core/interactive.FIT), but a figure that stays wider than its column
    (a fixed 900 px layout in a div held at 400 px) is still reported."""
    import plotly.graph_objects as go

    from replicate.core import interactive

    shutil.copy(interactive.PLOTLY_JS, tmp_path / "plotly.min.js")
    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4]))
    fig.update_layout(width=900, autosize=False)
    (tmp_path / "page.html").write_text(
        '<html><head><script src="plotly.min.js"></script>'
        "<style>.plotly-graph-div { width: 400px !important; }</style></head>"
        f"<body>{interactive.html(fig, 'x', 'wide')}</body></html>"
    )
    report = browser.check_site(tmp_path, pages=["page.html"], search=None, chromium=require_chromium())
    assert any("plotly-x-wide is 500 px wider than its column" in p for p in report.problems), report.problems

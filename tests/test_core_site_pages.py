"""What the book adds around the executed notebooks: the reproduce box, the status page, citations, interactive figures.

Unit tests on hand-made inputs, and one small book (a hand-made executed notebook citing a work, with a labelled
equation and an interactive figure) rendered by Jupyter Book with the project's configuration.
"""

import json
import os
import re
import shutil

import nbformat
import numpy as np
import pybtex.database
import pytest
import yaml

from replicate import paths, repro
from replicate.core import chapter_pages, interactive, site, status_page
from replicate.errors import ReplicateError
from replicate.papers.cvae import interactive as cvae_interactive
from replicate.papers.cvae import latent
from replicate.papers.reconet import interactive as reconet_interactive

STAMP = {
    "stamp": "abc",
    "parameters": {"profile": "paper", "dataset": "ml-1m", "data_dir": None, "seed": 3, "device": "auto"},
    "seconds": 754.2,
    "executed": "2026-12-01T18:04:00+00:00",
    "commit": "0123456789abcdef0123",
    "clean": True,
}
DEFAULTS = {"profile": "smoke", "dataset": "ml-1m", "data_dir": None, "seed": 0, "device": "auto"}


def test_reproduce_box_says_how_to_rerun_the_rendered_run():
    box = chapter_pages.reproduce_box("cvae", "paper", [STAMP], DEFAULTS, {"commit": "ffff", "clean": False})
    assert box.startswith("````{admonition} Reproduce this chapter") and box.endswith("````")
    assert "python -m replicate run cvae --profile paper -p seed=3\n" in box
    assert "papermill cvae.ipynb build/paper/cvae/cvae.ipynb --cwd notebooks -p profile paper -p dataset ml-1m" in box
    assert "-p seed 3 -p device auto" in box and "data_dir None" not in box
    assert "| wall time | 12.6 min |" in box and "| executed | 2026-12-01 18:04 UTC |" in box
    assert "`0123456789ab` (clean tree)" in box  # the commit the run came from, not the build's
    assert "{cite:t}`carraro2020`" in box
    assert "{download}`the executed notebook (cvae.ipynb) <downloads/cvae.ipynb>`" in box
    assert "<downloads/cvae.py>`" in box


def test_reproduce_box_lists_every_seed_and_non_default_parameters():
    runs = [STAMP, {**STAMP, "parameters": {**STAMP["parameters"], "seed": 4, "device": "cpu"}, "seconds": 5.0}]
    box = chapter_pages.reproduce_box("data", "paper", runs, DEFAULTS, {"commit": "ffff", "clean": False})
    assert "| seeds | 3, 4 |" in box and "for 2 seeds" in box
    assert "python -m replicate run data --profile paper -p seed=4 -p device=cpu" in box
    with pytest.raises(ReplicateError, match="python -m replicate run data --profile paper"):
        chapter_pages.reproduce_box("data", "paper", [], DEFAULTS, {})


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nIntro.\nMore intro.\n\nDetail."),
        nbformat.v4.new_code_cell('profile = "smoke"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell('profile = "paper"', metadata={"tags": ["injected-parameters", "remove-cell"]}),
        nbformat.v4.new_markdown_cell("## A section"),
        nbformat.v4.new_code_cell("import numpy as np\nfrom replicate import data"),
        nbformat.v4.new_code_cell("import numpy as np\nx = np.ones(3)"),
    ]
    return nb


def test_boxes_go_after_the_summary_and_the_defaults_are_hidden(tmp_path):
    path = tmp_path / "x.ipynb"
    nbformat.write(_notebook(), path)
    chapter_pages.insert_box(path, "BOX", "VERDICT")
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].source == "# Title\n\nIntro.\nMore intro.\n\nVERDICT\n\nBOX\n\nDetail.\n"
    assert nb.cells[1].metadata["tags"] == ["parameters", "remove-cell"]
    assert nb.cells[4].metadata["tags"] == ["hide-input"] and "hide-input" not in nb.cells[5].metadata["tags"]
    assert nb.cells[2].metadata["tags"] == ["injected-parameters", "remove-cell"]


def test_status_page_reports_runs_verdicts_and_environment(build_dir):
    from replicate.core import claims

    out = paths.Run("paper", "cvae")
    out.dir.mkdir(parents=True)
    out.stamp.write_text(json.dumps({**STAMP, "environment": repro.machine_environment()}))
    rule = claims.AtLeast(0.5)
    recorded = [
        claims.Claim.make("cvae", "a", "a", 1.0, 0.9, rule, kind="paper"),
        claims.Claim.make("cvae", "b", "b", 1.0, 0.1, rule, kind="paper"),
        claims.Claim.make("cvae", "c", "c", 1.0, 0.9, rule, kind="book"),
    ]
    claims.save(recorded, out.claims)
    text = status_page.status_page("paper", ["cvae"], {"cvae": "C-VAE"}, {"commit": "feed", "clean": False}, {})
    row = next(line for line in text.splitlines() if line.startswith("| {doc}`C-VAE <chapters/cvae>`"))
    assert "| `paper` | 3 | 12.6 min | 2026-12-01 18:04 UTC | `0123456789ab` (clean tree) |" in row
    assert "1 replicated, 1 not replicated | 1 replicated |" in row
    assert "`feed` (uncommitted changes)" in text
    for name in ("Python", *repro.PACKAGES, "CPU", "cores", "torch threads", "GPU"):
        assert re.search(rf"^\| {re.escape(name)} \| .+ \|$", text, re.M), name


def test_status_page_and_box_show_only_the_books_seeds(build_dir):
    """An older sweep left seed 5 on disk: a book of seed 0 neither lists it nor counts its verdicts (the scorecard
    leaves it out too)."""
    from replicate.core import claims

    rule = claims.AtLeast(0.5)
    for seed, value in ((0, 0.9), (5, 0.1)):
        out = paths.Run("paper", "cvae", seed)
        out.dir.mkdir(parents=True)
        stamp = {**STAMP, "parameters": {**STAMP["parameters"], "seed": seed}, "seconds": 60.0}
        out.stamp.write_text(json.dumps(stamp))
        claims.save([claims.Claim.make("cvae", "a", "a", 1.0, value, rule)], out.claims)
    state = {"commit": "feed", "clean": True}

    def row(text):
        return next(line for line in text.splitlines() if line.startswith("| {doc}`C-VAE <chapters/cvae>`"))

    book = row(status_page.status_page("paper", ["cvae", "emde"], {"cvae": "C-VAE"}, state, {}, seeds=[0]))
    assert "| `paper` | 0 | 60.0 s |" in book and "| 1 replicated | none |" in book
    every = row(status_page.status_page("paper", ["emde", "cvae"], {"cvae": "C-VAE"}, state, {}))  # two chapters
    assert "| `paper` | 0, 5 | 2.0 min |" in every and "unstable" in every
    box = chapter_pages.reproduce_box("cvae", "paper", status_page.stamps("paper", "cvae", [0]), DEFAULTS, state)
    assert "| seed | 0 |" in box


def test_run_record_has_time_commit_and_environment():
    record = repro.run_record()
    assert set(record) == {"executed", "commit", "clean", "environment"}
    assert record["environment"]["gpu"] and record["environment"]["cores"] >= 1
    assert set(record["environment"]["packages"]) == set(repro.PACKAGES)


def test_bibliography_has_every_key_the_book_cites():
    bib = pybtex.database.parse_file(str(paths.REPO / "book" / "references.bib"))
    keys = set(bib.entries)
    cited = {key for _, key in chapter_pages.PAPERS.values()}
    for source in [paths.REPO / "book" / "intro.md", *paths.NOTEBOOKS.glob("*.py")]:
        cited |= {
            k.strip()
            for group in re.findall(r"\{cite(?::[tp])?\}`([^`]+)`", source.read_text())
            for k in group.split(",")
        }
    assert cited <= keys, sorted(cited - keys)
    toc = yaml.safe_load((paths.REPO / "_toc.yml").read_text())
    assert {"book/bibliography", "book/status"} <= set(site._toc_files(toc))
    config = yaml.safe_load((paths.REPO / "_config.yml").read_text())
    assert config["bibtex_bibfiles"] == ["book/references.bib"]


def _pca(n_users=6):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(n_users, 3, 5))
    return latent.LatentPCA(points, np.full(5, 0.2), ("Drama", "War", latent.UNCONDITIONED_LABEL))


def test_latent_scatter_hover_names_condition_and_user():
    fig = cvae_interactive.latent_scatter(_pca(), 2, 5, users=[f"u{k}" for k in range(6)], max_points=4)
    assert [t.name for t in fig.data] == ["Drama", "War", latent.UNCONDITIONED_LABEL]
    assert all(len(t.x) == 4 for t in fig.data) and fig.data[-1].marker.color == "#000000"
    assert {row[0] for row in fig.data[1].customdata} == {"War"}
    assert {row[1] for row in fig.data[1].customdata} <= {f"u{k}" for k in range(6)}
    assert "condition: %{customdata[0]}" in fig.data[0].hovertemplate and "user:" in fig.data[0].hovertemplate
    assert fig.layout.xaxis.title.text.startswith("PC2")
    with pytest.raises(ValueError, match="components 1 to 5"):
        cvae_interactive.latent_scatter(_pca(), 2, 6)
    with pytest.raises(ValueError, match="3 labels for 6 rows"):
        cvae_interactive.latent_scatter(_pca(), 1, 2, users=[1, 2, 3])


def test_explanation_sankey_flows_every_feature_into_the_target():
    fig = reconet_interactive.explanation_sankey(["Alien", "Sci-Fi", "M"], ["movie", "genre", "gender"], [3, 2, 1], "X")
    (trace,) = fig.data
    assert trace.type == "sankey" and list(trace.node.label) == ["Alien (movie)", "Sci-Fi (genre)", "M (gender)", "X"]
    assert list(trace.link.source) == [0, 1, 2] and list(trace.link.target) == [3, 3, 3]
    assert list(trace.link.value) == [3.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="positive relevances only"):
        reconet_interactive.explanation_sankey(["a"], ["movie"], [-1.0], "X")
    with pytest.raises(ValueError, match="as many labels"):
        reconet_interactive.explanation_sankey(["a", "b"], ["movie"], [1.0], "X")


def test_interactive_html_is_deterministic_and_loads_nothing():
    fig = reconet_interactive.explanation_sankey(["a"], ["movie"], [1.0], "X")
    first, second = interactive.html(fig, "reconet", "sankey"), interactive.html(fig, "reconet", "sankey")
    assert first == second and 'id="plotly-reconet-sankey"' in first
    assert "<script src" not in first and "cdn" not in first.lower()
    assert set(interactive.bundle(fig, "reconet", "sankey")) == {
        "text/html",
        "application/vnd.plotly.v1+json",
        "text/plain",
    }
    assert interactive.PLOTLY_JS.is_file()
    with pytest.raises(ValueError, match="letters, digits"):
        interactive.div_id("reconet", "a b")


CITING = """# A test chapter

Relevance propagation {cite:p}`bach2015` as {cite:t}`fusco2019` use it:

$$
R_i = \\sum_j \\frac{z_{ij}}{\\sum_{i'} z_{i'j}} R_j
$$ (lrp-rule)

Equation {eq}`lrp-rule` conserves relevance, $\\sum_i R_i = f(x)$.
"""


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """A one-chapter book staged like the real one (the project's _config.yml, book/_static, references.bib, a
    bibliography page, plotly.js) whose chapter is a hand-made executed notebook: it cites, has a labelled equation
    and an interactive figure. Rendered once with Jupyter Book; returns the HTML root."""
    root = tmp_path_factory.mktemp("small")
    source = root / "book"
    (source / "book" / "chapters").mkdir(parents=True)
    shutil.copy2(paths.REPO / "_config.yml", source / "_config.yml")
    toc = {"format": "jb-book", "root": "book/chapters/test", "chapters": [{"file": "book/bibliography"}]}
    (source / "_toc.yml").write_text(yaml.safe_dump(toc))
    shutil.copytree(paths.REPO / "book" / "_static", source / "book" / "_static")
    for name in ("references.bib", "bibliography.md"):
        shutil.copy2(paths.REPO / "book" / name, source / "book" / name)
    shutil.copy2(interactive.PLOTLY_JS, source / "book" / "_static" / interactive.PLOTLY_JS.name)
    fig = reconet_interactive.explanation_sankey(["Alien", "Sci-Fi"], ["movie", "genre"], [2.0, 1.0], "Men in Black")
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    code = nbformat.v4.new_code_cell("ch.interactive(fig, 'sankey')", execution_count=1)
    code.outputs = [nbformat.v4.new_output("display_data", data=interactive.bundle(fig, "test", "sankey"))]
    nb.cells = [nbformat.v4.new_markdown_cell(CITING), code]
    nbformat.write(nb, source / "book" / "chapters" / "test.ipynb")
    chapter_pages.insert_box(source / "book" / "chapters" / "test.ipynb", "")  # what stage does to a chapter
    site.render(source, root / "site")
    return root / "site" / "_build" / "html"


def test_cite_and_math_render_from_an_executed_notebook(small_book):
    page = (small_book / "book" / "chapters" / "test.html").read_text()
    assert re.search(r'<a class="reference internal" href="\.\./bibliography\.html#id\d+"', page)
    assert "Bach" in page and "Fusco" in page and "{cite" not in page
    assert 'id="equation-lrp-rule"' in page and 'href="#equation-lrp-rule"' in page
    assert re.search(r'<script [^>]*src="\.\./\.\./_static/mathjax/tex-chtml\.js', page)  # MathJax offline
    assert re.search(r'<script src="\.\./\.\./_static/plotly\.min\.js', page)  # plotly.js on this page
    assert not re.search(r'<script [^>]*src="https?:', page)  # nothing from a CDN
    bibliography = (small_book / "book" / "bibliography.html").read_text().lower()  # the style sentence-cases titles
    assert "layer-wise relevance propagation" in bibliography and "count-min sketch" in bibliography
    assert "reconet: an interpretable neural architecture" in bibliography


@pytest.mark.slow
def test_interactive_figure_draws_offline_in_chromium(small_book, tmp_path):
    from replicate.core import browser

    if browser.find_chromium() is None:
        message = f"no Chromium for the browser test: {browser.INSTALL}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    report = browser.check_site(small_book, pages=["book/chapters/test.html"], search=None, screenshots=tmp_path)
    assert report.problems == []


def test_runs_from_before_the_record_say_so(build_dir):
    out = paths.Run("smoke", "data")
    out.dir.mkdir(parents=True)
    out.stamp.write_text(json.dumps({"stamp": "x", "parameters": DEFAULTS, "seconds": 2.0}))
    box = chapter_pages.reproduce_box(
        "data", "smoke", status_page.stamps("smoke", "data"), DEFAULTS, {"commit": "beef", "clean": True}
    )
    assert "| executed | not recorded |" in box and "`beef` (clean tree)" in box
    text = status_page.status_page(
        "smoke", ["data"], {}, {"commit": "beef", "clean": True}, repro.machine_environment()
    )
    assert "| 2.0 s | not recorded | not recorded |" in text and "This machine:" not in text


def test_spread_figure_draws_seeds_interval_and_paper(tmp_path):
    """One panel per table of the paper, each on its own values; the single numbers on one ours ÷ paper axis; rows
    whose paper value is not comparable drawn without it; orders and yes/no claims left out."""
    from replicate.core import site
    from replicate.core.claims import Claim, Holds, NotApplicable, Within, aggregate

    def seeded(cid, source, paper, values, rule):
        return [Claim.make("c", cid, cid, paper, v, rule, source=source) for v in values]

    table = "Table 1"
    claims = [
        seeded("fm", table, 0.313, [0.30, 0.31, 0.32], Within(abs=0.02)),
        seeded("cml", table, 0.328, [0.36, 0.37, 0.38], Within(abs=0.02)),
        seeded("seconds", "§5.5: 10–12 s", 11.0, [0.6, 0.7, 0.8], Within(abs=1)),
        seeded("speedup", "§5.5: 1000 times", 1000.0, [1100, 1000, 1050], Within(rel=0.1)),
        seeded("acc", "slide 14", 77.5, [70.1, 70.5, 69.8], NotApplicable("needs Spotify's logs")),
        seeded("maa", "slide 14", 50.2, [40.1, 40.5, 39.8], NotApplicable("needs Spotify's logs")),
        seeded("flag", table, True, [True, True, True], Holds()),
    ]
    runs = {s: [rows[s] for rows in claims] for s in range(3)}
    panels = site.spread_panels(aggregate(runs))
    assert [(p.title, [c.id for c in p.rows], p.ratio) for p in panels] == [
        (table, ["fm", "cml"], False),
        ("slide 14", ["acc", "maa"], False),
        ("The paper's single numbers: ours ÷ the paper's value", ["seconds", "speedup"], True),
    ]
    values, mean, interval, paper = panels[2].values(panels[2].rows[0])
    assert values == pytest.approx([0.6 / 11, 0.7 / 11, 0.8 / 11]) and paper == 1.0
    assert interval[0] < mean < interval[1]
    assert panels[1].values(panels[1].rows[0])[3] is None  # not comparable: no paper mark
    assert panels[0].values(panels[0].rows[0])[3] == 0.313
    path = site.spread_figure("Chapter", aggregate(runs), tmp_path / "spread.png")
    assert path is not None and path.stat().st_size > 0
    assert site.spread_figure("Chapter", aggregate({0: runs[0]}), tmp_path / "none.png") is None  # one seed


def test_verdict_box_counts_the_paper_claims_and_links_each_to_its_section():
    from replicate.core.claims import Claim, Declared, Holds, verdict_box

    def claim(id, ours, kind="paper"):
        declared = Declared(id, f"statement {id}", kind, Holds(), reason="r", quote="q", where="w", null="n")
        recorded = Claim.declared("x", declared, ours, null=False)
        recorded.anchor = f"section-{id}"
        return recorded

    box = verdict_box([claim("a", True), claim("b", False), claim("c", True, "book")], [0, 1, 2])
    assert "over seeds 0, 1, 2: **1 replicated, 1 not replicated**" in box
    assert '<a href="#section-b">statement b</a> <small>(unknown)</small>' in box
    assert "<details open><summary><em>not replicated</em> (1)</summary>" in box
    assert "The book's own checks: 1 replicated." in box


def test_reproduce_box_loops_over_seeds_that_differ_only_in_the_seed():
    runs = [{**STAMP, "parameters": {**STAMP["parameters"], "seed": seed}} for seed in (0, 1, 2)]
    lines = chapter_pages.looped("cvae", "paper", runs, DEFAULTS)
    assert lines[0].startswith("for seed in 0 1 2; do python -m replicate run cvae --profile paper -p seed=$seed")
    assert lines[-1].startswith("for seed in 0 1 2; do papermill") and "-p seed $seed" in lines[-1]


def test_verdict_figure_draws_one_bar_per_paper_and_skips_a_chapter_without_paper_claims(tmp_path):
    from replicate.core import site
    from replicate.core.claims import Claim, Exact

    def claim(verdict_ok, kind="paper"):
        return Claim.make("x", "c", "c", 1, 1 if verdict_ok else 2, Exact(), kind=kind)

    chapters = [("a", "Paper A", [claim(True), claim(False)]), ("d", "The data", [claim(True, "fact")])]
    path = site.verdict_figure(chapters, tmp_path / "verdicts.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert site.verdict_figure([chapters[1]], tmp_path / "none.png") is None


def test_kept_readings_show_their_spread_over_seeds_below_their_cell(build_dir, tmp_path):
    import pandas as pd

    from replicate.core.chapter import Chapter, cell_key

    source = 'ch.readings("table", frame)'
    for seed, value in ((0, 1.0), (1, 2.0), (2, 4.0)):
        ch = Chapter("data", profile="smoke", seed=seed)
        ch._cell = cell_key(source)  # as under IPython, the cell that keeps it
        frame = pd.DataFrame({"DEL": [value, 0.5]}, index=pd.Index(["IG", "random"], name="EASE"))
        ch.readings("table", frame)
    runs = [paths.Run("smoke", "data", s) for s in (0, 1, 2)]
    table = chapter_pages.spread_table(chapter_pages.kept_readings(runs)["table"][1])
    # by hand: mean of 1, 2, 4 = 7/3; sample sd = sqrt(((1-7/3)^2 + (2-7/3)^2 + (4-7/3)^2) / 2) = sqrt(7/3)
    assert "| IG | 2.33 ± 1.5 (1–4) |" in table
    assert "| random | 0.5 ± 0 (0.5–0.5) |" in table and table.startswith("| EASE | DEL |")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell("y")]
    staged = tmp_path / "data.ipynb"
    nbformat.write(nb, staged)
    assert chapter_pages.insert_spread(staged, runs) == 1
    cells = nbformat.read(staged, as_version=4).cells
    assert [c.cell_type for c in cells] == ["code", "code", "markdown", "code"]
    assert "Over seeds 0, 1, 2" in cells[2].source and "2.33 ± 1.5" in cells[2].source
    assert chapter_pages.insert_spread(staged, runs[:1]) == 0  # one seed has no spread: nothing added
    with pytest.raises(ReplicateError, match="letters, digits"):
        ch.readings("no/slash", frame)

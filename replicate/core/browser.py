"""The built site as a reader meets it: every page of the table of contents opened in headless Chromium.

:func:`check_site` serves the HTML over a local HTTP server, blocks every request that would leave it (so a page
that needs a CDN fails here, as it would offline), and for each page checks that it loads with no console error,
that every image is decoded (natural width > 0), that every Plotly figure has drawn (within its column), and that
every internal link and anchor resolves (a scorecard row must land on a section); then that the built-in search
finds a word. It saves a full-page screenshot of each page. The browser is the system's Chromium (Debian's
``chromium``) driven by Playwright's Python package through ``executable_path``: nothing downloads a browser.

    python -m replicate.core.browser build/smoke/site/_build/html [--screenshots DIR]
"""

from __future__ import annotations

import functools
import html as html_mod
import os
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import yaml

DEBIAN_BINARY = "/usr/lib/chromium/chromium"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL = "install it with `apt-get install chromium` (Debian) or set REPLICATE_CHROMIUM to a Chromium executable"


def find_chromium() -> str | None:
    """``$REPLICATE_CHROMIUM``, else the first Chromium on the PATH; ``None`` when there is none."""
    given = os.environ.get("REPLICATE_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    if Path(DEBIAN_BINARY).is_file():  # the binary behind Debian's /usr/bin/chromium wrapper script
        return DEBIAN_BINARY
    return next((path for path in map(shutil.which, CANDIDATES) if path), None)


def toc_pages(html_root: Path) -> list[str]:
    """The site's pages in book order, as paths relative to ``html_root`` (``book/intro.html``...), from the
    ``_toc.yml`` the book was built with (Jupyter Book copies it into ``_sources`` only as text; we read the
    repository's)."""
    from replicate import paths
    from replicate.core.site import _toc_files

    toc = yaml.safe_load((paths.REPO / "_toc.yml").read_text())
    return [f"{f}.html" for f in _toc_files(toc)]


@dataclass
class Report:
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    equations: dict[str, int] = field(default_factory=dict)  # display equations per page, each checked as typeset
    search_hits: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, page: str, what: str) -> None:
        self.problems.append(f"{page}: {what}")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports what matters
        pass


@functools.cache
def _ids(text: str) -> dict[str, str]:
    """id -> tag name of every element with an id in an HTML text."""
    return {unquote(m.group(2)): m.group(1).lower() for m in re.finditer(r'<([a-zA-Z0-9]+)[^>]*?\sid="([^"]+)"', text)}


_IMAGES = """async () => {
  const images = Array.from(document.images);
  for (const image of images) image.loading = "eager";
  const broken = [];
  await Promise.all(images.map(image => image.decode().catch(() => null)));
  for (const image of images) if (!(image.complete && image.naturalWidth > 0)) broken.push(image.getAttribute("src"));
  return [images.length, broken];
}"""

_PLOTLY = """() => Array.from(document.querySelectorAll("div.plotly-graph-div")).map(d => {
  const svg = d.querySelector("svg.main-svg");
  const overflow = svg ? svg.getBoundingClientRect().width - d.getBoundingClientRect().width : 0;
  return [d.id, !!(svg && d._fullLayout), overflow];
})"""

_LINKS = """() => Array.from(document.querySelectorAll("a[href]")).map(a => [a.getAttribute("href"), a.href,
  !!a.closest("table.scorecard")])"""


def check_site(
    html_root: Path,
    screenshots: Path | None = None,
    pages: list[str] | None = None,
    search: str | None = "RecoNet",
    chromium: str | None = None,
    timeout_ms: int = 30_000,
) -> Report:
    """Open ``pages`` (default: every page of the table of contents) of the site in ``html_root``; return what is
    wrong (an empty ``problems`` list when nothing is)."""
    from playwright.sync_api import sync_playwright

    html_root = Path(html_root).resolve()
    executable = chromium or find_chromium()
    if executable is None:
        raise RuntimeError(f"no Chromium found: {INSTALL}")
    pages = pages if pages is not None else toc_pages(html_root)
    report = Report(pages=list(pages))
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
            )
            for page_path in pages:
                _check_page(context, base, html_root, page_path, report, screenshots, timeout_ms)
            if search:
                _check_search(context, base, search, report, timeout_ms)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return report


_EQUATIONS = "() => document.querySelectorAll('div.math').length"
_RENDERED = "() => document.querySelectorAll('div.math mjx-container').length"


def _check_page(context, base, html_root, page_path, report, screenshots, timeout_ms) -> None:
    if not (html_root / page_path).is_file():
        report.add(page_path, "page missing from the built site")
        return
    started = time.perf_counter()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} ({r.failure})"))
    response = page.goto(base + page_path, wait_until="load", timeout=timeout_ms)
    if response is None or response.status != 200:
        report.add(page_path, f"HTTP {response.status if response else 'no response'}")
    count, broken = page.evaluate(_IMAGES)
    for src in broken:
        report.add(page_path, f"image not decoded: {src}")
    equations = page.evaluate(_EQUATIONS)
    if equations:  # MathJax (served from _static) typesets every display equation
        try:
            page.wait_for_function(f"n => ({_RENDERED})() >= n", arg=equations, timeout=timeout_ms)
        except Exception:
            rendered = page.evaluate(_RENDERED)
            report.add(page_path, f"{equations - rendered} of {equations} equations not rendered by MathJax")
    report.equations[page_path] = equations
    figures = page.evaluate(_PLOTLY)
    if figures:
        try:
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('div.plotly-graph-div')).every("
                "d => d.querySelector('svg.main-svg') && d._fullLayout)",
                timeout=timeout_ms,
            )
        except Exception:
            pass
        try:  # the page redraws each figure at its column's width once loaded (core/interactive.FIT): let it settle
            page.wait_for_function(f"() => ({_PLOTLY})().every(f => !f[1] || f[2] <= 1)", timeout=min(timeout_ms, 5000))
        except Exception:
            pass
        for div, drawn, overflow in page.evaluate(_PLOTLY):
            if not drawn:
                report.add(page_path, f"Plotly figure {div} did not render")
            elif overflow > 1:
                report.add(page_path, f"Plotly figure {div} is {overflow:.0f} px wider than its column")
    links = page.evaluate(_LINKS)
    if screenshots is not None:
        shot = screenshots / (page_path.replace("/", "__").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot), full_page=True)
        report.screenshots.append(shot)
    page.close()
    report.seconds[page_path] = round(time.perf_counter() - started, 2)
    for error in errors:
        report.add(page_path, error)
    for raw, absolute, in_scorecard in links:
        _check_link(base, html_root, page_path, raw, absolute, in_scorecard, report)


def _check_link(base, html_root, page_path, raw, absolute, in_scorecard, report) -> None:
    if not absolute.startswith(base) or raw.startswith(("mailto:", "javascript:")):
        return
    target, fragment = urldefrag(absolute)
    relative = unquote(urlparse(target).path)[1:] or "index.html"
    file = html_root / relative
    if file.is_dir():
        file = file / "index.html"
    if not file.is_file():
        report.add(page_path, f"link to a missing file: {raw}")
        return
    fragment = unquote(fragment)
    if not fragment or file.suffix != ".html":
        return
    ids = _ids(file.read_text(errors="replace"))
    if fragment not in ids:
        report.add(page_path, f"link to a missing anchor: {raw}")
    elif in_scorecard and ids[fragment] != "section":
        report.add(page_path, f"scorecard link {raw} lands on a <{ids[fragment]}>, not on a section")


def _check_search(context, base, word, report, timeout_ms) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(base + f"search.html?q={word}", wait_until="load", timeout=timeout_ms)
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results ul.search li').length > 0 || "
            "/did not match|no results/i.test(document.querySelector('#search-results')?.innerText || '')",
            timeout=timeout_ms,
        )
    except Exception:
        pass
    report.search_hits = page.evaluate("() => document.querySelectorAll('#search-results ul.search li').length")
    if report.search_hits == 0:
        report.add("search.html", f"the search finds nothing for {word!r}")
    for error in errors:
        report.add("search.html", error)
    page.close()


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m replicate.core.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("html_root", type=Path)
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args(argv)
    try:
        report = check_site(args.html_root, screenshots=args.screenshots)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(html_mod.unescape(problem), file=sys.stderr)
    for page, seconds in report.seconds.items():
        print(f"{page}: {seconds:.1f} s")
    print(f"{len(report.pages)} pages, {len(report.problems)} problems, search hits: {report.search_hits}")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

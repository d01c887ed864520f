"""The book's own Sphinx extension (``_config.yml``: ``sphinx.extra_extensions``): plotly.js on the pages that have
an interactive figure, and fixes for two console errors the browser test found in Jupyter Book 1.x's HTML.

- plotly.js (``_static/plotly.min.js``, copied from the installed plotly package at stage time; no CDN) is added to
  a page only when the page has a Plotly figure, so the other pages do not load its 4.6 MB.
- sphinx-thebe adds its inline configuration script (``const THEBE_JS_URL = ...``) to the app and to the builder, and
  Sphinx 7 lists it twice (once with filename ``None``, once with ``""``): every page declared the constant twice, a
  script error. Identical scripts are kept once.
- The PyData theme's layout starts a page in the ``localStorage`` colour mode or else in ``{{ default_mode }}``,
  which neither it nor the book theme defines: on a reader's first visit the theme logged "Got invalid theme mode"
  and fell back to ``auto``. It gets ``auto`` directly.
"""

from __future__ import annotations

PLOTLY_JS = "plotly.min.js"
PLOTLY_MARK = "plotly-graph-div"


def _key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (getattr(script, "filename", str(script)) or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))


def fix_page(app, pagename, templatename, context, doctree) -> None:
    if doctree is not None and PLOTLY_MARK in context.get("body", ""):
        app.add_js_file(PLOTLY_JS, priority=200)
    seen, kept = set(), []
    for script in context.get("script_files", []):
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app):
    app.connect("html-page-context", fix_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

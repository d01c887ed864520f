"""A Sphinx extension the book loads (``_config.yml``: ``sphinx.extra_extensions``) for what the browser test found
wrong in Jupyter Book 1.x's HTML.

sphinx-thebe adds its inline configuration script (``const THEBE_JS_URL = ...``) to the app and to the builder, and
Sphinx 7 lists inline scripts once per registration: every page declared the constant twice, a script error in the
console (once registered with filename ``None``, once with ``""``). This keeps the first of identical scripts on
each page.

The PyData theme's layout starts a page in ``localStorage`` mode or else in ``{{ default_mode }}``, which neither it
nor the book theme defines: on a reader's first visit the theme logged "Got invalid theme mode" and fell back to
``auto``. This gives it ``auto`` directly.
"""

from __future__ import annotations


def _key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (getattr(script, "filename", str(script)) or "", tuple(sorted((k, str(v)) for k, v in attributes.items())))


def fix_page(app, pagename, templatename, context, doctree) -> None:
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

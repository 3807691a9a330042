"""The HTML report: one self-contained index.html (inline CSS, JS and SVG; no network, works from file://)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .safety import scrub, write_redacted
from .verdicts import SCORE_RULE, SHORT
from .view import anchor, report_view

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["anchor"] = anchor
    return env


def asset(name: str) -> Markup:
    """A static CSS or JS file, inlined verbatim (it is ours, so it is trusted markup)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"{name} must not contain '</' (it is inlined into a <style> or <script>)")
    return Markup(text)


def render_html(results: dict[str, Any]) -> str:
    view = report_view(scrub(results))
    return (
        environment()
        .get_template("report.html.j2")
        .render(r=view, css=asset("report.css"), js=asset("report.js"), score_rule=SCORE_RULE, short=SHORT)
    )


def write_html(results: dict[str, Any], path: Path) -> None:
    """Render `results` to `path` (normally DIR/index.html)."""
    write_redacted(Path(path), render_html(results), markup=True)

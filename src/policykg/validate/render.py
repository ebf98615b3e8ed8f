"""The validation report in the format asked for: one dispatcher over the text, Turtle, HTML, JSON and Markdown writers."""

from __future__ import annotations

from collections.abc import Callable

from policykg.validate.report import as_run, render_json, render_text, render_turtle
from policykg.validate.report_html import render_html
from policykg.validate.report_markdown import render_markdown
from policykg.validate.shacl import Outcome
from policykg.validate.versions import ValidationRun

FORMATS: tuple[str, ...] = ("text", "turtle", "html", "json", "markdown")


def render(result: Outcome | ValidationRun, fmt: str, title: str = "") -> str:
    """The report in one of FORMATS."""
    renderers: dict[str, Callable[[ValidationRun, str], str]] = {
        "text": render_text, "turtle": render_turtle, "html": render_html, "json": render_json,
        "markdown": render_markdown,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](as_run(result, title), title)

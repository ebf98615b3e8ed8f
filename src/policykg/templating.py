"""HTML from Jinja2 templates (policykg/templates/, package data): the one way this project writes HTML.

The server's Jinja loader also reads this folder (policykg.server.create_app), so a page such as the ontology
documentation is one template for `policykg docs` (standalone, inline style) and the site (its layout).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

#: The layout a template extends when it is rendered outside the server: one self-contained page, inline style.
STANDALONE = "standalone.html"


@cache
def environment() -> Environment:
    """The project's template environment (autoescaped HTML, undefined names are errors)."""
    return Environment(loader=PackageLoader("policykg", "templates"), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context: Any) -> str:
    """Render a template of policykg/templates as a standalone page (layout STANDALONE unless given)."""
    context.setdefault("layout", STANDALONE)
    return environment().get_template(name).render(**context)

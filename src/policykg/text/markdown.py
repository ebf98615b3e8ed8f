"""Markdown as the captures write it: links, and the reading text people see."""

from __future__ import annotations

import re

#: A markdown link `[words](target)`; group 1 is the words. The one link pattern of the project.
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
#: A line that starts with a link: group 1 the words, group 2 the target.
LINK_AT_START = re.compile(r"^\[([^\]]+)\]\(([^)\s]*)\)")


def plain_text(markdown: str) -> str:
    """The text of a markdown fragment with links reduced to their words."""
    return LINK.sub(r"\1", markdown)


def reading_text(markdown: str) -> str:
    """A span of the policy's markdown as reading text: links as their words, table breaks and cells as new lines."""
    return plain_text(markdown).replace("<br>", "\n").replace(" | ", "\n")


def link_targets(text: str) -> list[tuple[int, int]]:
    """The [start, end) of every link's target `(...)` in the text."""
    return [(text.index("](", m.start()) + 1, m.end()) for m in LINK.finditer(text)]

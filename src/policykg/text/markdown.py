"""Markdown as the captures write it: links, and the reading text people see."""

from __future__ import annotations

import re

#: A markdown link `[words](target)`; group 1 is the words, group 2 the target. The one link pattern of the project.
LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
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


#: Query parameters that say only where a link was followed from; they change between captures of one text.
TRACKING_PARAMETERS = frozenset({"helpref", "ref", "refsrc", "fbclid", "_rdr"})
#: A redirect wrapped into a path, as captures write links out of the Help Centre:
#: `https://help.instagram.com/https%3A%2F%2Fl.instagram.com%2F%3Fu=<percent-encoded URL>&e=removed`.
_WRAPPED = re.compile(r"^https?://[^/]+/(?:https?%3A%2F%2F)[^?#]*?(?:%3F|\?)u(?:=|%3D)([^&#]*)", re.IGNORECASE)


def link_target(url: str) -> str:
    """A link target as compared between captures: redirects unwrapped (a `u=`/`url=` parameter holding the real
    address, also when the redirect is itself percent-encoded into a path), parameters that only track where the
    link was followed from dropped, the other parameters sorted, no trailing slash."""
    from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

    url = url.strip()
    for _ in range(3):  # a wrapper inside a wrapper at most twice
        wrapped = _WRAPPED.match(url)
        if wrapped:
            url = unquote(wrapped.group(1))
            continue
        parts = urlsplit(url)
        inner = next((v for k, v in parse_qsl(parts.query) if k in ("u", "url") and v.startswith(("http://", "https://"))),
                     None)
        if inner is None:
            break
        url = inner
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if k.lower() not in TRACKING_PARAMETERS and not k.lower().startswith("utm_"))
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}" + (f"?{urlencode(query, safe='[]/:')}" if query else "") \
        + (f"#{parts.fragment}" if parts.fragment else "")


def with_link_targets(markdown: str) -> str:
    """The markdown with every link's target replaced by its compared form (see link_target)."""
    return LINK.sub(lambda m: f"[{m.group(1)}]({link_target(m.group(2))})", markdown)

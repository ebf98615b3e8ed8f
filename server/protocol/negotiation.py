"""HTTP content negotiation: Accept headers with q-values and wildcards, and the format= override."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policykg.store.formats import Format, by_name, formats_for


class UnknownFormat(ValueError):
    """A format= value names no format this endpoint knows."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match against a concrete media type (-1 for no match)."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; a missing or empty header accepts everything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges: list[MediaRange] = []
    for order, item in enumerate(header.split(",")):
        parts = [part.strip() for part in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        main, _, sub = media.partition("/")
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub or "*", q, order))
    return ranges


def best_media_type(header: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type the client likes best (ties go to the client's order, then ours), or None."""
    ranges = parse_accept(header)
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for rank, offer in enumerate(offers):
        match: MediaRange | None = None
        specificity = -1
        for media_range in ranges:
            level = media_range.matches(offer)
            if level > specificity:
                match, specificity = media_range, level
        if match is None or match.q <= 0:
            continue
        score = (match.q, -match.order, specificity, -rank)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen


def negotiate(header: str | None, kind: str, format_param: str | None = None) -> Format | None:
    """The format of `kind` to answer with: format= wins, else Accept; None when nothing acceptable."""
    if not format_param:
        exact = _EXACT.get((kind, header))
        if exact is not None:  # a header naming one of our types, or none at all: the common case, decided ahead
            return exact
    return _negotiate(header, kind, format_param)


def _negotiate(header: str | None, kind: str, format_param: str | None) -> Format | None:
    if format_param:
        found = by_name(format_param, kind)
        if found is None and by_name(format_param, _other(kind)) is None:
            raise UnknownFormat(f"unknown format={format_param!r}")
        return found
    offers: list[tuple[str, Format]] = []
    for fmt in formats_for(kind):
        offers.append((fmt.media_type, fmt))
    for fmt in formats_for(kind):
        offers.extend((alias, fmt) for alias in fmt.accepted_types)
    chosen = best_media_type(header, [media for media, _ in offers])
    return next((fmt for media, fmt in offers if media == chosen), None)


def _other(kind: str) -> str:
    from policykg.store.formats import GRAPH, RESULTS

    return GRAPH if kind == RESULTS else RESULTS


def _exact_answers() -> dict[tuple[str, str | None], Format]:
    """Accept headers that name a single media type (or are absent), with what full negotiation answers for them.

    A fixed table computed once from our own formats, not a cache of what clients send.
    """
    from policykg.store.formats import GRAPH, RESULTS

    table: dict[tuple[str, str | None], Format] = {}
    for kind in (RESULTS, GRAPH):
        headers: list[str | None] = [None, "", "*/*"]
        for fmt in formats_for(RESULTS) + formats_for(GRAPH):
            headers += [fmt.media_type, *fmt.accepted_types]
        for header in headers:
            found = _negotiate(header, kind, None)
            if found is not None:
                table[(kind, header)] = found
    return table


_EXACT = _exact_answers()


def prefers_html(header: str | None) -> bool:
    """Whether the client is a browser asking for a page: text/html named in its Accept header and liked at least as
    much as any RDF syntax it names (a tool sending */* or an RDF type keeps getting RDF)."""
    from policykg.store.formats import GRAPH

    if not any(r.type == "text" and r.subtype == "html" and r.q > 0 for r in parse_accept(header)):
        return False
    offers = [media for fmt in formats_for(GRAPH) for media in (fmt.media_type, *fmt.accepted_types)]
    return best_media_type(header, [*offers, "text/html"]) == "text/html"

"""Spans in the curated sources: `[start, end, "head"]`, checked against the policy text they point into."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policykg.errors import SourceError
from policykg.text.capture import PolicyText

HEAD_MAX = 40


@dataclass(frozen=True)
class Span:
    """A character span of the policy text: [start, end) in code points, with the first characters as a check."""

    start: int
    end: int
    head: str
    file: Path
    line: int

    @property
    def slug(self) -> str:
        """The span's IRI path segment."""
        return f"{self.start}-{self.end}"


def parse_span(value: Any, *, file: Path, line: int) -> Span:
    """Turn `[start, end, "head"]` into a Span, or explain what is wrong with it."""
    if not (isinstance(value, (list, tuple)) and len(value) == 3):
        raise SourceError(f"a span must be [start, end, \"head\"], got {value!r}", path=file, line=line)
    start, end, head = value
    if not (isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool)):
        raise SourceError(f"span offsets must be integers, got {start!r}, {end!r}", path=file, line=line)
    if not (0 <= start < end):
        raise SourceError(f"span start must be >= 0 and below its end, got [{start}, {end}]", path=file, line=line)
    if not isinstance(head, str) or not head or len(head) > HEAD_MAX or len(head) > end - start:
        raise SourceError(f"span head must be 1-{HEAD_MAX} characters and fit the span, got {head!r}", path=file, line=line)
    return Span(start, end, head, file, line)


def check_span(span: Span, text: PolicyText) -> None:
    """Fail unless the policy text holds the span's head at its start offset."""
    if span.end > len(text.text):
        raise SourceError(
            f"span [{span.start}, {span.end}] ends beyond the policy text ({len(text.text)} characters)",
            path=span.file, line=span.line,
        )
    found = text.text[span.start:span.start + len(span.head)]
    if found != span.head:
        raise SourceError(
            f"span [{span.start}, {span.end}] does not match the text: expected {span.head!r} at {span.start}, found {found!r}",
            path=span.file, line=span.line,
        )

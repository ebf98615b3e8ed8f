"""Lines of a captured text and the pieces cut from them: exact [start, end) offsets into the raw text.

Every offset is a Unicode code-point offset into the raw text, end exclusive. Lines are recognised on a
normalised copy of the same length (non-breaking spaces, curly quotes and case folded away), so spans found
there point into the raw text unchanged; CRLF line endings are read as line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import SourceError
from policykg.text.markdown import LINK, link_targets

SECTION_HEADING = "legal basis information"
#: Words that make a short line a basis heading, and the basis key they name (checked in this order).
BASIS_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("legitimate interest", "legitimate-interests"),
    ("vital interest", "vital-interests"),
    ("public interest", "public-interest"),
    ("legal obligation", "legal-obligation"),
    ("contract", "contract"),
    ("consent", "consent"),
)
HEADING_MAX = 100
#: Where a row title without ':' or a line break ends inside its first sentence: before an example or a
#: subordinate clause (the curated convention, checked on all 39 rows of the June 2025 text).
CLAUSE_OPENERS = (" (such as", " (for example", " which ", " when ", " that you provide")
WHY_LINE = "why and how we process your information"
INTERESTS_LINE = "legitimate interests relied on"
CATEGORIES_LINE = "information categories we use"

FOLD = str.maketrans({"\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})
RULE = re.compile(r"^\s*(?:\*\s*){3,}$")
TABLE_SEP = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
CELL_SPLIT = re.compile(r"(?<!\\)\|")
BULLET = re.compile(r"^\s*[*\-]\s+")
BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
QUESTION_HEADING = re.compile(r"^(how|what|why|where|when|who)\b.{5,140}\?$")




@dataclass(frozen=True)
class Piece:
    """A stretch of the text: [start, end) and the raw characters it covers."""

    start: int
    end: int
    text: str
    line: int

    @property
    def plain(self) -> str:
        """The text with markdown links reduced to their words."""
        return LINK.sub(r"\1", self.text)


@dataclass(frozen=True)
class Line:
    number: int
    start: int
    raw: str
    folded: str

    @property
    def end(self) -> int:
        return self.start + len(self.raw)

    @property
    def key(self) -> str:
        return " ".join(self.folded.split()).rstrip(" :.")


def fold(text: str) -> str:
    """A same-length, case-folded copy for recognition: NBSP as space, curly quotes straight."""
    return text.translate(FOLD).lower()


def basis_key(line: str) -> str | None:
    """The basis a short heading names, or None."""
    folded = " ".join(fold(line).split())
    if not folded or len(folded) > HEADING_MAX or folded.endswith((".", ":", ",", ";")) or "|" in folded:
        return None
    return next((key for word, key in BASIS_KEYWORDS if word in folded), None)


def split_lines(text: str) -> list[Line]:
    """The text's lines with their numbers, offsets and folded copies (CRLF read as a line break)."""
    out, pos = [], 0
    for number, chunk in enumerate(text.splitlines(keepends=True), start=1):
        raw = chunk.rstrip("\r\n")
        out.append(Line(number, pos, raw, fold(raw)))
        pos += len(chunk)
    return out


def text_error(message: str, path: Path | None, line: int | None) -> SourceError:
    """A SourceError naming the policy text (or '<policy text>') and the line."""
    return SourceError(message, path=path or "<policy text>", line=line)


def trimmed(text: str, start: int, end: int, line: int) -> Piece:
    """The piece [start, end) without surrounding whitespace (NBSP included)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Piece(start, end, text[start:end], line)


def _outside_links(text: str) -> list[bool]:
    """For each character: True unless it lies inside a markdown link's target `(...)`."""
    mask = [True] * len(text)
    for start, end in link_targets(text):
        for i in range(start, end):
            mask[i] = False
    return mask


def title_end(text: str) -> int:
    """Where a row's own title ends in its first cell (or first paragraph of its 'why and how' text)."""
    mask = _outside_links(text)
    folded = fold(text)
    stops = [i for i, c in enumerate(text) if mask[i] and c == ":"]
    br = BR.search(text)
    colon_or_break = min([*stops[:1], *([br.start()] if br else [])], default=len(text))
    sentence = next((i for i, c in enumerate(text) if mask[i] and c == "." and (i + 1 == len(text) or text[i + 1] in " <\n")),
                    len(text))
    if colon_or_break <= sentence:
        return colon_or_break
    cuts = [folded.find(opener, 0, sentence) for opener in CLAUSE_OPENERS]
    return min([c for c in cuts if c > 0], default=sentence)



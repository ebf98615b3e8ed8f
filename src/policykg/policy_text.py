"""Read the legal-basis section of a captured policy text (tables or headed blocks) into rows with exact spans.

Every offset is a Unicode code-point offset into the raw text, end exclusive. Lines are recognised on a
normalised copy of the same length (non-breaking spaces, curly quotes and case folded away), so spans found
there point into the raw text unchanged; CRLF line endings are read as line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .errors import SourceError

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

_FOLD = str.maketrans({"\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})
_RULE = re.compile(r"^\s*(?:\*\s*){3,}$")
_TABLE_SEP = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BULLET = re.compile(r"^\s*[*\-]\s+")
_LINK_LINE = re.compile(r"^\[([^\]]+)\]\(([^)\s]*)\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_EFFECTIVE = re.compile(r"\beffective\s+(?:from\s+)?([a-z]+\s+\d{1,2},\s*\d{4}|\d{1,2}\s+[a-z]+\s+\d{4})", re.IGNORECASE)
_QUESTION_HEADING = re.compile(r"^(how|what|why|where|when|who)\b.{5,140}\?$")


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
        return _LINK.sub(r"\1", self.text)


@dataclass(frozen=True)
class Item:
    """One listed line of the information column: a bullet under a category, or a bare category link."""

    piece: Piece
    category: Piece
    bare: bool


@dataclass(frozen=True)
class Row:
    """One row (tables) or block (headed blocks) of the legal-basis section."""

    basis: Piece
    audiences: tuple[Piece, ...]
    heading: Piece | None
    row: Piece
    title: Piece
    why: Piece
    interests: tuple[Piece, ...]
    items: tuple[Item, ...]
    notes: tuple[Piece, ...]

    @property
    def audience(self) -> Piece | None:
        """The innermost audience heading the row stands under, if any."""
        return self.audiences[-1] if self.audiences else None

    @property
    def basis_key(self) -> str:
        """The basis the heading names ('consent', 'contract', …)."""
        return basis_key(self.basis.text) or "unknown"


@dataclass(frozen=True)
class ParsedPolicy:
    """The legal-basis section of a policy text, with its layout and the effective-date line."""

    path: Path | None
    text: str
    layout: str
    section: Piece
    bases: tuple[Piece, ...]
    rows: tuple[Row, ...]
    effective: Piece | None
    effective_date: date | None


@dataclass(frozen=True)
class _Line:
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
    return text.translate(_FOLD).lower()


def basis_key(line: str) -> str | None:
    """The basis a short heading names, or None."""
    folded = " ".join(fold(line).split())
    if not folded or len(folded) > HEADING_MAX or folded.endswith((".", ":", ",", ";")) or "|" in folded:
        return None
    return next((key for word, key in BASIS_KEYWORDS if word in folded), None)


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for number, chunk in enumerate(text.splitlines(keepends=True), start=1):
        raw = chunk.rstrip("\r\n")
        out.append(_Line(number, pos, raw, fold(raw)))
        pos += len(chunk)
    return out


def _error(message: str, path: Path | None, line: int | None) -> SourceError:
    return SourceError(message, path=path or "<policy text>", line=line)


def _trimmed(text: str, start: int, end: int, line: int) -> Piece:
    """The piece [start, end) without surrounding whitespace (NBSP included)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Piece(start, end, text[start:end], line)


def _outside_links(text: str) -> list[bool]:
    """For each character: True unless it lies inside a markdown link's target `(...)`."""
    mask = [True] * len(text)
    for m in _LINK.finditer(text):
        target_start = text.index("](", m.start()) + 1
        for i in range(target_start, m.end()):
            mask[i] = False
    return mask


def title_end(text: str) -> int:
    """Where a row's own title ends in its first cell (or first paragraph of its 'why and how' text)."""
    mask = _outside_links(text)
    folded = fold(text)
    stops = [i for i, c in enumerate(text) if mask[i] and c == ":"]
    br = _BR.search(text)
    colon_or_break = min([*stops[:1], *([br.start()] if br else [])], default=len(text))
    sentence = next((i for i, c in enumerate(text) if mask[i] and c == "." and (i + 1 == len(text) or text[i + 1] in " <\n")),
                    len(text))
    if colon_or_break <= sentence:
        return colon_or_break
    cuts = [folded.find(opener, 0, sentence) for opener in CLAUSE_OPENERS]
    return min([c for c in cuts if c > 0], default=sentence)


def read_raw(path: Path) -> str:
    """A text file's characters exactly as stored (UTF-8; CRLF kept, so offsets match the file)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def read_policy(text: str, path: Path | None = None) -> ParsedPolicy:
    """Find and read the legal-basis section of a policy text in either layout."""
    lines = _lines(text)
    start = next((i for i, ln in enumerate(lines) if ln.key == SECTION_HEADING), None)
    if start is None:
        raise _error(f"no '{SECTION_HEADING[0].upper() + SECTION_HEADING[1:]}' line: expected the legal-basis section "
                     f"to start with it (read {len(lines)} lines)", path, len(lines) or None)
    end = _section_end(lines, start)
    section_lines = lines[start + 1:end]
    head = lines[start]
    section = Piece(head.start, lines[end - 1].end, text[head.start:lines[end - 1].end], head.number)
    effective, effective_date = _effective(lines[:start], text)
    if any(ln.folded.lstrip().startswith("|") for ln in section_lines):
        layout, (bases, rows) = "tables", _read_tables(section_lines, text, path)
    elif any(ln.key.startswith(WHY_LINE) for ln in section_lines):
        layout, (bases, rows) = "blocks", _read_blocks(section_lines, text, path)
    else:
        raise _error("the legal-basis section has neither tables nor 'Why and how we process your information:' "
                     "blocks: expected one of the two layouts", path, head.number)
    if not rows:
        raise _error("the legal-basis section has no rows: expected tables or blocks after the basis headings",
                     path, head.number)
    return ParsedPolicy(path, text, layout, section, tuple(bases), tuple(rows), effective, effective_date)


def _section_end(lines: list[_Line], start: int) -> int:
    """The index after the section's last line: the next markdown or question heading, or the end."""
    for i in range(start + 1, len(lines)):
        key = lines[i].key
        if lines[i].folded.startswith("#") or (_QUESTION_HEADING.match(lines[i].folded.strip()) and "|" not in key):
            end = i
            break
    else:
        end = len(lines)
    while end > start + 1 and not lines[end - 1].raw.strip():
        end -= 1
    return end


def _effective(lines: list[_Line], text: str) -> tuple[Piece | None, date | None]:
    for ln in lines:
        if ln.key.startswith("we're updating") or ln.key.startswith("we are updating"):
            continue
        m = _EFFECTIVE.search(ln.folded)
        if m and m.start() < 20:
            start, end = ln.start + m.start(), ln.start + m.end()
            when = " ".join(m.group(1).replace(",", ", ").split())
            for fmt in ("%B %d, %Y", "%d %B %Y"):
                try:
                    return Piece(start, end, text[start:end], ln.number), datetime.strptime(when, fmt).date()
                except ValueError:
                    continue
    return None, None


# --- tables ---------------------------------------------------------------------------------------------------

def _cells(line: _Line, text: str) -> list[Piece]:
    """The cells of a table row line, each trimmed, as pieces of the text."""
    body = line.raw
    left = body.index("|")
    right = body.rstrip().rindex("|")
    if right <= left:
        return []
    bounds = [left] + [m.start() for m in _CELL_SPLIT.finditer(body, left + 1, right)] + [right]
    return [_trimmed(text, line.start + a + 1, line.start + b, line.number) for a, b in zip(bounds, bounds[1:], strict=False)]


def _read_tables(lines: list[_Line], text: str, path: Path | None) -> tuple[list[Piece], list[Row]]:
    bases: list[Piece] = []
    rows: list[Row] = []
    roles: list[str] = []
    audiences: list[Piece] = []
    last_was_heading = False
    i = 0
    while i < len(lines):
        ln = lines[i]
        stripped = ln.folded.strip()
        if not stripped.startswith("|"):
            if basis_key(ln.raw):
                bases.append(_trimmed(text, ln.start, ln.end, ln.number))
                audiences, roles = [], []
            i += 1
            continue
        cells = _cells(ln, text)
        if i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1].folded.strip()):
            roles = _column_roles(cells, ln, path)
            if not bases:
                raise _error("a table before any basis heading: expected a heading such as 'Consent' above it",
                             path, ln.number)
            audiences, last_was_heading = [], False
            i += 2
            continue
        if not roles:
            raise _error("a table row without a header row: expected '| Why and how we process your information | …' "
                         "and a '| --- |' line above it", path, ln.number)
        if len(cells) != len(roles):
            raise _error(f"a table row with {len(cells)} cells: expected {len(roles)} like its header", path, ln.number)
        filled = [c for c in cells if c.text.strip("\u00a0 ")]
        if len(filled) == 1 and filled[0] is cells[0]:
            audiences = audiences + [cells[0]] if last_was_heading else [cells[0]]
            last_was_heading = True
            i += 1
            continue
        last_was_heading = False
        rows.append(_table_row(cells, roles, bases[-1], tuple(audiences), text, path))
        i += 1
    return bases, rows


def _column_roles(cells: list[Piece], line: _Line, path: Path | None) -> list[str]:
    roles = []
    for cell in cells:
        key = fold(cell.text)
        if key.startswith(WHY_LINE):
            roles.append("why")
        elif key.startswith(INTERESTS_LINE):
            roles.append("interests")
        elif key.startswith(CATEGORIES_LINE):
            roles.append("categories")
        else:
            raise _error(f"unknown table column {cell.text[:40]!r}: expected 'Why and how we process your information', "
                         "'Legitimate interests relied on' or 'Information categories we use'", path, line.number)
    if "why" not in roles or "categories" not in roles:
        raise _error("a table header without 'Why and how' and 'Information categories' columns", path, line.number)
    return roles


def _table_row(cells: list[Piece], roles: list[str], basis: Piece, audiences: tuple[Piece, ...], text: str,
               path: Path | None) -> Row:
    by_role = dict(zip(roles, cells, strict=False))
    why = by_role["why"]
    title = Piece(why.start, why.start + title_end(why.text), text[why.start:why.start + title_end(why.text)], why.line)
    interests = tuple(_unbullet(p, text) for p in _parts(by_role["interests"], text)) if "interests" in by_role else ()
    items, notes = _information(_parts(by_role["categories"], text), text, path)
    row = Piece(cells[0].start, cells[-1].end, text[cells[0].start:cells[-1].end], why.line)
    return Row(basis, audiences, None, row, title, why, interests, tuple(items), tuple(notes))


def _parts(cell: Piece, text: str) -> list[Piece]:
    """A cell split at its line breaks (<br>), each part trimmed; empty parts dropped."""
    out, pos = [], cell.start
    for m in _BR.finditer(cell.text):
        out.append(_trimmed(text, pos, cell.start + m.start(), cell.line))
        pos = cell.start + m.end()
    out.append(_trimmed(text, pos, cell.end, cell.line))
    return [p for p in out if p.text]


def _unbullet(piece: Piece, text: str) -> Piece:
    """The piece without its bullet marker ('* ' or '*   ')."""
    m = _BULLET.match(piece.text)
    if not m or piece.text.startswith("* * *"):
        return piece
    return _trimmed(text, piece.start + m.end(), piece.end, piece.line)


def _information(parts: list[Piece], text: str, path: Path | None) -> tuple[list[Item], list[Piece]]:
    """Items of an information column: bullets under the current category, and category links with no bullets."""
    items: list[Item] = []
    notes: list[Piece] = []
    category: Piece | None = None
    for part in parts:
        if _BULLET.match(part.text):
            if category is None:
                raise _error(f"a listed item before any category: {part.text[:40]!r}", path, part.line)
            items.append(Item(_unbullet(part, text), category, bare=False))
            continue
        link = _LINK_LINE.match(part.text)
        if link:
            category = Piece(part.start, part.start + link.end(), link.group(0), part.line)
            rest = part.text[link.end():].strip()
            items.append(Item(category if rest in ("", ":") else part, category, bare=True))
            continue
        notes.append(part)
    bulleted = {item.category.start for item in items if not item.bare}
    return [item for item in items if not (item.bare and item.category.start in bulleted)], notes


# --- headed blocks --------------------------------------------------------------------------------------------

def _next_content(lines: list[_Line], i: int) -> int:
    j = i + 1
    while j < len(lines) and not lines[j].raw.strip():
        j += 1
    return j


def _why_after_heading(lines: list[_Line], i: int) -> int | None:
    """If line i is a block heading, the index of its 'Why and how' line; else None.

    A block heading is a short line followed by '* * *' and then the 'Why and how' line, perhaps after a part
    of audience lines closed by another '* * *'.
    """
    ln = lines[i]
    if not ln.raw.strip() or _RULE.match(ln.folded) or len(ln.key) > HEADING_MAX or _BULLET.match(ln.raw):
        return None
    if ln.key.startswith((WHY_LINE, INTERESTS_LINE, CATEGORIES_LINE)):
        return None
    j = _next_content(lines, i)
    if j >= len(lines) or not _RULE.match(lines[j].folded):
        return None
    k = _next_content(lines, j)
    if k < len(lines) and lines[k].key.startswith(WHY_LINE):
        return k
    while k < len(lines) and not _RULE.match(lines[k].folded):
        if lines[k].key.startswith((WHY_LINE, INTERESTS_LINE, CATEGORIES_LINE)) or _is_basis_line(lines[k]):
            return None
        k += 1
    k = _next_content(lines, k)
    return k if k < len(lines) and lines[k].key.startswith(WHY_LINE) else None


def _is_basis_line(line: _Line) -> bool:
    return bool(line.raw.strip()) and not _RULE.match(line.folded) and basis_key(line.raw) is not None


def _read_blocks(lines: list[_Line], text: str, path: Path | None) -> tuple[list[Piece], list[Row]]:
    bases: list[Piece] = []
    starts: list[tuple[int, Piece]] = []
    in_categories = False
    i = 0
    while i < len(lines):
        why = _why_after_heading(lines, i)
        if why is not None:
            if not bases:
                raise _error("a block before any basis heading: expected a heading such as 'Consent' above it",
                             path, lines[i].number)
            starts.append((i, bases[-1]))
            in_categories, i = False, why + 1
            continue
        if _is_basis_line(lines[i]):
            bases.append(_trimmed(text, lines[i].start, lines[i].end, lines[i].number))
            starts.append((i, bases[-1]))  # closes the block before it
            in_categories = False
        elif lines[i].key.startswith(CATEGORIES_LINE):
            in_categories = True
        elif in_categories and _RULE.match(lines[i].folded):
            heading = next(ln for ln in reversed(lines[:i]) if ln.raw.strip())
            raise _error(f"block {heading.raw.strip()[:40]!r} has no 'Why and how we process your information:' part "
                         "(expected a heading, '* * *', perhaps audience lines and '* * *', then that line)",
                         path, heading.number)
        i += 1
    rows: list[Row] = []
    for n, (i, basis) in enumerate(starts):
        if lines[i].number == basis.line:
            continue
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        rows.append(_block(lines[i:stop], basis, text, path))
    return bases, rows


def _block(lines: list[_Line], basis: Piece, text: str, path: Path | None) -> Row:
    heading = _trimmed(text, lines[0].start, lines[0].end, lines[0].number)
    parts: list[list[_Line]] = [[]]
    for ln in lines[1:]:
        if _RULE.match(ln.folded):
            parts.append([])
        elif ln.raw.strip():
            parts[-1].append(ln)
    parts = [p for p in parts if p]
    why_index = next((k for k, p in enumerate(parts) if p[0].key.startswith(WHY_LINE)), None)
    if why_index is None:
        raise _error(f"block {heading.text[:40]!r} has no 'Why and how we process your information:' part "
                     "(expected it after the heading and '* * *')", path, heading.line)
    audiences = tuple(_trimmed(text, ln.start, ln.end, ln.number) for p in parts[:why_index] for ln in p)
    why_lines = parts[why_index][1:]
    if not why_lines:
        raise _error(f"block {heading.text[:40]!r}: 'Why and how we process your information:' is empty",
                     path, parts[why_index][0].number)
    why = _trimmed(text, why_lines[0].start, why_lines[-1].end, why_lines[0].number)
    interests: tuple[Piece, ...] = ()
    items: list[Item] = []
    notes: list[Piece] = []
    seen_categories = False
    for part in parts[why_index + 1:]:
        key = part[0].key
        body = [_trimmed(text, ln.start, ln.end, ln.number) for ln in part[1:]]
        if key.startswith(INTERESTS_LINE):
            interests = tuple(_unbullet(p, text) for p in body)
        elif key.startswith(CATEGORIES_LINE):
            found, extra = _information(body, text, path)
            items += found
            notes += extra
            seen_categories = True
        else:
            notes += [_trimmed(text, ln.start, ln.end, ln.number) for ln in part]
    if not seen_categories:
        raise _error(f"block {heading.text[:40]!r} has no 'Information categories we use' part", path, heading.line)
    if not items:
        raise _error(f"block {heading.text[:40]!r} lists no information categories", path, heading.line)
    end = max(item.piece.end for item in items)
    row = Piece(heading.start, end, text[heading.start:end], heading.line)
    return Row(basis, audiences, heading, row, heading, why, interests, tuple(items), tuple(notes))

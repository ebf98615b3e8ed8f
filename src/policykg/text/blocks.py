"""The headed-block layout: a short heading, `* * *`, perhaps audience lines, then "Why and how we process your
information:", "Legitimate interests relied on:" and "Information categories we use" parts with bullets; under basis
headings, or (a notice that states no legal bases) with none."""

from __future__ import annotations

from pathlib import Path

from policykg.text.items import information, unbullet
from policykg.text.lines import (
    BULLET,
    CATEGORIES_LINE,
    HEADING_MAX,
    INTERESTS_LINE,
    RULE,
    WHY_LINE,
    Line,
    Piece,
    basis_key,
    text_error,
    trimmed,
)
from policykg.text.rows import Item, Row


def next_content(lines: list[Line], i: int) -> int:
    """The index of the next non-blank line after line i."""
    j = i + 1
    while j < len(lines) and not lines[j].raw.strip():
        j += 1
    return j


def why_after_heading(lines: list[Line], i: int) -> int | None:
    """If line i is a block heading, the index of its 'Why and how' line; else None.

    A block heading is a short line followed by '* * *' and then the 'Why and how' line, perhaps after a part
    of audience lines closed by another '* * *'.
    """
    ln = lines[i]
    if not ln.raw.strip() or RULE.match(ln.folded) or len(ln.key) > HEADING_MAX or BULLET.match(ln.raw):
        return None
    if ln.key.startswith((WHY_LINE, INTERESTS_LINE, CATEGORIES_LINE)):
        return None
    j = next_content(lines, i)
    if j >= len(lines) or not RULE.match(lines[j].folded):
        return None
    k = next_content(lines, j)
    if k < len(lines) and lines[k].key.startswith(WHY_LINE):
        return k
    while k < len(lines) and not RULE.match(lines[k].folded):
        if lines[k].key.startswith((WHY_LINE, INTERESTS_LINE, CATEGORIES_LINE)) or _is_basis_line(lines[k]):
            return None
        k += 1
    k = next_content(lines, k)
    return k if k < len(lines) and lines[k].key.startswith(WHY_LINE) else None


def _is_basis_line(line: Line) -> bool:
    return bool(line.raw.strip()) and not RULE.match(line.folded) and basis_key(line.raw) is not None


def read_blocks(lines: list[Line], text: str, path: Path | None, *,
                with_bases: bool = True) -> tuple[list[Piece], list[Row]]:
    """The basis headings and rows of a section in the headed-block layout (with_bases=False: a section without
    basis headings, whose blocks state no basis)."""
    bases: list[Piece] = []
    starts: list[tuple[int, Piece | None]] = []
    in_categories = False
    i = 0
    while i < len(lines):
        why = why_after_heading(lines, i)
        if why is not None:
            if with_bases and not bases:
                raise text_error("a block before any basis heading: expected a heading such as 'Consent' above it",
                             path, lines[i].number)
            starts.append((i, bases[-1] if with_bases else None))
            in_categories, i = False, why + 1
            continue
        if with_bases and _is_basis_line(lines[i]):
            bases.append(trimmed(text, lines[i].start, lines[i].end, lines[i].number))
            starts.append((i, bases[-1]))  # closes the block before it
            in_categories = False
        elif lines[i].key.startswith(CATEGORIES_LINE):
            in_categories = True
        elif in_categories and RULE.match(lines[i].folded):
            heading = next(ln for ln in reversed(lines[:i]) if ln.raw.strip())
            raise text_error(f"block {heading.raw.strip()[:40]!r} has no 'Why and how we process your information:' part "
                         "(expected a heading, '* * *', perhaps audience lines and '* * *', then that line)",
                         path, heading.number)
        i += 1
    rows: list[Row] = []
    for n, (i, basis) in enumerate(starts):
        if basis is not None and lines[i].number == basis.line:
            continue
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        rows.append(_block(lines[i:stop], basis, text, path, last=n + 1 == len(starts)))
    return bases, rows


def _unmarked(piece: Piece, text: str) -> Piece:
    """A heading without its markdown marks: '### Title', '**Title**' -> 'Title' (a span of the same text)."""
    start, end = piece.start, piece.end
    while start < end and text[start] == "#":
        start += 1
    for mark in ("**", "__", "*", "_"):
        if text.startswith(mark, start) and text[start + len(mark):end].rstrip().endswith(mark) \
                and end - start > 2 * len(mark):
            start, end = start + len(mark), text.rindex(mark, start, end)
            break
    return trimmed(text, start, end, piece.line) if (start, end) != (piece.start, piece.end) else piece


def _block(lines: list[Line], basis: Piece | None, text: str, path: Path | None, *, last: bool = False) -> Row:
    heading = _unmarked(trimmed(text, lines[0].start, lines[0].end, lines[0].number), text)
    parts: list[list[Line]] = [[]]
    for ln in lines[1:]:
        if RULE.match(ln.folded):
            parts.append([])
        elif ln.raw.strip():
            parts[-1].append(ln)
    parts = [p for p in parts if p]
    why_index = next((k for k, p in enumerate(parts) if p[0].key.startswith(WHY_LINE)), None)
    if why_index is None:
        raise text_error(f"block {heading.text[:40]!r} has no 'Why and how we process your information:' part "
                     "(expected it after the heading and '* * *')", path, heading.line)
    audiences = tuple(trimmed(text, ln.start, ln.end, ln.number) for p in parts[:why_index] for ln in p)
    why_lines = parts[why_index][1:]
    if not why_lines:
        raise text_error(f"block {heading.text[:40]!r}: 'Why and how we process your information:' is empty"
                         + (" (the text ends in this block: a truncated capture)" if last else ""),
                         path, parts[why_index][0].number)
    why = trimmed(text, why_lines[0].start, why_lines[-1].end, why_lines[0].number)
    interests: tuple[Piece, ...] = ()
    items: list[Item] = []
    notes: list[Piece] = []
    seen_categories = False
    for part in parts[why_index + 1:]:
        key = part[0].key
        body = [trimmed(text, ln.start, ln.end, ln.number) for ln in part[1:]]
        if key.startswith(INTERESTS_LINE):
            interests = tuple(unbullet(p, text) for p in body)
        elif key.startswith(CATEGORIES_LINE):
            found, extra = information(body, text, path)
            items += found
            notes += extra
            seen_categories = True
        else:
            notes += [trimmed(text, ln.start, ln.end, ln.number) for ln in part]
    cut = " (the text ends in this block: a truncated capture)" if last else ""
    if not seen_categories:
        raise text_error(f"block {heading.text[:40]!r} has no 'Information categories we use' part{cut}", path,
                         heading.line)
    if not items:
        raise text_error(f"block {heading.text[:40]!r} lists no information categories{cut}", path, heading.line)
    end = max(item.piece.end for item in items)
    row = Piece(heading.start, end, text[heading.start:end], heading.line)
    return Row(basis, audiences, heading, row, heading, why, interests, tuple(items), tuple(notes))

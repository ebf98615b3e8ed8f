"""The table layout: `| Why and how … | Legitimate interests … | Information categories … |` tables under basis
headings, audience groups as one-cell rows, cells broken with `<br>`; or (a notice that states no legal bases) one
`| Why and how … | Information categories … |` table with no basis headings above it."""

from __future__ import annotations

from pathlib import Path

from policykg.text.items import information, unbullet
from policykg.text.lines import (
    BR,
    CATEGORIES_LINE,
    CELL_SPLIT,
    INTERESTS_LINE,
    TABLE_SEP,
    WHY_LINE,
    Line,
    Piece,
    basis_key,
    fold,
    text_error,
    title_end,
    trimmed,
)
from policykg.text.rows import Row


def _cells(line: Line, text: str) -> list[Piece]:
    """The cells of a table row line, each trimmed, as pieces of the text."""
    body = line.raw
    left = body.index("|")
    right = body.rstrip().rindex("|")
    if right <= left:
        return []
    bounds = [left] + [m.start() for m in CELL_SPLIT.finditer(body, left + 1, right)] + [right]
    return [trimmed(text, line.start + a + 1, line.start + b, line.number) for a, b in zip(bounds, bounds[1:], strict=False)]


def read_tables(lines: list[Line], text: str, path: Path | None, *,
                with_bases: bool = True) -> tuple[list[Piece], list[Row]]:
    """The basis headings and rows of a section in the table layout (with_bases=False: a section without basis
    headings, whose rows state no basis)."""
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
            if with_bases and basis_key(ln.raw):
                bases.append(trimmed(text, ln.start, ln.end, ln.number))
                audiences, roles = [], []
            i += 1
            continue
        cells = _cells(ln, text)
        if i + 1 < len(lines) and TABLE_SEP.match(lines[i + 1].folded.strip()):
            roles = _column_roles(cells, ln, path)
            if with_bases and not bases:
                raise text_error("a table before any basis heading: expected a heading such as 'Consent' above it",
                             path, ln.number)
            audiences, last_was_heading = [], False
            i += 2
            continue
        if not roles:
            raise text_error("a table row without a header row: expected '| Why and how we process your information | …' "
                         "and a '| --- |' line above it", path, ln.number)
        if not stripped.rstrip().endswith("|") and not any(later.raw.strip() for later in lines[i + 1:]):
            raise text_error("the text ends inside a table row (its last line has no closing '|'): the capture is "
                             "cut off here (truncated)", path, ln.number)
        if len(cells) != len(roles):
            raise text_error(f"a table row with {len(cells)} cells: expected {len(roles)} like its header", path, ln.number)
        filled = [c for c in cells if c.text.strip("\u00a0 ")]
        if len(filled) == 1 and filled[0] is cells[0]:
            audiences = audiences + [cells[0]] if last_was_heading else [cells[0]]
            last_was_heading = True
            i += 1
            continue
        last_was_heading = False
        rows.append(_table_row(cells, roles, bases[-1] if with_bases else None, tuple(audiences), text, path))
        i += 1
    return bases, rows


def _column_roles(cells: list[Piece], line: Line, path: Path | None) -> list[str]:
    roles = []
    for cell in cells:
        key = fold(cell.text)
        if not key.strip("\u00a0 "):
            raise text_error("a table header with an empty column name: expected 'Why and how we process your "
                             "information' and 'Information categories we use' (a capture that lost the header's "
                             "words)", path, line.number)
        if key.startswith(WHY_LINE):
            roles.append("why")
        elif key.startswith(INTERESTS_LINE):
            roles.append("interests")
        elif key.startswith(CATEGORIES_LINE):
            roles.append("categories")
        else:
            raise text_error(f"unknown table column {cell.text[:40]!r}: expected 'Why and how we process your information', "
                         "'Legitimate interests relied on' or 'Information categories we use'", path, line.number)
    if "why" not in roles or "categories" not in roles:
        raise text_error("a table header without 'Why and how' and 'Information categories' columns", path, line.number)
    return roles


def _table_row(cells: list[Piece], roles: list[str], basis: Piece | None, audiences: tuple[Piece, ...], text: str,
               path: Path | None) -> Row:
    by_role = dict(zip(roles, cells, strict=False))
    why = by_role["why"]
    title = Piece(why.start, why.start + title_end(why.text), text[why.start:why.start + title_end(why.text)], why.line)
    interests = tuple(unbullet(p, text) for p in _parts(by_role["interests"], text)) if "interests" in by_role else ()
    items, notes = information(_parts(by_role["categories"], text), text, path)
    row = Piece(cells[0].start, cells[-1].end, text[cells[0].start:cells[-1].end], why.line)
    return Row(basis, audiences, None, row, title, why, interests, tuple(items), tuple(notes))


def _parts(cell: Piece, text: str) -> list[Piece]:
    """A cell split at its line breaks (<br>), each part trimmed; empty parts dropped."""
    out, pos = [], cell.start
    for m in BR.finditer(cell.text):
        out.append(trimmed(text, pos, cell.start + m.start(), cell.line))
        pos = cell.start + m.end()
    out.append(trimmed(text, pos, cell.end, cell.line))
    return [p for p in out if p.text]

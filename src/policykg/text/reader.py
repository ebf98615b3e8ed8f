"""Read the legal-basis section of a captured policy text (tables or headed blocks) into rows with exact spans."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from policykg.text.blocks import read_blocks
from policykg.text.lines import (
    EFFECTIVE,
    QUESTION_HEADING,
    SECTION_HEADING,
    WHY_LINE,
    Line,
    Piece,
    split_lines,
    text_error,
)
from policykg.text.rows import ParsedPolicy
from policykg.text.tables import read_tables


def read_policy(text: str, path: Path | None = None) -> ParsedPolicy:
    """Find and read the legal-basis section of a policy text in either layout."""
    lines = split_lines(text)
    start = next((i for i, ln in enumerate(lines) if ln.key == SECTION_HEADING), None)
    if start is None:
        raise text_error(f"no '{SECTION_HEADING[0].upper() + SECTION_HEADING[1:]}' line: expected the legal-basis section "
                     f"to start with it (read {len(lines)} lines)", path, len(lines) or None)
    end = _section_end(lines, start)
    section_lines = lines[start + 1:end]
    head = lines[start]
    section = Piece(head.start, lines[end - 1].end, text[head.start:lines[end - 1].end], head.number)
    effective, effective_date = _effective(lines[:start], text)
    if any(ln.folded.lstrip().startswith("|") for ln in section_lines):
        layout, (bases, rows) = "tables", read_tables(section_lines, text, path)
    elif any(ln.key.startswith(WHY_LINE) for ln in section_lines):
        layout, (bases, rows) = "blocks", read_blocks(section_lines, text, path)
    else:
        raise text_error("the legal-basis section has neither tables nor 'Why and how we process your information:' "
                     "blocks: expected one of the two layouts", path, head.number)
    if not rows:
        raise text_error("the legal-basis section has no rows: expected tables or blocks after the basis headings",
                     path, head.number)
    return ParsedPolicy(path, text, layout, section, tuple(bases), tuple(rows), effective, effective_date)


def _section_end(lines: list[Line], start: int) -> int:
    """The index after the section's last line: the next markdown or question heading, or the end."""
    for i in range(start + 1, len(lines)):
        key = lines[i].key
        if lines[i].folded.startswith("#") or (QUESTION_HEADING.match(lines[i].folded.strip()) and "|" not in key):
            end = i
            break
    else:
        end = len(lines)
    while end > start + 1 and not lines[end - 1].raw.strip():
        end -= 1
    return end


def _effective(lines: list[Line], text: str) -> tuple[Piece | None, date | None]:
    for ln in lines:
        if ln.key.startswith("we're updating") or ln.key.startswith("we are updating"):
            continue
        m = EFFECTIVE.search(ln.folded)
        if m and m.start() < 20:
            start, end = ln.start + m.start(), ln.start + m.end()
            when = " ".join(m.group(1).replace(",", ", ").split())
            for fmt in ("%B %d, %Y", "%d %B %Y"):
                try:
                    return Piece(start, end, text[start:end], ln.number), datetime.strptime(when, fmt).date()
                except ValueError:
                    continue
    return None, None

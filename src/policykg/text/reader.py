"""Read the processing section of a captured policy text into rows with exact spans: the legal-basis section (tables
or headed blocks under basis headings) of the UK and EU notices, or the "Why and how we process your information"
section (one table, or headed blocks, with no basis headings) of the notices that state no legal bases."""

from __future__ import annotations

from pathlib import Path

from policykg.text.blocks import read_blocks, why_after_heading
from policykg.text.lines import (
    QUESTION_HEADING,
    SECTION_HEADING,
    WHY_LINE,
    Line,
    Piece,
    split_lines,
    text_error,
)
from policykg.text.rows import ParsedPolicy
from policykg.text.statements import text_statements
from policykg.text.tables import read_tables

#: Fewer non-blank lines than this cannot be a privacy policy (an error page, a cookie wall, a cut-off capture).
SHORT_TEXT = 40


def read_policy(text: str, path: Path | None = None) -> ParsedPolicy:
    """Find and read the processing section of a policy text in any of the four layouts (rows.LAYOUTS)."""
    lines = split_lines(text)
    stated = text_statements(lines, text)
    if stated.section is None:
        raise text_error(_no_section(lines, text), path, len(lines) or None)
    kind, head_piece = stated.section
    start = head_piece.line - 1
    end = _section_end(lines, start)
    section_lines = lines[start + 1:end]
    head = lines[start]
    section = Piece(head.start, lines[end - 1].end, text[head.start:lines[end - 1].end], head.number)
    with_bases = kind == "legal-basis"
    prefix = "" if with_bases else "global-"
    name = "the legal-basis section" if with_bases else "the 'Why and how we process your information' section"
    if any(ln.folded.lstrip().startswith("|") for ln in section_lines):
        layout, (bases, rows) = f"{prefix}tables", read_tables(section_lines, text, path, with_bases=with_bases)
    elif any(ln.key.startswith(WHY_LINE) for ln in section_lines):
        layout, (bases, rows) = f"{prefix}blocks", read_blocks(section_lines, text, path, with_bases=with_bases)
    else:
        raise text_error(f"{name} has neither tables nor 'Why and how we process your information:' blocks: expected "
                         "one of the two layouts" + _cut_short(lines, end), path, head.number)
    if not rows:
        raise text_error(f"{name} has no rows: expected tables or blocks" + (" after the basis headings" if with_bases
                         else "") + _cut_short(lines, end), path, head.number)
    return ParsedPolicy(path, text, layout, section, tuple(bases), tuple(rows), stated.effective, stated.effective_date,
                        stated.regime)


def _no_section(lines: list[Line], text: str) -> str:
    """Why a text without a processing section cannot be read, in words."""
    heading = SECTION_HEADING[0].upper() + SECTION_HEADING[1:]
    said = (f"no '{heading}' line and no 'Why and how we process your information' heading: expected the section that "
            f"lists the processing (read {len(lines)} lines)")
    filled = sum(1 for ln in lines if ln.raw.strip())
    if filled < SHORT_TEXT:
        return (f"{said}; the text has only {filled} non-blank lines ({len(text)} characters), too few for a privacy "
                "policy: an error page, a cookie wall or a capture cut short")
    return f"{said}; a layout this reader does not know (such as the Data Policy of 2018-2022), or a capture cut short"


def _cut_short(lines: list[Line], end: int) -> str:
    return " (the text ends here: a truncated capture?)" if end >= len(lines) else ""


def _section_end(lines: list[Line], start: int) -> int:
    """The index after the section's last line: the next markdown or question heading, or the end."""
    for i in range(start + 1, len(lines)):
        key = lines[i].key
        if lines[i].folded.startswith("#") and why_after_heading(lines, i) is not None:
            continue  # a block heading written as a markdown heading: still the section
        if lines[i].folded.startswith("#") or (QUESTION_HEADING.match(lines[i].folded.strip()) and "|" not in key):
            end = i
            break
    else:
        end = len(lines)
    while end > start + 1 and not lines[end - 1].raw.strip():
        end -= 1
    return end

"""Listed information: the bullets under each category link of an information column or part."""

from __future__ import annotations

from pathlib import Path

from policykg.text.lines import BULLET, Piece, text_error, trimmed
from policykg.text.markdown import LINK_AT_START
from policykg.text.rows import Item


def unbullet(piece: Piece, text: str) -> Piece:
    """The piece without its bullet marker ('* ' or '*   ')."""
    m = BULLET.match(piece.text)
    if not m or piece.text.startswith("* * *"):
        return piece
    return trimmed(text, piece.start + m.end(), piece.end, piece.line)


def information(parts: list[Piece], text: str, path: Path | None) -> tuple[list[Item], list[Piece]]:
    """Items of an information column: bullets under the current category, and category links with no bullets."""
    items: list[Item] = []
    notes: list[Piece] = []
    category: Piece | None = None
    for part in parts:
        if BULLET.match(part.text):
            if category is None:
                raise text_error(f"a listed item before any category: {part.text[:40]!r}", path, part.line)
            items.append(Item(unbullet(part, text), category, bare=False))
            continue
        link = LINK_AT_START.match(part.text)
        if link:
            category = Piece(part.start, part.start + link.end(), link.group(0), part.line)
            rest = part.text[link.end():].strip()
            items.append(Item(category if rest in ("", ":") else part, category, bare=True))
            continue
        notes.append(part)
    bulleted = {item.category.start for item in items if not item.bare}
    return [item for item in items if not (item.bare and item.category.start in bulleted)], notes

"""What a draft leaves to a person: placeholders, spans as the curated files write them, and the curation list (each
entry with its row, field, reason, and span and line in the new text)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from policykg.text.lines import Piece

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.ingest.phrases import Found

CURATE = "CURATE"
CURATE_TERM = "pko:CURATE"
#: How many characters of the text a span's head repeats.
HEAD = 40


def span_value(text: str, piece: Piece | tuple[int, int]) -> list[Any]:
    """[start, end, head] for a piece of the text."""
    start, end = (piece.start, piece.end) if isinstance(piece, Piece) else piece
    return [start, end, text[start:min(end, start + HEAD)]]


def line_of(text: str, offset: int) -> int:
    """The 1-based line of an offset."""
    return text.count("\n", 0, offset) + 1


class Curation:
    """Collects what a person must check, with span and line in the new text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entries: list[dict[str, Any]] = []

    def add(self, row: str, field_: str, why: str, piece: Piece | None = None, **extra: Any) -> None:
        """List one thing to check: a row (or notice.yaml) and field, why, and where in the text."""
        entry: dict[str, Any] = {"row": row, "field": field_, "why": why}
        if piece is not None:
            entry.update(text=" ".join(piece.plain.split())[:160], span=[piece.start, piece.end],
                         line=line_of(self.text, piece.start))
        entry.update(extra)
        self.entries.append(entry)

    def flag(self, row: str, field_: str, found: Found, piece: Piece, what: str) -> None:
        """List a phrase looked up in the phrase table unless it was found exactly and without alternatives."""
        if found.how == "none":
            self.add(row, field_, f"no known term for this {what}", piece)
        elif found.how == "fuzzy":
            self.add(row, field_, f"close match ({found.score:.2f}) to the known {what} {found.known!r}: reused, review",
                     piece)
        elif found.variants > 1:
            self.add(row, field_, f"this {what} has {found.variants} known alignments: the most fitting was reused, "
                     "review", piece)


def word_changes(old: str, new: str, limit: int = 160) -> str:
    """The words removed and added between two phrases, quoted, as a short line ('removed "…"; added "…"')."""
    a, b = ([w for w in phrase.split() if w not in ("*", "-")] for phrase in (old, new))  # bullets are no words
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            removed.append(" ".join(a[i1:i2]))
        if op in ("insert", "replace"):
            added.append(" ".join(b[j1:j2]))
    parts = [f"{what} " + "; ".join(f'"{w}"' for w in words) for what, words in (("removed", removed), ("added", added))
             if words]
    said = "; ".join(parts) or "only spacing or punctuation"
    return said if len(said) <= limit else said[:limit - 1].rsplit(" ", 1)[0] + " …"

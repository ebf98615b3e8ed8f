"""What the reader gives: the rows of a legal-basis section, each listed information item, and the section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from policykg.text.lines import Piece, basis_key


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

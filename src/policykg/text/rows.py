"""What the reader gives: the rows of a processing section (a legal-basis section, or the "Why and how we process
your information" section of a notice that states no legal bases), each listed information item, the section, and
what the text states of its regime and effective date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from policykg.text.lines import Piece, basis_key
from policykg.text.statements import StatedRegime

#: The basis of a row whose text states none (the notices outside the UK and the EU); also the processes.yaml value.
NOT_STATED = "not-stated"
#: The layouts: a legal-basis section in tables or headed blocks, or the section of a notice without legal bases.
LAYOUTS = ("tables", "blocks", "global-tables", "global-blocks")


@dataclass(frozen=True)
class Item:
    """One listed line of the information column: a bullet under a category, or a bare category link."""

    piece: Piece
    category: Piece
    bare: bool


@dataclass(frozen=True)
class Row:
    """One row (tables) or block (headed blocks) of the section; `basis` is None where the text states none."""

    basis: Piece | None
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
        """The basis the heading names ('consent', 'contract', …), or 'not-stated' when the text states none."""
        if self.basis is None:
            return NOT_STATED
        return basis_key(self.basis.text) or "unknown"


@dataclass(frozen=True)
class ParsedPolicy:
    """The processing section of a policy text, with its layout (one of LAYOUTS), the effective-date line and the
    regime the text states (with the lines that show it)."""

    path: Path | None
    text: str
    layout: str
    section: Piece
    bases: tuple[Piece, ...]
    rows: tuple[Row, ...]
    effective: Piece | None
    effective_date: date | None
    regime: StatedRegime

    @property
    def states_bases(self) -> bool:
        """Whether the text states legal bases (a legal-basis section) or not (the global layouts)."""
        return not self.layout.startswith("global-")

"""What a captured text states about itself, read even when its processing section cannot be: the regime it is
written for (with the controller, authority and section lines that show it) and its effective date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from policykg.text.lines import SECTION_HEADING as LEGAL_BASIS_HEADING
from policykg.text.lines import WHY_LINE as WHY_HEADING
from policykg.text.lines import Line, Piece

#: Names that mark a regime, as (regimes, what the name is, folded phrases); the first regime is the one the name
#: decides. A text written for the EU names an Irish controller or the Irish authority; one for the UK names the UK's
#: authority (its controller is the US company); the others name only the US company.
REGIME_NAMES: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("eu",), "controller", ("meta platforms ireland", "facebook ireland")),
    (("eu",), "authority", ("data protection commission",)),
    (("uk",), "authority", ("information commissioner",)),
    (("global", "uk"), "controller", ("meta platforms, inc.", "facebook, inc.")),
)
#: The section kinds the reader knows, and what each says of the regime: a legal-basis section is written for a
#: GDPR (UK or EU: the names decide which); a "Why and how we process your information" section without one
#: stands where the notices for the rest of the world have no legal bases.
SECTION_REGIMES = {"legal-basis": ("uk", "eu"), "why-and-how": ("global",)}

MONTHS = {name: n for n, names in enumerate((
    ("january", "jan", "janvier"), ("february", "feb", "février", "fevrier"), ("march", "mar", "mars"),
    ("april", "apr", "avril"), ("may", "mai"), ("june", "jun", "juin"), ("july", "jul", "juillet"),
    ("august", "aug", "août", "aout"), ("september", "sep", "sept", "septembre"), ("october", "oct", "octobre"),
    ("november", "nov", "novembre"), ("december", "dec", "décembre", "decembre")), start=1) for name in names}
_MONTH = r"[a-zéû]{3,9}\.?"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}}|\d{{1,2}}(?:er)?\s+{_MONTH},?\s*\d{{4}})"
#: Lines that state an effective date, on the folded line (group "head": the stated words; group 2: the date):
#: "Effective June 16, 2025" (or "Effective date: …", "Last revised on …") near the start of a line (the Privacy
#: Policy), "Date of last revision: 21 August 2020" (the Data Policy), and the French "Date de la dernière
#: révision : 11 janvier 2021".
EFFECTIVE_LINES = (
    re.compile(rf"^.{{0,19}}?\b(?P<head>(?:effective(?:\s+date)?|last\s+(?:revised|modified))[*_]*\s*(?:on\s*)?:?[*_]*\s*"
               rf"(?:from\s+|as\s+of\s+)?({_DATE}))"),
    re.compile(rf"\b(?P<head>date\s+of\s+(?:the\s+)?last\s+revision\s*:?\s*({_DATE}))"),
    re.compile(rf"\b(?P<head>date\s+de\s+la\s+derni[eè]re\s+r[ée]vision\s*:?\s*({_DATE}))"),
)
#: Banner lines that announce another version's date ("We're updating our Privacy Policy … go into effect on …").
ANNOUNCEMENTS = ("we're updating", "we are updating", "we updated", "we've updated", "the policy below goes into effect")


@dataclass(frozen=True)
class Evidence:
    """One line that shows the regime: a controller or authority named, or the section the rows stand in."""

    what: str  # "controller", "authority" or "section"
    regime: tuple[str, ...]  # the regimes it is consistent with
    piece: Piece

    def describe(self) -> str:
        """The evidence in words, with its line."""
        return f"{self.what} {self.piece.text[:60]!r} (line {self.piece.line})"


@dataclass(frozen=True)
class StatedRegime:
    """The regime a text is written for ("uk", "eu", "global", or None when it does not say), and why."""

    regime: str | None
    evidence: tuple[Evidence, ...]

    def evidence_words(self) -> str:
        """The lines that show the regime, in words."""
        return "; ".join(e.describe() for e in self.evidence) or "it names no controller, authority or section we know"

    def describe(self) -> str:
        """The regime and the lines that show it, in words."""
        return f"{self.regime or 'no regime stated'}: {self.evidence_words()}"


def _find(lines: list[Line], text: str, phrase: str) -> Piece | None:
    for ln in lines:
        at = ln.folded.find(phrase)
        if at >= 0:
            start = ln.start + at
            return Piece(start, start + len(phrase), text[start:start + len(phrase)], ln.number)
    return None


def stated_regime(lines: list[Line], text: str, section: tuple[str, Piece] | None = None) -> StatedRegime:
    """The regime the text states: by the section it has (legal bases or not) and the controller and authority it
    names (EU names first, then the UK's authority, then the US company alone)."""
    found: list[Evidence] = []
    for regimes, what, phrases in REGIME_NAMES:
        piece = next((p for p in (_find(lines, text, phrase) for phrase in phrases) if p), None)
        if piece is not None:
            found.append(Evidence(what, regimes, piece))
    named = [e.regime[0] for e in found]
    allowed: tuple[str, ...] = ("eu", "uk", "global")
    if section is not None:
        allowed = SECTION_REGIMES[section[0]]
        found.append(Evidence("section", allowed, section[1]))
    regime: str | None = next((r for r in ("eu", "uk", "global") if r in named and r in allowed), None)
    if regime is None and len(allowed) == 1:
        regime = allowed[0]
    evidence = tuple(e for e in found if regime in e.regime or e.what == "section")
    if regime is not None:  # one controller and one authority: the first that fits
        evidence = tuple(e for k, e in enumerate(evidence) if e.what == "section"
                         or all(o.what != e.what for o in evidence[:k]))
    return StatedRegime(regime, evidence)


def parse_date(words: str) -> date | None:
    """A date written 'June 16, 2025', '16 June 2025', '4 January, 2022' or '11 janvier 2021' (None if not one)."""
    parts = re.sub(r"(?<=\d)(?:st|nd|rd|th|er)\b", "", words.replace(",", " ").replace(".", " ")).split()
    if len(parts) != 3:
        return None
    month_first = not parts[0].isdigit()
    month, day, year = (parts[0], parts[1], parts[2]) if month_first else (parts[1], parts[0], parts[2])
    try:
        return date(int(year), MONTHS[month.lower()], int(day))
    except (KeyError, ValueError):
        return None


def stated_effective(lines: list[Line], text: str) -> tuple[Piece | None, date | None]:
    """The first line that states the text's effective date (announcements of another version's date skipped): the
    words from 'Effective' (or 'Date of last revision') to the date, and the date."""
    for ln in lines:
        if ln.key.lstrip("*_ ").startswith(ANNOUNCEMENTS):
            continue
        for pattern in EFFECTIVE_LINES:
            m = pattern.search(ln.folded)
            if not m:
                continue
            when = parse_date(" ".join(m.group(2).split()))
            if when is not None:
                start, end = ln.start + m.start("head"), ln.start + m.end("head")
                return Piece(start, end, text[start:end], ln.number), when
    return None, None



def heading_words(line: Line) -> str:
    """A line's folded words without markdown heading or emphasis marks ('### **Legal basis information**')."""
    return " ".join(line.folded.strip().lstrip("#").strip().strip("*_").split())


def find_section(lines: list[Line]) -> tuple[str, int] | None:
    """Where the processing section starts: ('legal-basis', i) at a 'Legal basis information' line, else
    ('why-and-how', i) at a bare 'Why and how we process your information' line (no colon: inside a block that line
    ends with one); None when the text has neither."""
    for i, ln in enumerate(lines):
        if heading_words(ln).rstrip(" :.") == LEGAL_BASIS_HEADING:
            return "legal-basis", i
    for i, ln in enumerate(lines):
        if heading_words(ln) == WHY_HEADING:
            return "why-and-how", i
    return None


@dataclass(frozen=True)
class TextStatements:
    """What a text states about itself, whether or not its rows can be read: regime, effective date, section."""

    regime: StatedRegime
    effective: Piece | None
    effective_date: date | None
    section: tuple[str, Piece] | None


def text_statements(lines: list[Line], text: str) -> TextStatements:
    """The regime, the effective date (stated before the processing section) and the section of a text."""
    found = find_section(lines)
    section = None
    if found is not None:
        ln = lines[found[1]]
        section = (found[0], Piece(ln.start, ln.end, ln.raw, ln.number))
    effective, when = stated_effective(lines[:found[1]] if found else lines, text)
    return TextStatements(stated_regime(lines, text, section), effective, when, section)

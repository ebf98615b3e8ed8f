"""When two captures are the same version: what a capture states (regime, effective date) and its rows as compared —
basis, audiences, title, why-and-how text, interests, every listed item with its category, and the link targets
inside the rows — with capture noise (banners, cookie notices, chrome outside the section, spacing, quotes,
redirect-wrapped links, tracking parameters) left out; and how two sets of rows differ, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from policykg.digest import sha256_bytes
from policykg.errors import SourceError
from policykg.text.lines import split_lines
from policykg.text.markdown import LINK, link_target
from policykg.text.reader import read_policy
from policykg.text.rows import Row
from policykg.text.statements import text_statements
from policykg.text.words import normalise

#: How many characters of a capture's end are looked for in a complete text to tell a capture cut short.
TAIL = 160


class RowKey(NamedTuple):
    """A row as two captures of one version must agree on it."""

    basis: str | None
    audiences: tuple[str, ...]
    title: str
    why: str
    interests: tuple[str, ...]
    items: tuple[tuple[str, str], ...]
    links: tuple[str, ...]


def row_key(row: Row) -> RowKey:
    """The row as compared: words normalised (links as their words), link targets normalised."""
    return RowKey(normalise(row.basis.text) if row.basis else None, tuple(normalise(a.text) for a in row.audiences),
                  normalise(row.title.text), normalise(row.why.text), tuple(normalise(p.text) for p in row.interests),
                  tuple((normalise(i.category.text), normalise(i.piece.text)) for i in row.items),
                  tuple(link_target(m.group(2)) for m in LINK.finditer(row.row.text)))


@dataclass(frozen=True)
class Reading:
    """What one capture says: its sha256, regime, effective date, rows (None when unreadable) and, if so, why."""

    sha256: str
    regime: str | None
    effective: date | None
    rows: tuple[RowKey, ...] | None
    why: str
    text: str


def read_capture(data: bytes) -> Reading:
    """Read a capture's bytes: what it states, and its rows unless the reader refuses it (then why, in words)."""
    sha = sha256_bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reading(sha, None, None, None, f"not UTF-8 text (byte {exc.start})", "")
    try:
        parsed = read_policy(text)
    except SourceError as exc:
        stated = text_statements(split_lines(text), text)
        where = f"{exc.path}:{exc.line}: " if exc.line else f"{exc.path}: "
        message = str(exc).removeprefix(where)
        return Reading(sha, stated.regime.regime, stated.effective_date, None,
                       f"line {exc.line}: {message}" if exc.line else message, text)
    return Reading(sha, parsed.regime.regime, parsed.effective_date, tuple(row_key(r) for r in parsed.rows), "", text)


def same_rows(a: Reading, b: Reading) -> bool:
    """Whether two readable captures have the same rows (bases, audiences, titles, texts, items, link targets)."""
    return a.rows is not None and a.rows == b.rows


def cut_short(capture: Reading, whole: Reading) -> bool:
    """Whether a capture is a complete text cut off: its rows are the first rows of `whole` (the last one perhaps
    with fewer items), fewer than all, and its last words stand in `whole` with more text after them."""
    rows, full = capture.rows, whole.rows
    if not rows or not full or len(rows) > len(full) or rows == full:
        return False
    k = len(rows)
    last, same = rows[-1], full[k - 1]
    if rows[:k - 1] != full[:k - 1] or last.title != same.title or last.items != same.items[:len(last.items)]:
        return False
    tail = " ".join(capture.text.split())[-TAIL:]
    flat = " ".join(whole.text.split())
    at = flat.find(tail)
    return at >= 0 and bool(flat[at + len(tail):].strip())


def _short(phrase: str, limit: int = 60) -> str:
    return phrase if len(phrase) <= limit else phrase[:limit].rsplit(" ", 1)[0] + " …"


def differences(old: tuple[RowKey, ...], new: tuple[RowKey, ...], limit: int = 4) -> str:
    """How the rows of two captures differ, in a few words: rows added and removed, and per kept row what changed."""
    said: list[str] = []
    old_titles, new_titles = [r.title for r in old], [r.title for r in new]
    said += [f"row added {_short(t)!r}" for t in new_titles if t not in old_titles]
    said += [f"row removed {_short(t)!r}" for t in old_titles if t not in new_titles]
    by_title = {r.title: r for r in old}
    for row in new:
        before = by_title.get(row.title)
        if before is None or before == row:
            continue
        parts = []
        added = [i[1] for i in row.items if i not in before.items]
        removed = [i[1] for i in before.items if i not in row.items]
        parts += [f"item added {_short(i)!r}" for i in added[:2]] + [f"item removed {_short(i)!r}" for i in removed[:2]]
        parts += [f"{what} changed" for what in ("basis", "audiences", "why", "interests", "links")
                  if getattr(before, what) != getattr(row, what)]
        said.append(f"row {_short(row.title, 40)!r}: " + ", ".join(p.replace("why changed", "why-and-how text changed")
                                                                   for p in parts))
    if not said and old != new:
        said.append("the rows are in another order")
    more = f" … ({len(said) - limit} more)" if len(said) > limit else ""
    return "; ".join(said[:limit]) + more

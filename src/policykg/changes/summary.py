"""What changed between two versions, in a few lines a person reads first: the one summary the change pages, the
Atom feed, `policykg diff`'s text output and its HTML report all print (never written twice).

Lines, most telling first: rows added and removed; information items gained or lost by several processes at once;
legal bases that changed; what one notice does not state where the other does; rows retitled; notice-level fields;
how many other passages of the text changed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from policykg.changes.diff import Diff, FieldChange, ProcessChange, Side

#: How a jurisdiction is named in sentences.
REGIME_NAMES = {"uk": "UK", "eu": "EU", "global": "global"}
#: Field names as people say them.
FIELD_NAMES = {
    "basis": "legal basis", "audience": "audience", "title": "title", "purposes": "purposes",
    "legitimate_interests": "legitimate interests", "recipients": "recipients", "processing": "processing",
    "items": "information items", "qualifiers": "qualifiers", "exclusions": "exclusions",
    "controller": "controller", "controller_address": "controller's address", "controller_contact": "controller's contact",
    "dpo_contact": "DPO contact", "authority": "supervisory authority", "applicable_law": "applicable law",
    "jurisdiction": "jurisdiction", "no_sale_statement": "no-sale statement", "rights": "rights",
    "retention": "retention", "transfers": "transfers", "sections": "sections", "data_provision": "data provision",
    "policy_changes": "policy changes",
}
#: At most this many names in one line, then "and N more".
NAMES = 4


def side_name(side: Side) -> str:
    """'the global notice of 16 December 2025' (or the version's name for a text read on the fly)."""
    regime = REGIME_NAMES.get(side.jurisdiction)
    if not regime or not side.effective:
        return side.version
    day = date.fromisoformat(side.effective)
    return f"the {regime} notice of {day.day} {day:%B} {day.year}"


def field_name(name: str) -> str:
    """A field as people say it."""
    return FIELD_NAMES.get(name, name.replace("_", " "))


def _names(names: list[str]) -> str:
    shown = names[:NAMES]
    more = f" and {len(names) - NAMES} more" if len(names) > NAMES else ""
    return "; ".join(shown) + more


def _processes(n: int) -> str:
    return f"{n} process" if n == 1 else f"{n} processes"


def summary_lines(diff: Diff) -> list[str]:
    """What changed, in a few lines (a single line when nothing did)."""
    if diff.empty:
        return [f"No changes between {side_name(diff.old)} and {side_name(diff.new)}."]
    lines: list[str] = []
    if diff.added:
        lines.append(f"New rows ({len(diff.added)}): {_names([p.title for p in diff.added])}.")
    if diff.removed:
        lines.append(f"Rows removed ({len(diff.removed)}): {_names([p.title for p in diff.removed])}.")
    lines += _items(diff.changed)
    lines += _bases(diff.changed)
    lines += _not_stated(diff)
    retitled = [(c.old.title, c.new.title) for c in diff.changed if c.old.title != c.new.title]
    if retitled:
        old, new = retitled[0]
        lines.append(f"Rows retitled ({len(retitled)}), e.g. \u201c{old}\u201d \u2192 \u201c{new}\u201d.")
    other = [c for c in diff.changed if not _telling(c)]
    if other:
        fields = Counter(f.field for c in other for f in c.changes if not f.not_stated)
        what = ", ".join(field_name(f) for f, _ in fields.most_common(3))
        lines.append(f"Other changes in {_processes(len(other))}" + (f" ({what})." if what else "."))
    stated = [f for f in diff.notice if not f.not_stated]
    if stated:
        lines.append("Notice-level changes: " + ", ".join(field_name(f.field) for f in stated) + ".")
    if diff.text:
        lines.append(f"{len(diff.text)} other passages of the text changed.")
    return lines


def _telling(change: ProcessChange) -> bool:
    """True when the lines above already tell this change (items, a basis, what is not stated, a new title)."""
    return any(f.field in ("items", "basis", "title") or f.not_stated for f in change.changes)


def _items(changed: list[ProcessChange]) -> list[str]:
    """Items gained or lost by several processes at once (or the few items that changed at all)."""
    gained: dict[str, set[str]] = defaultdict(set)
    lost: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for c in changed:
        for f in c.changes:
            if f.field != "items":
                continue
            for v in f.added:
                gained[v.value].add(c.new.iri)
                labels[v.value] = v.label
            for v in f.removed:
                lost[v.value].add(c.old.iri)
                labels[v.value] = v.label
    moves = [(len(ps), labels[item], "added to") for item, ps in gained.items()]
    moves += [(len(ps), labels[item], "removed from") for item, ps in lost.items()]
    moves.sort(key=lambda m: (-m[0], m[1], m[2]))
    shown = [m for m in moves if m[0] > 1][:3] or moves[:2]
    lines = [f"{label}: {how} {_processes(n)}." for n, label, how in shown]
    rest = len(moves) - len(shown)
    if rest > 0:
        lines.append(f"{rest} more information items gained or lost, by fewer processes each.")
    return lines


def _labels(values: tuple) -> str:
    return ", ".join(v.label for v in values) or "none"


def _bases(changed: list[ProcessChange]) -> list[str]:
    """Bases that changed, grouped by the change (old bases -> new bases)."""
    moves: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in changed:
        for f in c.changes:
            if f.field == "basis" and not f.not_stated:
                moves[(_labels(f.removed), _labels(f.added))].append(c.new.title)
    return [f"Legal basis {old} \u2192 {new}: {_names(titles)}." for (old, new), titles in sorted(moves.items())]


def _not_stated(diff: Diff) -> list[str]:
    """What one notice states and the other does not: bases (with how many rows rest on each), audiences,
    interests, and notice-level fields."""
    lines = []
    by_field: dict[tuple[str, str], list[FieldChange]] = defaultdict(list)
    for c in diff.changed:
        for f in c.changes:
            if f.not_stated:
                by_field[(f.field, f.not_stated)].append(f)
    others: dict[str, list[str]] = defaultdict(list)
    for (name, silent), changes in sorted(by_field.items(), key=lambda x: (list(FIELD_NAMES).index(x[0][0]), x[0][1])):
        quiet, speaking = (diff.old, diff.new) if silent == "old" else (diff.new, diff.old)
        if name != "basis":
            others[silent].append(f"no {field_name(name)} for {_processes(len(changes))}")
            continue
        counts = Counter(v.label for f in changes for v in f.stated)
        ranked = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        stated = ", ".join(f"{label} {n}" for label, n in ranked[:NAMES])
        stated += f" and {len(ranked) - NAMES} more" if len(ranked) > NAMES else ""
        lines.append(f"Legal basis: not stated in {side_name(quiet)} for {_processes(len(changes))} that "
                     f"{side_name(speaking)} grounds as follows: {stated}.")
    for silent, parts in others.items():
        quiet, speaking = (diff.old, diff.new) if silent == "old" else (diff.new, diff.old)
        lines.append(f"{side_name(quiet)[0].upper()}{side_name(quiet)[1:]} also states {' and '.join(parts)} "
                     f"where {side_name(speaking)} does.")
    notice = [f for f in diff.notice if f.not_stated]
    for silent in ("old", "new"):
        fields = [field_name(f.field) for f in notice if f.not_stated == silent]
        if fields:
            quiet = diff.old if silent == "old" else diff.new
            lines.append(f"Not stated in {side_name(quiet)}: {', '.join(fields)}.")
    return lines

"""Compare stage: what changed between two versions of the notice, every value quoted with its span.

The comparison works on the checked sources of both versions (what the graph encodes) and on both texts (so that
no changed passage goes unseen). Processes are paired by the pairs data/links.yaml states (an explicit pair always
wins, and one process may have several counterparts), then by id (ids carry over between versions of one
jurisdiction, see lineage.py); everything else is added or removed. A field one side does not state at all (the
global notice states no legal basis, audience or legitimate interest) is reported as not stated on that side, never
as a value removed or added (decision 38).
"""

from __future__ import annotations

from collections.abc import Iterable

from policykg.changes.model import (
    Diff,
    FieldChange,
    Fields,
    Label,
    ProcessChange,
    ProcessRef,
    Side,
    Value,
    expand,
)
from policykg.changes.sides import VersionSide
from policykg.changes.text_diff import TextChange, TextSpan, text_changes
from policykg.sources.load import VersionSources
from policykg.text.capture import PolicyText

__all__ = ["Diff", "FieldChange", "Fields", "Label", "ProcessChange", "ProcessRef", "Side", "TextChange", "TextSpan",
           "Value", "diff_versions", "expand", "text_changes"]


def compare_fields(old: Fields, new: Fields) -> list[FieldChange]:
    """The fields whose values differ, in the old side's field order; a field only one side states is `not_stated`
    on the other (when the stating side has values: stating none on both sides is no change)."""
    changes = []
    for name in old.values.keys() | new.values.keys() | old.not_stated | new.not_stated:
        if name in old.not_stated or name in new.not_stated:
            if name in old.not_stated and name in new.not_stated:
                continue
            silent, speaking = ("old", new) if name in old.not_stated else ("new", old)
            stated = speaking.values.get(name, {})
            if stated:
                changes.append(FieldChange(name, (), (), silent, tuple(stated[k] for k in sorted(stated))))
            continue
        before, after = old.values.get(name, {}), new.values.get(name, {})
        added = tuple(after[k] for k in sorted(after.keys() - before.keys()))
        removed = tuple(before[k] for k in sorted(before.keys() - after.keys()))
        if added or removed:
            changes.append(FieldChange(name, added, removed))
    order = [*old.order, *(k for k in new.order if k not in old.order)]
    return sorted(changes, key=lambda c: order.index(c.field) if c.field in order else len(order))


def pair_processes(old_ids: list[str], new_ids: list[str], pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(old id, new id) pairs: every stated pair whose two processes exist (explicit links win, one process may have
    several counterparts), then same ids that no stated pair mentions on either side."""
    old_set, new_set = set(old_ids), set(new_ids)
    explicit = list(dict.fromkeys((o, n) for o, n in pairs if o in old_set and n in new_set))
    used_old, used_new = {o for o, _ in explicit}, {n for _, n in explicit}
    same = [(i, i) for i in old_ids if i in new_set and i not in used_old and i not in used_new]
    return explicit + same


def diff_versions(old: VersionSources, new: VersionSources, old_text: PolicyText | None, new_text: PolicyText | None,
                  label: Label, pairs: Iterable[tuple[str, str]] = ()) -> Diff:
    """Compare two versions: processes (paired by the given (old id, new id) pairs, then by id), notice and text."""
    a, b = VersionSide(old, old_text, label), VersionSide(new, new_text, label)
    result = Diff(a.side(), b.side())
    old_by_id = {p.id: p for p in old.processes}
    new_by_id = {p.id: p for p in new.processes}
    paired = pair_processes(list(old_by_id), list(new_by_id), pairs)
    paired_old, paired_new = {o for o, _ in paired}, {n for _, n in paired}
    result.removed = [a.ref(p) for p in old.processes if p.id not in paired_old]
    result.added = [b.ref(p) for p in new.processes if p.id not in paired_new]
    for old_id, new_id in paired:
        changes = compare_fields(a.process_fields(old_by_id[old_id]), b.process_fields(new_by_id[new_id]))
        if changes:
            result.changed.append(ProcessChange(a.ref(old_by_id[old_id]), b.ref(new_by_id[new_id]), tuple(changes)))
    result.changed.sort(key=lambda c: (c.new.span.start if c.new.span else 0, c.old.span.start if c.old.span else 0))
    result.notice = compare_fields(a.notice_fields(), b.notice_fields())
    if old_text is not None and new_text is not None:
        result.text = [c for c in text_changes(old_text.text, new_text.text) if not _covered(c, result)]
    return result


def _covered(change: TextChange, diff: Diff) -> bool:
    """True when a text change lies inside a span the diff already reports (an added row, a changed value)."""
    old_spans = [p.span for p in diff.removed] + [v.span for c in diff.changed for f in c.changes for v in f.removed]
    new_spans = [p.span for p in diff.added] + [v.span for c in diff.changed for f in c.changes for v in f.added]
    old_spans += [v.span for f in diff.notice for v in f.removed]
    new_spans += [v.span for f in diff.notice for v in f.added]
    for f in [*(f for c in diff.changed for f in c.changes), *diff.notice]:
        (new_spans if f.not_stated == "old" else old_spans).extend(v.span for v in f.stated)

    def inside(span: TextSpan, spans: list[TextSpan | None]) -> bool:
        return any(s is not None and s.start <= span.start and span.end <= s.end and s.start < s.end for s in spans)

    old_in = change.old.start == change.old.end or inside(change.old, old_spans)
    new_in = change.new.start == change.new.end or inside(change.new, new_spans)
    return old_in and new_in

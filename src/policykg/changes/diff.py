"""Compare stage: what changed between two versions of the notice, every value quoted with its span.

The comparison works on the checked sources of both versions (what the graph encodes) and on both texts (so that
no changed passage goes unseen). Processes are paired by id (ids carry over between versions, see links.py) or by
the pairs data/links.yaml states; everything else is added or removed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from policykg.encode.terms import CURIE_PREFIXES
from policykg.namespaces import version_namespace
from policykg.sources.load import VersionSources
from policykg.sources.schema_notice import NoticeFile
from policykg.sources.schema_types import CURATE_TERM
from policykg.sources.schema_versions import Process
from policykg.text.capture import PolicyText


@dataclass(frozen=True)
class TextSpan:
    """A passage of one text: code-point offsets (end exclusive) and the characters there."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Value:
    """A value of a field: a term IRI (or a literal), its label, and where the text states it."""

    value: str
    label: str
    span: TextSpan | None

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"value": self.value, "label": self.label, "span": self.span.to_json() if self.span else None}


@dataclass(frozen=True)
class FieldChange:
    """What one field gained (spans in the new text) and lost (spans in the old text)."""

    field: str
    added: tuple[Value, ...]
    removed: tuple[Value, ...]

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"field": self.field, "added": [v.to_json() for v in self.added],
                "removed": [v.to_json() for v in self.removed]}


@dataclass(frozen=True)
class ProcessRef:
    """A process as a diff names it."""

    iri: str
    id: str
    title: str
    basis: tuple[str, ...]
    audience: str
    span: TextSpan | None

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"iri": self.iri, "title": self.title, "basis": list(self.basis), "audience": self.audience,
                "span": self.span.to_json() if self.span else None}


@dataclass(frozen=True)
class ProcessChange:
    """The same processing in both versions, and what changed in it."""

    old: ProcessRef
    new: ProcessRef
    changes: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"old": self.old.to_json(), "new": self.new.to_json(), "changes": [c.to_json() for c in self.changes]}


@dataclass(frozen=True)
class TextChange:
    """A passage that differs between the texts; an empty span marks where something was inserted or deleted."""

    old: TextSpan
    new: TextSpan

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"old": self.old.to_json(), "new": self.new.to_json()}


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the version (or file) name and its text's sha256."""

    version: str
    sha256: str
    label: str


@dataclass
class Diff:
    """Everything that changed between two versions."""

    old: Side
    new: Side
    added: list[ProcessRef] = field(default_factory=list)
    removed: list[ProcessRef] = field(default_factory=list)
    changed: list[ProcessChange] = field(default_factory=list)
    notice: list[FieldChange] = field(default_factory=list)
    text: list[TextChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.removed or self.changed or self.notice or self.text)

    def to_json(self) -> dict[str, object]:
        """The JSON format for tools."""
        return {
            "old": {"version": self.old.version, "sha256": self.old.sha256},
            "new": {"version": self.new.version, "sha256": self.new.sha256},
            "processes": {"added": [p.to_json() for p in self.added], "removed": [p.to_json() for p in self.removed],
                          "changed": [c.to_json() for c in self.changed]},
            "notice": {"changed": [c.to_json() for c in self.notice]},
            "text": {"changed": [c.to_json() for c in self.text]},
        }


Label = Callable[[str], str]


def expand(curie: str) -> str:
    """A CURIE of the sources as a full IRI."""
    prefix, _, local = curie.partition(":")
    return CURIE_PREFIXES[prefix] + local if prefix in CURIE_PREFIXES else curie


class _Side:
    """One version's sources and text, with helpers to quote spans."""

    def __init__(self, sources: VersionSources, text: PolicyText | None, label: Label) -> None:
        self.sources, self.text, self.label = sources, text, label
        self.ns = version_namespace(sources.version.name)
        n = sources.notice
        self.basis_spans = {expand(s.basis): s.span for s in n.sections if s.basis}
        self.term_spans = {expand(k): v[0] for k, v in n.term_sources.items() if v}
        self.recipients = {r.id: r for r in n.recipients}

    def quote(self, span: tuple[int, int, str] | tuple[int, ...] | None) -> TextSpan | None:
        """The passage at a span (without the text: offsets only)."""
        if span is None:
            return None
        start, end = span[0], span[1]
        return TextSpan(start, end, self.text.text[start:end] if self.text else "")

    def ref(self, p: Process) -> ProcessRef:
        """How the diff names a process."""
        return ProcessRef(str(self.ns[f"process/{p.id}"]), p.id, p.title, tuple(expand(b) for b in p.bases),
                          expand(p.audience) if p.audience else "", self.quote(p.row_span))

    def values(self, p: Process) -> dict[str, dict[str, Value]]:
        """Every compared field of a process: field -> identity -> value (with its span in this text)."""
        term = self._term_value
        out: dict[str, dict[str, Value]] = {
            "basis": {expand(b): term(b, self.basis_spans.get(expand(b))) for b in p.bases},
            "audience": {expand(p.audience): term(p.audience, p.audience_span or self.term_spans.get(expand(p.audience)))}
            if p.audience else {},
            "title": {p.title: Value(p.title, p.title, self.quote(p.title_span))},
            "purposes": {expand(x): term(x, p.title_span) for x in p.purposes},
            "legitimate_interests": {expand(i.interest): term(i.interest, i.span) for i in p.interests},
            "recipients": {r: self._recipient(r) for r in p.recipients},
            "processing": {expand(x): term(x, p.row_span) for x in p.processing},
            "items": {}, "qualifiers": {}, "exclusions": {},
        }
        for entry in p.data:
            for item in entry.items:
                out["items"].setdefault(expand(item), term(item, entry.span))
                if entry.qualifier:
                    key = f"{expand(item)} | {entry.qualifier}"
                    out["qualifiers"][key] = Value(expand(item), f"{self.label(expand(item))}: {entry.qualifier}",
                                                   self.quote(entry.span))
        for x in p.excludes:
            key = " ".join([expand(x.purpose), *sorted(expand(d) for d in x.data)])
            label = self.label(expand(x.purpose)) + "".join(f" with {self.label(expand(d))}" for d in x.data)
            out["exclusions"][key] = Value(key, f"not {label}", self.quote(x.span))
        return out

    def _term_value(self, curie: str, span: tuple[int, int, str] | tuple[int, ...] | None) -> Value:
        iri = expand(curie)
        quoted = self.quote(span)
        if curie == CURATE_TERM:  # a text read on the fly: a phrase no curated version has a term for
            return Value(iri, f"a phrase with no term yet: «{quoted.text if quoted else ''}»", quoted)
        return Value(iri, self.label(iri), quoted)

    def _recipient(self, rid: str) -> Value:
        r = self.recipients.get(rid)
        return Value(str(self.ns[f"recipient/{rid}"]), r.label if r else rid, self.quote(r.span) if r else None)

    def notice_values(self) -> dict[str, dict[str, Value]]:
        """Every compared notice-level field: field -> identity -> value."""
        n: NoticeFile = self.sources.notice
        q, term = self.quote, self._term_value
        c, d, m = n.controller, n.dpo, n.notice
        out: dict[str, dict[str, Value]] = {
            "controller": {c.name: Value(c.name, c.name, q(c.span))},
            "controller_address": {c.address: Value(c.address, c.address, q(c.address_span))},
            "controller_contact": {c.contact: Value(c.contact, c.contact, q(c.span))},
            "dpo_contact": {d.contact: Value(d.contact, d.label, q(d.span))},
            "authority": {expand(m.authority): term(m.authority, m.span)},
            "applicable_law": {expand(m.applicable_law): term(m.applicable_law, m.span)},
            "jurisdiction": {expand(m.jurisdiction): term(m.jurisdiction, m.span)},
            "no_sale_statement": {"stated": Value("stated", "states it never sells personal data", q(m.no_sale))}
            if m.no_sale else {},
            "rights": {}, "recipients": {}, "retention": {}, "transfers": {}, "sections": {}, "data_provision": {},
            "policy_changes": {},
        }
        for r in n.rights:
            bases = "all bases" if r.applies_to == "all" else ", ".join(self.label(expand(b)) for b in r.applies_to)
            for right in r.rights:
                key = f"{expand(right)} | {bases}"
                out["rights"][key] = Value(expand(right), f"{self.label(expand(right))} ({bases})", q(r.spans[0]))
        for rec in n.recipients:
            out["recipients"][rec.id] = self._recipient(rec.id)
        ret = n.retention
        fixed = "a fixed period" if ret.fixed_period_stated else "no fixed period, criteria only"
        out["retention"][fixed] = Value(fixed, f"retention: {fixed}", q(ret.span))
        for crit in ret.criteria:
            out["retention"][crit.id] = Value(crit.id, f"retention criterion: {crit.label}", q(crit.span))
        tr = n.transfers
        for flag, stated, what in ((tr.destinations_stated, tr.span, "destinations"),
                                   (tr.safeguard.mechanism_stated, tr.safeguard.span, "transfer mechanism")):
            key = f"{what} {'named' if flag else 'not named'}"
            out["transfers"][key] = Value(key, key, q(stated))
        out["transfers"][tr.safeguard.link] = Value(tr.safeguard.link, tr.safeguard.label, q(tr.safeguard.span))
        for s in n.sections:
            out["sections"][s.title] = Value(s.title, s.title, q(s.span))
        for p in n.data_provision:
            key = f"{p.id} | {p.necessity}"
            out["data_provision"][key] = Value(expand(p.necessity), f"{p.label}: {self.label(expand(p.necessity))}",
                                               q(p.span))
        pc = n.policy_changes
        notified = "notifies before material changes" if pc.notifies_before_material_changes else "no prior notice"
        out["policy_changes"][notified] = Value(notified, notified, q(pc.span))
        return out


def _compare(old: dict[str, dict[str, Value]], new: dict[str, dict[str, Value]]) -> list[FieldChange]:
    changes = []
    for name in old.keys() | new.keys():
        before, after = old.get(name, {}), new.get(name, {})
        added = tuple(after[k] for k in sorted(after.keys() - before.keys()))
        removed = tuple(before[k] for k in sorted(before.keys() - after.keys()))
        if added or removed:
            changes.append(FieldChange(name, added, removed))
    order = list(old) + [k for k in new if k not in old]
    return sorted(changes, key=lambda c: order.index(c.field))


def diff_versions(old: VersionSources, new: VersionSources, old_text: PolicyText | None, new_text: PolicyText | None,
                  label: Label, pairs: Iterable[tuple[str, str]] = ()) -> Diff:
    """Compare two versions: processes (paired by id, or by the given (old id, new id) pairs), notice and text."""
    a, b = _Side(old, old_text, label), _Side(new, new_text, label)
    result = Diff(Side(old.version.name, old.version.sha256, old.version.label),
                  Side(new.version.name, new.version.sha256, new.version.label))
    old_by_id = {p.id: p for p in old.processes}
    new_by_id = {p.id: p for p in new.processes}
    paired = dict(pairs)
    matched_new = set(paired.values())
    for pid in old_by_id:
        if pid not in paired and pid in new_by_id and pid not in matched_new:
            paired[pid] = pid
    for p in old.processes:
        if p.id not in paired:
            result.removed.append(a.ref(p))
    for p in new.processes:
        if p.id not in paired.values():
            result.added.append(b.ref(p))
    for old_id, new_id in paired.items():
        if old_id not in old_by_id or new_id not in new_by_id:
            continue
        changes = _compare(a.values(old_by_id[old_id]), b.values(new_by_id[new_id]))
        if changes:
            result.changed.append(ProcessChange(a.ref(old_by_id[old_id]), b.ref(new_by_id[new_id]), tuple(changes)))
    result.changed.sort(key=lambda c: c.new.span.start if c.new.span else 0)
    result.notice = _compare(a.notice_values(), b.notice_values())
    if old_text is not None and new_text is not None:
        result.text = [c for c in text_changes(old_text.text, new_text.text) if not _covered(c, result)]
    return result


# --- the texts ------------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"<br>|\r?\n| \| ")
_WORD = re.compile(r"<br>|(?:(?!<br>)\S)+")


def _segments(text: str) -> list[tuple[int, int]]:
    """The text cut at line breaks, table cell borders and <br>, without blank pieces."""
    out, start = [], 0
    for m in _SEPARATORS.finditer(text):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def text_changes(old: str, new: str) -> list[TextChange]:
    """Every passage that differs between two texts, as word-level spans in both."""
    old_segs, new_segs = _segments(old), _segments(new)
    matcher = difflib.SequenceMatcher(None, [old[s:e] for s, e in old_segs], [new[s:e] for s, e in new_segs],
                                      autojunk=False)
    changes: list[TextChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        o_start = old_segs[i1][0] if i1 < i2 else (old_segs[i1 - 1][1] if i1 else 0)
        o_end = old_segs[i2 - 1][1] if i1 < i2 else o_start
        n_start = new_segs[j1][0] if j1 < j2 else (new_segs[j1 - 1][1] if j1 else 0)
        n_end = new_segs[j2 - 1][1] if j1 < j2 else n_start
        changes += _word_changes(old, new, (o_start, o_end), (n_start, n_end))
    return changes


def _word_changes(old: str, new: str, o: tuple[int, int], n: tuple[int, int]) -> list[TextChange]:
    ow = [(m.start() + o[0], m.end() + o[0]) for m in _WORD.finditer(old[o[0]:o[1]]) if m.group() != "<br>"]
    nw = [(m.start() + n[0], m.end() + n[0]) for m in _WORD.finditer(new[n[0]:n[1]]) if m.group() != "<br>"]
    if not ow or not nw:
        return [TextChange(TextSpan(o[0], o[1], old[o[0]:o[1]]), TextSpan(n[0], n[1], new[n[0]:n[1]]))]
    matcher = difflib.SequenceMatcher(None, [old[s:e] for s, e in ow], [new[s:e] for s, e in nw], autojunk=False)
    spans: list[tuple[int, int, int, int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        os_ = ow[i1][0] if i1 < i2 else (ow[i1 - 1][1] if i1 else o[0])
        oe = ow[i2 - 1][1] if i1 < i2 else os_
        ns = nw[j1][0] if j1 < j2 else (nw[j1 - 1][1] if j1 else n[0])
        ne = nw[j2 - 1][1] if j1 < j2 else ns
        if spans and os_ - spans[-1][1] <= 1 and ns - spans[-1][3] <= 1:
            spans[-1] = (spans[-1][0], oe, spans[-1][2], ne)
        else:
            spans.append((os_, oe, ns, ne))
    return [TextChange(TextSpan(a, b, old[a:b]), TextSpan(c, d, new[c:d])) for a, b, c, d in spans]


def _covered(change: TextChange, diff: Diff) -> bool:
    """True when a text change lies inside a span the diff already reports (an added row, a changed value)."""
    old_spans = [p.span for p in diff.removed] + [v.span for c in diff.changed for f in c.changes for v in f.removed]
    new_spans = [p.span for p in diff.added] + [v.span for c in diff.changed for f in c.changes for v in f.added]
    old_spans += [v.span for f in diff.notice for v in f.removed]
    new_spans += [v.span for f in diff.notice for v in f.added]

    def inside(span: TextSpan, spans: list[TextSpan | None]) -> bool:
        return any(s is not None and s.start <= span.start and span.end <= s.end and s.start < s.end for s in spans)

    old_in = change.old.start == change.old.end or inside(change.old, old_spans)
    new_in = change.new.start == change.new.end or inside(change.new, new_spans)
    return old_in and new_in

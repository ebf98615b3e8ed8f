"""Compare stage, one side of a comparison: a version's checked sources and text, as the fields a diff compares,
every value quoted from that version's text."""

from __future__ import annotations

from policykg.changes.model import Fields, Label, ProcessRef, Side, TextSpan, Value, expand
from policykg.iris import version_base
from policykg.sources.load import VersionSources
from policykg.sources.schema_notice import NoticeFile
from policykg.sources.schema_types import CURATE_TERM, NOT_STATED
from policykg.sources.schema_versions import Process
from policykg.text.capture import PolicyText

PROCESS_FIELDS = ("basis", "audience", "title", "purposes", "legitimate_interests", "recipients", "processing",
                  "items", "qualifiers", "exclusions")
NOTICE_FIELDS = ("controller", "controller_address", "controller_contact", "dpo_contact", "authority",
                 "applicable_law", "jurisdiction", "no_sale_statement", "rights", "recipients", "retention",
                 "transfers", "sections", "data_provision", "policy_changes")


class VersionSide:
    """One version's sources and text, with helpers to quote spans."""

    def __init__(self, sources: VersionSources, text: PolicyText | None, label: Label) -> None:
        self.sources, self.text, self.label = sources, text, label
        self.base = version_base(sources.version.name)
        n = sources.notice
        self.basis_spans = {expand(s.basis): s.span for s in n.sections if s.basis}
        self.term_spans = {expand(k): v[0] for k, v in n.term_sources.items() if v}
        self.recipients = {r.id: r for r in n.recipients}

    def side(self) -> Side:
        """How the diff names this version."""
        v = self.sources.version
        return Side(v.name, v.sha256, v.label, v.jurisdiction, v.effective.isoformat())

    def quote(self, span: tuple[int, int, str] | tuple[int, ...] | None) -> TextSpan | None:
        """The passage at a span (without the text: offsets only)."""
        if span is None:
            return None
        start, end = span[0], span[1]
        return TextSpan(start, end, self.text.text[start:end] if self.text else "")

    def ref(self, p: Process) -> ProcessRef:
        """How the diff names a process."""
        bases = tuple(expand(b) for b in p.bases)
        audience = expand(p.audience) if p.audience else None
        return ProcessRef(f"{self.base}process/{p.id}", p.id, p.title, bases, audience, self.quote(p.row_span),
                          tuple(self.label(b) for b in bases), self.label(audience) if audience else None)

    def process_fields(self, p: Process) -> Fields:
        """Every compared field of a process: field -> identity -> value (with its span in this text)."""
        term = self._term_value
        values: dict[str, dict[str, Value]] = {
            "title": {p.title: Value(p.title, p.title, self.quote(p.title_span))},
            "purposes": {expand(x): term(x, p.title_span) for x in p.purposes},
            "recipients": {r: self._recipient(r) for r in p.recipients},
            "processing": {expand(x): term(x, p.row_span) for x in p.processing},
            "items": {}, "qualifiers": {}, "exclusions": {},
        }
        not_stated: set[str] = set()
        if p.basis_stated:
            values["basis"] = {expand(b): term(b, self.basis_spans.get(expand(b))) for b in p.bases}
            values["legitimate_interests"] = {expand(i.interest): term(i.interest, i.span) for i in p.interests}
        else:
            not_stated |= {"basis", "legitimate_interests"}
        if p.audience:
            values["audience"] = {expand(p.audience): term(p.audience, p.audience_span or self.term_spans.get(expand(p.audience)))}
        else:
            not_stated.add("audience")
        for entry in p.data:
            for item in entry.items:
                values["items"].setdefault(expand(item), term(item, entry.span))
                if entry.qualifier:
                    key = f"{expand(item)} | {entry.qualifier}"
                    values["qualifiers"][key] = Value(expand(item), f"{self.label(expand(item))}: {entry.qualifier}",
                                                      self.quote(entry.span))
        for x in p.excludes:
            key = " ".join([expand(x.purpose), *sorted(expand(d) for d in x.data)])
            label = self.label(expand(x.purpose)) + "".join(f" with {self.label(expand(d))}" for d in x.data)
            values["exclusions"][key] = Value(key, f"not {label}", self.quote(x.span))
        return Fields(values, frozenset(not_stated), PROCESS_FIELDS)

    def _term_value(self, curie: str, span: tuple[int, int, str] | tuple[int, ...] | None) -> Value:
        iri = expand(curie)
        quoted = self.quote(span)
        if curie == CURATE_TERM:  # a text read on the fly: a phrase no curated version has a term for
            return Value(iri, f"a phrase with no term yet: «{quoted.text if quoted else ''}»", quoted)
        return Value(iri, self.label(iri), quoted)

    def _recipient(self, rid: str) -> Value:
        r = self.recipients.get(rid)
        return Value(f"{self.base}recipient/{rid}", r.label if r else rid, self.quote(r.span) if r else None)

    def notice_fields(self) -> Fields:
        """Every compared notice-level field: field -> identity -> value; what the notice does not name is not stated."""
        n: NoticeFile = self.sources.notice
        q, term = self.quote, self._term_value
        c, d, m = n.controller, n.dpo, n.notice
        values: dict[str, dict[str, Value]] = {
            "controller": {c.name: Value(c.name, c.name, q(c.span))},
            "controller_address": {c.address: Value(c.address, c.address, q(c.address_span))},
            "controller_contact": {c.contact: Value(c.contact, c.contact, q(c.span))},
            "no_sale_statement": {"stated": Value("stated", "states it never sells personal data", q(m.no_sale))}
            if m.no_sale else {},
            "rights": {}, "recipients": {}, "retention": {}, "transfers": {}, "sections": {}, "data_provision": {},
            "policy_changes": {},
        }
        not_stated: set[str] = set()
        for name, curie in (("authority", m.authority), ("applicable_law", m.applicable_law),
                            ("jurisdiction", m.jurisdiction)):
            if curie == NOT_STATED:
                not_stated.add(name)
            else:
                values[name] = {expand(curie): term(curie, m.span)}
        if d.contact == NOT_STATED:
            not_stated.add("dpo_contact")
        else:
            values["dpo_contact"] = {d.contact: Value(d.contact, d.label, q(d.span))}
        for r in n.rights:
            if r.applies_to == NOT_STATED:
                bases = "no basis stated"
            elif r.applies_to == "all":
                bases = "all bases"
            else:
                bases = ", ".join(self.label(expand(b)) for b in r.applies_to)
            for right in r.rights:
                key = f"{expand(right)} | {bases}"
                values["rights"][key] = Value(expand(right), f"{self.label(expand(right))} ({bases})", q(r.spans[0]))
        for rec in n.recipients:
            values["recipients"][rec.id] = self._recipient(rec.id)
        ret = n.retention
        fixed = "a fixed period" if ret.fixed_period_stated else "no fixed period, criteria only"
        values["retention"][fixed] = Value(fixed, f"retention: {fixed}", q(ret.span))
        for crit in ret.criteria:
            values["retention"][crit.id] = Value(crit.id, f"retention criterion: {crit.label}", q(crit.span))
        tr = n.transfers
        for flag, stated, what in ((tr.destinations_stated, tr.span, "destinations"),
                                   (tr.safeguard.mechanism_stated, tr.safeguard.span, "transfer mechanism")):
            key = f"{what} {'named' if flag else 'not named'}"
            values["transfers"][key] = Value(key, key, q(stated))
        values["transfers"][tr.safeguard.link] = Value(tr.safeguard.link, tr.safeguard.label, q(tr.safeguard.span))
        for s in n.sections:
            values["sections"][s.title] = Value(s.title, s.title, q(s.span))
        for p in n.data_provision:
            key = f"{p.id} | {p.necessity}"
            values["data_provision"][key] = Value(expand(p.necessity), f"{p.label}: {self.label(expand(p.necessity))}",
                                                  q(p.span))
        pc = n.policy_changes
        notified = "notifies before material changes" if pc.notifies_before_material_changes else "no prior notice"
        values["policy_changes"][notified] = Value(notified, notified, q(pc.span))
        return Fields(values, frozenset(not_stated), NOTICE_FIELDS)

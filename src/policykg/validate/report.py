"""Validation reports for people and programs: plain text, Turtle (the SHACL report), JSON, and what the HTML and
Markdown writers share.

Every format gives, per validated version, the law applied (which, and as in force on which date) or what was not
assessed, the completeness failures, then the findings grouped by verdict and by the provision they apply, each rule
once with the provisions it cites (authority, weight there, dates in force), each finding with the spans of the
text it rests on; and, when several versions of a jurisdiction were validated, the findings that appeared in or
were resolved in each version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import groupby

from rdflib import Graph

from policykg.text.markdown import reading_text
from policykg.validate.library import VERDICTS, Provision
from policykg.validate.shacl import COUNT_KEYS, Finding, Outcome
from policykg.validate.spans import SourceSpan
from policykg.validate.versions import FindingChange, Validated, ValidationRun, identity

QUOTE_LIMIT = 280
#: What each group heading says, completeness failures first, then the verdicts strongest first.
GROUP_TITLES: dict[str, str] = {
    "completeness": "completeness failure: the graph does not say what the text says (an encoding bug)",
    "conflicts-with": "conflicts with: what the notice states is contrary to the law as the cited authority reads it",
    "does-not-state": "does not state: the law asks the notice to say something it does not",
    "check": "check: the notice states facts that engage the law; a person must weigh what it does not say",
}


def as_run(result: Outcome | ValidationRun, title: str = "") -> ValidationRun:
    """A run of one result for an outcome (files validated together); a run as it is."""
    if isinstance(result, ValidationRun):
        return result
    return ValidationRun([Validated("", title, result)])


def summary_line(result: Outcome | ValidationRun) -> str:
    """One line: whether the encoding is complete, and the findings per verdict."""
    counts = result.counts()
    failures = counts["completeness"]
    head = ("encoding complete" if not failures else
            f"encoding INCOMPLETE: {failures} completeness failure{'s' if failures != 1 else ''}")
    findings = ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
    return f"{head}; findings: {findings} (shapes: {', '.join(result.shape_sets)})"


def quote(text: str | None, limit: int = QUOTE_LIMIT) -> str:
    """A passage as reading text on one line, cut at a word boundary (with ' …') when longer than limit."""
    flat = " ".join(reading_text(text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else flat[:limit]).rstrip(" ,;:") + " …"


@dataclass(frozen=True)
class RuleGroup:
    """The findings of one shape or rule under one heading: its label, message when all share one, what it cites."""

    shape: str
    label: str
    concern: str
    provisions: tuple[Provision, ...]
    message: str | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Group:
    """Findings of one verdict (or the completeness failures) under one lead provision, rule by rule."""

    key: str
    title: str
    provision: Provision | None
    rules: tuple[RuleGroup, ...]

    @property
    def count(self) -> int:
        """The number of findings in the group."""
        return sum(len(r.findings) for r in self.rules)


def groups(findings: list[Finding]) -> list[Group]:
    """The findings grouped by verdict (completeness first, then conflicts-with, does-not-state, check), then by the
    first provision they apply, then by rule (findings arrive sorted by kind, verdict, concern and shape)."""
    order = {key: i for i, key in enumerate(COUNT_KEYS)}
    ranked = sorted(findings, key=lambda f: (order[f.count_key], _provision_key(f.lead), f.concern, f.shape, f.focus))
    out = []
    for (key, _lead), items in groupby(ranked, key=lambda f: (f.count_key, _provision_key(f.lead))):
        members = list(items)
        rules = []
        for _shape, same in groupby(members, key=lambda f: f.shape):
            found = tuple(same)
            messages = {f.message for f in found}
            first = found[0]
            rules.append(RuleGroup(first.shape, first.shape_label, first.concern, first.provisions,
                                   messages.pop() if len(messages) == 1 else None, found))
        out.append(Group(key, GROUP_TITLES[key], members[0].lead, tuple(rules)))
    return out


def _provision_key(p: Provision | None) -> str:
    return p.label if p else ""


def span_ref(span: SourceSpan) -> str:
    """'characters start-end'."""
    return f"characters {span.start}-{span.end}"


def provision_facts(p: Provision) -> str:
    """'legislation, binding in uk, in force from 2021-01-01' (or 'from … to …'; 'given on …' for a judgment,
    decision or guidance)."""
    weight = f"{p.weight} in {p.jurisdiction}" if p.weight and p.jurisdiction else (p.weight or "")
    if p.authority in (None, "legislation"):
        when = (f"in force {p.in_force_from.isoformat()} to {p.in_force_to.isoformat()}" if p.in_force_to and p.in_force_from
                else f"in force from {p.in_force_from.isoformat()}" if p.in_force_from else "")
    else:
        when = f"of {p.in_force_from.isoformat()}" if p.in_force_from else ""
    role = "draws on" if p.role == "supports" else ""
    return ", ".join(x for x in (role, p.authority or "", weight, when) if x)


def provision_text(provisions: tuple[Provision, ...]) -> str:
    """'UK GDPR Art. 6(1)(f) <link>; …', or '' when the shape applies no provision."""
    return "; ".join(p.label + (f" <{p.url}>" if p.url else "") for p in provisions)


def heading(result: Validated) -> str:
    """A validated graph's heading: its name and title, and its jurisdiction when known."""
    name = f"{result.name}: {result.title}" if result.name else result.title
    return name + (f" [{result.jurisdiction}]" if result.jurisdiction else "")


def law_line(outcome: Outcome) -> list[str]:
    """What law was applied ('law applied: UK GDPR (…) as in force on …'), and what was not assessed."""
    lines = [f"law applied: {outcome.law}"] if outcome.law else []
    if outcome.law_as_of and not outcome.law and not outcome.not_assessed:
        lines.append(f"law as of {outcome.law_as_of.day.isoformat()}")
    return lines + [f"not assessed: {text}" for text in outcome.not_assessed]


def change_line(finding: Finding, version) -> str:
    """One finding that appeared or was resolved, on a line: verdict (or kind), rule label, focus as matched."""
    _shape, focus = identity(finding, version)
    return f"[{finding.verdict or finding.kind}] {finding.shape_label}: {focus}"


def rests_on(finding: Finding) -> list[tuple[str, SourceSpan]]:
    """The spans a finding rests on, with what each belongs to: its focus's, then its evidence's."""
    found = [(finding.focus_label, s) for s in finding.spans]
    found += [(e.label, s) for e in finding.evidence for s in e.spans]
    return found


# ---- text ----

def render_text(run: ValidationRun, title: str = "") -> str:
    """Plain text per validated graph: the law applied, then findings by verdict, provision and rule, with quotes."""
    lines = [f"policykg validation report{': ' + title if title else ''}", summary_line(run)]
    lines += [f"note: {note}" for note in run.notes]
    for result in run.results:
        if len(run.results) > 1 or result.version is not None:
            lines += ["", f"=== {heading(result)}", summary_line(result.outcome)]
        lines += law_line(result.outcome)
        lines += _outcome_text(result.outcome)
    if run.changes:
        lines += ["", "=== Findings that appeared or were resolved between versions"]
        for change in run.changes:
            lines += _change_text(change, run)
    return "\n".join(lines) + "\n"


def _outcome_text(outcome: Outcome) -> list[str]:
    lines = [f"note: {note}" for note in outcome.notes]
    if not outcome.source_text_checked and any(rests_on(f) for f in outcome.findings):
        lines.append("note: the policy text was not available; source spans are given as offsets only")
    if not outcome.findings:
        lines += ["", "No findings."]
    for group in groups(outcome.findings):
        lead = f" — {group.provision.label}" if group.provision else ""
        lines += ["", f"== {group.title}{lead} ({group.count})"]
        for rule in group.rules:
            lines += [f"-- {rule.label} [{rule.concern}] — {len(rule.findings)} finding{'s' if len(rule.findings) != 1 else ''}",
                      f"   rule <{rule.shape}>"]
            lines += [f"   cites: {p.label} ({provision_facts(p)})" + (f" <{p.url}>" if p.url else "") for p in rule.provisions]
            if rule.message:
                lines.append(f"   {rule.message}")
            for f in rule.findings:
                lines += _finding_text(f, rule.message is None)
    return lines


def _finding_text(f: Finding, with_message: bool) -> list[str]:
    lines = [f"  * {f.focus_label} <{f.focus}>"]
    if with_message:
        lines.append(f"      {f.message}")
    if f.value is not None and not f.evidence:
        lines.append(f"      value: {f.value_label} <{f.value}>" if f.value_label != f.value else f"      value: {f.value}")
    if f.path:
        lines.append(f"      path: {f.path}")
    lines += [f"      about: {e.label} <{e.iri}>" for e in f.evidence if not e.spans]
    for owner, span in rests_on(f):
        where = span_ref(span) + (f", {span.scope}" if span.scope else "")
        text = f": “{quote(span.text)}”" if span.text else ""
        lines.append(f"      rests on {owner} ({where}) <{span.iri}>{text}")
    return lines


def _change_text(change: FindingChange, run: ValidationRun) -> list[str]:
    versions = {r.name: r.version for r in run.results}
    lines = ["", f"{change.jurisdiction}: {change.old} -> {change.new}: {len(change.appeared)} appeared in {change.new}, "
                 f"{len(change.disappeared)} resolved in {change.new}"]
    lines += [f"  + appeared in {change.new}: {change_line(f, versions[change.new])}" for f in change.appeared]
    lines += [f"  - resolved in {change.new}: {change_line(f, versions[change.old])}" for f in change.disappeared]
    return lines


# ---- turtle ----

def render_turtle(run: ValidationRun, title: str = "") -> str:
    """The standard SHACL validation report graph(s), in Turtle; each result names its kind, verdict, law_as_of,
    jurisdiction and provisions, and each report the law applied or what was not assessed."""
    if len(run.results) == 1:
        return run.results[0].outcome.report.serialize(format="turtle")
    merged = Graph()
    for result in run.results:
        merged += result.outcome.report
        for prefix, namespace in result.outcome.report.namespaces():
            merged.bind(prefix, namespace, override=False)
    return merged.serialize(format="turtle")


# ---- json ----

def render_json(run: ValidationRun, title: str = "") -> str:
    """Findings as JSON: completeness, counts, the validated versions with the law applied, one object per finding
    (kind, verdict, law_as_of, provisions with in_force, authority and weight), and the changes between versions."""
    versions = {r.name: r.version for r in run.results}
    document = {
        "title": title,
        "complete": run.complete,
        "counts": run.counts(),
        "shape_sets": list(run.shape_sets),
        "triples": sum(r.outcome.triples for r in run.results),
        "source_text_checked": all(r.outcome.source_text_checked for r in run.results),
        "notes": run.notes + [n for r in run.results for n in r.outcome.notes],
        "not_assessed": run.not_assessed(),
        "versions": [{
            "name": r.name or None, "title": r.title, "jurisdiction": r.jurisdiction,
            "effective": r.version.effective.isoformat() if r.version else None,
            "law_as_of": r.outcome.law_as_of.day.isoformat() if r.outcome.law_as_of else None,
            "law": r.outcome.law, "not_assessed": r.outcome.not_assessed,
            "complete": r.outcome.complete, "counts": r.outcome.counts(), "triples": r.outcome.triples,
            "source_text_checked": r.outcome.source_text_checked, "notes": r.outcome.notes,
        } for r in run.results],
        "findings": [{**f.to_json(), "version": r.name or None} for r in run.results for f in r.outcome.findings],
        "changes": [{
            "jurisdiction": c.jurisdiction, "from": c.old, "to": c.new,
            "appeared": [{**_change_json(f, versions[c.new]), "appeared_in": c.new} for f in c.appeared],
            "resolved": [{**_change_json(f, versions[c.old]), "resolved_in": c.new} for f in c.disappeared],
        } for c in run.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _change_json(finding: Finding, version) -> dict:
    shape, focus = identity(finding, version)
    full = finding.to_json()
    return {"shape": shape, "shape_label": finding.shape_label, "kind": finding.kind, "verdict": finding.verdict,
            "focus": focus, "focus_label": finding.focus_label, "law_as_of": finding.law_as_of,
            "provisions": full["provisions"], "jurisdiction": finding.jurisdiction}

"""Validation reports for people and programs: plain text, Turtle (the SHACL report), HTML, JSON and Markdown.

Every format gives, per validated version, each finding with its provision (label and link) and jurisdiction,
and, when several versions of a jurisdiction were validated, the findings that appeared or disappeared.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from itertools import groupby

from rdflib import Graph

from policykg.text.markdown import reading_text
from policykg.validate.library import Provision
from policykg.validate.shacl import Finding, Outcome
from policykg.validate.spans import SourceSpan
from policykg.validate.versions import FindingChange, Validated, ValidationRun, identity

QUOTE_LIMIT = 280


def as_run(result: Outcome | ValidationRun, title: str = "") -> ValidationRun:
    """A run of one result for an outcome (files validated together); a run as it is."""
    if isinstance(result, ValidationRun):
        return result
    return ValidationRun([Validated("", title, result)])


def summary_line(result: Outcome | ValidationRun) -> str:
    """One line: verdict and counts per severity."""
    counts = result.counts()
    verdict = "conforms" if result.conforms else "does NOT conform"
    parts = [f"{counts['Violation']} violation{'s' if counts['Violation'] != 1 else ''}",
             f"{counts['Warning']} warning{'s' if counts['Warning'] != 1 else ''}",
             f"{counts['Info']} info"]
    return f"{verdict}: {', '.join(parts)} (shapes: {', '.join(result.shape_sets)})"


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A span's text on one line, shortened in the middle when longer than limit."""
    flat = " ".join(reading_text(text).split())
    if len(flat) <= limit:
        return flat
    half = (limit - 3) // 2
    return flat[:half].rstrip() + " … " + flat[-half:].lstrip()


def groups(findings: list[Finding]) -> list[tuple[str, str, list[Finding]]]:
    """(severity, shape, findings) groups, in report order (findings arrive sorted)."""
    return [(sev, shape, list(items)) for (sev, shape), items in groupby(findings, key=lambda f: (f.severity, f.shape))]


def span_ref(span: SourceSpan) -> str:
    """'characters start-end'."""
    return f"characters {span.start}-{span.end}"


def provision_text(provisions: tuple[Provision, ...]) -> str:
    """'UK GDPR Art. 6(1)(f) <link>; …', or '' when the shape applies no provision."""
    return "; ".join(p.label + (f" <{p.url}>" if p.url else "") for p in provisions)


def heading(result: Validated) -> str:
    """A validated graph's heading: its name and title, and its jurisdiction when known."""
    name = f"{result.name}: {result.title}" if result.name else result.title
    return name + (f" [{result.jurisdiction}]" if result.jurisdiction else "")


def change_line(finding: Finding, version) -> str:
    """One appeared or disappeared finding on a line: severity, shape label, focus (and value) as matched."""
    _shape, focus, value = identity(finding, version)
    return f"[{finding.severity}] {finding.shape_label}: {focus}" + (f" ({finding.value_label})" if value else "")


# ---- text ----

def render_text(run: ValidationRun, title: str = "") -> str:
    """Plain text per validated graph, grouped by severity and shape, with provisions and quoted spans."""
    lines = [f"policykg validation report{': ' + title if title else ''}", summary_line(run)]
    lines += [f"note: {note}" for note in run.notes]
    for result in run.results:
        if len(run.results) > 1 or result.version is not None:
            lines += ["", f"=== {heading(result)}", summary_line(result.outcome)]
        lines += _outcome_text(result.outcome)
    if run.changes:
        lines += ["", "=== Findings that appeared or disappeared between versions"]
        for change in run.changes:
            lines += _change_text(change, run)
    return "\n".join(lines) + "\n"


def _outcome_text(outcome: Outcome) -> list[str]:
    lines = [f"note: {note}" for note in outcome.notes]
    if not outcome.source_text_checked and any(f.spans for f in outcome.findings):
        lines.append("note: the policy text was not available; source spans are given as offsets only")
    if not outcome.findings:
        lines += ["", "No findings."]
    for severity, _shape, items in groups(outcome.findings):
        first = items[0]
        lines += ["", f"== {severity}: {first.shape_label} [{first.concern}] — {len(items)} finding"
                      f"{'s' if len(items) != 1 else ''}", f"   shape <{first.shape}>"]
        if first.provisions:
            lines.append(f"   provision: {provision_text(first.provisions)}")
        previous = None
        for f in items:
            repeated, previous = f.focus == previous, f.focus
            lines += [f"  * {f.focus_label} <{f.focus}>", f"      {f.message}"]
            if f.value is not None and f.value != f.focus:
                lines.append(f"      value: {f.value if f.value_label == f.value else f'{f.value_label} <{f.value}>'}")
            if f.path:
                lines.append(f"      path: {f.path}")
            for span in [] if repeated else f.spans:
                where = span_ref(span) + (f", {span.scope}" if span.scope else "")
                lines.append(f"      source ({where})" + (f": “{quote(span.text)}”" if span.text else ""))
    return lines


def _change_text(change: FindingChange, run: ValidationRun) -> list[str]:
    versions = {r.name: r.version for r in run.results}
    lines = ["", f"{change.jurisdiction}: {change.old} -> {change.new}: {len(change.appeared)} appeared, "
                 f"{len(change.disappeared)} disappeared"]
    lines += [f"  + {change_line(f, versions[change.new])}" for f in change.appeared]
    lines += [f"  - {change_line(f, versions[change.old])}" for f in change.disappeared]
    return lines


# ---- turtle ----

def render_turtle(run: ValidationRun, title: str = "") -> str:
    """The standard SHACL validation report graph(s), in Turtle; each result names its provisions and jurisdiction."""
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
    """Findings as JSON: verdict, counts, the validated versions, one object per finding, and the changes."""
    versions = {r.name: r.version for r in run.results}
    document = {
        "title": title,
        "conforms": run.conforms,
        "counts": run.counts(),
        "shape_sets": list(run.shape_sets),
        "triples": sum(r.outcome.triples for r in run.results),
        "source_text_checked": all(r.outcome.source_text_checked for r in run.results),
        "notes": run.notes + [n for r in run.results for n in r.outcome.notes],
        "versions": [{
            "name": r.name or None, "title": r.title, "jurisdiction": r.jurisdiction,
            "effective": r.version.effective.isoformat() if r.version else None,
            "conforms": r.outcome.conforms, "counts": r.outcome.counts(), "triples": r.outcome.triples,
            "source_text_checked": r.outcome.source_text_checked, "notes": r.outcome.notes,
        } for r in run.results],
        "findings": [{**asdict(f), "version": r.name or None} for r in run.results for f in r.outcome.findings],
        "changes": [{
            "jurisdiction": c.jurisdiction, "from": c.old, "to": c.new,
            "appeared": [_change_json(f, versions[c.new]) for f in c.appeared],
            "disappeared": [_change_json(f, versions[c.old]) for f in c.disappeared],
        } for c in run.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _change_json(finding: Finding, version) -> dict:
    shape, focus, value = identity(finding, version)
    return {"shape": shape, "shape_label": finding.shape_label, "severity": finding.severity, "focus": focus,
            "value": value or None, "focus_label": finding.focus_label,
            "provisions": [asdict(p) for p in finding.provisions], "jurisdiction": finding.jurisdiction}

"""The validation report as one self-contained HTML page (inline style, no scripts, images or external assets),
written from the Jinja2 template policykg/templates/validation_report.html (autoescaped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policykg.templating import environment
from policykg.validate.report import (
    change_line,
    groups,
    heading,
    provision_facts,
    quote,
    rests_on,
    span_ref,
    summary_line,
)
from policykg.validate.versions import FindingChange, ValidationRun

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.validate.shacl import Finding, Outcome

TEMPLATE = "validation_report.html"


def render_html(run: ValidationRun, title: str = "") -> str:
    """Per validated version: the law applied, then findings by verdict, provision and rule, with quotes linked to
    their spans; then the findings that appeared or were resolved between versions."""
    several = len(run.results) > 1 or any(r.version is not None for r in run.results)
    versions = {r.name: r.version for r in run.results}
    context = {
        "title": "policykg validation report" + (f": {title}" if title else ""),
        "summary": summary_line(run), "complete": run.complete,
        "counts": list(run.counts().items()), "notes": run.notes, "several": several,
        "results": [{
            "heading": heading(r), "summary": summary_line(r.outcome), "complete": r.outcome.complete,
            "law": r.outcome.law, "not_assessed": r.outcome.not_assessed, "notes": _notes(r.outcome),
            "level": "h3" if several else "h2", "groups": _groups(r.outcome),
        } for r in run.results],
        "changes": [_change(c, versions) for c in run.changes],
    }
    return environment().get_template(TEMPLATE).render(**context)


def _notes(outcome: Outcome) -> list[str]:
    notes = list(outcome.notes)
    if not outcome.source_text_checked and any(rests_on(f) for f in outcome.findings):
        notes.append("the policy text was not available; source spans are given as offsets only")
    return notes


def _groups(outcome: Outcome) -> list[dict]:
    return [{
        "key": g.key, "title": g.title, "count": g.count, "provision": g.provision.label if g.provision else None,
        "rules": [{
            "label": r.label, "concern": r.concern, "shape": r.shape, "message": r.message,
            "provisions": [{"label": p.label, "url": p.url, "facts": provision_facts(p)} for p in r.provisions],
            "findings": [_finding(f) for f in r.findings],
        } for r in g.rules],
    } for g in groups(outcome.findings)]


def _finding(f: Finding) -> dict:
    about = [f"value: {f.value_label}" if f.value_label and f.value_label != f.value else f"value: {f.value}"] \
        if f.value is not None and not f.evidence else []
    about += [f"path: {f.path}"] if f.path else []
    about += [f"about: {e.label}" for e in f.evidence if not e.spans]
    return {
        "focus": f.focus, "focus_label": f.focus_label, "focus_link": f.focus.startswith(("http://", "https://")),
        "message": f.message, "about": about,
        "spans": [{"owner": owner, "iri": s.iri, "ref": span_ref(s), "scope": s.scope,
                   "text": quote(s.text) if s.text else None} for owner, s in rests_on(f)],
    }


def _change(change: FindingChange, versions: dict) -> dict:
    def row(f: Finding, version) -> dict:
        return {"line": change_line(f, version), "provisions": "; ".join(p.label for p in f.provisions) or "—"}

    return {"jurisdiction": change.jurisdiction, "old": change.old, "new": change.new,
            "appeared": [row(f, versions[change.new]) for f in change.appeared],
            "resolved": [row(f, versions[change.old]) for f in change.disappeared]}

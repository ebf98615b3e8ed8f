"""Validation reports for people and programs: plain text, Turtle (the SHACL report), HTML and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from itertools import groupby

from .html_page import e as _e
from .html_page import link as _link
from .html_page import page
from .sources import reading_text
from .validate import SEVERITIES, Finding, Outcome, SourceSpan

FORMATS: tuple[str, ...] = ("text", "turtle", "html", "json")
QUOTE_LIMIT = 280


def render(outcome: Outcome, fmt: str, title: str = "") -> str:
    """The report in one of FORMATS."""
    renderers: dict[str, Callable[[Outcome, str], str]] = {
        "text": render_text, "turtle": render_turtle, "html": render_html, "json": render_json,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](outcome, title)


def summary_line(outcome: Outcome) -> str:
    """One line: verdict and counts per severity."""
    counts = outcome.counts()
    verdict = "conforms" if outcome.conforms else "does NOT conform"
    parts = [f"{counts['Violation']} violation{'s' if counts['Violation'] != 1 else ''}",
             f"{counts['Warning']} warning{'s' if counts['Warning'] != 1 else ''}",
             f"{counts['Info']} info"]
    return f"{verdict}: {', '.join(parts)} (shapes: {', '.join(outcome.shape_sets)})"


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A span's text on one line, shortened in the middle when longer than limit."""
    flat = " ".join(reading_text(text).split())
    if len(flat) <= limit:
        return flat
    half = (limit - 3) // 2
    return flat[:half].rstrip() + " … " + flat[-half:].lstrip()


def _groups(findings: list[Finding]) -> list[tuple[str, str, list[Finding]]]:
    """(severity, shape, findings) groups, in report order (findings arrive sorted)."""
    out = []
    for (severity, shape), items in groupby(findings, key=lambda f: (f.severity, f.shape)):
        out.append((severity, shape, list(items)))
    return out


def _span_ref(span: SourceSpan) -> str:
    return f"characters {span.start}-{span.end}"


# ---- text ----

def render_text(outcome: Outcome, title: str = "") -> str:
    """Plain text grouped by severity and shape; focus nodes by label and IRI; source spans quoted."""
    lines = [f"policykg validation report{': ' + title if title else ''}", summary_line(outcome)]
    lines += [f"note: {note}" for note in outcome.notes]
    if not outcome.source_text_checked and any(f.spans for f in outcome.findings):
        lines.append("note: the policy text was not available; source spans are given as offsets only")
    if not outcome.findings:
        lines.append("")
        lines.append("No findings.")
    for severity, _shape, items in _groups(outcome.findings):
        first = items[0]
        lines.append("")
        lines.append(f"== {severity}: {first.shape_label} [{first.concern}] — {len(items)} finding"
                     f"{'s' if len(items) != 1 else ''}")
        lines.append(f"   shape <{first.shape}>")
        previous = None
        for f in items:
            repeated = f.focus == previous
            previous = f.focus
            lines.append(f"  * {f.focus_label} <{f.focus}>")
            lines.append(f"      {f.message}")
            if f.value is not None and f.value != f.focus:
                shown = f.value if f.value_label == f.value else f"{f.value_label} <{f.value}>"
                lines.append(f"      value: {shown}")
            if f.path:
                lines.append(f"      path: {f.path}")
            for span in [] if repeated else f.spans:
                where = _span_ref(span) + (f", {span.scope}" if span.scope else "")
                lines.append(f"      source ({where})" + (f": “{quote(span.text)}”" if span.text else ""))
    return "\n".join(lines) + "\n"


# ---- turtle ----

def render_turtle(outcome: Outcome, title: str = "") -> str:
    """The standard SHACL validation report graph, in Turtle."""
    return outcome.report.serialize(format="turtle")


# ---- json ----

def render_json(outcome: Outcome, title: str = "") -> str:
    """Findings as JSON: verdict, counts and one object per finding."""
    document = {
        "title": title,
        "conforms": outcome.conforms,
        "counts": outcome.counts(),
        "shape_sets": list(outcome.shape_sets),
        "triples": outcome.triples,
        "source_text_checked": outcome.source_text_checked,
        "notes": outcome.notes,
        "findings": [asdict(f) for f in outcome.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ---- html ----

def render_html(outcome: Outcome, title: str = "") -> str:
    """A single self-contained HTML page (inline style, no scripts, images or external assets)."""
    counts = outcome.counts()
    heading = "policykg validation report" + (f": {title}" if title else "")
    parts = [
        f"<h1>{_e(heading)}</h1>",
        f'<p class="summary{"" if outcome.conforms else " fail"}">{_e(summary_line(outcome))}</p>',
        "<table><tr>" + "".join(f"<th>{_e(s)}</th>" for s in SEVERITIES) + "</tr><tr>"
        + "".join(f"<td>{counts[s]}</td>" for s in SEVERITIES) + "</tr></table>",
    ]
    parts += [f'<p class="note">{_e(note)}</p>' for note in outcome.notes]
    if not outcome.findings:
        parts.append("<p>No findings.</p>")
    for severity, _shape, items in _groups(outcome.findings):
        first = items[0]
        parts.append(f'<h2><span class="sev {_e(severity)}">{_e(severity)}</span> {_e(first.shape_label)} '
                     f'<small>({_e(first.concern)}, {len(items)})</small></h2>')
        parts.append(f'<p class="iri">{_e(first.shape)}</p>')
        parts.append("<table><tr><th>About</th><th>Finding</th><th>Where the policy says it</th></tr>")
        for f in items:
            about = f'{_e(f.focus_label)}<br><span class="iri">{_link(f.focus)}</span>'
            finding = _e(f.message)
            if f.value is not None and f.value != f.focus and f.value_label == f.value:
                finding += f"<br>value: <code>{_e(f.value)}</code>"
            elif f.value is not None and f.value != f.focus:
                finding += f'<br>value: {_e(f.value_label)} <span class="iri">{_link(f.value)}</span>'
            if f.path:
                finding += f"<br>path: <code>{_e(f.path)}</code>"
            sources = []
            for span in f.spans:
                ref = _link(span.scope, _span_ref(span)) if span.scope else _e(_span_ref(span))
                quoted = f"<blockquote>{_e(quote(span.text))}</blockquote>" if span.text else ""
                sources.append(ref + quoted)
            parts.append(f"<tr><td>{about}</td><td>{finding}</td><td>{''.join(sources) or '—'}</td></tr>")
        parts.append("</table>")
    return page(heading, parts)

"""The validation report as one self-contained HTML page (inline style, no scripts, images or external assets)."""

from __future__ import annotations

from policykg.html_page import e, link, page
from policykg.validate.library import Provision
from policykg.validate.report import change_line, groups, heading, quote, span_ref, summary_line
from policykg.validate.shacl import SEVERITIES, Finding, Outcome
from policykg.validate.versions import FindingChange, ValidationRun


def render_html(run: ValidationRun, title: str = "") -> str:
    """Per validated version: counts, then findings grouped by severity and shape, with provisions and quotes."""
    title_text = "policykg validation report" + (f": {title}" if title else "")
    counts = run.counts()
    parts = [
        f"<h1>{e(title_text)}</h1>",
        f'<p class="summary{"" if run.conforms else " fail"}">{e(summary_line(run))}</p>',
        _counts_table(counts),
    ]
    parts += [f'<p class="note">{e(note)}</p>' for note in run.notes]
    several = len(run.results) > 1 or any(r.version is not None for r in run.results)
    for result in run.results:
        if several:
            parts.append(f"<h2>{e(heading(result))}</h2>")
            parts.append(f'<p class="summary{"" if result.outcome.conforms else " fail"}">'
                         f'{e(summary_line(result.outcome))}</p>')
        parts += _outcome_html(result.outcome, "h3" if several else "h2")
    if run.changes:
        parts.append("<h2>Findings that appeared or disappeared between versions</h2>")
        versions = {r.name: r.version for r in run.results}
        for change in run.changes:
            parts += _change_html(change, versions)
    return page(title_text, parts)


def _counts_table(counts: dict[str, int]) -> str:
    return ("<table><tr>" + "".join(f"<th>{e(s)}</th>" for s in SEVERITIES) + "</tr><tr>"
            + "".join(f"<td>{counts[s]}</td>" for s in SEVERITIES) + "</tr></table>")


def provisions_html(provisions: tuple[Provision, ...]) -> str:
    """Provision labels, each linked to its text."""
    return "<br>".join(link(p.url, p.label) if p.url else e(p.label) for p in provisions) or "—"


def _outcome_html(outcome: Outcome, level: str) -> list[str]:
    parts = [f'<p class="note">{e(note)}</p>' for note in outcome.notes]
    if not outcome.findings:
        parts.append("<p>No findings.</p>")
    for severity, _shape, items in groups(outcome.findings):
        first = items[0]
        parts.append(f'<{level}><span class="sev {e(severity)}">{e(severity)}</span> {e(first.shape_label)} '
                     f'<small>({e(first.concern)}, {len(items)})</small></{level}>')
        parts.append(f'<p class="iri">{e(first.shape)}</p>')
        parts.append("<table><tr><th>About</th><th>Finding</th><th>Provision</th>"
                     "<th>Where the policy says it</th></tr>")
        parts += [_finding_row(f) for f in items]
        parts.append("</table>")
    return parts


def _finding_row(f: Finding) -> str:
    about = f'{e(f.focus_label)}<br><span class="iri">{link(f.focus)}</span>'
    finding = e(f.message)
    if f.value is not None and f.value != f.focus and f.value_label == f.value:
        finding += f"<br>value: <code>{e(f.value)}</code>"
    elif f.value is not None and f.value != f.focus:
        finding += f'<br>value: {e(f.value_label)} <span class="iri">{link(f.value)}</span>'
    if f.path:
        finding += f"<br>path: <code>{e(f.path)}</code>"
    provision = provisions_html(f.provisions) + (f"<br><small>{e(f.jurisdiction)}</small>" if f.jurisdiction else "")
    sources = []
    for span in f.spans:
        ref = link(span.scope, span_ref(span)) if span.scope else e(span_ref(span))
        sources.append(ref + (f"<blockquote>{e(quote(span.text))}</blockquote>" if span.text else ""))
    return f"<tr><td>{about}</td><td>{finding}</td><td>{provision}</td><td>{''.join(sources) or '—'}</td></tr>"


def _change_html(change: FindingChange, versions: dict) -> list[str]:
    rows = [f'<tr class="added"><td>appeared</td><td>{e(change_line(f, versions[change.new]))}</td>'
            f"<td>{provisions_html(f.provisions)}</td></tr>" for f in change.appeared]
    rows += [f'<tr class="removed"><td>disappeared</td><td>{e(change_line(f, versions[change.old]))}</td>'
             f"<td>{provisions_html(f.provisions)}</td></tr>" for f in change.disappeared]
    head = (f"<h3>{e(change.jurisdiction)}: {e(change.old)} → {e(change.new)} "
            f"<small>({len(change.appeared)} appeared, {len(change.disappeared)} disappeared)</small></h3>")
    if not rows:
        return [head, "<p>No finding appeared or disappeared.</p>"]
    return [head, "<table><tr><th></th><th>Finding</th><th>Provision</th></tr>", *rows, "</table>"]

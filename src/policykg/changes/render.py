"""Serialise stage for comparisons: a diff as text for the terminal, one HTML page to forward, or JSON for tools."""

from __future__ import annotations

import json

from policykg.changes.diff import Diff, FieldChange, ProcessRef, TextSpan, Value
from policykg.html_page import e, link, page

FORMATS = ("text", "html", "json", "turtle")
QUOTE = 160


def short(text: str, limit: int = QUOTE) -> str:
    """A quotation cut at a word boundary, markdown line breaks as spaces."""
    flat = " ".join(text.replace("<br>", " ").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _where(span: TextSpan | None, side: str) -> str:
    if span is None:
        return ""
    if span.start == span.end:
        return f"{side} at {span.start}"
    return f"{side} {span.start}–{span.end}"


def _process_line(p: ProcessRef) -> str:
    bases = ", ".join(p.basis_labels) or "no basis stated"
    return f"{p.title} [{bases}; {p.audience_label or 'no audience stated'}]"


def summary(diff: Diff) -> str:
    """One line: how much changed."""
    if diff.empty:
        return f"No changes between {diff.old.version} and {diff.new.version}."
    return (f"{len(diff.added)} processes added, {len(diff.removed)} removed, {len(diff.changed)} changed; "
            f"{len(diff.notice)} notice-level fields changed; {len(diff.text)} other passages of the text changed.")


def render_text(diff: Diff) -> str:
    """The diff for a terminal."""
    out = [f"From {diff.old.label} ({diff.old.version}, sha256 {diff.old.sha256[:12]}…)",
           f"  to {diff.new.label} ({diff.new.version}, sha256 {diff.new.sha256[:12]}…)", "", summary(diff)]

    def values(fc: FieldChange, indent: str) -> None:
        for sign, items, side in (("+", fc.added, "new"), ("-", fc.removed, "old")):
            for v in items:
                quote = f"  «{short(v.span.text, 100)}»" if v.span and v.span.text else ""
                out.append(f"{indent}{sign} {fc.field}: {v.label} ({_where(v.span, side)}){quote}")

    for title, refs, side in (("Processes added", diff.added, "new"), ("Processes removed", diff.removed, "old")):
        if refs:
            out += ["", f"{title} ({len(refs)})"]
            out += [f"  {'+' if side == 'new' else '-'} {_process_line(p)} ({_where(p.span, side)})" for p in refs]
    if diff.changed:
        out += ["", f"Processes changed ({len(diff.changed)})"]
        for pc in diff.changed:
            out.append(f"  ~ {_process_line(pc.new)} (old {pc.old.id}, {_where(pc.new.span, 'new')})")
            for fc in pc.changes:
                values(fc, "      ")
    if diff.notice:
        out += ["", f"Notice-level changes ({len(diff.notice)} fields)"]
        for fc in diff.notice:
            values(fc, "  ")
    if diff.text:
        out += ["", f"Other passages of the text that changed ({len(diff.text)})"]
        for t in diff.text:
            out.append(f"  {_where(t.old, 'old')} «{short(t.old.text, 100)}»")
            out.append(f"    → {_where(t.new, 'new')} «{short(t.new.text, 100)}»")
    return "\n".join(out) + "\n"


def render_json(diff: Diff) -> str:
    """The diff as JSON (the schema in docs/changes.md)."""
    return json.dumps(diff.to_json(), indent=1, ensure_ascii=False) + "\n"


def _quote(span: TextSpan | None, side: str) -> str:
    if span is None:
        return ""
    where = e(_where(span, side))
    return f'<br><small>{where}</small><blockquote>{e(short(span.text, 600))}</blockquote>' if span.text else \
        f"<br><small>{where}</small>"


def _value_rows(fc: FieldChange) -> list[str]:
    rows = []
    for css, items, side in (("added", fc.added, "new"), ("removed", fc.removed, "old")):
        for v in items:
            rows.append(f'<tr class="{css}"><td>{e(fc.field)}</td><td>{e(css)}</td>'
                        f"<td>{e(v.label)}<br><span class=\"iri\">{link(v.value) if _iri(v) else ''}</span></td>"
                        f"<td>{_quote(v.span, side)}</td></tr>")
    return rows


def _iri(v: Value) -> bool:
    return v.value.startswith(("http://", "https://"))


def render_html(diff: Diff) -> str:
    """One self-contained page a regulator can read and forward."""
    title = f"What changed: {diff.old.label} → {diff.new.label}"
    body = [f"<h1>{e(title)}</h1>",
            f'<p class="summary{" fail" if not diff.empty else ""}">{e(summary(diff))}</p>',
            f'<p class="note">Old text: {e(diff.old.version)}, sha256 <code>{e(diff.old.sha256)}</code>. '
            f'New text: {e(diff.new.version)}, sha256 <code>{e(diff.new.sha256)}</code>. Offsets are Unicode code '
            "points into each text, end exclusive.</p>"]
    for heading, refs, css, side in (("Processes added", diff.added, "added", "new"),
                                     ("Processes removed", diff.removed, "removed", "old")):
        if refs:
            body.append(f"<h2>{e(heading)} ({len(refs)})</h2><table><tr><th>Process</th><th>Where</th></tr>")
            body += [f'<tr class="{css}"><td>{e(_process_line(p))}<br><span class="iri">{link(p.iri)}</span></td>'
                     f"<td>{_quote(p.span, side)}</td></tr>" for p in refs]
            body.append("</table>")
    if diff.changed:
        body.append(f"<h2>Processes changed ({len(diff.changed)})</h2>")
        for pc in diff.changed:
            body.append(f"<h3>{e(_process_line(pc.new))}</h3><p class=\"iri\">{link(pc.old.iri)} → {link(pc.new.iri)}</p>")
            body.append("<table><tr><th>Field</th><th>Change</th><th>Value</th><th>Where the text says it</th></tr>")
            for fc in pc.changes:
                body += _value_rows(fc)
            body.append("</table>")
    if diff.notice:
        body.append("<h2>Notice-level changes</h2>")
        body.append("<table><tr><th>Field</th><th>Change</th><th>Value</th><th>Where the text says it</th></tr>")
        for fc in diff.notice:
            body += _value_rows(fc)
        body.append("</table>")
    if diff.text:
        body.append(f"<h2>Other passages of the text that changed ({len(diff.text)})</h2>"
                    "<table><tr><th>Old text</th><th>New text</th></tr>")
        body += [f"<tr><td>{_quote(t.old, 'old')}</td><td>{_quote(t.new, 'new')}</td></tr>" for t in diff.text]
        body.append("</table>")
    return page(title, body)


def render(diff: Diff, fmt: str) -> str:
    """The diff in one of the formats (turtle: the change graph, see changes.change_graph)."""
    if fmt == "text":
        return render_text(diff)
    if fmt == "html":
        return render_html(diff)
    if fmt == "json":
        return render_json(diff)
    raise ValueError(fmt)

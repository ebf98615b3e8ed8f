"""The validation report as Markdown: per version, one table row per shape or rule that found something, with its
provision, severity, count and what it is about; the README's account of what the shapes find is this text."""

from __future__ import annotations

from collections import Counter

from .report import change_line, groups, heading, summary_line
from .validate import Finding
from .validate_versions import Validated, ValidationRun, identity

#: Up to this many findings of one shape are listed by what they are about; more are summed up by value.
LIST_LIMIT = 20


def cell(text: str) -> str:
    """Text for a Markdown table cell (pipes escaped, on one line)."""
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(run: ValidationRun, title: str = "") -> str:
    """Per version: the verdict, then a table of the shapes and rules with findings; then the changes."""
    lines: list[str] = []
    for result in run.results:
        lines += [f"#### {heading(result)}", "", summary_line(result.outcome), ""]
        lines += [f"Note: {note}" for note in result.outcome.notes] + ([""] if result.outcome.notes else [])
        lines += _table(result)
    if run.changes:
        lines += ["#### Findings that appeared or disappeared between versions", "",
                  "| jurisdiction | from | to | appeared | disappeared |", "| --- | --- | --- | --- | --- |"]
        versions = {r.name: r.version for r in run.results}
        for c in run.changes:
            appeared = "<br>".join(cell(change_line(f, versions[c.new])) for f in c.appeared) or "—"
            disappeared = "<br>".join(cell(change_line(f, versions[c.old])) for f in c.disappeared) or "—"
            lines.append(f"| {c.jurisdiction} | {c.old} | {c.new} | {appeared} | {disappeared} |")
        lines.append("")
    return "\n".join(lines)


def _table(result: Validated) -> list[str]:
    if not result.outcome.findings:
        return ["No findings.", ""]
    lines = ["| finding | provision | severity | n | about |", "| --- | --- | --- | ---: | --- |"]
    for severity, _shape, items in groups(result.outcome.findings):
        first = items[0]
        provision = "<br>".join(f"[{cell(p.label)}]({p.url})" if p.url else cell(p.label)
                                for p in first.provisions) or "—"
        lines.append(f"| {cell(first.shape_label)} | {provision} | {severity} | {len(items)} | "
                     f"{_about(items, result)} |")
    return [*lines, ""]


def _about(items: list[Finding], result: Validated) -> str:
    """The foci (namespace stripped), with the first span's offsets for a few; summed up by value when many."""
    if len(items) > LIST_LIMIT:
        by_value = Counter(f.value_label or "" for f in items)
        return ", ".join(f"{cell(v)} ×{n}" if v else f"×{n}" for v, n in by_value.most_common())
    parts = []
    for f in items:
        _shape, focus, value = identity(f, result.version)
        text = f"`{focus.rsplit('/', 1)[-1] if focus.startswith('process/') else focus}`"
        if value and value != focus and f.value_label:
            text += f" ({cell(f.value_label)})"
        if f.spans and len(items) <= 3:
            text += f" (characters {f.spans[0].start}–{f.spans[0].end})"
        parts.append(text)
    return ", ".join(parts)

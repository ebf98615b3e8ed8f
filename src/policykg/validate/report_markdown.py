"""The validation report as Markdown: per version, one table row per shape or rule that found something, with its
provision, severity, count and what it is about; the README's account of what the shapes find is this text."""

from __future__ import annotations

from collections import Counter

from policykg.validate.report import change_line, groups, heading, summary_line
from policykg.validate.shacl import Finding
from policykg.validate.versions import Validated, ValidationRun, identity

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
    """The foci (namespace stripped; processes by id), grouped by value; offsets for notice-level foci; summed up
    by value when there are many."""
    if len(items) > LIST_LIMIT:
        by_value = Counter(_value_label(f) for f in items)
        return ", ".join(f"{cell(v)} ×{n}" if v else f"×{n}" for v, n in by_value.most_common())
    grouped: dict[str, list[str]] = {}
    for f in items:
        _shape, focus, _value = identity(f, result.version)
        if focus.startswith("process/"):
            text = f"`{focus.removeprefix('process/')}`"
        else:
            text = f"`{focus}`" + (f" (characters {f.spans[0].start}–{f.spans[0].end})" if f.spans else "")
        foci = grouped.setdefault(_value_label(f), [])
        if text not in foci:
            foci.append(text)
    return "; ".join((f"{cell(value)}: " if value else "") + ", ".join(foci) for value, foci in grouped.items())


def _value_label(f: Finding) -> str:
    """The label of a finding's value when it is a term (not the focus itself, not a literal)."""
    if f.value is None or f.value == f.focus or not f.value.startswith(("http://", "https://")):
        return ""
    return f.value_label or f.value

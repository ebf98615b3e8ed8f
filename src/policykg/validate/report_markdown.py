"""The validation report as Markdown: per version, the law applied, then one table row per rule and lead provision
with its verdict, the provisions it cites (authority, weight), how many findings and what they are about, each
linked to the spans it rests on; the README's account of what the shapes find is this text."""

from __future__ import annotations

from policykg.validate.library import Provision
from policykg.validate.report import change_line, groups, heading, provision_facts, rests_on, summary_line
from policykg.validate.shacl import Finding
from policykg.validate.versions import Validated, ValidationRun, identity

#: Up to this many findings of one rule are listed by what they are about; more are counted.
LIST_LIMIT = 20


def cell(text: str) -> str:
    """Text for a Markdown table cell (pipes escaped, on one line)."""
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(run: ValidationRun, title: str = "") -> str:
    """Per version: the law applied and the verdicts, then a table of the rules with findings; then the changes."""
    lines: list[str] = []
    for result in run.results:
        outcome = result.outcome
        lines += [f"#### {heading(result)}", ""]
        if outcome.law:
            lines += [f"Law applied: {outcome.law}.", ""]
        lines += [f"Not assessed: {text}." for text in outcome.not_assessed] + ([""] if outcome.not_assessed else [])
        lines += [summary_line(outcome), ""]
        lines += [f"Note: {note}" for note in outcome.notes] + ([""] if outcome.notes else [])
        lines += _table(result)
    if run.changes:
        lines += ["#### Findings that appeared or were resolved between versions", "",
                  "| jurisdiction | from | to | appeared in the newer version | resolved in the newer version |",
                  "| --- | --- | --- | --- | --- |"]
        versions = {r.name: r.version for r in run.results}
        for c in run.changes:
            appeared = "<br>".join(cell(change_line(f, versions[c.new])) for f in c.appeared) or "—"
            resolved = "<br>".join(cell(change_line(f, versions[c.old])) for f in c.disappeared) or "—"
            lines.append(f"| {c.jurisdiction} | {c.old} | {c.new} | {appeared} | {resolved} |")
        lines.append("")
    return "\n".join(lines)


def _provision(p: Provision) -> str:
    label = f"[{cell(p.label)}]({p.url})" if p.url else cell(p.label)
    return f"{label} ({cell(provision_facts(p))})"


def _table(result: Validated) -> list[str]:
    if not result.outcome.findings:
        return ["No findings.", ""]
    lines = ["| verdict | finding | provisions cited | n | about (linked to the text it rests on) |",
             "| --- | --- | --- | ---: | --- |"]
    for group in groups(result.outcome.findings):
        for rule in group.rules:
            provisions = "<br>".join(_provision(p) for p in rule.provisions) or "—"
            lines.append(f"| {group.key} | {cell(rule.label)} | {provisions} | {len(rule.findings)} | "
                         f"{_about(list(rule.findings), result)} |")
    return [*lines, ""]


def _about(items: list[Finding], result: Validated) -> str:
    """What the findings are about (namespace stripped; processes by id), each linked to the first span it rests on
    (with its offsets when it is not a process); counted when there are many."""
    if len(items) > LIST_LIMIT:
        return f"{len(items)} processes and parts of the notice"
    out = []
    for f in items:
        _shape, focus = identity(f, result.version)
        name = focus.removeprefix("process/")
        spans = rests_on(f)
        if not spans:
            out.append(f"`{name}`")
            continue
        first = spans[0][1]
        where = "" if focus.startswith("process/") else f" (characters {first.start}–{first.end})"
        extra = len(spans) - 1
        more = f" and {extra} more passage{'s' if extra != 1 else ''}" if extra else ""
        out.append(f"[`{name}`]({first.iri}){where}{more}")
    return ", ".join(out)

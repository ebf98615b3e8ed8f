"""Serialise stage for comparisons: a diff as text for the terminal, one HTML page to forward, or JSON for tools.

The HTML is written by Jinja2 templates (package data in policykg/templates: `changes_report.html` around
`changes_body.html`, which the server's change page includes too), from one view of the diff (`view`): the summary
lines on top (`summary.summary_lines`), then every change with each quoted passage once, links shown as their words.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from policykg.changes.diff import Diff, FieldChange, ProcessRef, TextSpan, Value
from policykg.changes.summary import field_name, side_name, summary_lines
from policykg.text.markdown import plain_text

if TYPE_CHECKING:  # pragma: no cover - typing only
    import jinja2

FORMATS = ("text", "html", "json", "turtle")
QUOTE = 160


def short(text: str, limit: int = QUOTE) -> str:
    """A quotation cut at a word boundary, markdown line breaks as spaces."""
    flat = " ".join(text.replace("<br>", " ").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def where(span: TextSpan | None, side: str) -> str:
    """'new 120–180' (or 'new at 120' for an empty span)."""
    if span is None:
        return ""
    if span.start == span.end:
        return f"{side} at {span.start}"
    return f"{side} {span.start}–{span.end}"


def process_line(p: ProcessRef) -> str:
    """A process with its bases and audience as labels (what the notice does not state, said so)."""
    bases = ", ".join(p.basis_labels) or "no basis stated"
    return f"{p.title} [{bases}; {p.audience_label or 'no audience stated'}]"


def summary(diff: Diff) -> str:
    """One line: how much changed."""
    if diff.empty:
        return f"No changes between {diff.old.version} and {diff.new.version}."
    return (f"{len(diff.added)} processes added, {len(diff.removed)} removed, {len(diff.changed)} changed; "
            f"{len(diff.notice)} notice-level fields changed; {len(diff.text)} other passages of the text changed.")


# --- text ----------------------------------------------------------------------------------------------------------

def render_text(diff: Diff) -> str:
    """The diff for a terminal: the summary lines, then every change."""
    out = [f"From {diff.old.label} ({diff.old.version}, sha256 {diff.old.sha256[:12]}…)",
           f"  to {diff.new.label} ({diff.new.version}, sha256 {diff.new.sha256[:12]}…)", "",
           *summary_lines(diff), "", summary(diff)]

    def values(fc: FieldChange, indent: str) -> None:
        if fc.not_stated:
            quiet = diff.old if fc.not_stated == "old" else diff.new
            speaking = "new" if fc.not_stated == "old" else "old"
            for v in fc.stated:
                out.append(f"{indent}= {fc.field}: not stated in {side_name(quiet)}; {v.label} "
                           f"({where(v.span, speaking)})")
            return
        for sign, items, side in (("+", fc.added, "new"), ("-", fc.removed, "old")):
            for v in items:
                quote = f"  «{short(v.span.text, 100)}»" if v.span and v.span.text else ""
                out.append(f"{indent}{sign} {fc.field}: {v.label} ({where(v.span, side)}){quote}")

    for title, refs, side in (("Processes added", diff.added, "new"), ("Processes removed", diff.removed, "old")):
        if refs:
            out += ["", f"{title} ({len(refs)})"]
            out += [f"  {'+' if side == 'new' else '-'} {process_line(p)} ({where(p.span, side)})" for p in refs]
    if diff.changed:
        out += ["", f"Processes changed ({len(diff.changed)})"]
        for pc in diff.changed:
            out.append(f"  ~ {process_line(pc.new)} (old {pc.old.id}, {where(pc.new.span, 'new')})")
            for fc in pc.changes:
                values(fc, "      ")
    if diff.notice:
        out += ["", f"Notice-level changes ({len(diff.notice)} fields)"]
        for fc in diff.notice:
            values(fc, "  ")
    if diff.text:
        out += ["", f"Other passages of the text that changed ({len(diff.text)})"]
        for t in diff.text:
            out.append(f"  {where(t.old, 'old')} «{short(t.old.text, 100)}»")
            out.append(f"    → {where(t.new, 'new')} «{short(t.new.text, 100)}»")
    return "\n".join(out) + "\n"


def render_json(diff: Diff) -> str:
    """The diff as JSON (the schema in docs/changes.md)."""
    return json.dumps(diff.to_json(), indent=1, ensure_ascii=False) + "\n"


# --- HTML ----------------------------------------------------------------------------------------------------------

#: What is left of a markdown link that a passage cuts: "words](target)" (cut before the words), "[words" or
#: "](target" (cut inside), and a target's end at the start of a passage ("…%2F&e=removed)").
_LINK_TAIL = re.compile(r"!?\]\([^)\s]*\)?")
_LINK_HEAD = re.compile(r"!?\[(?=[^\]]*$)")
_TARGET_END = re.compile(r"^[^\s\[\]]*?(?:://|%2F|=|/)[^\s\[\]]*\)")


def readable(markdown: str) -> str:
    """A passage of the policy's markdown as people read it: links as their words, also where the passage begins or
    ends inside a link."""
    text = plain_text(markdown.replace("![", "["))  # an image link reads as its alt text
    text = _TARGET_END.sub("", text)
    text = _LINK_TAIL.sub("", text)
    return _LINK_HEAD.sub("", text)


def quote(span: TextSpan | None, limit: int = 600) -> str:
    """A passage as people read it: markdown links as their words, cut at a word boundary."""
    return short(readable(span.text), limit) if span is not None and span.text else ""


def _groups(diff: Diff, changes: tuple[FieldChange, ...] | list[FieldChange]) -> list[dict[str, Any]]:
    """The values of some field changes grouped by the passage that states them, so each passage is quoted once."""
    groups: dict[tuple[str, int, int], dict[str, Any]] = {}

    def add(kind: str, side: str, v: Value, line: str) -> None:
        key = (kind, v.span.start, v.span.end) if v.span else (kind, -1, len(groups))
        group = groups.setdefault(key, {"kind": kind, "where": where(v.span, side), "quote": quote(v.span),
                                        "lines": [], "iris": [], "qualified": {}})
        if line.startswith("qualifiers: ") and ": " in line[len("qualifiers: "):]:  # one line per qualifier
            item, qualifier = line[len("qualifiers: "):].split(": ", 1)
            group["qualified"].setdefault(qualifier, []).append(item)
        elif line not in group["lines"]:
            group["lines"].append(line)
        if v.value.startswith(("http://", "https://")) and " " not in v.value and v.value not in group["iris"]:
            group["iris"].append(v.value)

    for fc in changes:
        name = field_name(fc.field)
        if fc.not_stated:
            quiet = diff.old if fc.not_stated == "old" else diff.new
            for v in fc.stated:
                add("not-stated", "new" if fc.not_stated == "old" else "old", v,
                    f"{name}: {v.label} (not stated in {side_name(quiet)})")
            continue
        for v in fc.added:
            add("added", "new", v, f"{name}: {v.label}")
        for v in fc.removed:
            add("removed", "old", v, f"{name}: {v.label}")
    for group in groups.values():
        group["lines"] += [f"qualifier «{q}» for {', '.join(items)}" for q, items in group.pop("qualified").items()]
    return list(groups.values())


def view(diff: Diff) -> dict[str, Any]:
    """Everything the change templates show, computed once (the server page and the standalone report alike)."""
    return {
        "title": f"What changed: {diff.old.label} → {diff.new.label}",
        "old": diff.old, "new": diff.new, "old_name": side_name(diff.old), "new_name": side_name(diff.new),
        "summary": summary_lines(diff), "counts": summary(diff), "empty": diff.empty,
        "added": [{"line": process_line(p), "iri": p.iri, "where": where(p.span, "new"), "quote": quote(p.span, 300)}
                  for p in diff.added],
        "removed": [{"line": process_line(p), "iri": p.iri, "where": where(p.span, "old"), "quote": quote(p.span, 300)}
                    for p in diff.removed],
        "changed": [{"line": process_line(pc.new), "old_line": process_line(pc.old), "old_iri": pc.old.iri,
                     "new_iri": pc.new.iri, "groups": _groups(diff, pc.changes)} for pc in diff.changed],
        "notice": _groups(diff, diff.notice),
        "text": [{"old_where": where(t.old, "old"), "old_quote": quote(t.old), "new_where": where(t.new, "new"),
                  "new_quote": quote(t.new)} for t in diff.text],
    }


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the standalone templates (package data in policykg/templates)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("policykg", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "xml"]), trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def render_html(diff: Diff) -> str:
    """One self-contained page a regulator can read and forward."""
    return environment().get_template("changes_report.html").render(v=view(diff), iri_href=_same)


def _same(iri: str) -> str:
    """In a standalone report an IRI links to itself (w3id resolves it)."""
    return iri


def render(diff: Diff, fmt: str) -> str:
    """The diff in one of the formats (turtle: the change graph, see changes.graph.change_graph)."""
    if fmt == "text":
        return render_text(diff)
    if fmt == "html":
        return render_html(diff)
    if fmt == "json":
        return render_json(diff)
    raise ValueError(fmt)

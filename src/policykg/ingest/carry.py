"""Carry what a curated version states with spans into a new text: a matched row's exclusions and derived data, and
the whole notice.yaml, each span relocated to the same words in the new text (nearest their expected place)."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from policykg.ingest.curation import Curation, span_value

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pathlib import Path

    from policykg.sources.versions import Version
    from policykg.text.rows import ParsedPolicy

_SPAN = re.compile(r'\[(\d+),\s*(\d+),\s*("(?:[^"\\]|\\.)*")\]')


class Carrier:
    """Carries a matched row's span-bearing extras (excludes, derived) into the new text, relocating each span."""

    KEYS = ("excludes", "derived")

    def __init__(self, old_text: str, new_text: str, cur: Curation) -> None:
        self.old_text, self.new_text, self.cur = old_text, new_text, cur
        self.anchors = _anchors(old_text, new_text)

    def row_extras(self, old: dict[str, Any], proc: dict[str, Any]) -> None:
        """Copy excludes/derived (spans relocated) and modality from the matched row into the new one."""
        for key in self.KEYS:
            entries = []
            for entry in old.get(key, []) or []:
                entry = {k: v for k, v in entry.items() if k != "__line__"}
                start, end = entry["span"][0], entry["span"][1]
                found = relocate(self.old_text, self.new_text, start, end, self.anchors)
                if found is None:
                    self.cur.add(proc["id"], key, f"carried from the matched row but its span is not in this text: "
                                 f"{self.old_text[start:min(end, start + 60)]!r}; find it or drop the entry")
                    entry["span"] = list(entry["span"])
                else:
                    entry["span"] = span_value(self.new_text, found)
                entries.append(entry)
            if entries:
                proc[key] = entries
        if old.get("modality"):
            proc["modality"] = old["modality"]
        proc["data"] = proc.pop("data")


# --- notice.yaml carried forward -------------------------------------------------------------------------------

def _anchors(old: str, new: str) -> list[tuple[int, int]]:
    """(old offset, new offset) at the start of every block of identical lines (line ends ignored)."""
    def starts(text: str) -> tuple[list[str], list[int]]:
        lines = text.splitlines(keepends=True)
        offsets = [0]
        for ln in lines:
            offsets.append(offsets[-1] + len(ln))
        return [ln.rstrip("\r\n") for ln in lines], offsets
    old_lines, old_starts = starts(old)
    new_lines, new_starts = starts(new)
    blocks = SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_matching_blocks()
    return [(old_starts[b.a + k], new_starts[b.b + k]) for b in blocks for k in range(b.size)] or [(0, 0)]


def relocate(old_text: str, new_text: str, start: int, end: int, anchors: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where the old span's text is in new_text, nearest its expected place: the same characters, else the same
    words with other link targets (redirect-wrapped, tracking parameters) or line endings; None if it is not there."""
    needle = old_text[start:end]
    k = bisect_right(anchors, (start, len(new_text) + 1)) - 1  # the last anchor at or before start
    old_at, new_at = anchors[max(k, 0)]
    expected = start + new_at - old_at
    found: list[tuple[int, int]] = []
    pos = new_text.find(needle)
    while pos != -1:
        found.append((pos, pos + len(needle)))
        pos = new_text.find(needle, pos + 1)
    if not found:
        found = [m.span() for m in _tolerant(needle).finditer(new_text)]
    return min(found, key=lambda span: abs(span[0] - expected), default=None)


_TARGET = re.compile(r"\]\([^)\s]*\)")
_CUT_TARGET = re.compile(r"\]\([^)\s]*$")


def _tolerant(needle: str) -> re.Pattern[str]:
    """A pattern for the needle's words with any link target and either line ending."""
    def lines(part: str) -> str:
        return r"\r?\n".join(re.escape(x) for x in part.replace("\r\n", "\n").split("\n"))
    parts, pos = [], 0
    for m in _TARGET.finditer(needle):
        parts += [lines(needle[pos:m.start()]), r"\]\([^)\s]*\)"]
        pos = m.end()
    rest = needle[pos:]
    cut = _CUT_TARGET.search(rest)  # a span that ends inside a link target: any target
    tail = lines(rest[:cut.start()]) + r"\]\([^)\s]*" if cut else lines(rest)
    return re.compile("".join([*parts, tail]))


def carry_notice(base: Version, base_parsed: ParsedPolicy, parsed: ParsedPolicy, text: str, cur: Curation,
                 path: Path | None, anchors: list[tuple[int, int]] | None = None) -> str:
    """The base's notice.yaml as text with every span relocated into the new text (the effective date's set from
    it); spans not found are listed in the curation. `anchors`: the texts' common lines, if already computed."""
    source = (base.data_dir / "notice.yaml").read_text(encoding="utf-8")
    old_text = base_parsed.text
    anchors = anchors or _anchors(old_text, text)
    effective_old = base_parsed.effective

    def replace(m: re.Match) -> str:
        start, end = int(m.group(1)), int(m.group(2))
        line = source.count("\n", 0, m.start()) + 1
        if effective_old and (start, end) == (effective_old.start, effective_old.end) and parsed.effective:
            return _span_literal(span_value(text, parsed.effective))
        found = relocate(old_text, text, start, end, anchors)
        if found is None:
            cur.add("notice.yaml", f"line {line}", f"span not relocated: {old_text[start:min(end, start + 60)]!r} "
                    f"is not in this text", notice_line=line)
            return m.group(0)
        return _span_literal(span_value(text, found))

    body = _SPAN.sub(replace, source)  # the text's file, sha256 and effective date live in data/versions.yaml
    cur.add("notice.yaml", "all", f"carried forward from {base.name}: spans relocated; check labels, descriptions, "
            "controller, authority and other values against this text")
    return body


def _span_literal(value: list[Any]) -> str:
    """A span spliced into the curated notice.yaml text in its own style: the head as a double-quoted (JSON) string."""
    return f"[{value[0]}, {value[1]}, {json.dumps(value[2], ensure_ascii=False)}]"

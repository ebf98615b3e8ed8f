"""Compare stage, the texts themselves: every passage that differs between two policy texts, as word-level spans."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TextSpan:
    """A passage of one text: code-point offsets (end exclusive) and the characters there."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_json(cls, data: dict) -> TextSpan:
        """Read back what to_json wrote."""
        return cls(int(data["start"]), int(data["end"]), str(data["text"]))


@dataclass(frozen=True)
class TextChange:
    """A passage that differs between the texts; an empty span marks where something was inserted or deleted."""

    old: TextSpan
    new: TextSpan

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"old": self.old.to_json(), "new": self.new.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> TextChange:
        """Read back what to_json wrote."""
        return cls(TextSpan.from_json(data["old"]), TextSpan.from_json(data["new"]))


_SEPARATORS = re.compile(r"<br>|\r?\n| \| ")
_WORD = re.compile(r"<br>|(?:(?!<br>)\S)+")


def _segments(text: str) -> list[tuple[int, int]]:
    """The text cut at line breaks, table cell borders and <br>, without blank pieces."""
    out, start = [], 0
    for m in _SEPARATORS.finditer(text):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def text_changes(old: str, new: str) -> list[TextChange]:
    """Every passage that differs between two texts, as word-level spans in both."""
    old_segs, new_segs = _segments(old), _segments(new)
    matcher = difflib.SequenceMatcher(None, [old[s:e] for s, e in old_segs], [new[s:e] for s, e in new_segs],
                                      autojunk=False)
    changes: list[TextChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        o_start = old_segs[i1][0] if i1 < i2 else (old_segs[i1 - 1][1] if i1 else 0)
        o_end = old_segs[i2 - 1][1] if i1 < i2 else o_start
        n_start = new_segs[j1][0] if j1 < j2 else (new_segs[j1 - 1][1] if j1 else 0)
        n_end = new_segs[j2 - 1][1] if j1 < j2 else n_start
        changes += _word_changes(old, new, (o_start, o_end), (n_start, n_end))
    return changes


def _word_changes(old: str, new: str, o: tuple[int, int], n: tuple[int, int]) -> list[TextChange]:
    ow = [(m.start() + o[0], m.end() + o[0]) for m in _WORD.finditer(old[o[0]:o[1]]) if m.group() != "<br>"]
    nw = [(m.start() + n[0], m.end() + n[0]) for m in _WORD.finditer(new[n[0]:n[1]]) if m.group() != "<br>"]
    if not ow or not nw:
        return [TextChange(TextSpan(o[0], o[1], old[o[0]:o[1]]), TextSpan(n[0], n[1], new[n[0]:n[1]]))]
    matcher = difflib.SequenceMatcher(None, [old[s:e] for s, e in ow], [new[s:e] for s, e in nw], autojunk=False)
    spans: list[tuple[int, int, int, int]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        os_ = ow[i1][0] if i1 < i2 else (ow[i1 - 1][1] if i1 else o[0])
        oe = ow[i2 - 1][1] if i1 < i2 else os_
        ns = nw[j1][0] if j1 < j2 else (nw[j1 - 1][1] if j1 else n[0])
        ne = nw[j2 - 1][1] if j1 < j2 else ns
        if spans and os_ - spans[-1][1] <= 1 and ns - spans[-1][3] <= 1:
            spans[-1] = (spans[-1][0], oe, spans[-1][2], ne)
        else:
            spans.append((os_, oe, ns, ne))
    return [TextChange(TextSpan(a, b, old[a:b]), TextSpan(c, d, new[c:d])) for a, b, c, d in spans]

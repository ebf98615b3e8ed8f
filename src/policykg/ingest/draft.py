"""Draft the curated sources of a new policy text from the newest curated version: rows, terms, notice spans.

Pure apart from reading the registry, texts and YAML: returns a `Draft` (processes as dicts in the curated
format, the carried-forward notice.yaml text, and the curation list); `ingest` writes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from policykg.changes.matching import Matching, RowRef, load_links, match_rows, row_ref
from policykg.ingest.phrases import Found, PhraseTable, is_curated, pair_curated_rows, parse_version_text
from policykg.sources.versions import Registry, Version
from policykg.sources.yaml_io import load_fast
from policykg.text.lines import Piece, title_end
from policykg.text.rows import ParsedPolicy, Row

CURATE = "CURATE"
CURATE_TERM = "pko:CURATE"
HEAD = 40
ID_PREFIX = {"consent": "consent", "contract": "contract", "legal-obligation": "legal-obligation",
             "legitimate-interests": "li", "public-interest": "public-interest", "vital-interests": "vital-interests"}
_SPAN = re.compile(r'\[(\d+),\s*(\d+),\s*("(?:[^"\\]|\\.)*")\]')


@dataclass
class Draft:
    """A drafted version: its processes, notice.yaml text, the curation list and what it was drafted from."""

    name: str
    base: str | None
    processes: list[dict[str, Any]]
    notice: str | None
    curation: list[dict[str, Any]] = field(default_factory=list)
    matching: Matching | None = None
    counts: dict[str, int] = field(default_factory=dict)


def span_value(text: str, piece: Piece | tuple[int, int]) -> list[Any]:
    """[start, end, head] for a piece of the text."""
    start, end = (piece.start, piece.end) if isinstance(piece, Piece) else piece
    return [start, end, text[start:min(end, start + HEAD)]]


def line_of(text: str, offset: int) -> int:
    """The 1-based line of an offset."""
    return text.count("\n", 0, offset) + 1


def choose_base(registry: Registry, name: str, jurisdiction: str | None) -> Version | None:
    """The newest curated version of the same jurisdiction before this one, else the newest curated one."""
    curated = [v for v in registry.versions if v.name != name and is_curated(v)]
    target = next((v for v in registry.versions if v.name == name), None)
    same = [v for v in curated if v.jurisdiction == jurisdiction]
    earlier = [v for v in same if target is None or v.effective < target.effective]
    pool = earlier or same or curated
    return pool[-1] if pool else None


class _Curation:
    """Collects what a person must check, with span and line in the new text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entries: list[dict[str, Any]] = []

    def add(self, row: str, field_: str, why: str, piece: Piece | None = None, **extra: Any) -> None:
        entry: dict[str, Any] = {"row": row, "field": field_, "why": why}
        if piece is not None:
            entry.update(text=" ".join(piece.plain.split())[:160], span=[piece.start, piece.end],
                         line=line_of(self.text, piece.start))
        entry.update(extra)
        self.entries.append(entry)


def _term(found: Found, key: str) -> Any:
    return found.terms.get(key) if found.terms else None


def _flag(cur: _Curation, row: str, field_: str, found: Found, piece: Piece, what: str) -> None:
    if found.how == "none":
        cur.add(row, field_, f"no known term for this {what}", piece)
    elif found.how == "fuzzy":
        cur.add(row, field_, f"close match ({found.score:.2f}) to the known {what} {found.known!r}: reused, review", piece)
    elif found.variants > 1:
        cur.add(row, field_, f"this {what} has {found.variants} known alignments: the most fitting was reused, review", piece)


def _new_refs(parsed: ParsedPolicy, bases: list[list[str] | None], audiences: list[str | None]) -> list[RowRef]:
    out = []
    for k, row in enumerate(parsed.rows):
        why_lead = row.why.text[:title_end(row.why.text)]
        labels = [a for a in (audiences[k], row.audience.text if row.audience else None) if a]
        out.append(row_ref(row.title.plain, _main_basis(bases[k]) or row.basis_key, labels,
                           (row.title.plain, why_lead), k / max(len(parsed.rows), 1)))
    return out


def _main_basis(basis: list[str] | None) -> str | None:
    return next((b for b in basis or [] if "A6-1" in b), basis[0] if basis else None)


def _unique_id(title: str, basis_key: str, taken: set[str]) -> str:
    words = [w for w in re.sub(r"[^a-z0-9]+", " ", title.lower()).split() if w not in {"the", "and", "of", "to", "your", "our", "a", "on"}]
    base = "-".join([ID_PREFIX.get(basis_key, basis_key)] + words[:4])
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def draft_version(text: str, path: Path | None, name: str, registry: Registry, phrases: PhraseTable, parsed: ParsedPolicy,
                  links: Path | None = None, texts_dir: str | Path | None = None,
                  jurisdiction: str | None = None) -> Draft:
    """Draft the processes and notice of a text (already read as `parsed`) from the newest curated version (of the
    version's jurisdiction, or of the one given for a text that is not registered)."""
    target = next((v for v in registry.versions if v.name == name), None)
    base = choose_base(registry, name, target.jurisdiction if target else jurisdiction)
    cur = _Curation(text)
    old_pairs: list[tuple[Row, dict[str, Any]]] = []
    base_parsed = None
    if base is not None:
        base_parsed = parse_version_text(base, texts_dir)
        base_path = base.data_dir / "processes.yaml"
        old_pairs = pair_curated_rows(base_parsed, load_fast(base_path), base_path)
    bases, audiences = _bases_and_audiences(parsed, phrases)
    old_refs = [row_ref(p["id"], _main_basis(p["basis"]) or "", [p["audience"], r.audience.text if r.audience else ""],
                        (p["title"], r.title.plain), k / max(len(old_pairs), 1)) for k, (r, p) in enumerate(old_pairs)]
    overrides = load_links(links, base.name, name) if links and base else []
    matching = match_rows(old_refs, _new_refs(parsed, [b[0] for b in bases], [a[0] for a in audiences]), overrides)
    taken = {p["id"] for _, p in old_pairs}
    carry = _Carrier(base_parsed.text, text, cur) if base_parsed else None
    processes = []
    for k, row in enumerate(parsed.rows):
        pair = matching.old_for(k)
        old = old_pairs[pair.old][1] if pair else None
        proc = _process(row, old, pair, bases[k], audiences[k], phrases, text, cur, taken)
        if old and carry:
            carry.row_extras(old, proc)
        processes.append(proc)
    for i in matching.unmatched_old:  # only rows of a base version can be left unmatched
        proc = old_pairs[i][1]
        cur.add(proc["id"], "row", f"a row of {base.name if base else 'the base'} that matched nothing in this text "
                f"(title {proc['title']!r})")
    notice = _carry_notice(base, base_parsed, parsed, text, cur, path) if base and base_parsed else None
    draft = Draft(name, base.name if base else None, processes, notice, cur.entries, matching)
    draft.counts = _counts(processes, cur.entries, matching, parsed)
    return draft


def _bases_and_audiences(parsed: ParsedPolicy, phrases: PhraseTable) -> tuple[list[tuple[list[str] | None, Found]],
                                                                            list[tuple[str | None, Found | None]]]:
    bases: list[tuple[list[str] | None, Found]] = []
    audiences: list[tuple[str | None, Found | None]] = []
    for row in parsed.rows:
        found = phrases.lookup("basis", row.basis.text)
        bases.append((_term(found, "basis"), found))
        if row.audience is not None:
            aud = phrases.lookup("audience", row.audience.text)
            audiences.append((_term(aud, "audience"), aud))
        else:
            audiences.append((_term(found, "audience"), None))
    return bases, audiences


def _process(row: Row, old: dict[str, Any] | None, pair, basis: tuple[list[str] | None, Found],
             audience: tuple[str | None, Found | None], phrases: PhraseTable, text: str, cur: _Curation,
             taken: set[str]) -> dict[str, Any]:
    title = row.title.plain
    ident = old["id"] if old else _unique_id(title, row.basis_key, taken)
    basis_terms, basis_found = basis
    if basis_found.how != "exact":
        _flag(cur, ident, "basis", basis_found, row.basis, "basis heading")
    if old and _main_basis(old["basis"]) == _main_basis(basis_terms):
        basis_terms = list(old["basis"])
    elif old and basis_terms:
        cur.add(ident, "basis", f"basis differs from the matched row of the earlier version ({', '.join(old['basis'])})", row.basis)
    audience_term, audience_found = audience
    if audience_found is not None and audience_found.how != "exact":
        if old and audience_found.how == "none":
            audience_term = old["audience"]
            cur.add(ident, "audience", "audience heading not known: the matched row's audience was reused, review", row.audience)
        elif row.audience is not None:  # a found audience comes from the row's own audience heading
            _flag(cur, ident, "audience", audience_found, row.audience, "audience heading")
    proc: dict[str, Any] = {"id": ident, "title": title}
    if old:
        proc["description"] = old["description"]
        if pair.reason != "same basis, audience and title":
            cur.add(ident, "row", f"matched {old['id']} ({pair.score:.2f}: {pair.reason}): description and terms reused, review",
                    row.title)
    else:
        proc["description"] = f"{CURATE}: describe in our own words what this row says"
        cur.add(ident, "row", "a new row that matched nothing earlier: check its id and terms", row.title)
        cur.add(ident, "description", "a new row: describe it in our own words", row.title)
    proc["title_span"] = [row.title.start, row.title.end]
    proc["row_span"] = span_value(text, row.row)
    proc["basis"] = basis_terms or [CURATE_TERM]
    proc["audience"] = audience_term or CURATE_TERM
    if row.audience is not None:
        proc["audience_span"] = span_value(text, row.audience)
    for key in ("purposes", "processing", "recipients"):
        proc[key] = list(old.get(key, [])) if old else None
    if not old:
        found = phrases.lookup("title", row.title.text, {"basis": proc["basis"], "audience": proc["audience"]})
        for key in ("purposes", "processing", "recipients"):
            proc[key] = list(_term(found, key) or ([] if key == "recipients" else [CURATE_TERM]))
            if key != "recipients" or found.how != "none":
                _flag(cur, ident, key, found, row.title, "row title")
    if not proc["recipients"]:
        del proc["recipients"]
    if old and old.get("note"):
        proc["note"] = old["note"]
    interests = []
    for piece in row.interests:
        found = phrases.lookup("interest", piece.text)
        _flag(cur, ident, "interests", found, piece, "interest")
        interests.append({"interest": _term(found, "interest") or CURATE_TERM, "span": span_value(text, piece)})
    if interests:
        proc["interests"] = interests
    proc["data"] = [_data_entry(item, phrases, text, cur, ident) for item in row.items]
    return proc


def _data_entry(item, phrases: PhraseTable, text: str, cur: _Curation, ident: str) -> dict[str, Any]:
    found = phrases.lookup("item", item.piece.text)
    _flag(cur, ident, "data", found, item.piece, "item")
    under = _term(found, "under")
    if under is None:
        category = phrases.lookup("category", item.category.text)
        under = _term(category, "under")
        if category.how != "exact":
            _flag(cur, ident, "data.under", category, item.category, "category heading")
    entry: dict[str, Any] = {"items": list(_term(found, "items") or [CURATE_TERM]), "under": under or CURATE_TERM,
                             "span": span_value(text, item.piece)}
    if _term(found, "qualifier"):
        entry["qualifier"] = _term(found, "qualifier")
    return entry


def _counts(processes, entries, matching: Matching, parsed: ParsedPolicy) -> dict[str, int]:
    listed = {(e["row"], e.get("span", [None])[0]) for e in entries if e["field"] in ("data", "interests")}
    items = sum(len(p["data"]) for p in processes)
    interests = sum(len(p.get("interests", [])) for p in processes)
    to_curate = sum(1 for e in entries if e["field"] in ("data", "interests"))
    return {"rows": len(parsed.rows), "rows matched": len(matching.pairs), "rows new": len(matching.unmatched_new),
            "earlier rows unmatched": len(matching.unmatched_old), "items": items, "interests": interests,
            "phrases aligned": items + interests - len(listed), "phrases to curate": to_curate,
            "curation entries": len(entries)}


class _Carrier:
    """Carries a matched row's span-bearing extras (excludes, derived) into the new text, relocating each span."""

    KEYS = ("excludes", "derived")

    def __init__(self, old_text: str, new_text: str, cur: _Curation) -> None:
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
                    entry["span"] = span_value(self.new_text, (found, found + end - start))
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


def relocate(old_text: str, new_text: str, start: int, end: int, anchors: list[tuple[int, int]]) -> int | None:
    """The start in new_text of the old span's text, nearest its expected place; None if it is not there."""
    needle = old_text[start:end]
    delta = next((n - o for o, n in reversed(anchors) if o <= start), anchors[0][1] - anchors[0][0])
    expected = start + delta
    best, pos = None, new_text.find(needle)
    while pos != -1:
        if best is None or abs(pos - expected) < abs(best - expected):
            best = pos
        pos = new_text.find(needle, pos + 1)
    return best


def _carry_notice(base: Version, base_parsed: ParsedPolicy, parsed: ParsedPolicy, text: str, cur: _Curation,
                  path: Path | None) -> str:
    source = (base.data_dir / "notice.yaml").read_text(encoding="utf-8")
    old_text = base_parsed.text
    anchors = _anchors(old_text, text)
    effective_old = base_parsed.effective

    def replace(m: re.Match) -> str:
        start, end = int(m.group(1)), int(m.group(2))
        line = source.count("\n", 0, m.start()) + 1
        if effective_old and (start, end) == (effective_old.start, effective_old.end) and parsed.effective:
            return _span_literal(span_value(text, parsed.effective))
        new_start = relocate(old_text, text, start, end, anchors)
        if new_start is None:
            cur.add("notice.yaml", f"line {line}", f"span not relocated: {old_text[start:min(end, start + 60)]!r} "
                    f"is not in this text", notice_line=line)
            return m.group(0)
        return _span_literal(span_value(text, (new_start, new_start + end - start)))

    body = _SPAN.sub(replace, source)  # the text's file, sha256 and effective date live in data/versions.yaml
    cur.add("notice.yaml", "all", f"carried forward from {base.name}: spans relocated; check labels, descriptions, "
            "controller, authority and other values against this text")
    return body


def _span_literal(value: list[Any]) -> str:
    """A span spliced into the curated notice.yaml text in its own style: the head as a double-quoted (JSON) string."""
    return f"[{value[0]}, {value[1]}, {json.dumps(value[2], ensure_ascii=False)}]"

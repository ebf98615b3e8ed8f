"""Draft the curated sources of a new policy text from the closest curated version of its regime (ingest.base): rows,
terms, notice spans; or, with no such version, from scratch.

Pure apart from reading the registry, texts and YAML: returns a `Draft` (processes as dicts in the curated
format, the carried-forward notice.yaml text, the curation list and warnings); `ingest` writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policykg.changes.matching import Matching, RowRef, load_links, match_rows, row_ref
from policykg.ingest.base import choose_base, regime_label
from policykg.ingest.carry import Carrier, carry_notice
from policykg.ingest.curation import CURATE, CURATE_TERM, Curation, span_value
from policykg.ingest.phrases import Found, PhraseTable, pair_curated_rows, parse_version_text
from policykg.ingest.recheck import recheck_row
from policykg.sources.versions import Registry
from policykg.sources.yaml_io import load_fast
from policykg.text.lines import title_end
from policykg.text.rows import NOT_STATED, ParsedPolicy, Row

__all__ = ["CURATE", "CURATE_TERM", "Draft", "draft_version", "span_value"]

ID_PREFIX = {"consent": "consent", "contract": "contract", "legal-obligation": "legal-obligation",
             "legitimate-interests": "li", "public-interest": "public-interest", "vital-interests": "vital-interests",
             NOT_STATED: ""}
#: From how many rows of the base (and which share of them) left unmatched a draft warns of a truncated capture.
MISSING_ROWS, MISSING_SHARE = 3, 0.25


@dataclass
class Draft:
    """A drafted version: its processes, notice.yaml text, the curation list and what it was drafted from, and why."""

    name: str
    base: str | None
    processes: list[dict[str, Any]]
    notice: str | None
    curation: list[dict[str, Any]] = field(default_factory=list)
    matching: Matching | None = None
    counts: dict[str, int] = field(default_factory=dict)
    regime: str | None = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    regime_reason: str = ""


def basis_list(value: Any) -> list[str]:
    """The bases of a curated or drafted row as a list (none for `basis: not-stated`)."""
    return list(value) if isinstance(value, list) else []


def _term(found: Found, key: str) -> Any:
    return found.terms.get(key) if found.terms else None


def _main_basis(basis: list[str] | None) -> str | None:
    return next((b for b in basis or [] if "A6-1" in b), basis[0] if basis else None)


def _new_refs(parsed: ParsedPolicy, bases: list[list[str] | None], audiences: list[str | None]) -> list[RowRef]:
    out = []
    for k, row in enumerate(parsed.rows):
        why_lead = row.why.text[:title_end(row.why.text)]
        labels = [a for a in (audiences[k], row.audience.text if row.audience else None) if a]
        out.append(row_ref(row.title.plain, _main_basis(bases[k]) or row.basis_key, labels,
                           (row.title.plain, why_lead), k / max(len(parsed.rows), 1)))
    return out


def _unique_id(title: str, basis_key: str, taken: set[str]) -> str:
    words = [w for w in re.sub(r"[^a-z0-9]+", " ", title.lower()).split() if w not in {"the", "and", "of", "to", "your", "our", "a", "on"}]
    base = "-".join([p for p in [ID_PREFIX.get(basis_key, basis_key)] if p] + words[:4]) or "row"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def draft_version(text: str, path: Path | None, name: str, registry: Registry, phrases: PhraseTable, parsed: ParsedPolicy,
                  links: Path | None = None, texts_dir: str | Path | None = None,
                  jurisdiction: str | None = None) -> Draft:
    """Draft the processes and notice of a text (already read as `parsed`) from the closest curated version of its
    regime (the registered jurisdiction, else the regime the text states, else `jurisdiction`), or from scratch."""
    choice = choose_base(registry, name, parsed, jurisdiction)
    base = choice.base
    cur = Curation(text)
    old_pairs: list[tuple[Row, dict[str, Any]]] = []
    base_parsed = None
    if base is not None:
        base_parsed = parse_version_text(base, texts_dir)
        base_path = base.data_dir / "processes.yaml"
        old_pairs = pair_curated_rows(base_parsed, load_fast(base_path), base_path)
    bases, audiences = _bases_and_audiences(parsed, phrases)
    old_refs = [row_ref(p["id"], _main_basis(basis_list(p["basis"])) or NOT_STATED,
                        [p.get("audience") or "", r.audience.text if r.audience else ""],
                        (p["title"], r.title.plain), k / max(len(old_pairs), 1)) for k, (r, p) in enumerate(old_pairs)]
    overrides = load_links(links, base.name, name) if links and base else []
    matching = match_rows(old_refs, _new_refs(parsed, [b[0] for b in bases], [a[0] for a in audiences]), overrides)
    taken = {p["id"] for _, p in old_pairs}
    carry = Carrier(base_parsed.text, text, cur) if base_parsed else None
    processes = []
    for k, row in enumerate(parsed.rows):
        pair = matching.old_for(k)
        old_row, old = old_pairs[pair.old] if pair else (None, None)
        proc = _process(row, old, pair, bases[k], audiences[k], phrases, text, cur, taken)
        if old and carry and old_row and base:
            carry.row_extras(old, proc)
            recheck_row(cur, proc["id"], old_row, row, base.name)
        processes.append(proc)
    for i in matching.unmatched_old:  # only rows of a base version can be left unmatched
        proc = old_pairs[i][1]
        cur.add(proc["id"], "row", f"a row of {base.name if base else 'the base'} that matched nothing in this text "
                f"(title {proc['title']!r})")
    warnings = list(choice.warnings)
    missing = len(matching.unmatched_old)
    if base and missing >= MISSING_ROWS and missing >= MISSING_SHARE * len(old_pairs):
        titles = ", ".join(repr(old_pairs[i][1]["title"][:50]) for i in matching.unmatched_old[:3])
        warnings.append(f"{missing} of the {len(old_pairs)} rows of {base.name} match nothing in this text (e.g. "
                        f"{titles}): a truncated capture? Check the text before curating the draft")
    if base and base_parsed:
        notice = carry_notice(base, base_parsed, parsed, text, cur, path, carry.anchors if carry else None)
    else:
        notice = None
        cur.add("notice.yaml", "all", f"no curated {regime_label(choice.regime)} version to carry notice.yaml from: "
                "write it by hand (source, notice, controller, contact, rights, retention … with their spans), as the "
                "curated versions do")
    draft = Draft(name, base.name if base else None, processes, notice, cur.entries, matching,
                  regime=choice.regime, reason=choice.reason, warnings=warnings, regime_reason=choice.how)
    draft.counts = _counts(processes, cur.entries, matching, parsed)
    return draft


def _bases_and_audiences(parsed: ParsedPolicy, phrases: PhraseTable) -> tuple[list[tuple[list[str] | None, Found | None]],
                                                                            list[tuple[str | None, Found | None]]]:
    bases: list[tuple[list[str] | None, Found | None]] = []
    audiences: list[tuple[str | None, Found | None]] = []
    for row in parsed.rows:
        if row.basis is None:  # the text states no basis (and so no audience group) for the row
            bases.append((None, None))
            audiences.append((None, None))
            continue
        found = phrases.lookup("basis", row.basis.text)
        bases.append((_term(found, "basis"), found))
        if row.audience is not None:
            aud = phrases.lookup("audience", row.audience.text)
            audiences.append((_term(aud, "audience"), aud))
        else:
            audiences.append((_term(found, "audience"), None))
    return bases, audiences


def _stated_basis(row: Row, old: dict[str, Any] | None, ident: str, basis: tuple[list[str] | None, Found | None],
                  cur: Curation) -> list[str]:
    """The row's bases from its basis heading (the matched row's when they agree), with what to check listed."""
    basis_terms, basis_found = basis
    assert row.basis is not None and basis_found is not None
    if basis_found.how != "exact":
        cur.flag(ident, "basis", basis_found, row.basis, "basis heading")
    old_bases = basis_list(old["basis"]) if old else []
    if old and old_bases and _main_basis(old_bases) == _main_basis(basis_terms):
        return old_bases
    if old and basis_terms:
        said = ", ".join(old_bases) or "none stated"
        cur.add(ident, "basis", f"basis differs from the matched row of the earlier version ({said})", row.basis)
    return basis_terms or [CURATE_TERM]


def _process(row: Row, old: dict[str, Any] | None, pair, basis: tuple[list[str] | None, Found | None],
             audience: tuple[str | None, Found | None], phrases: PhraseTable, text: str, cur: Curation,
             taken: set[str]) -> dict[str, Any]:
    title = row.title.plain
    ident = old["id"] if old else _unique_id(title, row.basis_key, taken)
    stated = row.basis is not None
    basis_value: list[str] | str = _stated_basis(row, old, ident, basis, cur) if stated else NOT_STATED
    audience_term, audience_found = audience
    if stated and audience_found is not None and audience_found.how != "exact":
        if old and old.get("audience") and audience_found.how == "none":
            audience_term = old["audience"]
            cur.add(ident, "audience", "audience heading not known: the matched row's audience was reused, review", row.audience)
        elif row.audience is not None:  # a found audience comes from the row's own audience heading
            cur.flag(ident, "audience", audience_found, row.audience, "audience heading")
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
    proc["basis"] = basis_value
    if stated:  # a row whose text states no basis has no audience group either: no key (not a placeholder)
        proc["audience"] = audience_term or CURATE_TERM
    if row.audience is not None:
        proc["audience_span"] = span_value(text, row.audience)
    for key in ("purposes", "processing", "recipients"):
        proc[key] = list(old.get(key, [])) if old else None
    if not old:
        context = {"basis": proc["basis"], "audience": proc["audience"]} if stated else {"basis": NOT_STATED}
        found = phrases.lookup("title", row.title.text, context)
        for key in ("purposes", "processing", "recipients"):
            proc[key] = list(_term(found, key) or ([] if key == "recipients" else [CURATE_TERM]))
            if key != "recipients" or found.how != "none":
                cur.flag(ident, key, found, row.title, "row title")
            known = basis_list(found.terms.get("basis")) if found.terms else []
            if key != "recipients" and found.how == "exact" and known != basis_list(proc["basis"]):
                cur.add(ident, key, f"taken from a curated row with this title under another basis ({', '.join(known) or 'none'}"
                        f" where this row states {', '.join(basis_list(proc['basis'])) or 'none'}): check it against this "
                        "row's own words", row.title)
    if not proc["recipients"]:
        del proc["recipients"]
    if old and old.get("note"):
        proc["note"] = old["note"]
    interests = []
    for piece in row.interests:
        found = phrases.lookup("interest", piece.text)
        cur.flag(ident, "interests", found, piece, "interest")
        interests.append({"interest": _term(found, "interest") or CURATE_TERM, "span": span_value(text, piece)})
    if interests:
        proc["interests"] = interests
    proc["data"] = [_data_entry(item, phrases, text, cur, ident) for item in row.items]
    return proc


def _data_entry(item, phrases: PhraseTable, text: str, cur: Curation, ident: str) -> dict[str, Any]:
    found = phrases.lookup("item", item.piece.text)
    cur.flag(ident, "data", found, item.piece, "item")
    under = _term(found, "under")
    if under is None:
        category = phrases.lookup("category", item.category.text)
        under = _term(category, "under")
        if category.how != "exact":
            cur.flag(ident, "data.under", category, item.category, "category heading")
    entry: dict[str, Any] = {"items": list(_term(found, "items") or [CURATE_TERM]), "under": under or CURATE_TERM,
                             "span": span_value(text, item.piece)}
    if _term(found, "qualifier"):
        entry["qualifier"] = _term(found, "qualifier")
    return entry


def _counts(processes, entries, matching: Matching, parsed: ParsedPolicy) -> dict[str, int]:
    phrases = [e for e in entries if e["field"] in ("data", "interests") and "since" not in e]
    listed = {(e["row"], e.get("span", [None])[0]) for e in phrases}
    items = sum(len(p["data"]) for p in processes)
    interests = sum(len(p.get("interests", [])) for p in processes)
    return {"rows": len(parsed.rows), "rows matched": len(matching.pairs), "rows new": len(matching.unmatched_new),
            "earlier rows unmatched": len(matching.unmatched_old), "items": items, "interests": interests,
            "phrases aligned": items + interests - len(listed), "phrases to curate": len(phrases),
            "curation entries": len(entries)}

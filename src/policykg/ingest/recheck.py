"""When a matched row's words change, what was drawn from them goes back to a person (issue 16): the purposes and
processing drawn from its title and why-and-how text, and the items of its information list, each listed in
curation.yaml as an entry to re-check instead of being carried over silently."""

from __future__ import annotations

from policykg.ingest.curation import Curation, word_changes
from policykg.ingest.phrases import FUZZY
from policykg.text.rows import Row
from policykg.text.words import normalise, similarity

#: What a row's purposes and processing are drawn from.
WORDS = (("title", "title"), ("why-and-how text", "why"))


def recheck_row(cur: Curation, ident: str, old: Row, new: Row, base: str) -> None:
    """List, for a row matched to a row of the base version, what must be re-curated because its words changed."""
    changed = []
    for what, attr in WORDS:
        a, b = normalise(getattr(old, attr).text), normalise(getattr(new, attr).text)
        if a != b:
            changed.append(f"{what}: {word_changes(a, b)}")
    if changed:
        for key in ("purposes", "processing"):
            cur.add(ident, key, f"the row's words changed since {base} ({'; '.join(changed)}): re-check the {key} "
                    "drawn from them", new.why, since=base)
    before = [normalise(i.piece.text) for i in old.items]
    after = [normalise(i.piece.text) for i in new.items]
    flagged = {e["span"][0] for e in cur.entries if e["row"] == ident and e["field"] == "data" and "span" in e}
    added = [item for item, key in zip(new.items, after, strict=True) if key not in before]
    removed = [key for key in before if key not in after]
    reworded = {a for a in removed if any(similarity(a, normalise(item.piece.text), FUZZY) >= FUZZY for item in added)}
    for item in added:
        if item.piece.start not in flagged:
            cur.add(ident, "data", f"newly listed in this row since {base}: check its terms and whether the row's "
                    "purposes still cover it", item.piece, since=base)
    gone = [a for a in removed if a not in reworded]
    if gone:
        listed = "; ".join(f'"{a[:60]}"' for a in gone[:5]) + (" …" if len(gone) > 5 else "")
        cur.add(ident, "data", f"no longer listed in this row since {base}: {listed}: re-check what was drawn from "
                "them (purposes, derived data, exclusions)", new.row, since=base)

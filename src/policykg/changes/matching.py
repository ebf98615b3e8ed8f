"""Match the rows of two versions of a policy (same or other jurisdiction): pairs with a score and a reason.

Pure: give it two lists of `RowRef` (basis, audience labels, title variants, position) and optional overrides;
it returns matched pairs, best first, and the rows left unmatched on each side. Used by `policykg ingest` to carry
curation forward, and meant for linking processes across versions (prov:wasRevisionOf) and jurisdictions.
Overrides for what scoring cannot decide live in data/links.yaml (`load_links`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policykg.errors import SourceError
from policykg.sources.schema_types import NOT_STATED
from policykg.sources.yaml_io import read_yaml
from policykg.text.words import normalise, similarity

#: Weights of title, audience and basis agreement in a pair's score, and the least score (and title
#: similarity) a pair needs. A reworded title (~0.8 alike) with the same basis and audience scores ~0.9;
#: the same title on another basis (UK contract vs EU consent) still scores ~0.8.
WEIGHTS = {"title": 0.55, "audience": 0.25, "basis": 0.2}
MIN_SCORE = 0.6
MIN_TITLE = 0.5
#: Titles are compared on their first characters (a 'why and how' lead can be a whole paragraph).
TITLE_MAX = 160


@dataclass(frozen=True)
class RowRef:
    """What matching knows of a row: a key (id or title), its basis, audience labels and title variants."""

    key: str
    basis: str
    audiences: frozenset[str]
    titles: tuple[str, ...]
    position: float = 0.0


@dataclass(frozen=True)
class Pair:
    """Old row `old` and new row `new` (indexes) are the same row; how sure, and why."""

    old: int
    new: int
    score: float
    reason: str


@dataclass(frozen=True)
class Matching:
    """The matched pairs and the rows matched on neither side."""

    pairs: tuple[Pair, ...]
    unmatched_old: tuple[int, ...]
    unmatched_new: tuple[int, ...]

    def new_for(self, old: int) -> Pair | None:
        """The pair an old row is in, if any."""
        return next((p for p in self.pairs if p.old == old), None)

    def old_for(self, new: int) -> Pair | None:
        """The pair a new row is in, if any."""
        return next((p for p in self.pairs if p.new == new), None)


def row_ref(key: str, basis: str, audiences: Iterable[str], titles: Iterable[str], position: float = 0.0) -> RowRef:
    """A RowRef with its audience labels and titles normalised."""
    return RowRef(key, basis, frozenset(normalise(a) if " " in a else a for a in audiences if a),
                  tuple(dict.fromkeys(normalise(t) for t in titles if t)), position)


def _audience_score(a: frozenset[str], b: frozenset[str]) -> float:
    if a & b or (not a and not b):
        return 1.0
    texts_a = [x for x in a if " " in x]
    texts_b = [x for x in b if " " in x]
    return max((similarity(x, y) for x in texts_a for y in texts_b), default=0.0)


@lru_cache(maxsize=65536)
def _title_similarity(a: str, b: str, floor: float = 0.0) -> float:
    return similarity(a[:TITLE_MAX], b[:TITLE_MAX], floor)


def score(old: RowRef, new: RowRef, *, cut: bool = False) -> tuple[float, str]:
    """How alike two rows are (0–1) and what differs. Where one row's notice states no basis (and so no audience:
    the global notice, `basis` "not-stated"), basis and audience count neither for nor against: the title decides.
    With cut=True a pair that cannot reach MIN_SCORE is not scored exactly (its title similarity is only bounded: a
    score below MIN_SCORE comes back), which is what matching needs and much faster."""
    penalty = 0.02 * abs(old.position - new.position)
    one_side_unstated = NOT_STATED in (old.basis, new.basis) and old.basis != new.basis
    if one_side_unstated:
        audience, basis, weight, rest = 1.0, 1.0, 1.0, -penalty
    else:
        audience = _audience_score(old.audiences, new.audiences)
        basis = 1.0 if old.basis == new.basis else 0.0
        weight = WEIGHTS["title"]
        rest = WEIGHTS["audience"] * audience + WEIGHTS["basis"] * basis - penalty
    floor = max(MIN_TITLE, (MIN_SCORE - rest) / weight) - 0.001 if cut else 0.0
    if floor > 1.0:
        return 0.0, "cannot reach the matching score"
    title = max((_title_similarity(a, b, floor) for a in old.titles for b in new.titles), default=0.0)
    total = weight * title + rest
    differences = []
    if title < 1.0:
        differences.append(f"title reworded ({title:.2f})")
    if one_side_unstated:
        differences.append("basis and audience not stated on one side")
    if audience < 1.0:
        differences.append(f"audience renamed ({audience:.2f})")
    if basis < 1.0:
        differences.append(f"basis differs ({old.basis} → {new.basis})")
    if title < MIN_TITLE:
        total = min(total, MIN_SCORE - 0.01)
    return round(max(total, 0.0), 4), "; ".join(differences) or "same basis, audience and title"


def match_rows(old: Sequence[RowRef], new: Sequence[RowRef], overrides: Iterable[tuple[str, str]] = ()) -> Matching:
    """Pair rows of two versions: overrides first, then the best-scoring pairs above MIN_SCORE, one-to-one."""
    pairs: list[Pair] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for old_key, new_key in overrides:
        i = next((k for k, r in enumerate(old) if r.key == old_key and k not in used_old), None)
        j = next((k for k, r in enumerate(new) if k not in used_new and (r.key == new_key or normalise(new_key) in r.titles)), None)
        if i is not None and j is not None:
            pairs.append(Pair(i, j, 1.0, "override (data/links.yaml)"))
            used_old.add(i)
            used_new.add(j)
    candidates = []
    for i, a in enumerate(old):
        if i in used_old:
            continue
        for j, b in enumerate(new):
            if j in used_new:
                continue
            value, reason = score(a, b, cut=True)
            if value >= MIN_SCORE:
                candidates.append((value, -abs(a.position - b.position), i, j, reason))
    for value, _, i, j, reason in sorted(candidates, reverse=True):
        if i in used_old or j in used_new:
            continue
        pairs.append(Pair(i, j, value, reason))
        used_old.add(i)
        used_new.add(j)
    pairs.sort(key=lambda p: p.new)
    return Matching(tuple(pairs), tuple(i for i in range(len(old)) if i not in used_old),
                    tuple(j for j in range(len(new)) if j not in used_new))


def load_links(path: Path, old_version: str, new_version: str) -> list[tuple[str, str]]:
    """Overrides for one pair of versions from data/links.yaml (its `revisions` and `counterparts`, each
    `{old: <version>/<id>, new: <version>/<id>, reason, title?}`): (old row id, new row id or title)."""
    if not path.is_file():
        return []
    data = read_yaml(path) or {}
    out = []
    for entry in [*(data.get("revisions") or []), *(data.get("counterparts") or [])] if isinstance(data, dict) else []:
        if not isinstance(entry, dict) or not {"old", "new"} <= entry.keys():
            line = entry.get("__line__") if isinstance(entry, dict) else None
            raise SourceError("each link needs old and new as <version>/<process id>", path=path, line=line)
        (a_version, _, a_id), (b_version, _, b_id) = str(entry["old"]).partition("/"), str(entry["new"]).partition("/")
        if (a_version, b_version) == (old_version, new_version):
            out.append((a_id, entry.get("title") or b_id))
        elif (a_version, b_version) == (new_version, old_version):
            out.append((b_id, a_id))
    return out

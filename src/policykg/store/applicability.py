"""Which competency questions a dataset can answer, and why not (decision 30).

A question is written once and asked of any version: it reads "the notice of this dataset", never a version's IRI.
Its header says what it needs, machine-readably:

- `# dataset: all` - it compares versions, so it is asked of every graph at once, never of one version;
  a question without that line asks about one version's notice, so it is never asked of every version at once
  (it would mix them);
- `# requires: KIND, ...` - what the version's notice must state for the question to mean anything, one of
  REQUIREMENTS (`dpv`: the DPV vocabulary must be loaded).

What a version does not state is read from its graph (the not-stated.rq query): a notice whose processes record
`pko:statesLegalBasis false` states no legal basis (likewise `pko:statesAudience`, `pko:statesLegitimateInterest`),
and a notice without `dpv:hasApplicableLaw` names no applicable law. The refusal is a sentence saying why, which the
command line prints (exit 2), the query page shows and the notebook helpers raise (NotApplicable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from policykg.store.questions import CompetencyQuestion

#: The dataset name meaning every graph at once.
ALL = "all"
#: The analysis query (policykg/store/sparql/) that says, per version, what its notice does not state.
NOT_STATED_QUERY = "not-stated"


@dataclass(frozen=True)
class Requirement:
    """One thing a question may need: what the question is about (for the reason) and what a version lacking it
    does not state."""

    about: str
    lacking: str


#: What a question may require (`# requires:` line), by kind. A kind other than dpv is a statement the version's
#: notice must make; not-stated.rq tells which versions do not make it.
REQUIREMENTS: dict[str, Requirement] = {
    "dpv": Requirement("needs the DPV vocabulary (its hierarchy of purposes, data and rights)",
                       "was loaded without the DPV vocabulary"),
    "legal-bases": Requirement("is about legal bases", "states no legal basis for its processing"),
    "legitimate-interests": Requirement("is about legitimate interests", "states no legitimate interest"),
    "audiences": Requirement("is about whom each processing is for (minors, adults, people without an account)",
                             "states no audience for its processing"),
    "applicable-law": Requirement("is about the applicable law and the supervisory authority",
                                  "names no applicable data-protection law or supervisory authority"),
}
#: The kinds that are statements of a notice (read from the graph), as opposed to what the store holds (dpv).
STATEMENT_KINDS = tuple(kind for kind in REQUIREMENTS if kind != "dpv")


@dataclass(frozen=True)
class VersionFacts:
    """What one version's notice does not state, and its jurisdiction (for the wording of a refusal)."""

    name: str
    jurisdiction: str | None = None
    not_stated: frozenset[str] = frozenset()

    def describe(self) -> str:
        """The notice in words: 'the global notice (meta-global-2025-12-16)'."""
        if not self.jurisdiction:
            return f"the notice of {self.name}"
        region = self.jurisdiction.upper() if len(self.jurisdiction) <= 3 else self.jurisdiction  # uk -> UK
        return f"the {region} notice ({self.name})"


def facts_from_rows(rows: Iterable[dict[str, str]], versions: Iterable[str],
                    jurisdictions: dict[str, str] | None = None) -> dict[str, VersionFacts]:
    """VersionFacts of every version named, from the rows of not-stated.rq ({version, kind})."""
    missing: dict[str, set[str]] = {}
    for row in rows:
        missing.setdefault(row["version"], set()).add(row["kind"])
    known = jurisdictions or {}
    return {name: VersionFacts(name, known.get(name), frozenset(missing.get(name, ()))) for name in versions}


def refusal(cq: CompetencyQuestion, dataset: str, facts: VersionFacts | None = None, *,
            versions: Sequence[str] = (), dpv: bool = True) -> str | None:
    """Why a question cannot be asked of a dataset (a version's name, or 'all'), or None when it can.

    `facts` describes the version asked of (None: nothing is known to be unstated); `versions` are the versions the
    store holds (named in the advice); `dpv` says whether the store holds the DPV vocabulary."""
    if cq.dataset == ALL and dataset != ALL:
        return (f"{cq.name} compares versions: it is asked of every version at once (dataset 'all'), "
                f"not of one version ({dataset})")
    if cq.dataset != ALL and dataset == ALL:
        named = f" ({', '.join(versions)})" if versions else ""
        return (f"{cq.name} asks about one version's notice: asked of every version at once it would mix them; "
                f"ask it of one version{named}")
    if "dpv" in cq.requires and not dpv:
        return f"{cq.name} {REQUIREMENTS['dpv'].about}, and this store {REQUIREMENTS['dpv'].lacking}"
    if facts is None:
        return None
    for kind in STATEMENT_KINDS:
        if kind in cq.requires and kind in facts.not_stated:
            requirement = REQUIREMENTS[kind]
            return f"{cq.name} {requirement.about}: {facts.describe()} {requirement.lacking}"
    return None


def unknown_requirements(kinds: Iterable[str]) -> list[str]:
    """The kinds that are not in REQUIREMENTS (a typo would otherwise make a question apply everywhere)."""
    return sorted(kind for kind in kinds if kind not in REQUIREMENTS)

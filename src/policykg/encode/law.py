"""What the GDPR says about rights, as this project uses it: which rights each Art. 6(1) basis carries, and the
exceptions where the law ties a right to something other than the basis (decision 26).

The table is DPV 2.3's (`eu-gdpr:A6-1-x dpv:hasRight eu-gdpr:Ann`), kept here so that the build can apply it
without the DPV files; `tests/test_law.py` proves it equal to DPV's statements. The UK GDPR keeps the same
article numbers. Erasure is excluded under (c) and (e) (Art. 17(3)(b)), portability exists only under (a) and
(b) (Art. 20(1)(a)), objection only under (e) and (f) (Art. 21(1)).

A process carries a right when the notice offers it for the process's basis and the law attaches it to that basis
(`law_gives`), with these exceptions, each with its article (`EXCEPTIONS`):

- Art. 21(2)-(3): a person may object to processing for direct marketing, profiling for it included, whatever the
  basis, and the processing must then stop. In the UK the ICO treats online targeted advertising as direct
  marketing (its direct marketing guidance; its statement on O'Carroll v Meta), so there processing for
  personalised or targeted advertising carries the right too, where the notice offers the right to object at all.
- Art. 20(1): portability covers only the data the person provided (actively, or observed from their use of the
  service), processed on consent or a contract: not a processing that uses information from partners, vendors and
  third parties alone.
- Art. 22 (in the UK from 5 February 2026, Arts. 22A-22D): decisions based solely on automated processing with
  legal or similarly significant effects, whatever the basis; DPV's table pairs A22 with bases, and that pairing must
  not attach it. A process carries it only where it makes such decisions and the notice offers the right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policykg.namespaces import EU_GDPR

RIGHTS_BY_BASIS: dict[str, frozenset[str]] = {
    "A6-1-a": frozenset({"A7-3", "A13", "A14", "A15", "A16", "A17", "A18", "A20", "A22", "A77"}),
    "A6-1-b": frozenset({"A13", "A14", "A15", "A16", "A17", "A18", "A20", "A22", "A77"}),
    "A6-1-c": frozenset({"A13", "A15", "A16", "A18", "A77"}),
    "A6-1-d": frozenset({"A13", "A14", "A15", "A16", "A17", "A18", "A22", "A77"}),
    "A6-1-e": frozenset({"A13", "A14", "A15", "A16", "A18", "A21", "A22", "A77"}),
    "A6-1-f": frozenset({"A13", "A14", "A15", "A16", "A17", "A18", "A21", "A22", "A77"}),
}


@dataclass(frozen=True)
class RightException:
    """Where the law ties a right to something other than the legal basis: the right, its article and what it
    depends on instead."""

    right: str
    article: str
    depends_on: str


#: The exceptions to "rights offered for the basis ∩ rights the basis carries", each with its article.
EXCEPTIONS: tuple[RightException, ...] = (
    RightException("A21", "Art. 21(2)-(3)", "processing for direct marketing (in the UK, targeted advertising "
                   "too), whatever the basis, where the notice offers the right to object"),
    RightException("A20", "Art. 20(1)", "data the person provided, on consent or a contract: not information "
                   "from partners, vendors and third parties alone"),
    RightException("A22", "Art. 22 (UK: Arts. 22A-22D from 5 February 2026)", "decisions based solely on automated "
                   "processing, whatever the basis, where the notice offers the right"),
)


@dataclass(frozen=True)
class ProcessFacts:
    """What the exceptions depend on, for one process: direct marketing (or, in the UK, targeted advertising) among
    its purposes, data the person provided among its data, automated decisions among its processing."""

    direct_marketing: bool = False
    provided_data: bool = True
    automated_decisions: bool = False


def rights_of(basis_iri: str) -> frozenset[str] | None:
    """The rights (full IRIs) the GDPR attaches to an Art. 6(1) basis, or None for any other IRI."""
    code = basis_iri[len(str(EU_GDPR)):] if basis_iri.startswith(str(EU_GDPR)) else None
    if code not in RIGHTS_BY_BASIS:
        return None
    return frozenset(str(EU_GDPR[r]) for r in RIGHTS_BY_BASIS[code])


def law_gives(right_iri: str, basis_iris: list[str]) -> bool:
    """True when the right is attached by law to at least one of the given Art. 6(1) bases."""
    return any(right_iri in (rights_of(b) or frozenset()) for b in basis_iris)


def carries(right_iri: str, offered_for: Iterable[str], offered: bool, facts: ProcessFacts) -> bool:
    """Whether a process carries a right: the notice offers it for one of the process's bases (offered_for) and the
    law attaches it to that basis, or one of EXCEPTIONS applies (offered: the notice offers the right at all)."""
    bases = list(offered_for)
    if right_iri == str(EU_GDPR["A22"]):
        return offered and facts.automated_decisions
    if right_iri == str(EU_GDPR["A21"]) and facts.direct_marketing and offered:
        return True
    if right_iri == str(EU_GDPR["A20"]) and not facts.provided_data:
        return False
    return bool(bases) and law_gives(right_iri, bases)

"""What the GDPR says about rights, as this project uses it: which rights each Art. 6(1) basis carries.

The table is DPV 2.3's (`eu-gdpr:A6-1-x dpv:hasRight eu-gdpr:Ann`), kept here so that the build can apply it
without the DPV files; `tests/test_law.py` proves it equal to DPV's statements. The UK GDPR keeps the same
article numbers. Erasure is excluded under (c) and (e) (Art. 17(3)(b)), portability exists only under (a) and
(b) (Art. 20(1)(a)), objection only under (e) and (f) (Art. 21(1)).
"""

from __future__ import annotations

from policykg.namespaces import EU_GDPR

RIGHTS_BY_BASIS: dict[str, frozenset[str]] = {
    "A6-1-a": frozenset({"A7-3", "A13", "A14", "A15", "A16", "A17", "A18", "A20", "A22", "A77"}),
    "A6-1-b": frozenset({"A13", "A14", "A15", "A16", "A17", "A18", "A20", "A22", "A77"}),
    "A6-1-c": frozenset({"A13", "A15", "A16", "A18", "A77"}),
    "A6-1-d": frozenset({"A13", "A14", "A15", "A16", "A17", "A18", "A22", "A77"}),
    "A6-1-e": frozenset({"A13", "A14", "A15", "A16", "A18", "A21", "A22", "A77"}),
    "A6-1-f": frozenset({"A13", "A14", "A15", "A16", "A17", "A18", "A21", "A22", "A77"}),
}


def rights_of(basis_iri: str) -> frozenset[str] | None:
    """The rights (full IRIs) the GDPR attaches to an Art. 6(1) basis, or None for any other IRI."""
    code = basis_iri[len(str(EU_GDPR)):] if basis_iri.startswith(str(EU_GDPR)) else None
    if code not in RIGHTS_BY_BASIS:
        return None
    return frozenset(str(EU_GDPR[r]) for r in RIGHTS_BY_BASIS[code])


def law_gives(right_iri: str, basis_iris: list[str]) -> bool:
    """True when the right is attached by law to at least one of the given Art. 6(1) bases."""
    return any(right_iri in (rights_of(b) or frozenset()) for b in basis_iris)

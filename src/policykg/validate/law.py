"""Whose law, and as of when: the regime a notice states (its applicable law gives the jurisdiction whose rules run)
and the date whose law is applied (`law_as_of`: the version's effective date, a date given with `--as-of`, or the
date the notice itself records), said in words for every report (decision 25)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from policykg.errors import PolicyKGError
from policykg.namespaces import DPV
from policykg.validate.library import JURISDICTION_OF_LAW

#: The law each jurisdiction's shapes and rules apply, as a report names it.
REGIME: dict[str, str] = {
    "uk": "UK GDPR (with the Data Protection Act 2018, PECR and the ICO's Children's code)",
    "eu": "EU GDPR (with the ePrivacy rules as transposed in Ireland and the Digital Services Act)",
}
#: What a report says of a notice whose applicable law is none the rules know.
NOT_ASSESSED = ("not assessed against the UK GDPR / EU GDPR / DSA: the notice states no applicable law of those "
                "regimes")
#: Where a law_as_of date comes from, in words.
SOURCES: dict[str, str] = {
    "effective": "the version's effective date",
    "as-of": "the date asked for with --as-of",
    "notice": "the date the notice records (dct:valid)",
    "today": "today's date: neither --as-of nor the notice gives one",
}


@dataclass(frozen=True)
class LawAsOf:
    """The day whose law is applied, and where that day comes from (a key of SOURCES)."""

    day: date
    source: str

    def describe(self, jurisdiction: str | None) -> str | None:
        """'UK GDPR (…) as in force on 2026-03-01 (the date asked for with --as-of)', or None without a regime."""
        if jurisdiction not in REGIME:
            return None
        return f"{REGIME[jurisdiction]} as in force on {self.day.isoformat()} ({SOURCES[self.source]})"


def parse_day(text: str, what: str = "--as-of") -> date:
    """A YYYY-MM-DD date; PolicyKGError saying what was wrong otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PolicyKGError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def notice_jurisdictions(data: Graph) -> dict[Node, str]:
    """Each notice with an applicable law the rules know, and its jurisdiction."""
    out = {}
    for notice, law in data.subject_objects(DPV.hasApplicableLaw):
        if str(law) in JURISDICTION_OF_LAW and (notice, RDF.type, DPV.PrivacyNotice) in data:
            out[notice] = JURISDICTION_OF_LAW[str(law)]
    return out


def notices_without_regime(data: Graph) -> list[Node]:
    """The privacy notices in a graph that state no applicable law the rules know (e.g. Meta's global notice)."""
    known = notice_jurisdictions(data)
    return sorted((n for n in data.subjects(RDF.type, DPV.PrivacyNotice) if n not in known), key=str)


def notice_date(data: Graph) -> date | None:
    """The one date the graph's notices record (dct:valid), or None when there is none or several differ."""
    days = {str(v) for n in data.subjects(RDF.type, DPV.PrivacyNotice) for v in data.objects(n, DCTERMS.valid)
            if isinstance(v, Literal)}
    if len(days) != 1:
        return None
    try:
        return date.fromisoformat(days.pop()[:10])
    except ValueError:
        return None

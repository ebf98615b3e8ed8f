"""Gathering what the graph says about one IRI, for the linked-data pages (works on any backend)."""

from __future__ import annotations

from dataclasses import dataclass, field

from policykg.iris import SITE
from policykg.text.markdown import reading_text

from ..protocol.execution import select_rows

LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DESCRIPTIONS = ("http://purl.org/dc/terms/description", "http://www.w3.org/2004/02/skos/core#definition",
                "http://www.w3.org/2000/01/rdf-schema#comment")
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")


@dataclass
class Value:
    """An RDF term as a page shows it: the SPARQL JSON term, its label, and nested values for blank nodes."""

    term: dict
    label: str | None = None
    nested: list[tuple[Value, Value]] = field(default_factory=list)


@dataclass
class Span:
    """Where the policy says it: character offsets in the source text, the section link and the quoted text."""

    iri: str
    start: int | None
    end: int | None
    scope: str | None
    quote: str | None


@dataclass
class Description:
    """Everything a resource page shows."""

    iri: str
    label: str | None
    types: list[Value]
    descriptions: list[str]
    outgoing: list[tuple[Value, Value]]
    incoming: list[tuple[Value, Value]]
    spans: list[Span]

    def versions(self) -> list[tuple[str, Value]]:
        """The links to the same thing in other versions and jurisdictions, worded for people."""
        out = []
        for p, o in self.outgoing:
            what = VERSION_LINKS.get(p.term["value"])
            if what:
                out.append((what, o))
        return sorted(out, key=lambda pair: list(VERSION_LINKS.values()).index(pair[0]))

    @property
    def found(self) -> bool:
        """Whether the graph mentions the IRI at all."""
        return bool(self.outgoing or self.incoming)


#: Properties that link a resource to itself in other versions, in the order a page lists them.
VERSION_LINKS = {
    "http://www.w3.org/ns/prov#wasRevisionOf": "Previous version",
    "https://w3id.org/policykg/ontology#revisedAs": "Next version",
    "https://w3id.org/policykg/ontology#hasCounterpart": "Counterpart in the other jurisdiction",
    "http://purl.org/dc/terms/isVersionOf": "Every version (lineage)",
    "http://purl.org/dc/terms/hasVersion": "Version",
}


def _iri(iri: str) -> str:
    if any(ch in iri for ch in '<>"{}|^`\\ \n'):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def describe(iri: str, texts: dict[str, str]) -> Description:
    """The label, types, outgoing and incoming statements and source spans of an IRI."""
    node = _iri(iri)
    out_rows = select_rows(
        f"SELECT ?p ?o ?p2 ?o2 (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel) (SAMPLE(?pl2) AS ?p2label) "
        f"(SAMPLE(?ol2) AS ?o2label) WHERE {{ {node} ?p ?o . "
        f"OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 OPTIONAL {{ ?p2 {LABEL} ?pl2 }} OPTIONAL {{ ?o2 {LABEL} ?ol2 }} }} "
        f"OPTIONAL {{ ?p {LABEL} ?pl }} OPTIONAL {{ ?o {LABEL} ?ol }} }} "
        f"GROUP BY ?p ?o ?p2 ?o2 ORDER BY ?p ?o ?p2 ?o2 LIMIT 5000"
    )
    in_rows = select_rows(
        f"SELECT ?s ?p (SAMPLE(?sl) AS ?slabel) (SAMPLE(?pl) AS ?plabel) WHERE {{ ?s ?p {node} . "
        f"OPTIONAL {{ ?s {LABEL} ?sl }} OPTIONAL {{ ?p {LABEL} ?pl }} }} GROUP BY ?s ?p ORDER BY ?p ?s LIMIT 1000"
    )
    outgoing: list[tuple[Value, Value]] = []
    seen: dict[tuple[str, str, str], Value] = {}
    for row in out_rows:
        ident = (row["p"]["value"], row["o"]["type"], row["o"]["value"])
        obj = seen.get(ident)
        if obj is None:
            obj = _value(row, "o", "olabel")
            seen[ident] = obj
            outgoing.append((_value(row, "p", "plabel"), obj))
        if "p2" in row:
            obj.nested.append((_value(row, "p2", "p2label"), _value(row, "o2", "o2label")))
    incoming = [(_value(row, "s", "slabel"), _value(row, "p", "plabel")) for row in in_rows]
    return Description(
        iri=iri,
        label=next((o.term["value"] for p, o in outgoing if p.term["value"] in LABELS), None),
        types=[o for p, o in outgoing if p.term["value"] == RDF_TYPE],
        descriptions=[o.term["value"] for p, o in outgoing if p.term["value"] in DESCRIPTIONS],
        outgoing=outgoing,
        incoming=incoming,
        spans=spans(iri, texts),
    )


def spans(iri: str, texts: dict[str, str]) -> list[Span]:
    """The source spans an IRI was derived from (or the IRI itself, if it is a span), quoted from their version's
    text (a span's IRI names its version: https://w3id.org/policykg/<version>/span/<start>-<end>)."""
    node = _iri(iri)
    rows = select_rows(
        "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT DISTINCT ?span ?start ?end ?scope ?exact WHERE {{ "
        f"{{ {node} prov:wasDerivedFrom ?span }} UNION {{ {node} oa:hasSelector ?any BIND({node} AS ?span) }} "
        "OPTIONAL { ?span oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end } "
        "OPTIONAL { ?span oa:hasScope ?scope } "
        "OPTIONAL { ?span oa:hasSelector ?quoteSel . ?quoteSel oa:exact ?exact } "
        "} ORDER BY ?start LIMIT 200"
    )
    found = []
    for row in rows:
        start = _int(row.get("start"))
        end = _int(row.get("end"))
        quote = row["exact"]["value"] if "exact" in row else None
        source_text = texts.get(_version_of(row["span"]["value"]))
        if quote is None and source_text is not None and start is not None and end is not None \
                and 0 <= start < end <= len(source_text):
            quote = reading_text(source_text[start:end])
        scope = row["scope"]["value"] if "scope" in row else None
        found.append(Span(row["span"]["value"], start, end, scope, quote))
    return found


def _version_of(span_iri: str) -> str:
    """The version segment of an instance IRI (https://w3id.org/policykg/<version>/...)."""
    return span_iri.removeprefix(SITE).split("/", 1)[0]


def _int(term: dict | None) -> int | None:
    try:
        return int(term["value"]) if term else None
    except ValueError:
        return None


def _value(row: dict, var: str, label_var: str) -> Value:
    label = row.get(label_var)
    return Value(row[var], label["value"] if label else None)

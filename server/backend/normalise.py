"""Standard answers whatever the engine: read what a remote SPARQL engine returned, repair the known deviations,
and serialise it as the embedded endpoint would (pyoxigraph's serialisers), in the format the client asked for.

Deviations repaired (all seen on Virtuoso 7.2): `typed-literal` terms in SPARQL JSON; ASK answered as a one-row
SELECT of `__ASK_RETVAL` 1/0; xsd:boolean values written `1`/`0`; blank-node labels that are not valid labels
(`nodeID://b10023`); `@prefix` lines in the middle of Turtle; duplicate triples in a CONSTRUCT answer (a graph is a
set). CSV and TSV from an engine are never read (they lose term kinds; Virtuoso's TSV is not even SPARQL TSV):
the backend is asked for SPARQL JSON or XML, or N-Triples, Turtle or RDF/XML, and the client's format is made here.

What cannot be repaired here is left to the queries: an engine that evaluates `EXISTS {...}` to the integer 1
(Virtuoso) answers with an integer, which no proxy can tell from a real one (queries/ casts to xsd:boolean).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, cast

import pyoxigraph as ox

from policykg.store.formats import BY_KEY, rdf_with_prefixes
from policykg.store.jobs import CappedBuffer, ResultTooLarge

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_SRX = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_BNODE_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(?<!\.)$")

JSON_TYPES = ("application/sparql-results+json", "application/json")
XML_TYPES = ("application/sparql-results+xml", "application/xml", "text/xml")
#: What the proxy asks a backend for: SPARQL results it can read exactly, or RDF it can parse.
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"


class BadAnswer(Exception):
    """The backend's answer is not SPARQL results or RDF that can be read."""


@dataclass
class Solutions:
    """SPARQL results in a neutral form: variables and rows of standard SPARQL JSON terms, or a boolean."""

    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, dict]] = field(default_factory=list)
    boolean: bool | None = None


class _BlankNodes:
    """Valid, stable labels for an answer's blank nodes (the same engine label gets the same label)."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, label: str) -> str:
        if label not in self.labels:
            candidate = label if _BNODE_LABEL.match(label) else "b" + re.sub(r"[^A-Za-z0-9_]", "_", label)
            while candidate in self.used:
                candidate += "_"
            self.labels[label] = candidate
            self.used.add(candidate)
        return self.labels[label]


def read_results(body: bytes, media_type: str) -> Solutions:
    """Read SPARQL 1.1 JSON (Virtuoso's `typed-literal` too) or XML results."""
    try:
        if media_type in JSON_TYPES:
            return _read_json(json.loads(body))
        if media_type in XML_TYPES:
            return _read_xml(ET.fromstring(body))
    except (ValueError, KeyError, TypeError, AttributeError, ET.ParseError) as exc:
        raise BadAnswer(f"the backend's {media_type} answer cannot be read: {exc}") from None
    raise BadAnswer(f"the backend answered in {media_type}, not in SPARQL JSON or XML results")


def _read_json(doc: dict) -> Solutions:
    if "boolean" in doc:
        return Solutions(boolean=_as_bool(doc["boolean"]))
    bnodes = _BlankNodes()
    variables = list(doc.get("head", {}).get("vars", []))
    rows = [{name: _json_term(term, bnodes) for name, term in binding.items()}
            for binding in doc["results"]["bindings"]]
    return Solutions(variables, rows)


def _json_term(term: dict, bnodes: _BlankNodes) -> dict:
    kind = term["type"]
    if kind == "uri":
        return {"type": "uri", "value": term["value"]}
    if kind == "bnode":
        return {"type": "bnode", "value": bnodes(term["value"])}
    if kind in ("literal", "typed-literal"):
        return _literal(term["value"], term.get("xml:lang"), term.get("datatype"))
    if kind == "triple":  # RDF-star
        value = term["value"]
        return {"type": "triple", "value": {k: _json_term(value[k], bnodes) for k in ("subject", "predicate", "object")}}
    raise ValueError(f"unknown term type {kind!r}")


def _read_xml(root: ET.Element) -> Solutions:
    if root.tag != _SRX + "sparql":
        raise ValueError(f"the root element is {root.tag}, not sparql")
    boolean = root.find(_SRX + "boolean")
    if boolean is not None:
        return Solutions(boolean=_as_bool((boolean.text or "").strip()))
    variables = [v.get("name", "") for v in root.iterfind(f"{_SRX}head/{_SRX}variable")]
    bnodes = _BlankNodes()
    rows = []
    for result in root.iterfind(f"{_SRX}results/{_SRX}result"):
        rows.append({b.get("name", ""): _xml_term(b[0], bnodes) for b in result.iterfind(_SRX + "binding")})
    return Solutions(variables, rows)


def _xml_term(element: ET.Element, bnodes: _BlankNodes) -> dict:
    tag = element.tag.removeprefix(_SRX)
    text = element.text or ""
    if tag == "uri":
        return {"type": "uri", "value": text.strip()}
    if tag == "bnode":
        return {"type": "bnode", "value": bnodes(text.strip())}
    if tag == "literal":
        return _literal(text, element.get(_XML_LANG), element.get("datatype"))
    if tag == "triple":
        parts = {part.tag.removeprefix(_SRX): _xml_term(part[0], bnodes) for part in element}
        return {"type": "triple", "value": parts}
    raise ValueError(f"unknown term element {tag!r}")


def _literal(value: str, lang: str | None, datatype: str | None) -> dict:
    if lang:
        return {"type": "literal", "value": value, "xml:lang": lang}
    if datatype == XSD + "boolean":
        value = {"1": "true", "0": "false"}.get(value.strip(), value)
    if not datatype or datatype in (XSD + "string", RDF_LANGSTRING):
        return {"type": "literal", "value": value}
    return {"type": "literal", "value": value, "datatype": datatype}


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"{value!r} is not a boolean")


def as_ask(solutions: Solutions) -> bool:
    """The boolean an ASK was answered with, also when the engine sent it as a one-row, one-column SELECT."""
    if solutions.boolean is not None:
        return solutions.boolean
    if not solutions.rows:
        return False
    if len(solutions.rows) == 1 and len(solutions.rows[0]) == 1:
        (term,) = solutions.rows[0].values()
        if term.get("type") == "literal":
            try:
                return _as_bool(term["value"])
            except ValueError:
                pass
    raise BadAnswer("the backend answered an ASK query with solutions, not a boolean")


def serialise_results(solutions: Solutions, format_key: str, limit: int) -> bytes:
    """The results in one of the endpoint's result formats, as pyoxigraph writes them (raises ResultTooLarge)."""
    if solutions.boolean is not None:
        doc = {"head": {}, "boolean": solutions.boolean}
    else:
        doc = {"head": {"vars": solutions.variables}, "results": {"bindings": solutions.rows}}
    parsed = ox.parse_query_results(json.dumps(doc).encode(), ox.QueryResultsFormat.JSON)
    return _capped(lambda out: parsed.serialize(out, BY_KEY[format_key].results_format()), limit)


def read_graph(body: bytes, media_type: str) -> list[ox.Triple]:
    """The triples of an RDF answer (N-Triples, Turtle, RDF/XML, ...), without duplicates, in their order."""
    try:
        rdf_format = ox.RdfFormat.from_media_type(media_type)
    except ValueError:
        rdf_format = None
    if rdf_format is None:
        raise BadAnswer(f"the backend answered in {media_type}, which is not an RDF syntax this endpoint reads")
    try:
        seen: dict[ox.Triple, None] = {}
        for quad in ox.parse(body, format=rdf_format):
            seen.setdefault(ox.Triple(quad.subject, quad.predicate, quad.object), None)
    except (SyntaxError, ValueError) as exc:
        raise BadAnswer(f"the backend's {media_type} answer cannot be read: {exc}") from None
    return list(seen)


def serialise_graph(triples: list[ox.Triple], format_key: str, limit: int) -> bytes:
    """The triples in one of the endpoint's RDF formats (raises ResultTooLarge)."""
    return _capped(lambda out: rdf_with_prefixes(triples, format_key, out), limit)


def _capped(write: Callable[[IO[bytes]], object], limit: int) -> bytes:
    """What write() writes, stopped with ResultTooLarge once it passes limit bytes (the serialiser's own error
    when the buffer overflowed mid-write is that too)."""
    buffer = CappedBuffer(limit)
    try:
        write(cast("IO[bytes]", buffer))
    except ResultTooLarge:
        raise
    except Exception:
        if buffer.overflowed:
            raise ResultTooLarge() from None
        raise
    return buffer.getvalue()

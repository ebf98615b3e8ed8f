"""Query results in a neutral form: reading and writing SPARQL 1.1 JSON and CSV results, and comparing two results.

Results are compared as a multiset of rows, or as a sequence where the query says ORDER BY, and literals by value:
numbers numerically whatever their numeric datatype or lexical form (`"24203"^^xsd:nonNegativeInteger` equals
`24203`), booleans by truth value (`"0"^^xsd:boolean` equals `false`), so that the same question gives the same
answer on any engine. SPARQL leaves the order of GROUP_CONCAT's values to the engine, so `concatenated` variables
compare as the multiset of their space-separated items.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: A term as the SPARQL JSON results format writes it: type, value and (for literals) datatype or xml:lang.
Term = tuple[str, str, str]


@dataclass(frozen=True)
class QueryResult:
    """A SELECT or ASK result in a neutral form: variables and rows of terms, or a boolean."""

    variables: tuple[str, ...] = ()
    rows: tuple[dict[str, Term], ...] = ()
    boolean: bool | None = None

    @property
    def is_boolean(self) -> bool:
        """True for an ASK result."""
        return self.boolean is not None

    def values(self) -> list[dict[str, str]]:
        """The rows as {variable: lexical value} (unbound variables left out)."""
        return [{name: term[1] for name, term in row.items()} for row in self.rows]


def _term_from_json(term: dict[str, Any]) -> Term:
    kind = term["type"]
    if kind == "uri":
        return ("uri", term["value"], "")
    if kind == "bnode":
        return ("bnode", term["value"], "")
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in term:
            return ("literal", term["value"], "@" + term["xml:lang"].lower())
        datatype = term.get("datatype", "")
        return ("literal", term["value"], "" if datatype in (XSD_STRING, RDF_LANGSTRING) else datatype)
    raise ValueError(f"unsupported term type {kind!r} in SPARQL JSON results")


def from_sparql_json(data: dict[str, Any] | str | bytes) -> QueryResult:
    """Parse SPARQL 1.1 Query Results JSON (a dict, or its text)."""
    document: dict[str, Any] = json.loads(data) if isinstance(data, (str, bytes)) else data
    if "boolean" in document:
        return QueryResult(boolean=bool(document["boolean"]))
    variables = tuple(document.get("head", {}).get("vars", []))
    rows = tuple({name: _term_from_json(t) for name, t in b.items()} for b in document["results"]["bindings"])
    return QueryResult(variables, rows)


def from_sparql_csv(text: str) -> QueryResult:
    """Parse SPARQL 1.1 CSV results (terms lose their kind: IRIs are told apart by a scheme, the rest are literals)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    rows = []
    for record in reader:
        row: dict[str, Term] = {}
        for name, value in zip(header, record, strict=False):
            if value == "":
                continue
            kind = "uri" if re.match(r"^[a-z][a-z0-9+.-]*:", value) and " " not in value else "literal"
            row[name] = (kind, value, "")
        rows.append(row)
    return QueryResult(tuple(header), tuple(rows))


def to_sparql_json(result: QueryResult) -> dict[str, Any]:
    """The result as a SPARQL 1.1 Query Results JSON document."""
    if result.is_boolean:
        return {"head": {}, "boolean": result.boolean}
    bindings = []
    for row in result.rows:
        binding: dict[str, dict[str, str]] = {}
        for name in result.variables:
            if name not in row:
                continue
            kind, value, extra = row[name]
            term = {"type": kind, "value": value}
            if extra.startswith("@"):
                term["xml:lang"] = extra[1:]
            elif extra:
                term["datatype"] = extra
            binding[name] = term
        bindings.append(binding)
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def dumps_json(result: QueryResult) -> str:
    """The result as SPARQL JSON text with one binding per line: the format of the stored expected results."""
    doc = to_sparql_json(result)
    if result.is_boolean:
        return json.dumps(doc, ensure_ascii=False) + "\n"
    head = json.dumps(doc["head"], ensure_ascii=False)
    rows = ",\n".join("  " + json.dumps(b, ensure_ascii=False) for b in doc["results"]["bindings"])
    return f'{{"head": {head},\n "results": {{"bindings": [\n{rows}\n ]}}}}\n' if rows else \
        f'{{"head": {head},\n "results": {{"bindings": []}}}}\n'


def dumps_csv(result: QueryResult) -> str:
    """The result as SPARQL CSV text (lexical values only)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.is_boolean:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([row[name][1] if name in row else "" for name in result.variables])
    return out.getvalue()


def read_result(path: Path) -> QueryResult:
    """Read an expected result file (.srj SPARQL JSON, or .csv)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return from_sparql_csv(text)
    return from_sparql_json(text)


def _lexical(result: QueryResult) -> QueryResult:
    """The same result with every term reduced to its lexical value (to compare with CSV expectations)."""
    rows = tuple({name: ("uri" if t[0] == "uri" else "literal", t[1], "") for name, t in row.items()} for row in result.rows)
    return QueryResult(result.variables, rows, result.boolean)


def compare(expected: QueryResult, actual: QueryResult, *, ordered: bool = False, lexical: bool = False,
            concatenated: Iterable[str] = ()) -> list[str]:
    """Differences between two results (empty when equal): as a multiset of rows, or in order when `ordered`.

    Literals are compared by value (see the module docstring); with `lexical`, by their text alone; the values of the
    `concatenated` variables as multisets of their space-separated items.
    """
    if lexical:
        expected, actual = _lexical(expected), _lexical(actual)
    if expected.is_boolean or actual.is_boolean:
        if expected.boolean != actual.boolean:
            return [f"expected boolean {expected.boolean}, got {actual.boolean}"]
        return []
    problems: list[str] = []
    if set(expected.variables) != set(actual.variables):
        problems.append(f"variables differ: expected {list(expected.variables)}, got {list(actual.variables)}")
    joined = frozenset(concatenated)
    exp = [_row_key(r, joined) for r in expected.rows]
    act = [_row_key(r, joined) for r in actual.rows]
    if ordered:
        for i, (e, a) in enumerate(zip(exp, act, strict=False)):
            if e != a:
                problems.append(f"row {i + 1}: expected {_show(e)}, got {_show(a)}")
                break
        if len(exp) != len(act):
            problems.append(f"expected {len(exp)} rows, got {len(act)}")
        return problems
    missing = Counter(exp) - Counter(act)
    extra = Counter(act) - Counter(exp)
    for key, n in sorted(missing.items()):
        problems.append(f"missing {n}x {_show(key)}")
    for key, n in sorted(extra.items()):
        problems.append(f"unexpected {n}x {_show(key)}")
    return problems


def _row_key(row: dict[str, Term], concatenated: frozenset[str] = frozenset()) -> tuple[tuple[str, Term], ...]:
    return tuple(sorted((name, _items_sorted(term) if name in concatenated else value_key(term))
                        for name, term in row.items()))


def _items_sorted(term: Term) -> Term:
    kind, value, extra = term
    return (kind, " ".join(sorted(value.split())), extra)


def value_key(term: Term) -> Term:
    """A term as compared: a number as its canonical decimal value (datatype `numeric`), a boolean as true/false."""
    kind, value, datatype = term
    if kind != "literal":
        return term
    if datatype in _INTEGER_TYPES or datatype in _FLOAT_TYPES:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return term
        if not number.is_finite():
            return ("literal", str(number), "numeric")
        return ("literal", format(number.normalize(), "f"), "numeric")
    if datatype == _BOOLEAN:
        text = value.strip()
        return ("literal", {"1": "true", "0": "false"}.get(text, text), datatype)
    return term


def _show(key: tuple[tuple[str, Term], ...]) -> str:
    return "{" + ", ".join(f"{name}={value}{extra and ' ' + extra}" for name, (_, value, extra) in key) + "}"


def to_dataframe(result: QueryResult, *, typed: bool = True) -> pandas.DataFrame:
    """The result as a pandas DataFrame: one column per variable; numbers and booleans converted when `typed`."""
    import pandas as pd

    if result.is_boolean:
        return pd.DataFrame({"boolean": [result.boolean]})
    records = [{name: (_python_value(row[name]) if typed else row[name][1]) if name in row else None
                for name in result.variables} for row in result.rows]
    return pd.DataFrame.from_records(records, columns=list(result.variables))


_INTEGER_TYPES = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("decimal", "double", "float")}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _python_value(term: Term) -> Any:
    kind, value, datatype = term
    if kind != "literal":
        return value
    if datatype in _INTEGER_TYPES:
        return int(value)
    if datatype in _FLOAT_TYPES:
        return float(value)
    if datatype == _BOOLEAN:
        return value in ("true", "1")
    return value

"""What may reach an engine: a lexical look at a SPARQL request, then a strict SPARQL 1.1 parse.

The lexical pass finds the query form, updates (also behind Virtuoso's `DEFINE` pragmas or its `MODIFY`), `LOAD`,
`SERVICE` targets, IRIs in vendor schemes (`bif:`, `sql:`, `java:`) and the top-level `LIMIT`. Its tokenizer knows
strings, comments, IRIs, variables and prefixed names, so keywords hidden in any of those are not mistaken for real
ones, and real ones cannot be hidden from it.

Then `check_standard` has pyoxigraph's SPARQL 1.1 parser read the query, in a killable process and without
evaluating it: anything that is not standard SPARQL 1.1 is refused (400); and a reader of the token stream that
tells expressions from triple patterns refuses a call to any function other than the SPARQL 1.1 built-ins, the XSD
casts and the operator's allowlist (403). Only what passes is forwarded, so a remote engine never sees its own
extensions (docs/decisions/0017-remote-engines.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from policykg.store.formats import GRAPH, RESULTS
from policykg.store.sparql_lexer import Token, tokens

QUERY_FORMS = {"SELECT": RESULTS, "ASK": RESULTS, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}
#: SPARQL 1.1 Update operations, and MODIFY (SPARQL/Update 1.0, still accepted by Virtuoso).
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "MODIFY"}
#: IRI schemes that name an engine's own procedures rather than data: Virtuoso's built-in SQL functions (bif:) and
#: SQL procedures (sql:), and Jena's Java classes loaded by name (java:). Refused anywhere in a query, not only as a
#: function: Virtuoso also reads them as "magic" predicates.
VENDOR_SCHEMES = ("bif:", "sql:", "java:")


class Refused(Exception):
    """The request is understood but not allowed here (HTTP 403)."""


class NotStandard(Exception):
    """The request is not a standard SPARQL 1.1 query (HTTP 400)."""


@dataclass(frozen=True)
class QueryInfo:
    """What the lexical pass learnt about a query (frozen: inspections are remembered and shared)."""

    form: str | None
    kind: str | None
    service_iris: tuple[str | None, ...] = ()
    has_dataset_clause: bool = False
    #: The top-level LIMIT, if the query has one.
    limit: int | None = None
    #: Virtuoso pragmas in the prologue (`DEFINE name value`), by name.
    pragmas: tuple[str, ...] = ()
    #: Whether the answer can depend on the base IRI: a relative IRI, or IRI()/URI(), with no absolute BASE.
    uses_base: bool = False


@dataclass
class _Prologue:
    prefixes: dict[str, str]
    base: str
    pragmas: list[str]
    end: int  # index of the first token after the prologue


def _prologue(toks: list[Token]) -> _Prologue:
    """BASE and PREFIX declarations (and Virtuoso's DEFINE pragmas) before the query form."""
    prefixes: dict[str, str] = {}
    pragmas: list[str] = []
    base = ""
    index = 0
    while index < len(toks):
        word = toks[index].text.upper() if toks[index].kind == "word" else ""
        if word == "BASE" and index + 1 < len(toks):
            base = toks[index + 1].text[1:-1]
            index += 2
        elif word == "PREFIX" and index + 2 < len(toks):
            prefixes[toks[index + 1].text.rstrip(":")] = urljoin(base, toks[index + 2].text[1:-1])
            index += 3
        elif word == "DEFINE" and index + 1 < len(toks):
            pragmas.append(toks[index + 1].text)
            index += 3 if index + 2 < len(toks) else 2
        else:
            break
    return _Prologue(prefixes, base, pragmas, index)


def shape(text: str) -> tuple[str | None, int | None]:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE or None) and top-level LIMIT of a query, lexically."""
    toks = tokens(text)
    index = _prologue(toks).end
    first = toks[index].text.upper() if index < len(toks) and toks[index].kind == "word" else None
    return (first if first in QUERY_FORMS else None), _top_level_limit(toks)


#: Queries up to this many characters have their inspection remembered (the same queries come again and again).
MEMO_MAX_CHARS = 16 * 1024


def inspect_query(text: str, allowed_service_hosts: Iterable[str] = ()) -> QueryInfo:
    """Classify a query; raise Refused for an update, LOAD, a vendor-scheme IRI or a SERVICE call to a host not on
    the allowlist, and NotStandard for a Virtuoso pragma."""
    allowed = tuple(sorted(host.lower() for host in allowed_service_hosts))
    if len(text) <= MEMO_MAX_CHARS:
        return _inspect_memo(text, allowed)
    return _inspect(text, allowed)


def _inspect_memo(text: str, allowed: tuple[str, ...]) -> QueryInfo:
    """_inspect, remembered for the last 1024 (text, allowlist) pairs; a refusal is remembered too."""
    outcome = _inspect_or_refusal(text, allowed)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@lru_cache(maxsize=1024)  # bounded: at most 1024 queries of at most MEMO_MAX_CHARS characters (16 MB)
def _inspect_or_refusal(text: str, allowed: tuple[str, ...]) -> QueryInfo | Refused | NotStandard:
    try:
        return _inspect(text, allowed)
    except (Refused, NotStandard) as exc:
        return exc


def inspection_memo_info():
    """Hits, misses, size and bound of the (process-wide) memo of query inspections."""
    return _inspect_or_refusal.cache_info()


def _inspect(text: str, allowed_hosts: tuple[str, ...]) -> QueryInfo:
    toks = tokens(text)
    prologue = _prologue(toks)
    prefixes, base, pragmas, index = prologue.prefixes, prologue.base, prologue.pragmas, prologue.end
    first = toks[index].text.upper() if index < len(toks) and toks[index].kind == "word" else None
    pragma_note = f" (and {_pragma_phrase(pragmas)} is not SPARQL 1.1)" if pragmas else ""
    if first in UPDATE_WORDS:
        raise Refused(f"SPARQL Update ({first}) is not allowed: this endpoint is read-only{pragma_note}")
    words = {tok.text.upper() for tok in toks if tok.kind == "word"}
    if "LOAD" in words:
        raise Refused(f"LOAD is not allowed: this endpoint is read-only{pragma_note}")
    if pragmas:
        raise NotStandard(f"{_pragma_phrase(pragmas)} is a Virtuoso pragma, not SPARQL 1.1: this endpoint forwards "
                          "standard SPARQL 1.1 queries only (remove the DEFINE line)")
    vendor = _vendor_iri(toks[index:], prefixes, base)
    if vendor:
        raise Refused(f"<{vendor}> names an engine's own procedure ({vendor.split(':', 1)[0]}: scheme), not data: "
                      "vendor functions and magic predicates are not allowed on this endpoint")
    allowed = set(allowed_hosts)
    services = _service_targets(toks, prefixes, base)
    for target in services:
        if target is None:
            raise Refused("SERVICE with a variable endpoint is not allowed")
        if not _host_allowed(target, allowed):
            raise Refused(f"SERVICE <{target}> is not allowed: its host is not on this endpoint's allowlist")
    return QueryInfo(first if first in QUERY_FORMS else None, QUERY_FORMS.get(first or ""), tuple(services),
                     has_dataset_clause="FROM" in words, limit=_top_level_limit(toks),
                     uses_base=_uses_base(toks, base))


def inspect_update(text: str) -> None:
    """Every update request is refused; this says so with the operation named."""
    toks = [tok for tok in tokens(text) if tok.kind == "word" and tok.text.upper() in UPDATE_WORDS]
    operation = toks[0].text.upper() if toks else "update"
    raise Refused(f"SPARQL Update ({operation}) is not allowed: this endpoint is read-only")




# ---- lexical helpers ----

def _pragma_phrase(pragmas: list[str]) -> str:
    return "DEFINE " + ", DEFINE ".join(pragmas)


def _top_level_limit(toks: list[Token]) -> int | None:
    depth = 0
    limit = None
    for i, tok in enumerate(toks):
        if tok.kind == "other" and tok.text == "{":
            depth += 1
        elif tok.kind == "other" and tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.kind == "word" and tok.text.upper() == "LIMIT" and i + 1 < len(toks):
            following = toks[i + 1]
            if following.kind == "number" and following.text.isdigit():
                limit = int(following.text)
    return limit


def _expand(tok: Token, prefixes: dict[str, str], base: str) -> str | None:
    if tok.kind == "iri":
        return urljoin(base, tok.text[1:-1]) if base else tok.text[1:-1]
    if tok.kind == "pname":
        prefix, local = tok.text.split(":", 1)
        namespace = prefixes.get(prefix)
        return namespace + local if namespace is not None else None
    return None


def _vendor_iri(toks: list[Token], prefixes: dict[str, str], base: str) -> str | None:
    for tok in toks:
        iri = _expand(tok, prefixes, base)
        if iri is None and tok.kind == "pname":
            iri = tok.text  # an undeclared prefix: Virtuoso predeclares bif: and sql:
        if iri is not None and iri.lower().startswith(VENDOR_SCHEMES):
            return iri
    return None


def _service_targets(toks: list[Token], prefixes: dict[str, str], base: str) -> list[str | None]:
    targets: list[str | None] = []
    for i, tok in enumerate(toks):
        is_keyword = tok.kind == "word" and tok.text.upper() == "SERVICE"
        glued = tok.kind == "pname" and tok.text.split(":", 1)[0].upper() == "SERVICE"
        if glued:  # `SERVICE:x` - engines disagree on how to read it; treat it as a SERVICE to an unknown host
            targets.append(None)
            continue
        if not is_keyword:
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j >= len(toks):
            targets.append(None)
            continue
        target = toks[j]
        if target.kind == "iri":
            targets.append(urljoin(base, target.text[1:-1]))
        elif target.kind == "pname":
            prefix, local = target.text.split(":", 1)
            namespace = prefixes.get(prefix)
            targets.append(namespace + local if namespace is not None else None)
        else:
            targets.append(None)
    return targets


def _host_allowed(iri: str, allowed: set[str]) -> bool:
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    return host in allowed or with_port in allowed


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _uses_base(toks: list[Token], declared_base: str) -> bool:
    """Whether relative IRIs (or IRI()/URI() calls) would be resolved against the endpoint's URL."""
    if _ABSOLUTE_IRI.match(declared_base):
        return False
    for i, tok in enumerate(toks):
        if tok.kind == "iri" and not _ABSOLUTE_IRI.match(tok.text[1:-1]):
            return True
        if tok.kind == "word" and tok.text.upper() in ("IRI", "URI") and i + 1 < len(toks) and toks[i + 1].text == "(":
            return True
    return False

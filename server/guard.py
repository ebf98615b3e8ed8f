"""A lexical look at a SPARQL request before any engine sees it: its form, updates, and SERVICE targets.

The tokenizer knows strings, comments, IRIs, variables and prefixed names, so keywords hidden in any of
those are not mistaken for real ones, and real ones cannot be hidden from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from policykg.sparql_formats import GRAPH, RESULTS

QUERY_FORMS = {"SELECT": RESULTS, "ASK": RESULTS, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7-\uffff]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7-\uffff]*)?:(?:[\w\-:%\u00b7-\uffff]|\\.|\.(?=[\w\-:%\u00b7-\uffff]))*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Refused(Exception):
    """The request is understood but not allowed here (HTTP 403)."""


@dataclass(frozen=True)
class Token:
    """One lexical token: its class and text."""

    kind: str
    text: str


@dataclass(frozen=True)
class QueryInfo:
    """What the lexical pass learnt about a query."""

    form: str | None
    kind: str | None
    service_iris: tuple[str | None, ...] = ()
    has_dataset_clause: bool = False
    #: Whether the answer can depend on the base IRI: a relative IRI, or IRI()/URI(), with no absolute BASE.
    uses_base: bool = False


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group()))
    return found


#: Queries up to this many characters have their inspection remembered (the same queries come again and again).
MEMO_MAX_CHARS = 16 * 1024


def inspect_query(text: str, allowed_service_hosts: Iterable[str] = ()) -> QueryInfo:
    """Classify a query; raise Refused for an update, LOAD or a SERVICE call to a host not on the allowlist."""
    allowed = tuple(sorted(host.lower() for host in allowed_service_hosts))
    if len(text) <= MEMO_MAX_CHARS:
        return _inspect_memo(text, allowed)
    return _inspect(text, allowed)


def _inspect_memo(text: str, allowed: tuple[str, ...]) -> QueryInfo:
    """_inspect, remembered for the last 1024 (text, allowlist) pairs; a refusal is remembered too."""
    outcome = _inspect_or_refusal(text, allowed)
    if isinstance(outcome, str):
        raise Refused(outcome)
    return outcome


@lru_cache(maxsize=1024)  # bounded: at most 1024 queries of at most MEMO_MAX_CHARS characters (16 MB)
def _inspect_or_refusal(text: str, allowed: tuple[str, ...]) -> QueryInfo | str:
    try:
        return _inspect(text, allowed)
    except Refused as exc:
        return str(exc)


def inspection_memo_info():
    """Hits, misses, size and bound of the (process-wide) memo of query inspections."""
    return _inspect_or_refusal.cache_info()


def _inspect(text: str, allowed_hosts: tuple[str, ...]) -> QueryInfo:
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    base = ""
    index = 0
    while index < len(toks):  # the prologue: BASE and PREFIX declarations
        word = toks[index].text.upper() if toks[index].kind == "word" else ""
        if word == "BASE" and index + 1 < len(toks):
            base = toks[index + 1].text[1:-1]
            index += 2
        elif word == "PREFIX" and index + 2 < len(toks):
            prefixes[toks[index + 1].text.rstrip(":")] = urljoin(base, toks[index + 2].text[1:-1])
            index += 3
        else:
            break
    first = toks[index].text.upper() if index < len(toks) and toks[index].kind == "word" else None
    if first in UPDATE_WORDS:
        raise Refused(f"SPARQL Update ({first}) is not allowed: this endpoint is read-only")
    words = {tok.text.upper() for tok in toks if tok.kind == "word"}
    if "LOAD" in words:
        raise Refused("LOAD is not allowed: this endpoint is read-only")
    allowed = set(allowed_hosts)
    services = _service_targets(toks, prefixes, base)
    for target in services:
        if target is None:
            raise Refused("SERVICE with a variable endpoint is not allowed")
        if not _host_allowed(target, allowed):
            raise Refused(f"SERVICE <{target}> is not allowed: its host is not on this endpoint's allowlist")
    return QueryInfo(first if first in QUERY_FORMS else None, QUERY_FORMS.get(first or ""), tuple(services),
                     has_dataset_clause="FROM" in words, uses_base=_uses_base(toks, base))


def inspect_update(text: str) -> None:
    """Every update request is refused; this says so with the operation named."""
    toks = [tok for tok in tokens(text) if tok.kind == "word" and tok.text.upper() in UPDATE_WORDS]
    operation = toks[0].text.upper() if toks else "update"
    raise Refused(f"SPARQL Update ({operation}) is not allowed: this endpoint is read-only")


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


def _host_allowed(iri: str, allowed: set[str]) -> bool:
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    with_port = f"{host}:{parts.port}" if parts.port else host
    return host in allowed or with_port in allowed

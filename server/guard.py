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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from policykg.store.formats import GRAPH, RESULTS
from policykg.store.pool import QueryOutcome, WorkerCrashed

QUERY_FORMS = {"SELECT": RESULTS, "ASK": RESULTS, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}
#: SPARQL 1.1 Update operations, and MODIFY (SPARQL/Update 1.0, still accepted by Virtuoso).
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "MODIFY"}
#: IRI schemes that name an engine's own procedures rather than data: Virtuoso's built-in SQL functions (bif:) and
#: SQL procedures (sql:), and Jena's Java classes loaded by name (java:). Refused anywhere in a query, not only as a
#: function: Virtuoso also reads them as "magic" predicates.
VENDOR_SCHEMES = ("bif:", "sql:", "java:")

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7-\uffff]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-.\u00b7-\uffff]*)?:(?:[\w\-:%\u00b7-\uffff]|\\.|\.(?=[\w\-:%\u00b7-\uffff]))*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_POSITION = re.compile(r"error at (\d+):(\d+)")


class Refused(Exception):
    """The request is understood but not allowed here (HTTP 403)."""


class NotStandard(Exception):
    """The request is not a standard SPARQL 1.1 query (HTTP 400)."""


@dataclass(frozen=True)
class Token:
    """One lexical token: its class, text and offset in the query."""

    kind: str
    text: str
    start: int = -1


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


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


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


# ---- the strict parse ----

XSD = "http://www.w3.org/2001/XMLSchema#"
#: What the parse probe wraps the WHERE group in: pyoxigraph's Store.query evaluates a query up to its first
#: solution (an ORDER BY over a product of VALUES blocks, a SERVICE call); with FILTER(false) around the group its
#: optimiser plans an empty answer and evaluates nothing.
_WRAP_OPEN, _WRAP_CLOSE = " { ", " } FILTER(false) "

#: Parses a probe: policykg.store.pool.parse_only run in a killable process (QueryOutcome ok or syntax).
Parser = Callable[[str], QueryOutcome]


def check_standard(text: str, info: QueryInfo, allowed_functions: Iterable[str] = (),
                   parse: Parser | None = None) -> None:
    """Have pyoxigraph's SPARQL 1.1 parser read the query (through `parse`, without evaluating it), then look at the
    functions it calls.

    Raises NotStandard (400) for anything that is not a SPARQL 1.1 query, and Refused (403) for a call to a function
    that is neither a SPARQL 1.1 built-in (a keyword), nor an XSD cast, nor in allowed_functions. Without `parse`
    (the embedded store, whose workers parse with the same parser) only the functions are checked here.
    QueryTimeout from `parse` propagates; a parser process that dies on the query makes it NotStandard.
    """
    toks = tokens(text)
    if parse is not None:
        probe, inserts = _probe(text, toks)
        try:
            outcome = parse(probe)
        except WorkerCrashed:
            raise NotStandard("the SPARQL parser could not read this query (nested too deeply, or too large)") from None
        if outcome.status != "ok":
            message = _shorten(_to_client_position(outcome.message, probe, inserts))
            raise NotStandard(f"not a SPARQL 1.1 query: {message}{_hints(toks)}")
    prologue = _prologue(toks)
    allowed = set(allowed_functions)
    for iri in function_calls(toks[prologue.end:], prologue.prefixes, prologue.base):
        if not iri.startswith(XSD) and iri not in allowed:
            raise Refused(f"the function <{iri}> is not allowed: only SPARQL 1.1 built-ins, XSD casts and this "
                          "endpoint's allowlist (--allow-function) may be called")


def _probe(text: str, toks: list[Token]) -> tuple[str, list[tuple[int, int, int]]]:
    """The query with its WHERE group wrapped so that nothing in it is evaluated, and the inserts made:
    (offset in the client's text, length, where an error inside the insert points in the client's text)."""
    index = _prologue(toks).end
    form = toks[index].text.upper() if index < len(toks) and toks[index].kind == "word" else ""
    if form not in QUERY_FORMS:
        return text, []  # not a query: the parser fails before evaluating anything
    if form == "CONSTRUCT" and _next_is_not_brace(toks, index):
        return text, []  # CONSTRUCT WHERE { triples }: nothing but triple patterns, on an empty store
    group = _where_group(toks, index)
    if group is None:
        if form == "DESCRIBE":
            return text, []  # DESCRIBE <iri> ...: nothing to evaluate
        raise NotStandard(f"not a SPARQL 1.1 query: no complete WHERE clause {{ ... }} after {form}")
    opening, closing = toks[group[0]].start + 1, toks[group[1]].start
    probe = text[:opening] + _WRAP_OPEN + text[opening:closing] + _WRAP_CLOSE + text[closing:]
    return probe, [(opening, len(_WRAP_OPEN), opening), (closing, len(_WRAP_CLOSE), closing + 1)]


def _next_is_not_brace(toks: list[Token], index: int) -> bool:
    return index + 1 < len(toks) and toks[index + 1].text != "{"


def _where_group(toks: list[Token], form_index: int) -> tuple[int, int] | None:
    """Token indices of the braces of the WHERE group (the template of a CONSTRUCT comes first and is skipped)."""
    skip = 1 if toks[form_index].text.upper() == "CONSTRUCT" else 0
    parens = 0
    i = form_index + 1
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "other" and tok.text == "(":
            parens += 1
        elif tok.kind == "other" and tok.text == ")":
            parens -= 1
        elif tok.kind == "other" and tok.text == "{" and parens == 0:
            closing = _matching_brace(toks, i)
            if closing is None:
                return None
            if not skip:
                return i, closing
            skip -= 1
            i = closing
        i += 1
    return None


def _matching_brace(toks: list[Token], opening: int) -> int | None:
    depth = 0
    for i in range(opening, len(toks)):
        if toks[i].kind == "other" and toks[i].text == "{":
            depth += 1
        elif toks[i].kind == "other" and toks[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


def _to_client_position(message: str, probe: str, inserts: list[tuple[int, int, int]]) -> str:
    """Point a syntax error at its place in the client's text, not in the probe (the inserts hold no newline)."""
    if not inserts:
        return message

    def fix(match: re.Match) -> str:
        row, col = int(match.group(1)), int(match.group(2))
        line_start = 0
        for _ in range(row - 1):
            line_start = probe.find("\n", line_start) + 1
        end = line_start + col - 1  # pyoxigraph's column: 1 + where its parser stopped within the line
        shift = before_line = 0
        for at, length, instead in inserts:
            if at + shift + length <= line_start:
                before_line += length
            if end > at + shift + length:
                shift += length
            elif end > at + shift:  # inside an insert: the client's text has the error at `instead`
                return f"error at {row}:{instead - (line_start - before_line) + 1}"
        return f"error at {row}:{col - (shift - before_line)}"

    return _POSITION.sub(fix, message)


def function_calls(toks: list[Token], prefixes: dict[str, str], base: str) -> list[str]:
    """The IRIs a query calls as functions (casts and aggregates included), read from its tokens.

    `iri (` is a call in an expression, but the subject or object of a triple pattern can be a collection `( ... )`
    (`?s rdf:first (1 2)`), so the reader keeps a stack of what each bracket opened: a group `{` or blank node `[` of
    triple patterns, an expression `(` (after FILTER, BIND, a built-in or a function, in a projection or a solution
    modifier, or inside another expression) or a collection / path `(`. Outside every brace, and directly inside a
    sub-SELECT's braces, is expression ground (projections and solution modifiers).
    """
    calls: list[str] = []
    stack: list[str] = []  # "group", "subselect", "bnode", "expr", "coll"
    for i, tok in enumerate(toks):
        previous = toks[i - 1] if i else None
        top = stack[-1] if stack else "top"
        expression_ground = top in ("top", "subselect", "expr")
        if tok.kind in ("iri", "pname") and i + 1 < len(toks) and toks[i + 1].text == "(":
            after_filter = previous is not None and previous.kind == "word" and previous.text.upper() == "FILTER"
            if expression_ground or (top in ("group", "bnode") and after_filter):
                iri = _expand(tok, prefixes, base)
                calls.append(iri if iri is not None else tok.text)
        if tok.kind != "other":
            continue
        if tok.text == "{":
            following = toks[i + 1] if i + 1 < len(toks) else None
            is_subselect = following is not None and following.kind == "word" and following.text.upper() == "SELECT"
            stack.append("subselect" if is_subselect else "group")
        elif tok.text == "[":
            stack.append("bnode")
        elif tok.text == "(":
            stack.append("expr" if expression_ground or _opens_expression(previous, toks, i) else "coll")
        elif tok.text in ("}", "]", ")") and stack:
            stack.pop()
    return calls


def _opens_expression(previous: Token | None, toks: list[Token], i: int) -> bool:
    """In triple-pattern ground, whether `(` opens an expression rather than a collection or a path group."""
    if previous is None:
        return False
    if previous.kind == "word":  # FILTER (, BIND (, regex( ... ; but `a (` is rdf:type and a collection
        return previous.text.upper() not in ("A", "VALUES")
    if previous.kind in ("iri", "pname"):  # FILTER <f>(...) is a call; `<p> (1 2)` an object collection
        before = toks[i - 2] if i >= 2 else None
        return before is not None and before.kind == "word" and before.text.upper() == "FILTER"
    return False


def _shorten(message: str, limit: int = 160) -> str:
    """pyoxigraph's message on one line, its list of expected tokens cut short (it can run to a page)."""
    message = " ".join(message.split())
    if "Prefix not found" in message:
        where = _POSITION.search(message)
        return (where.group(0) + ": " if where else "") + "a prefix is not declared"
    if len(message) <= limit:
        return message
    cut = message.rfind(", ", 0, limit)
    return message[:cut if cut > 0 else limit] + ", ..."


def _hints(toks: list[Token]) -> str:
    """Say why a query an engine would accept is refused here, when a vendor extension is the likely cause."""
    hints = []
    if any(tok.kind == "word" and tok.text.upper() == "DEFINE" for tok in toks):
        hints.append("DEFINE pragmas are Virtuoso's, not SPARQL 1.1")
    used = {tok.text.split(":", 1)[0].lower() for tok in toks if tok.kind == "pname"}
    declared = {toks[i + 1].text.split(":", 1)[0].lower() for i, tok in enumerate(toks[:-1])
                if tok.kind == "word" and tok.text.upper() == "PREFIX"}
    for prefix in sorted(used - declared):
        if prefix in ("bif", "sql"):
            hints.append(f"{prefix}: functions are Virtuoso's own and are not allowed here")
        else:
            hints.append(f"the prefix {prefix}: is used but not declared (add PREFIX {prefix}: <...>)")
    return " (" + "; ".join(hints) + ")" if hints else ""


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

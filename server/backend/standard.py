"""The strict SPARQL 1.1 check: pyoxigraph's parser reads the query (in a killable process, nothing evaluated), and a
reader of the token stream that tells expressions from triple patterns refuses calls to functions other than the
SPARQL 1.1 built-ins, the XSD casts and the operator's allowlist (docs/decisions/0017-remote-engines.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from policykg.store.jobs import QueryOutcome, WorkerCrashed
from policykg.store.sparql_lexer import Token, explain_syntax_error, tokens

from .guard import QUERY_FORMS, NotStandard, QueryInfo, Refused, _expand, _prologue

#: What the parse probe wraps the WHERE group in: pyoxigraph's Store.query evaluates a query up to its first
#: solution (an ORDER BY over a product of VALUES blocks, a SERVICE call); with FILTER(false) around the group its
#: optimiser plans an empty answer and evaluates nothing.
_WRAP_OPEN, _WRAP_CLOSE = " { ", " } FILTER(false) "


_POSITION = re.compile(r"error at (\d+):(\d+)")


XSD = "http://www.w3.org/2001/XMLSchema#"


#: Parses a probe: policykg.store.jobs.parse_only run in a killable process (QueryOutcome ok or syntax).
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
            located = _to_client_position(outcome.message, probe, inserts)
            explained = explain_syntax_error(text, located)  # an undeclared prefix named, in one line
            message = explained if explained != located else _shorten(located)
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
    return " (" + "; ".join(hints) + ")" if hints else ""

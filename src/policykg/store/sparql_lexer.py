"""The one SPARQL tokenizer: strings (short and long), comments, IRIs, variables, prefixed names, numbers and words.

Keywords hidden in a string, an IRI, a comment, a variable or a prefixed name are not mistaken for real ones, and
real ones cannot be hidden from it. The server's guard, the on-disk store's routing and the competency questions'
ordering all read queries through it. Standard library only (query processes import it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class Token:
    """One lexical token: its class, text and offset in the query."""

    kind: str
    text: str
    start: int = -1


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


def words(text: str) -> list[str]:
    """The keywords and bare words of a query, upper-cased, in order (nothing from strings, IRIs, comments, names)."""
    return [tok.text.upper() for tok in tokens(text) if tok.kind == "word"]


def is_ordered(text: str) -> bool:
    """True when the query has an ORDER BY (outside strings, comments and IRIs)."""
    found = words(text)
    return any(a == "ORDER" and b == "BY" for a, b in zip(found, found[1:], strict=False))


def names_graphs(text: str) -> bool:
    """Whether a query may read more than the default graph: a GRAPH or FROM keyword, or a \\u escape that could
    spell one. Conservative, as Oxigraph splits glued words (`trueGRAPH`, `GRAPHex:g` are two tokens there): any
    word, and any part of a prefixed name but the start of its local name, holding GRAPH or FROM counts."""
    if "\\u" in text or "\\U" in text:
        return True
    for tok in tokens(text):
        if tok.kind == "word":
            parts = [tok.text]
        elif tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            parts = _NON_WORD.split(prefix) + _NON_WORD.split(local)[1:]
        else:
            continue
        if any("GRAPH" in part.upper() or "FROM" in part.upper() for part in parts):
            return True
    return False


_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


def undeclared_prefixes(text: str) -> list[str]:
    """The prefixes a query uses in prefixed names without declaring them (PREFIX p: <...>), in order of use."""
    toks = tokens(text)
    declared = {toks[i + 1].text[:-1] for i, tok in enumerate(toks[:-1])
                if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 1].kind == "pname"}
    used: list[str] = []
    for i, tok in enumerate(toks):
        if tok.kind != "pname" or (i and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "PREFIX"):
            continue
        prefix = tok.text.partition(":")[0]
        if prefix not in declared and prefix not in used:
            used.append(prefix)
    return used


def explain_syntax_error(text: str, message: str) -> str:
    """The parser's message, or for an undeclared prefix one line naming it, where it is used, the prefixes the
    query declares and the project's own (which the query page adds by itself), instead of the parser's list of
    expected characters."""
    if "Prefix not found" not in message:
        return message
    from policykg.iris import PREFIXES

    missing = undeclared_prefixes(text)
    if not missing:
        return message
    toks = tokens(text)
    declared = [toks[i + 1].text for i, tok in enumerate(toks[:-1])
                if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 1].kind == "pname"]
    at = _ERROR_AT.search(message)
    where = f" (line {at.group(1)}, column {at.group(2)})" if at else ""
    first = missing[0]
    declaration = f"PREFIX {first}: <{PREFIXES.get(first, 'IRI')}>"
    known = [f"{p}:" for p in PREFIXES]
    return (f"unknown prefix '{first}:'{where}: declare it with {declaration}; "
            + (f"this query declares {', '.join(declared)}; " if declared else "this query declares none; ")
            + "the project's prefixes are " + ", ".join(known))

"""Every version covers its own text: each row or block of the processing section is encoded exactly once, with the
Art. 6 basis of the section it stands in (or `basis: not-stated` where the notice states none) and the audience its
own heading names; each listed item is encoded exactly once, by its span, under the category it is listed under;
each legitimate interest by its span.

The text is read here by a reader of this test's own (plain string and line handling, nothing from
`policykg.text`, which drafted the YAML), for the four layouts: UK tables and EU headed blocks under "Legal basis
information", global tables and global headed blocks under "Why and how we process your information". Two more
sources that owe nothing to either reader: per row, the '* ' bullets and the bare category links counted by
splitting strings, against the YAML's entries; and the row counts ../shared/policies/README.md states.
Data-driven over every version in data/versions.yaml, one parametrised pass (a version whose text is not at hand is
skipped, saying where it was looked for).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from policykg.config import data_root
from policykg.sources.versions import load_registry, locate_text, text_missing_message

REGISTRY = load_registry()

#: Rows of the processing section as ../shared/policies/README.md counts them (the seed's count is the UK June 2025
#: row there; the EU README row gives no count: its 39 blocks are the README counts table's processes).
README_ROWS = {"meta-uk-2024-11-14": 36, "meta-uk-2025-04-07": 36, "meta-uk-2025-06-16": 39, "meta-eu-2025-12-16": 39,
               "meta-global-2022-07-26": 17, "meta-global-2023-01-01": 17, "meta-global-2023-06-15": 18,
               "meta-global-2025-12-16": 19, "meta-global-2026-07-23": 19}
#: The Art. 6(1) basis each basis heading names (by how the heading starts, folded).
BASIS_HEADINGS = (
    ("consent", "eu-gdpr:A6-1-a"),
    ("performance of a contract", "eu-gdpr:A6-1-b"),
    ("compliance with a legal obligation", "eu-gdpr:A6-1-c"),
    ("protection of your vital interests", "eu-gdpr:A6-1-d"),
    ("tasks carried out in the public interest", "eu-gdpr:A6-1-e"),
    ("legitimate interests", "eu-gdpr:A6-1-f"),
)
#: The audience of rows under no audience heading of their own: the basis section's introduction names it
#: (docs/decisions/0003-audiences.md), the same in every version.
SECTION_AUDIENCE = {"eu-gdpr:A6-1-a": "pko:ProductUser", "eu-gdpr:A6-1-b": "pko:ContractingUser",
                    "eu-gdpr:A6-1-c": "pko:AnyPerson", "eu-gdpr:A6-1-e": "pko:AnyPerson",
                    "eu-gdpr:A6-1-d": "pko:AnyPerson"}
#: An audience heading (how it starts, folded) -> the audience it names. UK tables ("For people …") and EU blocks
#: ("For registered users …").
AUDIENCE_HEADINGS = (
    ("for people under the age of majority", "pko:RegisteredUserUnderAgeOfMajority"),
    ("for registered users under the age of majority", "pko:RegisteredUserUnderAgeOfMajority"),
    ("for all people, including those under the age of majority", "pko:RegisteredUser"),
    ("for all registered users, including those under the age of majority", "pko:RegisteredUser"),
    ("for people over the age of majority", "pko:RegisteredUserOverAgeOfMajority"),
    ("for all registered users over the age of majority", "pko:RegisteredUserOverAgeOfMajority"),
    ("if we cannot associate you or your device with a registered user", "pko:NonAccountHolder"),
    ("if you are using a device we cannot associate with a registered user", "pko:NonAccountHolder"),
)
#: Headings that only group the audience headings under them.
GROUP_HEADINGS = ("if you are a registered user of the meta products", "for registered users of the meta products")
NON_ACCOUNT = tuple(start for start, term in AUDIENCE_HEADINGS if term == "pko:NonAccountHolder")
#: The policy's information categories, by the number of their subpage in the category links.
CATEGORY_BY_SUBPAGE = {"1": "pko:YourActivityAndInformation", "2": "pko:FriendsFollowersAndConnections",
                       "3": "pko:AppBrowserAndDeviceInformation", "4": "pko:InformationFromPartnersVendorsAndThirdParties"}
#: A bullet that names a category (the UK Audience Network row lists "Information from partners, vendors and third
#: parties" as an unlinked bullet under the device category) is listed under the category it names.
CATEGORY_NAMES = {"your activity and information you provide": "pko:YourActivityAndInformation",
                  "friends, followers and other connections": "pko:FriendsFollowersAndConnections",
                  "app, browser and device information": "pko:AppBrowserAndDeviceInformation",
                  "information from partners, vendors and third parties": "pko:InformationFromPartnersVendorsAndThirdParties"}
#: A category link opening a piece (what follows it, other than a colon, is a note on the category).
CATEGORY_LINK = re.compile(r"^\[([^\]]+)\]\([^)\s]*subpage=1\.subpage\.(\d)-[^)\s]*\)(:?)")
RULE = "* * *"
WHY = "why and how we process your information"


def fold(text: str) -> str:
    """Lower case, curly quotes straight, spaces collapsed: for comparing headings."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").lower()
    return " ".join(text.split())


@dataclass
class Entry:
    """One listed line of a row's information part: its span, the category it is listed under, whether bare."""

    start: int
    end: int
    category: str
    bare: bool


@dataclass
class Row:
    """A row (table row or headed block) as this test reads it."""

    start: int
    end: int
    lead: tuple[int, int]  # the first cell (tables) or the heading line (blocks)
    table: bool
    basis: str | None
    audiences: list[str] = field(default_factory=list)  # the headings it stands under, outermost first
    audience_span: tuple[int, int] | None = None
    entries: list[Entry] = field(default_factory=list)
    interests: list[tuple[int, int]] = field(default_factory=list)
    info: str = ""  # the information part as written (for the independent count)


def lines_of(text: str) -> list[tuple[int, str]]:
    """Every line with the offset it starts at (code points)."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def section(lines: list[tuple[int, str]]) -> tuple[int, bool]:
    """Where the processing section starts (index of its heading line) and whether the notice states bases there."""
    for k, (_, line) in enumerate(lines):
        if fold(line) == "legal basis information":
            return k, True
    for k, (_, line) in enumerate(lines):  # global: a bare heading line, then the intro line
        following = [x for _, x in lines[k + 1:k + 4] if x.strip()]
        if fold(line) == WHY and following and fold(following[0]).startswith("the categories of information we use"):
            return k, False
    raise AssertionError("no processing section")


def basis_of(line: str) -> str | None:
    """The basis a basis heading names (the whole line; the vital-interests heading goes on after its start)."""
    folded = fold(line)
    return next((b for start, b in BASIS_HEADINGS
                 if folded == start or (b == "eu-gdpr:A6-1-d" and folded.startswith(start))), None)


def is_audience(line: str) -> bool:
    folded = fold(line)
    return folded.startswith(GROUP_HEADINGS) or any(folded.startswith(a) for a, _ in AUDIENCE_HEADINGS)


def piece_entry(start: int, piece: str, category: str | None) -> tuple[Entry | None, str | None]:
    """One piece of an information part: a bullet item, a category link (bare or heading bullets), or prose."""
    stripped = piece.strip()
    offset = start + len(piece) - len(piece.lstrip())
    if stripped.startswith("*"):
        body = stripped.lstrip("*").lstrip()
        at = offset + len(stripped) - len(body)
        named = CATEGORY_NAMES.get(fold(body).rstrip(" :."))
        assert category or named, f"a bullet before any category at {at}"
        return Entry(at, at + len(body), named or category or "", False), category
    m = CATEGORY_LINK.match(stripped)
    if m:
        under = CATEGORY_BY_SUBPAGE[m.group(2)]
        if m.group(3) or m.group(1).endswith(":"):  # a category heading its bullets (the colon in or after the link)
            return None, under
        return Entry(offset, offset + len(stripped), under, True), under  # a note after the link is part of it
    return None, category


def read_tables(text: str, lines: list[tuple[int, str]], first: int, bases: bool) -> list[Row]:
    rows: list[Row] = []
    basis: str | None = None
    audience: list[tuple[str, int, int]] = []
    for k in range(first + 1, len(lines)):
        pos, line = lines[k]
        if not line.startswith("|"):
            if bases and basis_of(line):
                basis, audience = basis_of(line), []
            continue
        if line.startswith("| ---") or (k + 1 < len(lines) and lines[k + 1][1].startswith("| ---")):
            continue  # a table's separator and header
        cells, at = [], pos + 2
        for cell in line[2:-2].split(" | "):
            cells.append((at, cell))
            at += len(cell) + 3
        if all(not c.strip() for _, c in cells[1:]):  # an audience heading row
            heading = cells[0][1].strip()
            start = cells[0][0] + cells[0][1].index(heading)
            groups = [a for a in audience if fold(a[0]).startswith(GROUP_HEADINGS)]
            if fold(heading).startswith(GROUP_HEADINGS) or fold(heading).startswith(NON_ACCOUNT):
                groups = []
            audience = [*groups, (heading, start, start + len(heading))]
            continue
        row = Row(cells[0][0], cells[-1][0] + len(cells[-1][1].rstrip()), (cells[0][0], cells[0][0] + len(cells[0][1])),
                  True, basis, [a[0] for a in audience], audience[-1][1:] if audience else None, info=cells[-1][1])
        category = None
        for start, piece in _pieces(*cells[-1]):
            entry, category = piece_entry(start, piece, category)
            if entry:
                row.entries.append(entry)
        if len(cells) == 3:
            for start, piece in _pieces(*cells[1]):
                body = piece.strip().lstrip("*").strip()
                if body:
                    s = start + piece.index(body)
                    row.interests.append((s, s + len(body)))
        rows.append(row)
    return rows


def _pieces(start: int, cell: str) -> list[tuple[int, str]]:
    out, at = [], start
    for piece in cell.split("<br>"):
        if piece.strip():
            out.append((at, piece.rstrip()))
        at += len(piece) + 4
    return out


def read_blocks(text: str, lines: list[tuple[int, str]], first: int, bases: bool) -> list[Row]:
    rows: list[Row] = []
    basis: str | None = None
    k = first + 1
    nonblank = [i for i in range(len(lines)) if lines[i][1].strip()]
    after = {i: j for i, j in zip(nonblank, nonblank[1:], strict=False)}
    current: Row | None = None
    part = ""
    category: str | None = None
    while k < len(lines):
        pos, line = lines[k]
        if not line.strip():
            k += 1
            continue
        nxt = after.get(k)
        then = after.get(nxt) if nxt is not None else None
        if (line != RULE and nxt is not None and lines[nxt][1] == RULE and then is not None
                and (fold(lines[then][1]) == WHY + ":" or is_audience(lines[then][1]))):  # a block heading
            current = Row(pos, pos + len(line), (pos, pos + len(line)), False, basis)
            rows.append(current)
            k = after[nxt]
            audience: list[tuple[str, int, int]] = []
            while fold(lines[k][1]) != WHY + ":":
                if lines[k][1] != RULE:
                    p, a = lines[k]
                    audience.append((a, p, p + len(a)))
                k = after[k]
            current.audiences = [a[0] for a in audience]
            current.audience_span = audience[-1][1:] if audience else None
            part, category = "why", None
            k += 1
            continue
        if bases and basis_of(line) and (nxt is None or lines[nxt][1] != RULE):
            basis, current = basis_of(line), None
            k += 1
            continue
        if current is not None:
            folded = fold(line)
            if line == RULE:
                pass
            elif folded.startswith("legitimate interests relied on"):
                part = "interests"
            elif folded.startswith("information categories we use"):
                part = "info"
            elif part == "interests":
                body = line.lstrip("*").strip()
                s = pos + line.index(body)
                current.interests.append((s, s + len(body)))
            elif part == "info":
                current.info += line + "\n"
                entry, category = piece_entry(pos, line, category)
                if entry:
                    current.entries.append(entry)
                    current.end = entry.end
        k += 1
    return rows


def read(text: str) -> tuple[list[Row], bool]:
    """The rows of the processing section, and whether the notice states bases."""
    lines = lines_of(text)
    first, bases = section(lines)
    table = any(line.startswith("| ---") for _, line in lines[first:])
    return (read_tables if table else read_blocks)(text, lines, first, bases), bases


@dataclass(frozen=True)
class Version:
    """One version: its text, what this test reads in it, and its curated processes."""

    name: str
    text: str
    rows: list[Row]
    states_bases: bool
    processes: list[dict]

    def process_of(self, row: Row) -> dict:
        found = [p for p in self.processes if tuple(p["row_span"][:2]) == (row.start, row.end)]
        assert len(found) == 1, f"{self.name}: {len(found)} processes for the row at {row.start} ({self.text[row.start:row.start + 50]!r})"
        return found[0]


_CACHE: dict[str, Version] = {}


@pytest.fixture(scope="module", params=REGISTRY.names)
def version(request) -> Version:
    name = request.param
    if name not in _CACHE:
        v = REGISTRY.get(name)
        path = locate_text(v)
        if path is None:
            pytest.skip(text_missing_message(v))
        text = Path(path).read_text(encoding="utf-8")
        processes = yaml.safe_load((data_root() / name / "processes.yaml").read_text(encoding="utf-8"))
        rows, states = read(text)
        _CACHE[name] = Version(name, text, rows, states, processes)
    return _CACHE[name]


def test_every_row_is_encoded_exactly_once(version: Version) -> None:
    rows = Counter((r.start, r.end) for r in version.rows)
    encoded = Counter(tuple(p["row_span"][:2]) for p in version.processes)
    assert all(n == 1 for n in rows.values()), f"{version.name}: a row read twice"
    assert encoded == rows, (f"{version.name}: rows not encoded {sorted(set(rows) - set(encoded))}, "
                             f"encoded spans that are no row {sorted(set(encoded) - set(rows))}, "
                             f"encoded twice {[s for s, n in encoded.items() if n > 1]}")
    assert len({p["id"] for p in version.processes}) == len(version.processes), f"{version.name}: duplicate ids"


def test_the_row_count_is_the_readmes(version: Version) -> None:
    assert len(version.rows) == len(version.processes) == README_ROWS[version.name]


def test_rows_are_in_the_texts_order_with_their_own_titles(version: Version) -> None:
    assert [tuple(p["row_span"][:2]) for p in version.processes] == [(r.start, r.end) for r in version.rows]
    for row in version.rows:
        process = version.process_of(row)
        start, end = process["title_span"]
        if row.table:  # the cell's lead: from the cell's start to where its prose goes on
            assert start == row.lead[0] and end <= row.lead[1], (version.name, process["id"])
            assert version.text[end:end + 1] in (":", "<", ".", " ", ""), (version.name, process["id"])
        else:  # the block's heading line
            assert (start, end) == row.lead, (version.name, process["id"])


def test_each_row_rests_on_the_basis_of_its_section_or_states_none(version: Version) -> None:
    for row in version.rows:
        process = version.process_of(row)
        if not version.states_bases:
            assert process["basis"] == "not-stated", f"{version.name}/{process['id']}: {process['basis']}"
            assert "audience" not in process and "interests" not in process, f"{version.name}/{process['id']}"
            continue
        article6 = [b for b in process["basis"] if b.startswith("eu-gdpr:A6-1-")]
        assert article6 == [row.basis], f"{version.name}/{process['id']}: {article6} under {row.basis}"


def test_each_row_has_the_audience_its_heading_names(version: Version) -> None:
    for row in version.rows:
        process = version.process_of(row)
        if not version.states_bases:
            assert not row.audiences, f"{version.name}: an audience heading in a notice without bases"
            continue
        innermost = [a for a in row.audiences if not fold(a).startswith(GROUP_HEADINGS)]
        if innermost:
            found = [term for start, term in AUDIENCE_HEADINGS if fold(innermost[-1]).startswith(start)]
            assert len(found) == 1, f"unknown audience heading {innermost[-1][:80]!r}"
            audience = found[0]
        else:
            audience = SECTION_AUDIENCE[row.basis or ""]
        assert process["audience"] == audience, f"{version.name}/{process['id']}: {process['audience']} != {audience}"
        if "audience_span" in process:
            assert tuple(process["audience_span"][:2]) == row.audience_span, f"{version.name}/{process['id']}"


def test_every_listed_item_is_encoded_once_under_its_category(version: Version) -> None:
    for row in version.rows:
        process = version.process_of(row)
        listed = {(e.start, e.end): e.category for e in row.entries}
        assert len(listed) == len(row.entries), f"{version.name}/{process['id']}: an item listed twice"
        encoded = Counter(tuple(d["span"][:2]) for d in process["data"])
        assert [s for s, n in encoded.items() if n > 1] == [], f"{version.name}/{process['id']}: an item encoded twice"
        missing, extra = sorted(set(listed) - set(encoded)), sorted(set(encoded) - set(listed))
        assert not missing and not extra, f"{version.name}/{process['id']}: not encoded {missing}; not listed {extra}"
        for entry in process["data"]:
            assert entry["under"] == listed[tuple(entry["span"][:2])], f"{version.name}/{process['id']}: {entry['span']}"


def test_every_legitimate_interest_is_encoded_once_by_its_span(version: Version) -> None:
    for row in version.rows:
        process = version.process_of(row)
        encoded = [tuple(i["span"][:2]) for i in process.get("interests", [])]
        assert encoded == row.interests, f"{version.name}/{process['id']}: interests {encoded} != {row.interests}"
        assert bool(row.interests) == (row.basis == "eu-gdpr:A6-1-f"), f"{version.name}/{process['id']}"


def independent_count(row: Row) -> int:
    """Bullets plus bare category links in a row's information part, counted by splitting strings."""
    if row.table:
        pieces = [p.strip() for p in row.info.split("<br>")]
    else:
        pieces = [p.strip() for p in row.info.split("\n")]
    bullets = sum(1 for p in pieces if p.startswith("* ") or p.startswith("*   "))
    links = [(p.split("](", 1)[0], *p.split("](", 1)[1].split(")", 1)) for p in pieces if p.startswith("[") and "](" in p]
    bare = sum(1 for label, target, rest in links
               if "subpage=1.subpage." in target and not rest.startswith(":") and not label.endswith(":"))
    return bullets + bare


def test_an_independent_count_of_bullets_and_bare_categories_matches(version: Version) -> None:
    """Per row, the YAML's entries are the bullets and bare category links counted by plain string splitting."""
    for row in version.rows:
        process = version.process_of(row)
        assert len(process["data"]) == independent_count(row), f"{version.name}/{process['id']}"


def test_counts(version: Version, record_property) -> None:
    counts = {"rows": len(version.rows), "items": sum(len(r.entries) for r in version.rows),
              "interests": sum(len(r.interests) for r in version.rows)}
    record_property("counts", counts)
    assert counts == {"rows": len(version.processes), "items": sum(len(p["data"]) for p in version.processes),
                      "interests": sum(len(p.get("interests", [])) for p in version.processes)}

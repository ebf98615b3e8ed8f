"""Every version covers its own text: each row or block of the legal-basis section is encoded exactly once, with
the Art. 6 basis of the section it stands in and the audience its own heading names; each listed item is encoded
exactly once, by its span, under the category it is listed under; each legitimate interest by its span.

The text is read here with `policykg.text.reader.read_policy`, independently of the curated YAML; the YAML is
then held against it. Data-driven over every version in data/versions.yaml (a version whose text is not at hand
is skipped, saying where it was looked for).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from policykg.config import data_root
from policykg.sources.versions import load_registry, locate_text, text_missing_message
from policykg.text.capture import read_policy_text
from policykg.text.lines import fold
from policykg.text.reader import read_policy
from policykg.text.rows import Item, ParsedPolicy, Row

REGISTRY = load_registry()

#: The Art. 6(1) basis each kind of basis heading names (the reader's basis keys).
BASIS = {
    "consent": "eu-gdpr:A6-1-a",
    "contract": "eu-gdpr:A6-1-b",
    "legal-obligation": "eu-gdpr:A6-1-c",
    "vital-interests": "eu-gdpr:A6-1-d",
    "public-interest": "eu-gdpr:A6-1-e",
    "legitimate-interests": "eu-gdpr:A6-1-f",
}
#: The audience of the rows that stand under no audience heading of their own: the section's introduction
#: names it (docs/decisions/0003-audiences.md), the same in every version.
SECTION_AUDIENCE = {
    "consent": "pko:ProductUser",
    "contract": "pko:ContractingUser",
    "legal-obligation": "pko:AnyPerson",
    "public-interest": "pko:AnyPerson",
    "vital-interests": "pko:AnyPerson",
}
#: The innermost audience heading a row stands under (how it starts, folded) -> the audience it names. UK tables
#: ("For people …", "For all people …") and EU blocks ("For registered users …", "For all registered users …").
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
#: The outer headings that only group the headings above.
GROUP_HEADINGS = ("if you are a registered user of the meta products", "for registered users of the meta products")
#: The policy's information categories, by the number of their subpage in the category links.
CATEGORY_BY_SUBPAGE = {
    "1": "pko:YourActivityAndInformation",
    "2": "pko:FriendsFollowersAndConnections",
    "3": "pko:AppBrowserAndDeviceInformation",
    "4": "pko:InformationFromPartnersVendorsAndThirdParties",
}
SUBPAGE = re.compile(r"subpage=1\.subpage\.(\d)-")
#: A bullet that is itself the name of a category (the UK Audience Network row lists "Information from partners,
#: vendors and third parties" as an unlinked bullet under the device category) is listed under the category it names.
CATEGORY_NAMES = {
    "your activity and information you provide": "pko:YourActivityAndInformation",
    "friends, followers and other connections": "pko:FriendsFollowersAndConnections",
    "app, browser and device information": "pko:AppBrowserAndDeviceInformation",
    "information from partners, vendors and third parties": "pko:InformationFromPartnersVendorsAndThirdParties",
}


@dataclass(frozen=True)
class Version:
    """One version: its parsed text and its curated processes."""

    name: str
    parsed: ParsedPolicy
    processes: list[dict]

    def process_of(self, row: Row) -> dict:
        found = [p for p in self.processes if tuple(p["row_span"][:2]) == (row.row.start, row.row.end)]
        assert len(found) == 1, f"{self.name}: {len(found)} processes for the row at {row.row.start} ({row.title.text[:50]!r})"
        return found[0]


def _load(name: str) -> Version:
    version = REGISTRY.get(name)
    path = locate_text(version)
    if path is None:
        pytest.skip(text_missing_message(version))
    text = read_policy_text(Path(path)).text
    processes = yaml.safe_load((data_root() / name / "processes.yaml").read_text(encoding="utf-8"))
    return Version(name, read_policy(text, Path(path)), processes)


@pytest.fixture(scope="module", params=REGISTRY.names)
def version(request) -> Version:
    return _load(request.param)


def audience_of(row: Row) -> tuple[str, tuple[int, int] | None]:
    """The audience a row's own heading names (and the heading's span), else its section's."""
    if row.audience is None:
        return SECTION_AUDIENCE[row.basis_key], None
    heading = " ".join(fold(row.audience.text).split())
    found = [term for start, term in AUDIENCE_HEADINGS if heading.startswith(start)]
    assert len(found) == 1, f"unknown audience heading {row.audience.text[:80]!r}"
    return found[0], (row.audience.start, row.audience.end)


def category_of(item: Item) -> str:
    """The category an item is listed under: the category link above it (or the bare link itself)."""
    named = CATEGORY_NAMES.get(" ".join(fold(item.piece.plain).split()).rstrip(" :."))
    if named is not None and not item.bare:
        return named
    link = item.category.text
    numbers = SUBPAGE.findall(link)
    assert len(numbers) == 1, f"a category link without one subpage number: {link[:80]!r}"
    return CATEGORY_BY_SUBPAGE[numbers[0]]


def test_every_row_is_encoded_exactly_once(version: Version) -> None:
    rows = Counter((r.row.start, r.row.end) for r in version.parsed.rows)
    encoded = Counter(tuple(p["row_span"][:2]) for p in version.processes)
    assert all(n == 1 for n in rows.values()), f"{version.name}: the reader found a row twice"
    assert encoded == rows, (f"{version.name}: rows not encoded {sorted(set(rows) - set(encoded))}, "
                             f"encoded spans that are no row {sorted(set(encoded) - set(rows))}, "
                             f"encoded twice {[s for s, n in encoded.items() if n > 1]}")
    assert len({p["id"] for p in version.processes}) == len(version.processes), f"{version.name}: duplicate ids"


def test_rows_are_in_the_texts_order_with_their_own_titles(version: Version) -> None:
    assert [tuple(p["row_span"][:2]) for p in version.processes] == [(r.row.start, r.row.end) for r in version.parsed.rows]
    for row in version.parsed.rows:
        process = version.process_of(row)
        assert tuple(process["title_span"]) == (row.title.start, row.title.end), (version.name, process["id"])


def test_each_row_rests_on_the_basis_of_its_section(version: Version) -> None:
    for row in version.parsed.rows:
        process = version.process_of(row)
        article6 = [b for b in process["basis"] if b.startswith("eu-gdpr:A6-1-")]
        assert article6 == [BASIS[row.basis_key]], f"{version.name}/{process['id']}: {article6} under {row.basis.text!r}"


def test_each_row_has_the_audience_its_heading_names(version: Version) -> None:
    for row in version.parsed.rows:
        process = version.process_of(row)
        audience, span = audience_of(row)
        assert process["audience"] == audience, f"{version.name}/{process['id']}: {process['audience']} != {audience}"
        if "audience_span" in process:
            assert tuple(process["audience_span"][:2]) == span, f"{version.name}/{process['id']}: audience_span"
        for outer in row.audiences[:-1]:
            assert " ".join(fold(outer.text).split()).startswith(GROUP_HEADINGS), outer.text[:80]


def test_every_listed_item_is_encoded_once_under_its_category(version: Version) -> None:
    for row in version.parsed.rows:
        process = version.process_of(row)
        listed = {(i.piece.start, i.piece.end): category_of(i) for i in row.items}
        assert len(listed) == len(row.items), f"{version.name}/{process['id']}: an item listed twice"
        encoded = Counter(tuple(d["span"][:2]) for d in process["data"])
        assert [s for s, n in encoded.items() if n > 1] == [], f"{version.name}/{process['id']}: an item encoded twice"
        missing, extra = sorted(set(listed) - set(encoded)), sorted(set(encoded) - set(listed))
        assert not missing and not extra, f"{version.name}/{process['id']}: not encoded {missing}; not listed {extra}"
        for entry in process["data"]:
            assert entry["under"] == listed[tuple(entry["span"][:2])], \
                f"{version.name}/{process['id']}: {entry['span']} under {entry['under']}, listed under {listed[tuple(entry['span'][:2])]}"


def test_every_legitimate_interest_is_encoded_once_by_its_span(version: Version) -> None:
    for row in version.parsed.rows:
        process = version.process_of(row)
        stated = [(i.start, i.end) for i in row.interests]
        encoded = [tuple(i["span"][:2]) for i in process.get("interests", [])]
        assert encoded == stated, f"{version.name}/{process['id']}: interests {encoded} != {stated}"
        assert bool(stated) == (row.basis_key == "legitimate-interests"), f"{version.name}/{process['id']}"


def test_counts(version: Version, record_property) -> None:
    rows = version.parsed.rows
    counts = {"rows": len(rows), "items": sum(len(r.items) for r in rows), "interests": sum(len(r.interests) for r in rows)}
    record_property("counts", counts)
    assert counts == {"rows": len(version.processes),
                      "items": sum(len(p["data"]) for p in version.processes),
                      "interests": sum(len(p.get("interests", [])) for p in version.processes)}

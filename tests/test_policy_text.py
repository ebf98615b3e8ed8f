"""The policy-text reader: exact spans on the real texts, robustness to mutated captures, clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from policykg.errors import SourceError
from policykg.sources.versions import load_registry, locate_text
from policykg.text.lines import title_end
from policykg.text.reader import read_policy

REGISTRY = load_registry()
CURATED = REGISTRY.get("meta-uk-2025-06-16")


def _text(name: str) -> tuple[Path, str]:
    path = locate_text(REGISTRY.get(name))
    if path is None:
        pytest.skip(f"the policy text of {name} is not beside the project (../shared)")
    return path, path.read_text(encoding="utf-8")


def _independent_row_count(text: str) -> int:
    """Rows counted without the reader: table lines of the section that are neither headers, rules nor audience
    headings; or, for headed blocks, the 'Why and how' lines."""
    section = text[text.index("Legal basis information"):]
    why_lines = re.findall(r"^Why and how we process your information:\s*$", section, flags=re.M)
    if why_lines:
        return len(why_lines)
    rows = [ln for ln in section.splitlines() if ln.startswith("| ") and not ln.startswith("| ---")]
    rows = [ln for ln in rows if not ln.startswith("| Why and how")]
    return len([ln for ln in rows if not re.fullmatch(r"\| [^|]+(\|\s+)+\|", ln)])


@pytest.mark.parametrize("name, layout, rows", [
    ("meta-uk-2024-11-14", "tables", 36),
    ("meta-uk-2025-04-07", "tables", 36),
    ("meta-uk-2025-06-16", "tables", 39),
    ("meta-eu-2025-12-16", "blocks", 39),
])
def test_row_counts(name, layout, rows):
    path, text = _text(name)
    parsed = read_policy(text, path)
    assert parsed.layout == layout
    assert len(parsed.rows) == rows == _independent_row_count(text)
    assert parsed.effective_date == REGISTRY.get(name).effective
    assert [b.text for b in parsed.bases][0] == "Consent"
    assert {r.basis_key for r in parsed.rows} == {"consent", "contract", "legal-obligation", "legitimate-interests",
                                                  "public-interest", "vital-interests"}


@pytest.fixture(scope="module")
def seed():
    path, text = _text(CURATED.name)
    curated = yaml.safe_load((CURATED.data_dir / "processes.yaml").read_text(encoding="utf-8"))
    return text, read_policy(text, path), curated


def test_reader_reproduces_every_curated_span(seed):
    text, parsed, curated = seed
    assert len(parsed.rows) == len(curated) == 39
    for row, proc in zip(parsed.rows, curated, strict=False):
        assert [row.row.start, row.row.end] == proc["row_span"][:2], proc["id"]
        assert [row.title.start, row.title.end] == proc["title_span"], proc["id"]
        assert row.title.plain == proc["title"], proc["id"]
        assert [(i.piece.start, i.piece.end) for i in row.items] == [tuple(d["span"][:2]) for d in proc["data"]], proc["id"]
        assert [(i.start, i.end) for i in row.interests] == [tuple(x["span"][:2]) for x in proc.get("interests", [])], proc["id"]


def test_audiences_and_categories_on_the_seed(seed):
    text, parsed, curated = seed
    by_audience: dict[str, set[str]] = {}
    for row, proc in zip(parsed.rows, curated, strict=False):
        if row.audience is not None:
            by_audience.setdefault(row.audience.text, set()).add(proc["audience"])
        for item, _entry in zip(row.items, proc["data"], strict=False):
            assert text[item.category.start:item.category.end].startswith("[")
            if item.bare:
                assert item.piece.start == item.category.start
    assert all(len(v) == 1 for v in by_audience.values()), by_audience
    assert len(by_audience) == 4


# --- synthetic mutations of a real text ----------------------------------------------------------------------

BANNER = "We're updating our Privacy Policy. The updates go into effect on 1 January 2030. [Read it.](https://x.test/)\n\n"
COOKIES = "\nWe use cookies to help personalise content. [Cookie settings](https://x.test/cookies)\n\n"


def _insert_before(text: str, marker: str, extra: str) -> str:
    i = text.index(marker)
    return text[:i] + extra + text[i:]


def _mutations(text: str, layout: str) -> dict[str, str]:
    title_bit = "Personalising the Meta Products" if layout == "tables" else "Personalizing Meta Products"
    between = "\nPerformance of a contract\n"
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    nbsp = text.replace("Legitimate interests\n", "Legitimate\u00a0interests\n", 1)
    straight = text.replace("\u2019", "'")
    reworded = text.replace("Hashtags you use", "Hashtags that you use")
    cookie_between = _insert_before(text, between, COOKIES)
    return {
        "banner": BANNER + text,
        "cookie notice between two tables": cookie_between,
        "crlf": crlf,
        "nbsp in a basis heading": nbsp,
        "straight apostrophes": straight,
        "us spelling": text.replace(title_bit, title_bit.replace("Personalising", "Personalizing")),
        "reworded item": reworded,
        "everything at once": BANNER + _insert_before(reworded, between, COOKIES).replace("\n", "\r\n"),
    }


def _shape(parsed) -> list[tuple]:
    """What must survive a mutation: per row the basis, audience, title, interests and item texts (normalised)."""
    def norm(s: str) -> str:
        return " ".join(s.replace("\u2019", "'").replace("\u00a0", " ").replace("Personalizing", "Personalising").split())
    return [(r.basis_key, norm(r.audience.text) if r.audience else None, norm(r.title.plain)[:30], len(r.interests),
             len(r.items)) for r in parsed.rows]


@pytest.mark.parametrize("name", ["meta-uk-2025-06-16", "meta-eu-2025-12-16"])
def test_mutated_texts_read_the_same_rows_with_spans_into_the_mutated_text(name):
    path, text = _text(name)
    original = read_policy(text, path)
    for label, mutated in _mutations(text, original.layout).items():
        parsed = read_policy(mutated, Path(label))
        assert _shape(parsed) == _shape(original), label
        for row in parsed.rows:
            for piece in (row.row, row.title, row.why, *row.interests, *(i.piece for i in row.items)):
                assert mutated[piece.start:piece.end] == piece.text, label
                assert piece.text == piece.text.strip(), label
            assert row.row.start <= row.title.start and all(row.row.start <= i.piece.start < row.row.end for i in row.items)
        if label in ("reworded item", "everything at once"):
            assert any(i.piece.text == "Hashtags that you use" for r in parsed.rows for i in r.items)
        if "banner" in label or label == "everything at once":
            assert parsed.effective_date == original.effective_date, label


def test_cookie_notice_inside_a_table_section_is_not_a_row():
    path, text = _text("meta-uk-2025-06-16")
    mutated = _insert_before(text, "\nCompliance with a legal obligation\n", COOKIES)
    assert len(read_policy(mutated).rows) == 39


@pytest.mark.parametrize("cell, title", [
    ("Personalising the Meta Products: Our systems", "Personalising the Meta Products"),
    ("Anonymising your information<br><br>In some cases", "Anonymising your information"),
    ("Develop [AI](https://x.test/a.b) (also called AI) for others. More.", "Develop [AI](https://x.test/a.b) (also called AI) for others"),
    ("Collecting things you enable (such as GPS) which we use.", "Collecting things you enable"),
    ("Doing it when you ask: more", "Doing it when you ask"),
])
def test_title_rule(cell, title):
    assert cell[:title_end(cell)] == title


# --- what it cannot read ---------------------------------------------------------------------------------------

def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_no_legal_basis_section():
    with pytest.raises(SourceError, match=r"policy\.md:3: no 'Legal basis information' line"):
        read_policy("Privacy\n\nNothing here\n", Path("policy.md"))


def test_table_row_with_wrong_number_of_cells():
    path, text = _text("meta-uk-2025-06-16")
    needle = "| Personalising the Meta Products: Our systems"
    broken = text.replace(needle, "| extra cell " + needle, 1)
    with pytest.raises(SourceError, match=rf"x\.txt:{_line_of(text, needle)}: a table row with 3 cells: expected 2"):
        read_policy(broken, Path("x.txt"))


def test_block_without_why_part():
    path, text = _text("meta-eu-2025-12-16")
    start = text.index("Receiving information from device settings\n")
    why = text.index("Why and how we process your information:", start)
    broken = text[:why] + "Something else entirely:" + text[why + len("Why and how we process your information:"):]
    with pytest.raises(SourceError, match=rf"eu\.md:{_line_of(text, 'Receiving information from device settings')}: "
                                          r"block 'Receiving information from device settin' has no 'Why and how"):
        read_policy(broken, Path("eu.md"))


def test_neither_layout():
    with pytest.raises(SourceError, match=r"p\.md:1: the legal-basis section has neither tables nor"):
        read_policy("Legal basis information\n\nConsent\n\nWe ask.\n", Path("p.md"))

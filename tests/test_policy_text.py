"""The policy-text reader: exact spans on the real texts, robustness to mutated captures, clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from policykg.errors import SourceError
from policykg.sources.versions import load_registry, locate_text, text_search_dirs
from policykg.text.lines import split_lines, title_end
from policykg.text.markdown import link_target
from policykg.text.reader import read_policy
from policykg.text.statements import parse_date, stated_effective, text_statements

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
    with pytest.raises(SourceError, match=r"policy\.md:3: no 'Legal basis information' line and no 'Why and how we "
                                          r"process your information' heading.*too few for a privacy policy"):
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


# --- the global notices (no legal bases), all nine texts, and noise -------------------------------------------

#: The texts beside the project by file name, with what ../shared/policies/README.md says of each (regime, effective
#: date, layout, rows): a source independent of the reader. The global texts are found by file name, registered or
#: not (data/versions.yaml registers them once they are encoded).
NINE = [
    ("meta-uk-2024-11-14.md", "uk", "2024-11-14", "tables", 36),
    ("meta-uk-2025-04-07.md", "uk", "2025-04-07", "tables", 36),
    ("000_58dca1eb2e4de648.txt", "uk", "2025-06-16", "tables", 39),
    ("meta-eu-2025-12-16.md", "eu", "2025-12-16", "blocks", 39),
    ("meta-global-2022-07-26.md", "global", "2022-07-26", "global-tables", 17),
    ("meta-global-2023-01-01.md", "global", "2023-01-01", "global-tables", 17),
    ("meta-global-2023-06-15.md", "global", "2023-06-15", "global-tables", 18),
    ("meta-global-2025-12-16.md", "global", "2025-12-16", "global-blocks", 19),
    ("meta-global-2026-07-23.md", "global", "2026-07-23", "global-blocks", 19),
]
GLOBAL = [row for row in NINE if row[1] == "global"]


def _file(name: str) -> tuple[Path, str]:
    for _, folder in text_search_dirs():
        if (folder / name).is_file():
            return folder / name, (folder / name).read_text(encoding="utf-8")
    pytest.skip(f"{name} is not beside the project (../shared)")


def _global_counts(text: str) -> tuple[int, int]:
    """Rows and listed items of a global text counted with string operations only (not the reader): the section
    starts at the bare heading line; a table row is a '| ' line after the header and its '| --- |' line, whose last
    cell's '<br>'-parts are bullets ('* ') or bare category links; a block is a 'Why and how …:' line, its items the
    '*   ' bullets and bare category link lines under 'Information categories'."""
    section = text[re.search(r"^Why and how we process your information$", text, flags=re.M).end():]
    lines = section.splitlines()
    table = [ln for ln in lines if ln.startswith("| ") and not ln.startswith(("| ---", "| Why and how"))]
    if table:
        items = 0
        for ln in table:
            parts = [p.strip() for p in ln.rstrip(" |").rsplit(" | ", 1)[1].split("<br>") if p.strip()]
            for k, part in enumerate(parts):
                bare = part.startswith("[") and part.endswith(")") and not (k + 1 < len(parts) and parts[k + 1].startswith("* "))
                items += part.startswith("* ") or bare
        return len(table), items
    rows = sum(1 for ln in lines if ln == "Why and how we process your information:")
    items, in_categories = 0, False
    for k, ln in enumerate(lines):
        if ln.startswith("Information categories we use"):
            in_categories = True
        elif ln == "* * *" or ln == "Why and how we process your information:":
            in_categories = False
        elif in_categories and ln.startswith("*   "):
            items += 1
        elif in_categories and ln.startswith("[") and ln.endswith(")"):
            following = next((x for x in lines[k + 1:] if x.strip()), "")
            items += not following.startswith("*   ")
    return rows, items


@pytest.mark.parametrize("name, regime, effective, layout, rows", NINE, ids=[n[0] for n in NINE])
def test_all_nine_texts(name, regime, effective, layout, rows):
    path, text = _file(name)
    parsed = read_policy(text, path)
    assert (parsed.layout, len(parsed.rows), parsed.effective_date.isoformat()) == (layout, rows, effective)
    assert parsed.regime.regime == regime
    section = next(e for e in parsed.regime.evidence if e.what == "section")
    assert text[section.piece.start:section.piece.end] == section.piece.text
    if regime == "global":
        assert not parsed.states_bases and not parsed.bases
        assert {r.basis_key for r in parsed.rows} == {"not-stated"} and all(r.basis is None for r in parsed.rows)
        assert all(not r.audiences and not r.interests for r in parsed.rows)
        assert section.piece.text == "Why and how we process your information"
        controller = next(e for e in parsed.regime.evidence if e.what == "controller")
        assert controller.piece.text == "Meta Platforms, Inc."
        assert (len(parsed.rows), sum(len(r.items) for r in parsed.rows)) == _global_counts(text)
    else:
        assert parsed.states_bases and all(r.basis is not None for r in parsed.rows)
        assert section.piece.text == "Legal basis information"
        authority = next(e for e in parsed.regime.evidence if e.what == "authority")
        assert authority.piece.text == {"uk": "Information Commissioner", "eu": "Data Protection Commission"}[regime]
    for row in parsed.rows:
        for piece in (row.row, row.title, row.why, *(i.piece for i in row.items), *(i.category for i in row.items)):
            assert text[piece.start:piece.end] == piece.text and piece.text == piece.text.strip()
        assert row.items and all(row.row.start <= i.piece.start < row.row.end for i in row.items)


def test_global_titles_follow_the_layouts():
    """Tables: the cell lead up to ':' (or the clause rule); blocks: the heading line."""
    _, text = _file("meta-global-2022-07-26.md")
    titles = [r.title.plain for r in read_policy(text).rows]
    assert titles[0] == "Personalizing the Meta Products" and "Anonymizing your information" in titles
    assert "Processing information subject to special protections under applicable laws" in titles
    _, text = _file("meta-global-2025-12-16.md")
    parsed = read_policy(text)
    assert parsed.rows[0].title.text == "Personalizing Meta Products" and parsed.rows[0].heading is not None


OTA_WRAP = "https://help.instagram.com/https%3A%2F%2Fl.instagram.com%2F%3Fu={}&e=removed"
COOKIE_WALL = ("Accept cookies from this site on this browser?\n\nWe use cookies to help personalise content. Learn more "
               "in our [Cookie Policy](https://x.test/cookies/).\n\nAccept All\n\nManage Data Settings\n\n")
NAV = "[](https://x.test/dialog/navigation/)\n\n[Privacy Center home](https://x.test/)\n\n* * *\n\n"


def _wrapped(text: str) -> str:
    from urllib.parse import quote

    return re.sub(r"\]\((https?://[^)\s]+)\)", lambda m: f"]({OTA_WRAP.format(quote(m.group(1), safe=''))})", text)


def _marked_headings(text: str, before: str, after: str) -> str:
    """Every block heading written with markdown marks (a capture rendered otherwise); tables unchanged."""
    for row in reversed(read_policy(text).rows):
        if row.heading is not None:
            text = text[:row.heading.start] + before + row.heading.text + after + text[row.heading.end:]
    return text


def _noisy(text: str) -> dict[str, str]:
    banner = "We updated our Privacy Policy on January 2, 2030. [View our previous policy.](https://x.test/policy/version/1/)\n\n"
    tracked = re.sub(r"\]\((https?://[^)\s?]+)\)", r"](\1?helpref=faq_content)", text)
    return {"banner": banner + text, "cookie wall": COOKIE_WALL + text, "nav chrome": NAV + text + "\n\n[](https://x.test/edit/)",
            "block headings as markdown headings": _marked_headings(text, "### ", ""),
            "block headings in bold": _marked_headings(text, "**", "**"),
            "wrapped links": _wrapped(text), "tracking parameters": tracked, "crlf": text.replace("\n", "\r\n"),
            "all at once": (COOKIE_WALL + NAV + banner + _wrapped(tracked) + "\n\n[](https://x.test/edit/)").replace("\n", "\r\n")}


def _plain_shape(parsed) -> list[tuple]:
    return [(r.basis_key, r.title.plain, [i.piece.plain for i in r.items], [i.category.plain for i in r.items],
             " ".join(r.why.plain.split())) for r in parsed.rows]


@pytest.mark.parametrize("name", [n[0] for n in NINE])
def test_noisy_captures_read_the_same_rows(name):
    """Banners, a cookie wall, nav chrome, OTA redirect-wrapped links, tracking parameters and CRLF change no row."""
    path, text = _file(name)
    original = read_policy(text, path)
    for label, noisy in _noisy(text).items():
        parsed = read_policy(noisy, Path(label))
        assert _plain_shape(parsed) == _plain_shape(original), label
        assert (parsed.layout, parsed.effective_date, parsed.regime.regime) == \
            (original.layout, original.effective_date, original.regime.regime), label
        for row in parsed.rows:
            for piece in (row.row, row.title, *(i.piece for i in row.items)):
                assert noisy[piece.start:piece.end] == piece.text, label


@pytest.mark.parametrize("name", [n[0] for n in NINE])
def test_a_truncated_copy_is_refused_saying_so(name):
    """Cut inside the last row (tables: mid-line; blocks: before its information part) -> a SourceError naming the
    line and saying the capture is truncated."""
    path, text = _file(name)
    last = read_policy(text, path).rows[-1]
    cut = text[:last.why.start + len(last.why.text) // 2]
    with pytest.raises(SourceError, match=r"truncated") as caught:
        read_policy(cut, Path("cut.md"))
    assert caught.value.line == (last.heading.line if last.heading else last.why.line)


@pytest.mark.parametrize("text, said", [
    ("![](https://x.test/a.svg)\n\nThis Page Isn't Available Right Now\n\nReload Page", r"only 3 non-blank lines"),
    (COOKIE_WALL, r"too few for a privacy policy: an error page, a cookie wall"),
    ("\n".join(f"Paragraph {n} of an older policy, with no processing section." for n in range(80)),
     r"a layout this reader does not know"),
    ("Why and how we process your information\n\nThe categories are set out below:\n\n| | |\n| --- | --- |\n| a | b |\n",
     r"p\.md:5: a table header with an empty column name"),
])
def test_unreadable_captures_say_why(text, said):
    with pytest.raises(SourceError, match=said):
        read_policy(text, Path("p.md"))


def test_a_global_block_layout_without_bases_needs_its_parts():
    text = ("Why and how we process your information\n\nSet out below:\n\nDoing things\n\n* * *\n\n"
            "Why and how we process your information:\n\nWe do things.\n\n* * *\n\nInformation categories we use (see "
            "more):\n\n[Your activity](https://x.test/a):\n\n*   Posts\n\nDoing more\n\n* * *\n\n"
            "Why and how we process your information:\n\nWe do more.\n")
    with pytest.raises(SourceError, match=r"block 'Doing more' has no 'Information categories we use' part \(the text "
                                          r"ends in this block: a truncated capture\)"):
        read_policy(text, Path("g.md"))
    parsed = read_policy(text.replace("We do more.\n", "We do more.\n\n* * *\n\nInformation categories we use:\n\n"
                                      "[Device](https://x.test/d)\n"), Path("g.md"))
    assert parsed.layout == "global-blocks" and [r.title.text for r in parsed.rows] == ["Doing things", "Doing more"]
    assert [[i.piece.text for i in r.items] for r in parsed.rows] == [["Posts"], ["[Device](https://x.test/d)"]]
    assert parsed.regime.regime == "global" and parsed.effective_date is None


# --- what a text states: dates, regime, links -----------------------------------------------------------------

@pytest.mark.parametrize("words, day", [
    ("June 16, 2025", "2025-06-16"), ("16 June 2025", "2025-06-16"), ("4 January, 2022", "2022-01-04"),
    ("11 janvier 2021", "2021-01-11"), ("Jul 23, 2026", "2026-07-23"), ("1er août 2020", "2020-08-01"),
])
def test_dates_in_the_forms_the_captures_write(words, day):
    assert parse_date(words).isoformat() == day


@pytest.mark.parametrize("words", ["June 31, 2025", "Smarch 3, 2025", "16 2025"])
def test_what_is_not_a_date(words):
    assert parse_date(words) is None


@pytest.mark.parametrize("text, day, head", [
    ("Privacy Policy\n\nEffective June 16, 2025 | [See previous versions](https://x.test/)\n", "2025-06-16",
     "Effective June 16, 2025"),
    ("We\u2019re updating our Privacy Policy. The updates go into effect on April 7, 2025.\n\nEffective November 14, "
     "2024\n", "2024-11-14", "Effective November 14, 2024"),
    ("Data Policy\n\nText.\n\nDate of Last Revision: April 19, 2018\n", "2018-04-19", "Date of Last Revision: April 19, 2018"),
    ("Privacy Policy\n\n**Effective date:** 16 June 2025\n", "2025-06-16", "Effective date:** 16 June 2025"),
    ("Privacy Policy\n\nLast revised on 2 March 2026\n", "2026-03-02", "Last revised on 2 March 2026"),
    ("Politique\n\nDate de la derni\u00e8re r\u00e9vision\u00a0: 11\u00a0janvier 2021\n", "2021-01-11",
     "Date de la derni\u00e8re r\u00e9vision\u00a0: 11\u00a0janvier 2021"),
])
def test_the_effective_date_a_text_states(text, day, head):
    piece, when = stated_effective(split_lines(text), text)
    assert when.isoformat() == day and piece.text == head and text[piece.start:piece.end] == head


@pytest.mark.parametrize("text, regime", [
    ("The controller is Meta Platforms Ireland Limited.\n\nLegal basis information\n", "eu"),
    ("Complain to the Information Commissioner\u2019s Office. Meta Platforms, Inc.\n\nLegal basis information\n", "uk"),
    ("Meta Platforms, Inc., 1 Meta Way.\n\nWhy and how we process your information\n", "global"),
    ("Complain to the Information Commissioner.\n\nWhy and how we process your information\n", "global"),
    ("The data controller is Facebook Ireland Ltd. Data Protection Commissioner.\n", "eu"),
    ("Facebook, Inc.\n\nEnglish (UK) English (US)\n", "global"),
    ("Legal basis information\n\nNothing says whose.\n", None),
])
def test_the_regime_a_text_states(text, regime):
    """EU and UK names decide first; a section without legal bases is global whatever else it names; a bare 'UK'
    (a language menu) is no evidence."""
    stated = text_statements(split_lines(text), text).regime
    assert stated.regime == regime
    for e in stated.evidence:
        assert text[e.piece.start:e.piece.end] == e.piece.text


@pytest.mark.parametrize("url, compared", [
    (OTA_WRAP.format("https%3A%2F%2Fwww.facebook.com%2Fhelp%2F123%3Fref%3Ddp"), "https://www.facebook.com/help/123"),
    ("https://help.instagram.com/https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu=https%3A%2F%2Fx.test%2Fa%3Fk%3D1%26helpref"
     "%3Dfaq_content&h=removed", "https://x.test/a?k=1"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fx.test%2Fb%2F&h=AT0", "https://x.test/b"),
    ("https://x.test/policy/?subpage=1.subpage.4-X&helpref=hc_global_nav&annotations[0]=a", "https://x.test/policy?annotations[0]=a&subpage=1.subpage.4-X"),
    ("https://X.test/a/", "https://x.test/a"),
])
def test_link_targets_are_compared_without_wrappers_or_tracking(url, compared):
    assert link_target(url) == compared

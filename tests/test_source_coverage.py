"""The encoding covers the policy: every legal-basis table row exactly once, with the right basis, audience,
categories and title, and every span where its offsets say. The tables are read here, independently of the build."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from policykg.config import data_dir
from policykg.namespaces import DPV, EU_GDPR, OA, PKO

BASIS_HEADINGS = {
    "Consent": EU_GDPR["A6-1-a"],
    "Performance of a contract": EU_GDPR["A6-1-b"],
    "Compliance with a legal obligation": EU_GDPR["A6-1-c"],
    "Legitimate interests": EU_GDPR["A6-1-f"],
    "Tasks carried out in the public interest": EU_GDPR["A6-1-e"],
    "Protection of your vital interests or that of another person": EU_GDPR["A6-1-d"],
}
# The audience each table (or each group header of the legitimate-interests table) applies to: the
# project's reading of the policy, recorded in docs/decisions/0003-audiences.md.
TABLE_AUDIENCE = {
    "A6-1-a": PKO.ProductUser,
    "A6-1-b": PKO.ContractingUser,
    "A6-1-c": PKO.AnyPerson,
    "A6-1-e": PKO.AnyPerson,
    "A6-1-d": PKO.AnyPerson,
}
GROUP_HEADERS = {
    "If you are a registered user of the Meta Products": None,
    "For people under the age of majority": PKO.RegisteredUserUnderAgeOfMajority,
    "For all people, including those under the age of majority": PKO.RegisteredUser,
    "For people over the age of majority": PKO.RegisteredUserOverAgeOfMajority,
    "If we cannot associate you or your device with a registered user": PKO.NonAccountHolder,
}
CATEGORY_BY_SUBPAGE = {
    "1": PKO.YourActivityAndInformation,
    "2": PKO.FriendsFollowersAndConnections,
    "3": PKO.AppBrowserAndDeviceInformation,
    "4": PKO.InformationFromPartnersVendorsAndThirdParties,
}
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Row:
    """One row of a legal-basis table as the policy text has it."""

    start: int
    basis: URIRef
    audience: URIRef
    first_cell: str
    categories: frozenset[URIRef]


def plain(markdown: str) -> str:
    """Markdown links reduced to their text, curly apostrophes straightened."""
    return LINK.sub(r"\1", markdown).replace("\u2019", "'")


def read_rows(text: str) -> list[Row]:
    """Every data row of every table under 'Legal basis information', with its basis and audience."""
    rows: list[Row] = []
    tail = text.index("\nLegal basis information\n")
    basis = None
    audience = None
    offset = tail
    for line in text[tail:].split("\n"):
        start = offset
        offset += len(line) + 1
        if line in BASIS_HEADINGS:
            basis = BASIS_HEADINGS[line]
            audience = TABLE_AUDIENCE.get(basis.split("#")[-1])
            continue
        if not line.startswith("| ") or line.startswith("| ---") or line.startswith("| Why and how"):
            continue
        cells = line[2:].rstrip(" |").split(" | ")
        if all(not c.strip() for c in cells[1:]):
            header = next((a for h, a in GROUP_HEADERS.items() if cells[0].startswith(h)), "unknown")
            assert header != "unknown", f"unexpected group header row: {cells[0][:80]!r}"
            audience = header if header is not None else audience
            continue
        info = cells[-1]
        categories = {CATEGORY_BY_SUBPAGE[n] for n in re.findall(r"subpage=1\.subpage\.(\d)-", info)}
        if "* Information from partners, vendors and third parties" in info:
            categories.add(PKO.InformationFromPartnersVendorsAndThirdParties)
        assert basis is not None and audience is not None
        rows.append(Row(start + 2, basis, audience, cells[0], frozenset(categories)))
    return rows


@pytest.fixture(scope="module")
def rows(policy_text: str) -> list[Row]:
    return read_rows(policy_text)


@pytest.fixture(scope="module")
def data(compiled) -> Graph:
    return compiled.data


def span_offsets(graph: Graph, span) -> tuple[int, int]:
    selector = graph.value(span, OA.hasSelector)
    return int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))


def test_the_policy_has_the_tables_we_expect(rows: list[Row]) -> None:
    counts = {}
    for row in rows:
        counts[row.basis] = counts.get(row.basis, 0) + 1
    assert sum(counts.values()) == 39
    assert counts[EU_GDPR["A6-1-f"]] == 23
    assert counts[EU_GDPR["A6-1-a"]] == 6 and counts[EU_GDPR["A6-1-b"]] == 6


def test_every_row_is_encoded_exactly_once(rows: list[Row], data: Graph) -> None:
    processes = list(data.subjects(RDF.type, DPV.Process))
    by_start: dict[int, list] = {}
    for process in processes:
        spans = list(data.objects(process, PROV.wasDerivedFrom))
        assert len(spans) == 1, f"{process} should be derived from exactly its table row"
        by_start.setdefault(span_offsets(data, spans[0])[0], []).append(process)
    assert sorted(by_start) == sorted(r.start for r in rows), "processes and table rows differ"
    assert all(len(v) == 1 for v in by_start.values()), "a row is encoded more than once"
    assert len(processes) == len(rows)


def _process_for(row: Row, data: Graph):
    for process in data.subjects(RDF.type, DPV.Process):
        span = data.value(process, PROV.wasDerivedFrom)
        if span_offsets(data, span)[0] == row.start:
            return process
    raise AssertionError(f"no process for the row at {row.start}")


def test_rows_have_the_right_basis_audience_and_categories(rows: list[Row], data: Graph) -> None:
    for row in rows:
        process = _process_for(row, data)
        article6 = {b for b in data.objects(process, DPV.hasLegalBasis) if "#A6-1-" in str(b)}
        assert article6 == {row.basis}, f"{process}: basis {article6} != {row.basis}"
        assert set(data.objects(process, DPV.hasDataSubject)) == {row.audience}, process
        listed = {data.value(q, PKO.listedUnder) for q in data.objects(process, PKO.hasQualifiedPersonalData)}
        assert listed == set(row.categories), f"{process}: categories {listed} != {set(row.categories)}"


def test_labels_start_with_the_rows_own_title(rows: list[Row], data: Graph) -> None:
    for row in rows:
        process = _process_for(row, data)
        title = str(data.value(process, DCTERMS.title)).replace("\u2019", "'")
        assert plain(row.first_cell).startswith(title), f"{process}: {title!r} is not how the row starts"
        assert len(title.split()) >= 2
        labels = list(data.objects(process, RDFS.label))
        assert len(labels) == 1 and str(labels[0]).replace("\u2019", "'").startswith(title)


def test_special_category_row_has_explicit_consent(data: Graph) -> None:
    special = [p for p in data.subjects(RDF.type, DPV.Process)
               if (p, DPV.hasPersonalData, PKO.InformationWithSpecialProtections) in data]
    assert len(special) == 1
    assert (special[0], DPV.hasLegalBasis, EU_GDPR["A9-2-a"]) in data


def test_every_span_in_the_graph_lies_in_the_text(data: Graph, policy_text: str) -> None:
    spans = list(data.subjects(RDF.type, OA.SpecificResource))
    assert len(spans) > 500
    for span in spans:
        start, end = span_offsets(data, span)
        assert 0 <= start < end <= len(policy_text), span
        assert str(span).endswith(f"/span/{start}-{end}")


def _yaml_spans(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _yaml_spans(value, f"{path}.{key}")
    elif isinstance(node, list):
        if len(node) == 3 and isinstance(node[0], int) and isinstance(node[1], int) and isinstance(node[2], str):
            yield path, node
        else:
            for i, value in enumerate(node):
                yield from _yaml_spans(value, f"{path}[{i}]")


@pytest.mark.parametrize("name", ["notice.yaml", "processes.yaml"])
def test_every_source_span_text_is_where_its_offsets_say(name: str, policy_text: str) -> None:
    sources = yaml.safe_load(Path(data_dir() / name).read_text(encoding="utf-8"))
    spans = list(_yaml_spans(sources))
    assert len(spans) > (60 if name == "notice.yaml" else 550)
    for path, (start, end, head) in spans:
        assert policy_text[start:start + len(head)] == head, f"{name}{path}: {head!r} not at {start}"
        assert start < end <= len(policy_text)


def test_item_mentions_lie_inside_their_rows(data: Graph) -> None:
    for process in data.subjects(RDF.type, DPV.Process):
        row_start, row_end = span_offsets(data, data.value(process, PROV.wasDerivedFrom))
        for qualified in data.objects(process, PKO.hasQualifiedPersonalData):
            for span in data.objects(qualified, PROV.wasDerivedFrom):
                start, end = span_offsets(data, span)
                assert row_start <= start < end <= row_end, f"{qualified} outside its row"

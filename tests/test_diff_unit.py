"""The comparison on controlled changes: each kind of edit to a version's sources and text is reported once, in the
right field, with its spans; nothing is reported for an unchanged version."""

from __future__ import annotations

from dataclasses import replace

import pytest

from policykg.changes.diff import diff_versions, expand, text_changes
from policykg.sources.versions import load_registry
from policykg.text.capture import PolicyText


@pytest.fixture(scope="module")
def june():
    from policykg.sources.load import load_version_sources

    return load_version_sources(load_registry().get("meta-uk-2025-06-16"))


def label(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def with_process(sources, pid: str, **changes):
    processes = [p.model_copy(update=changes) if p.id == pid else p for p in sources.processes]
    return replace(sources, processes=processes)


def test_a_version_compared_with_itself_has_no_changes(june) -> None:
    diff = diff_versions(june, june, None, None, label)
    assert diff.empty and diff.to_json()["processes"] == {"added": [], "removed": [], "changed": []}


def test_a_removed_row_and_an_added_row(june) -> None:
    dropped = replace(june, processes=june.processes[1:])
    diff = diff_versions(june, dropped, None, None, label)
    assert [p.id for p in diff.removed] == [june.processes[0].id] and not diff.added and not diff.changed
    diff = diff_versions(dropped, june, None, None, label)
    assert [p.id for p in diff.added] == [june.processes[0].id] and not diff.removed


@pytest.mark.parametrize(("field", "edit", "expected_added", "expected_removed"), [
    ("basis", {"basis": ["eu-gdpr:A6-1-a"]}, ["eu-gdpr:A6-1-a"], ["eu-gdpr:A6-1-b"]),
    ("audience", {"audience": "pko:RegisteredUser"}, ["pko:RegisteredUser"], ["pko:ContractingUser"]),
    ("purposes", {"purposes": ["pko:PersonalisingMetaProducts"]}, [], ["pko:ProvidingAds"]),
    ("processing", {"processing": ["dpv:Collect"]}, [], ["dpv:Store", "dpv:Profiling", "pko:AutomatedProcessing"]),
])
def test_one_field_edit_is_reported_in_that_field_only(june, field, edit, expected_added, expected_removed) -> None:
    edited = with_process(june, "contract-personalising", **edit)
    diff = diff_versions(june, edited, None, None, label)
    assert not diff.added and not diff.removed and len(diff.changed) == 1
    change = diff.changed[0]
    assert change.old.id == change.new.id == "contract-personalising"
    assert [c.field for c in change.changes] == [field]
    assert sorted(v.value for v in change.changes[0].added) == sorted(expand(x) for x in expected_added)
    assert sorted(v.value for v in change.changes[0].removed) == sorted(expand(x) for x in expected_removed)


def test_an_item_dropped_from_a_row_is_quoted_from_the_old_text(june) -> None:
    process = next(p for p in june.processes if p.id == "contract-personalising")
    edited = with_process(june, process.id, data=process.data[1:])
    text = PolicyText(path=june.notice_path, text="x" * 120000, sha256="0" * 64)
    diff = diff_versions(june, edited, text, text, label)
    (change,) = diff.changed
    (items,) = [c for c in change.changes if c.field == "items"]
    removed = {v.value for v in items.removed}
    assert removed == {expand(i) for i in process.data[0].items} - {expand(i) for e in process.data[1:] for i in e.items}
    assert all(v.span is not None and (v.span.start, v.span.end) == tuple(process.data[0].span[:2]) for v in items.removed)


def test_a_renamed_process_is_paired_by_the_stated_pair(june) -> None:
    renamed = with_process(june, "contract-personalising", id="contract-personalising-renamed")
    unpaired = diff_versions(june, renamed, None, None, label)
    assert [p.id for p in unpaired.added] == ["contract-personalising-renamed"]
    paired = diff_versions(june, renamed, None, None, label, [("contract-personalising", "contract-personalising-renamed")])
    assert paired.empty


def test_notice_level_changes(june) -> None:
    notice = june.notice.model_copy(update={"controller": june.notice.controller.model_copy(update={"name": "Meta Platforms Ireland Limited"})})
    diff = diff_versions(june, replace(june, notice=notice), None, None, label)
    assert [c.field for c in diff.notice] == ["controller"]
    assert [v.value for v in diff.notice[0].added] == ["Meta Platforms Ireland Limited"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("alpha beta gamma\ndelta", "alpha beta gamma\ndelta", []),
    ("alpha beta gamma\ndelta", "alpha BETA gamma\ndelta", [("beta", "BETA")]),
    ("one\ntwo\nthree", "one\ntwo\ninserted line\nthree", [("", "inserted line")]),
    ("one\ntwo\nthree", "one\nthree", [("two", "")]),
    ("| a | b<br>* item one<br>* item two |", "| a | b<br>* item one<br>* item 2<br>* item three |",
     [("two", "2<br>* item three")]),
    ("| a | b<br>* item one<br>* item two |", "| a | b<br>* item one<br>* item two<br>* item three |",
     [("", "* item three")]),
])
def test_text_changes_are_word_level_spans_in_both_texts(old, new, expected) -> None:
    changes = text_changes(old, new)
    assert [(c.old.text, c.new.text) for c in changes] == expected
    for c in changes:
        assert old[c.old.start:c.old.end] == c.old.text and new[c.new.start:c.new.end] == c.new.text


def test_a_basis_not_stated_on_one_side_is_reported_as_such_not_as_removed(june) -> None:
    """The same row with no basis, audience or interests (as the global notice writes it): the diff says which side
    does not state them and what the other states; nothing is 'removed' or 'added'."""
    row = next(p for p in june.processes if p.id == "li-minors-personalising")
    silent = with_process(june, row.id, basis="not-stated", audience=None, audience_span=None, interests=[])
    diff = diff_versions(june, silent, None, None, label)
    (change,) = diff.changed
    fields = {f.field: f for f in change.changes}
    assert set(fields) == {"basis", "audience", "legitimate_interests"}
    for f in fields.values():
        assert f.not_stated == "new" and not f.added and not f.removed and f.stated
    assert [v.value for v in fields["basis"].stated] == [expand(b) for b in row.bases]
    assert change.new.basis == () and change.new.audience is None and change.new.basis_labels == ()
    back = diff_versions(silent, june, None, None, label)
    assert {f.field: f.not_stated for f in back.changed[0].changes} == {"basis": "old", "audience": "old",
                                                                        "legitimate_interests": "old"}


def test_a_row_stating_nothing_on_both_sides_has_no_change(june) -> None:
    silent = with_process(june, "contract-communicating", basis="not-stated", audience=None, audience_span=None)
    assert diff_versions(silent, silent, None, None, label).empty


def test_stated_pairs_win_and_may_be_one_to_many() -> None:
    from policykg.changes.diff import pair_processes

    pairs = pair_processes(["a", "b", "c"], ["a", "b", "x", "y"], [("a", "x"), ("a", "y"), ("zz", "b")])
    assert pairs == [("a", "x"), ("a", "y"), ("b", "b")]  # 'a' is paired as stated, not with new 'a'; 'c' unpaired


def test_matching_lets_the_title_decide_where_one_side_states_no_basis() -> None:
    from policykg.changes.matching import MIN_SCORE, row_ref, score

    uk = row_ref("contract-safety-integrity-security", "eu-gdpr:A6-1-b", ["People who can enter into a contract"],
                 ["Promoting safety, integrity and security on and across the Meta Products"])
    same = row_ref("safety-integrity-security", "not-stated", [], ["Promoting safety, integrity and security"])
    other = row_ref("communicating", "not-stated", [], ["Communicating with you"])
    value, reason = score(uk, same)
    assert value >= MIN_SCORE and "not stated on one side" in reason
    assert score(uk, other)[0] < MIN_SCORE

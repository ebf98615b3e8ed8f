"""The stored expected answers, checked by a route that shares nothing with the program: the curated YAML of each
version (data/<version>/) read here with yaml.safe_load alone, no policykg reader, no build, no SPARQL, and the
answers a question should give worked out from it in plain Python. A stored .srj that disagrees is wrong (or the
encoding lost something between the YAML and the graph): either way a person must look.

Covers, on every version with curated sources: cq01 (purposes per basis), cq02 (processes per basis), cq05
(processes for minors and all registered users), cq06 (processes for people without an account), cq08 (items used
for people without an account, by category), cq11 (legitimate interests per process), cq16 (recipients and how many
processes name each), cq18 (profiling, automated processing, manual review), cq19/cq20 (items by number of
processes), cq23 (the span of each row), cq24 (qualified uses and their spans), cq27 (processes per category and
basis), cq30 (retention criteria), cq33 (processes that share or transfer, with their recipients). A version whose
YAML states no basis or audience (`basis: not-stated`, no `audience`) must have no answer to the questions that need
them. queries/README.md says how the rest were checked.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
EXPECTED = ROOT / "queries" / "expected"
NAMESPACES = {"pko": "https://w3id.org/policykg/ontology#", "dpv": "https://w3id.org/dpv#",
              "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#"}
UNDER_18 = NAMESPACES["pko"] + "RegisteredUserUnderAgeOfMajority"
REGISTERED = NAMESPACES["pko"] + "RegisteredUser"
NO_ACCOUNT = NAMESPACES["pko"] + "NonAccountHolder"


def _versions() -> list[str]:
    registry = yaml.safe_load((DATA / "versions.yaml").read_text(encoding="utf-8"))
    return [v["name"] for v in registry["versions"] if (DATA / v["name"] / "processes.yaml").is_file()]


VERSIONS = _versions()


def iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return NAMESPACES[prefix] + local


def listed(value) -> list[str]:
    return value if isinstance(value, list) else [value]


class Version:
    """One version's curated YAML, read plainly."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.processes = yaml.safe_load((DATA / name / "processes.yaml").read_text(encoding="utf-8"))
        self.notice = yaml.safe_load((DATA / name / "notice.yaml").read_text(encoding="utf-8"))
        self.base = f"https://w3id.org/policykg/{name}/"

    def process(self, p: dict) -> str:
        return f"{self.base}process/{p['id']}"

    def bases(self, p: dict) -> list[str]:
        return [] if p["basis"] == "not-stated" else [iri(b) for b in listed(p["basis"])]

    def audience(self, p: dict) -> str | None:
        return iri(p["audience"]) if p.get("audience") else None

    def states(self, kind: str) -> bool:
        """What the notice states, as its YAML records it (the global notice: `basis: not-stated`, no audience)."""
        if kind == "legal-bases":
            return any(p["basis"] != "not-stated" for p in self.processes)
        if kind == "legitimate-interests":
            return any(p.get("interests") for p in self.processes)
        return any(p.get("audience") for p in self.processes)

    def items(self, p: dict) -> set[str]:
        found = {iri(i) for use in p.get("data", []) for i in use["items"]}
        return found | {iri(i) for d in p.get("derived", []) for i in d["items"]}


def stored(version: str, prefix: str) -> list[dict[str, str]]:
    """The stored expected answer of a question for a version, as {variable: lexical value} rows."""
    path = next((EXPECTED / version).glob(f"{prefix}-*.srj"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def applies(v: Version, prefix: str, *kinds: str) -> bool:
    """Whether a question needing `kinds` applies to the version; where it does not, it must have no answer."""
    if all(v.states(kind) for kind in kinds):
        return True
    assert not list((EXPECTED / v.name).glob(f"{prefix}-*.srj")), f"{prefix} has an answer on {v.name}, which states no {kinds}"
    return False


@pytest.fixture(scope="module", params=VERSIONS)
def v(request) -> Version:
    return Version(request.param)


def test_every_version_with_sources_has_expected_answers() -> None:
    assert len(VERSIONS) >= 4
    for name in VERSIONS:
        assert (EXPECTED / name).is_dir(), f"no expected answers for {name}"


def test_cq02_processes_per_basis(v: Version) -> None:
    if not applies(v, "cq02", "legal-bases"):
        return
    counts = Counter(b for p in v.processes for b in set(v.bases(p)))
    assert {r["basis"]: int(r["processes"]) for r in stored(v.name, "cq02")} == dict(counts)


def test_cq05_processes_for_minors_and_all_registered_users(v: Version) -> None:
    if not applies(v, "cq05", "legal-bases", "audiences"):
        return
    wanted = {(v.process(p), v.audience(p), b) for p in v.processes if v.audience(p) in (UNDER_18, REGISTERED)
              for b in v.bases(p)}
    assert {(r["process"], r["audience"], r["basis"]) for r in stored(v.name, "cq05")} == wanted


def test_cq06_processes_for_people_without_an_account(v: Version) -> None:
    if not applies(v, "cq06", "legal-bases", "audiences"):
        return
    wanted = {(v.process(p), iri(purpose), b) for p in v.processes if v.audience(p) == NO_ACCOUNT
              for purpose in p["purposes"] for b in v.bases(p)}
    assert {(r["process"], r["purpose"], r["basis"]) for r in stored(v.name, "cq06")} == wanted


def test_cq11_legitimate_interests_per_process(v: Version) -> None:
    if not applies(v, "cq11", "legitimate-interests", "audiences"):
        return
    wanted = {(v.process(p), v.audience(p), iri(i["interest"])) for p in v.processes for i in p.get("interests", [])}
    assert {(r["process"], r["audience"], r["interest"]) for r in stored(v.name, "cq11")} == wanted


def test_cq16_recipients_and_the_processes_naming_each(v: Version) -> None:
    naming = Counter(rid for p in v.processes for rid in set(p.get("recipients", [])))
    wanted = {f"{v.base}recipient/{r['id']}": naming[r["id"]] for r in v.notice["recipients"]}
    rows = stored(v.name, "cq16")
    assert {r["recipient"]: int(r["processes"]) for r in rows} == wanted


def test_cq18_profiling_automated_and_manual_review(v: Version) -> None:
    wanted = {}
    for p in v.processes:
        ops = set(p["processing"])
        flags = ("dpv:Profiling" in ops, "pko:AutomatedProcessing" in ops, "pko:ManualReview" in ops)
        if any(flags):
            wanted[v.process(p)] = flags
    rows = stored(v.name, "cq18")
    assert {r["process"]: tuple(r[k] == "true" for k in ("profiling", "automated", "manualReview")) for r in rows} == wanted


def test_cq19_and_cq20_items_by_number_of_processes(v: Version) -> None:
    users: dict[str, set[str]] = defaultdict(set)
    for p in v.processes:
        for item in v.items(p):
            users[item].add(v.process(p))
    top = stored(v.name, "cq19")
    counts = [int(r["processes"]) for r in top]
    assert len(top) == 10 and counts == sorted(counts, reverse=True)
    assert all(len(users[r["item"]]) == int(r["processes"]) for r in top)
    tenth = counts[-1]
    assert all(len(s) <= tenth for item, s in users.items() if item not in {r["item"] for r in top})
    single = {(item, next(iter(s))) for item, s in users.items() if len(s) == 1}
    assert {(r["item"], r["process"]) for r in stored(v.name, "cq20")} == single


def test_cq23_where_each_row_is_stated(v: Version) -> None:
    wanted = {(v.process(p), p["row_span"][0], p["row_span"][1]) for p in v.processes}
    assert {(r["process"], int(r["start"]), int(r["end"])) for r in stored(v.name, "cq23")} == wanted


def test_cq27_processes_per_category_and_basis(v: Version) -> None:
    if not applies(v, "cq27", "legal-bases"):
        return
    per: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in v.processes:
        for use in p.get("data", []):
            for b in v.bases(p):
                per[(iri(use["under"]), b)].add(p["id"])
    wanted = {key: len(ids) for key, ids in per.items()}
    assert {(r["category"], r["basis"]): int(r["processes"]) for r in stored(v.name, "cq27")} == wanted


def test_cq30_retention_criteria(v: Version) -> None:
    wanted = {c["label"] for c in v.notice["retention"]["criteria"]}
    assert {r["label"] for r in stored(v.name, "cq30")} == wanted


def test_cq33_processes_that_share_or_transfer(v: Version) -> None:
    wanted = set()
    for p in v.processes:
        if {"dpv:Share", "dpv:CrossBorderTransfer"} & set(p["processing"]):
            for rid in p.get("recipients") or [None]:
                wanted.add((v.process(p), f"{v.base}recipient/{rid}" if rid else None))
    assert {(r["process"], r.get("recipient")) for r in stored(v.name, "cq33")} == wanted


def test_cq01_purposes_per_basis(v: Version) -> None:
    if not applies(v, "cq01", "legal-bases"):
        return
    per: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in v.processes:
        for b in v.bases(p):
            for purpose in p["purposes"]:
                per[(b, iri(purpose))].add(p["id"])
    assert {(r["basis"], r["purpose"]): int(r["processes"]) for r in stored(v.name, "cq01")} == \
        {key: len(ids) for key, ids in per.items()}


def test_cq08_items_for_people_without_an_account(v: Version) -> None:
    if not applies(v, "cq08", "audiences"):
        return
    per: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in v.processes:
        if v.audience(p) == NO_ACCOUNT:
            for use in p.get("data", []):
                for item in use["items"]:
                    per[(iri(item), iri(use["under"]))].add(p["id"])
    assert {(r["item"], r["category"]): int(r["processes"]) for r in stored(v.name, "cq08")} == \
        {key: len(ids) for key, ids in per.items()}


def test_cq24_qualified_uses_and_where_the_text_says_so(v: Version) -> None:
    wanted = {(v.process(p), iri(item), use["qualifier"], use["span"][0], use["span"][1])
              for p in v.processes for use in p.get("data", []) if use.get("qualifier") for item in use["items"]}
    assert {(r["process"], r["item"], r["qualifier"], int(r["start"]), int(r["end"])) for r in stored(v.name, "cq24")} \
        == wanted

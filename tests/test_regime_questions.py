"""The questions across regimes (cq53-cq64) answer what the curated sources say, recounted here without RDF or
SPARQL: plain Python over data/*/processes.yaml and data/links.yaml, a second source for their expected results."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from policykg.config import data_root
from policykg.store.questions import get_question, run_question

#: The purposes of personalised advertising in the ontology (each skos:broader* dpv:PersonalisedAdvertising).
ADS = {"pko:ProvidingAds", "pko:AudienceNetworkAds", "pko:TailoringAdsWithPartnerData", "pko:TailoringAdsWithBusinessLists"}
PKO = "https://w3id.org/policykg/ontology#"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"


@pytest.fixture(scope="module")
def sources() -> tuple[dict[str, str], dict[str, list[dict]], dict]:
    root = data_root()
    versions = yaml.safe_load((root / "versions.yaml").read_text(encoding="utf-8"))["versions"]
    regime = {v["name"]: v["jurisdiction"] for v in versions}
    processes = {name: yaml.safe_load((root / name / "processes.yaml").read_text(encoding="utf-8")) for name in regime}
    return regime, processes, yaml.safe_load((root / "links.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def answer(build_dir: Path):
    from build_fixtures import dpv_or_skip
    from policykg.store.dataset import load_store

    store = load_store(build_dir, dpv_or_skip())
    return lambda name: run_question(store, get_question(name)).values()


def _excluded(process: dict, item: str) -> bool:
    return any(x["purpose"] in ADS and (not x.get("data") or item in x["data"]) for x in process.get("excludes", []))


def test_ai_interactions_feed_ads_only_in_the_global_notice_from_december_2025(sources, answer) -> None:
    regime, processes, _ = sources
    expected = sorted((regime[v], v, p["id"]) for v, ps in processes.items() for p in ps
                      if ADS & set(p["purposes"]) and any("pko:AIInteractions" in d["items"] for d in p["data"])
                      and not _excluded(p, "pko:AIInteractions"))
    got = sorted((r["regime"], r["version"], r["process"].rsplit("/", 1)[1]) for r in answer("cq53-ai-interactions-for-ads"))
    assert got == expected
    assert {(r, v) for r, v, _ in got} == {("global", "meta-global-2025-12-16"), ("global", "meta-global-2026-07-23")}


def test_ad_items_per_version(sources, answer) -> None:
    regime, processes, _ = sources
    expected: Counter = Counter()
    for v, ps in processes.items():
        for p in ps:
            if ADS & set(p["purposes"]):
                for item in {i for d in p["data"] for i in d["items"]}:
                    if not _excluded(p, item):
                        expected[(regime[v], v, item.replace("pko:", PKO))] += 1
    got = Counter({(r["regime"], r["version"], r["item"]): int(r["processes"]) for r in answer("cq56-ads-items-by-regime")})
    assert got == expected


def test_timeline_and_what_the_global_notice_does_not_state(sources, answer) -> None:
    regime, processes, _ = sources
    timeline = sorted((r["version"], int(r["processes"]), int(r["withBasis"])) for r in answer("cq57-regime-timeline"))
    assert timeline == sorted((v, len(ps), sum(p["basis"] != "not-stated" for p in ps)) for v, ps in processes.items())
    silent = sorted((r["version"], r["notStated"], int(r["count"])) for r in answer("cq58-what-the-global-notice-does-not-state"))
    assert silent == sorted((v, what, n) for v, ps in processes.items() if regime[v] == "global"
                            for what, n in (("legal basis", len(ps)), ("audience", len(ps)), ("legitimate interest", len(ps)),
                                            ("applicable law", 1), ("supervisory authority", 1), ("DPO contact", 1)))


def test_counterparts_of_global_rows_and_rows_without_one(sources, answer) -> None:
    _, processes, links = sources
    pairs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for entry in links["counterparts"]:
        for a, b in ((entry["old"], entry["new"]), (entry["new"], entry["old"])):
            if a.startswith("meta-global-"):
                pairs[(*a.split("/"), b.split("/")[0])].add(b)
    got = sorted((r["globalVersion"], r["globalProcess"].rsplit("/", 1)[1], r["otherVersion"], int(r["counterparts"]))
                 for r in answer("cq62-counterparts-of-global-rows"))
    assert got == sorted((g, p, o, len(s)) for (g, p, o), s in pairs.items())
    lacking = []
    for version, global_version in (("meta-uk-2025-06-16", "meta-global-2023-06-15"), ("meta-eu-2025-12-16", "meta-global-2025-12-16")):
        linked = {e["new"].split("/")[1] if e["old"].startswith(global_version) else e["old"].split("/")[1]
                  for e in links["counterparts"] if {e["old"].split("/")[0], e["new"].split("/")[0]} == {version, global_version}}
        lacking += [(version, p["id"], b.replace("eu-gdpr:", GDPR)) for p in processes[version] if p["id"] not in linked
                    for b in p["basis"]]
    got = sorted((r["version"], r["process"].rsplit("/", 1)[1], r["basis"]) for r in answer("cq63-uk-eu-rows-the-global-notice-lacks"))
    assert got == sorted(lacking)


def test_ai_development_and_the_special_protections_wording(sources, answer) -> None:
    _, processes, _ = sources

    def bases(p: dict) -> list[str]:
        return [b.replace("eu-gdpr:", GDPR) for b in p["basis"]] if p["basis"] != "not-stated" else ["not stated"]

    got = sorted((r["version"], r["process"].rsplit("/", 1)[1], r["basis"]) for r in answer("cq60-ai-development-by-regime"))
    assert got == sorted((v, p["id"], b) for v, ps in processes.items() for p in ps
                         if "pko:DevelopingAndImprovingAI" in p["purposes"] for b in bases(p))
    got = sorted((r["version"], r["process"].rsplit("/", 1)[1], r["basis"], r.get("qualifier"))
                 for r in answer("cq61-special-protections-consent"))
    assert got == sorted((v, p["id"], b, d.get("qualifier")) for v, ps in processes.items() for p in ps for d in p["data"]
                         if "pko:InformationWithSpecialProtections" in d["items"] for b in bases(p))
    wording = {r["version"]: r.get("qualifier") for r in answer("cq61-special-protections-consent")
               if r["version"].startswith("meta-global-")}
    assert wording["meta-global-2025-12-16"].startswith("only where") and wording["meta-global-2026-07-23"].startswith("or where")

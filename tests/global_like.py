"""A version that states what Meta's global notice states, made from the June 2025 UK graph for the tests.

The global notice states no legal basis, no audience and no legitimate interest, and no applicable law; its encoding
(another engineer's, decision 9's style) records that on each process as `pko:statesLegalBasis false`,
`pko:statesAudience false`, `pko:statesLegitimateInterest false` and leaves dpv:hasApplicableLaw off the notice.
This module makes such a version out of the June 2025 graph: the same processes, purposes, items, recipients and
spans, with the bases, audiences, interests, the rights that follow from a basis, the law and the authority
removed and the three absences recorded; its IRIs live under https://w3id.org/policykg/test/. A question that does
not need what was removed gives June's answer on it (IRIs mapped back); one that does is refused.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

SOURCE = "meta-uk-2025-06-16"
SOURCE_BASE = f"https://w3id.org/policykg/{SOURCE}/"
SOURCE_GRAPH = f"https://w3id.org/policykg/graph/{SOURCE}"
TEST_BASE = "https://w3id.org/policykg/test/"
NAME = "test-global-like"
DPV = "https://w3id.org/dpv#"
PKO = "https://w3id.org/policykg/ontology#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Per kind of statement (policykg.store.applicability): the properties a notice that does not make it lacks, and
#: what its processes record instead.
KINDS: dict[str, tuple[set[str], str | None]] = {
    "legal-bases": ({DPV + "hasLegalBasis", PKO + "appliesToLegalBasis"}, "statesLegalBasis"),
    "audiences": ({DPV + "hasDataSubject"}, "statesAudience"),
    "legitimate-interests": ({PKO + "hasLegitimateInterest"}, "statesLegitimateInterest"),
    "applicable-law": ({DPV + "hasApplicableLaw", DPV + "hasAuthority", DPV + "hasJurisdiction"}, None),
}
FALSE = ox.Literal("false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def base(name: str) -> str:
    """The instance namespace of a test variant."""
    return f"{TEST_BASE}{name}/"


def graph(name: str) -> str:
    """The named graph of a test variant."""
    return f"{TEST_BASE}graph/{name}"


def quads(store: ox.Store, name: str = NAME, kinds: tuple[str, ...] = tuple(KINDS)) -> list[ox.Quad]:
    """A variant of the June 2025 graph of a store that does not state `kinds` (all of them: global-like), in its
    own graph, called `name`."""
    target, new_base = ox.NamedNode(graph(name)), base(name)
    removed = set().union(*(KINDS[k][0] for k in kinds))
    recorded = [KINDS[k][1] for k in kinds if KINDS[k][1]]
    source = list(store.quads_for_pattern(None, None, None, ox.NamedNode(SOURCE_GRAPH)))
    processes = {q.subject for q in source if q.predicate.value == RDF_TYPE and q.object == ox.NamedNode(DPV + "Process")}

    def renamed(term):
        if isinstance(term, ox.NamedNode) and term.value.startswith(SOURCE_BASE):
            return ox.NamedNode(new_base + term.value[len(SOURCE_BASE):])
        return term

    out = []
    for q in source:
        if q.predicate.value in removed:
            continue
        if "legal-bases" in kinds and q.predicate.value == DPV + "hasRight" and q.subject in processes:
            continue  # a process's rights follow from its basis (policykg.encode.law): none without one
        notice_id = q.predicate.value == DCT + "identifier" and q.subject.value == SOURCE_BASE + "notice"
        out.append(ox.Quad(renamed(q.subject), q.predicate, ox.Literal(name) if notice_id else renamed(q.object), target))
    for process in processes:
        out += [ox.Quad(renamed(process), ox.NamedNode(PKO + p), FALSE, target) for p in recorded]
    return out


def add_to(store: ox.Store, name: str = NAME, kinds: tuple[str, ...] = tuple(KINDS)) -> None:
    """Add a variant (default: the global-like version) to a store that holds the June 2025 graph."""
    store.extend(quads(store, name, kinds))


def to_source(value: str) -> str:
    """An IRI of a test variant written as the June 2025 one it was made from."""
    if not value.startswith(TEST_BASE):
        return value
    return SOURCE_BASE + value[len(TEST_BASE):].split("/", 1)[1]


def make_build(build_dir: Path, out: Path) -> Path:
    """A copy of a build folder whose dataset and manifest also hold the global-like version (jurisdiction 'global')."""
    shutil.copytree(build_dir, out)
    store = ox.Store()
    store.bulk_load(path=str(out / "policykg.nq"), format=ox.RdfFormat.N_QUADS)
    with (out / "policykg.nq").open("ab") as nq:
        nq.write(ox.serialize(quads(store), format=ox.RdfFormat.N_QUADS))
    manifest = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    source = next(v for v in manifest["versions"] if v["name"] == SOURCE)
    manifest["versions"].append({**source, "name": NAME, "graph": graph(NAME), "notice": base(NAME) + "notice",
                                 "jurisdiction": "global", "label": "A global-like notice (test)"})
    manifest["files"][graph(NAME)] = f"{SOURCE}.nt"
    (out / "dataset.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return out

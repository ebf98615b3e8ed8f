"""Readable names for IRIs (no pandas: the command line's tables use them too).

A resource is shown by its label (rdfs:label, else skos:prefLabel), GDPR provisions as people cite them
("Art. 6(1)(f) legitimate interests"), and anything unlabelled as a CURIE (eu-gdpr:A6-1-f). Processes are shown
by their title; where several processes of one version share a title, the title is followed by what tells them
apart, the basis and the audience in short ("Personalising the Meta Products · legitimate interests · under 18").
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from typing import TYPE_CHECKING

from policykg.iris import EU_GDPR, PKO, compact_iri
from policykg.labels import GDPR_LABELS, gdpr_label
from policykg.store.views import dataset_graphs, run_on, sparql

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pyoxigraph

#: Audiences in a few words, for process labels and axes (the ontology's labels are full sentences).
AUDIENCE_SHORT: dict[str, str] = {
    f"{PKO}AnyPerson": "anyone",
    f"{PKO}ProductUser": "users",
    f"{PKO}ContractingUser": "can contract",
    f"{PKO}RegisteredUser": "all registered users",
    f"{PKO}RegisteredUserUnderAgeOfMajority": "under 18",
    f"{PKO}RegisteredUserOverAgeOfMajority": "18 and over",
    f"{PKO}NonAccountHolder": "no account",
}
#: Separator between a process title and what tells it apart from processes sharing its title.
SEPARATOR = " · "
_CACHE: OrderedDict[tuple[int, str | None], tuple[object, LabelIndex]] = OrderedDict()
_CACHE_SIZE = 8


def basis_short(iri: str) -> str:
    """A legal basis in a word or two: eu-gdpr:A6-1-f -> 'legitimate interests' (else its label or CURIE)."""
    label = gdpr_label(iri)
    if label:
        return re.sub(r"^Art\. [0-9()a-z]+ ", "", label)
    return compact_iri(iri)


def basis_code(iri: str) -> str:
    """A GDPR article IRI written as its article reference: eu-gdpr:A6-1-a -> 'Art. 6(1)(a)'."""
    name = re.split(r"[#/]", iri)[-1]
    match = re.fullmatch(r"A(\d+)((?:-[0-9a-z]+)*)", name)
    if not match:
        return name
    return f"Art. {match.group(1)}" + "".join(f"({p})" for p in match.group(2).split("-") if p)


def audience_short(iri: str) -> str:
    """An audience in a few words: pko:RegisteredUserUnderAgeOfMajority -> 'under 18'."""
    return AUDIENCE_SHORT.get(iri, compact_iri(iri))


def version_of(iri: str) -> str | None:
    """The version an instance IRI belongs to (https://w3id.org/policykg/<version>/...), or None."""
    match = re.match(r"https://w3id\.org/policykg/([a-z]+-[a-z]+-\d{4}-\d{2}-\d{2})/", iri)
    return match.group(1) if match else None


class LabelIndex:
    """Every label of one version's dataset (or of every graph), with process labels told apart by audience."""

    def __init__(self, store: pyoxigraph.Store, version: str | None = None) -> None:
        graphs = dataset_graphs(store, version)
        self.labels: dict[str, str] = {}
        for row in run_on(store, sparql("labels").text, graphs).values():
            self.labels[row["resource"]] = row["label"]
        self.processes: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        bases: dict[str, set[str]] = defaultdict(set)
        audiences: dict[str, set[str]] = defaultdict(set)
        for row in run_on(store, sparql("processes").text, graphs).values():
            self.titles[row["process"]] = row["title"]
            if "basis" in row:
                bases[row["process"]].add(row["basis"])
            if "audience" in row:
                audiences[row["process"]].add(row["audience"])
        shared: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        for process, title in self.titles.items():
            shared[(version_of(process), title)].append(process)
        for process, title in self.titles.items():
            if len(shared[(version_of(process), title)]) == 1:
                self.processes[process] = title
            else:
                apart = distinguishing(bases[process], audiences[process]) or process.rsplit("/", 1)[-1]
                self.processes[process] = SEPARATOR.join([title, apart])

    def __call__(self, iri: str) -> str:
        """The label of an IRI (a process label, a GDPR citation, the resource's label, else a CURIE)."""
        if iri in self.processes:
            return self.processes[iri]
        return gdpr_label(iri) or self.labels.get(iri) or compact_iri(iri)

    def short(self, iri: str) -> str:
        """A short name for axes: a basis or an audience in a few words, anything else by its label."""
        if iri.startswith(str(EU_GDPR)) and iri[len(str(EU_GDPR)):] in GDPR_LABELS:
            return basis_short(iri)
        if iri in AUDIENCE_SHORT:
            return AUDIENCE_SHORT[iri]
        return self(iri)


def distinguishing(bases: set[str], audiences: set[str]) -> str:
    """What tells a process apart from others with its title: its Art. 6 bases and audiences, in short."""
    art6 = sorted(b for b in bases if b.startswith(f"{EU_GDPR}A6-")) or sorted(bases)
    parts = [" + ".join(basis_short(b) for b in art6), " + ".join(sorted(audience_short(a) for a in audiences))]
    return SEPARATOR.join(part for part in parts if part)


def label_index(store: pyoxigraph.Store, version: str | None = None) -> LabelIndex:
    """The labels of a version's dataset (cached for the last few stores)."""
    key = (id(store), version)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is store:
        _CACHE.move_to_end(key)
        return hit[1]
    index = LabelIndex(store, version)
    _CACHE[key] = (store, index)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return index


def labeller(store: pyoxigraph.Store, version: str | None = None) -> LabelIndex:
    """A function from IRI to readable label for one version's dataset: labeller(store)(iri)."""
    return label_index(store, version)

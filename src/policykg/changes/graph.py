"""Compare stage, as RDF: each comparison of two versions as a change graph (PROV and DCTERMS aligned), so that
changes can be queried beside the versions they compare."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from policykg.changes.diff import Diff, FieldChange, TextSpan, Value, diff_versions
from policykg.labels import Labeller
from policykg.namespaces import DCTERMS, OA, PKO, PROV, RDF, RDFS, SITE, XSD, bind_prefixes, version_namespace
from policykg.sources.load import VersionSources
from policykg.sources.versions import Registry, Version
from policykg.text.capture import PolicyText


@dataclass(frozen=True)
class Comparison:
    """Two versions worth comparing: consecutive ones of a jurisdiction, or the newest of two jurisdictions."""

    old: Version
    new: Version

    @property
    def name(self) -> str:
        """The comparison's name, e.g. meta-uk-2025-04-07--meta-uk-2025-06-16."""
        return f"{self.old.name}--{self.new.name}"

    @property
    def iri(self) -> URIRef:
        """The comparison's IRI."""
        return SITE[f"changes/{self.name}"]

    @property
    def graph(self) -> str:
        """The named graph its changes are served in."""
        return f"{SITE}graph/changes/{self.name}"


def comparisons(registry: Registry) -> list[Comparison]:
    """Consecutive versions of each jurisdiction, then the comparisons across jurisdictions data/links.yaml states
    (versions in force at the same time, decision 38); without that list, the newest versions of each pair of
    jurisdictions."""
    from policykg.changes.lineage import stated_comparisons

    out = [Comparison(prev, v) for v in registry.versions if (prev := registry.previous(v)) is not None]
    stated = stated_comparisons(registry)
    if stated is not None:
        return out + [Comparison(old, new) for old, new, _ in stated]
    newest = [v for v in registry.versions if registry.following(v) is None]
    out += [Comparison(a, b) for i, a in enumerate(newest) for b in newest[i + 1:]]
    return out


def counterpart_pairs(registry: Registry, old: str, new: str) -> list[tuple[str, str]]:
    """The (old id, new id) pairs data/links.yaml states between two versions, in either direction."""
    from policykg.changes.lineage import read_overrides

    revisions, counterparts = read_overrides(registry)
    pairs = []
    for pair in [*revisions, *counterparts]:
        if (pair.old_version, pair.new_version) == (old, new):
            pairs.append((pair.old_id, pair.new_id))
        elif (pair.old_version, pair.new_version) == (new, old):
            pairs.append((pair.new_id, pair.old_id))
    return pairs


def compare(registry: Registry, sources: dict[str, VersionSources], texts: dict[str, PolicyText], ontology: Graph,
            old: str, new: str) -> Diff:
    """The diff between two compiled versions."""
    label = Labeller([ontology, *(_source_labels(s) for s in (sources[old], sources[new]))])
    return diff_versions(sources[old], sources[new], texts.get(old), texts.get(new), label,
                         counterpart_pairs(registry, old, new))


def _source_labels(sources: VersionSources) -> Graph:
    g = Graph()
    ns = version_namespace(sources.version.name)
    for r in sources.notice.recipients:
        g.add((ns[f"recipient/{r.id}"], RDFS.label, Literal(r.label)))
    return g


def compare_all(registry: Registry, sources: dict[str, VersionSources], texts: dict[str, PolicyText],
                ontology: Graph) -> dict[str, tuple[Comparison, Diff]]:
    """Every comparison whose two versions were compiled, with its diff."""
    return {c.name: (c, compare(registry, sources, texts, ontology, c.old.name, c.new.name))
            for c in comparisons(registry) if c.old.name in sources and c.new.name in sources}


def change_graph(c: Comparison, diff: Diff) -> Graph:
    """The changes of one comparison as RDF."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in change_triples(c, diff):
        graph.add(triple)
    return graph


def change_triples(c: Comparison, diff: Diff) -> frozenset[tuple]:
    """The changes of one comparison as a set of triples (what the build writes; change_graph makes a Graph)."""
    g: set[tuple] = set()
    old_ns, new_ns = version_namespace(c.old.name), version_namespace(c.new.name)
    cmp = c.iri
    g.add((cmp, RDF.type, PKO.VersionComparison))
    g.add((cmp, DCTERMS.identifier, Literal(c.name)))
    g.add((cmp, RDFS.label, Literal(f"Changes from {c.old.label} to {c.new.label}", lang="en")))
    g.add((cmp, PKO.oldVersion, old_ns["notice"]))
    g.add((cmp, PKO.newVersion, new_ns["notice"]))
    g.add((cmp, PROV.used, old_ns["notice"]))
    g.add((cmp, PROV.used, new_ns["notice"]))
    counts = {"added": len(diff.added), "removed": len(diff.removed), "changed": len(diff.changed),
              "notice": len(diff.notice), "text": len(diff.text)}
    g.add((cmp, DCTERMS.description, Literal(
        f"{counts['added']} processes added, {counts['removed']} removed, {counts['changed']} changed; "
        f"{counts['notice']} notice-level fields changed; {counts['text']} other passages of the text changed.", lang="en")))

    def change(iri: URIRef, kind: URIRef, label: str) -> URIRef:
        g.add((iri, RDF.type, kind))
        g.add((iri, RDF.type, PKO.Change))
        g.add((iri, PROV.wasGeneratedBy, cmp))
        g.add((iri, RDFS.label, Literal(label, lang="en")))
        return iri

    for p in diff.added:
        node = change(URIRef(f"{cmp}/added/{p.id}"), PKO.ProcessAdded, f"Added: {p.title}")
        g.add((node, PKO.process, URIRef(p.iri)))
    for p in diff.removed:
        node = change(URIRef(f"{cmp}/removed/{p.id}"), PKO.ProcessRemoved, f"Removed: {p.title}")
        g.add((node, PKO.process, URIRef(p.iri)))
    for pc in diff.changed:
        slug = pc.new.id if pc.old.id == pc.new.id else f"{pc.old.id}--{pc.new.id}"
        node = change(URIRef(f"{cmp}/changed/{slug}"), PKO.ProcessChanged, f"Changed: {pc.new.title}")
        g.add((node, PKO.oldProcess, URIRef(pc.old.iri)))
        g.add((node, PKO.newProcess, URIRef(pc.new.iri)))
        _field_changes(g, node, pc.changes, old_ns, new_ns, change)
    if diff.notice:
        node = change(URIRef(f"{cmp}/notice"), PKO.NoticeChanged, "Notice-level changes")
        _field_changes(g, node, diff.notice, old_ns, new_ns, change)
    for k, t in enumerate(diff.text):
        node = change(URIRef(f"{cmp}/text/{k + 1}"), PKO.TextChanged, f"Passage changed ({t.new.text[:60] or t.old.text[:60]})")
        g.add((node, PKO.oldSpan, _span(g, old_ns, t.old)))
        g.add((node, PKO.newSpan, _span(g, new_ns, t.new)))
    return frozenset(g)


def _field_changes(g: set[tuple], parent: URIRef, changes: tuple[FieldChange, ...] | list[FieldChange], old_ns, new_ns, change) -> None:
    for fc in changes:
        if fc.not_stated:
            silent_ns, speaking_ns, span_prop = ((old_ns, new_ns, PKO.newSpan) if fc.not_stated == "old"
                                                 else (new_ns, old_ns, PKO.oldSpan))
            node = change(URIRef(f"{parent}/{fc.field}/not-stated"), PKO.ValueChange,
                          f"{fc.field} not stated in the {fc.not_stated} version")
            g.add((node, RDF.type, PKO.NotStatedChange))
            g.add((parent, PKO.hasValueChange, node))
            g.add((node, PKO.changedField, Literal(fc.field)))
            g.add((node, PKO.notStatedIn, silent_ns["notice"]))
            for v in fc.stated:
                g.add((node, PKO.statedValue, _value(v)))
                if v.span is not None:
                    g.add((node, span_prop, speaking_ns[f"span/{v.span.start}-{v.span.end}"]))
            continue
        for side, values, ns, prop, span_prop in (("added", fc.added, new_ns, PKO.addedValue, PKO.newSpan),
                                                  ("removed", fc.removed, old_ns, PKO.removedValue, PKO.oldSpan)):
            for k, v in enumerate(values):
                node = change(URIRef(f"{parent}/{fc.field}/{side}/{k + 1}"), PKO.ValueChange, f"{fc.field} {side}: {v.label}")
                g.add((parent, PKO.hasValueChange, node))
                g.add((node, PKO.changedField, Literal(fc.field)))
                g.add((node, prop, _value(v)))
                if v.span is not None:
                    g.add((node, span_prop, ns[f"span/{v.span.start}-{v.span.end}"]))


def _value(v: Value) -> URIRef | Literal:
    # One IRI is a node; anything else (an exclusion's purpose and data IRIs joined by spaces) is a literal.
    is_iri = v.value.startswith(("http://", "https://")) and not any(c.isspace() for c in v.value)
    return URIRef(v.value) if is_iri else Literal(v.value)


def _span(g: set[tuple], ns, span: TextSpan) -> URIRef:
    """A span resource for a changed passage (zero-length where something was inserted or deleted)."""
    iri = ns[f"span/{span.start}-{span.end}"]
    selector = ns[f"span/{span.start}-{span.end}/selector"]
    g.add((iri, RDF.type, OA.SpecificResource))
    g.add((iri, OA.hasSource, ns["source/policy-text"]))
    g.add((iri, OA.hasSelector, selector))
    g.add((selector, RDF.type, OA.TextPositionSelector))
    g.add((selector, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    g.add((selector, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
    return iri

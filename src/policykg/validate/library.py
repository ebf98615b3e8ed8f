"""The shapes and the rule library: which files there are, loading them once, and what each shape applies.

Shapes (`shapes/*.ttl`) check the encoding (structure, completeness) and what GDPR Art. 13 asks a notice to say
(transparency, rights); rules (`shapes/rules/*.ttl`) apply provisions of UK and EU law to the processes of a notice
of their jurisdiction. `shapes/provisions.ttl` names the provisions both cite: label, link, jurisdiction, kind of
authority, weight there and the dates they are in force (decision 25).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH

from policykg import iris
from policykg.config import shapes_dir
from policykg.errors import PolicyKGError
from policykg.namespaces import LEGAL_EU, LEGAL_GB

SHAPES_NS = iris.SHAPES
#: The shape files, one per concern, in report order.
SHAPE_SETS: tuple[str, ...] = ("structure", "completeness", "transparency", "rights")
#: The rule files of shapes/rules/, in report order.
RULE_SETS: tuple[str, ...] = ("gdpr", "eprivacy", "aadc", "dsa")
#: The sets whose results are completeness failures (the graph does not say what the text says: an encoding bug);
#: every other set's results are findings about the notice.
COMPLETENESS_SETS: tuple[str, ...] = ("structure", "completeness")
#: The file naming the provisions (not a shape set).
PROVISIONS_FILE = "provisions.ttl"
#: A notice's dpv:hasApplicableLaw -> the jurisdiction whose rules apply to it.
JURISDICTION_OF_LAW: dict[str, str] = {str(LEGAL_GB["law-GDPR"]): "uk", str(LEGAL_EU["law-GDPR"]): "eu"}
JURISDICTIONS: tuple[str, ...] = ("uk", "eu")
#: What a finding says of the notice, strongest first (decision 25).
VERDICTS: tuple[str, ...] = ("conflicts-with", "does-not-state", "check")
AUTHORITIES: tuple[str, ...] = ("legislation", "judgment", "decision", "guidance")
WEIGHTS: tuple[str, ...] = ("binding", "persuasive", "guidance")

PKS_JURISDICTION = URIRef(SHAPES_NS + "jurisdiction")
PKS_PROVISION = URIRef(SHAPES_NS + "Provision")
PKS_VERDICT = URIRef(SHAPES_NS + "verdict")
PKS_AUTHORITY = URIRef(SHAPES_NS + "authority")
PKS_WEIGHT = URIRef(SHAPES_NS + "weight")
PKS_FROM = URIRef(SHAPES_NS + "inForceFrom")
PKS_TO = URIRef(SHAPES_NS + "inForceTo")


@dataclass(frozen=True)
class Provision:
    """An article, paragraph, standard, judgment, decision or guidance as it applies in one jurisdiction: its label,
    link, kind of authority, weight there, the dates it is in force, and (once cited) whether the finding applies it
    ("applies") or draws on it ("supports")."""

    iri: str
    label: str
    url: str | None
    jurisdiction: str | None
    authority: str | None = None
    weight: str | None = None
    in_force_from: date | None = None
    in_force_to: date | None = None
    role: str = "applies"

    @property
    def id(self) -> str:
        """The provision's id in shapes/provisions.ttl (its IRI's local name)."""
        return self.iri.rsplit("#", 1)[-1]

    def in_force_on(self, day: date | None) -> bool:
        """True when the provision applies on that day (always, when no day is given)."""
        if day is None:
            return True
        return (self.in_force_from is None or self.in_force_from <= day) and \
            (self.in_force_to is None or day <= self.in_force_to)


@dataclass(frozen=True)
class ShapeInfo:
    """What the report says about a shape: label, the file it comes from, its verdict, the provisions it applies
    (dct:source) and the authorities it draws on (dct:references), and the jurisdictions it applies in."""

    iri: str
    label: str
    concern: str
    rule: bool
    provisions: tuple[Provision, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    references: tuple[Provision, ...] = ()
    verdict: str | None = None

    @property
    def kind(self) -> str:
        """"completeness" for the structure and completeness shapes (an encoding bug), "finding" for the others."""
        return "completeness" if self.concern in COMPLETENESS_SETS else "finding"

    def provisions_in(self, jurisdiction: str | None) -> tuple[Provision, ...]:
        """The provisions it applies in a jurisdiction (all of them when it is not known)."""
        if jurisdiction is None:
            return self.provisions
        return tuple(p for p in self.provisions if p.jurisdiction in (jurisdiction, None))

    def cited(self, jurisdiction: str | None, day: date | None) -> tuple[Provision, ...] | None:
        """What a finding of this shape cites in a jurisdiction on a day: the provisions it applies that are in
        force, then the authorities it draws on that are in force (or given) by then; None when the shape applies
        provisions there but none is in force, so the shape does not run."""
        applied = [p for p in self.provisions_in(jurisdiction) if p.in_force_on(day)]
        if self.provisions_in(jurisdiction) and not applied:
            return None
        supporting = [replace(p, role="supports") for p in self.references
                      if p.jurisdiction in (jurisdiction, None) and p.in_force_on(day)]
        return (*applied, *supporting)


def rules_dir(directory: Path | None = None) -> Path:
    """The folder of the rule files (shapes/rules)."""
    return (directory or shapes_dir()) / "rules"


def _ordered(present: set[str], order: tuple[str, ...]) -> list[str]:
    return [n for n in order if n in present] + sorted(present - set(order))


def available_shape_sets(directory: Path | None = None) -> list[str]:
    """The shape files present in shapes/ (names without .ttl), in report order."""
    folder = directory or shapes_dir()
    return _ordered({p.stem for p in folder.glob("*.ttl") if p.name != PROVISIONS_FILE}, SHAPE_SETS)


def available_rule_sets(directory: Path | None = None) -> list[str]:
    """The rule files present in shapes/rules/ (names without .ttl), in report order."""
    return _ordered({p.stem for p in rules_dir(directory).glob("*.ttl")}, RULE_SETS)


def set_path(name: str, directory: Path | None = None) -> Path:
    """The file of a shape or rule set; PolicyKGError naming the available sets for an unknown name."""
    if name in available_shape_sets(directory):
        return (directory or shapes_dir()) / f"{name}.ttl"
    if name in available_rule_sets(directory):
        return rules_dir(directory) / f"{name}.ttl"
    raise unknown_sets_error([name], directory)


def unknown_sets_error(names: Sequence[str], directory: Path | None = None, hint: str = "") -> PolicyKGError:
    """The error for shape names that are neither shape nor rule files."""
    shapes, rules = available_shape_sets(directory), available_rule_sets(directory)
    return PolicyKGError(f"unknown shapes {', '.join(repr(n) for n in names)}; available: {', '.join(shapes)}"
                         f"{'; rules: ' + ', '.join(rules) if rules else ''}{hint}")


def choose_sets(names: Sequence[str] | None, rules_only: bool = False, directory: Path | None = None) -> tuple[str, ...]:
    """The sets to run: the named ones (shapes or rules), all rules with rules_only, else every shape and rule."""
    shapes, rules = available_shape_sets(directory), available_rule_sets(directory)
    if names:
        unknown = [n for n in names if n not in shapes and n not in rules]
        if unknown:
            raise unknown_sets_error(unknown, directory)
        if rules_only and any(n in shapes for n in names):
            raise PolicyKGError(f"--rules-only runs rule sets only ({', '.join(rules)}); "
                                f"{', '.join(repr(n) for n in names if n in shapes)} are shape sets")
        return tuple(dict.fromkeys(names))
    chosen = tuple(rules) if rules_only else (*shapes, *rules)
    if not chosen:
        raise PolicyKGError(f"no {'rule' if rules_only else 'shape'} files found in {directory or shapes_dir()}")
    return chosen


def _parse(path: Path, graph: Graph) -> None:
    from policykg.sources.rdf_files import parse_rdf_file

    parse_rdf_file(path, graph)


@dataclass
class ShapeLibrary:
    """The chosen shape and rule files as one shapes graph (with the provisions), and what each shape applies."""

    names: tuple[str, ...]
    graph: Graph
    shapes: dict[str, ShapeInfo] = field(default_factory=dict)

    @classmethod
    def load(cls, names: Sequence[str] | None = None, directory: Path | None = None) -> ShapeLibrary:
        """Load the named sets (every shape and rule set by default); errors name the file and line."""
        chosen = tuple(names) if names else choose_sets(None, directory=directory)
        graph = Graph()
        concern_of: dict[str, tuple[str, bool]] = {}
        rules = set(available_rule_sets(directory))
        for name in chosen:
            path = set_path(name, directory)
            part = Graph()
            _parse(path, part)
            for shape in _named_shapes(part):
                concern_of[str(shape)] = (name, name in rules)
            graph += part
        provisions_path = (directory or shapes_dir()) / PROVISIONS_FILE
        if provisions_path.is_file():
            _parse(provisions_path, graph)
        library = cls(chosen, graph)
        for iri, (concern, rule) in concern_of.items():
            library.shapes[iri] = library._info(URIRef(iri), concern, rule)
        return library

    def _info(self, shape: URIRef, concern: str, rule: bool) -> ShapeInfo:
        g = self.graph
        label, verdict = g.value(shape, RDFS.label), g.value(shape, PKS_VERDICT)

        def cited(predicate: URIRef) -> tuple[Provision, ...]:
            return tuple(sorted((self.provision(p) for p in g.objects(shape, predicate) if isinstance(p, URIRef)),
                                key=_provision_order))

        jurisdictions = tuple(j for j in JURISDICTIONS if Literal(j) in set(g.objects(shape, PKS_JURISDICTION)))
        return ShapeInfo(str(shape), str(label) if label is not None else str(shape), concern, rule,
                         cited(DCTERMS.source), jurisdictions, cited(DCTERMS.references),
                         str(verdict) if verdict is not None else None)

    def provision(self, iri: URIRef) -> Provision:
        """A provision as shapes/provisions.ttl describes it."""
        g = self.graph

        def text(predicate: URIRef) -> str | None:
            value = g.value(iri, predicate)
            return str(value) if value is not None else None

        def day(predicate: URIRef) -> date | None:
            value = g.value(iri, predicate)
            return date.fromisoformat(str(value)) if value is not None else None

        return Provision(str(iri), text(RDFS.label) or str(iri), text(RDFS.seeAlso), text(PKS_JURISDICTION),
                         text(PKS_AUTHORITY), text(PKS_WEIGHT), day(PKS_FROM), day(PKS_TO))

    def info(self, shape: str) -> ShapeInfo:
        """What is known about a shape (a placeholder for shapes outside the library)."""
        return self.shapes.get(shape) or ShapeInfo(shape, shape, "", False)

    @property
    def legal(self) -> bool:
        """True when a set of findings about the law (transparency, rights or a rule file) is among those loaded."""
        return any(info.kind == "finding" for info in self.shapes.values())


_AUTHORITY_ORDER = {a: i for i, a in enumerate(AUTHORITIES)}


def _provision_order(p: Provision) -> tuple:
    """Jurisdictions in JURISDICTIONS order; legislation before judgments, decisions and guidance; GDPR articles
    before other laws, and the article a rule applies before the duty to inform of it (Art. 13); numbers in numeric
    order. A finding is grouped under the first provision it applies."""
    jurisdiction = JURISDICTIONS.index(p.jurisdiction) if p.jurisdiction in JURISDICTIONS else len(JURISDICTIONS)
    words = tuple((0, int(w), "") if w.isdigit() else (1, 0, w) for w in re.findall(r"\d+|\D+", p.label))
    return (jurisdiction, _AUTHORITY_ORDER.get(p.authority or "", 9), "GDPR" not in p.label, "Art. 13(" in p.label,
            words)


def _named_shapes(graph: Graph) -> set[URIRef]:
    kinds = (SH.NodeShape, SH.PropertyShape)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def load_shapes(names: Sequence[str] | None = None, directory: Path | None = None) -> Graph:
    """One graph of the named shape or rule files (every one by default); PolicyKGError for an unknown name."""
    return ShapeLibrary.load(names, directory).graph


def shape_concerns(directory: Path | None = None, names: Sequence[str] | None = None) -> dict[str, str]:
    """Map each shape IRI to the shape or rule file (concern) it comes from."""
    return {iri: info.concern for iri, info in ShapeLibrary.load(names, directory).shapes.items()}

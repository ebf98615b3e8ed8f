"""The shapes and the rule library: which files there are, loading them once, and what each shape applies.

Shapes (`shapes/*.ttl`) check the encoding and what GDPR Art. 13 asks a notice to say; rules
(`shapes/rules/*.ttl`) apply provisions of UK and EU law to the processes of a notice of their jurisdiction.
`shapes/provisions.ttl` names the provisions (label, link, jurisdiction) both cite with dct:source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
RULE_SETS: tuple[str, ...] = ("gdpr", "aadc", "dsa")
#: The file naming the provisions (not a shape set).
PROVISIONS_FILE = "provisions.ttl"
#: A notice's dpv:hasApplicableLaw -> the jurisdiction whose rules apply to it.
JURISDICTION_OF_LAW: dict[str, str] = {str(LEGAL_GB["law-GDPR"]): "uk", str(LEGAL_EU["law-GDPR"]): "eu"}
JURISDICTIONS: tuple[str, ...] = ("uk", "eu")

PKS_JURISDICTION = URIRef(SHAPES_NS + "jurisdiction")
PKS_PROVISION = URIRef(SHAPES_NS + "Provision")


@dataclass(frozen=True)
class Provision:
    """An article, paragraph or standard a shape applies, in one jurisdiction, with a link to its text."""

    iri: str
    label: str
    url: str | None
    jurisdiction: str | None


@dataclass(frozen=True)
class ShapeInfo:
    """What the report says about a shape: label, the file it comes from, the provisions and jurisdictions."""

    iri: str
    label: str
    concern: str
    rule: bool
    provisions: tuple[Provision, ...] = ()
    jurisdictions: tuple[str, ...] = ()

    def provisions_in(self, jurisdiction: str | None) -> tuple[Provision, ...]:
        """The provisions for a jurisdiction (all of them when it is not known)."""
        if jurisdiction is None:
            return self.provisions
        return tuple(p for p in self.provisions if p.jurisdiction in (jurisdiction, None))


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
        label = g.value(shape, RDFS.label)
        provisions = tuple(sorted((self._provision(p) for p in g.objects(shape, DCTERMS.source) if isinstance(p, URIRef)),
                                  key=_provision_order))
        jurisdictions = tuple(j for j in JURISDICTIONS if Literal(j) in set(g.objects(shape, PKS_JURISDICTION)))
        return ShapeInfo(str(shape), str(label) if label is not None else str(shape), concern, rule, provisions,
                         jurisdictions)

    def _provision(self, iri: URIRef) -> Provision:
        g = self.graph
        label, url, jurisdiction = g.value(iri, RDFS.label), g.value(iri, RDFS.seeAlso), g.value(iri, PKS_JURISDICTION)
        return Provision(str(iri), str(label) if label is not None else str(iri), str(url) if url is not None else None,
                         str(jurisdiction) if jurisdiction is not None else None)

    def info(self, shape: str) -> ShapeInfo:
        """What is known about a shape (a placeholder for shapes outside the library)."""
        return self.shapes.get(shape) or ShapeInfo(shape, shape, "", False)


def _provision_order(p: Provision) -> tuple:
    """Jurisdictions in JURISDICTIONS order; GDPR articles before other laws; numbers in numeric order."""
    import re

    jurisdiction = JURISDICTIONS.index(p.jurisdiction) if p.jurisdiction in JURISDICTIONS else len(JURISDICTIONS)
    words = tuple((0, int(w), "") if w.isdigit() else (1, 0, w) for w in re.findall(r"\d+|\D+", p.label))
    return (jurisdiction, "GDPR" not in p.label, words)


def _named_shapes(graph: Graph) -> set[URIRef]:
    kinds = (SH.NodeShape, SH.PropertyShape)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def load_shapes(names: Sequence[str] | None = None, directory: Path | None = None) -> Graph:
    """One graph of the named shape or rule files (every one by default); PolicyKGError for an unknown name."""
    return ShapeLibrary.load(names, directory).graph


def shape_concerns(directory: Path | None = None, names: Sequence[str] | None = None) -> dict[str, str]:
    """Map each shape IRI to the shape or rule file (concern) it comes from."""
    return {iri: info.concern for iri, info in ShapeLibrary.load(names, directory).shapes.items()}

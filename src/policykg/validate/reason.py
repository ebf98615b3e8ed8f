"""Reasoning stage: load ontology + data into owlready2 and run HermiT for consistency."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from policykg.errors import MissingResourceError, PolicyKGError


@dataclass
class ReasonResult:
    """HermiT's verdict on the graph."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    triples: int = 0
    detail: str = ""

    def summary(self) -> str:
        """A readable one-paragraph report."""
        if not self.consistent:
            return f"INCONSISTENT: HermiT found the ontology and data ({self.triples} triples) inconsistent. {self.detail}".strip()
        if self.unsatisfiable:
            return "UNSATISFIABLE CLASSES: " + ", ".join(self.unsatisfiable)
        return f"consistent: HermiT found the ontology and data ({self.triples} triples) consistent, with no unsatisfiable classes"


def java_available() -> bool:
    """True when a `java` executable is on the PATH (HermiT runs on Java)."""
    return shutil.which("java") is not None


def require_java() -> None:
    """Raise a clear error when no Java runtime is on the PATH (HermiT runs on Java)."""
    if not java_available():
        raise MissingResourceError("Java was not found on the PATH; HermiT needs a Java runtime (e.g. `apt-get install default-jre`)")


def check_consistency(graph: Graph) -> ReasonResult:
    """Run HermiT (via owlready2) over an rdflib graph."""
    require_java()
    import owlready2

    with tempfile.TemporaryDirectory(prefix="policykg-reason-") as tmp:
        path = Path(tmp) / "graph.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        except Exception as exc:  # owlready2 raises plain exceptions on unreadable input
            raise PolicyKGError(f"owlready2 could not load the graph: {exc}") from exc
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasonResult(False, triples=len(graph), detail=str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
    return ReasonResult(True, unsatisfiable, len(graph))


def reason(dpv_dir: Path | str | None = None, texts_dir: Path | str | None = None) -> ReasonResult:
    """Compile the sources and check ontology + data with HermiT."""
    from policykg.build.pipeline import compile_graphs

    require_java()  # before compiling, so a missing runtime is said at once
    compiled = compile_graphs(dpv_dir, texts_dir)
    return check_consistency(compiled.ontology + compiled.data)

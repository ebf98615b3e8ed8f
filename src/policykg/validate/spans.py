"""Source spans of findings: offsets from the graph, quoted only from a policy text whose sha256 the graph records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from policykg.namespaces import OA, SPDX
from policykg.text.capture import PolicyText


@dataclass(frozen=True)
class SourceSpan:
    """A place in the policy text: offsets (code points, end exclusive), section link, quoted text if known."""

    iri: str
    start: int
    end: int
    scope: str | None = None
    text: str | None = None


@dataclass
class SpanReader:
    """Reads the spans of focus nodes in a graph, quoting those whose source document's sha256 has a text."""

    data: Graph
    texts: dict[str, PolicyText]
    notes: list[str] = field(default_factory=list)
    _quotable: dict[Node, PolicyText] = field(default_factory=dict)

    @classmethod
    def over(cls, data: Graph, texts: Iterable[PolicyText]) -> SpanReader:
        """A reader for data; texts are matched to the graph's source documents by the sha256 the graph records."""
        reader = cls(data, {t.sha256: t for t in texts})
        recorded = {doc: str(sha) for doc, sha in _recorded_checksums(data)}
        unmatched = sorted({sha for sha in recorded.values() if sha not in reader.texts})
        for doc, sha in recorded.items():
            if sha in reader.texts:
                reader._quotable[doc] = reader.texts[sha]
        if unmatched and reader.texts:
            reader.notes.append("the policy text found does not have the sha256 the graph records for its source ("
                                + ", ".join(s[:12] + "…" for s in unmatched) + "); those spans are given as offsets only")
        return reader

    @property
    def checked(self) -> bool:
        """True when at least one source document of the graph has its text, checked by sha256."""
        return bool(self._quotable)

    def spans_of(self, focus: Node | None) -> tuple[SourceSpan, ...]:
        """The spans a focus node is derived from (or the focus itself if it is a span), sorted by offset."""
        if focus is None:
            return ()
        data = self.data
        candidates = list(data.objects(focus, PROV.wasDerivedFrom))
        if not candidates and (focus, OA.hasSelector, None) in data:
            candidates = [focus]
        spans = []
        for span in candidates:
            source = data.value(span, OA.hasSource)
            text = self._quotable.get(source) if source is not None else None
            for selector in data.objects(span, OA.hasSelector):
                try:
                    start = int(data.value(selector, OA.start))  # type: ignore[call-overload]  # None: skipped
                    end = int(data.value(selector, OA.end))  # type: ignore[call-overload]
                except (TypeError, ValueError):
                    continue
                scope = data.value(span, OA.hasScope)
                quoted = text.text[start:end] if text is not None and 0 <= start < end <= len(text.text) else None
                spans.append(SourceSpan(node_id(span), start, end, str(scope) if scope is not None else None, quoted))
        return tuple(sorted(spans, key=lambda sp: (sp.start, sp.end)))


def _recorded_checksums(data: Graph) -> Iterable[tuple[Node, object]]:
    """(source document, sha256 hex) for every document the graph records a checksum for."""
    for doc, checksum in data.subject_objects(SPDX.checksum):
        value = data.value(checksum, SPDX.checksumValue)
        if value is not None:
            yield doc, str(value).lower()


def texts_for_graph(data: Graph, texts_dir: str | Path | None) -> list[PolicyText]:
    """The policy texts a graph's source documents name (dct:identifier), found where --texts-dir looks."""
    from policykg.sources.versions import text_search_dirs
    from policykg.text.capture import read_policy_text

    found = []
    names = {str(data.value(doc, DCTERMS.identifier)) for doc, _ in _recorded_checksums(data)
             if data.value(doc, DCTERMS.identifier) is not None}
    for name in sorted(names):
        if Path(name).name != name:  # a file name, never a path
            continue
        for _, folder in text_search_dirs(texts_dir):
            if (folder / name).is_file():
                found.append(read_policy_text(folder / name))
                break
    return found


def node_id(node: Node | None) -> str:
    """An IRI as text, a blank node as `_:id`, nothing as ''."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node) if isinstance(node, URIRef) else str(node)

"""Load stage: read the curated YAML sources, the ontology and the policy text, with positions for errors."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rdflib import Graph

from .errors import MissingResourceError, SourceError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .compile import VersionSources
    from .versions import Version

HEAD_MAX = 40
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def plain_text(markdown: str) -> str:
    """The text of a markdown fragment with links reduced to their words."""
    return MARKDOWN_LINK.sub(r"\1", markdown)


def reading_text(markdown: str) -> str:
    """A span of the policy's markdown as reading text: links as their words, table breaks and cells as new lines."""
    return plain_text(markdown).replace("<br>", "\n").replace(" | ", "\n")


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when pyyaml has it: ~5x faster


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A YAML loader that remembers the line of every mapping in its `__line__` key."""


class LineMap(dict):
    """A YAML mapping that also knows the line of each of its keys (for error messages)."""

    key_lines: dict[Any, int]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    mapping = LineMap(yaml.SafeLoader.construct_mapping(loader, node, deep=True))
    mapping.key_lines = {loader.construct_object(k, deep=True): k.start_mark.line + 1 for k, _ in node.value}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; every mapping gets a `__line__` key; syntax errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from exc
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> Any:
    """Parse YAML text (from path, for messages); every mapping gets a `__line__` key."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourceError(f"YAML syntax error: {exc.problem}", path=path, line=line) from exc


def read_turtle(path: Path) -> Graph:
    """Parse a Turtle file; syntax errors name the file and line."""
    from .rdf_input import parse_rdf_file

    return parse_rdf_file(path)


@dataclass(frozen=True)
class PolicyText:
    """The policy text the spans point into, with its sha256."""

    path: Path
    text: str
    sha256: str


def read_policy_text(path: Path) -> PolicyText:
    """Read the policy text file (UTF-8) and hash its bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MissingResourceError(f"cannot read the policy text: {exc.strerror}", path=path) from exc
    return PolicyText(path=path, text=data.decode("utf-8"), sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Span:
    """A character span of the policy text: [start, end) in code points, with the first characters as a check."""

    start: int
    end: int
    head: str
    file: Path
    line: int

    @property
    def slug(self) -> str:
        """The span's IRI path segment."""
        return f"{self.start}-{self.end}"


def parse_span(value: Any, *, file: Path, line: int) -> Span:
    """Turn `[start, end, "head"]` into a Span, or explain what is wrong with it."""
    if not (isinstance(value, (list, tuple)) and len(value) == 3):
        raise SourceError(f"a span must be [start, end, \"head\"], got {value!r}", path=file, line=line)
    start, end, head = value
    if not (isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool)):
        raise SourceError(f"span offsets must be integers, got {start!r}, {end!r}", path=file, line=line)
    if not (0 <= start < end):
        raise SourceError(f"span start must be >= 0 and below its end, got [{start}, {end}]", path=file, line=line)
    if not isinstance(head, str) or not head or len(head) > HEAD_MAX or len(head) > end - start:
        raise SourceError(f"span head must be 1-{HEAD_MAX} characters and fit the span, got {head!r}", path=file, line=line)
    return Span(start, end, head, file, line)


def check_span(span: Span, text: PolicyText) -> None:
    """Fail unless the policy text holds the span's head at its start offset."""
    if span.end > len(text.text):
        raise SourceError(
            f"span [{span.start}, {span.end}] ends beyond the policy text ({len(text.text)} characters)",
            path=span.file, line=span.line,
        )
    found = text.text[span.start:span.start + len(span.head)]
    if found != span.head:
        raise SourceError(
            f"span [{span.start}, {span.end}] does not match the text: expected {span.head!r} at {span.start}, found {found!r}",
            path=span.file, line=span.line,
        )


def load_version_sources(version: Version) -> VersionSources:
    """Read one version's notice.yaml and processes.yaml, checked against their schemas."""
    from .compile import VersionSources
    from .schema import NoticeFile, ProcessesFile, validate_yaml

    notice_path = version.data_dir / "notice.yaml"
    processes_path = version.data_dir / "processes.yaml"
    for path in (notice_path, processes_path):
        if not path.is_file():
            raise SourceError(f"missing: every version folder needs notice.yaml and processes.yaml ({version.name})",
                              path=path)
    notice = validate_yaml(notice_path, NoticeFile)
    processes = validate_yaml(processes_path, ProcessesFile).root
    return VersionSources(version, notice, processes, notice_path, processes_path)

"""YAML in and out: reading with the line of every mapping (for errors), writing with yaml.safe_dump.

Generated files (drafts, curation lists, the phrase table) keep the curated layout: blocks for the outer
structure, one flow mapping or list per line where `Flow` / `FlowList` wrap a value. Everything goes through
PyYAML's safe dumper, so strings such as `yes`, `no`, `null` or `on` are quoted and read back as strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from policykg.errors import SourceError

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


def load_fast(path: Path) -> Any:
    """Parse a generated or already checked YAML file without line bookkeeping (libyaml when available)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_BaseLoader)
    except yaml.YAMLError:
        return read_yaml(path)  # to report the error with its line


class Flow(dict):
    """A mapping written on one line (`{a: 1, b: x}`)."""


class FlowList(list):
    """A list written on one line (`[1, 2, "x"]`)."""


class _Dumper(yaml.SafeDumper):
    """The safe dumper, with one-line mappings and lists where the data asks for them."""


def _flow_mapping(dumper: yaml.SafeDumper, data: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _block_mapping(dumper: yaml.SafeDumper, data: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(Flow, _flow_mapping)
_Dumper.add_representer(FlowList, _flow_list)
_Dumper.add_representer(dict, _block_mapping)
_Dumper.add_representer(LineMap, _block_mapping)


def without_lines(value: Any) -> Any:
    """A copy of parsed YAML without the `__line__` keys the reader adds (Flow / FlowList kept)."""
    if isinstance(value, dict):
        cleaned = {k: without_lines(v) for k, v in value.items() if k != "__line__"}
        return Flow(cleaned) if isinstance(value, Flow) else cleaned
    if isinstance(value, list):
        items = [without_lines(v) for v in value]
        return FlowList(items) if isinstance(value, FlowList) else items
    return value


def dump_yaml(data: Any, header: str = "") -> str:
    """YAML text for data (keys in their order, no line wrapping, Unicode as is), after a comment header."""
    body = yaml.dump(without_lines(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2 ** 31 - 1,
                     default_flow_style=False)
    return header + body


def flow(value: Any) -> Any:
    """The value with every mapping and list inside it marked to be written on one line."""
    if isinstance(value, dict):
        return Flow({k: flow(v) for k, v in value.items() if k != "__line__"})
    if isinstance(value, list | tuple):
        return FlowList(flow(v) for v in value)
    return value


def flow_yaml(value: Any) -> str:
    """One value as one line of YAML (a flow collection or a scalar), e.g. to splice into a curated file."""
    return yaml.dump(flow(value), Dumper=_Dumper, allow_unicode=True, width=2 ** 31 - 1,
                     default_flow_style=True).removesuffix("\n...\n").strip()

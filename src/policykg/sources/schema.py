"""Schemas of the curated YAML sources (pydantic): unknown keys and wrong shapes are errors with file and line.

Every mapping read by `read_yaml` carries its line in `__line__`; the models accept that key (as `line`) and
nothing else they do not declare. The models: `schema_types` (shared value types), `schema_versions` (the
registry, processes and links), `schema_notice` (notice.yaml); here, checking data against them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ValidationError,
)

from policykg.errors import SourceError
from policykg.sources.yaml_io import read_yaml

M = TypeVar("M", bound=BaseModel)


def _line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the key the error is about, else of the deepest mapping on the path loc."""
    line = data.get("__line__") if isinstance(data, dict) else None
    node = data
    for key in loc:
        if isinstance(node, dict) and key in getattr(node, "key_lines", {}):
            line = node.key_lines[key]  # type: ignore[attr-defined]  # a LineMap
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            break
        if isinstance(node, dict) and "__line__" in node:
            line = node["__line__"]
    return line


def _where(data: Any, loc: tuple[Any, ...]) -> str:
    """A readable path: key names, with list entries named by their id where they have one."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(f"[{ident}]" if ident else f"[{key + 1}]")
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts).replace(".[", "[") or "top level"


def _describe(data: Any, error: Mapping[str, Any]) -> str:
    loc = tuple(x for x in error["loc"] if x != "__line__")
    where = _where(data, loc)
    if error["type"] == "extra_forbidden":
        return f"unknown key {loc[-1]!r} in {_where(data, loc[:-1])} (a typo? see the schema in policykg/schema.py)"
    if error["type"] == "missing":
        return f"missing {loc[-1]!r} in {_where(data, loc[:-1])}"
    return f"{where}: {error['msg']} (got {error.get('input')!r})"


def validate_data(data: Any, model: type[M], path: Path, *, draft: bool = False) -> M:
    """Check parsed YAML against a model; the first problem becomes a SourceError naming the file and line.

    With draft=True, `CURATE:` placeholders written by `policykg ingest` pass.
    """
    try:
        return model.model_validate(data, context={"draft": draft})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = min(errors, key=lambda e: _line_of(data, e["loc"]) or 0)
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise SourceError(_describe(data, first) + more, path=path, line=_line_of(data, first["loc"])) from None


def validate_yaml(path: Path, model: type[M]) -> M:
    """Read a YAML file and check it against a model."""
    return validate_data(read_yaml(path), model, path)

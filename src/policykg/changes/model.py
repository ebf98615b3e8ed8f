"""The data of a comparison: values quoted from a text, field changes, processes as a diff names them, the diff.

Every class reads back what its `to_json` writes (`from_json`), so the server can show a build's JSON reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from policykg.changes.text_diff import TextChange, TextSpan
from policykg.encode.terms import CURIE_PREFIXES


def _span(data: dict | None) -> TextSpan | None:
    return TextSpan.from_json(data) if data else None


@dataclass(frozen=True)
class Value:
    """A value of a field: a term IRI (or a literal), its label, and where the text states it."""

    value: str
    label: str
    span: TextSpan | None

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"value": self.value, "label": self.label, "span": self.span.to_json() if self.span else None}

    @classmethod
    def from_json(cls, data: dict) -> Value:
        """Read back what to_json wrote."""
        return cls(str(data["value"]), str(data["label"]), _span(data.get("span")))


@dataclass(frozen=True)
class FieldChange:
    """What one field gained (spans in the new text) and lost (spans in the old text); or, when one side does not
    state the field at all, which side (`not_stated`: "old" or "new") and what the other side states."""

    field: str
    added: tuple[Value, ...]
    removed: tuple[Value, ...]
    not_stated: str | None = None
    stated: tuple[Value, ...] = ()

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it (`not_stated` and `stated` only when one side does not state the field)."""
        out: dict[str, object] = {"field": self.field, "added": [v.to_json() for v in self.added],
                                  "removed": [v.to_json() for v in self.removed]}
        if self.not_stated:
            out["not_stated"] = self.not_stated
            out["stated"] = [v.to_json() for v in self.stated]
        return out

    @classmethod
    def from_json(cls, data: dict) -> FieldChange:
        """Read back what to_json wrote."""
        return cls(str(data["field"]), tuple(Value.from_json(v) for v in data["added"]),
                   tuple(Value.from_json(v) for v in data["removed"]), data.get("not_stated"),
                   tuple(Value.from_json(v) for v in data.get("stated", [])))


@dataclass(frozen=True)
class ProcessRef:
    """A process as a diff names it (no basis and no audience where the notice states none)."""

    iri: str
    id: str
    title: str
    basis: tuple[str, ...]
    audience: str | None
    span: TextSpan | None
    basis_labels: tuple[str, ...] = ()
    audience_label: str | None = None

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"iri": self.iri, "title": self.title, "basis": list(self.basis), "basis_labels": list(self.basis_labels),
                "audience": self.audience, "audience_label": self.audience_label,
                "span": self.span.to_json() if self.span else None}

    @classmethod
    def from_json(cls, data: dict) -> ProcessRef:
        """Read back what to_json wrote."""
        iri = str(data["iri"])
        return cls(iri, iri.rsplit("/", 1)[-1], str(data["title"]), tuple(data["basis"]), data.get("audience"),
                   _span(data.get("span")), tuple(data.get("basis_labels", ())), data.get("audience_label"))


@dataclass(frozen=True)
class ProcessChange:
    """The same processing in both versions, and what changed in it."""

    old: ProcessRef
    new: ProcessRef
    changes: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"old": self.old.to_json(), "new": self.new.to_json(), "changes": [c.to_json() for c in self.changes]}

    @classmethod
    def from_json(cls, data: dict) -> ProcessChange:
        """Read back what to_json wrote."""
        return cls(ProcessRef.from_json(data["old"]), ProcessRef.from_json(data["new"]),
                   tuple(FieldChange.from_json(c) for c in data["changes"]))


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the version (or file) name, its text's sha256, label, regime and effective date."""

    version: str
    sha256: str
    label: str
    jurisdiction: str = ""
    effective: str = ""

    def to_json(self) -> dict[str, object]:
        """As the JSON format writes it."""
        return {"version": self.version, "sha256": self.sha256, "label": self.label,
                "jurisdiction": self.jurisdiction, "effective": self.effective}

    @classmethod
    def from_json(cls, data: dict) -> Side:
        """Read back what to_json wrote."""
        return cls(str(data["version"]), str(data["sha256"]), str(data.get("label", data["version"])),
                   str(data.get("jurisdiction", "")), str(data.get("effective", "")))


@dataclass
class Diff:
    """Everything that changed between two versions."""

    old: Side
    new: Side
    added: list[ProcessRef] = field(default_factory=list)
    removed: list[ProcessRef] = field(default_factory=list)
    changed: list[ProcessChange] = field(default_factory=list)
    notice: list[FieldChange] = field(default_factory=list)
    text: list[TextChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added or self.removed or self.changed or self.notice or self.text)

    def to_json(self) -> dict[str, object]:
        """The JSON format for tools (docs/changes.md)."""
        return {
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "processes": {"added": [p.to_json() for p in self.added], "removed": [p.to_json() for p in self.removed],
                          "changed": [c.to_json() for c in self.changed]},
            "notice": {"changed": [c.to_json() for c in self.notice]},
            "text": {"changed": [c.to_json() for c in self.text]},
        }

    @classmethod
    def from_json(cls, data: dict) -> Diff:
        """Read back what to_json wrote (the server renders the build's JSON reports this way)."""
        p = data["processes"]
        return cls(Side.from_json(data["old"]), Side.from_json(data["new"]),
                   [ProcessRef.from_json(x) for x in p["added"]], [ProcessRef.from_json(x) for x in p["removed"]],
                   [ProcessChange.from_json(x) for x in p["changed"]],
                   [FieldChange.from_json(x) for x in data["notice"]["changed"]],
                   [TextChange.from_json(x) for x in data["text"]["changed"]])


Label = Callable[[str], str]


def expand(curie: str) -> str:
    """A CURIE of the sources as a full IRI."""
    prefix, _, local = curie.partition(":")
    return CURIE_PREFIXES[prefix] + local if prefix in CURIE_PREFIXES else curie


@dataclass(frozen=True)
class Fields:
    """The compared fields of a process or notice: field -> identity -> value, the fields it does not state at all,
    and the order fields are reported in."""

    values: dict[str, dict[str, Value]]
    not_stated: frozenset[str]
    order: tuple[str, ...]

"""Schemas of the curated YAML sources (pydantic): unknown keys and wrong shapes are errors with file and line.

Every mapping read by `read_yaml` carries its line in `__line__`; the models accept that key (as `line`) and
nothing else they do not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from policykg.errors import SourceError
from policykg.sources.yaml_io import read_yaml

#: What `policykg ingest` writes where a person must write a text or choose a term.
CURATE_TEXT = "CURATE:"
CURATE_TERM = "pko:CURATE"


def _curated(value: str, info: ValidationInfo) -> str:
    """Refuse a `CURATE:` placeholder (allowed only when validating a draft: context {"draft": True})."""
    if (value.startswith(CURATE_TEXT) or value == CURATE_TERM) and not (info.context or {}).get("draft"):
        raise ValueError(f"still to be curated: {value[:60]!r} (write it, then run the build again)")
    return value


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Curie = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z-]*:[A-Za-z0-9_.-]+$"), AfterValidator(_curated)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_curated)]
#: A span as written in the sources: [start, end, "first characters"].
SpanValue = tuple[StrictInt, StrictInt, StrictStr]


class Model(BaseModel):
    """A curated mapping: no unknown keys; its line in the file as `line`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=False)
    line: int = Field(default=0, alias="__line__")


# --- data/versions.yaml -------------------------------------------------------------------------------------

class TextRef(Model):
    """The policy text of a version: its file name and sha256."""

    file: Text
    sha256: Sha256


class Capture(Model):
    """Where and when a text was captured."""

    date: date
    from_: Text = Field(alias="from")


class VersionEntry(Model):
    """One encoded version."""

    name: Slug
    jurisdiction: Literal["uk", "eu"]
    label: Text
    effective: date
    text: TextRef
    captured: Capture | None = None


class VersionsFile(Model):
    """data/versions.yaml."""

    primary: Slug
    versions: list[VersionEntry] = Field(min_length=1)


# --- data/<version>/processes.yaml --------------------------------------------------------------------------

class Interest(Model):
    """A legitimate interest a row relies on, with the span that states it."""

    interest: Curie
    span: SpanValue


class DataEntry(Model):
    """One listed line of a row's information column: the items it names, its category and qualifier."""

    items: list[Curie] = Field(min_length=1)
    under: Curie
    span: SpanValue
    qualifier: Text | None = None


class Exclusion(Model):
    """Something a row (or the notice, for a row) says is not done: a purpose, with which data (all data if none)."""

    purpose: Curie
    data: list[Curie] = Field(default_factory=list)
    span: SpanValue


class DerivedData(Model):
    """Personal data a row's processing produces rather than lists (e.g. biometric data from face analysis)."""

    items: list[Curie] = Field(min_length=1)
    span: SpanValue


class Process(Model):
    """One row of the legal-basis section."""

    id: Slug
    title: Text
    description: Text
    title_span: tuple[StrictInt, StrictInt]
    row_span: SpanValue
    basis: list[Curie] = Field(min_length=1)
    audience: Curie
    audience_span: SpanValue | None = None
    purposes: list[Curie] = Field(min_length=1)
    processing: list[Curie] = Field(min_length=1)
    recipients: list[Slug] = Field(default_factory=list)
    interests: list[Interest] = Field(default_factory=list)
    excludes: list[Exclusion] = Field(default_factory=list)
    derived: list[DerivedData] = Field(default_factory=list)
    data: list[DataEntry] = Field(min_length=1)
    modality: Literal["possible", "stated"] | None = None
    note: Text | None = None


class ProcessesFile(RootModel[list[Process]]):
    """data/<version>/processes.yaml: the rows in the policy's order."""


# --- data/links.yaml ---------------------------------------------------------------------------------------

class LinkEntry(Model):
    """Two processes that are the same processing, given as <version>/<process id>, and why."""

    old: Text
    new: Text
    reason: Text
    title: Text | None = None  # the new row's title, so `policykg ingest` can match it before it has its id


class LinksFile(Model):
    """data/links.yaml: what process ids cannot say (renames; UK <-> EU counterparts)."""

    revisions: list[LinkEntry] = Field(default_factory=list)
    counterparts: list[LinkEntry] = Field(default_factory=list)


# --- data/<version>/notice.yaml -----------------------------------------------------------------------------

class NoticeMeta(Model):
    """The notice itself."""

    label: Text
    url: Text
    printable_url: Text | None = None
    description: Text
    span: SpanValue
    applicable_law: Curie
    authority: Curie
    jurisdiction: Curie
    no_sale: SpanValue | None = None


class Controller(Model):
    """The data controller."""

    id: Slug
    name: Text
    address: Text
    contact: Text
    span: SpanValue
    address_span: SpanValue


class Dpo(Model):
    """The data protection officer."""

    id: Slug
    label: Text
    contact: Text
    span: SpanValue


class Section(Model):
    """A section of the notice."""

    id: Slug
    title: Text
    span: SpanValue
    link: Text | None = None
    parent: Slug | None = None
    basis: Curie | None = None


class Recipient(Model):
    """A recipient or group of recipients."""

    id: Slug
    label: Text
    types: list[Curie] = Field(min_length=1)
    description: Text
    span: SpanValue
    link: Text | None = None
    part_of: Slug | None = None
    extra_spans: list[SpanValue] = Field(default_factory=list)
    shared_for: list[Curie] = Field(default_factory=list)
    shared_for_spans: list[SpanValue] = Field(default_factory=list)


class RightOffer(Model):
    """A right the notice offers and the bases it attaches it to."""

    id: Slug
    label: Text
    rights: list[Curie] = Field(min_length=1)
    applies_to: Literal["all"] | list[Curie]
    description: Text
    spans: list[SpanValue] = Field(min_length=1)
    link: Text | None = None
    authority: Curie | None = None


class Criterion(Model):
    """A retention criterion."""

    id: Slug
    label: Text
    description: Text
    span: SpanValue


class Retention(Model):
    """How long information is kept."""

    id: Slug
    label: Text
    description: Text
    span: SpanValue
    fixed_period_stated: bool = False
    criteria: list[Criterion] = Field(min_length=1)


class Safeguard(Model):
    """The safeguard the notice points to for transfers."""

    id: Slug
    label: Text
    description: Text
    span: SpanValue
    link: Text
    mechanism_stated: bool = False


class Transfers(Model):
    """International transfers."""

    id: Slug
    label: Text
    process: Slug
    description: Text
    span: SpanValue
    destinations_stated: bool = False
    safeguard: Safeguard


class LegalRequests(Model):
    """How the notice answers legal requests."""

    section: Slug
    recipients: list[Slug] = Field(min_length=1)
    description: Text
    spans: list[SpanValue] = Field(min_length=1)


class PolicyChanges(Model):
    """How changes to the notice are announced."""

    section: Slug
    notifies_before_material_changes: bool
    description: Text
    span: SpanValue


class Provision(Model):
    """Whether providing information is required, and what follows from not providing it."""

    id: Slug
    label: Text
    necessity: Curie
    description: Text
    consequence: Text
    span: SpanValue


class Modality(Model):
    """Whether the listed information is used for certain or only possibly ('could include'), and where it says so."""

    modality: Literal["possible", "stated"]
    spans: list[SpanValue] = Field(min_length=1)


class ContractDocument(Model):
    """A contract the notice names as the basis of Art. 6(1)(b) processing."""

    id: Slug
    label: Text
    link: Text
    span: SpanValue


class Statement(Model):
    """A further statement of the notice, queryable with its spans (a safeguard, a commitment, a procedure)."""

    id: Slug
    kind: Curie
    label: Text
    description: Text
    spans: list[SpanValue] = Field(min_length=1)
    about: list[Curie] = Field(default_factory=list)
    processes: list[Slug] = Field(default_factory=list)
    #: DPV types the statement also is (e.g. eu-gdpr:BalancingTest for a stated balancing of interests).
    types: list[Curie] = Field(default_factory=list)
    #: Whom it concerns (dpv:hasDataSubject).
    data_subjects: list[Curie] = Field(default_factory=list)
    #: True when the notice states it as a measure it takes (notice dpv:hasOrganisationalMeasure the statement).
    measure: bool = False


class NoticeFile(Model):
    """data/<version>/notice.yaml."""

    notice: NoticeMeta
    controller: Controller
    dpo: Dpo
    sections: list[Section] = Field(min_length=1)
    term_sources: dict[Curie, list[SpanValue]] = Field(default_factory=dict)
    recipients: list[Recipient] = Field(min_length=1)
    rights: list[RightOffer] = Field(min_length=1)
    retention: Retention
    transfers: Transfers
    legal_requests: LegalRequests
    policy_changes: PolicyChanges
    data_provision: list[Provision] = Field(min_length=1)
    information_modality: Modality
    contracts: list[ContractDocument] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)

    @field_validator("term_sources", mode="before")
    @classmethod
    def _drop_line(cls, value: Any) -> Any:
        """The YAML reader's line marker is not a term."""
        return {k: v for k, v in value.items() if k != "__line__"} if isinstance(value, dict) else value


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

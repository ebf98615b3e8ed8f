"""Schemas of data/versions.yaml, processes.yaml and data/links.yaml."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    Field,
    RootModel,
    StrictInt,
    model_validator,
)

from policykg.sources.schema_types import Curie, Model, NotStated, Sha256, Slug, SpanValue, Text


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
    jurisdiction: Literal["uk", "eu", "global"]
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
    """Personal data a row's processing produces rather than lists (e.g. biometric data from face analysis); modality
    "possible" (the default) where the text says the processing may produce it ("which may include facial
    recognition technology if you select it"), "stated" where it says it does."""

    items: list[Curie] = Field(min_length=1)
    span: SpanValue
    modality: Literal["possible", "stated"] = "possible"


class Process(Model):
    """One row of the legal-basis section (or, in a notice that states no bases, of its processing section).

    `basis: not-stated` records that the notice states no legal basis for the row; such a row has no audience
    and no legitimate interests either (the global notice states none: decision 37).
    """

    id: Slug
    title: Text
    description: Text
    title_span: tuple[StrictInt, StrictInt]
    row_span: SpanValue
    basis: NotStated | Annotated[list[Curie], Field(min_length=1)]
    audience: Curie | None = None
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

    @model_validator(mode="after")
    def _audience_with_basis(self) -> Process:
        """A row with a stated basis names its audience; a row whose basis is not stated states neither."""
        if self.basis_stated and self.audience is None:
            raise ValueError("missing 'audience' (every row with a stated basis names its audience)")
        if not self.basis_stated and (self.audience is not None or self.audience_span is not None or self.interests):
            raise ValueError("a row with 'basis: not-stated' has no audience, audience_span or interests "
                             "(the notice states none of them)")
        return self

    @property
    def basis_stated(self) -> bool:
        """True when the notice states a legal basis for the row."""
        return isinstance(self.basis, list)

    @property
    def bases(self) -> list[str]:
        """The legal bases the notice states for the row (none when it states none)."""
        return list(self.basis) if isinstance(self.basis, list) else []


class ProcessesFile(RootModel[list[Process]]):
    """data/<version>/processes.yaml: the rows in the policy's order."""


# --- data/links.yaml ---------------------------------------------------------------------------------------

class LinkEntry(Model):
    """Two processes that are the same processing, given as <version>/<process id>, and why."""

    old: Text
    new: Text
    reason: Text
    title: Text | None = None  # the new row's title, so `policykg ingest` can match it before it has its id


class ComparisonEntry(Model):
    """Two versions of different jurisdictions the build compares (old -> new), and why."""

    old: Slug
    new: Slug
    reason: Text


class LinksFile(Model):
    """data/links.yaml: what process ids cannot say (renames; counterparts across jurisdictions), and which versions
    of different jurisdictions are compared (absent: the newest of each pair of jurisdictions)."""

    revisions: list[LinkEntry] = Field(default_factory=list)
    counterparts: list[LinkEntry] = Field(default_factory=list)
    comparisons: list[ComparisonEntry] | None = None


# --- data/<version>/notice.yaml -----------------------------------------------------------------------------


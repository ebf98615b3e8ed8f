"""Schema of a version's notice.yaml: controller, DPO, sections, recipients, rights, retention, transfers, statements."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
)

from policykg.sources.schema_types import Curie, Model, NotStated, Slug, SpanValue, Text


class NoticeMeta(Model):
    """The notice itself."""

    label: Text
    url: Text
    printable_url: Text | None = None
    description: Text
    span: SpanValue
    #: `not-stated` where the notice names no law, authority or jurisdiction (the global notice: decision 37).
    applicable_law: Curie | NotStated
    authority: Curie | NotStated
    jurisdiction: Curie | NotStated
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
    """The data protection officer (`contact: not-stated` where the notice names one without a way to reach it)."""

    id: Slug
    label: Text
    contact: Text | NotStated
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
    #: The bases the notice attaches the right to; `not-stated` in a notice that states no bases.
    applies_to: Literal["all"] | NotStated | list[Curie]
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



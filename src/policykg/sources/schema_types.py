"""Value types and the base model shared by the schemas of the curated sources."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationInfo,
)

#: What `policykg ingest` writes where a person must write a text or choose a term.
CURATE_TEXT = "CURATE:"
CURATE_TERM = "pko:CURATE"
#: What the sources write where the notice does not say something (a basis, a law, an authority): recorded as
#: not stated, never filled in (docs/decisions/0009-what-the-text-does-not-say.md, 0037).
NOT_STATED = "not-stated"
NotStated = Literal["not-stated"]


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


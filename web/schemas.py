"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from factcheck.claims.extraction import KINDS


def _http_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)
]


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refuse it here rather than fail later.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EssayIn(Input):
    title: Annotated[Text, StringConstraints(max_length=500)]
    text: Text
    author: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    url: Url | None = None
    published_at: date | None = None
    hold_for_review: bool = False
    deadline: AwareDatetime | None = None


class EssayOut(Output):
    id: int
    title: str
    author: str | None
    url: str | None
    published_at: date | None
    status: str
    created_at: datetime
    hold_for_review: bool
    confirmed_at: datetime | None
    deadline: datetime | None
    claim_counts: dict[str, int] = {}


class QuantityOut(Output):
    value: float
    unit: str | None
    qualifier: str | None
    text: str


class ClaimOut(Output):
    id: int
    essay_id: int
    text: str
    start: int
    end: int
    kind: str
    checkworthiness: float
    checkable: bool
    status: str
    version: int
    entities: list[str] = []
    quantities: list[QuantityOut] = []
    dates: list[date] = []

    @classmethod
    def of(cls, claim: Any) -> ClaimOut:
        """Columns from the row; entities, quantities and dates from its details."""
        columns = {name: getattr(claim, name) for name in cls.model_fields if name not in DETAILS}
        found = {name: (claim.details or {}).get(name, []) for name in DETAILS}
        return cls.model_validate({**columns, **found})


DETAILS = ("entities", "quantities", "dates")
NonNegative = Annotated[int, Field(ge=0, le=10_000_000)]
Kind = Literal[KINDS]  # type: ignore[valid-type]


class ClaimEditIn(Input):
    version: Annotated[int, Field(ge=1, le=2**31)]
    text: Annotated[Text, StringConstraints(max_length=5_000)] | None = None
    start: NonNegative | None = None
    end: NonNegative | None = None
    kind: Kind | None = None
    checkable: bool | None = None


class ClaimAddIn(Input):
    start: NonNegative
    end: NonNegative
    kind: Kind | None = None
    checkable: bool | None = None


class ClaimSplitIn(Input):
    offset: NonNegative


class ClaimMergeIn(Input):
    claim_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=2**63 - 1)]], Field(min_length=2, max_length=50)
    ]


class SourceOut(Output):
    id: int
    connector: str
    title: str
    url: str
    publisher: str | None
    published_at: date | None
    snippet: str
    score: float
    fetched_at: datetime
    final_url: str | None
    http_status: int | None
    content_type: str | None
    snapshot_sha256: str
    archive_url: str | None
    archived_at: datetime | None
    details: dict[str, Any]


class ConnectorRunOut(Output):
    connector: str
    state: str
    attempts: int
    records: int
    error: str | None
    updated_at: datetime


class SourceIn(Input):
    url: Url
    title: Annotated[Text, StringConstraints(max_length=500)]
    publisher: Annotated[str, StringConstraints(max_length=300)] | None = None
    published_at: date | None = None
    text: Annotated[Text, StringConstraints(max_length=100_000)]


class RatingOut(Output):
    slug: str
    label: str
    value: int | None


class RatingScaleOut(Output):
    ratings: list[RatingOut]
    best: int
    worst: int


class CitationIn(Input):
    source_id: Id
    quote: Annotated[Text, StringConstraints(max_length=5_000)]


class CitationOut(Output):
    id: int
    source_id: int
    quote: str


Rationale = Annotated[Text, StringConstraints(max_length=20_000)]
Citations = Annotated[list[CitationIn], Field(max_length=50)]


class VerdictIn(Input):
    rating: str
    rationale: Rationale
    citations: Annotated[Citations, Field(min_length=1)]


class VerdictEditIn(VerdictIn):
    version: Annotated[int, Field(ge=1, le=2**31)]


class DraftIn(Input):
    """A verdict in progress: anything may still be missing."""

    rating: str | None = None
    rationale: Annotated[str, StringConstraints(max_length=20_000)] = ""
    citations: Citations = []
    version: Annotated[int, Field(ge=1, le=2**31)] | None = None


class AssignIn(Input):
    reviewer: Annotated[Text, StringConstraints(max_length=64)]


class HistoryEventOut(Output):
    at: datetime
    actor: str | None
    action: str
    subject_type: str
    subject_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class VerdictOut(Output):
    id: int
    claim_id: int
    rating: str
    rationale: str
    state: str
    author_id: int
    approver_id: int | None
    version: int
    citations: list[CitationOut]


class TaskOut(Output):
    id: int
    kind: Literal["review", "approval"]
    state: str
    claim: ClaimOut
    lease_expires_at: datetime | None
    comment: str | None
    verdict: VerdictOut | None


class ReturnIn(Input):
    comment: Annotated[Text, StringConstraints(max_length=5_000)]


class PublicationOut(Output):
    url: str
    version: int


class NoteIn(Input):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)] = ""


class RequiredNoteIn(Input):
    note: Annotated[Text, StringConstraints(max_length=5_000)]


class PublicationDetailOut(Output):
    id: int
    essay_id: int
    version: int
    kind: str
    published_at: datetime
    changelog: str
    url: str
    versions: list[int]
    content: dict[str, Any]
    claim_reviews: list[dict[str, Any]]


class CorrectionOut(Output):
    id: int
    essay_id: int
    claim_id: int | None
    note: str
    created_at: datetime

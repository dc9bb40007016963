"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    field_validator,
)

from factcheck.claims.decisions import NOT_CHECKED, Band, Decision, band_of
from factcheck.claims.extraction import KINDS
from factcheck.claims.states import ClaimStatus
from factcheck.claims.triage import Action
from factcheck.db import MAX_INT
from factcheck.essays.models import Medium
from factcheck.essays.states import EssayStatus
from factcheck.publishing.snapshot import Snapshot
from factcheck.review import ratings
from factcheck.review.queue import QueueKind
from factcheck.review.services import CitationInput
from factcheck.review.states import TaskState, VerdictState
from factcheck.settings import TriageDefault
from factcheck.sources.states import RunState
from factcheck.sources.text import CONTROL


def _in_utc(value: datetime) -> datetime:
    # Stored in UTC: a time near the ends of the calendar may not exist there (9999-12-31
    # at -14:00), which would fail the insert; refuse it as input instead.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a date and time that exists in UTC") from None


_CONTROLS = CONTROL.pattern[1:-1]  # the characters Input refuses, as a class's inside
# Not blank once stripped of white space, and no control characters: one pattern, as
# generators (schemathesis) are slow to meet two at once.
NOT_BLANK = rf"^[^{_CONTROLS}]*[^\s{_CONTROLS}][^{_CONTROLS}]*$"
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    Field(json_schema_extra={"pattern": NOT_BLANK}),
]
# http(s), a host (no credentials), no white space and no control characters; the
# pattern is also the description.
HTTP_URL = rf"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@{_CONTROLS}]+(?:[/?#][^\s{_CONTROLS}]*)?$"
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=HTTP_URL)]
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]


def _whole_number(value: Any) -> Any:
    # JSON has one kind of number: 5.0 is the integer 5 to JSON Schema (and to the
    # OpenAPI description's readers), so strict validation takes it as one.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer as JSON means one: 5 or 5.0, never "5", 5.5 or true. (The validator goes
# after the bounds: before them, pydantic writes "ge" into the JSON Schema, not "minimum".)
WHOLE = BeforeValidator(_whole_number)
# Ids and versions fit their INTEGER columns; a larger number is a 422, not a 500.
Id = Annotated[int, Field(ge=1, le=MAX_INT), WHOLE]
Version = Id
MAX_PAGE = 200  # items per page of a list


# The control characters Input refuses, as a JSON Schema pattern every text field carries.
NO_CONTROL = f"^[^{_CONTROLS}]*$"


def _text_rules(schema: dict[str, Any]) -> None:
    """Write the rules the validators add into the JSON Schema, so that the OpenAPI
    description says what a 422 will say: every free text field refuses control
    characters."""
    for field in schema.get("properties", {}).values():
        for text in [field, *field.get("anyOf", [])]:
            # Fields with a pattern of their own (addresses, not-blank text) keep it:
            # those patterns leave no room for control characters, or say so themselves.
            if text.get("type") == "string" and not {"enum", "format", "pattern"} & text.keys():
                text["pattern"] = NO_CONTROL


def unique(items: list[Any]) -> list[Any]:
    if len(set(items)) != len(items):
        raise ValueError("must not name an item twice")
    return items


# Ids that name no row twice (uniqueItems in the description).
UniqueIds = Annotated[
    list[Id], AfterValidator(unique), Field(json_schema_extra={"uniqueItems": True})
]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_text_rules)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # Control characters are never text a reader should see (and PostgreSQL
        # cannot store NUL at all): refuse them rather than store or render them.
        if isinstance(value, str) and CONTROL.search(value):
            raise ValueError("must not contain control characters (tab and newlines are fine)")
        return value


class Output(BaseModel):
    # Fields with defaults are always written, so the description lists them as required.
    model_config = ConfigDict(
        from_attributes=True, json_schema_serialization_defaults_required=True
    )


Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class EssayIn(Input):
    title: Annotated[Text, StringConstraints(max_length=500)]
    text: Text
    author: Name | None = None
    # Where it appeared (ClaimReview's itemReviewed.appearance and firstAppearance).
    url: Url | None = Field(None, description="the original's address")
    publisher: Name | None = Field(None, description="the outlet that published it")
    medium: Medium | None = Field(None, description="how it reached its readers")
    published_at: date | None = Field(None, description="the date it first appeared")
    hold_for_review: bool = False
    deadline: UtcDatetime | None = None
    triage_default: TriageDefault | None = Field(
        None,
        description="Which claims are chosen for checking as soon as the essay is split: "
        "`high` (the high band), `all` (every checkable claim) or `wait` (none: the editor "
        "chooses); default: the FACTCHECK_TRIAGE_DEFAULT setting",
    )


class EssayOut(Output):
    id: int
    title: str
    author: str | None
    url: str | None
    publisher: str | None
    medium: Medium | None
    published_at: date | None
    status: EssayStatus
    created_at: datetime
    hold_for_review: bool
    confirmed_at: datetime | None
    deadline: datetime | None
    check_from_band: Band | None = Field(
        description="claims in this band or above were chosen for checking when it was split"
    )
    claim_counts: dict[str, int] = {}


class EssayPageQuery(Input):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="Essays per page (1-200)")
    before: Id | None = Field(
        None, description="Only essays older than this id (the cursor the `next` link carries)"
    )
    status: EssayStatus | None = Field(None, description="Only essays in this state")


class EssayPageOut(Output):
    items: list[EssayOut]
    next: str | None  # the next page's URL; null on the last page


class QuantityOut(Output):
    value: float
    unit: str | None
    qualifier: str | None
    text: str


class ClaimOut(Output):
    id: int
    essay_id: int
    text: str = Field(
        description="the wording reviewers check, a sentence of its own; the span may differ"
    )
    start: int = Field(description="where the claim's words start in the essay's text")
    end: int = Field(description="where they end: essay.text[start:end]")
    kind: str
    checkworthiness: float
    checkable: bool
    status: ClaimStatus
    triage: Decision | None = Field(
        description="chosen for checking (`check`), not checked and why, or null: not decided"
    )
    version: int
    entities: list[str] = []
    quantities: list[QuantityOut] = []
    dates: list[date] = []

    @computed_field(description="check-worthiness in words: high, medium or low")  # type: ignore[prop-decorator]
    @property
    def band(self) -> Band:
        return band_of(self.checkworthiness)

    @classmethod
    def of(cls, claim: Any) -> ClaimOut:
        """Columns from the row; entities, quantities and dates from its details."""
        columns = {name: getattr(claim, name) for name in cls.model_fields if name not in DETAILS}
        found = {name: (claim.details or {}).get(name, []) for name in DETAILS}
        return cls.model_validate({**columns, **found})


DETAILS = ("entities", "quantities", "dates")
NonNegative = Annotated[int, Field(ge=0, le=10_000_000), WHOLE]
Kind = Literal[KINDS]  # type: ignore[valid-type]


class ClaimEditIn(Input):
    version: Version
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
    claim_ids: Annotated[UniqueIds, Field(min_length=2, max_length=50)]


NotChecked = Literal[tuple(sorted(NOT_CHECKED))]  # type: ignore[valid-type]


class TriageIn(Input):
    """One bulk action on claims named one way: by id, the top N, a band and above, or
    every checkable claim not decided yet."""

    action: Action
    reason: NotChecked | None = Field(None, description="why not, for `do_not_check` only")
    claim_ids: Annotated[UniqueIds, Field(min_length=1, max_length=1000)] | None = None
    top: Annotated[int, Field(ge=1, le=1000), WHOLE] | None = Field(
        None, description="the N most check-worthy claims"
    )
    band: Band | None = Field(None, description="every checkable claim in this band or above")
    undecided: bool = Field(False, description="every checkable claim with no decision yet")


class TriageOut(Output):
    action: Action
    changed: int
    unchanged: int
    claims: list[ClaimOut] = Field(description="the claims changed, in text order")
    unchanged_ids: list[int]


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
    state: RunState
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


def citation_inputs(citations: list[CitationIn]) -> list[CitationInput]:
    return [CitationInput(c.source_id, c.quote) for c in citations]


Rationale = Annotated[Text, StringConstraints(max_length=20_000)]
Citations = Annotated[list[CitationIn], Field(max_length=50)]
RatingSlug = Literal[tuple(ratings.BY_SLUG)]  # type: ignore[valid-type]


class VerdictIn(Input):
    rating: RatingSlug
    rationale: Rationale
    citations: Annotated[Citations, Field(min_length=1)]


class ApproveIn(Input):
    """The version of the verdict the approver read (a task's ``verdict.version``)."""

    version: Version


class DraftIn(Input):
    """A verdict in progress: anything may still be missing."""

    rating: RatingSlug | None = None
    rationale: Annotated[str, StringConstraints(max_length=20_000)] = ""
    citations: Citations = []
    version: Version | None = None


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
    state: VerdictState
    author_id: int
    approver_id: int | None
    version: int
    citations: list[CitationOut]


class TaskOut(Output):
    id: int
    kind: Literal["review", "approval"]
    state: TaskState
    claim: ClaimOut
    lease_expires_at: datetime | None
    comment: str | None
    verdict: VerdictOut | None


class QueueQuery(Input):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="Tasks per page (1-200)")
    after: Id | None = Field(
        None, description="Only tasks after this one in queue order (the `next` link's cursor)"
    )
    essay: Id | None = Field(None, description="Only tasks of this essay")
    kind: QueueKind | None = Field(
        None, description="review, approval, or returned (my returned verdicts, reserved for me)"
    )


class QueueCountsOut(Output):
    review: int
    approval: int
    returned: int  # returned to me: reserved for me, the returned verdict's author
    total: int


class QueueEssayOut(Output):
    id: int
    title: str


class QueueClaimOut(Output):
    id: int
    text: str
    checkworthiness: float


class QueueItemOut(Output):
    id: int  # the task's
    kind: Literal["review", "approval"]
    returned_to_me: bool
    reserved_until: datetime | None  # when a task returned to me falls to everyone
    given_back_at: datetime | None  # when I last gave it back, if in the last 10 minutes
    deadline: datetime | None
    created_at: datetime  # waiting since
    comment: str | None  # why the verdict was returned
    essay: QueueEssayOut
    claim: QueueClaimOut


class QueuePageOut(Output):
    counts: QueueCountsOut  # of the essay asked for (else all), whatever the kind asked for
    items: list[QueueItemOut]
    next: str | None  # the next page's URL; null on the last page


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
    content: Snapshot | None  # null once a withdrawal took the version down
    claim_reviews: list[dict[str, Any]]


class CorrectionOut(Output):
    id: int
    essay_id: int
    claim_id: int | None
    note: str
    created_at: datetime


# --- earlier fact-checks -----------------------------------------------------------------


class VerifiedClaimImportIn(BaseModel):
    # Not ``Input``: a file's text may hold control characters; the import cleans
    # them out of each record (or refuses the record) instead of refusing the file.
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, description="The file's text")
    format: Literal["claimreview", "factchecktools", "tsv"] | None = Field(
        None, description="The file's format; by default guessed from its name and text"
    )
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = Field(
        "upload", description="The file's name (a .tsv or .csv name reads it as a table)"
    )
    columns: Annotated[str, StringConstraints(max_length=1000)] = Field(
        "", description="CSV/TSV: FIELD=COLUMN pairs, as the CLI's --columns"
    )
    publisher: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = (
        Field(None, description="Who checked the records that do not say")
    )


class RefusalOut(Output):
    where: str
    reason: str


class VerifiedClaimImportOut(Output):
    id: int
    new: int
    updated: int
    unchanged: int
    refused_count: int
    refused: list[RefusalOut]  # the first 1,000 with their reasons
    summary: str


class VerifiedClaimOut(Output):
    id: int
    ref: str  # its own id where it came from (a URL, an id column)
    publisher: str
    source: Literal["imported", "desk"]
    claim: str
    title: str
    rating_text: str
    rating: str | None  # our scale's slug, when the rating maps onto it
    url: str | None
    reviewed_on: date | None
    language: str | None
    claimant: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None


class VerifiedClaimVersionOut(Output):
    version: int
    change: Literal["new", "updated", "withdrawn", "restored"]
    at: datetime
    import_id: int | None
    fields: dict[str, Any]


class VerifiedClaimDetailOut(VerifiedClaimOut):
    versions: list[VerifiedClaimVersionOut]


class VerifiedClaimPageOut(Output):
    items: list[VerifiedClaimOut]
    next: str | None  # the next page's URL; null on the last page


class VerifiedClaimQuery(Input):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="Records per page (1-200)")
    after: Id | None = Field(None, description="Only records after this id (the `next` cursor)")
    publisher: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        None, description="Only records of this fact-checker"
    )

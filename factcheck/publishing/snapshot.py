"""The published snapshot: what one version of a fact-check froze, as a typed model.

``publish`` builds a ``Snapshot`` and stores ``snapshot.model_dump(mode="json")`` in
``Publication.content``; every reader (the pages, the API, the exporters) loads it
back with ``Snapshot.model_validate(publication.content)``.

Versions of the stored shape:

1. The first shape. Content stored before the snapshot was a model carries no
   ``schema_version`` and is version 1 as it stands. The earliest of it also lacks
   ``methodology`` and the citations' ``archive_url``, which came later: both have
   defaults.
2. Claims not checked say why: ``not_checked`` (a reason's slug:
   ``opinion``, ``not_worth_checking``, ``out_of_scope`` or ``not_checkable``) and
   ``not_checked_label`` (its words). Version 1 content has neither; its claims
   without a verdict were the not checkable ones (``ClaimSnapshot.reason``).
3. The essay says where it appeared: ``publisher`` (the outlet) and ``medium``
   (``factcheck.essays.models.Medium``), beside its ``url`` and ``published_at``
   (the date it first appeared). Older content has neither: both default to None.

A change to the shape adds a version: a new ``Literal`` for ``schema_version`` and a
``model_validator(mode="before")`` that upgrades older dicts, so every stored
version still loads.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

SCHEMA_VERSION = 3


class _Frozen(BaseModel):
    # Strict about names (a misspelt field fails when publishing, not later on a
    # page); frozen, because a published version never changes.
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class EssaySnapshot(_Frozen):
    id: int
    title: str
    author: str | None
    url: str | None
    publisher: str | None = None  # from v3, as is medium
    medium: str | None = None
    published_at: date | None  # the date it first appeared
    text: str


class Organisation(_Frozen):
    """Who publishes: the ClaimReview author."""

    name: str
    url: str


class CitationSnapshot(_Frozen):
    title: str
    publisher: str | None
    url: str
    published_at: date | None
    quote: str
    archive_url: str | None = None


class VerdictSnapshot(_Frozen):
    rating: str  # a slug of factcheck.review.ratings.SCALE
    label: str
    value: int | None  # None: off the numeric scale (unverifiable)
    rationale: str
    reviewed_by: str  # a display name, or "the desk"
    approved_by: str
    approved_at: datetime | None
    citations: list[CitationSnapshot]


class ClaimSnapshot(_Frozen):
    id: int
    text: str
    start: int  # the claim's span in the essay's text
    end: int
    kind: str
    checkable: bool
    verdict: VerdictSnapshot | None  # None: not checked
    not_checked: str | None = None  # why not (claims.decisions.REASON_LABELS), from v2
    not_checked_label: str | None = None

    @property
    def reason(self) -> str | None:
        """Why the claim was not checked; None when it carries a verdict."""
        if self.verdict is not None:
            return None
        return self.not_checked or ("not_checkable" if not self.checkable else None)


class Snapshot(_Frozen):
    """Everything one published version shows: the essay, its claims with their
    approved verdicts, citations and reviewers, and who publishes."""

    schema_version: Literal[1, 2, 3] = SCHEMA_VERSION
    essay: EssaySnapshot
    organisation: Organisation
    methodology: str = ""
    published_at: datetime
    claims: list[ClaimSnapshot]

    @model_validator(mode="before")
    @classmethod
    def _unversioned_is_version_1(cls, data: Any) -> Any:
        """Content stored before the model carries no version: it is version 1 (``publish``
        builds new snapshots naming the current one)."""
        if isinstance(data, dict) and "schema_version" not in data:
            return {**data, "schema_version": 1}
        return data

    def rated(self) -> list[ClaimSnapshot]:
        """The claims that carry a verdict, in the essay's order."""
        return [claim for claim in self.claims if claim.verdict is not None]

    def not_checked(self) -> list[ClaimSnapshot]:
        """The claims the desk chose not to check (each with its reason), in order."""
        return [claim for claim in self.claims if claim.reason is not None]

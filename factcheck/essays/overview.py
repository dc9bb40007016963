"""What the desk shows of essays at a glance: each claim's line on the essay page
(status, sources found, rating), which the page's live progress applies in place;
and the essay list's counts, its state in words, and its sorting.

Read-only, and kept apart from the domains' services: it joins claims, sources and
verdicts, which the services of each domain keep to themselves.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, case, func, select, type_coerce
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import ColumnElement

from factcheck.claims.decisions import NOT_CHECKED, Decision, band_of
from factcheck.claims.models import Claim
from factcheck.claims.states import ACTIVE, ClaimStatus
from factcheck.essays.models import Essay
from factcheck.essays.states import EssayStatus
from factcheck.review.models import Verdict
from factcheck.review.states import VerdictState
from factcheck.sources.models import SourceRecord


@dataclass(frozen=True)
class ClaimLine:
    """A claim's row on the essay page, as far as the pipeline and review change it."""

    id: int
    status: ClaimStatus
    sources: int
    rating: str | None  # the approved verdict's rating (slug), shown once approved


def claim_lines(session: Session, essay_id: int) -> dict[int, ClaimLine]:
    """Every claim of the essay with its sources found and approved rating: two
    queries, however many claims (the page polls this while the workers run)."""
    rows = session.execute(
        select(Claim.id, Claim.status, func.count(SourceRecord.id))
        .outerjoin(SourceRecord, SourceRecord.claim_id == Claim.id)
        .where(Claim.essay_id == essay_id)
        .group_by(Claim.id, Claim.status)
        .order_by(Claim.start, Claim.id)
    ).all()
    ratings = approved_ratings(session, essay_id)
    return {
        claim_id: ClaimLine(
            claim_id,
            status,
            sources,
            ratings.get(claim_id) if status == ClaimStatus.APPROVED else None,
        )
        for claim_id, status, sources in rows
    }


def approved_ratings(session: Session, essay_id: int) -> dict[int, str]:
    """The rating of each claim's approved verdict (a corrected claim's is the newest)."""
    rows = session.execute(
        select(Verdict.claim_id, Verdict.rating)
        .join(Claim, Claim.id == Verdict.claim_id)
        .where(Claim.essay_id == essay_id, Verdict.state == VerdictState.APPROVED)
        .order_by(Verdict.id)
    )
    return {claim_id: rating for claim_id, rating in rows}


def is_held(essay: Essay) -> bool:
    """Split and waiting for an editor to confirm the claims: nothing moves until then,
    so the page has nothing to poll for."""
    return (
        essay.hold_for_review and essay.confirmed_at is None and essay.status == EssayStatus.SPLIT
    )


def is_working(essay: Essay, counts: Mapping[str, int]) -> bool:
    """Is the pipeline still on the essay (the page polls while it is)? A held essay's
    claims stay extracted, but no worker is on them."""
    if essay.status == EssayStatus.SUBMITTED:
        return True
    return not is_held(essay) and any(counts.get(status) for status in ACTIVE)


# With reviewers: a verdict may come at any time, though not every second.
UNDER_REVIEW = frozenset(
    {ClaimStatus.AWAITING_REVIEW, ClaimStatus.IN_REVIEW, ClaimStatus.AWAITING_APPROVAL}
)


def polling(
    essay: Essay, counts: Mapping[str, int], chosen: Mapping[str, int] | None = None
) -> str:
    """How the essay page asks for news: ``fast`` while the workers run, ``slow``
    while reviewers have claims (a verdict may come), ``none`` when nothing changes
    by itself (held for an editor, or every claim settled). ``chosen``: the counts of
    the claims chosen for checking; only those reach reviewers, so an undecided claim
    waiting in ``awaiting_review`` is no reason to poll."""
    if is_working(essay, counts):
        return "fast"
    reviewed = counts if chosen is None else chosen
    if not is_held(essay) and any(reviewed.get(status) for status in UNDER_REVIEW):
        return "slow"
    return "none"


def chosen_counts(session: Session, essay_id: int) -> dict[str, int]:
    """The essay's claims chosen for checking, counted by status (one query)."""
    rows = session.execute(
        select(Claim.status, func.count())
        .where(Claim.essay_id == essay_id, Claim.triage == Decision.CHECK)
        .group_by(Claim.status)
    )
    return {status: count for status, count in rows}


# --- the essay list ---------------------------------------------------------------

# Claims that need no verdict: the list's "to check" leaves them out.
NOT_TO_CHECK = frozenset({ClaimStatus.DISCARDED, ClaimStatus.NOT_CHECKABLE})
# A verdict has been written (and maybe approved).
CHECKED = frozenset({ClaimStatus.AWAITING_APPROVAL, ClaimStatus.APPROVED})


@dataclass(frozen=True)
class Tally:
    to_check: int
    checked: int
    approved: int


def tally(counts: Mapping[str, int], chosen: int) -> Tally:
    """An essay's claims counted as an editor reads them (``counts``: by status;
    ``chosen``: how many the desk chose to check, whatever their status)."""
    return Tally(
        to_check=chosen,
        checked=sum(counts.get(status, 0) for status in CHECKED),
        approved=counts.get(ClaimStatus.APPROVED, 0),
    )


def state_words(essay: Essay, counts: Mapping[str, int], chosen: int) -> str:
    """Where the essay is, in words: what it waits for, not the stored status."""
    match essay.status:
        case EssayStatus.SUBMITTED:
            return "being split into claims"
        case EssayStatus.PUBLISHED:
            return "published"
        case EssayStatus.WITHDRAWN:
            return "withdrawn"
    if is_held(essay):
        return "waiting for an editor to confirm the claims"
    if any(counts.get(status) for status in ACTIVE):
        return "gathering evidence"
    done = tally(counts, chosen)
    if done.to_check == 0:
        return "no claim chosen for checking"
    if done.approved == done.to_check:
        return "ready to publish"
    return f"in review: {done.approved} of {done.to_check} approved"


def last_change() -> ColumnElement[datetime]:
    """When the essay or one of its claims last changed status."""
    latest = (
        select(func.max(Claim.status_changed_at))
        .where(Claim.essay_id == Essay.id)
        .correlate(Essay)
        .scalar_subquery()
    )
    # A comparison with NULL (no claims yet) is not true: the essay's own time.
    later = case((latest > Essay.status_changed_at, latest), else_=Essay.status_changed_at)
    return type_coerce(later, DateTime())


# The list's orders by the query's ``sort``: each ends with the id, so ties keep
# their place from one page to the next.
SORTS = {
    "newest": "newest first",
    "oldest": "oldest first",
    "author": "author, A to Z",
    "changed": "latest change first",
}
DEFAULT_SORT = "newest"
# The column each order sorts, and how (a table header's ``aria-sort``).
SORTED_COLUMN = {
    "newest": ("Submitted", "descending"),
    "oldest": ("Submitted", "ascending"),
    "author": ("Author", "ascending"),
    "changed": ("Last change", "descending"),
}


def _order(sort: str) -> list[ColumnElement[object]]:
    match sort:
        case "oldest":
            return [Essay.id.asc()]
        case "author":  # essays with no author last
            return [Essay.author.is_(None), func.lower(Essay.author), Essay.id.desc()]
        case "changed":
            return [last_change().desc(), Essay.id.desc()]
    return [Essay.id.desc()]


@dataclass(frozen=True)
class ListedEssay:
    essay: Essay
    changed_at: datetime


def essay_list(
    session: Session, sort: str, limit: int, page: int = 1
) -> tuple[list[ListedEssay], bool]:
    """A page (from 1) of essays in the ``sort``'s order, and whether a next page
    exists. Pages by offset: the last-change order has no column to carry a cursor,
    and the desk's list is read a page or two deep."""
    changed = last_change().label("changed_at")
    rows = session.execute(
        select(Essay, changed)
        .options(defer(Essay.text))  # a list shows titles and counts, never the texts
        .order_by(*_order(sort if sort in SORTS else DEFAULT_SORT))
        .offset((page - 1) * limit)
        .limit(limit + 1)  # one more: is there a next page?
    ).all()
    return [ListedEssay(essay, at) for essay, at in rows[:limit]], len(rows) > limit


# --- the essay page's triage view ------------------------------------------------------

# The triage view's orders (``?sort=``): by check-worthiness (the sentences whose best
# claim scores highest first), or as the essay reads.
TRIAGE_SORTS = {"worth": "most check-worthy first", "order": "essay order"}
DEFAULT_TRIAGE_SORT = "worth"
UNDECIDED = "undecided"  # the decision filter's word for ``triage IS NULL``


@dataclass(frozen=True)
class TriageFilters:
    """What the triage view shows (each None: no filter)."""

    decision: str | None = None  # a Decision's value, or UNDECIDED
    kind: str | None = None
    band: str | None = None
    sort: str = DEFAULT_TRIAGE_SORT


def triage_groups(
    claims: list[Claim], sentences: list[tuple[int, int]], filters: TriageFilters
) -> list[list[Claim]]:
    """The claims the filters keep, grouped by the sentence each starts in; groups
    ranked by their best claim's score (``worth``) or in essay order, claims within a
    group in essay order, so that a sentence's parts read together."""
    kept = [claim for claim in claims if _kept(claim, filters)]
    groups: dict[int, list[Claim]] = {}
    for claim in sorted(kept, key=lambda c: (c.start, c.id)):
        groups.setdefault(_sentence_of(claim.start, sentences), []).append(claim)
    ordered = list(groups.values())
    if filters.sort == "worth":
        ordered.sort(key=lambda group: (-max(c.checkworthiness for c in group), group[0].start))
    return ordered


def _kept(claim: Claim, filters: TriageFilters) -> bool:
    decision = claim.triage or UNDECIDED
    return (
        (filters.decision is None or decision == filters.decision)
        and (filters.kind is None or claim.kind == filters.kind)
        and (filters.band is None or band_of(claim.checkworthiness) == filters.band)
    )


def _sentence_of(position: int, sentences: list[tuple[int, int]]) -> int:
    """The start of the sentence holding ``position`` (a claim made by hand across
    sentences goes with the one it starts in)."""
    starts = [start for start, _ in sentences]
    index = bisect_right(starts, position) - 1
    return starts[index] if index >= 0 else 0


@dataclass(frozen=True)
class Decisions:
    """How many claims the editor chose, and how many still wait for a decision."""

    chosen: int
    not_checked: int
    undecided: int


def decisions(claims: list[Claim]) -> Decisions:
    """Counted over the claims that can be decided: checkable and not discarded."""
    live = [c for c in claims if c.status != ClaimStatus.DISCARDED]
    return Decisions(
        chosen=sum(c.triage == Decision.CHECK for c in live),
        not_checked=sum(c.triage in NOT_CHECKED for c in live),
        undecided=sum(c.triage is None and c.checkable for c in live),
    )


def decision_words(claim: Claim) -> str:
    """A claim's decision as its row says it."""
    if claim.status == ClaimStatus.DISCARDED:
        return "discarded"
    if claim.triage == Decision.CHECK:
        return "chosen for checking"
    if claim.triage in NOT_CHECKED:
        return f"not checked: {Decision(claim.triage).label}"
    return "undecided" if claim.checkable else "not checked: not checkable"

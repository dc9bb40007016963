from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from factcheck import audit, jobs
from factcheck.accounts.models import User
from factcheck.claims.decisions import Band
from factcheck.claims.segmentation import sentences
from factcheck.errors import NotFound, TooLarge
from factcheck.essays.models import Essay
from factcheck.settings import Settings, TriageDefault


def submit_essay(
    session: Session,
    submitter: User,
    settings: Settings,
    *,
    title: str,
    text: str,
    author: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    medium: str | None = None,
    published_at: date | None = None,
    hold_for_review: bool = False,
    deadline: datetime | None = None,
    triage_default: TriageDefault | None = None,
) -> Essay:
    """Store a new essay waiting to be split, and split it once committed. An essay
    over the settings' size limits is refused (``TooLarge``)."""
    _check_size(text, settings.max_essay_chars, settings.max_essay_sentences)
    essay = Essay(
        title=title,
        text=text,
        author=author,
        url=url,
        publisher=publisher,
        medium=medium,
        published_at=published_at,
        hold_for_review=hold_for_review,
        deadline=deadline,
        check_from_band=CHECK_FROM[triage_default or settings.triage_default],
        submitted_by_id=submitter.id,
    )
    session.add(essay)
    session.flush()
    audit.record(session, "essay.submitted", essay, actor_id=submitter.id, after={"title": title})
    jobs.queue(session, jobs.SPLIT_ESSAY, essay.id)
    return essay


# What each triage default chooses at once: claims in this band or above, or none.
CHECK_FROM: dict[str, Band | None] = {"wait": None, "high": Band.HIGH, "all": Band.LOW}


def _check_size(text: str, max_chars: int, max_sentences: int) -> None:
    """Refuse an essay too long to check well: by characters, and by sentences
    (each may become a claim and a review task)."""
    if len(text) > max_chars:
        raise TooLarge(
            f"the essay has {len(text)} characters; the limit is {max_chars}", field="text"
        )
    count = len(sentences(text))
    if count > max_sentences:
        raise TooLarge(
            f"the essay has {count} sentences; the limit is {max_sentences}", field="text"
        )


def get_essay(session: Session, essay_id: int) -> Essay:
    essay = session.get(Essay, essay_id)
    if essay is None:
        raise NotFound(f"essay {essay_id} does not exist")
    return essay


def essay_page(
    session: Session, limit: int, before: int | None = None, status: str | None = None
) -> tuple[list[Essay], int | None]:
    """Up to ``limit`` essays, newest first, older than the id ``before``; and the
    cursor of the next page (None on the last). A keyset: essays arriving meanwhile
    never shift a page."""
    query = (
        select(Essay)
        .options(defer(Essay.text))  # a list shows titles and counts, never the texts
        .order_by(Essay.id.desc())
        .limit(limit + 1)  # one more: is there a next page?
    )
    if before is not None:
        query = query.where(Essay.id < before)
    if status is not None:
        query = query.where(Essay.status == status)
    listed = list(session.scalars(query))
    page = listed[:limit]
    return page, page[-1].id if len(listed) > limit else None

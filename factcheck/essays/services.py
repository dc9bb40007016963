from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import audit
from factcheck.accounts.models import User
from factcheck.errors import NotFound
from factcheck.essays.models import Essay


def submit_essay(
    session: Session,
    submitter: User,
    *,
    title: str,
    text: str,
    author: str | None = None,
    url: str | None = None,
    published_at: date | None = None,
    hold_for_review: bool = False,
    deadline: datetime | None = None,
) -> Essay:
    """Store a new essay waiting to be split; the caller enqueues the split after commit."""
    essay = Essay(
        title=title,
        text=text,
        author=author,
        url=url,
        published_at=published_at,
        hold_for_review=hold_for_review,
        deadline=deadline,
        submitted_by_id=submitter.id,
    )
    session.add(essay)
    session.flush()
    audit.record(session, "essay.submitted", essay, actor_id=submitter.id, after={"title": title})
    return essay


def get_essay(session: Session, essay_id: int) -> Essay:
    essay = session.get(Essay, essay_id)
    if essay is None:
        raise NotFound(f"essay {essay_id} does not exist")
    return essay


def list_essays(session: Session, limit: int = 100, offset: int = 0) -> list[Essay]:
    """Newest first."""
    return list(
        session.scalars(select(Essay).order_by(Essay.id.desc()).limit(limit).offset(offset))
    )

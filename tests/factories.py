"""Rows made directly, for tests about what happens after the pipeline.

Splitting and gathering the seed essay takes a second or more; a test of a desk
page or an API call needs only an essay, a claim or two, a source and a task.
Tests about splitting and gathering run the pipeline itself (tests/flow.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Claim
from factcheck.claims.states import ClaimStatus
from factcheck.essays.models import Essay
from factcheck.essays.states import EssayStatus
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.sources.models import SourceRecord
from factcheck.sources.services import sha256

# Three sentences of the seed essay: two claims a reviewer can check, one not.
TINY_ESSAY = (
    "On Thursday, a series of car bombs killed more than 200 people in Sadr City. "
    "Sunni militants attacked the Ministry of Health within hours. "
    "We should leave Iraq soon."
)
CAR_BOMBS = "On Thursday, a series of car bombs killed more than 200 people in Sadr City."
MINISTRY = "Sunni militants attacked the Ministry of Health within hours."
OPINION = "We should leave Iraq soon."
SNAPSHOT = (
    "A series of car bombs and mortar rounds killed at least 215 people in Sadr City "
    "on 23 November 2006, the deadliest attack since the invasion."
)


def make_essay(
    session: Session,
    submitter: User,
    text: str = TINY_ESSAY,
    status: EssayStatus = EssayStatus.SPLIT,
    **fields: object,
) -> Essay:
    essay = Essay(
        title=fields.pop("title", "Tiny essay"),
        text=text,
        status=status,
        submitted_by_id=submitter.id,
        **fields,
    )
    session.add(essay)
    session.flush()
    return essay


def make_claim(
    session: Session,
    essay: Essay,
    sentence: str,
    status: ClaimStatus = ClaimStatus.AWAITING_REVIEW,
    kind: str = "statistic",
    checkworthiness: float = 0.9,
) -> Claim:
    """A claim over ``sentence``, which must be in the essay's text."""
    start = essay.text.index(sentence)
    claim = Claim(
        essay_id=essay.id,
        start=start,
        end=start + len(sentence),
        text=sentence,
        kind=kind,
        checkworthiness=checkworthiness,
        checkable=status != ClaimStatus.NOT_CHECKABLE,
        details={"entities": [], "quantities": [], "dates": []},
        status=status,
        # Chosen for checking when checkable, as the pipeline leaves claims with tasks.
        triage="check" if status != ClaimStatus.NOT_CHECKABLE else None,
    )
    session.add(claim)
    session.flush()
    return claim


def make_source(
    session: Session, claim: Claim, text: str = SNAPSHOT, url: str = "https://example.org/bombs"
) -> SourceRecord:
    source = SourceRecord(
        claim_id=claim.id,
        connector="library",
        url=url,
        title="Sadr City bombings",
        snippet=text[:200],
        score=1.0,
        snapshot_text=text,
        snapshot_sha256=sha256(text),
    )
    session.add(source)
    session.flush()
    return source


def make_review_task(session: Session, claim: Claim) -> ReviewTask:
    """An open review task, opened by the service as gathering would."""
    return review.open_review_task(session, claim)


def reviewable_essay(session: Session, submitter: User) -> tuple[Essay, list[ReviewTask]]:
    """The tiny essay as gathering leaves it: two claims with a source and an open
    review task each, and one claim that is not checkable."""
    essay = make_essay(session, submitter)
    tasks = []
    for sentence in (CAR_BOMBS, MINISTRY):
        claim = make_claim(session, essay, sentence)
        make_source(session, claim)
        tasks.append(make_review_task(session, claim))
    make_claim(
        session, essay, OPINION, ClaimStatus.NOT_CHECKABLE, kind="opinion", checkworthiness=0.1
    )
    return essay, tasks

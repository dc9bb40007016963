"""Build workflow states step by step through the services, as the tasks would."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Claim
from factcheck.claims.services import extract_claims
from factcheck.db import Database
from factcheck.essays import services as essays
from factcheck.essays.models import Essay
from factcheck.settings import get_settings
from factcheck.sources.connectors import LibraryConnector
from factcheck.sources.models import SourceRecord
from factcheck.sources.services import RunClock, RunResult, begin_runs, finish_runs, plan_runs
from tests.conftest import SEED_ESSAY


def submitted_essay(session: Session, editor: User, text: str = SEED_ESSAY) -> Essay:
    return essays.submit_essay(
        session,
        editor,
        get_settings(),
        title="The Next Step? Think Vietnam.",
        text=text,
        author="Fareed Zakaria",
        url="https://www.newsweek.com/next-step-think-vietnam",
    )


def gathered_essay(
    session: Session, database: Database, editor: User, text: str = SEED_ESSAY
) -> Essay:
    """An essay split into claims, every checkable claim gathered from the library."""
    essay = submitted_essay(session, editor, text)
    for claim_id in extract_claims(session, essay.id):
        gather_now(session, database, claim_id)
    return essay


CLOCK = RunClock(resend_after=timedelta(minutes=2))
BATCH = 16  # runs of local connectors per GATHER_LOCAL job


def gather_now(session: Session, database: Database, claim_id: int) -> None:
    """Run every library search for a gathering claim, as the gathering tasks would."""
    connector = LibraryConnector(database)
    keys = plan_runs(session, [claim_id], [connector.name], CLOCK, BATCH)
    started = begin_runs(session, keys)
    assert len(started) == len(keys)
    session.commit()  # the connector reads in its own session
    finish_runs(
        session, [RunResult(name, query, connector.find(query)) for (_, name), query in started]
    )
    session.flush()


def claims_of(session: Session, essay: Essay, status: str | None = None) -> list[Claim]:
    query = select(Claim).where(Claim.essay_id == essay.id).order_by(Claim.start)
    if status:
        query = query.where(Claim.status == status)
    return list(session.scalars(query))


def first_source(session: Session, claim_id: int) -> SourceRecord:
    source = session.scalar(
        select(SourceRecord).where(SourceRecord.claim_id == claim_id).order_by(SourceRecord.id)
    )
    assert source is not None, f"claim {claim_id} has no sources"
    return source

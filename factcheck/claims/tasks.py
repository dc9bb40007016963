"""The claims' task: split a submitted essay into claims."""

from __future__ import annotations

from celery import shared_task

from factcheck import jobs
from factcheck.claims.services import extract_claims
from factcheck.sources.tasks import plan
from factcheck.tasks import STEP, database


@shared_task(name=jobs.SPLIT_ESSAY.task, **STEP)
def split_essay(essay_id: int) -> int:
    """Split the essay and plan its claims' runs in one transaction."""
    with database().scope() as session:
        claim_ids = extract_claims(session, essay_id)
        plan(session, claim_ids)
    return len(claim_ids)

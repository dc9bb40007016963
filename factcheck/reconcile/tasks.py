"""The reconciler's task, run by beat every FACTCHECK_RECONCILE_EVERY_SECONDS."""

from __future__ import annotations

import logging

from celery import shared_task

from factcheck import jobs
from factcheck.reconcile import services as reconciler
from factcheck.settings import get_settings
from factcheck.sources.tasks import LOCAL_BATCH
from factcheck.tasks import STEP, database

log = logging.getLogger(__name__)


@shared_task(name=jobs.RECONCILE.task, **STEP)
def reconcile() -> dict[str, int]:
    with database().scope() as session:
        stalled = reconciler.reconcile(session, get_settings().stuck_after_seconds, LOCAL_BATCH)
    if stalled.essays_to_split or stalled.claims_to_gather or stalled.runs_to_retry:
        log.info("reconciled %s", stalled)
    return {
        "essays": len(stalled.essays_to_split),
        "claims": len(stalled.claims_to_gather),
        "leases": stalled.leases_expired,
        "runs": len(stalled.runs_to_retry),
        "deliveries": len(stalled.deliveries_due),
    }

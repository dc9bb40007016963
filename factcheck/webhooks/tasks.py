"""The webhooks' task: one attempt at a delivery."""

from __future__ import annotations

from celery import shared_task

from factcheck import jobs
from factcheck.http import get_client
from factcheck.settings import get_settings
from factcheck.tasks import STEP, database
from factcheck.webhooks import services as webhooks


@shared_task(name=jobs.DELIVER_WEBHOOK.task, **STEP)
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at a webhook delivery; failures are rescheduled in the database."""
    return webhooks.deliver(database(), delivery_id, get_client(get_settings()))

"""Register webhooks, write deliveries with the events, send them signed, retry on a schedule.

Deliveries follow the Standard Webhooks specification (standardwebhooks.com), so a
receiver can check them with the ``standardwebhooks`` library in any language. What
a receiver gets, for every attempt: a POST of the JSON payload
``{"type": "publication.published", "timestamp": "<ISO 8601>", "data": {...}}`` with

    Content-Type: application/json
    webhook-id: msg_42                  (the same for every attempt: deduplicate on it)
    webhook-timestamp: 1735689600       (Unix seconds when the attempt was made)
    webhook-signature: v1,<base64>      (HMAC-SHA256 of "<id>.<timestamp>.<body>")

The secret is shown once, at registration, as ``whsec_<base64 of the key>``. The
headers of the first format (X-Factcheck-Event, -Delivery, -Timestamp and -Signature:
``sha256=`` HMAC hex of "<timestamp>." + body, with the same key) are still sent,
deprecated: they go in the next release. A receiver should refuse timestamps far
from its clock (replays), as the library does. Any 2xx counts as delivered;
anything else, or no answer, is retried.

Retries are scheduled in the database, never as broker countdowns: a failed
attempt sets ``next_attempt_at``, and the reconciler re-sends what
``due_deliveries`` finds. A delivery is written in the same transaction as its
event and sent after commit, so publishing never waits for, or fails with, a hook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import audit, jobs
from factcheck.db import Database, utcnow
from factcheck.errors import InvalidInput, NotFound
from factcheck.http import FetchError, HttpClient, backoff_seconds
from factcheck.webhooks.models import EVENTS, Webhook, WebhookDelivery
from factcheck.webhooks.states import DeliveryState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30.0  # then doubling: 30 s, 1 min, 2 min ... (each scaled by 0.5-1)
MAX_RETRY_SECONDS = 3600.0
# An attempt in flight holds its delivery this long, so the reconciler does not send
# it a second time meanwhile. Longer than any attempt can take (the HTTP client's
# total deadline, the task's time limit); if the worker dies, the reconciler
# re-sends once it passes.
ATTEMPT_LEASE = timedelta(minutes=5)
MAX_URL_CHARS = 2000

# What each kind of publication (publishing.models.PUBLICATION_KINDS) announces.
EVENT_FOR_PUBLICATION_KIND = {
    "publication": "publication.published",
    "correction": "publication.corrected",
    "withdrawal": "publication.withdrawn",
}


# --- registering ---------------------------------------------------------------


def register(
    session: Session, url: str, events: Iterable[str], actor_id: int
) -> tuple[Webhook, str]:
    """Register ``url`` for ``events``; return the webhook and its signing secret,
    which the caller shows once."""
    webhook = Webhook(
        url=_checked_url(url),
        events=_checked_events(events),
        secret=new_secret(),
        active=True,
        created_by_id=actor_id,
    )
    session.add(webhook)
    session.flush()  # its id and creation time, for the answer
    # Never the secret: the audit log is readable by more people than the secret.
    audit.record(
        session,
        "webhook.registered",
        webhook,
        actor_id=actor_id,
        after={"url": webhook.url, "events": webhook.events},
    )
    return webhook, webhook.secret


SECRET_PREFIX = "whsec_"  # Standard Webhooks: the base64 key follows


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret. Webhooks registered before the ``whsec_`` secrets sign
    with their secret's bytes, which receivers pass as ``whsec_`` + their base64."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    return secret.encode()


def _checked_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput("the webhook URL must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("the webhook URL must not contain credentials")
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(f"the webhook URL is longer than {MAX_URL_CHARS} characters")
    return url


def _checked_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))  # without repeats, in the order given
    unknown = [event for event in chosen if event not in EVENTS]
    if unknown or not chosen:
        raise InvalidInput(
            f"subscribe to one or more of {', '.join(EVENTS)}", unknown=unknown, known=EVENTS
        )
    return chosen


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound(f"webhook {webhook_id} does not exist")
    return webhook


def list_webhooks(session: Session) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def deactivate(session: Session, webhook_id: int, actor_id: int) -> Webhook:
    """Stop sending to a webhook; its pending deliveries fail. Rows stay, for the log."""
    webhook = session.get(Webhook, webhook_id, with_for_update=True)
    if webhook is None:
        raise NotFound(f"webhook {webhook_id} does not exist")
    if not webhook.active:
        return webhook
    webhook.active = False
    pending = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.state == DeliveryState.PENDING
        )
    )
    for delivery in pending:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        delivery.last_error = "webhook deactivated before delivery"
    audit.record(
        session,
        "webhook.deactivated",
        webhook,
        actor_id=actor_id,
        before={"active": True},
        after={"active": False},
    )
    return webhook


def deliveries(session: Session, webhook_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """A webhook's delivery log, newest first."""
    get_webhook(session, webhook_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


# --- events ----------------------------------------------------------------------


def publication_payload(
    event: str,
    essay_id: int,
    version: int,
    url: str,
    published_at: datetime,
    note: str | None = None,
) -> dict[str, Any]:
    """The data of a publication event: what a receiver needs to fetch the new page."""
    return {
        "essay_id": essay_id,
        "version": version,
        "url": url,
        "published_at": published_at.isoformat(),
        "note": note,
    }


def emit(session: Session, event: str, payload: dict[str, Any]) -> list[int]:
    """Write a pending delivery of ``event`` for every active webhook subscribed to it,
    each sent by a DELIVER_WEBHOOK job once the session commits; return their ids.
    Nothing is sent here, so the caller's transaction never waits for a hook.
    """
    if event not in EVENTS:
        raise InvalidInput(f"unknown webhook event {event!r}")
    now = utcnow()
    payload = envelope(event, now, payload)
    json.dumps(payload)  # fail in the caller's transaction, not later in a worker
    # Few webhooks exist, and JSON membership queries differ per database: filter here.
    active = session.scalars(select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id))
    created = [
        WebhookDelivery(webhook_id=webhook.id, event=event, payload=payload, next_attempt_at=now)
        for webhook in active
        if event in webhook.events
    ]
    session.add_all(created)
    session.flush()
    for delivery in created:
        jobs.queue(session, jobs.DELIVER_WEBHOOK, delivery.id)
    return [delivery.id for delivery in created]


def envelope(event: str, when: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The Standard Webhooks payload: the event's type, when it happened, its data."""
    moment = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return {"type": event, "timestamp": moment.isoformat().replace("+00:00", "Z"), "data": data}


def due_deliveries(session: Session, now: datetime, limit: int = 1000) -> list[int]:
    """Pending deliveries whose next attempt is due (failed ones to retry, and
    ones whose message or worker was lost), oldest due first."""
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.state == DeliveryState.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )


# --- signing -----------------------------------------------------------------------


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` and the base64 HMAC-SHA256 of
    ``"<id>.<timestamp>.<body>"`` (Standard Webhooks). The id and the time are signed
    with the body, so a captured request cannot be replayed under fresh ones."""
    message = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """Deprecated (X-Factcheck-Signature, until the next release): HMAC-SHA256 hex of
    ``"<timestamp>." + body``; sent as ``sha256=<hex>``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(signing_key(secret), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` (the header's value, ``sha256=<hex>``, or the bare hex)
    signs ``body`` at ``timestamp``. Compared in constant time."""
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def encode(payload: dict[str, Any]) -> bytes:
    """The body as sent and signed: compact, keys sorted, so it is the same every attempt."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


# --- delivering ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What one attempt sends, read in a short transaction and used outside it."""

    delivery_id: int
    number: int  # 1 for the first attempt
    url: str
    event: str
    secret: str
    body: bytes

    @property
    def message_id(self) -> str:
        return f"msg_{self.delivery_id}"  # every attempt of a delivery carries the same

    def headers(self, timestamp: int) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "webhook-id": self.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_signature(
                self.secret, self.message_id, timestamp, self.body
            ),
            # Deprecated: the first format's headers, sent until the next release.
            "X-Factcheck-Event": self.event,
            "X-Factcheck-Delivery": str(self.delivery_id),
            "X-Factcheck-Timestamp": str(timestamp),
            "X-Factcheck-Signature": f"sha256={sign(self.secret, timestamp, self.body)}",
        }


def deliver(
    database: Database, delivery_id: int, client: HttpClient, now: datetime | None = None
) -> str | None:
    """Make one attempt at a delivery; return its state after, or None if nothing was
    due (already delivered or failed, another attempt in flight, not due yet).

    Three steps, so no database transaction is open while the receiver is slow:
    claim the attempt (one short transaction), POST, record the outcome (another).
    ``now`` is injected by tests; it also stamps the signature.
    """
    with database.scope() as session:
        attempt = begin_attempt(session, delivery_id, now or utcnow())
    if attempt is None:
        return None
    status, error = send(client, attempt, now or utcnow())
    with database.scope() as session:
        return finish_attempt(session, delivery_id, status, error, now or utcnow())


def begin_attempt(session: Session, delivery_id: int, now: datetime) -> Attempt | None:
    """Claim the next attempt of a due delivery, or return None.

    The row lock (SQLite: the immediate transaction) makes the claim exclusive: a
    second sender of the same delivery finds it leased and does nothing.
    """
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return None
    if delivery.attempts >= MAX_ATTEMPTS:
        # Every attempt was claimed but the last never recorded an outcome (its worker died).
        _give_up(delivery, f"{delivery.last_error or 'no outcome recorded'} (last attempt lost)")
        return None
    webhook = session.get(Webhook, delivery.webhook_id)
    assert webhook is not None  # a foreign key
    delivery.attempts += 1
    delivery.next_attempt_at = now + ATTEMPT_LEASE
    return Attempt(
        delivery.id,
        delivery.attempts,
        webhook.url,
        delivery.event,
        webhook.secret,
        encode(delivery.payload),
    )


def send(client: HttpClient, attempt: Attempt, now: datetime) -> tuple[int | None, str | None]:
    """POST one attempt: (status, None), or (None, why) when no status came back.

    Never raises for the receiver's sake: a refused, unreachable or slow hook is an
    outcome to record, not an error of the caller.
    """
    try:
        status = client.post(attempt.url, attempt.body, attempt.headers(int(now.timestamp())))
    except FetchError as error:
        return None, str(error)
    return status, None


def finish_attempt(
    session: Session, delivery_id: int, status: int | None, error: str | None, now: datetime
) -> str:
    """Record an attempt's outcome: delivered on 2xx; otherwise the next attempt is
    scheduled with backoff, or the delivery fails after MAX_ATTEMPTS."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    assert delivery is not None  # deliveries are never deleted
    delivery.last_status = status
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, now
        delivery.next_attempt_at, delivery.last_error = None, None
        log.info("webhook delivery %s: attempt %s got %s", delivery.id, delivery.attempts, status)
        return delivery.state
    delivery.last_error = error or f"HTTP {status}"
    if delivery.state == DeliveryState.PENDING and delivery.attempts < MAX_ATTEMPTS:
        delivery.next_attempt_at = now + timedelta(seconds=backoff(delivery.attempts))
    else:
        _give_up(delivery, delivery.last_error)
    log.warning(
        "webhook delivery %s: attempt %s of %s failed (%s); %s",
        delivery.id,
        delivery.attempts,
        MAX_ATTEMPTS,
        delivery.last_error,
        f"next at {delivery.next_attempt_at}"
        if delivery.state == DeliveryState.PENDING
        else delivery.state,
    )
    return delivery.state


def _give_up(delivery: WebhookDelivery, error: str) -> None:
    delivery.state, delivery.next_attempt_at, delivery.last_error = (
        DeliveryState.FAILED,
        None,
        error,
    )


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: 30 s · 2^(n-1),
    capped at an hour, with jitter (0.5-1) so hooks that failed together spread out."""
    return backoff_seconds(attempts - 1, FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS)

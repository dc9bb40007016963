"""Registered webhooks and their deliveries (one row per event per webhook)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, StatusType, status_check, utcnow
from factcheck.webhooks.states import DeliveryState

Event = Literal["publication.published", "publication.corrected", "publication.withdrawn"]
EVENTS: tuple[str, ...] = get_args(Event)


class Webhook(Base):
    """A URL an admin registered for some events. Deactivated, never deleted: the
    delivery log stays readable."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    # Kept in the clear: signing needs it (a hash could only verify, not sign).
    secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook, with the outcome of its latest attempt."""

    __tablename__ = "webhook_deliveries"
    # The reconciler's query: pending deliveries whose next attempt is due.
    __table_args__ = (
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
        status_check("state", DeliveryState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(
        StatusType(DeliveryState, 16), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)  # attempts started
    last_status: Mapped[int | None]  # the HTTP status of the latest attempt, if one came back
    last_error: Mapped[str | None] = mapped_column(Text)
    # When a pending delivery may next be attempted; None once delivered or failed.
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

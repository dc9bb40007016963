"""The webhook operations of the JSON API (admins only).

Registered on the API object of ``web/api.py``: import this module before the
app is created (``web/__init__.py`` does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import Response
from pydantic import Field

from factcheck.webhooks import services as webhooks
from factcheck.webhooks.models import Event
from factcheck.webhooks.states import DeliveryState
from web.api import PROBLEM, api
from web.operations import Context, json_response
from web.schemas import Input, Output, Url

ADMIN = ("admin",)


class WebhookIn(Input):
    url: Url
    events: Annotated[list[Event], Field(min_length=1, max_length=20)]


class WebhookOut(Output):
    id: int
    url: str
    events: list[str]
    active: bool
    created_by_id: int
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str  # shown this once: sign-checking receivers need it, nobody can read it later


class DeliveryOut(Output):
    id: int
    event: str
    state: DeliveryState
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


@api.operation(
    "POST",
    "/webhooks",
    summary="Register a webhook; the answer holds its signing secret, shown once",
    roles=ADMIN,
    body=WebhookIn,
    tag="webhooks",
    responses={201: WebhookCreatedOut},
)
def register_webhook(ctx: Context, body: WebhookIn) -> Response:
    webhook, secret = webhooks.register(ctx.session, body.url, body.events, ctx.actor.id)
    out = WebhookCreatedOut(**WebhookOut.model_validate(webhook).model_dump(), secret=secret)
    return json_response(out, 201)


@api.operation(
    "GET",
    "/webhooks",
    summary="Registered webhooks, active or not (without their secrets)",
    roles=ADMIN,
    tag="webhooks",
    responses={200: [WebhookOut]},
)
def list_webhooks(ctx: Context) -> Response:
    return json_response(
        [WebhookOut.model_validate(w) for w in webhooks.list_webhooks(ctx.session)]
    )


@api.operation(
    "DELETE",
    "/webhooks/{webhook_id}",
    summary="Deactivate a webhook; its delivery log is kept",
    roles=ADMIN,
    tag="webhooks",
    responses={204: None, 404: PROBLEM},
)
def delete_webhook(ctx: Context, webhook_id: int) -> Response:
    webhooks.deactivate(ctx.session, webhook_id, ctx.actor.id)
    return Response(status=204)


@api.operation(
    "GET",
    "/webhooks/{webhook_id}/deliveries",
    summary="A webhook's delivery log, newest first (the latest 100)",
    roles=ADMIN,
    tag="webhooks",
    responses={200: [DeliveryOut], 404: PROBLEM},
)
def list_webhook_deliveries(ctx: Context, webhook_id: int) -> Response:
    log = webhooks.deliveries(ctx.session, webhook_id)
    return json_response([DeliveryOut.model_validate(delivery) for delivery in log])

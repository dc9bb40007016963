"""Webhooks against a real receiver on 127.0.0.1 (tests/localserver.py).

Time is injected (``now``) so retries are tested without waiting; the receiver
checks every signature with ``verify``, as a real one would. The webhook tables
are created on top of the migrated test database until their migration exists.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

import web.api_webhooks  # noqa: F401  (registers the operations before any app is built)
from factcheck.accounts import services as accounts
from factcheck.audit import AuditEvent
from factcheck.db import Base, Database, utcnow
from factcheck.errors import InvalidInput
from factcheck.http import FetchError
from factcheck.webhooks import services as webhooks
from factcheck.webhooks.models import EVENTS, Webhook, WebhookDelivery
from tests.conftest import problem_of
from tests.fakes.common import client_for
from tests.localserver import Answer, LocalServer, Request
from tests.unit.conftest import auth

PUBLISHED, CORRECTED, WITHDRAWN = EVENTS
STANDARD_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
PAYLOAD = {
    "essay_id": 7,
    "version": 2,
    "url": "https://desk.example/fact-checks/7",
    "published_at": "2025-01-02T03:04:05+00:00",
    "note": "A date was wrong.",
}


@pytest.fixture
def schema(database: Database) -> Database:
    tables = [Webhook.__table__, WebhookDelivery.__table__]
    Base.metadata.create_all(database.engine, tables=tables)  # type: ignore[arg-type]
    return database


@pytest.fixture
def admin_id(schema: Database) -> int:
    with schema.scope() as session:
        return accounts.create_user(session, "hookadmin", "admin").id


@pytest.fixture
def receiver() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def register(database: Database, url: str, actor_id: int, *events: str) -> tuple[int, str]:
    with database.scope() as session:
        webhook, secret = webhooks.register(session, url, events or (PUBLISHED,), actor_id)
        session.flush()
        return webhook.id, secret


def emit(database: Database, event: str = PUBLISHED) -> list[int]:
    with database.scope() as session:
        return webhooks.emit(session, event, PAYLOAD)


def delivery(database: Database, delivery_id: int) -> WebhookDelivery:
    with database.scope() as session:
        return session.get_one(WebhookDelivery, delivery_id)


def verifying(secret: str, statuses: list[int]) -> tuple[list[Request], object]:
    """A receiver handler that checks the signature (401 if wrong), then answers
    ``statuses`` in turn (the last one for ever after); the requests it accepted."""
    accepted: list[Request] = []

    def handle(request: Request) -> Answer:
        headers = request.headers
        if not webhooks.verify(
            secret,
            headers["x-factcheck-timestamp"],
            request.body,
            headers["x-factcheck-signature"],
        ):
            return Answer(401, b"bad signature")
        accepted.append(request)
        return Answer(statuses[min(len(accepted), len(statuses)) - 1], b"ok")

    return accepted, handle


# --- signing ------------------------------------------------------------------------


def test_signature_matches_a_reference_hmac_and_verify_rejects_any_change() -> None:
    body = b'{"a":1}'
    # printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    reference = "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
    assert webhooks.sign("secret", 1700000000, body) == reference
    assert webhooks.verify("secret", "1700000000", body, f"sha256={reference}")
    assert webhooks.verify("secret", 1700000000, body, reference)
    assert not webhooks.verify("secret", 1700000000, b'{"a":2}', f"sha256={reference}")
    assert not webhooks.verify("secret", 1700000001, body, f"sha256={reference}")
    assert not webhooks.verify("other", 1700000000, body, f"sha256={reference}")
    assert not webhooks.verify("secret", 1700000000, body, "sha256=" + "0" * 64)


def test_backoff_doubles_from_30_seconds_with_jitter_and_stops_at_an_hour() -> None:
    for attempts, full in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (30, 3600)]:
        waits = [webhooks.backoff(attempts) for _ in range(50)]
        assert all(full / 2 <= wait <= full for wait in waits), (attempts, waits)
        assert len(set(waits)) > 1  # jitter


# --- HttpClient.post ------------------------------------------------------------------


def test_post_sends_body_and_headers_once_and_returns_any_status(receiver: LocalServer) -> None:
    receiver.route("/hook", Answer(500, b"boom"))
    client = client_for(receiver, http_retries=3)
    status = client.post(receiver.url("/hook"), b'{"x":1}', {"Content-Type": "application/json"})
    assert status == 500
    assert len(receiver.requests) == 1  # no retry: the delivery schedule retries
    sent = receiver.requests[0]
    assert (sent.method, sent.body) == ("POST", b'{"x":1}')
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"].startswith("factcheck/")


def test_post_does_not_follow_redirects(receiver: LocalServer) -> None:
    receiver.route("/hook", Answer.redirect("/elsewhere", 307))
    receiver.route("/elsewhere", Answer(200))
    assert client_for(receiver).post(receiver.url("/hook"), b"{}", {}) == 307
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_post_to_a_private_address_is_refused_before_sending(receiver: LocalServer) -> None:
    receiver.route("/hook", Answer(200))
    with pytest.raises(FetchError) as refused:
        client_for().post(receiver.url("/hook"), b"{}", {})
    assert refused.value.kind == "refused"
    assert receiver.requests == []


def test_post_caps_the_answer_and_the_body(receiver: LocalServer) -> None:
    receiver.route("/big", Answer(200, b"x" * 5000, chunked=True))
    receiver.route("/small", Answer(200, b"ok"))
    client = client_for(receiver)
    with pytest.raises(FetchError) as answer_too_large:
        client.post(receiver.url("/big"), b"{}", {}, max_bytes=1000)
    assert answer_too_large.value.kind == "too_large"
    with pytest.raises(FetchError) as body_too_large:
        client.post(receiver.url("/small"), b"x" * 1001, {}, max_bytes=1000)
    assert body_too_large.value.kind == "too_large"
    assert [r.path for r in receiver.requests] == ["/big"]
    assert client.post(receiver.url("/small"), b"x" * 1000, {}, max_bytes=1000) == 200


# --- registering and emitting ------------------------------------------------------------


def test_register_checks_url_and_events_and_keeps_the_secret_out_of_the_audit_log(
    schema: Database, admin_id: int
) -> None:
    with schema.scope() as session:
        for url, events in [
            ("ftp://example.org/hook", [PUBLISHED]),
            ("https:///no-host", [PUBLISHED]),
            ("https://user:pw@example.org/hook", [PUBLISHED]),
            ("https://example.org/hook", []),
            ("https://example.org/hook", [PUBLISHED, "essay.deleted"]),
        ]:
            with pytest.raises(InvalidInput):
                webhooks.register(session, url, events, admin_id)
    hook_id, secret = register(
        schema, " https://example.org/hook ", admin_id, PUBLISHED, WITHDRAWN, PUBLISHED
    )
    assert len(secret) >= 43
    with schema.scope() as session:
        webhook = session.get_one(Webhook, hook_id)
        assert (webhook.url, webhook.events) == ("https://example.org/hook", [PUBLISHED, WITHDRAWN])
        assert webhook.active and webhook.secret == secret and webhook.created_by_id == admin_id
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type == "webhooks")
        ).one()
        assert event.action == "webhook.registered" and event.actor_id == admin_id
        assert secret not in json.dumps([event.before, event.after])
    _other_id, other_secret = register(schema, "https://example.org/hook", admin_id)
    assert other_secret != secret


def test_emit_writes_deliveries_only_for_active_subscribed_hooks(
    schema: Database, admin_id: int
) -> None:
    published, _ = register(schema, "https://a.example/hook", admin_id, PUBLISHED)
    register(schema, "https://b.example/hook", admin_id, CORRECTED)
    both, _ = register(schema, "https://c.example/hook", admin_id, CORRECTED, PUBLISHED)
    gone, _ = register(schema, "https://d.example/hook", admin_id, PUBLISHED)
    with schema.scope() as session:
        webhooks.deactivate(session, gone, admin_id)
    ids = emit(schema, PUBLISHED)
    with schema.scope() as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [row.id for row in rows] == ids
        assert [row.webhook_id for row in rows] == [published, both]
        assert all(row.state == "pending" and row.attempts == 0 for row in rows)
        assert rows[0].payload == {
            "type": PUBLISHED,
            "timestamp": rows[0].payload["timestamp"],
            "data": PAYLOAD,
        }
        assert datetime.fromisoformat(rows[0].payload["timestamp"]).tzinfo is not None
    assert emit(schema, WITHDRAWN) == []
    with schema.scope() as session, pytest.raises(InvalidInput):
        webhooks.emit(session, "essay.deleted", PAYLOAD)


def test_publication_payload_is_json_ready() -> None:
    when = datetime(2025, 1, 2, 3, 4, 5).astimezone()
    payload = webhooks.publication_payload(
        CORRECTED, 7, 2, "https://desk.example/fact-checks/7", when, "A date was wrong."
    )
    assert json.loads(webhooks.encode(payload)) == {
        "essay_id": 7,
        "version": 2,
        "url": "https://desk.example/fact-checks/7",
        "published_at": when.isoformat(),
        "note": "A date was wrong.",
    }
    assert set(webhooks.EVENT_FOR_PUBLICATION_KIND.values()) == set(EVENTS)


def test_a_receiver_verifies_deliveries_with_the_standard_webhooks_library(
    schema: Database, admin_id: int, receiver: LocalServer
) -> None:
    """Standard Webhooks: the secret, the headers and the payload are what the
    ``standardwebhooks`` library expects; a changed body, id or time is refused."""
    _hook_id, secret = register(schema, receiver.url("/hook"), admin_id)
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    receiver.route("/hook", lambda request: Answer(204, b""))
    [delivery_id] = emit(schema)
    assert webhooks.deliver(schema, delivery_id, client_for(receiver), utcnow()) == "delivered"
    [request] = receiver.requests
    headers = {name: request.headers[name] for name in STANDARD_HEADERS}
    assert headers["webhook-id"] == f"msg_{delivery_id}"
    assert headers["webhook-signature"].startswith("v1,")
    verified = StandardWebhook(secret).verify(request.body, headers)
    assert verified == {"type": PUBLISHED, "timestamp": verified["timestamp"], "data": PAYLOAD}
    for name, value in [
        ("webhook-id", "msg_0"),
        ("webhook-timestamp", str(int(headers["webhook-timestamp"]) + 1)),
    ]:
        with pytest.raises(WebhookVerificationError):
            StandardWebhook(secret).verify(request.body, {**headers, name: value})
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(secret).verify(request.body.replace(b"7", b"8"), headers)
    # The first format's headers come too, for one release (deprecated).
    assert webhooks.verify(
        secret,
        request.headers["x-factcheck-timestamp"],
        request.body,
        request.headers["x-factcheck-signature"],
    )


def test_the_receiver_example_in_the_api_docs_accepts_a_delivery(
    schema: Database, admin_id: int, receiver: LocalServer
) -> None:
    """docs/api.md's receiver, run as written with a real delivery's body and headers."""
    docs = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    [example] = re.findall(r"```python\n(.*?)```", docs.split("## Webhooks", 1)[1], re.S)
    _hook_id, secret = register(schema, receiver.url("/hook"), admin_id)
    receiver.route("/hook", lambda request: Answer(204, b""))
    [delivery_id] = emit(schema)
    webhooks.deliver(schema, delivery_id, client_for(receiver), utcnow())
    [request] = receiver.requests
    namespace: dict = {"__name__": "__main__"}  # Flask(__name__) finds a root path
    exec(example.replace("whsec_...", secret), namespace)
    client = namespace["app"].test_client()
    headers = dict(request.headers)
    assert client.post("/factcheck-hook", data=request.body, headers=headers).status_code == 204
    tampered = request.body.replace(b"7", b"8")
    assert client.post("/factcheck-hook", data=tampered, headers=headers).status_code == 401


def test_a_secret_from_before_whsec_signs_with_its_own_bytes() -> None:
    """Webhooks registered before keep their secret: receivers pass it to the library
    as ``whsec_`` + its base64."""
    old = "b2xkLXNlY3JldC10b2tlbi11cmxzYWZlLTQzLWNoYXJz"
    body = b'{"type":"publication.published"}'
    stamp = int(utcnow().timestamp())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": webhooks.standard_signature(old, "msg_1", stamp, body),
    }
    as_standard = "whsec_" + base64.b64encode(old.encode()).decode()
    assert StandardWebhook(as_standard).verify(body, headers) == json.loads(body)


# --- delivering ----------------------------------------------------------------------------


def test_a_delivery_reaches_the_receiver_signed(
    schema: Database, admin_id: int, receiver: LocalServer
) -> None:
    _hook_id, secret = register(schema, receiver.url("/hook"), admin_id)
    accepted, handle = verifying(secret, [204])
    receiver.route("/hook", handle)
    [delivery_id] = emit(schema)
    now = utcnow()
    assert webhooks.deliver(schema, delivery_id, client_for(receiver), now) == "delivered"
    [request] = accepted
    assert request.headers["x-factcheck-event"] == PUBLISHED
    assert request.headers["x-factcheck-delivery"] == str(delivery_id)
    assert request.headers["x-factcheck-timestamp"] == str(int(now.timestamp()))
    assert request.headers["x-factcheck-signature"].startswith("sha256=")
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.body)
    assert body == {"type": PUBLISHED, "timestamp": body["timestamp"], "data": PAYLOAD}
    done = delivery(schema, delivery_id)
    assert (done.state, done.attempts, done.last_status, done.last_error) == (
        "delivered",
        1,
        204,
        None,
    )
    assert done.delivered_at == now and done.next_attempt_at is None
    # Sent again (a duplicate message): nothing happens.
    assert webhooks.deliver(schema, delivery_id, client_for(receiver), now) is None
    assert len(receiver.requests) == 1


def test_a_wrong_secret_is_caught_by_the_receiver(
    schema: Database, admin_id: int, receiver: LocalServer
) -> None:
    _hook_id, _secret = register(schema, receiver.url("/hook"), admin_id)
    accepted, handle = verifying("not-the-secret", [200])
    receiver.route("/hook", handle)
    [delivery_id] = emit(schema)
    assert webhooks.deliver(schema, delivery_id, client_for(receiver)) == "pending"
    assert accepted == [] and delivery(schema, delivery_id).last_status == 401


def test_a_failed_attempt_is_scheduled_in_the_database_and_retried_when_due(
    schema: Database, admin_id: int, receiver: LocalServer
) -> None:
    _hook_id, secret = register(schema, receiver.url("/hook"), admin_id)
    accepted, handle = verifying(secret, [500, 200])
    receiver.route("/hook", handle)
    [delivery_id] = emit(schema)
    client = client_for(receiver)
    start = utcnow()

    assert webhooks.deliver(schema, delivery_id, client, start) == "pending"
    failed = delivery(schema, delivery_id)
    assert (failed.state, failed.attempts, failed.last_status) == ("pending", 1, 500)
    assert failed.last_error == "HTTP 500"
    assert failed.next_attempt_at is not None
    wait = failed.next_attempt_at - start
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)

    with schema.scope() as session:
        assert webhooks.due_deliveries(session, start + wait - timedelta(seconds=1)) == []
        assert webhooks.due_deliveries(session, start + wait) == [delivery_id]
    # Not due yet: a message arriving early sends nothing.
    assert webhooks.deliver(schema, delivery_id, client, start + timedelta(seconds=5)) is None
    assert len(accepted) == 1

    later = start + wait
    assert webhooks.deliver(schema, delivery_id, client, later) == "delivered"
    done = delivery(schema, delivery_id)
    assert (done.state, done.attempts, done.last_status, done.last_error) == (
        "delivered",
        2,
        200,
        None,
    )
    assert done.delivered_at == later and len(accepted) == 2
    # The same delivery id both times, so a receiver can deduplicate.
    assert {r.headers["x-factcheck-delivery"] for r in accepted} == {str(delivery_id)}
    with schema.scope() as session:
        assert webhooks.due_deliveries(session, later + timedelta(days=1)) == []


def test_an_attempt_in_flight_is_not_sent_twice(schema: Database, admin_id: int) -> None:
    register(schema, "https://example.org/hook", admin_id)
    [delivery_id] = emit(schema)
    now = utcnow()
    with schema.scope() as session:
        assert webhooks.due_deliveries(session, now) == [delivery_id]
        attempt = webhooks.begin_attempt(session, delivery_id, now)
        assert attempt is not None and attempt.number == 1
    with schema.scope() as session:
        assert webhooks.due_deliveries(session, now) == []
        assert webhooks.begin_attempt(session, delivery_id, now) is None
        # The worker died: once the lease passes, the reconciler sends it again.
        lease_over = now + webhooks.ATTEMPT_LEASE
        assert webhooks.due_deliveries(session, lease_over) == [delivery_id]
        again = webhooks.begin_attempt(session, delivery_id, lease_over)
        assert again is not None and again.number == 2


def test_attempts_whose_workers_died_count_towards_the_limit(
    schema: Database, admin_id: int
) -> None:
    register(schema, "https://example.org/hook", admin_id)
    [delivery_id] = emit(schema)
    now = utcnow()
    for number in range(1, webhooks.MAX_ATTEMPTS + 1):
        with schema.scope() as session:
            attempt = webhooks.begin_attempt(session, delivery_id, now)
            assert attempt is not None and attempt.number == number
        now += webhooks.ATTEMPT_LEASE  # never finished: the reconciler finds it due again
    with schema.scope() as session:
        assert webhooks.due_deliveries(session, now) == [delivery_id]
        assert webhooks.begin_attempt(session, delivery_id, now) is None
    lost = delivery(schema, delivery_id)
    assert (lost.state, lost.attempts, lost.next_attempt_at) == (
        "failed",
        webhooks.MAX_ATTEMPTS,
        None,
    )
    assert lost.last_error == "no outcome recorded (last attempt lost)"
    with schema.scope() as session:
        assert webhooks.due_deliveries(session, now + timedelta(days=1)) == []


def test_a_delivery_fails_for_good_after_max_attempts(
    schema: Database, admin_id: int, receiver: LocalServer
) -> None:
    receiver.route("/hook", Answer(503, b"down"))
    register(schema, receiver.url("/hook"), admin_id)
    [delivery_id] = emit(schema)
    client, now = client_for(receiver), utcnow()
    states = []
    for _ in range(webhooks.MAX_ATTEMPTS):
        states.append(webhooks.deliver(schema, delivery_id, client, now))
        scheduled = delivery(schema, delivery_id).next_attempt_at
        if scheduled is not None:
            assert scheduled - now <= timedelta(seconds=webhooks.MAX_RETRY_SECONDS)
        now += timedelta(hours=2)
    assert states == ["pending"] * (webhooks.MAX_ATTEMPTS - 1) + ["failed"]
    gave_up = delivery(schema, delivery_id)
    assert (gave_up.state, gave_up.attempts, gave_up.last_status, gave_up.next_attempt_at) == (
        "failed",
        webhooks.MAX_ATTEMPTS,
        503,
        None,
    )
    with schema.scope() as session:
        assert webhooks.due_deliveries(session, now + timedelta(days=30)) == []
    assert webhooks.deliver(schema, delivery_id, client, now) is None
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS


def test_a_hook_on_a_private_address_is_refused_and_logged_not_raised(
    schema: Database, admin_id: int, receiver: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.route("/hook", Answer(200))
    register(schema, receiver.url("/hook"), admin_id)
    [delivery_id] = emit(schema)
    with caplog.at_level(logging.WARNING, logger="factcheck.webhooks.services"):
        assert webhooks.deliver(schema, delivery_id, client_for()) == "pending"
    refused = delivery(schema, delivery_id)
    assert refused.last_status is None and refused.attempts == 1
    assert refused.last_error is not None and refused.last_error.startswith("refused:")
    assert receiver.requests == []
    assert f"webhook delivery {delivery_id}: attempt 1 of 8 failed (refused:" in caplog.text


# --- the admin API ----------------------------------------------------------------------------


def test_only_admins_may_manage_webhooks(client, token, schema: Database) -> None:
    editor = token("ed", "editor")
    body = {"url": "https://example.org/hook", "events": [PUBLISHED]}
    calls = [
        ("POST", "/api/v1/webhooks", body),
        ("GET", "/api/v1/webhooks", None),
        ("DELETE", "/api/v1/webhooks/1", None),
        ("GET", "/api/v1/webhooks/1/deliveries", None),
    ]
    for method, path, json_body in calls:
        anonymous = client.open(path, method=method, json=json_body)
        assert anonymous.status_code == 401, (method, path)
        forbidden = client.open(path, method=method, json=json_body, headers=auth(editor))
        assert forbidden.status_code == 403, (method, path)
        problem_of(forbidden)
    with schema.scope() as session:
        assert session.scalars(select(Webhook)).all() == []


HOOK_URL = "http://127.0.0.1:9/hook"  # never reached: the guard refuses loopback


def test_admin_registers_lists_inspects_and_deactivates_a_webhook(
    client, token, schema: Database
) -> None:
    admin = auth(token("root", "admin"))
    bad = client.post(
        "/api/v1/webhooks",
        json={"url": "https://example.org/hook", "events": ["essay.deleted"]},
        headers=admin,
    )
    assert bad.status_code == 422
    problem_of(bad)
    assert (
        client.post(
            "/api/v1/webhooks",
            json={"url": "ftp://example.org/", "events": [PUBLISHED]},
            headers=admin,
        ).status_code
        == 422
    )

    created = client.post(
        "/api/v1/webhooks",
        json={"url": HOOK_URL, "events": [PUBLISHED, CORRECTED]},
        headers=admin,
    )
    assert created.status_code == 201, created.json
    hook = created.json
    assert hook["url"] == HOOK_URL and hook["events"] == [PUBLISHED, CORRECTED]
    assert hook["active"] is True and len(hook["secret"]) >= 43
    with schema.scope() as session:
        assert session.get_one(Webhook, hook["id"]).secret == hook["secret"]

    listed = client.get("/api/v1/webhooks", headers=admin)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json] == [hook["id"]]
    assert "secret" not in listed.json[0] and hook["secret"] not in listed.get_data(as_text=True)

    # One delivery attempted and failed (the guard refuses the address), one not yet tried.
    [first] = emit(schema, PUBLISHED)
    assert webhooks.deliver(schema, first, client_for()) == "pending"
    [second] = emit(schema, CORRECTED)
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin)
    assert log.status_code == 200
    assert [(d["id"], d["event"], d["attempts"]) for d in log.json] == [
        (second, CORRECTED, 0),
        (first, PUBLISHED, 1),
    ]
    assert log.json[1]["state"] == "pending" and log.json[1]["last_error"]
    assert log.json[1]["next_attempt_at"] and log.json[1]["delivered_at"] is None
    assert {"last_status", "created_at"} <= log.json[0].keys()

    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/webhooks", headers=admin).json[0]["active"] is False
    after = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin).json
    assert {d["state"] for d in after} == {"failed"}  # kept, no longer sent
    assert emit(schema, PUBLISHED) == []
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    with schema.scope() as session:
        trail = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "webhooks", AuditEvent.subject_id == hook["id"])
            .order_by(AuditEvent.id)
        ).all()
        assert [event.action for event in trail] == ["webhook.registered", "webhook.deactivated"]
        assert hook["secret"] not in json.dumps([[e.before, e.after] for e in trail])

    assert client.delete("/api/v1/webhooks/999", headers=admin).status_code == 404
    missing = client.get("/api/v1/webhooks/999/deliveries", headers=admin)
    assert missing.status_code == 404
    problem_of(missing)


def test_webhook_operations_are_in_the_openapi_document(client) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/webhooks"]) == {"post", "get"}
    assert "delete" in paths["/api/v1/webhooks/{webhook_id}"]
    assert "get" in paths["/api/v1/webhooks/{webhook_id}/deliveries"]

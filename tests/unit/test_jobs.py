"""The after-commit job queue: what services queue, when it is sent, and that every
job has a Celery task on a queue that a worker consumes."""

from __future__ import annotations

import pytest
from flask import url_for

from factcheck import jobs
from factcheck.accounts import services as accounts
from factcheck.accounts.models import User
from factcheck.db import Database
from factcheck.publishing.services import page_url
from factcheck.settings import Settings
from factcheck.sources.connectors import Reach
from factcheck.sources.registry import CONNECTORS
from factcheck.tasks import TASK_LIMIT
from factcheck.webhooks.models import WebhookDelivery
from tests.flow import ESSAY, approve, caller_for, review_one
from tests.unit.conftest import Queue, auth
from tests.unit.helpers import submitted_essay
from workers.app import ROUTES, Queues, celery_app

# The seed essay's title and first paragraphs: a few checkable claims, quick to review.
SHORT_ESSAY = {**ESSAY, "text": "\n\n".join(ESSAY["text"].split("\n\n")[:2])}


def new_editor(session, name: str = "ed") -> User:
    return accounts.create_user(session, name, "editor")


def test_a_job_is_sent_after_commit_and_never_after_rollback(database: Database, queue):
    with database.scope() as session:
        essay = submitted_essay(session, new_editor(session))
        assert queue.sent == []  # not before the commit
    assert queue.sent == [("split_essay", (essay.id,))]
    queue.sent.clear()
    with pytest.raises(RuntimeError), database.scope() as session:
        submitted_essay(session, new_editor(session, "ed2"))
        raise RuntimeError("the request failed after the service ran")
    with database.scope():
        pass  # a later commit does not send what was rolled back either
    assert queue.sent == []


def test_queueing_with_no_dispatcher_fails_loudly(session, make_user):
    jobs.set_dispatcher(None)
    with pytest.raises(jobs.NoDispatcher, match="split_essay"):
        submitted_essay(session, make_user("ed", "editor"))


def test_submitting_queues_the_split_and_a_curation_the_gathering(client, token, queue):
    editor = token("ed", "editor")
    essay = client.post("/api/v1/essays", json=SHORT_ESSAY, headers=auth(editor)).json
    assert queue.sent == [("split_essay", (essay["id"],))]
    queue.run_all()
    claims = client.get(f"/api/v1/essays/{essay['id']}/claims", headers=auth(editor)).json
    claim = next(c for c in claims if c["status"] == "awaiting_review")
    edit = {"version": claim["version"], "text": claim["text"] + " Indeed."}
    edited = client.patch(f"/api/v1/claims/{claim['id']}", json=edit, headers=auth(editor))
    assert edited.status_code == 200
    assert queue.sent == [("gather_claim", (claim["id"],))]


def test_a_refused_essay_queues_nothing(client, token, queue, settings: Settings):
    too_long = {**ESSAY, "text": "x" * (settings.max_essay_chars + 1)}
    response = client.post("/api/v1/essays", json=too_long, headers=auth(token("ed", "editor")))
    assert response.status_code == 413
    assert queue.sent == []


def test_publishing_queues_one_delivery_per_webhook(client, token, queue, settings: Settings):
    admin = token("boss", "admin")
    for path in ("/a", "/b"):
        hook = {"url": f"https://hooks.example.org{path}", "events": ["publication.published"]}
        assert client.post("/api/v1/webhooks", json=hook, headers=auth(admin)).status_code == 201
    call = caller_for(client)
    editor, r1, r2 = token("ed", "editor"), token("r1", "reviewer"), token("r2", "reviewer")
    essay_id = call("POST", "/api/v1/essays", editor, SHORT_ESSAY).body["id"]
    queue.run_all()
    claims = call("GET", f"/api/v1/essays/{essay_id}/claims", editor).body
    for _ in [c for c in claims if c["status"] == "awaiting_review"]:
        review_one(call, r1)
    while (task := call("POST", "/api/v1/queue/next", r2)).status == 200:
        assert approve(call, task.body, r2).status == 200
    queue.sent.clear()
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", editor).status == 201
    assert [name for name, _ in queue.sent] == ["deliver_webhook", "deliver_webhook"]
    with client.application.extensions["factcheck.database"].scope() as session:
        payloads = [session.get_one(WebhookDelivery, args[0]).payload for _, args in queue.sent]
    # The core builds the page's address from the settings, as the reader route has it.
    assert {p["data"]["url"] for p in payloads} == {f"{settings.base_url}/fact-checks/{essay_id}"}


def test_every_job_is_a_registered_task_on_a_consumed_queue():
    for job in jobs.ALL:
        assert job.task in celery_app.tasks, job
    routed = {job.task: ROUTES.get(job.task, {}).get("queue", Queues.DEFAULT) for job in jobs.ALL}
    assert set(routed.values()) <= set(Queues.ALL)  # test_compose: each has a consumer
    assert routed[jobs.GATHER_FROM.task] == Queues.GATHER
    assert celery_app.conf.beat_schedule["reconcile"]["task"] == jobs.RECONCILE.task


def test_every_task_keeps_the_step_options():
    for job in jobs.ALL:
        task = celery_app.tasks[job.task]
        assert task.acks_late and task.soft_time_limit and task.time_limit > task.soft_time_limit


def test_every_connector_declares_what_it_is():
    assert Settings.model_fields["connectors"].default == "all"
    for name, connector in CONNECTORS.items():
        assert connector.name == name
        assert connector.reach in Reach
        assert isinstance(connector.archived, bool)
        assert isinstance(connector.time_limit, int) and 0 < connector.time_limit <= TASK_LIMIT
    local = {"library", "desk", "verified_claims"}  # verified_claims: the archive, in our database
    assert {n for n, c in CONNECTORS.items() if c.reach is Reach.LOCAL} == local


def test_the_recorder_runs_what_it_recorded(database: Database):
    recorder = Queue()
    jobs.set_dispatcher(recorder.dispatch)
    with database.scope() as session:
        essay = submitted_essay(session, new_editor(session))
    recorder.run_all()
    with database.scope() as session:
        assert session.get_one(type(essay), essay.id).status == "split"


def test_the_announced_page_is_the_reader_route(client):
    with client.application.test_request_context():
        route = url_for("public.fact_check", essay_id=7)
    assert page_url("https://desk.example/", 7) == f"https://desk.example{route}"

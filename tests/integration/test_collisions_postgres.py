"""Two transactions that lock the same rows in opposite orders, on a real PostgreSQL:
the one the database undoes is answered 409 with nothing written, not 503 or 500."""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.audit import AuditEvent
from factcheck.claims import services as claims
from factcheck.essays import services as essays
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from tests.conftest import SEED_ESSAY
from tests.service import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def desk(web_on_postgres):
    """One claim awaiting review with its open task, and a reviewer's token."""
    client, database = web_on_postgres
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        token = accounts.issue_token(session, accounts.create_user(session, "rev", "reviewer"))
        settings = client.application.extensions["factcheck.settings"]
        essay = essays.submit_essay(session, editor, settings, title="T", text=SEED_ESSAY)
        claims.extract_claims(session, essay.id)
        claim = claims.essay_claims(session, essay.id)[0]
        if claim.status != "gathering":
            claims.start_gathering(session, [claim])
        claims.finish_gathering(session, [claim])
        review.open_review_tasks(session, [claim])
    return client, {"Authorization": f"Bearer {token}"}, database


def backend_waiting_on_a_lock(admin: psycopg.Connection, database_name: str) -> bool:
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
        [database_name],
    ).fetchone()
    return row is not None and row[0] > 0


def test_a_deadlocked_release_is_a_409_and_changes_nothing(desk, migrated_postgres_url):
    client, headers, database = desk
    task = client.post("/api/v1/queue/next", headers=headers).json
    claim_id = task["claim"]["id"]
    name = migrated_postgres_url.rsplit("/", 1)[1]
    raw_url = migrated_postgres_url.replace("+psycopg", "")
    answers = []
    with psycopg.connect(raw_url) as other, psycopg.connect(raw_url, autocommit=True) as admin:
        # The other transaction waits long before looking for a deadlock, so the web's
        # transaction, which looks after PostgreSQL's default 1 s, is the one undone.
        other.execute("SET deadlock_timeout = '30s'")
        other.execute("UPDATE claims SET text = text WHERE id = %s", [claim_id])
        release = threading.Thread(
            target=lambda: answers.append(
                client.post(f"/api/v1/tasks/{task['id']}/release", headers=headers)
            )
        )
        release.start()  # locks the task, then waits for the claim
        wait_for(
            lambda: backend_waiting_on_a_lock(admin, name), "the release waiting for the claim"
        )
        other.execute("UPDATE review_tasks SET updated_at = now() WHERE id = %s", [task["id"]])
        release.join(timeout=60)
        other.rollback()
    [answer] = answers
    assert answer.status_code == 409, answer.json
    assert "at the same moment" in answer.json["detail"]
    with database.scope() as session:
        held = session.get_one(ReviewTask, task["id"])
        assert (held.state, held.claim.status) == ("leased", "in_review")
        released = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.released")
        ).all()
        assert released == []

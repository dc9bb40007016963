"""Faults production meets, on PostgreSQL + Redis with real worker processes:
killed workers, an emptied broker, dropped database connections, a hanging source."""

from __future__ import annotations

import signal
import time

import psycopg
import pytest
import redis

from factcheck.claims import split
from tests.conftest import SEED_ESSAY
from tests.fakes.world import EvidenceWorld
from tests.postgres import POSTGRES_ADMIN
from tests.service import Stack, wait_for

pytestmark = pytest.mark.integration
FIRST_PARAGRAPHS = "\n\n".join(SEED_ESSAY.split("\n\n")[:2])


@pytest.fixture
def world():
    with EvidenceWorld(latency=0.1) as world:
        world.stock([c.text for c in split(FIRST_PARAGRAPHS) if c.checkable])
        yield world


@pytest.fixture
def stack(tmp_path, postgres_url, redis_url, world):
    env = {
        **world.environment(),
        "FACTCHECK_CONNECTORS": "library,wikipedia",
        # Every checkable claim chosen for checking: each must end with one review task.
        "FACTCHECK_TRIAGE_DEFAULT": "all",
        "FACTCHECK_DATABASE_URL": postgres_url,
        "FACTCHECK_BROKER_URL": redis_url,
        "FACTCHECK_STUCK_AFTER_SECONDS": "3",
        "FACTCHECK_RECONCILE_EVERY_SECONDS": "1",
        "FACTCHECK_HTTP_RETRIES": "0",
        # A connector's attempt is presumed dead 10 s after this limit: keep it short.
        "FACTCHECK_CONNECTOR_TIME_LIMIT_SECONDS": "3",
    }
    stack = Stack(env, tmp_path)
    stack.prepare()
    yield stack
    stack.stop()


def submit(stack: Stack, title: str = "Faults") -> int:
    editor = stack.service.tokens["editor"]
    essay = {"title": title, "text": FIRST_PARAGRAPHS, "published_at": "2006-11-27"}
    created = stack.service.call("POST", "/api/v1/essays", editor, essay)
    assert created.status == 201, created.body
    return created.body["id"]


def wait_all_reviewable(stack: Stack, essay_ids: list[int], timeout: float = 180) -> None:
    for essay_id in essay_ids:
        try:
            stack.service.wait_until_gathered(essay_id, timeout=timeout)
        except AssertionError:
            print("".join(stack.output[-80:]))
            raise


def assert_each_claim_once(database_url: str) -> None:
    """Every checkable claim awaits review with one live task, and no record twice."""
    with psycopg.connect(database_url.replace("+psycopg", "")) as db:
        statuses = db.execute(
            "SELECT status, count(*) FROM claims WHERE checkable GROUP BY status"
        ).fetchall()
        assert dict(statuses).keys() == {"awaiting_review"}, statuses
        tasks = db.execute(
            "SELECT claim_id, count(*) FROM review_tasks WHERE state IN ('open', 'leased') "
            "GROUP BY claim_id HAVING count(*) <> 1"
        ).fetchall()
        assert tasks == []
        missing = db.execute(
            "SELECT count(*) FROM claims c WHERE checkable AND NOT EXISTS "
            "(SELECT 1 FROM review_tasks t WHERE t.claim_id = c.id)"
        ).fetchone()
        assert missing == (0,)
        twice = db.execute(
            "SELECT claim_id, snapshot_sha256 FROM source_records "
            "GROUP BY claim_id, snapshot_sha256 HAVING count(*) > 1"
        ).fetchall()
        assert twice == []


def wait_until_gathering(world) -> None:
    """Until the workers are searching Wikipedia: the fault must strike mid-gathering."""
    # Workers start and split the essay first: on a busy machine that takes a while.
    wait_for(
        lambda: len(world.wikipedia.requests) >= 3, "gathering reaching Wikipedia", timeout=180
    )


def test_a_worker_killed_mid_gathering_loses_nothing(stack, postgres_url, world):
    stack.start_all()
    essay_id = submit(stack)
    wait_until_gathering(world)
    stack.signal("worker", signal.SIGKILL)
    stack.wait("worker")
    from factcheck.cli import worker_command

    stack.start("worker2", worker_command("worker2", concurrency=4))
    wait_all_reviewable(stack, [essay_id])
    assert_each_claim_once(postgres_url)


def test_a_worker_stopped_with_sigterm_finishes_or_hands_back(stack, postgres_url, world):
    stack.start_all()
    essay_id = submit(stack)
    wait_until_gathering(world)
    stack.signal("worker", signal.SIGTERM)
    assert stack.wait("worker", timeout=60) == 0  # a warm shutdown, not a crash
    from factcheck.cli import worker_command

    stack.start("worker2", worker_command("worker2", concurrency=4))
    wait_all_reviewable(stack, [essay_id])
    assert_each_claim_once(postgres_url)


def test_an_emptied_broker_delays_work_but_loses_none(stack, postgres_url, redis_url, world):
    stack.start_all()
    essay_ids = [submit(stack, f"Essay {n}") for n in range(3)]
    wait_until_gathering(world)  # messages for the rest of the searches are queued
    restart_and_empty(redis.Redis.from_url(redis_url))
    wait_all_reviewable(stack, essay_ids)
    assert_each_claim_once(postgres_url)
    assert any("reconciled" in line for line in stack.output)  # lost work was sent again


def restart_and_empty(broker: redis.Redis) -> None:
    """What a restart of a Redis that keeps nothing does to our database: every key
    gone (queued messages, queue bindings) and every client connection dropped."""
    database = broker.connection_pool.connection_kwargs.get("db", 0)
    broker.flushdb()
    for client in broker.client_list():
        if int(client.get("db", -1)) == database and client["name"] != "restarter":
            broker.client_kill_filter(_id=client["id"])


def test_dropped_database_connections_are_survived(stack, postgres_url):
    stack.start_all()
    essay_id = submit(stack)
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        try:
            answer = stack.service.call(
                "GET", f"/api/v1/essays/{essay_id}", stack.service.tokens["editor"]
            )
            assert answer.status == 503, answer.text
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.body["title"] == "Service unavailable" and "Traceback" not in answer.text
            time.sleep(2)
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    wait_all_reviewable(stack, [essay_id])
    assert_each_claim_once(postgres_url)


def test_a_hanging_source_does_not_hold_the_claims(stack, postgres_url, world):
    # Wikipedia hangs far longer than the wait below: only the time limit frees the claims.
    world.wikipedia.failure, world.wikipedia.hang_seconds = "hang", 900
    stack.env["FACTCHECK_CONNECTOR_TIME_LIMIT_SECONDS"] = "2"
    stack.start_all()
    essay_id = submit(stack)
    wait_all_reviewable(stack, [essay_id], timeout=300)
    with psycopg.connect(postgres_url.replace("+psycopg", "")) as db:
        states = db.execute(
            "SELECT connector, state, count(*) FROM connector_runs GROUP BY connector, state"
        ).fetchall()
    assert {(connector, state) for connector, state, _ in states} == {
        ("library", "succeeded"),
        ("wikipedia", "timed_out"),
    }

"""The sign-in throttle on PostgreSQL and Redis: nobody locks the owner out, and
concurrent attempts never pass the limit (the unit tests run the same on SQLite)."""

from __future__ import annotations

import threading

import pytest

from factcheck.accounts.throttle import Limits, RedisCounter, SigninThrottle
from tests.unit.pages import PASSWORD, sign_in
from tests.unit.test_security import concurrent_wrong_passwords, from_address

pytestmark = pytest.mark.integration


@pytest.fixture
def client(editor_on_postgres):
    return editor_on_postgres


def test_thirty_addresses_cannot_lock_the_owner_out_on_postgres(client):
    for n in range(30):
        assert sign_in(from_address(client, f"10.0.0.{n + 1}"), "ed", "wrong!!").status_code == 200
    assert sign_in(from_address(client, "192.0.2.7"), "ed", PASSWORD).status_code == 302


def test_concurrent_attempts_never_pass_the_limit_on_postgres(client, monkeypatch):
    assert concurrent_wrong_passwords(client, monkeypatch, name="ed") == Limits().per_pair


def test_concurrent_attempts_never_pass_the_limit_in_redis(redis_url):
    throttle = SigninThrottle(RedisCounter(redis_url))
    allowed, lock, ready = [], threading.Lock(), threading.Barrier(20)

    def one() -> None:
        ready.wait()
        if throttle.attempt("alice", "2001:db8::9") is None:
            with lock:
                allowed.append(1)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == Limits().per_pair

"""Sign-in throttling and the headers every page carries."""

from __future__ import annotations

import threading
import time

import pytest
from argon2 import extract_parameters
from argon2.profiles import get_default_parameters

from factcheck.accounts import services as accounts
from factcheck.accounts.throttle import DatabaseCounter, Limits, SigninThrottle, address_group
from tests.conftest import CHEAP_HASHER
from tests.unit.pages import PASSWORD, sign_in, token_from


@pytest.fixture
def alice(database):
    with database.scope() as session:
        accounts.set_password(session, accounts.create_user(session, "alice", "editor"), PASSWORD)


def test_production_hashes_passwords_with_the_librarys_recommended_costs():
    production = accounts.PRODUCTION_HASHER
    assert extract_parameters(production.hash(PASSWORD)) == get_default_parameters()


def test_a_password_hashed_cheaply_verifies_with_production_costs():
    # Each hash carries its own costs, so the tests' cheap hashes stay valid.
    cheap_hash = CHEAP_HASHER.hash(PASSWORD)
    assert extract_parameters(cheap_hash).time_cost == 1
    assert accounts.PRODUCTION_HASHER.verify(cheap_hash, PASSWORD)
    assert accounts.PRODUCTION_HASHER.check_needs_rehash(cheap_hash)


def test_failed_sign_ins_are_throttled_per_account(client, alice):
    for _ in range(5):
        assert sign_in(client, "alice", "wrong password!!").status_code == 200
    refused = sign_in(client, "alice", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-ins" in refused.text


def test_a_good_sign_in_clears_the_account_count(client, alice):
    for _ in range(4):
        sign_in(client, "alice", "wrong password!!")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert sign_in(client, "alice", "wrong password!!").status_code == 200


def test_one_address_guessing_many_accounts_is_throttled(database):
    throttle = SigninThrottle(DatabaseCounter(database), Limits(per_address=3))
    for name in ("a", "b", "c"):
        assert throttle.attempt(name, "10.0.0.9") is None
        throttle.failed(name, "10.0.0.9")
    assert throttle.attempt("d", "10.0.0.9") is not None
    assert throttle.attempt("d", "10.0.0.10") is None


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_thirty_addresses_cannot_lock_the_owner_out(client, alice):
    """Issue 16: thirty wrong passwords from thirty addresses made the right one
    answer 429 for 15 minutes. An address that has not failed always gets its try."""
    for n in range(30):
        assert (
            sign_in(from_address(client, f"10.0.0.{n + 1}"), "alice", "wrong!!").status_code == 200
        )
    assert sign_in(from_address(client, "192.0.2.7"), "alice", PASSWORD).status_code == 302


def test_an_address_that_failed_is_slowed_down_progressively(database):
    limits = Limits(per_pair=100, free_failures=3)
    assert [limits.delay(n) for n in range(3, 10)] == [2, 4, 8, 16, 32, 60, 60]
    throttle = SigninThrottle(DatabaseCounter(database), limits)
    for _ in range(3):
        assert throttle.attempt("alice", "10.0.0.9") is None
        throttle.failed("alice", "10.0.0.9")
    assert throttle.attempt("alice", "10.0.0.9") is None  # the slot: 2 s from now
    throttle.failed("alice", "10.0.0.9")
    assert 0 < throttle.attempt("alice", "10.0.0.9") <= 2
    assert throttle.attempt("alice", "10.0.0.7") is None  # an address that has not failed


def test_ipv6_addresses_are_counted_by_their_64(database):
    assert address_group("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_group("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_group("192.0.2.1") == "192.0.2.1"
    throttle = SigninThrottle(DatabaseCounter(database), Limits(per_address=3))
    for n, name in enumerate(("a", "b", "c")):
        assert throttle.attempt(name, f"2001:db8:1:2::{n + 1}") is None
        throttle.failed(name, f"2001:db8:1:2::{n + 1}")
    assert throttle.attempt("d", "2001:db8:1:2:ffff:ffff:ffff:ffff") is not None
    assert throttle.attempt("d", "2001:db8:1:3::1") is None  # the next /64


def concurrent_wrong_passwords(client, monkeypatch, name: str = "alice", attempts: int = 12) -> int:
    """Sign in with a wrong password from one address in ``attempts`` threads at once;
    how many passwords were checked. Each check is slow, so all the threads are past
    the throttle's check before any failure is counted, if the check can be raced."""
    checked, lock, ready = [], threading.Lock(), threading.Barrier(attempts)
    original = accounts.check_password

    def slow_check(*args, **kwargs):
        with lock:
            checked.append(1)
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(accounts, "check_password", slow_check)

    def one() -> None:
        mine = from_address(client.application.test_client(), "10.0.0.9")
        page = mine.get("/login")
        ready.wait()
        form = {"name": name, "password": "wrong!!", "csrf_token": token_from(page.text)}
        mine.post("/login", data=form)

    threads = [threading.Thread(target=one) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(checked)


def test_concurrent_attempts_never_pass_the_limit(client, alice, monkeypatch):
    """Issue 16: 6 attempts were checked against a limit of 5."""
    assert concurrent_wrong_passwords(client, monkeypatch) == Limits().per_pair


@pytest.mark.parametrize(
    "path", ["/login", "/fact-checks/feed.atom", "/api/v1/ratings", "/healthz"]
)
def test_security_headers_on_every_kind_of_answer(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_private_pages_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/ratings").headers["Cache-Control"] == "no-store"


def test_no_page_has_inline_script(client):
    import re
    from pathlib import Path

    for template in (Path(__file__).resolve().parents[2] / "web" / "templates").rglob("*.html"):
        text = template.read_text()
        scripts = re.findall(r"<script(?P<attrs>[^>]*)>", text)
        for attrs in scripts:
            assert "src=" in attrs or "application/ld+json" in attrs, (template.name, attrs)
        assert not re.search(r"\son[a-z]+=", text), template.name  # no onclick= and the like

"""Sign-in throttling and the headers every page carries."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from argon2.profiles import get_default_parameters

from factcheck.accounts import services as accounts
from factcheck.accounts.throttle import DatabaseCounter, Limits, SigninThrottle
from tests.conftest import CHEAP_HASHER
from tests.unit.pages import PASSWORD, sign_in


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
    throttle = SigninThrottle(DatabaseCounter(database), Limits(per_account=100, per_address=3))
    for name in ("a", "b", "c"):
        assert throttle.retry_after(name, "10.0.0.9") is None
        throttle.failed(name, "10.0.0.9")
    assert throttle.retry_after("d", "10.0.0.9") is not None
    assert throttle.retry_after("d", "10.0.0.10") is None


@pytest.mark.integration
def test_redis_counts_are_shared_between_processes():
    from factcheck.accounts.throttle import RedisCounter
    from tests.integration.conftest import REDIS

    try:
        one, two = RedisCounter(REDIS), RedisCounter(REDIS)
        one.clear("account:shared-test")
    except Exception as error:
        from tests.conftest import need_service

        need_service("Redis", str(error))
    one.hit("account:shared-test", 60)
    assert two.hit("account:shared-test", 60) == 2
    assert one.count("account:shared-test", 60) == 2
    two.clear("account:shared-test")
    assert one.count("account:shared-test", 60) == 0


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

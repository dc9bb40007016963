"""The whole flow through HTTP against `factcheck up --demo`, on both stacks."""

from __future__ import annotations

import signal

import pytest

from tests.flow import full_flow
from tests.service import assert_stopped_cleanly, start_service

pytestmark = pytest.mark.integration


def run_and_stop(env: dict[str, str], tmp_path) -> None:
    service = start_service(env, tmp_path)
    try:
        assert set(service.tokens) >= {"editor", "reviewer1", "reviewer2", "admin"}
        result = full_flow(service.call, service.tokens, service.wait_until_gathered)
        assert "Fareed Zakaria" in result["page"]
    finally:
        service.process.send_signal(signal.SIGINT)  # Ctrl-C
    assert_stopped_cleanly(service, tmp_path, quiet=False)


def test_embedded_default_needs_no_server(tmp_path):
    run_and_stop({}, tmp_path)


def test_postgresql_and_redis(tmp_path, postgres_url, redis_url):
    run_and_stop(
        {"FACTCHECK_DATABASE_URL": postgres_url, "FACTCHECK_BROKER_URL": redis_url}, tmp_path
    )

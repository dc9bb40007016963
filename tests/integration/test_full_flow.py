"""The whole flow through HTTP against `factcheck up --demo`, on both stacks."""

from __future__ import annotations

import pytest

from tests.flow import full_flow
from tests.service import processes_on, start_service, wait_for

pytestmark = pytest.mark.integration


def run_and_stop(env: dict[str, str], tmp_path) -> None:
    service = start_service(env, tmp_path)
    try:
        assert set(service.tokens) >= {"editor", "reviewer1", "reviewer2", "admin"}
        result = full_flow(service.call, service.tokens, service.wait_until_gathered)
        assert "Fareed Zakaria" in result["page"]
    finally:
        code = service.stop()
    assert code == 0, "".join(service.output[-40:])
    wait_for(lambda: processes_on(tmp_path) == [], "every process of factcheck up ending")


def test_embedded_default_needs_no_server(tmp_path):
    run_and_stop({}, tmp_path)


def test_postgresql_and_redis(tmp_path, postgres_url, redis_url):
    run_and_stop(
        {"FACTCHECK_DATABASE_URL": postgres_url, "FACTCHECK_BROKER_URL": redis_url}, tmp_path
    )

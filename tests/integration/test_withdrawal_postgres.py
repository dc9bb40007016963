"""A withdrawal takes every version up to it down, on PostgreSQL (the unit test of
tests/unit/test_publishing.py runs the same check on SQLite)."""

from __future__ import annotations

import pytest

from factcheck.accounts import services as accounts
from tests.flow import (
    approve,
    caller_for,
    one_claim_essay,
    review_one,
    withdrawal_takes_every_version_down,
)

pytestmark = pytest.mark.integration


def test_a_withdrawal_takes_every_earlier_version_down_on_postgres(web_on_postgres):
    client, database = web_on_postgres
    with database.scope() as session:
        names = {"editor": "editor", "r1": "reviewer", "r2": "reviewer"}
        tokens = {
            name: accounts.issue_token(session, accounts.create_user(session, name, role))
            for name, role in names.items()
        }
        session.flush()
        essay_id = one_claim_essay(session, "editor")
    call = caller_for(client)
    review_one(call, tokens["r1"])
    task = call("POST", "/api/v1/queue/next", tokens["r2"]).body
    assert approve(call, task, tokens["r2"]).status == 200
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", tokens["editor"]).status == 201
    withdrawal_takes_every_version_down(client, tokens["editor"], essay_id, task["claim"]["id"])

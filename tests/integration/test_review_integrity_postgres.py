"""The bypass attempt of tests/unit/test_review_integrity.py, on PostgreSQL."""

from __future__ import annotations

import pytest

from factcheck.accounts import services as accounts
from tests.flow import bypass_attempt, caller_for, one_claim_essay

pytestmark = pytest.mark.integration


def test_the_bypass_attempt_ends_in_a_409_on_postgres(web_on_postgres):
    client, database = web_on_postgres
    with database.scope() as session:
        users = {"editor": ("ed", "editor"), "reviewer1": ("r1", "reviewer")}
        users["reviewer2"] = ("r2", "reviewer")
        tokens = {
            key: accounts.issue_token(session, accounts.create_user(session, name, role))
            for key, (name, role) in users.items()
        }
        session.flush()
        essay_id = one_claim_essay(session, "ed")
    bypass_attempt(caller_for(client), tokens, essay_id)

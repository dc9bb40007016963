"""Triage on PostgreSQL: bulk actions lock and write the essay's claims in one
transaction, a claim under review refuses to be un-chosen with nothing written, and
publishing names the claims in its way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.audit import AuditEvent
from factcheck.claims.states import ClaimStatus
from factcheck.review.models import ReviewTask
from factcheck.review.states import LIVE
from tests import factories
from tests.unit.conftest import auth

pytestmark = pytest.mark.integration


@pytest.fixture
def essay(web_on_postgres):
    """A split essay: two gathered claims not decided yet, one in review, one opinion."""
    client, database = web_on_postgres
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        token = accounts.issue_token(session, editor)
        essay = factories.make_essay(session, editor, text=factories.TINY_ESSAY + " Iraq is X.")
        bombs = factories.make_claim(session, essay, factories.CAR_BOMBS)
        ministry = factories.make_claim(session, essay, factories.MINISTRY, checkworthiness=0.02)
        held = factories.make_claim(session, essay, "Iraq is X.", ClaimStatus.IN_REVIEW)
        factories.make_claim(session, essay, factories.OPINION, ClaimStatus.NOT_CHECKABLE)
        bombs.triage = ministry.triage = None
        ids = {"essay": essay.id, "bombs": bombs.id, "ministry": ministry.id, "held": held.id}
    return client, database, auth(token), ids


def triage(client, headers, essay_id, **body):
    return client.post(f"/api/v1/essays/{essay_id}/triage", json=body, headers=headers)


def live_tasks(database, claim_ids) -> set[int]:
    with database.scope() as session:
        return set(
            session.scalars(
                select(ReviewTask.claim_id).where(
                    ReviewTask.claim_id.in_(claim_ids), ReviewTask.state.in_(LIVE)
                )
            )
        )


def test_check_a_band_then_undo_it(essay):
    client, database, headers, ids = essay
    chosen = triage(client, headers, ids["essay"], action="check", band="medium")
    assert chosen.status_code == 200, chosen.json
    assert {c["id"] for c in chosen.json["claims"]} == {ids["bombs"], ids["ministry"]}
    assert chosen.json["unchanged_ids"] == [ids["held"]]  # chosen already
    assert live_tasks(database, [ids["bombs"], ids["ministry"]]) == {ids["bombs"], ids["ministry"]}

    undone = triage(client, headers, ids["essay"], action="restore", claim_ids=[ids["bombs"]])
    assert undone.status_code == 200 and undone.json["claims"][0]["triage"] is None
    assert live_tasks(database, [ids["bombs"]]) == set()
    with database.scope() as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_id == ids["bombs"])
        ).all()
    assert events.count("claim.triaged") == 2


def test_a_claim_in_review_refuses_and_nothing_is_written(essay):
    client, _, headers, ids = essay
    refused = triage(
        client,
        headers,
        ids["essay"],
        action="do_not_check",
        reason="out_of_scope",
        claim_ids=[ids["bombs"], ids["held"]],
    )
    assert refused.status_code == 409 and refused.json["claim_id"] == ids["held"]
    assert "in review" in refused.json["detail"]
    claims = client.get(f"/api/v1/essays/{ids['essay']}/claims", headers=headers).json
    assert {c["id"]: c["triage"] for c in claims}[ids["bombs"]] is None


def test_publishing_names_each_claim_in_the_way(essay):
    client, _, headers, ids = essay
    refused = client.post(f"/api/v1/essays/{ids['essay']}/publish", headers=headers)
    assert refused.status_code == 409
    way = {c["id"]: c for c in refused.json["unfinished"]}
    assert way.keys() == {ids["bombs"], ids["ministry"], ids["held"]}
    assert way[ids["held"]]["status"] == "in_review" and way[ids["bombs"]]["triage"] is None
    assert way[ids["bombs"]]["url"].endswith(f"/desk/essays/{ids['essay']}#claim-{ids['bombs']}")
    assert "Sunni militants" in refused.json["detail"] or "car bombs" in refused.json["detail"]

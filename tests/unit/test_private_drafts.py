"""A draft belongs to its author: no other user or token reads what it says.

One reviewer saves a draft and gives the task back; a second reviewer then checks the
claim, it is approved and published. Every way into a claim, its verdicts and their
history is read as somebody else: none shows the draft's rationale or rating.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.audit import AuditEvent
from factcheck.publishing import exports
from factcheck.review import services as review
from factcheck.review.models import Verdict
from factcheck.review.services import DRAFT_BEFORE, CitationInput
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.desk import DeskConnector
from factcheck.webhooks import services as webhooks
from factcheck.webhooks.models import WebhookDelivery
from tests import factories
from tests.unit.conftest import auth
from tests.unit.helpers import first_source
from tests.unit.pages import sign_in

SECRET = "SECRET-DRAFT-RATIONALE"
DRAFT_RATING = ("half-true", "Half true")  # no other verdict here has it
QUOTE = "at least 215 people"


@pytest.fixture
def world(client, people, database):
    """The draft saved and left; ids of what there is; tokens of the others."""
    with database.scope() as session:
        editor = accounts.get_user(session, "ed")
        essay, _ = factories.reviewable_essay(session, editor)
        webhooks.register(
            session, "https://hooks.example.org/in", ["publication.published"], editor.id
        )
        rev = accounts.get_user(session, "rev")
        task = review.claim_next(session, rev, 600)
        source = first_source(session, task.claim_id)
        draft = review.save_draft(
            session,
            task.id,
            rev,
            rating=DRAFT_RATING[0],
            rationale=SECRET,
            citations=[CitationInput(source.id, QUOTE)],
            version=None,
        )
        review.release(session, task.id, rev)
        ids = {"essay": essay.id, "claim": task.claim_id, "task": task.id, "draft": draft.id}
        tokens = {
            name: accounts.issue_token(session, accounts.get_user(session, name))
            for name in ("ed", "rev2", "rev")
        }
    return {**ids, "tokens": tokens}


def browser(client, name):
    other = client.application.test_client()
    sign_in(other, name)
    return other


def assert_private(text: str) -> None:
    assert SECRET not in text
    assert DRAFT_RATING[0] not in text and DRAFT_RATING[1] not in text


def test_the_history_says_a_draft_was_saved_and_nothing_more(client, world):
    claim = world["claim"]
    for name in ("ed", "rev2", "rev"):  # not even its author reads it back from the log
        answer = client.get(f"/api/v1/claims/{claim}/history", headers=auth(world["tokens"][name]))
        assert answer.status_code == 200
        assert_private(answer.text)
        saved = [e for e in answer.json if e["action"] == "verdict.draft_saved"]
        assert len(saved) == 1 and saved[0]["before"] is None and saved[0]["after"] is None
        page = browser(client, name).get(f"/desk/claims/{claim}/history")
        assert page.status_code == 200 and "rev saved a draft verdict." in page.text
        assert_private(page.text)


def test_another_reviewer_on_the_same_task_gets_a_draft_of_their_own(client, world):
    rev2 = auth(world["tokens"]["rev2"])
    taken = client.post("/api/v1/queue/next", headers=rev2)
    assert taken.json["id"] == world["task"]
    assert_private(taken.text)
    assert_private(client.get("/api/v1/queue/mine", headers=rev2).text)
    page = browser(client, "rev2")
    desk = page.get(f"/desk/tasks/{world['task']}")
    assert desk.status_code == 200 and SECRET not in desk.text
    own = client.put(f"/api/v1/tasks/{world['task']}/draft", json={}, headers=rev2)
    assert own.status_code == 200 and own.json["id"] != world["draft"]
    assert_private(own.text)
    # Nor can another reviewer take the author's draft over.
    other = client.post(f"/api/v1/verdicts/{world['draft']}/withdraw", headers=rev2)
    assert other.status_code == 403 and other.mimetype == "application/problem+json"
    assert_private(other.text)


def test_the_desk_and_api_pages_of_the_essay_show_no_draft(client, world):
    ed = auth(world["tokens"]["ed"])
    for path in (
        f"/api/v1/essays/{world['essay']}",
        f"/api/v1/essays/{world['essay']}/claims",
        f"/api/v1/claims/{world['claim']}/sources",
        f"/api/v1/claims/{world['claim']}/runs",
    ):
        answer = client.get(path, headers=ed)
        assert answer.status_code == 200, path
        assert SECRET not in answer.text, path
    for name in ("ed", "rev2"):
        page = browser(client, name).get(f"/desk/essays/{world['essay']}")
        assert page.status_code == 200 and SECRET not in page.text


def test_nothing_published_from_the_claim_carries_the_draft(client, world, database, queue):
    """Published, exported, announced by webhook and found by the desk connector: the
    verdict the second reviewer wrote, never the first one's draft."""
    publish_with_other_verdicts(database)
    ed = auth(world["tokens"]["ed"])
    answer = client.post(f"/api/v1/essays/{world['essay']}/publish", json={}, headers=ed)
    assert answer.status_code == 201, answer.json
    essay = world["essay"]
    paths = [f"/fact-checks/{essay}", f"/fact-checks/{essay}/claims/{world['claim']}"]
    paths += [f"/fact-checks/{essay}.{e.suffix}" for e in exports.fact_check_exporters()]
    paths += [f"/fact-checks/{e.suffix}" for e in exports.collection_exporters()]
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        assert_private(page.text)
    assert "the public word" in client.get(paths[0]).text  # the published verdict
    assert_private(client.get("/api/v1/exports/verdicts.csv", headers=ed).text)
    with database.scope() as session:
        payloads = session.scalars(select(WebhookDelivery.payload)).all()
        assert payloads
        assert_private(json.dumps(payloads))
        claim_text = factories.CAR_BOMBS
    found = DeskConnector(database, "https://desk.example.org").find(
        ClaimQuery(claim_id=0, text=claim_text, start=0, end=len(claim_text))
    )
    assert found and all("the public word" in f.snapshot_text for f in found)
    assert_private(json.dumps([f.snapshot_text + f.snippet + json.dumps(f.details) for f in found]))


def publish_with_other_verdicts(database) -> None:
    """rev2 checks both claims (rev's draft stays a draft) and rev approves them."""
    with database.scope() as session:
        rev, rev2 = accounts.get_user(session, "rev"), accounts.get_user(session, "rev2")
        for _ in range(2):
            task = review.claim_next(session, rev2, 600)
            source = first_source(session, task.claim_id)
            review.submit_verdict(
                session,
                task.id,
                rev2,
                rating="false",
                rationale="the public word",
                citations=[CitationInput(source.id, QUOTE)],
            )
        for _ in range(2):
            approval = review.claim_next(session, rev, 600)
            review.approve(session, approval.id, rev, approval.verdict.version)


def test_a_verdict_submitted_from_a_draft_says_only_that(client, world, database):
    with database.scope() as session:
        rev = accounts.get_user(session, "rev")
        task = review.take_task(session, world["task"], rev, 600)
        source = first_source(session, task.claim_id)
        verdict = review.submit_verdict(
            session,
            task.id,
            rev,
            rating="false",
            rationale="the submitted word",
            citations=[CitationInput(source.id, QUOTE)],
        )
        assert verdict.id == world["draft"]
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "verdict.submitted", AuditEvent.subject_id == verdict.id
            )
        )
        assert event.before == DRAFT_BEFORE
        assert event.after["rationale"] == "the submitted word"
        assert session.get(Verdict, world["draft"]).state == "submitted"
    answer = client.get(
        f"/api/v1/claims/{world['claim']}/history", headers=auth(world["tokens"]["rev2"])
    )
    assert_private(answer.text)

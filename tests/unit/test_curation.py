"""Editors correct the split: edit, discard, split, merge, add, and hold for review."""

from __future__ import annotations

from datetime import date

import pytest

from factcheck.claims.extraction import describe
from tests.conftest import problem_of
from tests.unit.conftest import auth

TEXT = (
    "Car bombs killed more than 200 people in Sadr City on Thursday. "
    "Bayan Jabr ran the Interior Ministry; he is now Iraq's finance minister. "
    "Will more troops change that?"
)


@pytest.fixture
def editor(token) -> dict[str, str]:
    return auth(token("ed", "editor"))


def submit(client, editor, queue, **extra) -> int:
    response = client.post(
        "/api/v1/essays", json={"title": "T", "text": TEXT, **extra}, headers=editor
    )
    assert response.status_code == 201
    queue.run_all()
    return response.json["id"]


def claims(client, editor, essay_id) -> list[dict]:
    return client.get(f"/api/v1/essays/{essay_id}/claims", headers=editor).json


def live(client, editor, essay_id) -> list[dict]:
    return [c for c in claims(client, editor, essay_id) if c["status"] != "discarded"]


def history(database, claim_id) -> list[str]:
    from sqlalchemy import select

    from factcheck.audit import AuditEvent

    with database.scope() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "claims", AuditEvent.subject_id == claim_id)
                .order_by(AuditEvent.id)
            )
        )


def test_claims_carry_extracted_fields_and_a_version(client, editor, queue):
    essay_id = submit(client, editor, queue)
    first = claims(client, editor, essay_id)[0]
    assert first["version"] == 1
    assert {"entities", "quantities", "dates"} <= first.keys()


def test_editing_the_wording_regathers_and_keeps_history(client, editor, queue, database):
    essay_id = submit(client, editor, queue)
    claim = next(c for c in claims(client, editor, essay_id) if c["status"] == "awaiting_review")
    edited = client.patch(
        f"/api/v1/claims/{claim['id']}",
        json={"version": 1, "text": "More than 200 people died in the Sadr City bombings."},
        headers=editor,
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["status"] == "gathering" and edited.json["version"] == 2
    assert edited.json["start"] == claim["start"]  # the span in the essay stays
    assert queue.sent == [("gather_claim", (claim["id"],))]
    queue.run_all()
    assert history(database, claim["id"])[-3:] == [
        "claim.edited",
        "claim.gathering",
        "claim.awaiting_review",
    ]
    stale = client.patch(
        f"/api/v1/claims/{claim['id']}", json={"version": 1, "kind": "event"}, headers=editor
    )
    assert stale.status_code == 409 and problem_of(stale)["current_version"] == 2


def test_unchecking_and_rechecking_a_claim(client, editor, queue):
    essay_id = submit(client, editor, queue)
    claim = next(c for c in claims(client, editor, essay_id) if c["checkable"])
    unchecked = client.patch(
        f"/api/v1/claims/{claim['id']}", json={"version": 1, "checkable": False}, headers=editor
    ).json
    assert unchecked["status"] == "not_checkable"
    assert client.post("/api/v1/queue/next", headers=auth_reviewer(client)).status_code in (
        200,
        204,
    )
    rechecked = client.patch(
        f"/api/v1/claims/{claim['id']}", json={"version": 2, "checkable": True}, headers=editor
    ).json
    assert rechecked["status"] == "gathering"


def auth_reviewer(client):
    from factcheck.accounts import services as accounts

    database = client.application.extensions["factcheck.database"]
    with database.scope() as session:
        return auth(accounts.issue_token(session, accounts.create_user(session, "rev", "reviewer")))


def test_span_edits_are_checked(client, editor, queue):
    essay_id = submit(client, editor, queue)
    first, second = claims(client, editor, essay_id)[:2]
    outside = client.patch(
        f"/api/v1/claims/{first['id']}", json={"version": 1, "end": 10_000}, headers=editor
    )
    assert outside.status_code == 422
    assert "10000" not in problem_of(outside)["detail"]  # words, never offsets
    # Claims may overlap: the edit stands beside the claim it now overlaps.
    overlap = client.patch(
        f"/api/v1/claims/{first['id']}",
        json={"version": 1, "end": second["start"] + 5},
        headers=editor,
    )
    assert overlap.status_code == 200, overlap.json
    assert overlap.json["end"] > second["start"]
    assert {c["id"] for c in live(client, editor, essay_id)} >= {first["id"], second["id"]}
    shorter = client.patch(
        f"/api/v1/claims/{first['id']}", json={"version": 2, "end": 48}, headers=editor
    ).json
    assert shorter["text"] == TEXT[: shorter["end"]].strip() and shorter["end"] <= 48


def test_split_and_merge_round_trip(client, editor, queue):
    essay_id = submit(client, editor, queue)
    bombs = next(c for c in live(client, editor, essay_id) if "Car bombs" in c["text"])
    offset = TEXT.index(" in Sadr City")
    parts = client.post(
        f"/api/v1/claims/{bombs['id']}/split", json={"offset": offset}, headers=editor
    )
    assert parts.status_code == 201
    texts = [part["text"] for part in parts.json]
    assert texts == ["Car bombs killed more than 200 people", "in Sadr City on Thursday."]
    for part in parts.json:
        assert TEXT[part["start"] : part["end"]] == part["text"]
    statuses = {c["id"]: c["status"] for c in claims(client, editor, essay_id)}
    assert statuses[bombs["id"]] == "discarded"
    queue.run_all()
    merged = client.post(
        f"/api/v1/essays/{essay_id}/claims/merge",
        json={"claim_ids": [p["id"] for p in parts.json]},
        headers=editor,
    )
    assert merged.status_code == 201
    assert merged.json["text"] == bombs["text"] and merged.json["status"] == "gathering"


def test_merge_refuses_claims_that_are_not_adjacent(client, editor, queue):
    essay_id = submit(client, editor, queue)
    ids = [c["id"] for c in live(client, editor, essay_id)]
    response = client.post(
        f"/api/v1/essays/{essay_id}/claims/merge",
        json={"claim_ids": [ids[0], ids[-1]]},
        headers=editor,
    )
    assert response.status_code == 422 and problem_of(response)["between"]
    assert [c["id"] for c in live(client, editor, essay_id)] == ids


def test_split_offset_must_be_inside(client, editor, queue):
    essay_id = submit(client, editor, queue)
    claim = claims(client, editor, essay_id)[0]
    response = client.post(
        f"/api/v1/claims/{claim['id']}/split", json={"offset": claim["end"] + 1}, headers=editor
    )
    assert response.status_code == 422


def test_discard_then_add_by_span(client, editor, queue):
    essay_id = submit(client, editor, queue)
    claim = claims(client, editor, essay_id)[0]
    discarded = client.post(f"/api/v1/claims/{claim['id']}/discard", headers=editor)
    assert discarded.status_code == 200 and discarded.json["status"] == "discarded"
    again = client.post(f"/api/v1/claims/{claim['id']}/discard", headers=editor)
    assert again.status_code == 409
    added = client.post(
        f"/api/v1/essays/{essay_id}/claims",
        json={"start": 0, "end": claim["end"] + 1},
        headers=editor,
    )
    assert added.status_code == 201
    assert added.json["text"] == claim["text"] and added.json["status"] == "gathering"


def test_claims_under_review_cannot_be_changed(client, editor, queue):
    essay_id = submit(client, editor, queue)
    task = client.post("/api/v1/queue/next", headers=auth_reviewer(client)).json
    claim_id = task["claim"]["id"]
    response = client.post(f"/api/v1/claims/{claim_id}/discard", headers=editor)
    assert response.status_code == 409 and problem_of(response)["claim_status"] == "in_review"
    assert essay_id


def test_held_essay_waits_for_confirmation(client, editor, queue):
    essay_id = submit(client, editor, queue, hold_for_review=True)
    held = claims(client, editor, essay_id)
    assert queue.sent == []
    assert {c["status"] for c in held if c["checkable"]} == {"extracted"}
    confirmed = client.post(f"/api/v1/essays/{essay_id}/confirm", headers=editor)
    assert confirmed.status_code == 200 and confirmed.json["confirmed_at"]
    assert sorted(args[0] for _, args in queue.sent) == sorted(
        c["id"] for c in held if c["checkable"]
    )
    assert client.post(f"/api/v1/essays/{essay_id}/confirm", headers=editor).status_code == 409


def test_curation_needs_an_editor(client, queue, token, editor):
    essay_id = submit(client, editor, queue)
    claim = claims(client, editor, essay_id)[0]
    reviewer = auth(token("rev", "reviewer"))
    assert client.post(f"/api/v1/claims/{claim['id']}/discard", headers=reviewer).status_code == 403


def test_a_claim_added_by_hand_is_described_as_the_splitter_describes_it(client, editor, queue):
    essay_id = submit(client, editor, queue, published_at="2006-11-25")
    found = claims(client, editor, essay_id)[0]
    assert found["entities"] and found["quantities"] and found["dates"]
    client.post(f"/api/v1/claims/{found['id']}/discard", headers=editor)
    added = client.post(
        f"/api/v1/essays/{essay_id}/claims",
        json={"start": found["start"], "end": found["end"]},
        headers=editor,
    ).json
    fields = ("text", "kind", "checkworthiness", "entities", "quantities", "dates")
    assert {f: added[f] for f in fields} == {f: found[f] for f in fields}


def test_new_wording_is_read_again_for_evidence_search(client, editor, queue):
    essay_id = submit(client, editor, queue, published_at="2006-11-25")
    found = claims(client, editor, essay_id)[0]
    edited = client.patch(
        f"/api/v1/claims/{found['id']}",
        json={"version": 1, "text": "Car bombs killed 215 people in Baghdad on 23 November 2006."},
        headers=editor,
    ).json
    assert [q["value"] for q in edited["quantities"]] == [215]
    assert "Baghdad" in edited["entities"] and "Sadr City" not in edited["entities"]
    assert edited["dates"] == ["2006-11-23"]
    # The new wording is scored on its own, in the claim's place in the essay.
    rescored = describe(TEXT, found["start"], found["end"], date(2006, 11, 25), edited["text"])
    assert edited["checkworthiness"] == rescored.checkworthiness


def test_a_claim_over_covered_text_is_added_and_messages_quote_the_text(client, editor, queue):
    """Issue 15: "span 179-264 overlaps claims 4" no more."""
    essay_id = submit(client, editor, queue)
    covered = live(client, editor, essay_id)[0]
    start, end = covered["start"], covered["end"] + 1
    added = client.post(
        f"/api/v1/essays/{essay_id}/claims", json={"start": start, "end": end}, headers=editor
    )
    assert added.status_code == 201, added.json
    assert added.json["text"] == TEXT[start:end].strip()
    assert covered["id"] in {c["id"] for c in live(client, editor, essay_id)}
    cut = client.post(
        f"/api/v1/claims/{covered['id']}/split", json={"offset": end + 50}, headers=editor
    )
    detail = problem_of(cut)["detail"]
    assert cut.status_code == 422 and covered["text"][:20] in detail
    assert "offset" not in detail and f"{covered['start']}-" not in detail

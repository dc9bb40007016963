"""Triage (issue 15): a decision per claim, bands, bulk actions and their undo, review
tasks only for chosen claims, and publishing with claims not checked."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from factcheck.audit import AuditEvent
from factcheck.claims.decisions import HIGH_FROM, MEDIUM_FROM, Band, band_of
from factcheck.claims.services import extract_claims
from factcheck.review.models import ReviewTask
from factcheck.review.states import LIVE
from factcheck.settings import get_settings
from tests.conftest import problem_of
from tests.flow import ESSAY, approve, caller_for, review_one
from tests.unit.conftest import auth
from tests.unit.helpers import claims_of, submitted_essay


@pytest.fixture
def desk(client, token, queue) -> dict[str, Any]:
    tokens = {
        n: token(n, r)
        for n, r in [("editor", "editor"), ("reviewer1", "reviewer"), ("reviewer2", "reviewer")]
    }
    return {"call": caller_for(client), "tokens": tokens, "client": client, "queue": queue}


def submit(desk: dict[str, Any], triage_default: str | None = "wait") -> int:
    body = {**ESSAY, **({"triage_default": triage_default} if triage_default else {})}
    created = desk["call"]("POST", "/api/v1/essays", desk["tokens"]["editor"], body)
    assert created.status == 201, created.body
    desk["queue"].run_all()
    return created.body["id"]


def claims(desk: dict[str, Any], essay_id: int) -> list[dict[str, Any]]:
    return desk["call"]("GET", f"/api/v1/essays/{essay_id}/claims", desk["tokens"]["editor"]).body


def triage(desk: dict[str, Any], essay_id: int, **body: Any) -> Any:
    return desk["call"]("POST", f"/api/v1/essays/{essay_id}/triage", desk["tokens"]["editor"], body)


def live_tasks(database, claim_ids) -> set[int]:
    with database.scope() as session:
        return set(
            session.scalars(
                select(ReviewTask.claim_id).where(
                    ReviewTask.claim_id.in_(claim_ids), ReviewTask.state.in_(LIVE)
                )
            )
        )


def test_bands_come_from_the_score_with_one_set_of_thresholds():
    assert band_of(HIGH_FROM) == Band.HIGH and band_of(HIGH_FROM - 0.0001) == Band.MEDIUM
    assert band_of(MEDIUM_FROM) == Band.MEDIUM and band_of(MEDIUM_FROM - 0.0001) == Band.LOW
    assert band_of(0.0) == Band.LOW and band_of(1.0) == Band.HIGH


def test_the_title_is_metadata_not_claims(session, make_user):
    essay = submitted_essay(session, make_user("ed", "editor"))
    extract_claims(session, essay.id)
    texts = [claim.text for claim in claims_of(session, essay)]
    assert not {"The Next Step?", "Think Vietnam.", "The Next Step? Think Vietnam."} & set(texts)
    assert not [claim for claim in claims_of(session, essay) if claim.kind == "heading"]
    assert essay.title == "The Next Step? Think Vietnam."


def test_the_default_chooses_the_high_band_and_only_chosen_claims_get_tasks(desk, database):
    essay_id = submit(desk, "high")
    found = claims(desk, essay_id)
    checkable = [c for c in found if c["checkable"]]
    high = {c["id"] for c in checkable if c["band"] == "high"}
    # The seed essay's high claims: the car bombs and the poll. v3 also put "America's
    # predicament in Iraq is becoming increasingly similar to the one America faced in
    # Vietnam" just over the line (0.0557), an analogy; v4, with the fine-tuned MiniLM
    # averaged in, puts it at 0.02 (2026-12-07). Each claim has its own score, so
    # "which is run by ..." no longer rides on its sentence's.
    assert len(high) == 2
    assert {c["id"] for c in found if c["triage"] == "check"} == high
    # Evidence for every checkable claim; review tasks for the chosen ones only.
    assert all(c["status"] == "awaiting_review" for c in checkable)
    assert live_tasks(database, [c["id"] for c in checkable]) == high


@pytest.mark.parametrize(("setting", "band"), [("wait", None), ("high", "high"), ("all", "low")])
def test_the_setting_decides_the_default(session, make_user, monkeypatch, setting, band):
    monkeypatch.setenv("FACTCHECK_TRIAGE_DEFAULT", setting)
    get_settings.cache_clear()
    essay = submitted_essay(session, make_user("ed", "editor"))
    assert essay.check_from_band == band
    extract_claims(session, essay.id)
    chosen = [c for c in claims_of(session, essay) if c.triage == "check"]
    checkable = [c for c in claims_of(session, essay) if c.checkable]
    expected = {None: 0, "high": 2, "low": len(checkable)}[band]  # two high: see above
    assert len(chosen) == expected
    get_settings.cache_clear()


def test_check_and_do_not_check_open_and_cancel_tasks_and_are_audited(desk, database):
    essay_id = submit(desk)
    checkable = [c for c in claims(desk, essay_id) if c["checkable"]]
    ids = [c["id"] for c in checkable]
    assert live_tasks(database, ids) == set()  # waiting for the editor's triage

    top = triage(desk, essay_id, action="check", top=5)
    assert top.status == 200 and top.body["changed"] == 5 and top.body["unchanged"] == 0
    chosen = {c["id"] for c in top.body["claims"]}
    assert all(c["triage"] == "check" for c in top.body["claims"])
    assert live_tasks(database, ids) == chosen
    again = triage(desk, essay_id, action="check", top=5)
    assert again.body["changed"] == 0 and set(again.body["unchanged_ids"]) == chosen

    one = sorted(chosen)[0]
    dropped = triage(desk, essay_id, action="do_not_check", reason="out_of_scope", claim_ids=[one])
    assert dropped.status == 200 and dropped.body["claims"][0]["triage"] == "out_of_scope"
    assert live_tasks(database, ids) == chosen - {one}
    with database.scope() as session:
        actions = [
            (e.action, e.before, e.after)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.subject_id == one).order_by(AuditEvent.id)
            )
            if e.action.startswith("claim.triaged")
        ]
        assert [(b["triage"], a["triage"]) for _, b, a in actions] == [
            (None, "check"),
            ("check", "out_of_scope"),
        ]
        bulk = session.scalars(select(AuditEvent).where(AuditEvent.action == "essay.triaged"))
        assert [e.after["action"] for e in bulk] == ["check", "check", "do_not_check"]


def test_check_all_above_a_band(desk):
    essay_id = submit(desk)
    found = [c for c in claims(desk, essay_id) if c["checkable"]]
    answer = triage(desk, essay_id, action="check", band="medium")
    assert answer.status == 200
    assert {c["id"] for c in answer.body["claims"]} == {
        c["id"] for c in found if c["band"] in ("high", "medium")
    }


def test_restore_undoes_a_discard_and_a_decision(desk, database):
    essay_id = submit(desk)
    first, second = [c for c in claims(desk, essay_id) if c["checkable"]][:2]
    assert triage(desk, essay_id, action="check", claim_ids=[second["id"]]).status == 200
    discarded = triage(desk, essay_id, action="discard", claim_ids=[first["id"]])
    assert discarded.body["claims"][0]["status"] == "discarded"

    restored = triage(desk, essay_id, action="restore", claim_ids=[first["id"], second["id"]])
    assert restored.status == 200 and restored.body["changed"] == 2
    by_id = {c["id"]: c for c in restored.body["claims"]}
    assert by_id[first["id"]]["status"] == "gathering"  # back, and its evidence sought anew
    assert by_id[second["id"]]["triage"] is None  # the check is undone: not decided
    assert live_tasks(database, [second["id"]]) == set()
    assert ("gather_claim", (first["id"],)) in desk["queue"].sent
    with database.scope() as session:
        events = [
            e.action
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject_id.in_([first["id"], second["id"]]))
                .where(AuditEvent.subject_type == "claims")
                .order_by(AuditEvent.id)
            )
        ]
    assert "claim.discarded" in events and "claim.gathering" in events
    assert events.count("claim.triaged") == 2  # the check, and its undo


def test_a_claim_in_review_cannot_be_unchosen_and_nothing_is_written(desk, database):
    essay_id = submit(desk)
    found = [c for c in claims(desk, essay_id) if c["checkable"]]
    assert triage(desk, essay_id, action="check", top=1).status == 200
    review_one(desk["call"], desk["tokens"]["reviewer1"])  # now awaiting approval
    held = max(found, key=lambda c: c["checkworthiness"])
    other = next(c for c in found if c["id"] != held["id"])
    refused = triage(
        desk,
        essay_id,
        action="do_not_check",
        reason="opinion",
        claim_ids=[other["id"], held["id"]],
    )
    assert refused.status == 409, refused.body
    assert refused.body["claim_id"] == held["id"] and "awaiting approval" in refused.body["detail"]
    assert held["text"][:30] in refused.body["detail"]
    after = {c["id"]: c for c in claims(desk, essay_id)}
    assert after[other["id"]]["triage"] is None  # all or nothing
    assert after[held["id"]]["triage"] == "check"
    discard = triage(desk, essay_id, action="discard", claim_ids=[held["id"]])
    assert discard.status == 409


@pytest.mark.parametrize(
    "body",
    [
        {"action": "check"},
        {"action": "check", "top": 3, "band": "high"},
        {"action": "do_not_check", "top": 3},
        {"action": "check", "top": 3, "reason": "opinion"},
        {"action": "do_not_check", "top": 3, "reason": "check"},
        {"action": "check", "claim_ids": []},
        {"action": "check", "claim_ids": [999_999]},
        {"action": "check", "top": 0},
        {"action": "shout", "top": 1},
        {"action": "check", "band": "huge"},
    ],
)
def test_bad_triage_input_is_a_problem(desk, body):
    essay_id = submit(desk)
    answer = desk["client"].post(
        f"/api/v1/essays/{essay_id}/triage", json=body, headers=auth(desk["tokens"]["editor"])
    )
    assert answer.status_code in (400, 422), answer.json
    problem_of(answer)


def test_an_unknown_essay_is_a_404(desk):
    answer = triage(desk, 999_999, action="check", top=1)
    assert answer.status == 404


def test_publishing_needs_verdicts_only_for_chosen_claims(desk):
    call, editor = desk["call"], desk["tokens"]["editor"]
    essay_id = submit(desk)
    assert triage(desk, essay_id, action="check", top=2).status == 200

    refused = call("POST", f"/api/v1/essays/{essay_id}/publish", editor)
    assert refused.status == 409
    undecided = [c for c in refused.body["unfinished"] if c["triage"] is None]
    assert undecided and all(c["why"].startswith("not decided") for c in undecided)
    assert all({"id", "text", "status", "url"} <= c.keys() for c in refused.body["unfinished"])

    rest = triage(desk, essay_id, action="do_not_check", reason="opinion", undecided=True)
    assert rest.status == 200
    for _ in range(2):
        review_one(call, desk["tokens"]["reviewer1"])
    refused = call("POST", f"/api/v1/essays/{essay_id}/publish", editor)
    assert refused.status == 409 and len(refused.body["unfinished"]) == 2
    first = refused.body["unfinished"][0]
    assert first["status"] == "awaiting_approval" and first["text"][:20] in refused.body["detail"]
    assert first["url"].endswith(f"/desk/essays/{essay_id}#claim-{first['id']}")
    for _ in range(2):
        task = call("POST", "/api/v1/queue/next", desk["tokens"]["reviewer2"])
        assert approve(call, task.body, desk["tokens"]["reviewer2"]).status == 200
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", editor).status == 201

    content = call("GET", "/api/v1/publications/1").body["content"]
    assert content["schema_version"] >= 2  # not_checked came with version 2
    rated = [c for c in content["claims"] if c["verdict"]]
    unchecked = [c for c in content["claims"] if c["not_checked"]]
    assert len(rated) == 2 and all(c["not_checked"] is None for c in rated)
    assert {c["not_checked"] for c in unchecked} == {"opinion", "not_checkable"}
    assert all(c["verdict"] is None for c in unchecked)
    check_exports_say_not_checked(desk["client"], essay_id, unchecked)


def check_exports_say_not_checked(client, essay_id: int, unchecked: list[dict]) -> None:
    page = client.get(f"/fact-checks/{essay_id}").text
    assert 'id="not-checked"' in page and "opinion" in page
    markdown = client.get(f"/fact-checks/{essay_id}.md").text
    assert "## Not checked" in markdown
    jsonld = client.get(f"/fact-checks/{essay_id}.jsonld").json
    claims = [item for item in jsonld if item["@type"] == "Claim"]
    assert len(claims) == len(unchecked)
    assert all(item["description"].startswith("Not checked: ") for item in claims)
    rows = list(csv.DictReader(io.StringIO(client.get("/fact-checks/verdicts.csv").text)))
    assert {row["not_checked"] for row in rows if not row["rating"]} == {
        "opinion",
        "not checkable",
    }
    feed = client.get("/fact-checks/feed.atom").text
    assert f"{len(unchecked)} not checked" in feed


@pytest.mark.parametrize(("default", "decision"), [("all", "check"), ("wait", None)])
def test_a_claim_added_by_hand_is_decided_as_the_split_decides(desk, default, decision):
    essay_id = submit(desk, default)
    low = next(c for c in claims(desk, essay_id) if c["checkable"] and c["band"] == "low")
    assert triage(desk, essay_id, action="discard", claim_ids=[low["id"]]).status == 200
    added = desk["call"](
        "POST",
        f"/api/v1/essays/{essay_id}/claims",
        desk["tokens"]["editor"],
        {"start": low["start"], "end": low["end"]},
    )
    assert added.status == 201 and added.body["triage"] == decision

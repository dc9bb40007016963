"""The essay page's triage view: filters, bulk actions with their undo, the top N and
a band, and refusals drawn as the page again (never a 500)."""

from __future__ import annotations

import re

from factcheck.claims.models import Claim
from tests.unit.pages import post
from tests.unit.test_desk_refusals import field_error


def claims_of(database, essay_id: str) -> list[Claim]:
    with database.read_scope() as session:
        rows = session.query(Claim).filter(Claim.essay_id == int(essay_id)).all()
        session.expunge_all()
    return rows


def test_the_page_opens_on_triage_with_decisions_and_counts(client, desk_essay):
    page = client.get(desk_essay["essay"])
    assert page.status_code == 200
    assert re.search(r"<strong>\d+</strong> chosen for checking", page.text)
    assert "check-worthiness" in page.text and 'id="triage-form"' in page.text


def test_filters_keep_only_matching_claims_and_bad_values_are_ignored(client, desk_essay):
    everything = client.get(desk_essay["essay"]).text
    none = client.get(desk_essay["essay"] + "?decision=opinion").text
    assert none.count('class="claim-row') == 0 < everything.count('class="claim-row')
    assert "No claim fits these filters." in none
    odd = client.get(desk_essay["essay"] + "?decision=nope&band=%00&sort=x&kind=1")
    assert odd.status_code == 200
    assert odd.text.count('class="claim-row') == everything.count('class="claim-row')


def test_do_not_check_then_undo_restores_the_decision(client, desk_essay, database):
    essay, claim = desk_essay["essay"], desk_essay["claim_id"]
    before = {c.id: c.triage for c in claims_of(database, desk_essay["essay_id"])}
    data = {"action": "do_not_check", "reason": "opinion", "claim_id": claim, "select": "ticked"}
    done = post(client, f"{essay}/triage", data, essay)
    assert done.status_code == 302 and done.location.endswith("#claims-heading")
    assert {c.id: c.triage for c in claims_of(database, desk_essay["essay_id"])}[
        int(claim)
    ] == "opinion"
    page = client.get(essay).text
    assert "not checked: opinion" in page and "Undo: restore the 1 claim" in page
    undo = post(client, f"{essay}/triage", {"action": "restore", "claim_id": claim}, essay)
    assert undo.status_code == 302
    after = {c.id: c.triage for c in claims_of(database, desk_essay["essay_id"])}
    assert after == before


def test_check_the_top_n_chooses_the_most_check_worthy(client, desk_essay, database):
    essay = desk_essay["essay"]
    done = post(client, f"{essay}/triage", {"action": "check", "top": "1", "select": "top"}, essay)
    assert done.status_code == 302
    rows = [c for c in claims_of(database, desk_essay["essay_id"]) if c.checkable]
    best = max(rows, key=lambda c: (c.checkworthiness, -c.start))
    assert best.triage == "check"


def test_bad_triage_input_draws_the_page_again_with_the_error(client, desk_essay, database):
    essay, claim = desk_essay["essay"], desk_essay["claim_id"]
    before = {c.id: (c.triage, c.status) for c in claims_of(database, desk_essay["essay_id"])}
    cases = [
        ({"action": "check", "select": "ticked"}, "tick the claims to act on first"),
        ({"action": "explode", "claim_id": claim}, "the action"),
        ({"action": "check", "claim_id": "99999999"}, "are not claims of essay"),
        ({"action": "check", "claim_id": "x1"}, "is not a number"),
        ({"action": "check", "select": "top", "top": "0"}, "top"),
        ({"action": "check", "select": "band", "band": "huge"}, "band"),
        ({"action": "do_not_check", "claim_id": claim, "select": "ticked"}, "reason"),
    ]
    for data, message in cases:
        page = post(client, f"{essay}/triage", data, essay)
        assert page.status_code in (409, 422), (data, page.status_code)
        assert message in page.text, (data, message)
        assert 'id="triage-form"' in page.text
    nothing = post(client, f"{essay}/triage", {"action": "check", "select": "ticked"}, essay)
    assert field_error(nothing.text, "bulk-action") == "tick the claims to act on first"
    odd_band = {"action": "check", "select": "band", "band": "x"}
    band = post(client, f"{essay}/triage", odd_band, essay)
    assert "band" in field_error(band.text, "band-floor")
    after = {c.id: (c.triage, c.status) for c in claims_of(database, desk_essay["essay_id"])}
    assert after == before


def test_a_refused_bulk_action_keeps_the_ticked_claims(client, desk_essay):
    essay, claim = desk_essay["essay"], desk_essay["claim_id"]
    page = post(client, f"{essay}/triage", {"action": "do_not_check", "claim_id": claim}, essay)
    assert page.status_code == 422
    assert "reason" in field_error(page.text, "bulk-reason")
    assert re.search(rf'value="{claim}" form="triage-form" checked', page.text)


def test_the_page_names_the_claims_in_the_way_of_publishing(client, desk_essay):
    essay = desk_essay["essay"]
    refused = post(client, f"{essay}/publish", {}, essay)
    assert refused.status_code == 409
    assert re.search(r"<details class=\"in-the-way\" id=\"in-the-way\" open>", refused.text)
    assert re.search(rf'href="{essay}#claim-\d+"', refused.text)


def test_a_discard_is_offered_an_undo_that_restores_it(client, desk_essay, database):
    essay, claim = desk_essay["essay"], desk_essay["claim_id"]
    done = post(
        client, f"/desk/claims/{claim}/discard", {"essay_id": desk_essay["essay_id"]}, essay
    )
    assert done.status_code == 302
    assert "Undo: restore the 1 claim just changed" in client.get(essay).text
    post(client, f"{essay}/triage", {"action": "restore", "claim_id": claim}, essay)
    restored = {c.id: c.status for c in claims_of(database, desk_essay["essay_id"])}
    assert restored[int(claim)] != "discarded"

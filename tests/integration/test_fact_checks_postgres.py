"""The archive of earlier fact-checks on PostgreSQL: the CLI contract, the admin
import, the verified_claims connector in real gathering, and the reviewer's box."""

from __future__ import annotations

import pytest

from factcheck.accounts import services as accounts
from factcheck.claims import split
from tests.cli_fact_checks import import_and_match
from tests.conftest import SEED_ESSAY
from tests.factchecks import background, check_task_page_box, claim_review, json_lines
from tests.service import start_service
from tests.unit.pages import PASSWORD

pytestmark = pytest.mark.integration


def test_the_cli_contract_on_postgres(postgres_url, tmp_path):
    # An empty database: the commands migrate it first.
    import_and_match({"FACTCHECK_DATABASE_URL": postgres_url, "FACTCHECK_DATA_DIR": str(tmp_path)},
                     tmp_path)  # fmt: skip


def test_the_task_page_box_on_postgres(web_on_postgres):
    client, database = web_on_postgres
    with database.scope() as session:
        accounts.set_password(session, accounts.create_user(session, "ed", "editor"), PASSWORD)
        accounts.set_password(session, accounts.create_user(session, "rev", "reviewer"), PASSWORD)
    check_task_page_box(client, database)


def test_gathering_gives_a_claim_its_earlier_fact_check(tmp_path, postgres_url, redis_url):
    checkable = [claim.text for claim in split(SEED_ESSAY) if claim.checkable]
    earlier = checkable[0]
    env = {
        "FACTCHECK_DATABASE_URL": postgres_url,
        "FACTCHECK_BROKER_URL": redis_url,
        "FACTCHECK_CONNECTORS": "library,verified_claims",
    }
    service = start_service(env, tmp_path)
    try:
        admin, editor = service.tokens["admin"], service.tokens["editor"]
        others = [claim_review(f"https://checkers.example/{r.ref}", r.claim) for r in background()]
        dump = json_lines(
            claim_review("https://checkers.example/1", earlier, rating="Mostly True"),
            '{"@type": "ClaimReview", "claimReviewed": "bad',
            *others,  # a probability calibrated on a real archive needs one around it
        )
        body = {"content": dump, "name": "reviews.jsonl"}
        imported = service.call("POST", "/api/v1/verified-claims/imports", admin, body)
        assert imported.status == 201, imported.body
        assert (imported.body["new"], imported.body["refused_count"]) == (1 + len(others), 1)
        refused = service.call("POST", "/api/v1/verified-claims/imports", editor, body)
        assert refused.status == 403
        essay = {"title": "Seed", "text": SEED_ESSAY, "published_at": "2006-11-27"}
        created = service.call("POST", "/api/v1/essays", editor, essay)
        service.wait_until_gathered(created.body["id"], timeout=120)
        claims = service.call("GET", f"/api/v1/essays/{created.body['id']}/claims", editor).body
        claim = next(c for c in claims if c["text"] == earlier)
        records = service.call("GET", f"/api/v1/claims/{claim['id']}/sources", editor).body
        found = [r for r in records if r["connector"] == "verified_claims"]
        assert [r["url"] for r in found][:1] == ["https://checkers.example/1"], records
        details = found[0]["details"]
        assert details["strong"] and details["textual_rating"] == "Mostly True"
        assert details["checked_by"] == "Checkers" and details["shared_terms"]
        # The worker kept the matcher's index in its data dir.
        assert any('"matcher index: built"' in line for line in service.output)
        assert list(tmp_path.glob("**/matcher/index-*.bin"))
    finally:
        service.stop()

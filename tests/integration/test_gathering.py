"""Gathering from every connector, each answered by a local server in the real API's
format, on PostgreSQL + Redis with real worker processes."""

from __future__ import annotations

import pytest

from factcheck.claims import split
from tests.conftest import SEED_ESSAY
from tests.fakes.world import EvidenceWorld
from tests.service import start_service

pytestmark = pytest.mark.integration
CONNECTORS = {"library", "desk", "verified_claims", "wikipedia", "factcheck_tools", "cited_links"}


def test_every_checkable_claim_gets_records_from_each_connector(tmp_path, postgres_url, redis_url):
    with EvidenceWorld() as world:
        text = world.with_links(SEED_ESSAY)
        world.stock([claim.text for claim in split(text) if claim.checkable])
        env = {
            **world.environment(),
            "FACTCHECK_CONNECTORS": ",".join(sorted(CONNECTORS)),  # the world's, and ours
            "FACTCHECK_DATABASE_URL": postgres_url,
            "FACTCHECK_BROKER_URL": redis_url,
        }
        service = start_service(env, tmp_path)
        try:
            editor = service.tokens["editor"]
            essay = {"title": "Seed with links", "text": text, "published_at": "2006-11-27"}
            created = service.call("POST", "/api/v1/essays", editor, essay)
            assert created.status == 201
            gathered = service.wait_until_gathered(created.body["id"], timeout=120)
            claims = service.call("GET", f"/api/v1/essays/{created.body['id']}/claims", editor).body
            checkable = [c for c in claims if c["checkable"]]
            assert checkable and gathered["claim_counts"]["awaiting_review"] == len(checkable)
            assert "gathering" not in gathered["claim_counts"]
            for claim in checkable:
                check_claim(service, editor, claim)
        finally:
            service.stop()
    assert world.requests_by_path()["/wayback/available"] > 0


def check_claim(service, token: str, claim: dict) -> None:
    runs = service.call("GET", f"/api/v1/claims/{claim['id']}/runs", token).body
    assert {run["connector"]: run["state"] for run in runs} == dict.fromkeys(
        CONNECTORS, "succeeded"
    ), runs
    records = service.call("GET", f"/api/v1/claims/{claim['id']}/sources", token).body
    by_connector = {record["connector"] for record in records}
    # The desk has published nothing yet and the archive of earlier fact-checks is
    # empty, so both rightly find nothing.
    assert by_connector == CONNECTORS - {"desk", "verified_claims"}, (claim["text"], by_connector)
    for record in records:
        assert len(record["snapshot_sha256"]) == 64
        assert "why" in record["details"]
        if record["connector"] == "cited_links":
            assert record["http_status"] == 200 and record["final_url"]
            assert record["archive_url"].startswith("http://web.archive.org/web/")
        if record["connector"] == "library":  # our own copy: no archive lookup
            assert record["archive_url"] is None
    scores = [record["score"] for record in records]
    assert scores == sorted(scores, reverse=True)

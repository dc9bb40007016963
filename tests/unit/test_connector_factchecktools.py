"""The Fact Check Tools connector against a fake ``claims:search`` on 127.0.0.1."""

from __future__ import annotations

from datetime import date

import pytest

from factcheck.http import FetchError
from factcheck.settings import Settings
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.factchecktools import FactCheckToolsConnector, review_line
from tests.fakes.common import fake_settings
from tests.fakes.factchecktools import KEY, FakeFactCheckTools, claim, review

CLAIM = "Car bombs killed more than 200 people in Sadr City on Thursday."
QUERY = ClaimQuery(claim_id=3, text=CLAIM, start=0, end=len(CLAIM), entities=["Sadr City"])

SADR = claim(
    "More than 200 people were killed by car bombs in Sadr City",
    claimant="Example Blog",
    claim_date="2006-11-24T00:00:00Z",
    reviews=[
        review(
            "https://checks.example/sadr-city-bombs",
            "Mostly True",
            publisher="Example Checks",
            site="checks.example",
            title="Did car bombs kill 200 in Sadr City?",
            review_date="2006-11-26T00:00:00Z",
        ),
        review(
            "https://other.example/fact-check/sadr",
            "True",
            publisher="",
            site="other.example",
            review_date=None,
        ),
    ],
)
UNRELATED_WORDS = claim(
    "Car crashes killed 40 people last year",
    reviews=[review("https://checks.example/car-crashes", "False")],
)
NO_MATCH = claim("Penguins live in the Sahara", reviews=[review("https://x.example/p", "False")])


@pytest.fixture
def api():
    with FakeFactCheckTools([SADR, UNRELATED_WORDS, NO_MATCH]) as fake:
        yield fake


def connector_for(fake: FakeFactCheckTools, key: str = KEY, **overrides) -> FactCheckToolsConnector:
    settings = fake_settings(
        fake.host, factcheck_tools_url=fake.url, factcheck_tools_key=key, **overrides
    )
    return FactCheckToolsConnector(settings)


def test_enabled_only_with_a_key():
    enabled = FactCheckToolsConnector.enabled
    assert not enabled(Settings(factcheck_tools_key=""))
    assert not enabled(Settings(factcheck_tools_key="   "))
    assert enabled(Settings(factcheck_tools_key="abc"))


def test_without_a_key_it_asks_nothing(api):
    assert connector_for(api, key="").find(QUERY) == []
    assert api.requests == []


def test_each_claim_review_becomes_a_record(api):
    found = connector_for(api).find(QUERY)

    assert [record.url for record in found] == [
        "https://checks.example/sadr-city-bombs",
        "https://other.example/fact-check/sadr",
        "https://checks.example/car-crashes",
    ]
    best = found[0]
    assert best.title == "Did car bombs kill 200 in Sadr City?"
    assert best.publisher == "Example Checks"
    assert best.published_at == date(2006, 11, 26)
    assert best.snippet == (
        "Claim (Example Blog, 2006-11-24): More than 200 people were killed by car bombs "
        'in Sadr City — Rated "Mostly True" by Example Checks'
    )
    assert best.snapshot_text == best.snippet
    assert best.details == {
        "claim_text": "More than 200 people were killed by car bombs in Sadr City",
        "claimant": "Example Blog",
        "claim_date": "2006-11-24T00:00:00Z",
        "textual_rating": "Mostly True",
        "review_url": "https://checks.example/sadr-city-bombs",
        "review_title": "Did car bombs kill 200 in Sadr City?",
        "review_date": "2006-11-26T00:00:00Z",
        "review_language": "en",
        "publisher_name": "Example Checks",
        "publisher_site": "checks.example",
    }


def test_missing_fields_fall_back(api):
    second = connector_for(api).find(QUERY)[1]

    assert second.publisher == "other.example"  # no publisher name: the site
    assert second.published_at is None  # no reviewDate
    assert second.title.startswith("Fact check: More than 200 people")
    assert second.snippet.endswith('Rated "True" by other.example')


def test_scores_prefer_the_closer_claim(api):
    scores = [record.score for record in connector_for(api).find(QUERY)]

    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[0] > scores[-1]


def test_request_parameters(api):
    connector_for(api).find(QUERY)

    (request,) = api.requests
    assert request.arg("query") == CLAIM
    assert request.arg("languageCode") == "en"
    assert request.arg("pageSize") == "10"
    assert request.arg("key") == KEY


def test_no_match_answers_empty_object_and_gives_no_records(api):
    text = "Glaciers grow fastest in August."
    assert connector_for(api).find(ClaimQuery(1, text, 0, len(text))) == []


def test_reviews_without_url_are_skipped():
    broken = claim("Car bombs killed 200 people", reviews=[{"textualRating": "False"}])
    with FakeFactCheckTools([broken]) as api:
        assert connector_for(api).find(QUERY) == []


def test_a_wrong_key_fails_without_leaking_the_key():
    with (
        FakeFactCheckTools([SADR], key="the-right-key") as api,
        pytest.raises(FetchError) as raised,
    ):
        connector_for(api, key="wrong-secret-key").find(QUERY)

    assert raised.value.kind == "status"
    assert "HTTP 400" in raised.value.detail
    assert "wrong-secret-key" not in str(raised.value)
    assert "REDACTED" in raised.value.url


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        ("rate_limited", "status"),
        ("unavailable", "status"),
        ("hang", "timeout"),
        ("huge", "too_large"),
        ("wrong_type", "content_type"),
        ("invalid_json", "invalid_json"),
        ("redirect_metadata", "refused"),
    ],
)
def test_failures_surface_as_fetch_errors_without_the_key(failure, kind):
    with (
        FakeFactCheckTools([SADR], failure=failure) as api,
        pytest.raises(FetchError) as raised,
    ):
        connector_for(api, http_read_timeout=0.5).find(QUERY)

    assert raised.value.kind == kind
    assert KEY not in str(raised.value)


def test_review_line_without_claimant_date_or_rating():
    line = review_line({"text": "Crime  has doubled"}, {"publisher": {"name": "Checks"}})
    assert line == "Claim: Crime has doubled — Reviewed by Checks"

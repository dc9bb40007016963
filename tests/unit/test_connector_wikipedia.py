"""The Wikipedia connector against a fake MediaWiki Action API on 127.0.0.1."""

from __future__ import annotations

import pytest

from factcheck.http import Fetched, FetchError
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.wikipedia import (
    WikipediaConnector,
    article_url,
    check_answer,
    search_strings,
)
from tests.fakes.common import fake_settings
from tests.fakes.wikipedia import FakeWikipedia, WikiPage
from tests.localserver import Answer, LocalServer

CLAIM = (
    "On Thursday, just hours before a series of car bombs killed more than 200 people in "
    "the Shia stronghold of Sadr City, Sunni militants attacked the Ministry of Health."
)
QUERY = ClaimQuery(
    claim_id=7,
    text=CLAIM,
    start=0,
    end=len(CLAIM),
    entities=["Sadr City", "Ministry of Health"],
    dates=["2006-11-23"],
)

BOMBINGS = WikiPage(
    "23 November 2006 Sadr City bombings",
    "The 23 November 2006 Sadr City bombings were a series of car bomb and mortar attacks "
    "in the Sadr City district of Baghdad, Iraq. At least 215 people were killed and 257 "
    "injured. Earlier that day Sunni militants had attacked the Ministry of Health.",
    timestamp="2024-05-02T08:15:00Z",
)
MINISTRY = WikiPage(
    "Ministry of Health (Iraq)",
    "The Ministry of Health is the Iraqi government ministry responsible for health care.",
    body="Its staff were drawn largely from Sadr City after 2005.",
)
SADR_CITY = WikiPage("Sadr City", "Sadr City is a district of Baghdad, Iraq, built in 1959.")
VIETNAM = WikiPage("Vietnam War", "The Vietnam War was a conflict in Vietnam, Laos and Cambodia.")


@pytest.fixture
def wiki():
    with FakeWikipedia([BOMBINGS, MINISTRY, SADR_CITY, VIETNAM]) as fake:
        yield fake


def connector_for(fake: FakeWikipedia, **overrides) -> WikipediaConnector:
    settings = fake_settings(fake.host, wikipedia_api_url=fake.url, **overrides)
    return WikipediaConnector(settings)


def test_finds_pages_with_revision_url_and_matching_passage(wiki):
    found = connector_for(wiki).find(QUERY)

    assert [record.title for record in found] == [BOMBINGS.title, MINISTRY.title]
    best = found[0]
    assert best.url == "https://en.wikipedia.org/wiki/23_November_2006_Sadr_City_bombings"
    assert best.publisher == "Wikipedia"
    assert best.snapshot_text == BOMBINGS.extract
    # The two sentences sharing most words with the claim (7: people, killed, sunni, ...).
    assert best.snippet == (
        "At least 215 people were killed and 257 injured. "
        "Earlier that day Sunni militants had attacked the Ministry of Health."
    )
    assert best.details["pageid"] == BOMBINGS.pageid
    assert best.details["revision_id"] == BOMBINGS.revid
    assert best.details["revision_timestamp"] == "2024-05-02T08:15:00Z"
    assert best.details["search_query"] == '"Sadr City" "Ministry of Health"'
    assert best.fetched_at is not None
    assert 0.0 < found[1].score < best.score <= 1.0


def test_requests_follow_the_api_and_its_etiquette(wiki):
    connector_for(wiki).find(QUERY)

    first_search, second_search, pages = wiki.requests
    # Nothing has "stronghold" and "militants" and "2006" and both names: one retry, fewer words.
    assert first_search.arg("srsearch") == search_strings(QUERY)[0]
    assert second_search.arg("srsearch") == '"Sadr City" "Ministry of Health"'
    for request in wiki.requests:
        assert request.arg("action") == "query"
        assert request.arg("format") == "json"
        assert request.arg("formatversion") == "2"
        assert request.arg("maxlag") == "5"
        assert request.headers["user-agent"].startswith("factcheck/")
    assert second_search.arg("list") == "search"
    assert second_search.arg("srlimit") == "5"
    assert pages.arg("prop") == "extracts|revisions|info"
    assert pages.arg("pageids") == f"{BOMBINGS.pageid}|{MINISTRY.pageid}"
    assert pages.arg("explaintext") and pages.arg("exintro")
    assert pages.arg("rvprop") == "ids|timestamp"
    assert pages.arg("inprop") == "url"


def test_stops_after_the_first_search_that_finds_something(wiki):
    text = "Car bombs in Sadr City were mortar attacks."
    query = ClaimQuery(1, text, 0, len(text), ["Sadr City"])

    found = connector_for(wiki).find(query)

    searches = [request for request in wiki.requests if request.arg("list") == "search"]
    assert len(searches) == 1
    assert searches[0].arg("srsearch") == '"Sadr City" attacks mortar'
    assert [record.title for record in found] == [BOMBINGS.title]


def test_nothing_found_means_no_records_and_no_page_request(wiki):
    text = "Penguins nest in the Sahara desert."
    query = ClaimQuery(1, text, 0, len(text), ["Sahara"])

    assert connector_for(wiki).find(query) == []
    assert all(request.arg("list") == "search" for request in wiki.requests)
    assert len(wiki.requests) == 2


def test_top_k_limits_the_pages_fetched(wiki):
    settings = fake_settings(wiki.host, wikipedia_api_url=wiki.url)
    found = WikipediaConnector(settings, top_k=1).find(QUERY)

    assert [record.title for record in found] == [BOMBINGS.title]
    assert wiki.requests[-1].arg("pageids") == str(BOMBINGS.pageid)


def test_an_empty_extract_falls_back_to_the_search_snippet():
    page = WikiPage("Car bombings in Iraq", "", body="Car bombs hit Sadr City & Baghdad.")
    with FakeWikipedia([page]) as wiki:
        text = "Car bombs hit Sadr City."
        (record,) = connector_for(wiki).find(ClaimQuery(1, text, 0, len(text), ["Sadr City"]))

    # The snippet's <span class="searchmatch"> tags and &amp; are gone.
    assert record.snapshot_text == "Car bombs hit Sadr City & Baghdad."


def test_an_answer_without_the_expected_lists_finds_nothing():
    with LocalServer() as server:
        server.route("/w/api.php", Answer.json({"batchcomplete": True, "query": "odd"}))
        settings = fake_settings(server.host, wikipedia_api_url=server.url("/w/api.php"))
        assert WikipediaConnector(settings).find(QUERY) == []


def test_a_lagged_wiki_means_back_off(wiki):
    wiki.maxlag = True

    with pytest.raises(FetchError) as raised:
        connector_for(wiki).find(QUERY)

    assert raised.value.kind == "maxlag"
    assert "retry after 5s" in raised.value.detail
    assert len(wiki.requests) == 1  # no pressing on with the second search


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
def test_failures_surface_as_fetch_errors(failure, kind):
    with FakeWikipedia([BOMBINGS], failure=failure) as wiki:
        connector = connector_for(wiki, http_read_timeout=0.5)
        with pytest.raises(FetchError) as raised:
            connector.find(QUERY)

    assert raised.value.kind == kind


def test_a_passing_failure_is_retried_by_the_client():
    with FakeWikipedia([BOMBINGS], failure="unavailable", fail_times=1) as wiki:
        found = connector_for(wiki, http_retries=1).find(QUERY)

    assert [record.title for record in found] == [BOMBINGS.title]
    # The 503, the first search again, the second search (fewer words), the pages.
    assert [request.arg("list") or request.arg("prop") for request in wiki.requests] == [
        "search",
        "search",
        "search",
        "extracts|revisions|info",
    ]


def fetched(headers: dict[str, str] | None = None) -> Fetched:
    return Fetched(
        "https://en.wikipedia.org/w/api.php", 200, "application/json", b"{}", headers or {}
    )


def test_check_answer_passes_a_normal_answer():
    check_answer(fetched(), {"batchcomplete": True, "query": {"search": []}})


def test_check_answer_raises_on_retry_after_even_without_an_error():
    with pytest.raises(FetchError) as raised:
        check_answer(fetched({"retry-after": "30"}), {"batchcomplete": True})
    assert raised.value.kind == "retry_after"


def test_check_answer_raises_on_api_errors():
    with pytest.raises(FetchError) as raised:
        check_answer(fetched(), {"error": {"code": "badvalue", "info": "Unrecognized value"}})
    assert raised.value.kind == "api_error"
    assert raised.value.detail == "badvalue: Unrecognized value"


def test_search_strings_without_entities_use_the_longest_words():
    text = "Unemployment doubled in Ohio in 2009."
    query = ClaimQuery(1, text, 0, len(text), dates=["2009-01-01"])

    assert search_strings(query) == ["unemployment doubled ohio 2009", "unemployment doubled"]


def test_article_url_falls_back_to_the_wiki_path():
    api = "https://en.wikipedia.org/w/api.php"
    assert article_url(api, "Sadr City") == "https://en.wikipedia.org/wiki/Sadr_City"

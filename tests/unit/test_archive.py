"""Wayback Machine lookups against a fake availability API on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from factcheck.http import FetchError
from factcheck.settings import Settings
from factcheck.sources.archive import ArchiveSnapshot, enabled, lookup
from tests.fakes.common import client_for
from tests.fakes.wayback import FakeWayback
from tests.localserver import Answer, LocalServer

PAGE = "https://news.example/2006/11/sadr-city-bombs"
CAPTURES = {PAGE: ["20061124093000", "20070301120000", "20150612000000"]}


def test_enabled_follows_the_setting():
    assert not enabled(Settings(archive_enabled=False))
    assert enabled(Settings(archive_enabled=True))


def test_the_latest_snapshot_by_default():
    with FakeWayback(CAPTURES) as archive:
        snapshot = lookup(client_for(archive, archive_url=archive.url), PAGE)
        (request,) = archive.requests

    assert snapshot == ArchiveSnapshot(
        url=f"http://web.archive.org/web/20150612000000/{PAGE}",
        timestamp=datetime(2015, 6, 12, 0, 0, 0, tzinfo=UTC),
        status="200",
    )
    assert request.query == {"url": [PAGE]}


def test_the_snapshot_closest_to_a_date():
    with FakeWayback(CAPTURES) as archive:
        snapshot = lookup(
            client_for(archive, archive_url=archive.url), PAGE, near=date(2006, 11, 23)
        )
        (request,) = archive.requests

    assert request.arg("timestamp") == "20061123"
    assert snapshot is not None
    assert snapshot.timestamp == datetime(2006, 11, 24, 9, 30, 0, tzinfo=UTC)
    assert snapshot.url == f"http://web.archive.org/web/20061124093000/{PAGE}"


def test_the_snapshot_closest_to_a_time():
    with FakeWayback(CAPTURES) as archive:
        client = client_for(archive, archive_url=archive.url)
        lookup(client, PAGE, near=datetime(2007, 3, 1, 11, 59, 59))

    assert archive.requests[0].arg("timestamp") == "20070301115959"


def test_never_archived_is_none():
    with FakeWayback(CAPTURES) as archive:
        assert (
            lookup(client_for(archive, archive_url=archive.url), "https://never.example/") is None
        )


def test_a_capture_of_an_error_page_is_none():
    with FakeWayback(CAPTURES, status="404") as archive:
        assert lookup(client_for(archive, archive_url=archive.url), PAGE) is None


@pytest.mark.parametrize(
    "body",
    [
        {"archived_snapshots": {"closest": {"available": False, "url": "x", "timestamp": "1"}}},
        {"archived_snapshots": {"closest": {"available": True, "url": "", "timestamp": "1"}}},
        {"archived_snapshots": {"closest": {"available": True, "url": "x", "timestamp": "bad"}}},
        {"archived_snapshots": []},
        [],
    ],
)
def test_unusable_answers_are_none(body):
    with LocalServer() as server:
        server.route("/wayback/available", Answer.json(body))
        url = server.url("/wayback/available")
        assert lookup(client_for(server, archive_url=url), PAGE) is None


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
def test_failures_raise_fetch_errors(failure, kind):
    with FakeWayback(CAPTURES, failure=failure) as archive:
        client = client_for(archive, archive_url=archive.url, http_read_timeout=0.5)
        with pytest.raises(FetchError) as raised:
            lookup(client, PAGE)

    assert raised.value.kind == kind

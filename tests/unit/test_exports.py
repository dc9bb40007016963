"""The published snapshot model and the exporter registry: round trips, content
stored before the model existed, and the one route that serves every export."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError

from factcheck.accounts import services as accounts
from factcheck.publishing import exports
from factcheck.publishing.models import Publication
from factcheck.publishing.snapshot import SCHEMA_VERSION, Snapshot
from tests.conftest import problem_of
from tests.unit.helpers import submitted_essay

# Publication.content exactly as publish wrote it before the snapshot was a model:
# no schema_version, timestamps from isoformat(), dates as strings.
STORED_BEFORE_THE_MODEL = {
    "essay": {
        "id": 1,
        "title": "The Next Step? Think Vietnam.",
        "author": "Fareed Zakaria",
        "url": "https://www.newsweek.com/next-step-think-vietnam",
        "published_at": "2006-11-27",
        "text": "On Thursday, car bombs killed more than 200 people in Sadr City. It rained.",
    },
    "organisation": {"name": "factcheck desk", "url": "http://127.0.0.1:8000"},
    "methodology": "Two reviewers read every source.",
    "published_at": "2026-11-30T09:15:02.123456+00:00",
    "claims": [
        {
            "id": 7,
            "text": "On Thursday, car bombs killed more than 200 people in Sadr City.",
            "start": 0,
            "end": 64,
            "kind": "quantity",
            "checkable": True,
            "verdict": {
                "rating": "mostly-true",
                "label": "Mostly true",
                "value": 4,
                "rationale": "The toll was at least 215.",
                "reviewed_by": "reviewer1",
                "approved_by": "the desk",
                "approved_at": "2026-11-30T09:10:00.000001+00:00",
                "citations": [
                    {
                        "title": "Sadr City bombings",
                        "publisher": "Wikipedia",
                        "url": "https://en.wikipedia.org/wiki/Sadr_City_bombings",
                        "published_at": None,
                        "quote": "a death toll of at least 215",
                        "archive_url": None,
                    }
                ],
            },
        },
        {
            "id": 8,
            "text": "It rained.",
            "start": 65,
            "end": 75,
            "kind": "other",
            "checkable": False,
            "verdict": None,
        },
    ],
}


def test_old_content_loads_as_version_1_with_every_field():
    snapshot = Snapshot.model_validate(STORED_BEFORE_THE_MODEL)
    assert snapshot.schema_version == 1 and SCHEMA_VERSION == 3
    assert snapshot.essay.published_at.isoformat() == "2006-11-27"
    # Where it appeared came with version 3: older content does not say.
    assert snapshot.essay.publisher is None and snapshot.essay.medium is None
    assert snapshot.published_at.isoformat() == "2026-11-30T09:15:02.123456+00:00"
    [rated] = snapshot.rated()
    assert rated.id == 7 and rated.verdict.citations[0].quote == "a death toll of at least 215"
    assert snapshot.claims[1].verdict is None
    # Nothing is lost on the way back to a dict, only the version added.
    stored = json.loads(json.dumps(snapshot.model_dump(mode="json")))
    assert stored.pop("schema_version") == 1
    assert Snapshot.model_validate(stored) == snapshot


def test_the_earliest_content_loads_without_the_fields_added_since():
    earliest = copy.deepcopy(STORED_BEFORE_THE_MODEL)
    del earliest["methodology"]
    del earliest["claims"][0]["verdict"]["citations"][0]["archive_url"]
    snapshot = Snapshot.model_validate(earliest)
    assert snapshot.methodology == ""
    assert snapshot.rated()[0].verdict.citations[0].archive_url is None


def test_the_model_round_trips_through_stored_json():
    snapshot = Snapshot.model_validate(STORED_BEFORE_THE_MODEL)
    stored = json.loads(json.dumps(snapshot.model_dump(mode="json")))
    assert stored["schema_version"] == 1  # old content stays what it was
    assert Snapshot.model_validate(stored) == snapshot
    assert Snapshot.model_validate(stored).model_dump(mode="json") == stored


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": 99},  # written by a newer release: refused, never misread
        {"verdicts": []},  # a misspelt or unknown field
    ],
)
def test_content_of_an_unknown_shape_is_refused(change):
    with pytest.raises(ValidationError):
        Snapshot.model_validate({**STORED_BEFORE_THE_MODEL, **change})


@pytest.fixture
def old_publication(database, client):
    """An essay whose only version was stored before the snapshot was a model."""
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        essay = submitted_essay(session, editor)
        content = copy.deepcopy(STORED_BEFORE_THE_MODEL)
        content["essay"]["id"] = essay.id
        session.add(
            Publication(essay_id=essay.id, version=1, published_by_id=editor.id, content=content)
        )
        return essay.id


def test_old_content_is_served_by_the_pages_and_every_export(client, old_publication):
    essay_id = old_publication
    assert client.get(f"/fact-checks/{essay_id}").status_code == 200
    assert client.get(f"/fact-checks/{essay_id}/claims/7").status_code == 200
    assert exports.EXPORTERS, "nothing registered"
    for entry in exports.EXPORTERS.values():
        path = f"/fact-checks/{entry.suffix if entry.collection else f'{essay_id}.{entry.suffix}'}"
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.mimetype == entry.media_type, path
    # Version 1 content: its claim without a verdict was not checkable, and says so.
    [review, unchecked] = json.loads(client.get(f"/fact-checks/{essay_id}.jsonld").text)
    assert unchecked["@type"] == "Claim" and unchecked["text"] == "It rained."
    assert unchecked["description"] == "Not checked: not checkable"
    assert review["reviewRating"]["alternateName"] == "Mostly true"
    assert review["datePublished"] == "2026-11-30"
    assert "## Mostly true: On Thursday" in client.get(f"/fact-checks/{essay_id}.md").text
    assert "Sadr_City_bombings" in client.get("/fact-checks/verdicts.csv").text


def test_an_unknown_format_is_a_404_listing_the_known_ones(client, old_publication):
    essay_id = old_publication
    answer = client.get(f"/fact-checks/{essay_id}.xml")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    assert problem_of(answer)["formats"] == [e.suffix for e in exports.fact_check_exporters()]
    answer = client.get("/fact-checks/feed.rss")
    assert answer.status_code == 404
    assert problem_of(answer)["formats"] == [e.suffix for e in exports.collection_exporters()]
    assert client.get("/fact-checks/99999.md").status_code == 404  # no such fact-check


def test_a_new_format_is_served_once_registered(client, old_publication, monkeypatch):
    """Adding an export is one registration: the route and the page pick it up."""
    monkeypatch.setattr(exports, "EXPORTERS", dict(exports.EXPORTERS))
    exports.exporter("Plain text", "txt", "text/plain")(
        lambda export: export.current.snapshot.essay.title
    )
    essay_id = old_publication
    answer = client.get(f"/fact-checks/{essay_id}.txt")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    assert answer.text == STORED_BEFORE_THE_MODEL["essay"]["title"]
    assert (
        f'href="/fact-checks/{essay_id}.txt">Plain text</a>'
        in client.get(f"/fact-checks/{essay_id}").text
    )

"""The API takes JSON's own types only (a date is an ISO 8601 string, never 0), and its
OpenAPI description states every 422 rule JSON Schema can: control characters, lengths,
unique ids (issue 16)."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import problem_of
from tests.flow import SHORT_ESSAY
from tests.unit.conftest import auth
from web.schemas import HTTP_URL, NO_CONTROL, NOT_BLANK

SOURCE = {"url": "https://example.org/a", "title": "A source", "text": "It rained."}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"published_at": 0}, "published_at"),  # was 1970-01-01
        ({"published_at": 1164585600}, "published_at"),
        ({"published_at": "2006-11-27T00:00:00"}, "published_at"),  # a time is not a date
        ({"deadline": 0}, "deadline"),
        ({"hold_for_review": "yes"}, "hold_for_review"),
        ({"hold_for_review": 1}, "hold_for_review"),
    ],
)
def test_an_essay_takes_only_json_s_own_types(client, token, change, field):
    answer = client.post(
        "/api/v1/essays", json={**SHORT_ESSAY, **change}, headers=auth(token("ed", "editor"))
    )
    assert answer.status_code == 422
    assert problem_of(answer)["errors"][0]["loc"] == [field]


def test_an_iso_date_is_taken(client, token):
    essay = {**SHORT_ESSAY, "published_at": "2006-11-27", "deadline": "2030-01-01T00:00:00Z"}
    answer = client.post("/api/v1/essays", json=essay, headers=auth(token("ed", "editor")))
    assert answer.status_code == 201 and answer.json["published_at"] == "2006-11-27"


def test_a_source_s_date_is_an_iso_date_too(client, token, desk_essay):
    editor = auth(token("ed2", "editor"))
    path = f"/api/v1/claims/{desk_essay['claim_id']}/sources"
    refused = client.post(path, json={**SOURCE, "published_at": 0}, headers=editor)
    assert refused.status_code == 422
    assert problem_of(refused)["errors"][0]["loc"] == ["published_at"]
    taken = client.post(path, json={**SOURCE, "published_at": "2006-11-27"}, headers=editor)
    assert taken.status_code == 201


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("triage", {"action": "check", "top": "5"}),
        ("triage", {"action": "check", "top": 2.5}),
        ("triage", {"action": "check", "top": True}),
        ("triage", {"action": "check", "claim_ids": [1, 1]}),
        ("triage", {"action": "check", "claim_ids": ["1"]}),
        ("claims/merge", {"claim_ids": [1, 1]}),
    ],
)
def test_ids_and_counts_are_integers_and_ids_come_once(client, token, desk_essay, path, body):
    answer = client.post(
        f"/api/v1/essays/{desk_essay['essay_id']}/{path}",
        json=body,
        headers=auth(token("ed2", "editor")),
    )
    assert answer.status_code == 422, answer.json


def test_an_integer_written_with_a_zero_fraction_is_the_integer(client, token, desk_essay):
    # To JSON (and JSON Schema) 2.0 is the integer 2: a schema-valid request is taken.
    answer = client.post(
        f"/api/v1/essays/{desk_essay['essay_id']}/triage",
        json={"action": "check", "top": 2.0},
        headers=auth(token("ed2", "editor")),
    )
    assert answer.status_code == 200, answer.json


def test_the_description_states_the_rules_json_schema_can(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    essay = schemas["EssayIn"]["properties"]
    assert essay["title"]["pattern"] == NOT_BLANK and essay["title"]["maxLength"] == 500
    [author, _null] = essay["author"]["anyOf"]
    assert author["pattern"] == NO_CONTROL and author["maxLength"] == 200
    [url, _null] = essay["url"]["anyOf"]
    assert url["pattern"] == HTTP_URL
    assert schemas["ClaimMergeIn"]["properties"]["claim_ids"]["uniqueItems"] is True
    [ids, _null] = schemas["TriageIn"]["properties"]["claim_ids"]["anyOf"]
    assert ids["uniqueItems"] is True
    assert schemas["ApproveIn"]["properties"]["version"]["minimum"] == 1
    assert '"ge"' not in json.dumps(schemas) and '"le"' not in json.dumps(schemas)
    assert re.search(NO_CONTROL, "tab\tand\nnewline") and not re.search(NO_CONTROL, "nul\x00")
    assert re.search(NOT_BLANK, " a ") and not re.search(NOT_BLANK, " \t ")
    assert not re.search(NOT_BLANK, "a\x00") and not re.search(HTTP_URL, "https://a/\x01")

"""Where an essay appeared (its address, outlet, medium and the date it first appeared):
the API, the desk form and the seed carry it, and the published snapshot keeps it."""

from __future__ import annotations

import json

from sqlalchemy import select

from factcheck.essays.models import Essay, Medium
from factcheck.publishing.snapshot import EssaySnapshot
from tests.conftest import SEEDS
from tests.flow import SHORT_ESSAY
from tests.unit.conftest import auth
from tests.unit.pages import post, sign_in

WHERE = {
    "url": "https://www.newsweek.com/the-next-step",
    "publisher": "Newsweek",
    "medium": "print",
    "published_at": "2006-11-27",
}


def test_the_api_takes_and_gives_where_an_essay_appeared(client, token):
    editor = auth(token("ed", "editor"))
    created = client.post("/api/v1/essays", json={**SHORT_ESSAY, **WHERE}, headers=editor)
    assert created.status_code == 201
    essay = client.get(f"/api/v1/essays/{created.json['id']}", headers=editor).json
    assert {field: essay[field] for field in WHERE} == WHERE


def test_an_unknown_medium_or_an_overlong_outlet_is_refused(client, token, database):
    editor = auth(token("ed", "editor"))
    for change in ({"medium": "carrier pigeon"}, {"publisher": "N" * 201}):
        refused = client.post("/api/v1/essays", json={**SHORT_ESSAY, **change}, headers=editor)
        assert refused.status_code == 422, change
    with database.read_scope() as session:
        assert session.scalars(select(Essay)).all() == []


def test_the_desk_form_takes_where_an_essay_appeared(client, people, database):
    sign_in(client, "ed")
    page = client.get("/desk/essays/new").text
    assert '<label for="publisher">' in page and '<label for="medium">' in page
    assert all(f'<option value="{medium}"' in page for medium in Medium)
    fields = {"title": "An essay", "text": "It rained on Thursday.", **WHERE}
    post(client, "/desk/essays/new", fields, "/desk/essays/new")
    with database.read_scope() as session:
        essay = session.scalars(select(Essay)).one()
        assert (essay.url, essay.publisher, essay.medium) == (
            "https://www.newsweek.com/the-next-step",
            "Newsweek",
            "print",
        )
        assert essay.published_at.isoformat() == "2006-11-27"


def test_the_seed_says_where_it_appeared_in_the_api_s_fields():
    seed = json.loads((SEEDS / "the-next-step-think-vietnam.json").read_text())
    assert seed["publisher"] == "Newsweek" and seed["medium"] in set(Medium)
    assert seed["url"] is None  # not known: never a guessed address
    assert set(WHERE) <= seed.keys()


def test_the_snapshot_keeps_where_it_appeared():
    essay = EssaySnapshot(id=1, title="T", author=None, text="x", **WHERE)
    assert EssaySnapshot.model_validate(essay.model_dump(mode="json")) == essay
    assert essay.publisher == "Newsweek" and essay.medium == "print"

"""The steerable queue through the JSON API: GET /queue and POST /tasks/{id}/take."""

from __future__ import annotations

import pytest

from factcheck.accounts import services as accounts
from tests.conftest import problem_of
from tests.unit.conftest import auth
from tests.unit.test_queue_steering import waiting_tasks

SIZES = [("First", 3), ("Second", 2)]


@pytest.fixture
def queued(database, token):
    """Tokens for an editor and two reviewers; five tasks over two essays, the editor's."""
    tokens = {name: token(name, role) for name, role in [("ed", "editor"), ("rev", "reviewer")]}
    tokens["rev2"] = token("rev2", "reviewer")
    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        tasks = {title: waiting_tasks(session, editor, n, title=title) for title, n in SIZES}
        ids = {title.lower(): [task.id for task in made] for title, made in tasks.items()}
        essays = {title.lower(): made[0].claim.essay_id for title, made in tasks.items()}
    return {"tokens": tokens, **ids, "essays": essays}


def test_the_queue_lists_counts_and_pages(client, queued):
    rev = auth(queued["tokens"]["rev"])
    page = client.get("/api/v1/queue?limit=2", headers=rev).json
    assert page["counts"] == {"review": 5, "approval": 0, "returned": 0, "total": 5}
    assert len(page["items"]) == 2 and page["next"]
    item = page["items"][0]
    assert item["essay"]["title"] in {"First", "Second"} and item["claim"]["text"]
    assert {"checkworthiness", "id"} <= item["claim"].keys() and item["kind"] == "review"
    seen = [i["id"] for i in page["items"]]
    while page["next"]:
        page = client.get(page["next"], headers=rev).json
        seen += [i["id"] for i in page["items"]]
    assert sorted(seen) == sorted(queued["first"] + queued["second"])
    assert len(seen) == len(set(seen))


def test_the_queue_filters_by_essay_and_kind(client, queued):
    rev = auth(queued["tokens"]["rev"])
    essay = queued["essays"]["second"]
    page = client.get(f"/api/v1/queue?essay={essay}", headers=rev).json
    assert [i["id"] for i in page["items"]] == queued["second"]
    assert page["counts"]["total"] == 2
    assert client.get("/api/v1/queue?kind=approval", headers=rev).json["items"] == []
    editor = auth(queued["tokens"]["ed"])
    assert client.get("/api/v1/queue", headers=editor).status_code == 403


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "kind=everything", "after=0", "essay=x", "after=999999"]
)
def test_bad_queue_parameters_are_422_problems(client, queued, query):
    reply = client.get(f"/api/v1/queue?{query}", headers=auth(queued["tokens"]["rev"]))
    assert reply.status_code == 422
    problem_of(reply)


def test_take_a_chosen_task_then_409_for_the_next_taker(client, queued):
    chosen = queued["first"][2]
    rev, rev2 = auth(queued["tokens"]["rev"]), auth(queued["tokens"]["rev2"])
    taken = client.post(f"/api/v1/tasks/{chosen}/take", headers=rev)
    assert taken.status_code == 200
    assert (taken.json["id"], taken.json["state"]) == (chosen, "leased")
    assert client.post(f"/api/v1/tasks/{chosen}/take", headers=rev).status_code == 200
    refused = client.post(f"/api/v1/tasks/{chosen}/take", headers=rev2)
    assert refused.status_code == 409
    assert "in hand" in problem_of(refused)["detail"]
    assert client.post("/api/v1/tasks/999999/take", headers=rev2).status_code == 404
    # Not listed any more, for anyone.
    listed = client.get("/api/v1/queue", headers=rev2).json["items"]
    assert chosen not in [item["id"] for item in listed]


def test_taking_a_task_of_my_own_essay_is_409(client, database, token):
    admin = token("boss", "admin")
    with database.scope() as session:
        (task,) = waiting_tasks(session, accounts.user_by_name(session, "boss"), 1)
        task_id = task.id
    refused = client.post(f"/api/v1/tasks/{task_id}/take", headers=auth(admin))
    assert refused.status_code == 409
    assert "you submitted" in problem_of(refused)["detail"]


def test_give_back_then_take_next_moves_on(client, queued):
    rev = auth(queued["tokens"]["rev"])
    taken = []
    for _ in range(3):
        task = client.post("/api/v1/queue/next", headers=rev).json
        taken.append(task["id"])
        assert client.post(f"/api/v1/tasks/{task['id']}/release", headers=rev).status_code == 200
    assert len(set(taken)) == 3
    given_back = client.get("/api/v1/queue", headers=rev).json["items"]
    assert sum(1 for i in given_back if i["given_back_at"]) == 3

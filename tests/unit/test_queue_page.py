"""The desk's queue page: counts, the list with its filters, taking a chosen task."""

from __future__ import annotations

import re

import pytest

from factcheck.accounts import services as accounts
from tests.unit.pages import post, sign_in
from tests.unit.test_queue_steering import waiting_tasks
from web import desk


@pytest.fixture
def listed(client, people, database):
    """Three tasks of one essay and two of another, signed in as the reviewer."""
    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        made = {title: waiting_tasks(session, editor, n, title=title) for title, n in SIZES}
        ids = {title: [task.id for task in tasks] for title, tasks in made.items()}
        essays = {title: tasks[0].claim.essay_id for title, tasks in made.items()}
    sign_in(client, "rev")
    return {"tasks": ids, "essays": essays}


SIZES = [("Budget essay", 3), ("Health essay", 2)]


def listed_tasks(html: str) -> list[int]:
    return [int(task) for task in re.findall(r'data-task="(\d+)"', html)]


def count(html: str, kind: str) -> int:
    match = re.search(rf'data-count="{kind}">(\d+)<', html)
    assert match, kind
    return int(match.group(1))


def test_the_queue_page_counts_and_lists_the_waiting_tasks(client, listed):
    html = client.get("/desk/queue").text
    assert count(html, "total") == 5 and count(html, "review") == 5
    assert count(html, "approval") == 0 and count(html, "returned") == 0
    everything = [task for tasks in listed["tasks"].values() for task in tasks]
    assert sorted(listed_tasks(html)) == sorted(everything)
    assert "Budget essay" in html and "Claim 0 says 0 people died." in html
    assert "check-worthiness 0.90" in html and "waiting just now" in html


def test_the_queue_page_filters_by_essay_and_kind(client, listed):
    essay = listed["essays"]["Health essay"]
    html = client.get(f"/desk/queue?essay={essay}").text
    assert listed_tasks(html) == listed["tasks"]["Health essay"]
    assert count(html, "total") == 2
    assert listed_tasks(client.get("/desk/queue?kind=approval").text) == []
    # Nonsense filters are no filters, never an error page.
    assert len(listed_tasks(client.get("/desk/queue?essay=x&kind=all").text)) == 5


def test_the_queue_page_is_paged(client, listed, monkeypatch):
    monkeypatch.setattr(desk, "QUEUE_PER_PAGE", 2)
    html = client.get("/desk/queue").text
    seen = listed_tasks(html)
    while more := re.search(r'href="([^"]+)" rel="next"', html):
        html = client.get(more.group(1).replace("&amp;", "&")).text
        seen += listed_tasks(html)
    assert len(seen) == 5 and len(set(seen)) == 5
    stale = client.get("/desk/queue?after=999999").text  # a cursor that is no task
    assert "no task 999999" in stale and len(listed_tasks(stale)) == 2


def test_a_reviewer_takes_the_task_they_choose(client, listed):
    chosen = listed["tasks"]["Health essay"][1]
    taken = post(client, f"/desk/tasks/{chosen}/take", {}, "/desk/queue")
    assert taken.location == f"/desk/tasks/{chosen}"
    html = client.get("/desk/queue").text
    assert chosen not in listed_tasks(html) and f"/desk/tasks/{chosen}" in html


def test_a_task_taken_meanwhile_is_refused_on_the_list(client, listed):
    chosen = listed["tasks"]["Budget essay"][0]
    essay = listed["essays"]["Budget essay"]
    post(client, "/logout")
    sign_in(client, "rev2")
    post(client, f"/desk/tasks/{chosen}/take", {}, "/desk/queue")
    post(client, "/logout")
    sign_in(client, "rev")
    refused = post(client, f"/desk/tasks/{chosen}/take", {"essay": str(essay)}, "/desk/queue")
    # The list comes back with the refusal and the filter it was sent with.
    assert refused.status_code == 409
    html = refused.text
    assert f"task {chosen} is in hand now" in html and 'class="flash error"' in html
    assert f'<option value="{essay}" selected>' in html


def test_give_back_then_take_next_moves_down_the_queue(client, listed):
    taken = []
    for _ in range(3):
        path = post(client, "/desk/queue/next", {}, "/desk/queue").location
        task_id = int(path.rsplit("/", 1)[1])
        taken.append(task_id)
        post(client, f"/desk/tasks/{task_id}/release", {}, path)
    assert len(set(taken)) == 3  # never the task just given back
    assert client.get("/desk/queue").text.count("you gave it back") == 3

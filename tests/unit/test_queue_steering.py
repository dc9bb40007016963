"""A queue a reviewer can steer: the list with its counts, taking a chosen task, tasks
given back coming last for a while, and returned verdicts going back to their author."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factcheck.db import utcnow
from factcheck.errors import Conflict, InvalidInput, NotFound
from factcheck.review import queue
from factcheck.review import services as review
from factcheck.review.models import ReviewTask, TaskSkip
from tests import factories

LEASE = 600


def waiting_tasks(session, submitter, count: int, **essay_fields) -> list[ReviewTask]:
    """An essay of ``count`` claims, each with a source and an open review task; the
    first claim the most check-worthy, so the tasks are in queue order."""
    sentences = [f"Claim {n} says {n} people died." for n in range(count)]
    essay = factories.make_essay(session, submitter, " ".join(sentences), **essay_fields)
    tasks = []
    for n, sentence in enumerate(sentences):
        claim = factories.make_claim(session, essay, sentence, checkworthiness=0.9 - n / 100)
        factories.make_source(session, claim, f"{sentence} {factories.SNAPSHOT}")
        tasks.append(factories.make_review_task(session, claim))
    return tasks


def forget_give_backs(session, minutes: int = 11) -> None:
    """As if the give-backs were ``minutes`` ago (no waiting in tests)."""
    for skip in session.scalars(select(TaskSkip)):
        skip.at -= timedelta(minutes=minutes)
    session.flush()


def submitted_verdict(session, task, author):
    source = factories.make_source(session, task.claim, url=f"https://example.org/{task.id}")
    cite = [review.CitationInput(source.id, factories.SNAPSHOT[:40])]
    return review.submit_verdict(
        session, task.id, author, rating="false", rationale="r", citations=cite
    )


# --- give back, take next -------------------------------------------------------------


def test_a_task_given_back_is_not_handed_straight_back(session, make_user):
    first, second, third = waiting_tasks(session, make_user("ed", "editor"), 3)
    reviewer = make_user("rev")
    taken = []
    for _ in range(3):  # the report: give back, take next, four times the same task
        task = review.claim_next(session, reviewer, LEASE)
        taken.append(task.id)
        review.release(session, task.id, reviewer)
    assert taken == [first.id, second.id, third.id]


def test_given_back_tasks_come_back_when_nothing_else_waits_oldest_first(session, make_user):
    first, second = waiting_tasks(session, make_user("ed", "editor"), 2)
    reviewer = make_user("rev")
    now = utcnow()
    taken = []
    for minute in range(5):
        at = now + timedelta(seconds=minute)  # give-backs a second apart
        task = review.claim_next(session, reviewer, LEASE, now=at)
        taken.append(task.id)
        review.release(session, task.id, reviewer, now=at)
    # Never the one just given back while the other waits: they alternate.
    assert taken == [first.id, second.id, first.id, second.id, first.id]


def test_ten_minutes_later_a_given_back_task_is_in_its_place_again(session, make_user):
    first, second = waiting_tasks(session, make_user("ed", "editor"), 2)
    reviewer, other = make_user("rev"), make_user("other")
    review.release(session, review.claim_next(session, reviewer, LEASE).id, reviewer)
    # Only for the one who gave it back: another reviewer gets the queue's first.
    assert review.claim_next(session, other, LEASE).id == first.id
    review.release(session, first.id, other)
    now = utcnow()
    assert review.claim_next(session, reviewer, LEASE, now=now).id == second.id
    review.release(session, second.id, reviewer, now=now)
    later = now + queue.SKIP_MEMORY + timedelta(seconds=1)
    assert review.claim_next(session, reviewer, LEASE, now=later).id == first.id


def test_the_memory_of_give_backs_stays_small(session, make_user):
    tasks = waiting_tasks(session, make_user("ed", "editor"), 3)
    reviewer = make_user("rev")
    for task in tasks:
        review.take_task(session, task.id, reviewer, LEASE)
        review.release(session, task.id, reviewer)
    review.take_task(session, tasks[0].id, reviewer, LEASE)
    review.release(session, tasks[0].id, reviewer)  # again: one row per task, the latest
    assert session.scalar(select(func.count()).select_from(TaskSkip)) == 3
    forget_give_backs(session)
    review.take_task(session, tasks[1].id, reviewer, LEASE)
    review.release(session, tasks[1].id, reviewer)  # the old rows go
    assert session.scalars(select(TaskSkip.task_id)).all() == [tasks[1].id]


# --- take a chosen task -------------------------------------------------------------------


def test_a_reviewer_takes_the_task_they_choose(session, make_user):
    tasks = waiting_tasks(session, make_user("ed", "editor"), 3)
    reviewer = make_user("rev")
    taken = review.take_task(session, tasks[2].id, reviewer, LEASE)
    assert (taken.id, taken.state, taken.assignee_id) == (tasks[2].id, "leased", reviewer.id)
    assert taken.claim.status == "in_review"
    assert review.take_task(session, tasks[2].id, reviewer, LEASE) is taken  # a second click
    assert review.claim_next(session, reviewer, LEASE).id == tasks[0].id


def test_taking_a_task_that_is_not_yours_to_take_is_a_conflict(session, make_user):
    editor = make_user("boss", "admin")  # may submit essays and review
    (own,) = waiting_tasks(session, editor, 1)
    other_task, mine = waiting_tasks(session, make_user("ed", "editor"), 2)
    alice, bob = make_user("alice"), make_user("bob")
    with pytest.raises(Conflict, match="an essay you submitted"):
        review.take_task(session, own.id, editor, LEASE)
    review.take_task(session, other_task.id, alice, LEASE)
    with pytest.raises(Conflict, match="in hand"):
        review.take_task(session, other_task.id, bob, LEASE)
    verdict = submitted_verdict(session, other_task, alice)
    approval = session.scalar(select(ReviewTask).where(ReviewTask.verdict_id == verdict.id))
    with pytest.raises(Conflict, match="your own verdict"):
        review.take_task(session, approval.id, alice, LEASE)
    assert review.take_task(session, approval.id, bob, LEASE).kind == "approval"
    with pytest.raises(NotFound):
        review.take_task(session, 999_999, bob, LEASE)
    assert mine.state == "open"


# --- a returned verdict goes back to its author -------------------------------------------


def returned_to(session, make_user):
    """alice's verdict returned by bob; a third reviewer carol; other tasks wait."""
    tasks = waiting_tasks(session, make_user("ed", "editor"), 3)
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    verdict = submitted_verdict(
        session, review.take_task(session, tasks[2].id, alice, LEASE), alice
    )
    approval = session.scalar(select(ReviewTask).where(ReviewTask.verdict_id == verdict.id))
    review.take_task(session, approval.id, bob, LEASE)
    returned = review.return_verdict(session, approval.id, bob, "Check the date.", LEASE)
    return returned, tasks, alice, carol


def test_a_returned_verdict_goes_to_its_author_first(session, make_user):
    returned, _tasks, alice, _carol = returned_to(session, make_user)
    assert returned.reserved_for_id == alice.id
    assert returned.reserved_until > utcnow() + timedelta(seconds=LEASE - 60)
    # The least urgent task of the three, yet the author's next.
    assert review.claim_next(session, alice, LEASE).id == returned.id


def test_others_do_not_get_a_reserved_task_until_the_reservation_ends(session, make_user):
    returned, tasks, _alice, carol = returned_to(session, make_user)
    now = utcnow()
    got = [review.claim_next(session, carol, LEASE, now=now) for _ in range(3)]
    assert [task.id for task in got if task] == [tasks[0].id, tasks[1].id]
    with pytest.raises(Conflict, match="reserved for its verdict's author"):
        review.take_task(session, returned.id, carol, LEASE, now=now)
    later = returned.reserved_until + timedelta(seconds=1)
    assert review.claim_next(session, carol, LEASE, now=later).id == returned.id


def test_the_author_giving_a_returned_task_back_lets_anyone_take_it(session, make_user):
    returned, _tasks, alice, carol = returned_to(session, make_user)
    review.take_task(session, returned.id, alice, LEASE)
    review.release(session, returned.id, alice)
    assert returned.reserved_for_id is None
    assert review.take_task(session, returned.id, carol, LEASE).assignee_id == carol.id


# --- the list ----------------------------------------------------------------------------


def test_the_list_counts_and_lists_what_this_reviewer_may_take(session, make_user):
    returned, tasks, alice, carol = returned_to(session, make_user)
    essay_id = tasks[0].claim.essay_id
    other_essay = waiting_tasks(session, make_user("ed2", "editor"), 2, title="Second essay")
    other_ids = [task.id for task in other_essay]
    page = queue.queue_page(session, alice)
    assert page.counts == {"review": 4, "approval": 0, "returned": 1, "total": 5}
    listed = [item.task.id for item in page.items]
    assert sorted(listed) == sorted([returned.id, tasks[0].id, tasks[1].id, *other_ids])
    mine = next(item for item in page.items if item.task.id == returned.id)
    assert mine.returned_to_me and mine.essay_title == "Tiny essay"
    # carol does not see alice's reservation; the approver's list holds no approval of
    # their own verdicts.
    carol_page = queue.queue_page(session, carol)
    assert returned.id not in [item.task.id for item in carol_page.items]
    assert carol_page.counts["returned"] == 0 and carol_page.counts["total"] == 4
    by_essay = queue.queue_page(session, alice, essay_id=other_essay[0].claim.essay_id)
    assert [item.task.id for item in by_essay.items] == [t.id for t in other_essay]
    assert by_essay.counts["total"] == 2
    only_returned = queue.queue_page(session, alice, kind="returned", essay_id=essay_id)
    assert [item.task.id for item in only_returned.items] == [returned.id]
    reviews = queue.queue_page(session, alice, kind="review")
    assert sorted(item.task.id for item in reviews.items) == sorted(
        [tasks[0].id, tasks[1].id, *other_ids]
    )
    assert not any(item.returned_to_me for item in reviews.items)


def test_the_list_marks_what_i_gave_back(session, make_user):
    tasks = waiting_tasks(session, make_user("ed", "editor"), 2)
    reviewer = make_user("rev")
    review.release(session, review.claim_next(session, reviewer, LEASE).id, reviewer)
    items = queue.queue_page(session, reviewer).items
    assert [item.given_back_at is not None for item in items] == [True, False]
    assert tasks[0].id == items[0].task.id


def test_the_list_pages_through_every_task_once_in_queue_order(session, make_user):
    editor = make_user("ed", "editor")
    relaxed = waiting_tasks(session, editor, 3)
    urgent = waiting_tasks(session, editor, 2, deadline=utcnow() + timedelta(hours=1))
    ties = waiting_tasks(session, editor, 2, title="Ties")
    for task in ties:  # same priority and age: the id decides
        task.priority, task.created_at = relaxed[0].priority, relaxed[0].created_at
    session.flush()
    reviewer = make_user("rev")
    seen, after = [], None
    while True:
        page = queue.queue_page(session, reviewer, limit=2, after=after)
        seen += [item.task.id for item in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    in_order = []
    while task := review.claim_next(session, reviewer, LEASE):
        in_order.append(task.id)
    assert seen == in_order
    assert sorted(seen) == sorted(t.id for t in relaxed + urgent + ties)
    assert seen[:2] == [t.id for t in urgent]


def test_an_unknown_cursor_is_invalid_input(session, make_user):
    with pytest.raises(InvalidInput):
        queue.queue_page(session, make_user("rev"), after=424242)


def test_the_essays_with_waiting_tasks(session, make_user):
    editor = make_user("ed", "editor")
    one = waiting_tasks(session, editor, 1, title="One")
    three = waiting_tasks(session, editor, 3, title="Three")
    reviewer = make_user("rev")
    essays = queue.waiting_essays(session, reviewer)
    assert essays == [
        (three[0].claim.essay_id, "Three", 3),
        (one[0].claim.essay_id, "One", 1),
    ]
    assert queue.waiting_essays(session, editor) == []  # their own essays

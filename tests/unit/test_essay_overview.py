"""The essay list's counts, sorting and words, and the essay page's claim lines
(factcheck.essays.overview; the list through the desk, too)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from factcheck.accounts import services as accounts
from factcheck.claims.states import ClaimStatus
from factcheck.essays import overview
from factcheck.essays.models import Essay
from factcheck.essays.states import EssayStatus
from factcheck.review.models import Verdict
from factcheck.review.states import VerdictState
from tests import factories
from tests.factories import CAR_BOMBS, MINISTRY, OPINION, TINY_ESSAY
from tests.unit.pages import sign_in

A = ClaimStatus  # short, for the tables of counts below


def test_the_tally_leaves_out_what_needs_no_verdict():
    counts = {
        A.EXTRACTED: 1,
        A.GATHERING: 2,
        A.AWAITING_REVIEW: 3,
        A.IN_REVIEW: 1,
        A.AWAITING_APPROVAL: 2,
        A.APPROVED: 4,
        A.NOT_CHECKABLE: 19,
        A.DISCARDED: 17,
    }
    # To check: the claims the desk chose, whatever their status now.
    assert overview.tally(counts, chosen=11) == overview.Tally(to_check=11, checked=6, approved=4)
    assert overview.tally({}, chosen=0) == overview.Tally(0, 0, 0)


def essay_in(status: EssayStatus, **fields: object) -> Essay:
    fields.setdefault("hold_for_review", False)
    fields.setdefault("confirmed_at", None)
    return Essay(title="t", text="x", status=status, submitted_by_id=1, **fields)


def test_the_state_in_words_says_what_the_essay_waits_for():
    split = essay_in(EssayStatus.SPLIT)
    held = essay_in(EssayStatus.SPLIT, hold_for_review=True)
    words = overview.state_words
    assert words(essay_in(EssayStatus.SUBMITTED), {}, 0) == "being split into claims"
    assert words(held, {A.EXTRACTED: 3}, 0) == "waiting for an editor to confirm the claims"
    assert words(split, {A.GATHERING: 1, A.AWAITING_REVIEW: 2}, 2) == "gathering evidence"
    assert words(split, {A.AWAITING_REVIEW: 2, A.APPROVED: 1}, 3) == "in review: 1 of 3 approved"
    # Claims the desk did not choose are not waited for.
    assert words(split, {A.AWAITING_REVIEW: 2, A.APPROVED: 1}, 1) == "ready to publish"
    assert words(split, {A.APPROVED: 2, A.DISCARDED: 5}, 2) == "ready to publish"
    assert words(split, {A.NOT_CHECKABLE: 2}, 0) == "no claim chosen for checking"
    assert words(essay_in(EssayStatus.PUBLISHED), {}, 0) == "published"
    assert words(essay_in(EssayStatus.WITHDRAWN), {}, 0) == "withdrawn"
    assert all(status.value not in words(split, {A.APPROVED: 1}, 1) for status in EssayStatus)


def test_a_held_essay_is_not_working_until_confirmed():
    held = essay_in(EssayStatus.SPLIT, hold_for_review=True)
    assert overview.is_held(held) and not overview.is_working(held, {A.EXTRACTED: 3})
    confirmed = essay_in(EssayStatus.SPLIT, hold_for_review=True, confirmed_at=datetime.now(UTC))
    assert not overview.is_held(confirmed) and overview.is_working(confirmed, {A.GATHERING: 1})
    # While it is being split, even a held essay is worked on.
    assert overview.is_working(essay_in(EssayStatus.SUBMITTED, hold_for_review=True), {})


def test_the_page_polls_fast_while_working_slowly_while_in_review_else_never():
    split = essay_in(EssayStatus.SPLIT)
    held = essay_in(EssayStatus.SPLIT, hold_for_review=True)
    assert overview.polling(essay_in(EssayStatus.SUBMITTED), {}) == "fast"
    assert overview.polling(split, {A.GATHERING: 1, A.APPROVED: 1}) == "fast"
    assert overview.polling(split, {A.AWAITING_APPROVAL: 1, A.APPROVED: 1}) == "slow"
    assert overview.polling(split, {A.APPROVED: 2, A.DISCARDED: 1}) == "none"
    assert overview.polling(held, {A.EXTRACTED: 2, A.AWAITING_REVIEW: 1}) == "none"
    # Undecided claims waiting for the editor's triage reach no reviewer: nothing comes.
    waiting = {A.AWAITING_REVIEW: 3, A.APPROVED: 1}
    assert overview.polling(split, waiting, chosen={A.APPROVED: 1}) == "none"
    assert overview.polling(split, waiting, chosen={A.AWAITING_REVIEW: 1}) == "slow"


def test_claim_lines_count_sources_and_show_approved_ratings(session, make_user):
    essay = factories.make_essay(session, make_user("ed", "editor"))
    bombs = factories.make_claim(session, essay, CAR_BOMBS, A.APPROVED)
    ministry = factories.make_claim(session, essay, MINISTRY, A.AWAITING_REVIEW)
    opinion = factories.make_claim(session, essay, OPINION, A.NOT_CHECKABLE)
    for url in ("https://a.example/", "https://b.example/"):
        factories.make_source(session, bombs, url=url)
    factories.make_source(session, ministry)
    author = make_user("rev")
    for claim, state in ((bombs, VerdictState.APPROVED), (ministry, VerdictState.SUBMITTED)):
        session.add(
            Verdict(claim_id=claim.id, rating="mostly-false", rationale="r", state=state,
                    author_id=author.id)
        )  # fmt: skip
    session.flush()
    lines = overview.claim_lines(session, essay.id)
    assert list(lines) == [bombs.id, ministry.id, opinion.id]  # in the essay's order
    assert lines[bombs.id] == overview.ClaimLine(bombs.id, A.APPROVED, 2, "mostly-false")
    assert lines[ministry.id] == overview.ClaimLine(ministry.id, A.AWAITING_REVIEW, 1, None)
    assert lines[opinion.id] == overview.ClaimLine(opinion.id, A.NOT_CHECKABLE, 0, None)


def listed_titles(session, sort: str, limit: int = 10, page: int = 1) -> list[str]:
    rows, _ = overview.essay_list(session, sort, limit, page)
    return [row.essay.title for row in rows]


def three_essays(session, make_user) -> list[object]:
    """Essays "a" (by Zoe), "b" (no author), "c" (by adam), submitted in that order;
    "a" has a claim that changed last of all."""
    editor = make_user("ed", "editor")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = []
    for n, (title, author) in enumerate([("a", "Zoe"), ("b", None), ("c", "adam")]):
        essay = factories.make_essay(session, editor, title=title, author=author)
        essay.status_changed_at = start + timedelta(hours=n)
        made.append(essay)
    claim = factories.make_claim(session, made[0], CAR_BOMBS)
    claim.status_changed_at = start + timedelta(days=1)
    session.flush()
    return made


def test_the_list_sorts_by_author_submission_and_last_change(session, make_user):
    three_essays(session, make_user)
    assert listed_titles(session, "newest") == ["c", "b", "a"]
    assert listed_titles(session, "oldest") == ["a", "b", "c"]
    assert listed_titles(session, "author") == ["c", "a", "b"]  # no author last
    assert listed_titles(session, "changed") == ["a", "c", "b"]
    assert listed_titles(session, "nonsense") == ["c", "b", "a"]
    rows, _ = overview.essay_list(session, "changed", 10)
    assert rows[0].changed_at.replace(tzinfo=UTC) == datetime(2026, 1, 2, tzinfo=UTC)


def test_the_list_pages_keep_the_order(session, make_user):
    three_essays(session, make_user)
    first, more = overview.essay_list(session, "author", 2, 1)
    rest, more_after = overview.essay_list(session, "author", 2, 2)
    assert [r.essay.title for r in first + rest] == ["c", "a", "b"]
    assert more and not more_after


def test_the_desk_list_shows_counts_words_and_sort_links(client, people, database):
    with database.scope() as session:
        essay = factories.make_essay(
            session, accounts.user_by_name(session, "ed"), TINY_ESSAY, title="Tiny", author="F. Z."
        )
        factories.make_claim(session, essay, CAR_BOMBS, A.APPROVED)
        factories.make_claim(session, essay, MINISTRY, A.AWAITING_APPROVAL)
        factories.make_claim(session, essay, OPINION, A.DISCARDED)
    sign_in(client, "ed")
    page = client.get("/desk/essays?sort=author").text
    cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', page, re.S))
    assert cells["To check"] == "2" and cells["Checked"] == "2" and cells["Approved"] == "1"
    assert cells["Author"] == "F. Z." and "in review: 1 of 2 approved" in cells["State"]
    assert ">split<" not in page
    assert '<strong aria-current="true">author, A to Z</strong>' in page
    assert html.escape("/desk/essays?sort=changed") in page
    assert '<th scope="col" aria-sort="ascending">Author</th>' in page


def test_the_progress_gives_each_claims_line_and_says_when_held(client, people, database):
    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        essay = factories.make_essay(session, editor, TINY_ESSAY, hold_for_review=True)
        claim = factories.make_claim(session, essay, CAR_BOMBS, A.EXTRACTED)
        factories.make_source(session, claim)
    sign_in(client, "ed")
    progress = client.get(f"/desk/essays/{essay.id}/progress.json").json
    assert progress["held"] is True and progress["working"] is False
    assert progress["poll"] == "none"
    assert progress["counts"] == {"extracted": 1}
    assert progress["claims"] == [
        {
            "id": claim.id,
            "status": "extracted",
            "label": "extracted",
            "css_class": "status-extracted tone-new",
            "sources": 1,
            "rating": None,
            "rating_label": None,
        }
    ]
    page = client.get(f"/desk/essays/{essay.id}").text
    assert (
        'data-working="no" data-poll="none"' in page
        and "Held for the editor's confirmation" in page
    )
    assert client.get("/desk/essays/99999999/progress.json").status_code == 404


def test_triage_groups_rank_sentences_and_keep_a_sentences_claims_together():
    from factcheck.claims.models import Claim

    def claim(start: int, score: float, triage: str | None = None) -> Claim:
        return Claim(id=start, start=start, end=start + 5, text="x", kind="statistic",
                     checkworthiness=score, checkable=True, triage=triage,
                     status=A.AWAITING_REVIEW)  # fmt: skip

    sentences = [(0, 20), (20, 40), (40, 60)]
    first, part, best, low = claim(0, 0.02), claim(10, 0.001), claim(20, 0.3), claim(40, 0.0)
    claims = [first, part, best, low]
    ranked = overview.triage_groups(claims, sentences, overview.TriageFilters())
    assert ranked == [[best], [first, part], [low]]
    in_order = overview.triage_groups(claims, sentences, overview.TriageFilters(sort="order"))
    assert in_order == [[first, part], [best], [low]]
    medium = overview.TriageFilters(band="medium")
    assert overview.triage_groups(claims, sentences, medium) == [[first]]
    best.triage = "opinion"
    assert overview.decision_words(best) == "not checked: opinion"
    assert overview.decisions(claims) == overview.Decisions(0, 1, 3)

"""The full editorial flow, written once and run against any way of reaching the API.

Unit tests drive it through Flask's test client with tasks run in order;
integration tests through real HTTP against `factcheck up` on each stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from xml.etree import ElementTree

from flask.testing import FlaskClient

from factcheck.publishing import exports
from factcheck.publishing.claimreview import shorten
from tests.conftest import SEED_ESSAY
from tests.factories import TINY_ESSAY
from tests.wording import keeps_the_span

ESSAY = {
    "title": "The Next Step? Think Vietnam.",
    "text": SEED_ESSAY,
    "author": "Fareed Zakaria",
    "url": "https://www.newsweek.com/2006/11/26/the-next-step-think-vietnam.html",
    "publisher": "Newsweek",
    "medium": "print",
    "published_at": "2006-11-27",
}
# Where it appeared, as its ClaimReviews say (itemReviewed.appearance, firstAppearance).
APPEARANCE = {
    "@type": "CreativeWork",
    "headline": ESSAY["title"],
    "url": ESSAY["url"],
    "author": {"@type": "Person", "name": ESSAY["author"]},
    "publisher": {"@type": "Organization", "name": ESSAY["publisher"]},
    "datePublished": ESSAY["published_at"],
}
# The same essay cut to three sentences, for tests that need an essay, not this one.
SHORT_ESSAY = {**ESSAY, "text": TINY_ESSAY}
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    text: str


class Caller(Protocol):
    def __call__(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> Reply: ...


def caller_for(client: FlaskClient) -> Caller:
    """A Caller that reaches the API through Flask's test client."""

    def call(method: str, path: str, token: str | None = None, body: Any = None) -> Reply:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.open(path, method=method, json=body, headers=headers)
        return Reply(
            response.status_code,
            response.get_json(silent=True),
            dict(response.headers),
            response.get_data(as_text=True),
        )

    return call


CHOSEN = 5  # the claims the editor chooses to check (issue 15: five, not all 30)


def full_flow(
    call: Caller,
    tokens: dict[str, str],
    wait_until_gathered: Callable[[int], dict[str, Any]],
) -> dict[str, Any]:
    """Submit the seed essay waiting for triage, check the five most check-worthy
    claims and mark the rest not checked, review and approve the five, publish, and
    check the reader page; return what a caller may check further."""
    editor, first, second = tokens["editor"], tokens["reviewer1"], tokens["reviewer2"]
    created = call("POST", "/api/v1/essays", editor, {**ESSAY, "triage_default": "wait"})
    assert created.status == 201, created.body
    essay_id = created.body["id"]
    assert created.headers["Location"].endswith(f"/api/v1/essays/{essay_id}")

    essay = wait_until_gathered(essay_id)
    claims = call("GET", f"/api/v1/essays/{essay_id}/claims", editor).body
    checkable = [c for c in claims if c["checkable"]]
    # Evidence is gathered for every checkable claim; nobody is asked to review any yet.
    assert checkable and essay["claim_counts"]["awaiting_review"] == len(checkable)
    # Each claim's text stands alone; its span is the essay's own words, which the
    # reader marks. Most are the same; a repaired one keeps the span's words but the
    # pronouns and joining words it replaces (a relative clause gets its antecedent).
    spans = {c["text"]: ESSAY["text"][c["start"] : c["end"]] for c in claims}
    assert sum(text == span for text, span in spans.items()) > len(claims) // 2
    assert all(keeps_the_span(text, span) for text, span in spans.items())
    assert spans["The Ministry of Health is run by one of Moqtada al-Sadr's followers."] == (
        "which is run by one of Moqtada al-Sadr's followers."
    )
    assert not {"The Next Step?", "Think Vietnam."} & {c["text"] for c in claims}
    assert call("POST", "/api/v1/queue/next", first).status == 204

    chosen = triage(call, editor, essay_id, {"action": "check", "top": CHOSEN})
    assert chosen["changed"] == CHOSEN
    ranked = sorted(checkable, key=lambda c: (-c["checkworthiness"], c["start"]))[:CHOSEN]
    assert {c["id"] for c in chosen["claims"]} == {c["id"] for c in ranked}
    rest = triage(
        call,
        editor,
        essay_id,
        {"action": "do_not_check", "reason": "not_worth_checking", "undecided": True},
    )
    assert rest["changed"] == len(checkable) - CHOSEN

    for _ in range(CHOSEN):
        review_one(call, first)
    assert call("POST", "/api/v1/queue/next", first).status == 204

    refused = call("POST", f"/api/v1/essays/{essay_id}/publish", editor)
    assert refused.status == 409 and len(refused.body["unfinished"]) == CHOSEN
    assert all(
        c["url"].endswith(f"/desk/essays/{essay_id}#claim-{c['id']}")
        for c in refused.body["unfinished"]
    )

    for _ in range(CHOSEN):
        approval = call("POST", "/api/v1/queue/next", second)
        assert approval.status == 200 and approval.body["kind"] == "approval"
        approved = approve(call, approval.body, second)
        assert approved.status == 200, approved.body

    published = call("POST", f"/api/v1/essays/{essay_id}/publish", editor)
    assert published.status == 201 and published.body["version"] == 1
    page_path = "/" + published.body["url"].split("/", 3)[3]
    page = call("GET", page_path)
    assert page.status == 200
    check_reader_page(page.text, chosen["claims"])
    assert 'id="not-checked"' in page.text
    return {"essay_id": essay_id, "page": page.text, "claims": claims}


def triage(call: Caller, editor: str, essay_id: int, body: dict[str, Any]) -> dict[str, Any]:
    answer = call("POST", f"/api/v1/essays/{essay_id}/triage", editor, body)
    assert answer.status == 200, answer.body
    return answer.body


def approve(call: Caller, task: dict[str, Any], approver: str) -> Reply:
    """Approve the verdict of a leased approval ``task`` at the version it showed."""
    body = {"version": task["verdict"]["version"]}
    return call("POST", f"/api/v1/tasks/{task['id']}/approve", approver, body)


def review_one(call: Caller, reviewer: str) -> None:
    """Lease the next task and submit a verdict citing its best source."""
    task = call("POST", "/api/v1/queue/next", reviewer)
    assert task.status == 200 and task.body["kind"] == "review", task.body
    claim_id = task.body["claim"]["id"]
    sources = call("GET", f"/api/v1/claims/{claim_id}/sources", reviewer).body
    if sources:
        citation = {"source_id": sources[0]["id"], "quote": sources[0]["snippet"][:80]}
    else:
        manual = call(
            "POST",
            f"/api/v1/claims/{claim_id}/sources",
            reviewer,
            {"url": "https://example.org/a", "title": "A", "text": "A passage read by hand."},
        )
        assert manual.status == 201, manual.body
        citation = {"source_id": manual.body["id"], "quote": "read by hand"}
    verdict = call(
        "POST",
        f"/api/v1/tasks/{task.body['id']}/verdict",
        reviewer,
        {"rating": "half-true", "rationale": "Partly supported.", "citations": [citation]},
    )
    assert verdict.status == 201, verdict.body


def check_reader_page(html: str, checkable: list[dict[str, Any]]) -> None:
    reviews = [json.loads(block) for block in JSON_LD.findall(html)]
    assert len(reviews) == len(checkable)
    texts = {shorten(c["text"]) for c in checkable}
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] in texts
        assert review["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Half true",
            "ratingValue": 3,
            "bestRating": 5,
            "worstRating": 1,
        }
        assert review["author"]["@type"] == "Organization" and review["author"]["name"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", review["datePublished"])
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["author"] == {"@type": "Person", "name": ESSAY["author"]}
        assert item["appearance"] == item["firstAppearance"] == APPEARANCE
        assert item["datePublished"] == ESSAY["published_at"]
        # The review's address is the claim's own page, and the card links to it.
        path = re.fullmatch(r"https?://[^/]+(/fact-checks/\d+/claims/(\d+))", review["url"])
        assert path, review["url"]
        assert f'id="claim-{path[2]}"' in html and f'href="{path[1]}"' in html


def one_claim_essay(session: Any, editor_name: str) -> int:
    """The tiny essay with one claim to check (with a source and an open review task);
    its id. Made from rows, as gathering leaves it."""
    from factcheck.accounts.services import user_by_name
    from tests import factories

    essay = factories.make_essay(session, user_by_name(session, editor_name), **ESSAY_FIELDS)
    claim = factories.make_claim(session, essay, factories.CAR_BOMBS)
    factories.make_source(session, claim)
    factories.make_review_task(session, claim)
    return essay.id


ESSAY_FIELDS = {"author": ESSAY["author"], "url": ESSAY["url"]}


def everything_public(client: FlaskClient, essay_id: int, versions: list[int]) -> dict[str, str]:
    """Each public thing that shows a version: pages, API, every export, the feed."""
    call = caller_for(client)
    served = {f"/fact-checks/{essay_id}": client.get(f"/fact-checks/{essay_id}").text}
    for version in versions:
        path = f"/fact-checks/{essay_id}/versions/{version}"
        served[path] = client.get(path).text
        path = f"/api/v1/publications/{version}"  # one essay: ids follow its versions
        served[path] = json.dumps(call("GET", path).body)
    for entry in exports.EXPORTERS.values():
        path = f"/fact-checks/{entry.suffix if entry.collection else f'{essay_id}.{entry.suffix}'}"
        served[path] = client.get(path).text
    return served


def withdrawal_takes_every_version_down(
    client: FlaskClient, editor: str, essay_id: int, claim_id: int
) -> None:
    """Withdraw the fact-check of ``essay_id``, published once with every verdict
    "Half true" and "Partly supported." (``review_one``): every version up to the
    withdrawal keeps only the note and the fact of the withdrawal, wherever it is
    served; publishing again shows the verdicts in the new version only."""
    call = caller_for(client)
    note = {"note": "The essay was retracted by its publisher."}
    assert call("POST", f"/api/v1/essays/{essay_id}/withdraw", editor, note).status == 201
    for path, text in everything_public(client, essay_id, [1, 2]).items():
        assert "Partly supported." not in text and "Half true" not in text, path
        assert "half-true" not in text, path
    for version in (1, 2):
        body = call("GET", f"/api/v1/publications/{version}").body
        assert (body["content"], body["claim_reviews"]) == (None, [])
        page = client.get(f"/fact-checks/{essay_id}/versions/{version}").text
        assert "retracted by its publisher" in page
        assert 'name="robots" content="noindex"' in page
    feed = ElementTree.fromstring(client.get("/fact-checks/feed.atom").data)
    summaries = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}summary")]
    assert all("retracted by its publisher" in summary for summary in summaries)
    assert client.get(f"/fact-checks/{essay_id}/claims/{claim_id}").status_code == 410

    again = {"note": "Published again: the publisher restored the essay."}
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", editor, again).status == 201
    served = everything_public(client, essay_id, [1, 2, 3])
    assert "Partly supported." in served[f"/fact-checks/{essay_id}"]  # version 3
    assert call("GET", "/api/v1/publications/3").body["content"] is not None
    for path in (f"/fact-checks/{essay_id}/versions/1", "/api/v1/publications/1"):
        assert "Partly supported." not in served[path], path


def bypass_attempt(call: Caller, tokens: dict[str, str], essay_id: int) -> None:
    """The author tries to change a verdict while a second reviewer holds its approval
    (issue 14's reproduction): only a withdrawal can, which cancels that approval;
    the approver's stale approval is a 409, and the reader page shows only what the
    approver approved."""
    editor, author, approver = tokens["editor"], tokens["reviewer1"], tokens["reviewer2"]
    task = call("POST", "/api/v1/queue/next", author)
    assert task.status == 200 and task.body["kind"] == "review", task.body
    source = call("GET", f"/api/v1/claims/{task.body['claim']['id']}/sources", author).body[0]
    citations = [{"source_id": source["id"], "quote": source["snippet"][:40]}]
    rated = {"rating": "mostly-true", "rationale": "Close enough.", "citations": citations}
    submitted = call("POST", f"/api/v1/tasks/{task.body['id']}/verdict", author, rated)
    assert submitted.status == 201, submitted.body
    verdict_id = submitted.body["id"]

    held = call("POST", "/api/v1/queue/next", approver)
    assert held.status == 200 and held.body["verdict"]["rating"] == "mostly-true", held.body
    refused = call("POST", f"/api/v1/verdicts/{verdict_id}/withdraw", approver)
    assert refused.status == 403, refused.body  # only the author may withdraw it

    withdrawn = call("POST", f"/api/v1/verdicts/{verdict_id}/withdraw", author)
    assert withdrawn.status == 200 and withdrawn.body["kind"] == "review", withdrawn.body
    assert withdrawn.body["state"] == "leased"
    again = call("POST", f"/api/v1/verdicts/{verdict_id}/withdraw", author)
    assert again.status == 409, again.body
    changed = {**rated, "rating": "false", "rationale": "The toll was 215, not 200."}
    draft = {**changed, "version": submitted.body["version"]}
    saved = call("PUT", f"/api/v1/tasks/{withdrawn.body['id']}/draft", author, draft)
    assert saved.status == 200 and saved.body["state"] == "draft", saved.body
    resubmitted = call("POST", f"/api/v1/tasks/{withdrawn.body['id']}/verdict", author, changed)
    assert resubmitted.status == 201 and resubmitted.body["id"] == verdict_id, resubmitted.body

    stale = approve(call, held.body, approver)
    assert stale.status == 409 and "withdrawn" in stale.body["detail"], stale.body
    claims = call("GET", f"/api/v1/essays/{essay_id}/claims", editor).body
    assert [c["status"] for c in claims] == ["awaiting_approval"]
    assert call("POST", "/api/v1/queue/next", author).status == 204  # never their own

    fresh = call("POST", "/api/v1/queue/next", approver)
    assert fresh.body["kind"] == "approval" and fresh.body["verdict"]["rating"] == "false"
    shown = fresh.body["verdict"]["version"]
    outdated = call(
        "POST", f"/api/v1/tasks/{fresh.body['id']}/approve", approver, {"version": shown - 1}
    )
    assert outdated.status == 409 and outdated.body["current_version"] == shown, outdated.body
    approved = approve(call, fresh.body, approver)
    assert approved.status == 200 and approved.body["rating"] == "false", approved.body

    published = call("POST", f"/api/v1/essays/{essay_id}/publish", editor)
    assert published.status == 201, published.body
    page = call("GET", "/" + published.body["url"].split("/", 3)[3]).text
    ratings = [
        json.loads(block)["reviewRating"]["alternateName"] for block in JSON_LD.findall(page)
    ]
    assert ratings == ["False"]
    assert "Mostly true" not in page

"""Publishing: ClaimReview read by a real structured-data extractor, hostile content
kept inert in every format, versions, corrections, withdrawal, feed and exports."""

from __future__ import annotations

import csv
import io
import json
import re
from xml.etree import ElementTree

import extruct
import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.publishing import exports
from factcheck.publishing.claimreview import shorten
from factcheck.publishing.snapshot import SCHEMA_VERSION, Snapshot
from factcheck.review.models import Verdict
from factcheck.review.stats import desk_stats
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.desk import DeskConnector
from tests.flow import (
    APPEARANCE,
    ESSAY,
    JSON_LD,
    SHORT_ESSAY,
    approve,
    caller_for,
    review_one,
    withdrawal_takes_every_version_down,
)
from tests.unit.conftest import auth

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> [x](javascript:alert(3))'
SCRIPT_SAFE = re.compile(r"<script(?![^>]*application/ld\+json)", re.I)


@pytest.fixture
def desk(client, token, queue):
    """An essay published with every checkable claim rated half-true."""
    tokens = {
        n: token(n, r)
        for n, r in [("editor", "editor"), ("reviewer1", "reviewer"), ("reviewer2", "reviewer")]
    }
    call = caller_for(client)
    essay_id = call("POST", "/api/v1/essays", tokens["editor"], SHORT_ESSAY).body["id"]
    queue.run_all()
    claims = call("GET", f"/api/v1/essays/{essay_id}/claims", tokens["editor"]).body
    checkable = [c for c in claims if c["checkable"]]
    for _ in checkable:
        review_one(call, tokens["reviewer1"])
    approve_all(call, tokens["reviewer2"])
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", tokens["editor"]).status == 201
    return {
        "call": call,
        "tokens": tokens,
        "essay_id": essay_id,
        "checkable": checkable,
        "client": client,
    }


def approve_all(call, token: str) -> None:
    while (task := call("POST", "/api/v1/queue/next", token)).status == 200:
        assert approve(call, task.body, token).status == 200


BASE_URL = "http://127.0.0.1:8000"  # FACTCHECK_BASE_URL's default: every link starts here


def json_ld(html: str, url: str) -> list[dict]:
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=True)
    return data["json-ld"]


def check_claim_review(review: dict, claim: dict, page_html: str) -> None:
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == shorten(claim["text"])
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Half true",
    }
    assert review["author"] == {
        "@type": "Organization",
        "name": "factcheck desk",
        "url": BASE_URL,  # FACTCHECK_ORG_URL defaults to the base URL
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", review["datePublished"])
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "author": {"@type": "Person", "name": ESSAY["author"]},
        "datePublished": ESSAY["published_at"],
        "appearance": APPEARANCE,
        "firstAppearance": APPEARANCE,
    }
    path = review["url"].removeprefix(BASE_URL)
    assert re.fullmatch(r"/fact-checks/\d+/claims/\d+", path), review["url"]
    assert f'id="claim-{path.rsplit("/", 1)[1]}"' in page_html


def test_every_claim_review_on_the_essay_page_and_its_permalink(desk):
    client, essay_id = desk["client"], desk["essay_id"]
    page = client.get(f"/fact-checks/{essay_id}").text
    reviews = json_ld(page, f"http://localhost/fact-checks/{essay_id}")
    by_text = {shorten(c["text"]): c for c in desk["checkable"]}
    assert len(reviews) == len(desk["checkable"])
    for review in reviews:
        claim = by_text[review["claimReviewed"]]
        check_claim_review(review, claim, page)
        permalink = f"/fact-checks/{essay_id}/claims/{claim['id']}"
        assert review["url"] == BASE_URL + permalink  # the claim's own page
        assert f'href="{permalink}"' in page
        single = client.get(permalink).text
        [own] = json_ld(single, "http://localhost" + permalink)
        check_claim_review(own, claim, single)
        assert own["url"] == BASE_URL + permalink


def test_claim_reviewed_is_shortened_only_past_75_characters():
    short = "Car bombs killed more than 200 people in Sadr City."
    assert shorten(short) == short
    long = "Badr's Bayan Jabr built the death squads when he ran the ministry and more besides."
    cut = shorten(long)
    assert cut.endswith("…") and len(cut) <= 75 and long.startswith(cut[:-1])
    assert not cut[:-1].endswith(" ")


def test_a_rating_off_the_scale_carries_its_name_only(client, token, queue):
    from factcheck.publishing.claimreview import _rating

    assert _rating("unverifiable") == {"@type": "Rating", "alternateName": "Unverifiable"}
    assert _rating("false")["ratingValue"] == 1


def test_hostile_text_stays_inert_on_every_page_and_export(client, token, queue):
    editor, first, second = token("ed", "editor"), token("r1", "reviewer"), token("r2", "reviewer")
    call = caller_for(client)
    essay = {
        "title": f"Title {HOSTILE}",
        "author": f"Author {HOSTILE}",
        "text": f"The ministry said 200 people died on Thursday. {HOSTILE}",
    }
    essay_id = call("POST", "/api/v1/essays", editor, essay).body["id"]
    queue.run_all()
    claims = call("GET", f"/api/v1/essays/{essay_id}/claims", editor).body
    for _ in [c for c in claims if c["status"] == "awaiting_review"]:
        task = call("POST", "/api/v1/queue/next", first).body
        source = call(
            "POST",
            f"/api/v1/claims/{task['claim']['id']}/sources",
            first,
            {
                "url": "https://example.org/page",
                "title": f"Source {HOSTILE}",
                "publisher": f'=HYPERLINK("http://evil") {HOSTILE}',
                "text": f"Passage {HOSTILE}",
            },
        ).body
        verdict = call(
            "POST",
            f"/api/v1/tasks/{task['id']}/verdict",
            first,
            {
                "rating": "false",
                "rationale": f"Because {HOSTILE}",
                "citations": [
                    {"source_id": source["id"], "quote": "Passage <script>alert(1)</script>"}
                ],
            },
        )
        assert verdict.status == 201, verdict.body
    approve_all(call, second)
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", editor).status == 201
    pages = [f"/fact-checks/{essay_id}", f"/fact-checks/{essay_id}/versions/1"]
    pages += [f"/fact-checks/{essay_id}/claims/{c['id']}" for c in claims if c["checkable"]]
    desk = auth(editor)
    for path in pages:
        html = client.get(path).text
        assert not SCRIPT_SAFE.search(html), path
        assert "<img" not in html and 'href="javascript:' not in html.lower(), path
        assert "&lt;script&gt;" in html, path
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in block  # JSON-LD escapes < so no tag can close the script early
    markdown = client.get(f"/fact-checks/{essay_id}.md").text
    # Read by a CommonMark renderer, the text makes no tag and no link: its "<", "["
    # and "]" are backslashed (and only what Markdown reads as markup is).
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in rendered and "<img" not in rendered
    assert 'href="javascript' not in rendered.lower() and "&lt;script&gt;" in rendered
    exported = json.loads(client.get(f"/fact-checks/{essay_id}.json").text)
    assert exported["content"]["essay"]["title"] == essay["title"]  # kept exactly, as data
    assert r"\<script>" in markdown  # a lone ">" needs no escape
    feed = client.get("/fact-checks/feed.atom").data
    assert b"<script>" not in feed and ElementTree.fromstring(feed) is not None
    table = client.get("/api/v1/exports/verdicts.csv", headers=desk)
    assert table.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert rows and all(not row["essay_title"].startswith("=") for row in rows)


def test_correction_flow_versions_log_and_feed(desk, database):
    call, tokens, client, essay_id = desk["call"], desk["tokens"], desk["client"], desk["essay_id"]
    claim = desk["checkable"][0]
    no_note = call("POST", f"/api/v1/claims/{claim['id']}/reopen", tokens["editor"], {"note": " "})
    assert no_note.status == 422
    reopened = call(
        "POST",
        f"/api/v1/claims/{claim['id']}/reopen",
        tokens["editor"],
        {"note": "The toll was 215, not 200."},
    )
    assert reopened.status == 201
    refused = call("POST", f"/api/v1/essays/{essay_id}/publish", tokens["editor"])
    assert refused.status == 409 and [c["id"] for c in refused.body["unfinished"]] == [claim["id"]]
    task = call("POST", "/api/v1/queue/next", tokens["reviewer1"]).body
    assert task["claim"]["id"] == claim["id"] and task["comment"].startswith("Correction:")
    sources = call("GET", f"/api/v1/claims/{claim['id']}/sources", tokens["reviewer1"]).body
    call(
        "POST",
        f"/api/v1/tasks/{task['id']}/verdict",
        tokens["reviewer1"],
        {
            "rating": "mostly-false",
            "rationale": "Corrected.",
            "citations": [{"source_id": sources[0]["id"], "quote": sources[0]["snippet"][:40]}],
        },
    )
    approve_all(call, tokens["reviewer2"])
    republished = call("POST", f"/api/v1/essays/{essay_id}/publish", tokens["editor"])
    assert republished.status == 201 and republished.body["version"] == 2

    current = client.get(f"/fact-checks/{essay_id}").text
    assert re.search(r"Corrected on \d{4}-\d{2}-\d{2}: The toll was 215, not 200\.", current)
    first = client.get(f"/fact-checks/{essay_id}/versions/1").text
    assert "This is version 1" in first and not JSON_LD.search(first)
    card = re.search(rf'id="claim-{claim["id"]}".*?</article>', current, re.S).group(0)
    assert "Mostly false" in card
    old_card = re.search(rf'id="claim-{claim["id"]}".*?</article>', first, re.S).group(0)
    assert "Half true" in old_card
    feed = ElementTree.fromstring(client.get("/fact-checks/feed.atom").data)
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(t.startswith("Correction:") and "(version 2)" in t for t in titles)
    publication = client.get(f"/api/v1/essays/{essay_id}", headers=auth(tokens["editor"]))
    assert publication.json["status"] == "published"

    # The replaced verdict stays in the history, out of the desk's counts and exports.
    with database.scope() as session:
        states = session.execute(
            select(Verdict.rating, Verdict.state)
            .where(Verdict.claim_id == claim["id"], Verdict.state != "draft")
            .order_by(Verdict.id)
        ).all()
        stats = desk_stats(session)
    by_rating = dict(stats.verdicts_by_rating)
    assert states == [("half-true", "superseded"), ("mostly-false", "approved")]
    # Today: each claim gathered once (the reopened one is not gathered again), and
    # every approval counted, the replaced one too.
    _, gathered, approved = stats.per_day[-1]
    assert (gathered, approved) == (len(desk["checkable"]), len(desk["checkable"]) + 1)
    assert by_rating["Mostly false"] == 1
    assert by_rating["Half true"] == len(desk["checkable"]) - 1
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/exports/verdicts.csv", headers=auth(tokens["editor"])).text
            )
        )
    )
    assert [r["rating"] for r in rows if r["claim_id"] == str(claim["id"])] == ["mostly-false"]
    # Another claim's search meets only the current verdict.
    query = ClaimQuery(claim_id=0, text=claim["text"], start=0, end=len(claim["text"]))
    found = DeskConnector(database, "http://desk.example").find(query)
    mine = [f.title for f in found if f.url.endswith(f"#claim-{claim['id']}")]
    assert mine and all(title.startswith("Our verdict: Mostly false") for title in mine)


def test_withdrawal_keeps_the_url_with_a_notice(desk):
    call, tokens, client, essay_id = desk["call"], desk["tokens"], desk["client"], desk["essay_id"]
    assert call("POST", f"/api/v1/essays/{essay_id}/withdraw", tokens["editor"], {}).status == 422
    withdrawn = call(
        "POST",
        f"/api/v1/essays/{essay_id}/withdraw",
        tokens["editor"],
        {"note": "The essay was retracted by its publisher."},
    )
    assert withdrawn.status == 201
    page = client.get(f"/fact-checks/{essay_id}")
    assert page.status_code == 200
    assert "Withdrawn on" in page.text and "retracted by its publisher" in page.text
    assert not JSON_LD.search(page.text) and 'name="robots" content="noindex"' in page.text
    assert client.get(f"/fact-checks/{essay_id}/versions/1").status_code == 200
    again = call("POST", f"/api/v1/essays/{essay_id}/withdraw", tokens["editor"], {"note": "x"})
    assert again.status == 409


def test_publication_json_and_markdown(desk):
    client, essay_id = desk["client"], desk["essay_id"]
    listing = caller_for(client)("GET", "/api/v1/publications/1")
    assert listing.status == 200
    body = listing.body
    assert body["essay_id"] == essay_id and body["version"] == 1 and body["versions"] == [1]
    assert len(body["claim_reviews"]) == len(desk["checkable"])
    assert caller_for(client)("GET", "/api/v1/publications/999").status == 404
    markdown = client.get(f"/fact-checks/{essay_id}.md")
    assert markdown.mimetype == "text/markdown"
    assert markdown.text.count("## Half true:") == len(desk["checkable"])


def test_every_registered_export_is_served_from_the_published_snapshot(desk):
    client, essay_id = desk["client"], desk["essay_id"]
    page = client.get(f"/fact-checks/{essay_id}").text
    for entry in exports.EXPORTERS.values():
        if entry.collection:
            path = f"/fact-checks/{entry.suffix}"
        else:
            path = f"/fact-checks/{essay_id}.{entry.suffix}"
            assert f'href="{path}"' in page, f"the reader page does not offer {path}"
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.mimetype == entry.media_type, path
        assert answer.data, path
    # The page embeds the ClaimReviews the JSON-LD export serves, and the JSON export
    # carries the snapshot the API shows.
    # The export adds a schema.org Claim, with no rating, for each claim not checked.
    embedded = [json.loads(block) for block in JSON_LD.findall(page)]
    served = json.loads(client.get(f"/fact-checks/{essay_id}.jsonld").text)
    assert embedded == served[: len(embedded)]
    assert len(embedded) == len(desk["checkable"])
    assert {item["@type"] for item in served[len(embedded) :]} <= {"Claim"}
    exported = json.loads(client.get(f"/fact-checks/{essay_id}.json").text)
    publication = caller_for(client)("GET", "/api/v1/publications/1").body
    assert exported["content"] == publication["content"]
    assert Snapshot.model_validate(exported["content"]).schema_version == SCHEMA_VERSION
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/fact-checks/verdicts.csv").text)))
    assert len([row for row in csv_rows if row["rating"]]) == len(desk["checkable"])
    assert all(row["not_checked"] for row in csv_rows if not row["rating"])


def test_a_withdrawn_fact_check_exports_no_verdicts(desk):
    call, tokens, client, essay_id = desk["call"], desk["tokens"], desk["client"], desk["essay_id"]
    note = {"note": "Retracted."}
    assert call("POST", f"/api/v1/essays/{essay_id}/withdraw", tokens["editor"], note).status == 201
    exported = json.loads(client.get(f"/fact-checks/{essay_id}.json").text)
    assert exported["kind"] == "withdrawal" and exported["content"] is None
    assert json.loads(client.get(f"/fact-checks/{essay_id}.jsonld").text) == []
    assert "## " not in client.get(f"/fact-checks/{essay_id}.md").text
    table = client.get("/fact-checks/verdicts.csv").text
    assert list(csv.reader(io.StringIO(table))) == [exports.CSV_COLUMNS]


def test_a_withdrawal_takes_every_earlier_version_down(desk):
    editor, claim_id = desk["tokens"]["editor"], desk["checkable"][0]["id"]
    withdrawal_takes_every_version_down(desk["client"], editor, desk["essay_id"], claim_id)


def test_exports_need_an_editor(client, token):
    assert client.get("/api/v1/exports/verdicts.csv").status_code == 401
    reviewer = token("rev", "reviewer")
    assert client.get("/api/v1/exports/verdicts.csv", headers=auth(reviewer)).status_code == 403


def test_reviewer_names_can_be_kept_off_the_page(desk, database, settings):
    from factcheck.publishing import services as publishing

    with database.scope() as session:
        editor = accounts.user_by_name(session, "editor")
        publication = publishing.publish(
            session,
            desk["essay_id"],
            editor,
            publishing.Masthead("Desk", "https://desk.example", reviewer_names=False),
            note="n",
            base_url=settings.base_url,
        )
        verdict = next(c["verdict"] for c in publication.content["claims"] if c["verdict"])
        stored = publication.content
    assert verdict["reviewed_by"] == verdict["approved_by"] == "the desk"
    # What publish stores is the snapshot model's own dump, version and all.
    assert stored["schema_version"] == SCHEMA_VERSION
    assert Snapshot.model_validate(stored).model_dump(mode="json") == stored


def test_webhooks_announce_publication_correction_and_withdrawal(client, token, queue, monkeypatch):
    """A signed delivery per event reaches a local receiver; a 500 is retried later."""
    import json as json_module
    from datetime import timedelta

    from factcheck.db import utcnow
    from factcheck.settings import get_settings
    from factcheck.webhooks import services as webhooks
    from factcheck.webhooks.tasks import deliver_webhook
    from tests.localserver import Answer, LocalServer

    answers = iter([Answer(500, b"busy")])  # the first delivery fails once
    received = []

    def receive(request):
        received.append(request)
        return next(answers, Answer(204, b""))

    with LocalServer() as receiver:
        receiver.route("/hook", receive)
        monkeypatch.setenv("FACTCHECK_HTTP_ALLOW_HOSTS", receiver.host)
        get_settings.cache_clear()
        admin = token("boss", "admin")
        hook = client.post(
            "/api/v1/webhooks",
            headers=auth(admin),
            json={
                "url": receiver.url("/hook"),
                "events": [
                    "publication.published",
                    "publication.corrected",
                    "publication.withdrawn",
                ],
            },
        )
        assert hook.status_code == 201
        secret = hook.json["secret"]

        call = caller_for(client)
        editor, r1, r2 = token("ed", "editor"), token("r1", "reviewer"), token("r2", "reviewer")
        essay_id = call("POST", "/api/v1/essays", editor, SHORT_ESSAY).body["id"]
        queue.run_all()
        claims = call("GET", f"/api/v1/essays/{essay_id}/claims", editor).body
        for _ in [c for c in claims if c["status"] == "awaiting_review"]:
            review_one(call, r1)
        approve_all(call, r2)
        assert call("POST", f"/api/v1/essays/{essay_id}/publish", editor).status == 201
        queue.run_all()  # the delivery: the receiver answers 500
        assert [r.headers["x-factcheck-event"] for r in received] == ["publication.published"]
        log = client.get(f"/api/v1/webhooks/{hook.json['id']}/deliveries", headers=auth(admin)).json
        assert log[0]["state"] == "pending" and log[0]["last_status"] == 500

        later = utcnow() + timedelta(hours=2)
        with client.application.extensions["factcheck.database"].scope() as session:
            due = webhooks.due_deliveries(session, later)
        assert due == [log[0]["id"]]
        monkeypatch.setattr(webhooks, "utcnow", lambda: later, raising=False)
        deliver_webhook.run(due[0])
        withdrawn = call("POST", f"/api/v1/essays/{essay_id}/withdraw", editor, {"note": "Gone."})
        assert withdrawn.status == 201
        queue.run_all()
    events = [r.headers["x-factcheck-event"] for r in received]
    assert events == ["publication.published", "publication.published", "publication.withdrawn"]
    for request in received:
        headers = request.headers
        assert webhooks.verify(
            secret, headers["x-factcheck-timestamp"], request.body, headers["x-factcheck-signature"]
        )
    payload = json_module.loads(received[-1].body)
    assert payload["type"] == "publication.withdrawn" and payload["data"]["essay_id"] == essay_id
    log = client.get(f"/api/v1/webhooks/{hook.json['id']}/deliveries", headers=auth(admin)).json
    assert sorted(entry["state"] for entry in log) == ["delivered", "delivered"]

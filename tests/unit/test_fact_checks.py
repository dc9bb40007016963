"""The archive of earlier fact-checks: reading each format, hostile input, idempotent
imports, our own verdicts kept in step, the API, the connector and the task page."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from factcheck.factchecks import formats, index
from factcheck.factchecks import services as archive
from factcheck.factchecks.formats import Record, Refused
from factcheck.factchecks.matching import KEEP, STRONG
from factcheck.factchecks.models import VerifiedClaim
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.verified_claims import VerifiedClaimsConnector
from tests import factories
from tests.cli_fact_checks import import_and_match
from tests.conftest import problem_of
from tests.factchecks import (
    BOMBS,
    BOMBS_CLAIM,
    BOMBS_URL,
    HOSTILE,
    background,
    check_task_page_box,
    claim_review,
    json_lines,
    page,
)
from tests.unit.conftest import auth
from tests.unit.test_claim_matching import ARCHIVE


def records(parsed) -> tuple[list[Record], list[Refused]]:
    parsed = list(parsed)
    return [p for p in parsed if isinstance(p, Record)], [
        p for p in parsed if isinstance(p, Refused)
    ]


def test_a_page_reads_every_claim_review_and_refuses_a_broken_script():
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "Organization"}, BOMBS]}
    text = page("{not json", json.dumps(graph), json.dumps({"@type": "WebSite"}))
    found, refused = records(formats.read(text, None))
    assert [r.ref for r in found] == [BOMBS_URL]
    bombs = found[0]
    assert (bombs.claim, bombs.publisher, bombs.rating_text, bombs.rating) == (
        BOMBS_CLAIM, "Checkers", "True", "true")  # fmt: skip
    assert bombs.reviewed_on.isoformat() == "2006-11-25" and bombs.claimant == "A. Speaker"
    assert [r.where for r in refused] == ["script 1"] and "not valid JSON" in refused[0].reason


def test_a_page_of_a_million_unclosed_tags_still_gives_its_claim_review():
    # The standard library's HTMLParser takes hours on "<a" * n (quadratic); lxml's
    # parser reads it in one pass.
    text = "<a" * 1_000_000 + page(json.dumps(BOMBS))
    found, refused = records(formats.read(text, "claimreview"))
    assert [r.ref for r in found] == [BOMBS_URL] and refused == []


def test_data_feed_and_fact_check_markup_pages_both_read():
    feed = {
        "@context": "http://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [claim_review("https://a.example/1", "One claim.")]},
            {"@type": "DataFeedItem", "item": claim_review("https://a.example/2", "Two claims.")},
        ],
    }
    markup = {
        "claimReviewMarkupPages": [
            {
                "pageUrl": "https://b.example/check",
                "publishDate": "2020-01-02",
                "claimReviewAuthor": {"name": "B Checks"},
                "claimReviewMarkups": [
                    {
                        "claimReviewed": "Seventy per cent of them came from out of state.",
                        "claimAuthor": {"name": "A post"},
                        "rating": {"textualRating": "Mostly False", "ratingValue": 2},
                    }
                ],
            }
        ]
    }
    fed, refused = records(formats.read(json.dumps(feed), "claimreview"))
    assert [r.ref for r in fed] == ["https://a.example/1", "https://a.example/2"] and not refused
    marked, refused = records(formats.read(json.dumps(markup), "claimreview"))
    assert not refused and len(marked) == 1
    assert (marked[0].ref, marked[0].publisher, marked[0].rating) == (
        "https://b.example/check", "B Checks", "mostly-false")  # fmt: skip


def test_json_lines_refuse_bad_lines_and_keep_the_rest():
    deep = "[" * 100_000 + "]" * 100_000
    text = json_lines(
        BOMBS,
        "{oops",
        deep,
        {"@type": "Person", "name": "no review here"},
        claim_review("https://c.example/1", "x" * 6000),  # huge claim
        claim_review("https://c.example/2", HOSTILE, rating="Miscaptioned"),
        claim_review("javascript:alert(1)", "A claim with a bad URL."),
        claim_review("https://c.example/3", "   "),  # no claim
        BOMBS,  # the same record again
    )
    found, refused = records(formats.read(text, "claimreview"))
    assert [r.ref for r in found] == [BOMBS_URL, "https://c.example/2"]
    hostile = found[1]
    assert hostile.claim == HOSTILE  # markup kept as the text it is
    assert (hostile.rating_text, hostile.rating) == ("Miscaptioned", None)  # kept, unmapped
    reasons = {r.where: r.reason for r in refused}
    assert set(reasons) == {f"line {n}" for n in range(2, 10)} - {"line 6"}
    assert "not valid JSON" in reasons["line 2"]
    assert "nested too deeply" in reasons["line 3"] or "not valid JSON" in reasons["line 3"]
    assert reasons["line 4"] == "no ClaimReview in it"
    assert reasons["line 5"].startswith("claim is 6,000 characters")
    assert "http(s)" in reasons["line 7"] and "no claim" in reasons["line 8"]
    assert reasons["line 9"].startswith("the same id as line 1")


def test_fact_check_tools_answers_read_each_review():
    answer = {
        "claims": [
            {
                "text": BOMBS_CLAIM,
                "claimant": "A. Speaker",
                "claimReview": [
                    {
                        "publisher": {"name": "Checkers", "site": "checkers.example"},
                        "url": BOMBS_URL,
                        "title": "Did car bombs kill 200?",
                        "reviewDate": "2006-11-25T10:00:00Z",
                        "textualRating": "Pants on Fire!",
                        "languageCode": "en",
                    },
                    {"publisher": {"name": "Nobody"}},  # no URL: nothing names it
                ],
            },
            "not a claim",
        ]
    }
    found, refused = records(formats.read(json.dumps(answer), None))
    assert len(found) == 1 and found[0].rating == "false" and found[0].language == "en"
    assert len(refused) == 2


CLEF_HEAD = (
    "\tvclaim\ttitle\n"
    "0\t122 detainees released from Guantanamo Bay have re-engaged in terrorist activities.\t"
    "Did 122 Prisoners Return to the Battlefield?\n"
    '1\t"A ""Trump and Obama by the Numbers"" meme recounts accurate statistics."\tThe meme\n'
    "2\t\tNo claim here\n"
)


def test_a_tsv_reads_with_a_columns_mapping_or_its_known_headers():
    mapped = formats.parse_columns("id=,claim=vclaim,title=title")
    found, refused = records(formats.read(CLEF_HEAD, "tsv", columns=mapped, publisher="Snopes"))
    assert [r.ref for r in found] == ["0", "1"] and [r.where for r in refused] == ["line 4"]
    assert found[1].claim.startswith('A "Trump and Obama') and found[0].publisher == "Snopes"
    guessed, _ = records(formats.read(CLEF_HEAD, None, name="verified_claims.docs.tsv"))
    assert guessed == found or [r.ref for r in guessed] == ["0", "1"]
    by_position, _ = records(formats.read(CLEF_HEAD, "tsv", columns={"id": "0", "claim": "1"}))
    assert [r.claim for r in by_position] == [r.claim for r in found]
    with pytest.raises(formats.FormatProblem, match="no such column"):
        list(formats.read(CLEF_HEAD, "tsv", columns={"claim": "nosuch"}))
    with pytest.raises(formats.FormatProblem):
        formats.parse_columns("colour=red")


def test_an_import_is_idempotent_and_keeps_each_version(session):
    text = json_lines(BOMBS, claim_review("https://c.example/2", "Another claim."), "{bad")
    first = archive.import_records(
        session, formats.read(text, None), name="f", format="claimreview"
    )
    assert (first.new, first.updated, first.unchanged, first.refused_count) == (2, 0, 0, 1)
    again = archive.import_records(
        session, formats.read(text, None), name="f", format="claimreview"
    )
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert "nothing changed" in again.summary().replace("1 refused", "0 refused") or again.refused
    changed = json_lines(claim_review(BOMBS_URL, BOMBS_CLAIM, rating="Mostly True"))
    third = archive.import_records(
        session, formats.read(changed, None), name="g", format="claimreview"
    )
    assert (third.new, third.updated, third.unchanged) == (0, 1, 0)
    row = session.scalar(select(VerifiedClaim).where(VerifiedClaim.ref == BOMBS_URL))
    assert (row.version, row.rating, row.rating_text) == (2, "mostly-true", "Mostly True")
    history = archive.versions_of(session, row.id)
    assert [(v.version, v.change) for v in history] == [(1, "new"), (2, "updated")]
    assert history[0].fields["rating_text"] == "True"


def test_the_index_is_rebuilt_only_when_the_archive_changes(session):
    archive.import_records(session, [Record("1", BOMBS_CLAIM)], name="f", format="tsv")
    built = index.current(session)
    assert len(built.matcher) == 1 and index.current(session) is built
    archive.import_records(
        session, [Record("2", "The moon is made of cheese.")], name="g", format="tsv"
    )
    rebuilt = index.current(session)
    assert rebuilt is not built and len(rebuilt.matcher) == 2


def test_publishing_puts_our_verdicts_in_the_archive_and_withdrawal_takes_them_out(
    client, token, queue, database
):
    from tests.flow import SHORT_ESSAY, caller_for, review_one
    from tests.unit.test_publishing import approve_all

    editor, reviewer, approver = (
        token("ed", "editor"),
        token("r1", "reviewer"),
        token("r2", "reviewer"),
    )
    call = caller_for(client)
    essay_id = call("POST", "/api/v1/essays", editor, SHORT_ESSAY).body["id"]
    queue.run_all()
    claims = call("GET", f"/api/v1/essays/{essay_id}/claims", editor).body
    for _ in [c for c in claims if c["checkable"]]:
        review_one(call, reviewer)
    approve_all(call, approver)
    assert call("POST", f"/api/v1/essays/{essay_id}/publish", editor).status == 201
    with database.scope() as session:
        ours = session.scalars(
            select(VerifiedClaim).where(VerifiedClaim.essay_id == essay_id)
        ).all()
        assert ours and all(r.source == "desk" and r.rating == "half-true" for r in ours)
        assert all(
            r.ref.endswith(f"/fact-checks/{essay_id}#claim-{r.ref.rsplit('-', 1)[1]}") for r in ours
        )
    note = {"note": "Retracted."}
    assert call("POST", f"/api/v1/essays/{essay_id}/withdraw", editor, note).status == 201
    with database.scope() as session:
        rows = session.scalars(
            select(VerifiedClaim).where(VerifiedClaim.essay_id == essay_id)
        ).all()
        assert rows and all(r.withdrawn_at is not None and r.version == 2 for r in rows)
        assert archive.count(session) == 0


def test_the_api_imports_for_admins_only_and_lists_what_it_holds(client, token):
    admin, editor = token("root", "admin"), token("ed", "editor")
    body = {"content": json_lines(BOMBS, "{bad"), "format": "claimreview", "name": "dump.jsonl"}
    refused = client.post("/api/v1/verified-claims/imports", json=body, headers=auth(editor))
    assert refused.status_code == 403
    done = client.post("/api/v1/verified-claims/imports", json=body, headers=auth(admin))
    assert done.status_code == 201, done.json
    assert (done.json["new"], done.json["refused_count"]) == (1, 1)
    assert done.json["refused"][0]["where"] == "line 2"
    again = client.post("/api/v1/verified-claims/imports", json=body, headers=auth(admin)).json
    assert (again["new"], again["unchanged"]) == (0, 1)
    listing = client.get("/api/v1/verified-claims", headers=auth(editor)).json
    assert [item["ref"] for item in listing["items"]] == [BOMBS_URL] and listing["next"] is None
    item = client.get(f"/api/v1/verified-claims/{listing['items'][0]['id']}", headers=auth(editor))
    assert item.json["versions"][0]["change"] == "new"
    assert client.get("/api/v1/verified-claims/999", headers=auth(editor)).status_code == 404
    table = {"content": CLEF_HEAD, "format": "tsv", "columns": "claim=nosuch"}
    wrong = client.post("/api/v1/verified-claims/imports", json=table, headers=auth(admin))
    assert wrong.status_code == 422 and "no such column" in problem_of(wrong)["detail"]
    with client.application.extensions["factcheck.database"].scope() as session:
        assert archive.count(session) == 1  # the refused file wrote nothing


def test_the_connector_finds_the_earlier_check_and_says_why(session, database):
    # An archive of two, as a desk's own first verdicts: the idf taken as of ten
    # thousand records keeps the same claim restated a strong match.
    rows = [Record(BOMBS_URL, BOMBS_CLAIM, title="Sadr City", rating_text="True", rating="true",
                   publisher="Checkers", url=BOMBS_URL),
            Record("2", "The moon is made of cheese.")]  # fmt: skip
    archive.import_records(session, rows, name="f", format="claimreview")
    session.commit()
    query = ClaimQuery(claim_id=1, text=factories.CAR_BOMBS, start=0, end=10)
    found = VerifiedClaimsConnector(database).find(query)
    assert [f.url for f in found] == [BOMBS_URL]
    details = found[0].details
    assert details["strong"] and details["textual_rating"] == "True"
    assert found[0].score == details["probability"] >= KEEP
    assert details["absolute_probability"] >= STRONG
    assert details["match_score"] > 0
    assert "200" in details["shared_numbers"] and "bombs" in details["shared_terms"]
    assert 'Rated "True" by Checkers' in found[0].snapshot_text
    nothing = ClaimQuery(claim_id=1, text="Unemployment fell in Ohio last year.", start=0, end=1)
    assert VerifiedClaimsConnector(database).find(nothing) == []


def find(database, text: str):
    return VerifiedClaimsConnector(database).find(ClaimQuery(1, text, 0, len(text)))


@pytest.fixture
def snopes_like(session, database):
    """The matcher tests' fact-checks among a background of a thousand others."""
    rows = [Record(c.id, c.claim, title=c.title, rating_text="False", publisher="Snopes",
                   url=f"https://checkers.example/{c.id}") for c in ARCHIVE]  # fmt: skip
    archive.import_records(session, [*rows, *background()], name="f", format="claimreview")
    session.commit()
    return database


@pytest.mark.parametrize(
    ("paraphrase", "earlier", "is_strong"),
    [
        # Numbers in words, a surname alone, the headline's words: the word share used
        # before (0.12) dropped it; the matcher calls it the same claim.
        ("Obama's Guantanamo releases: one hundred and twenty two back on the battlefield",
         "gitmo", True),
        # "Seventy percent" for "70 per cent", other words for the rest: the word share
        # (0.38) kept it but not as strong.
        ("Seventy percent of the people arrested at the Charlotte protests came from out of "
         "state", "charlotte", True),
        ("Biden told the crowd Republicans would put them back in chains", "chains", True),
        ("An Ohio man won a 1.5 million dollar lottery twice in a week", "lottery", True),
    ],
)  # fmt: skip
def test_a_paraphrase_is_kept_and_strong_when_clearly_the_same(
    snopes_like, paraphrase, earlier, is_strong
):
    found = find(snopes_like, paraphrase)
    assert [f.details["verified_claim_id"] for f in found][:1], paraphrase
    assert found[0].url == f"https://checkers.example/{earlier}"
    assert found[0].details["strong"] is is_strong
    assert all(KEEP <= f.score <= 1 for f in found)
    assert all(not f.details["strong"] for f in found[1:])


@pytest.mark.parametrize(
    "unrelated",
    [
        "Protesters in Paris were arrested",  # two words of the Charlotte claim: share 0.33
        "The president said the war in Ohio is over",
        "A solar panel factory will open in North Carolina",
        "Wombats are cute",
    ],
)
def test_an_unrelated_claim_sharing_a_word_or_two_is_dropped(snopes_like, unrelated):
    assert find(snopes_like, unrelated) == []


def test_markup_and_noise_are_only_text(snopes_like):
    noisy = HOSTILE + " <b>Obama</b> 122 \x00 " * 50 + "https://t.co/x @JoeBiden #chains"
    found = find(snopes_like, noisy)
    assert all(KEEP <= f.score <= 1 for f in found)
    with snopes_like.scope() as session:
        hostile = Record("hostile", HOSTILE * 20 + " Biden chains", publisher=HOSTILE)
        archive.import_records(session, [hostile], name="g", format="claimreview")
    said = find(snopes_like, "@JoeBiden RT: they'll put y'all back in chains!!! <script>")
    assert [f.url for f in said][:1] == ["https://checkers.example/chains"]


def test_the_task_page_shows_a_strong_match_first_and_lets_it_be_cited(client, people, database):
    check_task_page_box(client, database)


def test_the_cli_contract_on_the_embedded_default_with_nothing_running(tmp_path):
    # A data dir with no database yet: the commands make it and migrate it.
    env = {"FACTCHECK_DATA_DIR": str(tmp_path / "data"), "FACTCHECK_DATABASE_URL": ""}
    import_and_match(env, tmp_path)


def test_a_broken_pretty_printed_file_is_one_refusal_and_a_broken_first_line_only_itself():
    broken = json.dumps([BOMBS], indent=2).replace('"url"', "url", 1)
    found, refused = records(formats.read(broken, "claimreview"))
    assert not found and [r.where for r in refused] == ["file"]
    found, refused = records(formats.read(json_lines("{oops", BOMBS), "claimreview"))
    assert [r.ref for r in found] == [BOMBS_URL] and [r.where for r in refused] == ["line 1"]


def test_a_huge_cell_refuses_its_row_and_the_table_reads_on():
    huge = "0\t" + "w " * 150_000 + "\tHeadline\n"  # past the csv module's field limit
    text = "\tvclaim\ttitle\n" + huge + "1\tA short claim.\tTitle\n"
    found, refused = records(formats.read(text, "tsv"))
    assert [r.ref for r in found] == ["1"]
    assert [r.where for r in refused] == ["line 2"] and "claim is" in refused[0].reason

"""Final scores with reasons, and deduplication; expectations worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.ranking import (
    Ranked,
    days_apart,
    deduplicate,
    mentions,
    normalise_url,
    rank,
    score_record,
    text_fingerprint,
)

# Content words: car, bombs, killed, 200, people, sadr, city (7).
CLAIM = "Car bombs killed more than 200 people in Sadr City."
QUERY = ClaimQuery(1, CLAIM, 0, len(CLAIM), entities=["Sadr City", "Baghdad"], dates=["2006-11-23"])


def record(
    text: str,
    score: float = 0.5,
    url: str = "https://example.org/a",
    published_at: date | None = None,
    final_url: str | None = None,
    title: str = "",
) -> Found:
    return Found(
        url=url,
        title=title,
        publisher=None,
        published_at=published_at,
        snippet="",
        snapshot_text=text,
        score=score,
        final_url=final_url,
    )


def test_all_four_signals():
    found = record(
        "Car bombs killed at least 215 people in Sadr City on 23 November 2006.",
        score=0.8,
        published_at=date(2006, 11, 24),
    )

    ranked = score_record(QUERY, found)

    # terms 6/7 (no "200"), entities 1/2 (no Baghdad), dates 1 - 1/365, connector 0.8:
    # 0.35·6/7 + 0.25·0.5 + 0.15·364/365 + 0.25·0.8 = 0.3 + 0.125 + 0.14959 + 0.2
    assert ranked.score == 0.7746
    assert ranked.why["matched_terms"] == ["car", "bombs", "killed", "people", "sadr", "city"]
    assert ranked.why["matched_entities"] == ["Sadr City"]
    assert ranked.why["days_apart"] == 1
    assert ranked.why["signals"] == {
        "terms": 0.8571,
        "entities": 0.5,
        "dates": 0.9973,
        "connector": 0.8,
    }


def test_signals_that_do_not_apply_share_their_weight():
    # No publication date: terms 0, entities 1/2 (Baghdad), connector 0.9 over weight 0.85:
    # (0.35·0 + 0.25·0.5 + 0.25·0.9) / 0.85 = 0.35 / 0.85
    ranked = score_record(QUERY, record("Baghdad is the capital of Iraq.", score=0.9))

    assert ranked.score == 0.4118
    assert "dates" not in ranked.why["signals"]
    assert ranked.why["matched_terms"] == []


def test_a_claim_without_entities_or_dates():
    query = ClaimQuery(1, CLAIM, 0, len(CLAIM))
    found = record(
        "Sadr City: car bombs killed 200 people.", score=0.4, published_at=date(2001, 1, 1)
    )

    # terms 7/7 and connector 0.4 over weight 0.6: (0.35 + 0.1) / 0.6
    assert score_record(query, found).score == 0.75


def test_a_source_a_year_or_more_away_gets_nothing_for_its_date():
    found = record("", score=0.0, published_at=date(2008, 1, 1))

    ranked = score_record(QUERY, found)

    assert ranked.why["days_apart"] == 404
    assert ranked.why["signals"]["dates"] == 0.0


def test_rank_orders_best_first_and_keeps_ties_in_order():
    weak = record("Baghdad is the capital of Iraq.", score=0.9, url="https://x/weak")
    strong = record(CLAIM, score=0.9, url="https://x/strong")
    same_a = record("Nothing here.", score=0.2, url="https://x/a")
    same_b = record("Nothing here either.", score=0.2, url="https://x/b")

    ranked = rank(QUERY, [same_a, weak, same_b, strong])

    assert [item.found.url for item in ranked] == [
        "https://x/strong",
        "https://x/weak",
        "https://x/a",
        "https://x/b",
    ]
    assert all(0.0 <= item.score <= 1.0 for item in ranked)


def test_out_of_range_connector_scores_are_clamped():
    assert score_record(ClaimQuery(1, "", 0, 0), record("", score=7.0)).score == 1.0
    assert score_record(ClaimQuery(1, "", 0, 0), record("", score=-1.0)).score == 0.0


def test_mentions_needs_whole_words():
    assert mentions("Bombs hit Sadr  City today", "sadr city")
    assert not mentions("Iraqis voted", "Iraq")


def test_days_apart_uses_the_nearest_claim_date():
    assert days_apart(["2006-11-20", "2006-11-01", "not a date"], date(2006, 11, 23)) == 3
    assert days_apart(["2006-11-20", "2006-11-01"], date(2006, 10, 30)) == 2
    # A period, "in 2006": anything inside it is on time.
    assert days_apart(["2006-01-01", "2006-12-31"], date(2006, 7, 1)) == 0
    assert days_apart(["2006-11-20"], None) is None
    assert days_apart([], date(2006, 11, 23)) is None


# -- deduplication -------------------------------------------------------------------


def test_same_url_keeps_the_better_record():
    worse = record("one text", score=0.3, url="https://Example.org/a/")
    better = record("another text", score=0.7, url="https://example.org/a#section")

    assert deduplicate([worse, better]) == [better]


def test_the_final_url_decides_when_the_record_was_fetched():
    direct = record("page text", score=0.6, url="https://news.example/story")
    redirected = record(
        "page text, seen again later",
        score=0.4,
        url="https://short.example/x",
        final_url="https://news.example/story",
    )
    other = record(
        "other text",
        score=0.5,
        url="https://news.example/story",
        final_url="https://news.example/moved",
    )

    assert deduplicate([redirected, other, direct]) == [direct, other]


def test_same_text_ignoring_case_and_spacing_is_a_duplicate():
    first = record("At least 215  people\nwere killed.", score=0.9, url="https://a.example/1")
    copy = record("at least 215 people were KILLED.", score=0.8, url="https://b.example/2")
    different = record("At least 216 people were killed.", score=0.1, url="https://c.example/3")

    assert deduplicate([copy, different, first]) == [first, different]


def test_records_without_text_are_not_duplicates_of_each_other():
    a = record("", url="https://a.example/")
    b = record("   ", url="https://b.example/")

    assert deduplicate([a, b]) == [a, b]


def test_ranked_records_keep_the_best_final_score():
    low_connector = record("page", score=0.1, url="https://a.example/")
    high_connector = record("page", score=0.9, url="https://a.example")
    ranked = [Ranked(high_connector, 0.2, {}), Ranked(low_connector, 0.6, {})]

    assert [item.found for item in deduplicate(ranked)] == [low_connector]


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://Example.ORG/Path/?q=1#frag", "https://example.org/Path?q=1"),
        ("https://example.org/", "https://example.org"),
        ("https://example.org", "https://example.org"),
    ],
)
def test_normalise_url(url, normal):
    assert normalise_url(url) == normal


def test_text_fingerprint_is_sha256_of_the_normalised_text():
    # sha256("a b") computed by hand with hashlib, for the normalised "A\n b " -> "a b".
    assert text_fingerprint("A\n b ") == (
        "c8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65"
    )
    assert text_fingerprint("  ") == ""

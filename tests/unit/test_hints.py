"""Numeric and date consistency hints, with expectations worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from factcheck.claims.quantities import Quantity
from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.hints import (
    Day,
    Range,
    as_range,
    claim_days,
    date_hints,
    hints,
    overlaps,
    quantity_hints,
    source_days,
    source_quantities,
    within,
)


def claim_query(text: str, **fields) -> ClaimQuery:
    return ClaimQuery(1, text, 0, len(text), **fields)


def source(text: str, snippet: str = "") -> Found:
    return Found("https://s.example/", "", None, None, snippet, text, 0.5)


def quantity(text: str) -> Quantity:
    (found,) = source_quantities(text)
    return found


def test_the_three_examples():
    query = claim_query(
        "On Thursday 23 November 2006 car bombs killed more than 200 people; "
        "91 percent of residents blamed the militias."
    )
    text = (
        "At least 215 people were killed on 23 November 2006. A poll found 61 percent blamed "
        "the militias."
    )

    assert hints(query, source(text)) == [
        {
            "kind": "quantity",
            "claim": "more than 200 people",
            "source": "At least 215 people",
            "agrees": True,
            "note": "claim: more than 200 people; source: At least 215 people — consistent",
            "context": text,  # shorter than the context window
        },
        {
            "kind": "quantity",
            "claim": "91 percent",
            "source": "61 percent",
            "agrees": False,
            "note": "claim: 91 percent; source: 61 percent — inconsistent",
            "context": text,
        },
        {
            "kind": "date",
            "claim": "Thursday 23 November 2006",
            "source": "23 November 2006",
            "agrees": True,
            "note": "claim: Thursday 23 November 2006; source: 23 November 2006 — consistent",
            "context": text,
        },
    ]


def test_the_context_is_the_words_around_the_figure():
    text = "x " * 100 + "At least 215 people\nwere killed." + " y" * 100

    (hint,) = hints(claim_query("More than 200 people died."), source(text))

    # "At least 215 people" starts at 200: the context is text[110:309], 90 characters
    # either side: 45 "x "s, the sentence with its line break collapsed, 38 " y"s.
    assert hint["context"] == "…" + "x " * 45 + "At least 215 people were killed." + " y" * 38 + "…"


@pytest.mark.parametrize(
    ("claimed", "stated", "agrees", "verdict"),
    [
        ("more than 200 people", "at least 215 people", True, "consistent"),
        ("more than 200 people", "150 people", False, "inconsistent"),
        ("more than 200 people", "200 people", False, "inconsistent"),
        ("more than 200 people", "more than 100 people", True, "consistent, not conclusive"),
        ("at least 200 people", "200 people", True, "consistent"),
        ("200 people", "215 people", False, "inconsistent"),  # 199.5..200.5
        ("about 200 people", "215 people", True, "consistent"),  # 180..220
        ("about 1,000 troops", "1,080 troops", True, "consistent"),  # 900..1,100
        ("about 1,000 troops", "1,200 troops", False, "inconsistent"),
        ("fewer than 50 people", "at least 60 people", False, "inconsistent"),
        ("fewer than 50 people", "about 40 people", True, "consistent"),  # 36..44
        ("nearly 100 people", "99 people", True, "consistent"),  # 90..100
        ("up to 30 percent", "35 percent", False, "inconsistent"),
        ("91 percent", "91.4 percent", True, "consistent"),  # 91 may round 91.4
        ("91.4 percent", "91 percent", False, "inconsistent"),  # 91.35..91.45
        ("$1.2 billion", "$1.23 billion", True, "consistent"),  # 1.15..1.25 billion
    ],
)
def test_qualifiers_decide_agreement(claimed, stated, agrees, verdict):
    (hint,) = quantity_hints([quantity(claimed)], [f"Officials said {stated} were there."])

    assert hint["agrees"] is agrees
    assert hint["note"].endswith(f"— {verdict}")


def test_the_closest_value_in_the_same_unit_is_compared():
    texts = ["In 2005, 40 people died; 215 people died on the day; 300 soldiers were deployed."]

    (hint,) = quantity_hints([quantity("more than 200 people")], texts)

    assert hint["source"] == "215 people"


def test_the_snippet_is_searched_before_the_whole_text():
    found = source("Elsewhere 90 people were hurt.", snippet="Police said 215 people died.")

    (hint,) = hints(claim_query("More than 200 people died."), found)

    assert hint["source"] == "215 people"


def test_other_units_and_no_figures_give_no_hint():
    assert quantity_hints([quantity("91 percent")], ["The 61 soldiers left."]) == []
    assert hints(claim_query("The ministry was attacked."), source("It was attacked.")) == []


def test_stored_claim_quantities_are_used():
    stored = {"value": 200.0, "unit": "people", "qualifier": "more than", "text": "200+ people"}
    query = claim_query("Hundreds died.", quantities=[stored, {"bad": "entry"}])

    (hint,) = hints(query, source("At least 215 people died."))

    assert hint["claim"] == "200+ people"
    assert hint["agrees"] is True


def test_dates_in_the_claim_text_are_not_quantities():
    assert source_quantities("On 23 November 2006 and in 2007, 12 people died.") == [
        Quantity(12.0, "people", None, "12 people")
    ]


# -- dates ---------------------------------------------------------------------------


def test_source_days_are_single_days_with_their_year():
    text = "Thursday, 23rd November 2006; Nov. 24, 2006; on Friday; 31 February 2006; May 2006"

    assert source_days(text) == [
        Day(date(2006, 11, 23), "Thursday, 23rd November 2006"),
        Day(date(2006, 11, 24), "Nov. 24, 2006"),
    ]


def test_claim_days_resolve_weekdays_by_the_publication_date():
    query = claim_query("On Thursday the bombs went off.", essay_published_at=date(2006, 11, 27))

    assert claim_days(query) == [Day(date(2006, 11, 23), "Thursday")]
    assert claim_days(claim_query("On Thursday the bombs went off.")) == []


def test_a_nearby_different_date_disagrees():
    claimed = [Day(date(2006, 11, 23), "23 November 2006")]

    (hint,) = date_hints(claimed, ["It happened on 24 November 2006."])

    assert hint["agrees"] is False
    assert hint["note"] == (
        "claim: 23 November 2006; source: 24 November 2006 — inconsistent (1 day apart)"
    )


def test_a_far_away_date_is_about_something_else():
    claimed = [Day(date(2006, 11, 23), "23 November 2006")]

    assert date_hints(claimed, ["Founded on 2 March 1995."]) == []


def test_a_weekday_claim_against_a_dated_source():
    query = claim_query("That Thursday the bombs went off.", essay_published_at=date(2006, 11, 27))

    (hint,) = hints(query, source("The bombs went off on November 23, 2006."))

    assert hint["note"] == "claim: Thursday; source: November 23, 2006 — consistent"


# -- ranges ----------------------------------------------------------------------------


def test_ranges_by_qualifier():
    assert as_range(Quantity(200, "people", "more than", "")) == Range(200, float("inf"), True)
    assert as_range(Quantity(50, None, "fewer than", "")) == Range(
        float("-inf"), 50, high_open=True
    )
    assert as_range(Quantity(100, None, "around", "")) == Range(90.0, 110.00000000000001)
    assert as_range(Quantity(100, None, None, "100")) == Range(99.5, 100.5)
    assert as_range(Quantity(100, None, None, "100"), rounded=False) == Range(100, 100)
    assert as_range(Quantity(1.2e6, None, None, "1.2 million")) == Range(1.15e6, 1.25e6)


def test_open_and_closed_ends():
    assert not overlaps(Range(200, 300, low_open=True), Range(100, 200))
    assert overlaps(Range(200, 300), Range(100, 200))
    assert within(Range(215, float("inf")), Range(200, float("inf"), low_open=True))
    assert not within(Range(200, float("inf")), Range(200, float("inf"), low_open=True))

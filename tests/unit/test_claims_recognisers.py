"""The recognisers behind claim extraction, one at a time: quantities, dates, names."""

from __future__ import annotations

from datetime import date

import pytest

from factcheck.claims.dates import DateReader, find_dates
from factcheck.claims.entities import find_entities
from factcheck.claims.quantities import Quantity, find_quantities

MONDAY = date(2006, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Prices rose 3.5% in a year.", [(3.5, "percent", None, "3.5%")]),
        ("It cost $1.2 billion.", [(1.2e9, "dollars", None, "$1.2 billion")]),
        ("about 1,200 troops", [(1200.0, "troops", "about", "about 1,200 troops")]),
        ("nearly twenty mosques", [(20.0, "mosques", "nearly", "nearly twenty mosques")]),
        ("at least one hundred men", [(100.0, "men", "at least", "at least one hundred men")]),
        ("twenty-one people", [(21.0, "people", None, "twenty-one people")]),
        (
            "two hundred and fifty thousand",
            [(250_000.0, None, None, "two hundred and fifty thousand")],
        ),
        ("a dozen checkpoints", [(12.0, "checkpoints", None, "a dozen checkpoints")]),
        ("three million Iraqis", [(3e6, "Iraqis", None, "three million Iraqis")]),
        ("a 10-mile convoy", [(10.0, "mile", None, "10-mile")]),
        ("74 per cent of Shiites", [(74.0, "percent", None, "74 per cent")]),
        ("£5m", [(5e6, "pounds", None, "£5m")]),
    ],
)
def test_quantities(text, expected):
    assert find_quantities(text) == [Quantity(*values) for values in expected]


@pytest.mark.parametrize(
    "text",
    [
        "one of his followers",  # a pronoun
        "One side thought he moved too slowly.",
        "in 2006, the war",  # a year
        "F-16 jets and the 23rd brigade",
        "at 5:30 the next day",
        "more than enough troops",
        "someone, anyone, no one",
    ],
)
def test_no_quantity(text):
    assert find_quantities(text) == []


def test_quantities_skip_the_spans_of_dates():
    text = "On 23 November 2006, 200 people died."
    skip = [(m.start, m.end) for m in find_dates(text)]
    assert find_quantities(text, skip=skip) == [Quantity(200.0, "people", None, "200 people")]


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("on 23 November 2006", date(2006, 11, 23), date(2006, 11, 23)),
        ("on Nov. 23, 2006", date(2006, 11, 23), date(2006, 11, 23)),
        ("on the 23rd of November 2006", date(2006, 11, 23), date(2006, 11, 23)),
        ("in November 2006", date(2006, 11, 1), date(2006, 11, 30)),
        ("in 2006", date(2006, 1, 1), date(2006, 12, 31)),
        ("in the 1970s", date(1970, 1, 1), date(1979, 12, 31)),
        ("yesterday", date(2006, 11, 26), date(2006, 11, 26)),
        ("last month", date(2006, 10, 1), date(2006, 10, 31)),
        ("next year", date(2007, 1, 1), date(2007, 12, 31)),
        ("two weeks ago", date(2006, 11, 13), date(2006, 11, 13)),
        ("last Thursday", date(2006, 11, 23), date(2006, 11, 23)),
        ("They will meet on Thursday.", date(2006, 11, 30), date(2006, 11, 30)),
        ("It happened last March.", date(2006, 3, 1), date(2006, 3, 31)),
        ("It will be done by 5 December.", date(2006, 12, 5), date(2006, 12, 5)),
    ],
)
def test_dates(text, first, last):
    (mention,) = find_dates(text, MONDAY)
    assert (mention.first, mention.last) == (first, last)
    assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    "text",
    [
        "May I ask a question?",  # a verb, not a month
        "They sent 2000 troops.",  # a count, not a year
        "The march began at noon.",
        "On Thursdays the market is closed.",  # a habit, not a day
        "a model for the region",
    ],
)
def test_not_dates(text):
    assert find_dates(text, MONDAY) == []


def test_relative_dates_need_a_publication_date():
    mentions = find_dates("Last week, on Thursday, in September 2006, the next day", None)
    assert [(m.text, m.first) for m in mentions] == [
        ("Last week", None),
        ("Thursday", None),
        ("September 2006", date(2006, 9, 1)),
        ("the next day", None),  # a month is no single day to count from
    ]


def test_day_before_and_after_count_from_the_last_day_named():
    reader = DateReader(MONDAY)
    reader.read("Bombs went off on Thursday.")
    (after,) = reader.read("The day after, mosques burned.")
    (before,) = reader.read("The day before that, talks had failed.")
    assert (after.first, before.first) == (date(2006, 11, 24), date(2006, 11, 23))


def test_impossible_dates_are_left_unresolved():
    (mention,) = find_dates("on 31 February 2006", MONDAY)
    assert mention.first is None
    (ancient,) = find_dates("9999 years ago", MONDAY)
    assert ancient.first is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Prime Minister Nuri al-Maliki met King Abdullah II.", ["Nuri al-Maliki", "Abdullah II"]),
        ("Secretary of State Condoleezza Rice spoke.", ["Secretary of State Condoleezza Rice"]),
        (
            "Dr. Ali al-Shemari runs the Ministry of Health.",
            ["Ali al-Shemari", "Ministry of Health"],
        ),
        ("American units and Iraqi police fired RPGs.", []),
        ("Sunnis and Shiites voted.", ["Sunnis", "Shiites"]),
        ("It is Iraq's Defense minister who decides.", ["Iraq", "Defense minister"]),
        ("Finance minister Bayan Jabr spoke.", ["Finance minister", "Bayan Jabr"]),
        ("On Monday in November the U.S. Embassy closed.", ["U.S. Embassy"]),
        ("We're told Don't panic.", []),
        ("قال الرئيس 🙂", []),
    ],
)
def test_entities(text, names):
    assert find_entities(text) == names


def test_a_capitalised_first_word_is_a_name_only_if_the_document_says_so():
    assert find_entities("Kissinger maneuvered.", known={"Kissinger"}) == ["Kissinger"]
    assert find_entities("Meanwhile Kissinger maneuvered.", known=set()) == ["Kissinger"]
    assert find_entities("Vietnamization failed.", known={"Kissinger"}) == []

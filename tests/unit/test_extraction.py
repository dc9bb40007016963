"""Claim extraction over the demo essay and hostile inputs: spans, kinds, atoms, and
the quantities, names and dates each claim carries.

The essay was published on Monday 27 November 2006; its relative dates refer to
the week of 20-26 November 2006.
"""

from __future__ import annotations

import importlib
from datetime import date
from functools import cache

import pytest

from factcheck.claims.extraction import (
    KINDS,
    NOT_CHECKABLE_KINDS,
    ExtractedClaim,
    Quantity,
    classify,
    split,
)
from tests.adversarial import GROWING
from tests.conftest import SEED_ESSAY
from tests.wording import keeps_the_span
from tests.work import growth

PUBLISHED = date(2006, 11, 27)
LAST_WEEK = [date(2006, 11, 20), date(2006, 11, 26)]


@cache
def seed_claims() -> tuple[ExtractedClaim, ...]:
    return tuple(split(SEED_ESSAY, PUBLISHED))


def claim(prefix: str) -> ExtractedClaim:
    """The one seed claim whose text starts with ``prefix``."""
    found = [c for c in seed_claims() if c.text.startswith(prefix)]
    assert len(found) == 1, f"{len(found)} claims start with {prefix!r}"
    return found[0]


def assert_valid(text: str, claims: list[ExtractedClaim]) -> None:
    """Spans index ``text``, are trimmed, in order, and do not overlap; each wording is
    the span's words, or those words repaired to stand alone."""
    previous_end = 0
    for extracted in claims:
        span = text[extracted.start : extracted.end]
        assert span and span == span.strip()
        assert extracted.text and extracted.text == extracted.text.strip()
        assert keeps_the_span(extracted.text, span), (extracted.text, span)
        assert previous_end <= extracted.start < extracted.end <= len(text)
        previous_end = extracted.end
        assert extracted.kind in KINDS
        assert extracted.checkable == (extracted.kind not in NOT_CHECKABLE_KINDS)
        assert 0.0 <= extracted.checkworthiness <= 1.0


# --------------------------------------------------------------------------
# The demo essay.


def test_seed_spans_are_exact_and_cover_every_sentence():
    claims = list(seed_claims())
    assert_valid(SEED_ESSAY, claims)
    assert len(claims) >= 40
    covered = " ".join(SEED_ESSAY[c.start : c.end] for c in claims)
    title = SEED_ESSAY[: SEED_ESSAY.index("\n")]
    # Only the title, white space and the punctuation between atomic claims is left out.
    assert len(SEED_ESSAY.split()) - len(title.split()) - len(covered.split()) <= 3


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("If you want to understand the futility", "opinion"),
        ("On Thursday, a series of car bombs", "statistic"),
        ("On Thursday, Sunni militants attacked", "event"),
        ("Within a couple of hours, American units arrived", "event"),
        ("The next day, Sadr's men began reprisals", "event"),
        ("There can be no more doubt that Iraq is in a civil war", "opinion"),
        ("The assault on Sadr's Ministry of Health was likely retaliation", "causal"),
        ("To speak, as the White House deputy press secretary", "quotation"),
        ("Who are the terrorists and who are the innocents?", "question"),
        ('"I believe that America would like to see Iraq', "quotation"),
        ('Mohammed Fadhlil wrote: "But that cannot be done without', "quotation"),
        ("The American Army has more than enough troops", "comparison"),
        ("The problem is political, not military.", "opinion"),
        ("This month U.S. forces were forced by the Iraqi government", "event"),
        ("Will more troops change that?", "question"),
        ("That's why, in the most recent poll of Iraqis", "statistic"),
        ("While these are not conditions that suggest a political deal is likely", "prediction"),
        ("President Bush meets with Prime Minister Nuri al-Maliki", "event"),
        ("Bush should make clear", "opinion"),
        ("But Bush needs to deliver an ultimatum", "opinion"),
        ("In fact, even stability in Iraq is unattainable.", "opinion"),
        ("What we will soon need is a supreme act of realism", "opinion"),
        ("We will need a Kissingerian effort", "opinion"),
        ("But America's predicament in Iraq is becoming increasingly similar", "comparison"),
        ("Henry Kissinger's negotiations to end the Vietnam War", "event"),
        ("But looking at our circumstances in Iraq should give us", "opinion"),
        ("A version of such a strategy is the only one", "opinion"),
    ],
)
def test_seed_kinds(prefix, kind):
    found = claim(prefix)
    assert found.kind == kind
    assert found.checkable == (kind not in ("prediction", "opinion", "question"))


def test_seed_title_is_metadata_not_claims():
    title_end = SEED_ESSAY.index("\n")
    assert all(c.start > title_end for c in seed_claims())


def test_seed_bayan_jabr_sentence_is_three_atomic_claims():
    built = claim("Badr's Bayan Jabr built the death squads")
    ran = claim("Bayan Jabr ran the Ministry of the Interior")
    office = claim("Bayan Jabr is now Iraq's Finance minister")
    assert built.text == "Badr's Bayan Jabr built the death squads"
    # The claims stand alone; their spans are still the essay's own words.
    assert SEED_ESSAY[ran.start : ran.end] == "when he ran the ministry"
    assert ran.entities == ["Bayan Jabr", "Ministry of the Interior"]
    assert len({built.checkworthiness, ran.checkworthiness, office.checkworthiness}) == 3
    assert office.text == "Bayan Jabr is now Iraq's Finance minister, in charge of its resources."
    assert SEED_ESSAY[office.start : office.end] == (
        "he's now Iraq's Finance minister, in charge of its resources."
    )
    assert (built.kind, ran.kind, office.kind) == ("event", "event", "attribution")
    assert built.checkable and ran.checkable and office.checkable
    assert SEED_ESSAY[ran.end] == ";" and office.start == ran.end + 2
    assert built.checkworthiness != office.checkworthiness  # each scored on its own
    assert built.entities == ["Badr", "Bayan Jabr"]
    assert office.entities == ["Bayan Jabr", "Iraq", "Finance minister"]


def test_seed_closing_relative_clause_that_names_an_office_is_its_own_claim():
    attack = claim("On Thursday, Sunni militants attacked")
    run_by = claim("The Ministry of Health is run by")
    assert attack.text == "On Thursday, Sunni militants attacked the Ministry of Health"
    assert (
        SEED_ESSAY[attack.start : attack.end] == "Sunni militants attacked the Ministry of Health"
    )
    assert run_by.text == "The Ministry of Health is run by one of Moqtada al-Sadr's followers."
    assert SEED_ESSAY[run_by.start : run_by.end] == (
        "which is run by one of Moqtada al-Sadr's followers."
    )
    assert run_by.kind == "attribution"
    assert run_by.entities == ["Ministry of Health", "Moqtada al-Sadr"]
    assert run_by.checkworthiness != attack.checkworthiness  # each scored on its own


def test_seed_closing_relative_clause_after_a_name_is_its_own_claim():
    retaliation = claim("The assault on Sadr's Ministry of Health")
    retains = claim("The Ministry of Education still retains some Sunnis.")
    assert retaliation.text.endswith("a recent mass kidnapping at the Ministry of Education")
    assert (retaliation.kind, retains.kind) == ("causal", "event")
    assert SEED_ESSAY[retains.start : retains.end] == "which still retains some Sunnis."


def test_seed_pronouns_get_their_names():
    assert claim("Last week Omar and Mohammed Fadhlil threw in the towel.")
    assert claim("This month U.S. forces were forced by the Iraqi government")
    assert claim("U.S. forces were not even allowed to stop traffic")
    assert claim("But Bush needs to deliver an ultimatum")


@pytest.mark.parametrize(
    "prefix",
    [
        "There is much moaning in Washington",  # ", who are allegedly pushing ..."
        "There can be no more doubt",  # ", in which leaders ..."
        'Mohammed Fadhlil wrote: "But that cannot be done',  # inside a quotation
        "When U.S. forces tried to stop the carnage",  # the time clause frames the fact
        "We're in the middle of a civil war",  # "and are being shot at": names no one
    ],
)
def test_seed_sentences_that_are_not_split(prefix):
    found = claim(prefix)
    assert found.text[-1] in '."'  # the whole sentence, up to its final stop


def test_seed_quantities():
    assert claim("On Thursday, a series of car bombs").quantities == [
        Quantity(200.0, "people", "more than", "more than 200 people")
    ]
    assert claim("That's why").quantities == [
        Quantity(91.0, "percent", None, "91 percent"),
        Quantity(74.0, "percent", None, "74 percent"),
    ]
    assert claim("Within a couple of hours").quantities == [
        Quantity(2.0, "hours", None, "a couple of hours")
    ]
    # The blog's age is in the claim cut from the "whose" clause.
    assert claim("Omar and Mohammed Fadhlil's three-year-old blog").quantities == [
        Quantity(3.0, "years", None, "three-year-old")
    ]
    assert claim("But America's predicament").quantities == [
        Quantity(30.0, "years", "more than", "more than 30 years")
    ]
    # "one of Moqtada al-Sadr's followers", "the only one": pronouns, not numbers.
    assert claim("The Ministry of Health is run by").quantities == []
    assert claim("A version of such a strategy").quantities == []


@pytest.mark.parametrize(
    ("prefix", "names"),
    [
        ("On Thursday, a series of car bombs", ["Sadr City"]),
        ("On Thursday, Sunni militants", ["Ministry of Health"]),
        ("When U.S. forces tried", ["U.S.", "Sadr", "Mahdi Army"]),
        ("The Ministry of the Interior houses", ["Ministry of the Interior", "Badr Brigades"]),
        ("To speak, as the White House", ["White House", "Iraq"]),
        ("President Bush meets", ["Bush", "Nuri al-Maliki", "Jordan"]),
        ("Bush should make clear", ["Bush", "Iraq"]),
        ("Henry Kissinger's negotiations", ["Henry Kissinger", "Vietnam War"]),
        ("With a losing hand", ["Kissinger", "United States"]),
        ("Within a couple of hours, American units", []),  # an adjective, not a name
        ("Iraq is not Vietnam.", ["Iraq", "Vietnam"]),  # a name that starts the sentence
    ],
)
def test_seed_entities(prefix, names):
    assert claim(prefix).entities == names


@pytest.mark.parametrize(
    ("prefix", "dates"),
    [
        ("If you want to understand", LAST_WEEK),
        ("On Thursday, a series of car bombs", [date(2006, 11, 23)]),
        ("On Thursday, Sunni militants", [date(2006, 11, 23)]),  # the day is given to both
        ("The next day, Sadr's men", [date(2006, 11, 24)]),  # the day after that Thursday
        ("In other words, one day", []),  # "one day ..., the next day": no day to count from
        ("The next day, the U.S. Army", []),
        ("Last week Omar and Mohammed Fadhlil threw in the towel.", LAST_WEEK),
        ("This month U.S. forces were forced", [date(2006, 11, 1), date(2006, 11, 30)]),
        ("That's why", [date(2006, 9, 1), date(2006, 9, 30)]),  # "taken in September"
        ("President Bush meets", [date(2006, 11, 27), date(2006, 12, 3)]),  # "this week"
        ("But Bush needs to deliver", [date(2007, 1, 1), date(2007, 1, 31)]),  # "by January"
        ("A version of such a strategy", [PUBLISHED]),  # "in Iraq today"
        ("Henry Kissinger's negotiations", []),
    ],
)
def test_seed_dates(prefix, dates):
    assert claim(prefix).dates == dates


def test_seed_more_than_thirty_years_ago_is_1976_or_earlier():
    (day,) = claim("But America's predicament").dates
    assert date(1975, 1, 1) <= day <= date(1976, 12, 31)


def test_seed_quoted_statement_keeps_the_last_week_it_was_made():
    assert claim("To speak, as the White House").dates == [*LAST_WEEK, PUBLISHED]


def test_without_publication_date_relative_dates_are_left_out():
    claims = split(SEED_ESSAY)
    assert_valid(SEED_ESSAY, claims)
    assert all(c.dates == [] for c in claims)
    # Everything else is the same as with the date.
    assert [(c.start, c.end, c.kind) for c in claims] == [
        (c.start, c.end, c.kind) for c in seed_claims()
    ]


# --------------------------------------------------------------------------
# Sentences of our own.


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ('"More than 200 people died," the minister said.', "quotation"),
        ("The government should hire 500 more teachers.", "opinion"),
        ("How many people died in 2006?", "question"),
        ("Unemployment will fall to 5 percent next year.", "prediction"),
        ("The bridge collapsed because of corrosion.", "causal"),
        ("Iraq's army is now larger than Jordan's.", "comparison"),
        ("Jalal Talabani is the president of Iraq.", "attribution"),
        ("The ministry is headed by a former general.", "attribution"),
        ("Turnout was 61.3 percent, the commission reported.", "statistic"),
        ("Gunmen stormed the ministry on Tuesday.", "event"),
        ("Clearly the plan has failed.", "opinion"),
        ('Bush should stop saying "we are winning the war in Iraq".', "opinion"),
        ('He said "we will leave" and then stayed.', "quotation"),
        ("The war was fought by both sides for years.", "event"),
        ("President Bush met Prime Minister Maliki in Amman.", "event"),  # no office claimed
        ('The ministry bought 500 6" pipes.', "statistic"),  # inches, not a quotation
    ],
)
def test_kinds_of_our_own_sentences(sentence, kind):
    assert classify(sentence) == kind


def test_split_of_a_compound_sentence():
    text = "The army arrived at noon, and the attackers fled within minutes."
    claims = split(text)
    assert [c.text for c in claims] == [
        "The army arrived at noon",
        "The attackers fled within minutes.",  # a sentence of its own
    ]
    assert text[claims[1].start : claims[1].end] == "the attackers fled within minutes."
    assert_valid(text, claims)


@pytest.mark.parametrize(
    "text",
    [
        "He visited Paris, Rome, and Berlin.",  # a list, not two clauses
        "When the army arrived, and the attackers fled, the town was calm.",
        '"We left early; they stayed," he said.',  # inside a quotation
        "The plan failed (the army left; the police stayed) within a week.",
        'The plan (as he said, "the army left; the police stayed"; they fled) failed.',
        "He is smart, but not wise.",  # no subject of its own
        "Who attacked the ministry, and who paid them?",  # questions stay whole
    ],
)
def test_no_split_where_it_would_not_be_clean(text):
    assert [c.text for c in split(text)] == [text]


def test_headings_are_not_claims_but_one_line_essays_are():
    text = "# Casualties\n\nMore than 200 people died.\n\nThe Road Ahead\n\nIraq is not Vietnam."
    claims = split(text)
    assert [c.text for c in claims] == ["More than 200 people died.", "Iraq is not Vietnam."]
    assert claims[0].kind == "statistic"
    # A sentence, not Title Case. Its kind is the opinion check's to say: the bare
    # analogy reads as a judgment.
    assert claims[1].kind != "heading"
    assert split("Bush Meets Maliki In Jordan")[0].kind != "heading"


def test_next_day_counts_from_an_absolute_date_but_not_across_paragraphs():
    text = (
        "Bombs hit Sadr City on 23 November 2006. The next day, mosques burned.\n\n"
        "The next day, talks began."
    )
    claims = split(text)
    assert [c.dates for c in claims] == [[date(2006, 11, 23)], [date(2006, 11, 24)], []]


# --------------------------------------------------------------------------
# Hostile inputs: no exceptions, valid spans, linear time.

HOSTILE = {
    "empty": "",
    "white space": " \n\t\r\n \u00a0 ",
    "one long word": "a" * 100_000,
    "long sentence": (
        "The army said more than 200 people died on Thursday, and he is now minister; " * 1300
    ),
    "digits": "1" * 100_000,
    "years": "2006 " * 20_000,
    "dots": "." * 100_000,
    "open quotes": "“" * 100_000,
    "straight quotes": '"' * 100_000,
    "capitalised run": "Ministry of " * 9_000,
    "weekdays": "On Thursday " * 9_000,
    "emoji": "🙂 Bush said 200 people died 🙂. 👍🏽🇮🇶 " * 2_000,
    "rtl": "قال الرئيس إن ٢٠٠ شخص قتلوا يوم الخميس. שלום עולם. " * 1_500,
    "control characters": "a\x00b\u200f\u202e c.\x0b\x0cD e. \ufeffF",
    "crlf": "The Title\r\n\r\nOn Thursday, 200 people died.\r\nThe next day; he fled.\r\n",
    "unbalanced": '(("He said, "yes; and, but, which is" [',
}


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("published_at", [None, PUBLISHED])
def test_hostile_input_gives_valid_spans(name, published_at):
    text = HOSTILE[name]
    claims = split(text, published_at)
    assert_valid(text, claims)
    if not text.strip():
        assert claims == []
    else:
        assert claims
    for extracted in claims:
        assert all(len(name) < 200 for name in extracted.entities)


# Every module split() runs code of: the work counted is theirs.
CLAIM_MODULE_NAMES = (
    "atoms", "checkworthiness", "dates", "entities", "extraction", "kinds", "layout",
    "lexicon", "quantities", "quotes", "segmentation", "standalone",
)  # fmt: skip
CLAIM_MODULES = [importlib.import_module(f"factcheck.claims.{name}") for name in CLAIM_MODULE_NAMES]


@pytest.mark.parametrize("make", GROWING.values(), ids=GROWING.keys())
def test_work_grows_linearly(make):
    # Ten times the text must cost about ten times the work, not a hundred.
    # Counted, not timed: bench/growth.py prints the times.
    ratio = growth(CLAIM_MODULES, lambda text: split(text, PUBLISHED), make, 2_000)
    assert ratio <= 12, f"10x the text took {ratio:.1f}x the work"


@pytest.mark.parametrize("published_at", [date.min, date.max])
def test_dates_at_the_ends_of_the_calendar_do_not_overflow(published_at):
    text = (
        "Yesterday and tomorrow. Last week, next month, next year. On Thursday. The next day. "
        "30 years ago. By January they will go. Next March. 9999 centuries ago."
    )
    claims = split(text, published_at)
    assert_valid(text, claims)
    days = [day for c in claims for day in c.dates]
    assert days and all(abs((day - published_at).days) <= 366 * 31 for day in days)

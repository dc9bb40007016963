"""Dates in a claim, absolute ("23 November 2006", "Nov. 23, 2006", "2006") or
relative ("last week", "on Thursday", "the next day", "30 years ago").

Every mention resolves to a period, ``first``..``last``: one day ("On
Thursday", "23 November 2006", "yesterday"), a week ("last week", Monday to
Sunday), a month ("September", "this month") or a year ("2006"). A claim lists
both ends of a period, or the one day.

Relative mentions resolve against the publication date; without one they are
left unresolved (``first`` is None). The year of a month or a weekday named
alone ("taken in September", "by January", "On Thursday") comes from the
sentence's tense: the most recent one on or before publication, or, when the
sentence looks ahead ("will", "should", "need to", ...), the next one on or
after it. "The next day" and its kin count from the last single day mentioned
earlier in the same paragraph; "one day" is a day nobody can name, so after it
they stay unresolved. "30 years ago" is the day 30 years before publication:
its qualifier ("more than") stays with the quantity, not the date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from factcheck.claims.lexicon import (
    FUNCTION_WORDS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NUMBER_WORD_PATTERN,
    WEEKDAYS,
    words,
    words_to_number,
)
from factcheck.claims.quotes import mask, quoted_regions


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int  # offsets in the sentence
    end: int
    first: date | None  # None when it cannot be resolved
    last: date | None
    duration: bool = False  # "30 years ago": its number is also a quantity


_MONTH_NAME = "|".join(name.capitalize() for name in MONTHS)
_MONTH_ANY = rf"(?:{_MONTH_NAME}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:1[5-9]\d\d|20\d\d|21\d\d)(?![\d%]|[.,]\d)"
_WEEKDAY = "|".join(name.capitalize() for name in WEEKDAYS)
_NUMBER_BEFORE = r"(?<![\w.,:/$€£-])"

# One pass over the sentence; at each position the first alternative that
# matches wins, so the longer forms come first. Month and weekday names must be
# capitalised ("may" and "march" are also verbs); the other words may not be.
_DATE = re.compile(
    "|".join(
        (
            rf"{_NUMBER_BEFORE}(?P<dmy_day>{_DAY})\s+(?:of\s+)?(?P<dmy_month>{_MONTH_ANY})"
            rf"(?:,?\s+(?P<dmy_year>{_YEAR}))?",
            rf"\b(?P<mdy_month>{_MONTH_ANY})\s+(?P<mdy_day>{_DAY})(?:,?\s+(?P<mdy_year>{_YEAR}))?",
            rf"\b(?P<my_month>{_MONTH_ANY})\s+(?:of\s+)?(?P<my_year>{_YEAR})",
            rf"\b(?P<month>{_MONTH_NAME})(?![\w-])",
            rf"{_NUMBER_BEFORE}(?:the\s+)?(?P<decade>(?:1[5-9]|20)\d0)['’]?s\b",
            rf"{_NUMBER_BEFORE}(?P<year>{_YEAR})(?![\w'’-]| ?per ?cent)",
            rf"(?i:\b(?P<ago_amount>\d{{1,4}}|an?|a\s+couple\s+of|a\s+few"
            rf"|(?:{NUMBER_WORD_PATTERN})(?:[\s-]+(?:{NUMBER_WORD_PATTERN})){{0,3}})"
            r"\s+(?P<ago_unit>day|week|month|year|decade|centur(?:y|ie))s?\s+ago\b)",
            r"(?i:\b(?P<day_word>yesterday|today|tonight|tomorrow)\b)",
            r"(?i:\b(?P<period_modifier>last|this|next)\s+(?P<period>week|month|year)\b)",
            rf"\b(?P<weekday>{_WEEKDAY})(?![\w-])",
            r"(?i:\b(?P<anchored>the\s+(?:next|following|previous|preceding|same)"
            r"\s+(?:day|morning|afternoon|evening|night)|the\s+day\s+(?:before|after)"
            r"|that\s+(?:day|morning|afternoon|evening|night))\b)",
            r"(?i:\b(?P<unknown_day>(?:one|some|another)\s+(?:day|morning|evening|night))\b)",
        )
    )
)

# The word before a month or weekday named alone, and after a year.
_WORD_BEFORE = re.compile(r"([A-Za-z]+)[\s-]*$")
_WORD_AFTER = re.compile(r"\s+([^\W\d_]+)")
_LOOKBACK = 16
_DIGITS = re.compile(r"\d+")

# Cues that a sentence speaks of the future, searched outside quotations.
_FUTURE = re.compile(
    r"\b(?:will|shall|won['’]t|going to|should|must|ought to|needs? to|plans? to"
    r"|intends? to|expects? to|(?:is|are) (?:expected|set|due) to)\b|['’]ll\b",
    re.IGNORECASE,
)
# Words before a bare year that make it a year even when a noun follows
# ("the 2006 elections"), unlike a count ("sent 2000 troops").
_YEAR_CONTEXT = words(
    """in since by until till of the from to during before after early late mid circa
    between and year summer winter spring autumn fall"""
)
_AGO_DAYS = {"day": 1, "week": 7}
_AGO_MONTHS = {"month": 1, "year": 12, "decade": 120, "century": 1200, "centurie": 1200}


class DateReader:
    """Reads the dates of a document's claims in order, remembering the last day named."""

    def __init__(self, published_at: date | None = None) -> None:
        if isinstance(published_at, datetime):
            published_at = published_at.date()
        self.published_at = published_at
        self.anchor: date | None = None  # the last single day named in this paragraph

    def new_paragraph(self) -> None:
        """Forget the last day named: "the next day" does not reach back across paragraphs."""
        self.anchor = None

    def read(self, sentence: str) -> list[DateMention]:
        """The date mentions of ``sentence``, in order."""
        future = _FUTURE.search(mask(sentence, quoted_regions(sentence))) is not None
        mentions = []
        for match in _DATE.finditer(sentence):
            if not self._is_date(sentence, match):
                continue
            first, last = self._resolve(sentence, match, future)
            mentions.append(
                DateMention(
                    match.group(),
                    match.start(),
                    match.end(),
                    first,
                    last,
                    duration=bool(match["ago_amount"]),
                )
            )
            if match["unknown_day"] or first != last:
                self.anchor = None
            elif first is not None:
                self.anchor = first
        return mentions

    def _is_date(self, sentence: str, match: re.Match[str]) -> bool:
        """Rule out the look-alikes: "May I", "2000 troops"."""
        if match["month"] in ("May", "March"):
            return _word_before(sentence, match.start()) in _MONTH_MODIFIERS
        if match["year"]:
            before = _word_before(sentence, match.start())
            after = _WORD_AFTER.match(sentence, match.end())
            counted = after is not None and after[1].islower() and after[1] not in FUNCTION_WORDS
            return before in _YEAR_CONTEXT or not counted
        return True

    def _resolve(
        self, sentence: str, match: re.Match[str], future: bool
    ) -> tuple[date | None, date | None]:
        published = self.published_at
        groups = match.groupdict()
        if groups["dmy_day"] or groups["mdy_day"]:
            day = int(_DIGITS.match(groups["dmy_day"] or groups["mdy_day"]).group())
            month = _month_number(groups["dmy_month"] or groups["mdy_month"])
            year = groups["dmy_year"] or groups["mdy_year"]
            return _one_day(_day_of(day, month, year, published, future))
        if groups["my_month"]:
            return _month_range(int(groups["my_year"]), _month_number(groups["my_month"]))
        if groups["month"]:
            modifier = _word_before(sentence, match.start())
            return _month_alone(_month_number(groups["month"]), modifier, published, future)
        if groups["decade"]:
            start = int(groups["decade"])
            return date(start, 1, 1), date(start + 9, 12, 31)
        if groups["year"]:
            year = int(groups["year"])
            return date(year, 1, 1), date(year, 12, 31)
        if groups["anchored"]:
            return _one_day(_from_anchor(groups["anchored"].lower(), self.anchor))
        if published is None:
            return None, None  # the rest are relative to the publication date
        if groups["ago_amount"]:
            return _one_day(_ago(groups["ago_amount"], groups["ago_unit"].lower(), published))
        if groups["day_word"]:
            offsets = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
            return _one_day(_days_after(published, offsets[groups["day_word"].lower()]))
        if groups["period"]:
            return _period(groups["period_modifier"].lower(), groups["period"].lower(), published)
        if groups["weekday"]:
            modifier = _word_before(sentence, match.start())
            return _one_day(
                _weekday(WEEKDAYS[groups["weekday"].lower()], modifier, published, future)
            )
        return None, None  # "one day": a day nobody can name


_MONTH_MODIFIERS = words(
    "in by until till since during from through before after of last next this early late mid"
)


def _word_before(sentence: str, pos: int) -> str:
    found = _WORD_BEFORE.search(sentence, max(0, pos - _LOOKBACK), pos)
    return found[1].lower() if found else ""


def _month_number(name: str) -> int:
    key = name.rstrip(".").lower()
    return MONTHS.get(key) or MONTH_ABBREVIATIONS[key]


def _one_day(day: date | None) -> tuple[date | None, date | None]:
    return day, day


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _day_of(
    day: int, month: int, year: str | None, published: date | None, future: bool
) -> date | None:
    """The date of "23 November 2006", or of "23 November" the nearest year that fits."""
    try:
        if year is not None:
            return date(int(year), month, day)
        if published is None:
            return None
        candidate = date(published.year, month, day)
        if future and candidate < published:
            return date(published.year + 1, month, day)
        if not future and candidate > published:
            return date(published.year - 1, month, day)
        return candidate
    except ValueError:  # "31 February", or a year out of range
        return None


def _month_alone(
    month: int, modifier: str, published: date | None, future: bool
) -> tuple[date | None, date | None]:
    """A month named without a year: "in September", "by January", "last March"."""
    if published is None:
        return None, None
    year = published.year
    if modifier == "last":
        year -= month >= published.month  # the last one before this month
    elif modifier == "next":
        year += month <= published.month  # the next one after this month
    elif modifier != "this":
        if future:
            year += month < published.month  # "by January", said in November
        else:
            year -= month > published.month  # "in September", said in November
    return _month_range(year, month) if 1 <= year <= 9999 else (None, None)


def _period(modifier: str, period: str, published: date) -> tuple[date | None, date | None]:
    """A week (Monday to Sunday), month or year: "last week", "this month", "next year"."""
    step = {"last": -1, "this": 0, "next": 1}[modifier]
    try:
        if period == "week":
            monday = published - timedelta(published.weekday()) + timedelta(weeks=step)
            return monday, monday + timedelta(6)
        if period == "month":
            year, month = divmod(published.year * 12 + published.month - 1 + step, 12)
            return _month_range(year, month + 1)
        year = published.year + step
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, OverflowError):
        return None, None


def _weekday(weekday: int, modifier: str, published: date, future: bool) -> date | None:
    """The day of a weekday: in a report of the past, the last one on or before publication."""
    back = (published.weekday() - weekday) % 7  # days since the last such weekday
    ahead = (weekday - published.weekday()) % 7  # days until the next one
    if modifier == "last":
        offset = -(back or 7)
    elif modifier == "next":
        offset = ahead or 7
    elif modifier == "this":
        offset = weekday - published.weekday()  # the one in the week of publication
    else:
        offset = ahead if future else -back
    try:
        return published + timedelta(offset)
    except OverflowError:
        return None


def _ago(amount: str, unit: str, published: date) -> date | None:
    """The day of "30 years ago", "a couple of weeks ago", "three days ago"."""
    text = amount.lower()
    if text.isdigit():
        count = int(text)
    elif text in ("a", "an"):
        count = 1
    elif "couple" in text:
        count = 2
    elif "few" in text:
        return None  # too vague to name a day
    else:
        value = words_to_number(text)
        if value is None:
            return None
        count = int(value)
    try:
        if unit in _AGO_DAYS:
            return published - timedelta(days=count * _AGO_DAYS[unit])
        return _months_before(published, count * _AGO_MONTHS[unit])
    except (ValueError, OverflowError):
        return None


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _days_after(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days)
    except OverflowError:  # before 1 January of year 1 or after 9999
        return None


def _from_anchor(phrase: str, anchor: date | None) -> date | None:
    """The day after the day last named ("the next day"), before it, or that day itself."""
    if anchor is None:
        return None
    if "next" in phrase or "following" in phrase or "after" in phrase:
        step = 1
    elif "previous" in phrase or "preceding" in phrase or "before" in phrase:
        step = -1
    else:
        step = 0
    try:
        return anchor + timedelta(step)
    except OverflowError:
        return None


def find_dates(sentence: str, published_at: date | None = None) -> list[DateMention]:
    """The date mentions of one sentence read on its own (no earlier day to count from)."""
    return DateReader(published_at).read(sentence)

"""Quantities in a claim: "more than 200 people", "91 percent", "$1.2 billion".

Each quantity keeps its value as a number, its unit (the counted noun, or
"percent", "dollars", ...), its qualifier ("more than", "about", ...) and the
exact words it was read from. Calendar dates and years are not quantities: the
caller passes their spans in ``skip`` (see ``dates.find_dates``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from factcheck.claims.lexicon import (
    FUNCTION_WORDS,
    MONTHS,
    NUMBER_WORD_PATTERN,
    SCALES,
    TIME_UNITS,
    WEEKDAYS,
    words_to_number,
)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None
    qualifier: str | None  # "more than", "about", ...
    text: str


_QUALIFIERS = (
    r"(?:no |just )?(?:more|fewer|less) than|in excess of|at least|at most|upwards of"
    r"|as (?:many|much|few|little) as|up to|close to|just (?:over|under)|an estimated"
    r"|approximately|roughly|around|about|nearly|almost|some|over|under"
)
_SCALE_WORDS = "|".join(SCALES)
_NUMBER_WORD = rf"(?:{NUMBER_WORD_PATTERN})\b"

# One quantity: qualifier, currency, number (digits, "a couple of", or number
# words), then "%" / "percent" or a hyphenated unit ("three-year-old"). Each
# repetition is bounded or cannot trade characters with its neighbours, so the
# scan stays linear (the tests time it on 100,000-character inputs).
_QUANTITY = re.compile(
    r"(?<![\w.,:/$€£-])"
    rf"(?:(?P<qualifier>{_QUALIFIERS})\s+)?"
    r"(?:(?P<currency>[$€£])\s?)?"
    r"(?:"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:\s(?P<scale>{_SCALE_WORDS})\b|(?P<short_scale>bn|mn|m|k)\b)?"
    r"|(?P<couple>a\s+couple\s+of)"
    rf"|(?P<words>(?:an?\s+)?{_NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+){_NUMBER_WORD}){{0,6}})"
    r")"
    r"(?:(?P<percent>\s?%|\s+per\s?cent\b)|-(?P<hyphen_unit>[a-z]+)(?P<old>-old)?\b)?"
    r"(?![\w%]|[:.,]\d)",
    re.IGNORECASE,
)

# The counted noun after the number: "200 people", "two young Baghdadis".
_UNIT_WORD = re.compile(
    r"\s+(?:(?:young|old|new|other|more|additional|separate)\s+)?([^\W\d_][\w'’-]*)"
)

_CURRENCIES = {"$": "dollars", "€": "euros", "£": "pounds"}
_SHORT_SCALES = {"bn": 1e9, "mn": 1e6, "m": 1e6, "k": 1e3}
_YEAR_LIKE = re.compile(r"\d{4}")
# A number after one of these names a thing rather than counting it: "(R-Dist. 12)",
# "Route 9", "No. 10", "Article 5".
_LABEL_BEFORE = re.compile(
    r"\b(?:dist|district|no|route|highway|interstate|ward|precinct|section|article|chapter"
    r"|room|gate|flight|channel|platform|exit|suite|apt|amendment)\.?\s*$",
    re.IGNORECASE,
)
_LABEL_REACH = 16  # characters before the number where such a word is looked for


def find_quantities(sentence: str, skip: Sequence[tuple[int, int]] = ()) -> list[Quantity]:
    """The quantities in ``sentence``, in order, leaving out those overlapping ``skip`` spans."""
    skip = sorted(skip)
    found = []
    for match in _QUANTITY.finditer(sentence):
        if _overlaps(skip, match.start(), match.end()):
            continue
        quantity = _quantity(sentence, match)
        if quantity is not None:
            found.append(quantity)
    return found


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does text[start:end] overlap one of the sorted, non-overlapping ``spans``?"""
    before = bisect_left(spans, (end, end)) - 1  # the last span that starts before ``end``
    return before >= 0 and spans[before][1] > start


def is_statistic(quantity: Quantity) -> bool:
    """Is this a measured or counted figure, as opposed to a duration, an age or "two men"?

    Durations and ages ("a couple of hours", "30 years ago") date an event
    rather than measure it; small numbers spelled out without a qualifier
    ("two young Baghdadis") are description rather than statistics.
    """
    if quantity.unit in TIME_UNITS:
        return False
    if quantity.unit in ("percent", *_CURRENCIES.values()) or quantity.qualifier:
        return True
    return any(char.isdigit() for char in quantity.text) or quantity.value >= 100


def _quantity(sentence: str, match: re.Match[str]) -> Quantity | None:
    value = _value(match)
    if value is None or not math.isfinite(value):
        return None
    unit, end = _unit(sentence, match)
    if _is_bare_one(match) and unit != "percent" and not match["hyphen_unit"]:
        return None  # "one of his followers", "one side thought"
    if _is_year(match) and unit is None:
        return None  # "in 2006": a date, not a quantity
    if match["digits"] and _LABEL_BEFORE.search(
        sentence, max(0, match.start() - _LABEL_REACH), match.start()
    ):
        return None
    qualifier = match["qualifier"].lower() if match["qualifier"] else None
    return Quantity(value, unit, qualifier, sentence[match.start() : end])


def _value(match: re.Match[str]) -> float | None:
    if match["couple"]:
        return 2.0
    if match["words"]:
        return words_to_number(match["words"])
    value = float(match["digits"].replace(",", ""))
    if match["scale"]:
        value *= SCALES[match["scale"].lower()]
    short = (match["short_scale"] or "").lower()
    if short in ("bn", "mn") or (short and match["currency"]):
        value *= _SHORT_SCALES[short]  # "$5m" is five million; "5m" alone may be metres
    return value


def _unit(sentence: str, match: re.Match[str]) -> tuple[str | None, int]:
    """The unit of the quantity, and where the quantity's text ends."""
    if match["percent"]:
        return "percent", match.end()
    if match["hyphen_unit"]:
        unit = match["hyphen_unit"].lower()
        if match["old"] or unit + "s" in TIME_UNITS:
            unit = unit if unit.endswith("s") else unit + "s"  # "three-year-old": 3 years
        return unit, match.end()
    if match["currency"]:
        return _CURRENCIES[match["currency"]], match.end()
    short = (match["short_scale"] or "").lower()
    if short in ("m", "k") and not match["currency"]:
        return short, match.end()
    word = _UNIT_WORD.match(sentence, match.end())
    if word is None or not _is_unit(word[1]):
        return None, match.end()
    # Keep the case of a name ("200 Americans"); lower-case an ordinary noun.
    unit = (
        word[1] if word[1][0].isupper() and word[1].lower() not in TIME_UNITS else word[1].lower()
    )
    return unit, word.end()


def _is_unit(word: str) -> bool:
    lower = word.lower()
    return lower not in FUNCTION_WORDS and lower not in MONTHS and lower not in WEEKDAYS


def _is_bare_one(match: re.Match[str]) -> bool:
    return bool(match["words"]) and match["words"].lower() == "one"


def _is_year(match: re.Match[str]) -> bool:
    digits = match["digits"]
    return (
        bool(digits)
        and _YEAR_LIKE.fullmatch(digits) is not None
        and 1500 <= int(digits) <= 2199
        and not (match["qualifier"] or match["currency"] or match["scale"] or match["percent"])
    )

"""Numeric and date consistency hints: does a source state the claim's figures?

For each figure in the claim (a quantity, or a calendar date), we look for one of
the same kind in the record (its snippet first, then the rest of its text) and
say whether the two agree, e.g.::

    {"kind": "quantity", "claim": "more than 200 people", "source": "at least 215 people",
     "agrees": True, "note": "claim: more than 200 people; source: at least 215 people —
     consistent", "context": "...at least 215 people were killed..."}

A qualified figure is a range: "more than 200" is (200, ∞), "at least 215" is
[215, ∞), "about 1,000" is 900..1,100. A claim's bare figure may round the
source's, so "91" in a claim is 90.5..91.5 and "1.2 million" is 1.15..1.25
million; a source's bare figure is taken at its word. Two figures agree when
their ranges meet; the note says "not conclusive" when the source's range is
wider than the claim's. Hints are hints: a reviewer reads the context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from factcheck.claims.dates import DateMention, DateReader
from factcheck.claims.lexicon import WEEKDAYS
from factcheck.claims.quantities import Quantity, find_quantities, is_statistic
from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.text import collapse

APPROXIMATE = 0.10  # "about 200": within 10%
NEAR_DATE_DAYS = 31  # a different date further away is about something else
CONTEXT_CHARS = 90

INF = math.inf
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    low_open: bool = False  # (low, ... rather than [low, ...
    high_open: bool = False


def hints(query: ClaimQuery, record: Found) -> list[dict[str, Any]]:
    """Quantity and date hints for one record against its claim."""
    texts = [record.snippet, record.snapshot_text]
    return quantity_hints(claim_quantities(query), texts) + date_hints(claim_days(query), texts)


# ---------------------------------------------------------------------------
# Quantities


def claim_quantities(query: ClaimQuery) -> list[Quantity]:
    """The claim's statistics as extracted, or read from its text when none were stored
    (durations and ages such as "30 years ago" are left out on both sides)."""
    if query.quantities:
        stored = [_quantity_from_dict(item) for item in query.quantities]
        return [q for q in stored if q is not None and is_statistic(q)]
    return source_quantities(query.text)


# Library and desk records come back for claim after claim, so what is read in them
# is kept; a fetched page rarely comes back and may be long, so it is not.
_KEPT_UP_TO = 10_000  # characters


def _kept_if_short(read: Any, text: str) -> Any:
    return read(text) if len(text) <= _KEPT_UP_TO else read.__wrapped__(text)


def source_quantities(text: str) -> list[Quantity]:
    """Statistics in ``text``, read by the claim extractor; dates are not quantities."""
    return list(_kept_if_short(_source_quantities, text))


@lru_cache(maxsize=2048)
def _source_quantities(text: str) -> tuple[Quantity, ...]:
    # As the extractor does: a calendar date's digits are not a quantity; "30 years ago" is.
    skip = [(m.start, m.end) for m in DateReader().read(text) if not m.duration]
    return tuple(q for q in find_quantities(text, skip) if is_statistic(q))


def quantity_hints(claimed: Sequence[Quantity], texts: Sequence[str]) -> list[dict[str, Any]]:
    """One hint per claimed quantity that a text states in the same unit.

    The texts are searched in order (the record's snippet, then its whole text):
    the first that has a quantity in the same unit gives the closest one in value.
    """
    per_text = [(text, source_quantities(text)) for text in texts if text]
    found = []
    for claim in claimed:
        for text, quantities in per_text:
            same_unit = [q for q in quantities if unit_key(q.unit) == unit_key(claim.unit)]
            if same_unit:
                source = min(same_unit, key=lambda q: abs(q.value - claim.value))
                found.append(_quantity_hint(claim, source, text))
                break
    return found


def as_range(quantity: Quantity, rounded: bool = True) -> Range:
    """The values a quantity allows, by its qualifier.

    A bare figure allows what rounds to it when ``rounded`` (a claim quoting a
    source), else only itself (a source stating its figure).
    """
    value, qualifier = quantity.value, (quantity.qualifier or "").lower()
    approximately = Range(value * (1 - APPROXIMATE), value * (1 + APPROXIMATE))
    ranges = {
        "more than": Range(value, INF, low_open=True),
        "over": Range(value, INF, low_open=True),
        "in excess of": Range(value, INF, low_open=True),
        "upwards of": Range(value, INF, low_open=True),
        "at least": Range(value, INF),
        "no fewer than": Range(value, INF),
        "no less than": Range(value, INF),
        "as few as": Range(value, INF),
        "as little as": Range(value, INF),
        "fewer than": Range(-INF, value, high_open=True),
        "less than": Range(-INF, value, high_open=True),
        "under": Range(-INF, value, high_open=True),
        "at most": Range(-INF, value),
        "no more than": Range(-INF, value),
        "up to": Range(-INF, value),
        "as many as": Range(-INF, value),
        "as much as": Range(-INF, value),
        "just over": Range(value, value * (1 + APPROXIMATE), low_open=True),
        "just under": Range(value * (1 - APPROXIMATE), value, high_open=True),
        "nearly": Range(value * (1 - APPROXIMATE), value),
        "almost": Range(value * (1 - APPROXIMATE), value),
    }
    if qualifier in ranges:
        return ranges[qualifier]
    if qualifier:  # about, around, roughly, approximately, some, close to, an estimated
        return approximately
    half = rounding(quantity) if rounded else 0.0
    return Range(value - half, value + half)


def rounding(quantity: Quantity) -> float:
    """Half a unit of the figure's last digit: 0.5 for "91", 0.05 million for "1.2 million"."""
    digits = _DIGITS.search(quantity.text)
    if digits is None:  # spelled out: "two hundred"
        return 0.5
    written = float(digits.group().replace(",", ""))
    scale = quantity.value / written if written else 1.0  # "million", "bn", "k"
    decimals = len(digits.group().partition(".")[2])
    return 0.5 * 10**-decimals * scale


def overlaps(a: Range, b: Range) -> bool:
    """Whether some value lies in both ranges."""
    # The higher of the two lower ends and the lower of the two upper ends.
    if a.low > b.low or (a.low == b.low and a.low_open):
        low, low_open = a.low, a.low_open
    else:
        low, low_open = b.low, b.low_open
    if a.high < b.high or (a.high == b.high and a.high_open):
        high, high_open = a.high, a.high_open
    else:
        high, high_open = b.high, b.high_open
    return low < high or (low == high and not low_open and not high_open)


def within(inner: Range, outer: Range) -> bool:
    """Whether every value ``inner`` allows, ``outer`` allows too."""
    low_ok = inner.low > outer.low or (
        inner.low == outer.low and (inner.low_open or not outer.low_open)
    )
    high_ok = inner.high < outer.high or (
        inner.high == outer.high and (inner.high_open or not outer.high_open)
    )
    return low_ok and high_ok


def unit_key(unit: str | None) -> str:
    """Units compared without case or a plural s ("People" = "people", "troop" = "troops")."""
    return (unit or "").casefold().removesuffix("s")


def _quantity_hint(claim: Quantity, source: Quantity, text: str) -> dict[str, Any]:
    claim_range, source_range = as_range(claim), as_range(source, rounded=False)
    agrees = overlaps(claim_range, source_range)
    if not agrees:
        verdict = "inconsistent"
    elif within(source_range, claim_range):
        verdict = "consistent"
    else:
        verdict = "consistent, not conclusive"
    return {
        "kind": "quantity",
        "claim": claim.text,
        "source": source.text,
        "agrees": agrees,
        "note": f"claim: {claim.text}; source: {source.text} — {verdict}",
        "context": _context(text, source.text),
    }


def _quantity_from_dict(item: dict[str, Any]) -> Quantity | None:
    try:
        return Quantity(
            value=float(item["value"]),
            unit=item.get("unit"),
            qualifier=item.get("qualifier"),
            text=str(item.get("text") or item["value"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# Dates


@dataclass(frozen=True)
class Day:
    day: date
    text: str  # as written: "Thursday 23 November 2006"


def claim_days(query: ClaimQuery) -> list[Day]:
    """The single days the claim names, read as the claim extractor reads them
    (so "on Thursday" counts when the essay's publication date resolves it)."""
    return _single_days(query.text, DateReader(query.essay_published_at).read(query.text))


def source_days(text: str) -> list[Day]:
    """The single days a source names with their year ("23 November 2006"): a
    source's "Thursday" could be any Thursday."""
    return list(_kept_if_short(_source_days, text))


@lru_cache(maxsize=2048)
def _source_days(text: str) -> tuple[Day, ...]:
    days = _single_days(text, DateReader().read(text))
    return tuple(day for day in days if _YEAR.search(day.text))


def date_hints(claimed: Sequence[Day], texts: Sequence[str]) -> list[dict[str, Any]]:
    """One hint per claimed day: the same day in a text agrees; a different day
    within a month of it disagrees; nothing near it gives no hint."""
    per_text = [(text, source_days(text)) for text in texts if text]
    found = []
    for claim in claimed:
        for text, days in per_text:
            near = [d for d in days if abs((d.day - claim.day).days) <= NEAR_DATE_DAYS]
            if near:
                source = min(near, key=lambda d: abs((d.day - claim.day).days))
                found.append(_date_hint(claim, source, text))
                break
    return found


def _single_days(text: str, mentions: Sequence[DateMention]) -> list[Day]:
    """Mentions of one day, each day once; a weekday just before a date joins it."""
    days: dict[date, Day] = {}
    previous: DateMention | None = None
    for mention in mentions:
        if mention.first is not None and mention.first == mention.last:
            start = mention.start
            if previous is not None and _is_weekday_before(text, previous, mention):
                start = previous.start
            days.setdefault(mention.first, Day(mention.first, text[start : mention.end]))
        previous = mention
    return list(days.values())


def _is_weekday_before(text: str, weekday: DateMention, mention: DateMention) -> bool:
    between = text[weekday.end : mention.start]
    return weekday.text.lower() in WEEKDAYS and between.strip(" ,") == ""


def _date_hint(claim: Day, source: Day, text: str) -> dict[str, Any]:
    apart = abs((source.day - claim.day).days)
    agrees = apart == 0
    days = "1 day" if apart == 1 else f"{apart} days"
    verdict = "consistent" if agrees else f"inconsistent ({days} apart)"
    return {
        "kind": "date",
        "claim": claim.text,
        "source": source.text,
        "agrees": agrees,
        "note": f"claim: {claim.text}; source: {source.text} — {verdict}",
        "context": _context(text, source.text),
    }


def _context(text: str, part: str) -> str:
    """The words around ``part`` in ``text``, so a reviewer sees what the figure counts."""
    at = text.find(part)
    if at < 0:
        return ""
    start, end = max(0, at - CONTEXT_CHARS), min(len(text), at + len(part) + CONTEXT_CHARS)
    prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
    return prefix + collapse(text[start:end]) + suffix

"""Numeric and date consistency hints: does a source state the claim's figures?

For each figure in the claim (a quantity, or a calendar date), we look for one of
the same kind in the record (its snippet first, then the rest of its text) and
say whether the two agree, e.g.::

    {"kind": "quantity", "claim": "more than 200 people", "source": "at least 215 people",
     "agrees": True, "note": "claim: more than 200 people; source: at least 215 people —
     consistent", "context": "...at least 215 people were killed..."}

A qualified figure is a range: "more than 200" is (200, ∞), "at least 215" is
[215, ∞), "about 1,000" is 900..1,100, a bare "91" is 91 ± 1%. Two figures agree
when their ranges meet; the note says "not conclusive" when the source's range
is wider than the claim's. Hints are hints: a reviewer reads the context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from factcheck.claims.lexicon import MONTH_ABBREVIATIONS, MONTHS
from factcheck.claims.quantities import Quantity, find_quantities, is_statistic
from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.text import collapse

APPROXIMATE = 0.10  # "about 200": within 10%
EXACT = 0.01  # "200": within 1%, so rounding ("91.3%" for "91%") still agrees
NEAR_DATE_DAYS = 31  # a different date further away is about something else
CONTEXT_CHARS = 90

INF = math.inf


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    low_open: bool = False  # (low, ... rather than [low, ...
    high_open: bool = False


def hints(query: ClaimQuery, record: Found) -> list[dict[str, Any]]:
    """Quantity and date hints for one record against its claim."""
    texts = [record.snippet, record.snapshot_text]
    return quantity_hints(claim_quantities(query), texts) + date_hints(claim_dates(query), texts)


# ---------------------------------------------------------------------------
# Quantities


def claim_quantities(query: ClaimQuery) -> list[Quantity]:
    """The claim's quantities as extracted, or read from its text when none were stored."""
    if query.quantities:
        stored = [_quantity_from_dict(item) for item in query.quantities]
        return [quantity for quantity in stored if quantity is not None]
    return source_quantities(query.text)


def source_quantities(text: str) -> list[Quantity]:
    """Statistics in ``text``, read by the claim extractor; dates are not quantities."""
    skip = [(found.start, found.end) for found in find_dates(text)]
    return [quantity for quantity in find_quantities(text, skip) if is_statistic(quantity)]


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


def as_range(quantity: Quantity) -> Range:
    """The values a quantity allows, by its qualifier."""
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
    return Range(value * (1 - EXACT), value * (1 + EXACT))


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
    claim_range, source_range = as_range(claim), as_range(source)
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
class FoundDate:
    day: date
    text: str
    start: int
    end: int


_MONTH_NAMES = {**MONTHS, **MONTH_ABBREVIATIONS}
_MONTH = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+(?:the\s+)?)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b{_WEEKDAY}(?P<d1>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})\b"
    rf"|\b{_WEEKDAY}(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}){_ORDINAL},?\s+(?P<y2>\d{{4}})\b"
    r"|\b(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})\b",
    re.IGNORECASE,
)


def find_dates(text: str) -> list[FoundDate]:
    """Full calendar dates in ``text``: "23 November 2006", "Nov. 23, 2006", "2006-11-23"."""
    found = []
    for match in _DATE.finditer(text):
        day = _date_of(match)
        if day is not None:
            found.append(FoundDate(day, match.group(), match.start(), match.end()))
    return found


def claim_dates(query: ClaimQuery) -> list[FoundDate]:
    """The dates the claim states: read from its text, else the extractor's ISO dates."""
    in_text = find_dates(query.text)
    if in_text:
        return in_text
    dates = []
    for value in query.dates:
        try:
            day = date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
        dates.append(FoundDate(day, f"{day.day} {day:%B %Y}", 0, 0))
    return dates


def date_hints(claimed: Sequence[FoundDate], texts: Sequence[str]) -> list[dict[str, Any]]:
    """One hint per claimed date: the same date in a text agrees; a different date
    within a month of it disagrees; nothing near it gives no hint."""
    per_text = [(text, find_dates(text)) for text in texts if text]
    found = []
    for claim in claimed:
        for text, dates in per_text:
            near = [d for d in dates if abs((d.day - claim.day).days) <= NEAR_DATE_DAYS]
            if near:
                source = min(near, key=lambda d: abs((d.day - claim.day).days))
                found.append(_date_hint(claim, source, text))
                break
    return found


def _date_hint(claim: FoundDate, source: FoundDate, text: str) -> dict[str, Any]:
    apart = abs((source.day - claim.day).days)
    agrees = apart == 0
    verdict = "consistent" if agrees else f"inconsistent ({apart} days apart)"
    return {
        "kind": "date",
        "claim": claim.text,
        "source": source.text,
        "agrees": agrees,
        "note": f"claim: {claim.text}; source: {source.text} — {verdict}",
        "context": _context(text, source.text),
    }


def _date_of(match: re.Match[str]) -> date | None:
    if match["y3"]:
        year, month, day = int(match["y3"]), int(match["m3"]), int(match["d3"])
    else:
        year = int(match["y1"] or match["y2"])
        month = _MONTH_NAMES[(match["m1"] or match["m2"]).lower()]
        day = int(match["d1"] or match["d2"])
    try:
        return date(year, month, day)
    except ValueError:  # "31 February"
        return None


def _context(text: str, part: str) -> str:
    """The words around ``part`` in ``text``, so a reviewer sees what the figure counts."""
    at = text.find(part)
    if at < 0:
        return ""
    start, end = max(0, at - CONTEXT_CHARS), min(len(text), at + len(part) + CONTEXT_CHARS)
    prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
    return prefix + collapse(text[start:end]) + suffix

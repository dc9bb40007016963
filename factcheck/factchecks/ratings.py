"""Other fact-checkers' ratings on our scale, where the meaning is plain.

A rating we do not recognise is kept as its text and left unmapped: a desk reads
"Miscaptioned" better than a guess at where it sits on our scale.
"""

from __future__ import annotations

import re
from typing import Any

from factcheck.review import ratings

_WORDS = {
    "true": ("true", "correct", "accurate", "verdadero", "vrai", "richtig"),
    "mostly-true": ("mostly true", "mostly correct", "mostly accurate", "largely true"),
    "half-true": ("half true", "mixture", "mixed", "partly true", "partly false",
                  "partially true", "partially false", "half right"),
    "mostly-false": ("mostly false", "largely false", "mostly incorrect"),
    "false": ("false", "incorrect", "inaccurate", "wrong", "fake", "pants on fire",
              "fabricated", "hoax", "falso", "faux", "falsch", "not true", "untrue"),
    "unverifiable": ("unproven", "unverifiable", "unverified", "unsupported",
                     "no evidence", "cannot be verified"),
}  # fmt: skip
_BY_WORDS = {words: slug for slug, all_words in _WORDS.items() for words in all_words}
_NOT_WORD = re.compile(r"[^a-z]+")
# Our scale's values, worst to best, for a numeric rating scaled onto it.
_VALUES = sorted(r.value for r in ratings.SCALE if r.value is not None)
_BY_VALUE = {r.value: r.slug for r in ratings.SCALE if r.value is not None}


def map_rating(text: str, value: Any = None, best: Any = None, worst: Any = None) -> str | None:
    """Our scale's slug for a textual rating (or, failing that, a numeric one with its
    best and worst), or None when we cannot tell."""
    words = _NOT_WORD.sub(" ", text.lower()).strip()
    if words in _BY_WORDS:
        return _BY_WORDS[words]
    return _numeric(value, best, worst)


def _numeric(value: Any, best: Any, worst: Any) -> str | None:
    try:
        number, high, low = float(value), float(best), float(worst)
    except (TypeError, ValueError):
        return None
    if not high > low or not low <= number <= high:
        return None
    share = (number - low) / (high - low)
    scaled = _VALUES[0] + round(share * (_VALUES[-1] - _VALUES[0]))
    return _BY_VALUE.get(scaled)

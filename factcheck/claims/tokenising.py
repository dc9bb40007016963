"""Word tokens and n-grams shared by the check-worthiness and opinion models.

A module of its own because ``checkworthiness`` uses the claim kinds (``kinds``),
whose opinion model (``opinion``) tokenises the same way: both import from here.
"""

from __future__ import annotations

import itertools
import re

# Numbers are replaced by their kind before tokenising: "33,000 people" and
# "10 million jobs" then share n-grams with the training claims, where exact
# values never repeat. Words keep an inner apostrophe ("didn't") so that
# negations survive as single tokens.
_NUMBER_TOKEN = re.compile(r"\$?\d+(?:[.,]\d+)*%?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_TOKEN = re.compile(r"\w+(?:'\w+)?|[$%?!]")


def _number_kind(match: re.Match[str]) -> str:
    number = match.group()
    if number[0] == "$":
        return " _money_ "
    if number[-1] == "%":
        return " _pct_ "
    if _YEAR.fullmatch(number):
        return " _year_ "
    return " _num_ "


def tokens(sentence: str) -> list[str]:
    """Lower-cased word tokens with numbers replaced by their kind."""
    text = _NUMBER_TOKEN.sub(_number_kind, sentence.lower().replace("’", "'"))
    return _TOKEN.findall(text)


def ngrams_of(toks: list[str]) -> list[str]:
    """Unigrams and bigrams of an already tokenised sentence."""
    return toks + [a + " " + b for a, b in itertools.pairwise(toks)]

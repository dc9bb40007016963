"""Word lists shared by the claim recognisers (quantities, dates, entities, kinds).

Kept in one place so that, say, the dates and the quantities agree on what a
number word is. Everything here is lower case unless said otherwise.
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A word list written as one string, words separated by white space."""
    return frozenset(text.split())


# Cardinal number words. "one" is in the table but the quantity recogniser only
# takes it in compounds ("twenty-one", "one million", "one-year-old"): on its
# own it is nearly always a pronoun ("one of his followers", "one side thought").
SMALL_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# "hundred" and "dozen" multiply what comes before them ("two dozen" is 24);
# larger scales close a group ("three million two hundred thousand").
MULTIPLIERS = {"dozen": 12, "hundred": 100}
SCALES = {
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
NUMBER_WORDS = {**SMALL_NUMBERS, **MULTIPLIERS, **SCALES}

# Longest first, so that "seventeen" is not read as "seven".
NUMBER_WORD_PATTERN = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

# Units of time: a quantity in these ("a couple of hours", "30 years ago",
# "three-year-old") is a duration or an age, not a statistic.
TIME_UNITS = words(
    """second seconds minute minutes hour hours day days week weeks month months year years
    decade decades century centuries"""
)

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
MONTH_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}

# Words that carry no content: a number followed by one of these has no unit
# ("in 2006, the ..."), and a capitalised one at the start of a sentence is not
# a name ("The", "When", "Among").
FUNCTION_WORDS = words(
    """a an the this that these those there here it its he she they we i you his her their
    our my your them us me him who whom whose which what when where why how while if in on
    at as by for from with without within after before although though because since until
    unless once but and or nor so yet still however meanwhile moreover furthermore
    nevertheless therefore thus hence also even only just now then today yesterday tomorrow
    such some many most much more less few several each every all both either neither no
    not none nobody nothing one another is are was were be been being has have had do does
    did can could will would should shall may might must let please yes among during
    despite into through like unlike whether to of over under about against between than
    too very last next first other others ago later earlier"""
)

_NUMBER_TOKEN = re.compile(r"[a-z]+")


def words_to_number(phrase: str) -> float | None:
    """Value of a phrase of number words: "two hundred and fifty" -> 250.0.

    Returns None if a word is not a number word. "a hundred" counts "a" as one.
    """
    total = 0
    current = 0
    seen = False
    for word in _NUMBER_TOKEN.findall(phrase.lower()):
        if word in ("and", "a", "an"):
            if word != "and" and not current:
                current = 1
            continue
        if word in SMALL_NUMBERS:
            current += SMALL_NUMBERS[word]
        elif word in MULTIPLIERS:
            current = (current or 1) * MULTIPLIERS[word]
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


# Verbs a clause opens with after its subject: the finite forms of the common verbs
# (words in -ed are told by their ending).
COMMON_VERBS = words(
    """is are was were be been has have had will would can could may might must should
    shall did does do remains remained became becomes began begins built ran runs made said
    says took came went got gave found saw told won lost led left held brought thought kept
    met paid put sent set spent stood fell fought hit knew wrote grew rose drew threw sold
    bought taught caught struck shot fled spoke broke chose"""
)

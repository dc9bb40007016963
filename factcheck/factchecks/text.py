"""Text as the matcher sees it: tweets cleaned, numbers written one way, words stemmed.

A claim reaches the matcher as a tweet, a transcript line or a fact-checker's
sentence. The same fact is written "122" and "one hundred twenty-two", "70 per
cent" and "70%", "$1.5 million" and "1,500,000"; a tweet carries URLs, a
signature line and CamelCase hashtags. Everything here turns such variants into
the same terms, so that a lexical index can find them.
"""

from __future__ import annotations

import functools
import re

import Stemmer

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = "|".join([*_UNITS, *_SCALES])
# A run of number words ("one hundred and twenty-two"), or digits followed by a scale
# ("1.5 million"). "a hundred" and lone "one" stay words: "one of them" is no number.
_WORD_RUN = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*\b", re.IGNORECASE
)
_DIGITS_SCALE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(hundred|thousand|million|billion)\b", re.I)
_THOUSANDS = re.compile(r"\b(\d{1,3})((?:,\d{3})+)\b")
_PERCENT = re.compile(r"(\d)\s*(?:per\s*cent|percent|pct)\b", re.IGNORECASE)

_URL = re.compile(r"(?:https?://|pic\.twitter\.com/|www\.)\S*", re.IGNORECASE)
# The signature an embedded tweet ends with: "— Name (@handle) January 14, 2020".
_SIGNATURE = re.compile(r"\s[—–-]+\s([^—–]*)\(@\w+\)\s*(\w+)\s+\d{1,2},\s+(\d{4})\s*$")
# The signature is looked for in the last characters only: the pattern backtracks over
# every dash before it, so on a whole long text it would take quadratic time.
SIGNATURE_TAIL = 300
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")
_TAG = re.compile(r"[#@](\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")

TOKEN = re.compile(r"\d+(?:\.\d+)?%?|[a-z]+")
NUMBER = re.compile(r"^\d+(?:\.\d+)?(?:%|pct)?$")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t don rt via amp says said say""".split()  # noqa: SIM905
)


def clean_tweet(text: str) -> str:
    """The prose of a tweet: no URLs, hashtags and handles as words, and of the
    signature line only the author's name (a tweet signed "Morgan Eastwood" is often
    about an Eastwood; its handle and date mislead more than they help)."""
    cut = max(len(text) - SIGNATURE_TAIL, 0)
    text = text[:cut] + _SIGNATURE.sub(lambda m: " " + m.group(1), text[cut:])
    text = _URL.sub(" ", text)
    return _TAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)


def _words_value(words: str) -> int | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and" or not word:
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return total + current


def _replace_words(match: re.Match[str]) -> str:
    run = match.group(0)
    # A lone "one" or "hundred" is a word; a run longer than any real number is noise
    # (and "one hundred and one hundred and ..." would make an integer without end).
    if run.lower() == "one" or run.lower() in _SCALES or len(run.split()) > 12:
        return run
    return str(_words_value(run))


def _scaled(match: re.Match[str]) -> str:
    if len(match.group(1)) > 15:
        return match.group(0)
    value = float(match.group(1)) * _SCALES[match.group(2).lower()]
    return str(int(value)) if value.is_integer() else str(value)


def normalise_numbers(text: str) -> str:
    """Numbers in digits: "one hundred twenty-two" is 122, "70 per cent" is 70%."""
    text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)
    text = _WORD_RUN.sub(_replace_words, text)
    text = _DIGITS_SCALE.sub(_scaled, text)
    return _PERCENT.sub(r"\1%", text)


@functools.lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case words and numbers of a text, numbers normalised, stopwords kept."""
    return TOKEN.findall(normalise_numbers(clean_tweet(text)).lower().replace("'", ""))


def stem(words: list[str]) -> list[str]:
    """Snowball English stems; "70%" becomes the term "70pct", which a database's
    full-text parser keeps whole."""
    return [w[:-1] + "pct" if w.endswith("%") else w for w in _stemmer().stemWords(words)]


def terms(text: str) -> list[str]:
    """The index terms of a text: its words without stopwords, stemmed."""
    return stem([word for word in words(text) if word not in STOPWORDS])


def tweet_date(text: str) -> tuple[str, str] | None:
    """The (month, year) of an embedded tweet's signature line, if it has one."""
    found = _SIGNATURE.search(text[-SIGNATURE_TAIL:])
    return (found.group(2).lower(), found.group(3)) if found else None


def names(text: str) -> set[str]:
    """Stemmed capitalised words inside sentences: the names a claim is about."""
    found = [w.lower() for w in _NAME.findall(clean_tweet(text))]
    return set(_stemmer().stemWords([w for w in found if w not in STOPWORDS]))


def is_number(term: str) -> bool:
    return bool(NUMBER.match(term))

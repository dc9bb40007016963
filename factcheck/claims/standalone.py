"""Claims that stand alone: the wording of an atomic claim as a sentence of its own.

A claim cut from its sentence may lean on words it no longer has. Two repairs,
both by rule and both conservative (a claim left as it was is better than one
given the wrong subject):

- a closing relative clause gets its antecedent back: "..., which is run by one
  of Moqtada al-Sadr's followers." after "attacked the Ministry of Health"
  becomes "The Ministry of Health is run by one of Moqtada al-Sadr's
  followers.";
- a subject pronoun (he, she, it, they) that opens the claim, perhaps after a
  time phrase ("Last week they ..."), is replaced by the named entity it points
  to in the same sentence or the previous one: he and she by the first person's
  name, they by two names joined by "and" or a plural subject that names
  something ("U.S. forces"), it by a singular named subject ("The Ministry of
  Health was ..."). "It is hard to see ..." has no antecedent and stays.

Only the wording changes; the claim's span in the essay stays the essay's own
words, which is what the reader highlights.
"""

from __future__ import annotations

import re

from factcheck.claims.entities import TITLES, find_entities
from factcheck.claims.lexicon import FUNCTION_WORDS, words

_RELATIVE = re.compile(r"(?:which|who)\b", re.IGNORECASE)
_PLURAL_VERB = re.compile(r"(?:which|who)\s+(?:\w+ly\s+)?(?:are|were|have)\b", re.IGNORECASE)
# The name a relative clause leans on: capitalised words closing the text before it,
# with the particles names hold ("Ministry of the Interior", "Moqtada al-Sadr").
_NAMED_ANTECEDENT = re.compile(
    r"(?:\b(?:the|The)\s+)?[A-Z][\w'’.-]*(?:\s+(?:(?:of|for|the|de|al|and)\s+)*[A-Z][\w'’.-]*)*\s*$"
)
_TIME_PHRASE = (
    r"(?:(?:last|this|next|that) (?:week|month|year|night|spring|summer|fall|autumn|winter)"
    r"|yesterday|today|now|then|later|since then|on \w+day|in \d{4})"
)
_OPENING_PRONOUN = re.compile(
    rf"(?P<intro>(?:(?:but|and|yet|so),?\s+)?(?:{_TIME_PHRASE},?\s+)?)(?P<pronoun>he|she|it|they)"
    r"(?P<contraction>['’](?:s|re|ve|ll))?(?=\s)",
    re.IGNORECASE,
)
_LEADING_TIME = re.compile(rf"{_TIME_PHRASE},?\s+", re.IGNORECASE)
# "It is hard to see", "It would be easy to": "it" that points at nothing.
_EXPLETIVE_IT = re.compile(
    r"it(?:['’]s|\s+(?:is|was|would be|will be|seems|seemed|appears|remains|takes|took))"
    r"\s+(?:[\w-]+\s+){0,3}?(?:to|that|for|whether|how|time)\b",
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*"
_NAMES_JOINED = re.compile(rf"\b({_NAME} and {_NAME})")
# The subject that opens a sentence: a few words up to its verb.
_SUBJECT = re.compile(
    r"((?:[\w'’.-]+\s+){0,4}?[\w'’.-]+)\s+(?:is|are|was|were|has|have|had|will|would|can|could"
    r"|\w+ed)\b"
)
_CONTRACTED = {"'re": "are", "'ve": "have", "'ll": "will"}
_HAS_AFTER = re.compile(r"\s+(?:been|got|had|\w+ed)\b", re.IGNORECASE)  # "he's been": has
# Words that make a name a place, a body or a thing rather than a person.
_NOT_PERSONS = words(
    """ministry army brigades brigade house city states state department party council
    university univ court government agency commission committee coalition forces hospital
    school church library center centre board office service union league company bank
    county district republic kingdom nations war model east west north south asia america
    europe africa island islands sea ocean river lake valley street road minister health
    times post news"""
)


def wording(sentence: str, start: int, end: int, previous: str = "") -> str:
    """``sentence[start:end]`` as a claim of its own; ``previous`` is the sentence before
    (in its standalone wording), where a pronoun may find its name."""
    claim = sentence[start:end]
    before = sentence[:start]
    relative = _RELATIVE.match(claim)
    if relative is not None and start > 0:
        named = antecedent(before, claim)
        if named is not None:
            return _capitalised(named + claim[relative.end() :])
    resolved = _resolve_pronoun(claim, before, previous)
    # A claim cut from inside its sentence starts one of its own ("the attackers
    # fled" after ", and"); a whole sentence keeps the writer's case.
    return _capitalised(resolved) if start > 0 or resolved != claim else claim


def antecedent(before: str, clause: str) -> str | None:
    """The name closing ``before`` that the relative ``clause`` after it refers to, if
    any. A plural verb after a single name ("the realists, like James Baker, who are
    ...") points further back: no antecedent then."""
    if _PLURAL_VERB.match(clause) and " and " not in before[-60:]:
        return None
    text = before.rstrip().rstrip(",").rstrip()
    match = _NAMED_ANTECEDENT.search(text)
    if match is None:
        return None
    named = match.group().strip()
    first = named.split()[0]
    if first.lower() in FUNCTION_WORDS and first.lower() != "the":
        return None  # "When", "There": a sentence's opening word, not a name
    return named


def _resolve_pronoun(claim: str, before: str, previous: str) -> str:
    match = _OPENING_PRONOUN.match(claim)
    if match is None:
        return claim
    pronoun = match["pronoun"].lower()
    if pronoun == "it" and _EXPLETIVE_IT.match(claim, match.start("pronoun")):
        return claim
    named = _name_for(pronoun, before) or _name_for(pronoun, previous)
    if named is None:
        return claim
    rest = claim[match.end() :]
    verb = _verb_of(match["contraction"], rest)
    if verb is None:
        return claim
    if match["intro"]:
        named = _lowered_article(named)
    return claim[: match.start("pronoun")] + named + verb + rest


def _name_for(pronoun: str, text: str) -> str | None:
    if not text.strip():
        return None
    if pronoun in ("he", "she"):
        return next(iter(_persons(text)), None)
    if pronoun == "they":
        joined = [
            match.group(1)
            for match in _NAMES_JOINED.finditer(text)
            if match.group(1).split()[0].lower() not in FUNCTION_WORDS
        ]
        if joined:
            return joined[-1]
        subject = _named_subject(text)
        return subject if subject is not None and subject.endswith("s") else None
    subject = _named_subject(text)  # "it"
    return subject if subject is not None and not subject.endswith("s") else None


def _persons(text: str) -> list[str]:
    """Names in ``text`` that look like people's: two or more words, or after a title."""
    found = []
    for name in find_entities(text):
        parts = name.split()
        if any(part.lower().strip(".") in _NOT_PERSONS for part in parts):
            continue
        titled = re.search(rf"\b(?:{_TITLE_PATTERN})\.?\s+{re.escape(name)}\b", text, re.I)
        if len(parts) >= 2 or titled:
            found.append(name)
    return found


_TITLE_PATTERN = "|".join(sorted(TITLES, key=len, reverse=True))


def _named_subject(text: str) -> str | None:
    """The subject that opens ``text`` when it names something ("U.S. forces")."""
    opening = _LEADING_TIME.sub("", text.strip(), count=1)
    match = _SUBJECT.match(opening)
    if match is None:
        return None
    subject = match.group(1)
    first = subject.split()[0].lower()
    if first in ("he", "she", "it", "they", "we", "i", "you", "this", "that", "there"):
        return None
    return subject if find_entities(subject) else None


def _verb_of(contraction: str | None, rest: str) -> str | None:
    """What a contracted verb stands for once its pronoun is gone ("he's now" -> " is")."""
    if contraction is None:
        return ""
    ending = contraction.replace("’", "'").lower()
    if ending == "'s":
        return " has" if _HAS_AFTER.match(rest) else " is"
    return " " + _CONTRACTED[ending]


def _lowered_article(named: str) -> str:
    return "the" + named[3:] if named.startswith("The ") else named


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]

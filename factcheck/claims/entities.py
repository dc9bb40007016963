"""Names in a claim: people, organisations, places and offices, by rule, no model.

A name is a run of capitalised words ("Sadr City", "Bayan Jabr"), which may
hold lower-case particles and connectors ("Moqtada al-Sadr", "Ministry of the
Interior"), and which a possessive ends ("Badr's Bayan Jabr" is two names).
What is left out, and why:

- capitalised function words and imperatives ("The", "When", "Think"), months
  and weekdays (those are dates), and titles before a name ("President Bush"
  gives "Bush"), so that the names match how reference records spell them;
- nationality adjectives before a noun ("American units", "Sunni militants"):
  descriptions, not names ("Sunnis" on its own is kept);
- a lone capitalised word that starts the sentence, unless the document also
  capitalises it elsewhere (pass those words as ``known``): "Kissinger
  maneuvered" is a name, "Think Vietnam" starts with an ordinary word.

A lower-case office after a name is part of it: "Iraq's Finance minister"
gives "Iraq" and "Finance minister".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from factcheck.claims.lexicon import FUNCTION_WORDS, MONTHS, WEEKDAYS, words

_TOKEN = re.compile(r"\w+(?:['’.-]\w+)*\.?")
_PARTICLE = re.compile(r"(?:al|el|ad|ash|as|at|ibn|bin|abu|abd|ul)-[^\W\d_]", re.IGNORECASE)
_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)+")  # "U.S.", "D.C."
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")  # "RPGs", "IEDs": things, not names
_CONTRACTION = re.compile(r"['’](?:re|ve|ll|d|m|t)$", re.IGNORECASE)  # "We're", "Don't"
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)

_IMPERATIVES = words(
    """think consider imagine remember look note see read watch ask take make stop forget
    say tell go come call try"""
)
_NOT_NAMES = FUNCTION_WORDS | _IMPERATIVES | set(MONTHS) | set(WEEKDAYS)

# Titles dropped from the front of a name ("Prime Minister Nuri al-Maliki").
# Ambiguous words ("General Motors", "Prince Edward Island") are left out.
TITLES = words(
    """president vice prime minister secretary senator sen rep gov governor gen adm col lt
    sgt capt cmdr dr mr mrs ms prof professor king queen pope sheikh ayatollah imam
    chancellor ambassador judge mayor deputy cardinal bishop rev sir"""
)
# Lower-case words that join two capitalised ones inside a name.
_CONNECTORS = words("of for de del da di du van von der bin ibn al")
# Lower-case heads that make an office of the name before them ("Finance minister").
_OFFICES = words("minister ministry secretary department agency commission committee council")
_DEMONYMS = words(
    """american iraqi iranian syrian afghan pakistani saudi kurdish arab israeli palestinian
    lebanese turkish british english french german russian chinese japanese korean european
    african asian western eastern muslim islamic christian jewish sunni shia shiite shi'ite
    soviet vietnamese democratic republican catholic protestant"""
)
_ADJECTIVE_ENDINGS = ("ian", "ean", "ese", "ish")
_MAX_NAME_WORDS = 8  # "United States Institute of Peace" is 5


@dataclass(frozen=True)
class _Token:
    text: str  # without a possessive "'s"
    start: int
    end: int
    possessive: bool


def find_entities(sentence: str, known: Iterable[str] | None = None) -> list[str]:
    """The names in ``sentence``, in order of first mention, each once.

    ``known``: capitalised words the document uses inside sentences; a lone
    capitalised word at the start of the sentence is a name only if it is one
    of them. Without ``known``, such a word is a name unless it is a common word.
    """
    known_words = None if known is None else frozenset(known)
    tokens = _tokens(sentence)
    names: dict[str, None] = {}  # a dict keeps the order and drops repeats
    index = 0
    while index < len(tokens):
        if not _is_name_word(tokens[index]):
            index += 1
            continue
        run, index = _run(sentence, tokens, index)
        following = tokens[index] if index < len(tokens) else None
        name = _name(sentence, tokens[0], run, following, known_words)
        if name:
            names[name] = None
    return list(names)


def capitalised_inside(sentences: Iterable[str]) -> frozenset[str]:
    """The capitalised words used after the first word of a sentence: the ``known`` names."""
    words = set()
    for sentence in sentences:
        words.update(token.text for token in _tokens(sentence)[1:] if _is_name_word(token))
    return frozenset(words)


def _tokens(sentence: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(sentence):
        text, end = match.group(), match.end()
        if text.endswith(".") and not _is_abbreviation(text):
            text, end = text[:-1], end - 1  # a full stop, not part of the word
        possessive = _POSSESSIVE.search(text) is not None
        if possessive:
            text = text[:-2]
        tokens.append(_Token(text, match.start(), end, possessive))
    return tokens


def _is_abbreviation(text: str) -> bool:
    return _ABBREVIATION.fullmatch(text) is not None or text[:-1].lower() in TITLES


def _is_name_word(token: _Token) -> bool:
    text = token.text
    if not text or any(char.isdigit() for char in text):
        return False
    if _CONTRACTION.search(text) or _PLURAL_ACRONYM.fullmatch(text):
        return False
    return text[0].isupper() or _PARTICLE.match(text) is not None


def _run(sentence: str, tokens: list[_Token], index: int) -> tuple[list[_Token], int]:
    """The longest name starting at ``tokens[index]``, and the index just after it."""
    run = [tokens[index]]
    index += 1
    while index < len(tokens) and not run[-1].possessive:
        token = tokens[index]
        if not _adjacent(sentence, run[-1], token):
            break
        if token.text in _OFFICES:  # "Finance minister": the office ends the name
            return [*run, token], index + 1
        if _is_name_word(token):
            run.append(token)
            index += 1
            continue
        joined = _connector(sentence, tokens, index)
        if not joined:
            break
        run.extend(joined)
        index += len(joined)
    return run, index


def _connector(sentence: str, tokens: list[_Token], index: int) -> list[_Token]:
    """A connector ("of", "of the", "al") and the capitalised word after it, if they join a name."""
    if tokens[index].text not in _CONNECTORS:
        return []
    joined = [tokens[index]]
    following = index + 1
    if tokens[index].text == "of" and following < len(tokens) and tokens[following].text == "the":
        joined.append(tokens[following])
        following += 1
    if following >= len(tokens) or not _is_name_word(tokens[following]):
        return []
    chain = [*joined, tokens[following]]
    if all(_adjacent(sentence, a, b) for a, b in pairwise(chain)):
        return chain
    return []


def _adjacent(sentence: str, left: _Token, right: _Token) -> bool:
    """Only white space between the two words, and no paragraph break."""
    gap = sentence[left.end : right.start]
    return gap.isspace() and "\n\n" not in gap and not left.possessive


def _name(
    sentence: str,
    first: _Token,
    run: list[_Token],
    following: _Token | None,
    known: frozenset[str] | None,
) -> str:
    """The name a run of words stands for, or "" if it is not one."""
    begin = 0
    while begin < len(run) and _bare(run[begin]) in _NOT_NAMES:
        begin += 1  # "When President Bush": not "When"
    while begin + 1 < len(run) and _bare(run[begin]) in TITLES:
        if run[begin + 1].text in _CONNECTORS:
            break  # "Secretary of State": an office, keep it whole
        begin += 1
    run = run[begin:]
    if not run or not _is_name_word(run[0]) or len(run) > _MAX_NAME_WORDS:
        return ""  # "The ministry": no name left; a long run is shouting or a heading
    if len(run) == 1:
        word = run[0]
        if word is first and known is not None and word.text not in known:
            return ""
        if _is_adjective(word.text) and _noun_follows(sentence, word, following):
            return ""
    return " ".join(token.text for token in run)


def _bare(token: _Token) -> str:
    return token.text.lower().rstrip(".")


def _is_adjective(word: str) -> bool:
    lower = word.lower()
    return lower in _DEMONYMS or (len(lower) > 5 and lower.endswith(_ADJECTIVE_ENDINGS))


def _noun_follows(sentence: str, word: _Token, following: _Token | None) -> bool:
    """Is the next word a lower-case content word ("American units")?"""
    return (
        following is not None
        and _adjacent(sentence, word, following)
        and following.text[:1].islower()
        and following.text.lower() not in FUNCTION_WORDS
    )

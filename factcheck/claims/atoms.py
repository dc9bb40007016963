"""Atomic claims: cut a sentence that makes several checkable statements, when cleanly possible.

The cuts, all conservative (a wrong cut is worse than none):

- at a semicolon, when what follows is a clause with its own subject and verb:
  "Badr's Bayan Jabr built the death squads when he ran the ministry; he's
  now Iraq's Finance minister, in charge of its resources.";
- at ", and" / ", but", when both sides are clauses with their own verbs and
  the sentence does not open with a subordinate clause ("When X, and Y, Z"
  would leave "When X" on its own);
- at "and, the next day, was attacked": a verb that shares the named subject of
  the clause before it (``standalone`` gives it back);
- at ", which ..." / ", who ..." / ", whose ..." when the caller says the clause
  is a fact of its own about the name before it: one closing the sentence ("the
  Ministry of Health, which is run by ...", "Fadhlil, whose blog, Iraq the Model,
  has ..."), or one inside it, cut before the main verb ("The Ministry of
  Education, which still retains some Sunnis, | was attacked");
- after an opening time clause: "just hours before X, Y" always (both happened),
  "When X, Y" only when the caller says X is a fact and Y is not (an opinion
  would hide the fact);
- at a closing "when he ...", "while she ..." whose pronoun is the person of the
  main clause ("Bayan Jabr built the death squads | when he ran the ministry");
- at ", the other that ..." after "One side thought ...".

Nothing is cut inside quotation marks or brackets. The conjunction is left out
of the second claim; spans are offsets into the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from factcheck.claims.entities import find_entities
from factcheck.claims.lexicon import COMMON_VERBS, words
from factcheck.claims.quotes import bracketed_regions, inside, merge, quoted_regions
from factcheck.claims.standalone import (
    INTERVAL,
    TIME_PHRASE,
    is_gapped_contrast,
    persons,
    shares_subject,
)

_CUT = re.compile(
    r"(?P<semicolon>;)\s*"
    r"|,\s+(?P<conjunction>and|but)\s+"
    r"|\s+(?P<shared>and|but),\s+"
    r"|(?P<relative>,)\s+(?=(?:which|who|whose)\s)"
    r"|,\s+(?=(?P<gapped>the\s+other|others)\s+that\s)"
    r"|\s+(?=(?P<when>when|while)\s+(?:he|she)\s)",
    re.IGNORECASE,
)
# A time clause that opens the sentence, perhaps after its day: "On Thursday, just hours
# before a series of car bombs killed ..., Sunni militants attacked ...".
_LEADING_SUBORDINATE = re.compile(
    rf"(?:{TIME_PHRASE},\s+)?(?:(?P<interval>{INTERVAL})|when|while)\s+"
    r"(?P<clause>[^,;\"“()]+),\s+",
    re.IGNORECASE,
)
# The comma that ends a relative clause inside the sentence, before the main verb.
_MAIN_VERB_AFTER = re.compile(
    r",\s+(?=(?:is|are|was|were|has|have|had|will|would|can|could|remains|remained)\b)",
    re.IGNORECASE,
)
_APPOSITIVE = re.compile(r",\s+[A-Z][^,]*,")  # ", Iraq the Model,"
_LEADING_CONJUNCTION = re.compile(r"(?:and|but)\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w'’-]+")

_SUBJECTS = words(
    """he she it they we i you there this that these those the a an his her its their our
    my your both each many most some several nobody everyone everybody someone somebody
    nothing everything none all"""
)
_FIRST_PERSONS = words("i we you")
_SUBORDINATORS = words(
    """when while if although though because since after before as unless until once
    whereas whether"""
)
_SUBORDINATOR_WORD = re.compile(r"\s*(?:when|while)\s+", re.IGNORECASE)
_CONTRACTED_VERB = re.compile(r"['’](?:s|re|ve|ll|d|m)$", re.IGNORECASE)
_PAST_TENSE = re.compile(r"\w{3,}ed$")
_MIN_WORDS = 3
_LOOKAHEAD_WORDS = 8  # how far into a clause to look for its verb
# Longer "sentences" (a pasted table, a run-on without stops) are kept whole:
# no reader splits them by hand either, and it bounds the work per sentence.
_MAX_SENTENCE = 1_000


def atomic_spans(
    sentence: str,
    standalone: Callable[[str, str], bool] | None = None,
    checkable: Callable[[str], bool] | None = None,
) -> list[tuple[int, int]]:
    """(start, end) of each atomic claim in ``sentence``; the whole sentence if none.

    ``standalone(before, clause)`` says whether a relative clause ("which is ...") is a
    checkable statement of its own about the words ``before`` it; without it such
    clauses stay. ``checkable(text)`` says whether a clause states a checkable fact;
    without it an opening "When ..." clause stays.
    """
    if len(sentence) > _MAX_SENTENCE:
        return [_trim(sentence, 0, len(sentence))]
    protected = merge(quoted_regions(sentence) + bracketed_regions(sentence))
    spans: list[tuple[int, int]] = []
    start = _leading_cut(sentence, protected, checkable)
    if start:
        spans.append((0, start))
    for cut in _CUT.finditer(sentence):
        if cut.start() < start or inside(protected, cut.start()):
            continue
        left = sentence[start : cut.start()]
        right_start = _skip_conjunction(sentence, cut.end())
        right = sentence[right_start:]
        if cut["relative"]:
            found = _relative_cut(sentence, start, cut.end(), standalone)
            if found is not None:
                spans.append((start, found[0]))
                start = found[1]
            continue
        if _splits(cut, left, right, sentence, cut_before=start > 0):
            spans.append((start, cut.start()))
            start = right_start
    spans.append((start, len(sentence)))
    return [span for span in (_trim(sentence, a, b) for a, b in spans) if span[1] > span[0]]


def _splits(cut: re.Match[str], left: str, right: str, sentence: str, cut_before: bool) -> bool:
    if cut["semicolon"]:
        return _semicolon_splits(left, right, cut_before)
    if cut["conjunction"]:
        return _conjunction_splits(left, right)
    if cut["shared"]:
        return len(_words(left)) > _MIN_WORDS and shares_subject(left, right)
    if cut["gapped"]:
        return len(_words(left)) > _MIN_WORDS and is_gapped_contrast(sentence)
    return _when_splits(left, right)


def _leading_cut(
    sentence: str, protected: list[tuple[int, int]], checkable: Callable[[str], bool] | None
) -> int:
    """Where the main clause starts after an opening time clause that is a fact of its
    own, or 0. "Just hours before X, Y": both happened. "When X, Y" is cut only when
    Y is no fact (an opinion, a prediction) and X is: the fact would be lost in it."""
    lead = _LEADING_SUBORDINATE.match(sentence)
    if lead is None or inside(protected, lead.end("clause")):
        return 0
    clause, main = lead["clause"], sentence[lead.end() :]
    if not _opens_clause(clause) or not _is_clause(main):
        return 0
    if lead["interval"]:
        return lead.end()
    if checkable is not None and _names_something(clause) and checkable(clause):
        return lead.end() if not checkable(main) else 0
    return 0


def _names_something(clause: str) -> bool:
    """ "When President Bush meets Nuri al-Maliki": a fact about someone named; "When we
    have all of this" is none."""
    return _words(clause)[0].lower() not in _FIRST_PERSONS and bool(find_entities(clause))


def _opens_clause(text: str) -> bool:
    """After "when" or "hours before" comes a clause: a subject, then more words."""
    words = _words(text)
    return len(words) >= _MIN_WORDS and (words[0].lower() in _SUBJECTS or words[0][0].isupper())


def _when_splits(left: str, right: str) -> bool:
    """ "Bayan Jabr built the death squads when he ran the ministry": the person of the
    main clause is the "he" of the time clause, which states a fact of its own."""
    words = _words(left)
    return (
        len(words) > _MIN_WORDS
        and words[0][0].isupper()
        and words[0].lower() not in _SUBORDINATORS
        and any(_is_verb(word) for word in words[1:])
        and bool(persons(left))
        and _is_clause(_SUBORDINATOR_WORD.sub("", right, count=1))
    )


def _relative_cut(
    sentence: str, start: int, clause_start: int, standalone: Callable[[str, str], bool] | None
) -> tuple[int, int] | None:
    """(end of the claim before, start of the next) for a relative clause that is a
    fact of its own: one that closes the sentence ("..., which is run by ...") is cut
    at its comma; one inside it ("X, which ..., was attacked") is cut after it, so that
    "X, which ..." and "was attacked" each get "X" back in their wording."""
    left = sentence[start:clause_start].rstrip().rstrip(",")
    rest = sentence[clause_start:]
    main = _MAIN_VERB_AFTER.search(rest)
    if main is not None and _relative_has_verb(rest[: main.start()]) and not _has_verb(left):
        clause = rest[: main.start()]
        if _relative_splits(left, clause, standalone, min_words=0):
            return clause_start + main.start(), clause_start + main.end()
        return None
    if _APPOSITIVE.sub("", rest).find(",") >= 0:
        return None  # not the sentence's last clause
    if _relative_splits(left, rest, standalone):
        return start + len(left), clause_start
    return None


def _has_verb(text: str) -> bool:
    return any(_is_verb(word) for word in _words(text)[1:])


def _relative_has_verb(clause: str) -> bool:
    """ "which still retains ...": a verb in the two words after "which" or "who" (a
    present tense too); "whose blog, Iraq the Model" has none, it is a noun phrase."""
    words = _words(clause)
    if words[0].lower() in ("which", "who"):
        return any(_is_verb(word) or word.endswith("s") for word in words[1:3])
    return _has_verb(clause)


def _skip_conjunction(sentence: str, pos: int) -> int:
    """After "; and " or "; but ", the clause starts at its subject."""
    match = _LEADING_CONJUNCTION.match(sentence, pos)
    return match.end() if match else pos


def _semicolon_splits(left: str, right: str, cut_before: bool) -> bool:
    words = _words(left)
    if len(words) < _MIN_WORDS or not _is_clause(right):
        return False
    # "When he ran the ministry; he ...": the left side is no statement on its own,
    # unless it is a time clause already cut from the claim before it.
    return cut_before or words[0].lower() not in _SUBORDINATORS or "," in left


def _conjunction_splits(left: str, right: str) -> bool:
    words = _words(left)
    return (
        len(words) > _MIN_WORDS
        and words[0].lower() not in _SUBORDINATORS
        and "," not in left  # "X, Y, and Z ..." is more likely a list
        and any(_is_verb(word) for word in words[1:])
        and _is_clause(right)
    )


def _relative_splits(
    left: str,
    right: str,
    standalone: Callable[[str, str], bool] | None,
    min_words: int = _MIN_WORDS,
) -> bool:
    return (
        standalone is not None
        and len(_words(left)) > min_words
        and len(_words(right)) > _MIN_WORDS
        and standalone(left, right)
    )


def _is_clause(text: str) -> bool:
    """Does ``text`` open with a subject followed by a verb ("he's now ...", "the army fled")?"""
    words = _words(text, _LOOKAHEAD_WORDS)
    if len(words) < _MIN_WORDS:
        return False
    subject = words[0]
    if _CONTRACTED_VERB.search(subject) and subject.lower()[:-2] in _SUBJECTS:
        return True  # "he's", "they're"
    if subject.lower() not in _SUBJECTS and not subject[0].isupper():
        return False
    return any(_is_verb(word) for word in words[1:])


def _is_verb(word: str) -> bool:
    lower = word.lower()
    return lower in COMMON_VERBS or _PAST_TENSE.match(lower) is not None


def _words(text: str, limit: int | None = None) -> list[str]:
    words = []
    for match in _WORD.finditer(text):
        words.append(match.group())
        if limit is not None and len(words) >= limit:
            break
    return words


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space and a dangling comma or semicolon from both ends."""
    while start < end and (sentence[start].isspace() or sentence[start] in ",;"):
        start += 1
    while end > start and (sentence[end - 1].isspace() or sentence[end - 1] in ",;"):
        end -= 1
    return start, end

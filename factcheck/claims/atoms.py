"""Atomic claims: cut a sentence that makes several checkable statements, when cleanly possible.

Three cuts, all conservative (a wrong cut is worse than none):

- at a semicolon, when what follows is a clause with its own subject and verb:
  "Badr's Bayan Jabr built the death squads when he ran the ministry; he's
  now Iraq's Finance minister, in charge of its resources.";
- at ", and" / ", but", when both sides are clauses with their own verbs and
  the sentence does not open with a subordinate clause ("When X, and Y, Z"
  would leave "When X" on its own);
- at ", which ..." / ", who ..." closing the sentence, only when the caller
  says the clause is a fact of its own about the words before it ("the
  Ministry of Health, which is run by one of Moqtada al-Sadr's followers.");
  ``extraction`` cuts those that follow a name and are checkable.

Nothing is cut inside quotation marks or brackets. The conjunction is left out
of the second claim; spans are offsets into the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from factcheck.claims.lexicon import words
from factcheck.claims.quotes import bracketed_regions, inside, merge, quoted_regions

_CUT = re.compile(
    r"(?P<semicolon>;)\s*|,\s+(?P<conjunction>and|but)\s+|(?P<relative>,)\s+(?=(?:which|who)\s)",
    re.IGNORECASE,
)
_LEADING_CONJUNCTION = re.compile(r"(?:and|but)\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w'’-]+")

_SUBJECTS = words(
    """he she it they we i you there this that these those the a an his her its their our
    my your both each many most some several nobody everyone everybody someone somebody
    nothing everything none all"""
)
_SUBORDINATORS = words(
    """when while if although though because since after before as unless until once
    whereas whether"""
)
_VERBS = words(
    """is are was were be been has have had will would can could may might must should
    shall did does do remains remained became becomes began begins built ran runs made said
    says took came went got gave found saw told won lost led left held brought thought kept
    met paid put sent set spent stood fell fought hit knew wrote grew rose drew threw sold
    bought taught caught struck shot fled spoke broke chose"""
)
_CONTRACTED_VERB = re.compile(r"['’](?:s|re|ve|ll|d|m)$", re.IGNORECASE)
_PAST_TENSE = re.compile(r"\w{3,}ed$")
_MIN_WORDS = 3
_LOOKAHEAD_WORDS = 8  # how far into a clause to look for its verb
# Longer "sentences" (a pasted table, a run-on without stops) are kept whole:
# no reader splits them by hand either, and it bounds the work per sentence.
_MAX_SENTENCE = 1_000


def atomic_spans(
    sentence: str, standalone: Callable[[str, str], bool] | None = None
) -> list[tuple[int, int]]:
    """(start, end) of each atomic claim in ``sentence``; the whole sentence if none.

    ``standalone(before, clause)`` says whether a closing relative clause ("which
    is ...") is a checkable statement of its own about the words ``before`` it;
    without it such clauses stay.
    """
    if len(sentence) > _MAX_SENTENCE:
        return [_trim(sentence, 0, len(sentence))]
    protected = merge(quoted_regions(sentence) + bracketed_regions(sentence))
    last_comma = sentence.rfind(",")
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in _CUT.finditer(sentence):
        if inside(protected, cut.start()):
            continue
        left = sentence[start : cut.start()]
        right_start = _skip_conjunction(sentence, cut.end())
        right = sentence[right_start:]
        if cut["semicolon"]:
            splits = _semicolon_splits(left, right)
        elif cut["conjunction"]:
            splits = _conjunction_splits(left, right)
        else:  # a relative clause: only the one that closes the sentence
            splits = cut.start() == last_comma and _relative_splits(left, right, standalone)
        if splits:
            spans.append((start, cut.start()))
            start = right_start
    spans.append((start, len(sentence)))
    return [span for span in (_trim(sentence, a, b) for a, b in spans) if span[1] > span[0]]


def _skip_conjunction(sentence: str, pos: int) -> int:
    """After "; and " or "; but ", the clause starts at its subject."""
    match = _LEADING_CONJUNCTION.match(sentence, pos)
    return match.end() if match else pos


def _semicolon_splits(left: str, right: str) -> bool:
    words = _words(left)
    if len(words) < _MIN_WORDS or not _is_clause(right):
        return False
    # "When he ran the ministry; he ...": the left side is no statement on its own.
    return words[0].lower() not in _SUBORDINATORS or "," in left


def _conjunction_splits(left: str, right: str) -> bool:
    words = _words(left)
    return (
        len(words) > _MIN_WORDS
        and words[0].lower() not in _SUBORDINATORS
        and "," not in left  # "X, Y, and Z ..." is more likely a list
        and any(_is_verb(word) for word in words[1:])
        and _is_clause(right)
    )


def _relative_splits(left: str, right: str, standalone: Callable[[str, str], bool] | None) -> bool:
    return (
        standalone is not None
        and len(_words(left)) > _MIN_WORDS
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
    return lower in _VERBS or _PAST_TENSE.match(lower) is not None


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

"""Sentence segmentation over the original text: spans, never cleaned copies.

``sentences(text)`` returns ``(start, end)`` offsets into ``text`` itself, so
callers can highlight, quote and link claims without searching for them again.

It works in two passes, both linear in the length of the text:

1. **Blocks.** The text is cut into blocks line by line. A blank line, a heading
   (``# Title``, or a short Title Case line at the top of a paragraph), a list
   item (``- x``, ``* x``, ``1. x``, ``a) x``...), a table row or a rule line
   always ends a sentence. Any other line break is a soft wrap inside one.
2. **Boundaries inside a block.** One compiled regex finds each cluster of
   terminal punctuation (``.``, ``!``, ``?``, ellipses). A few small decisions
   about the word before it and the word after it say whether it ends a
   sentence. Inline lists ("1. a 2. b") and bullets ("• a • b") add cuts before
   their markers, and punctuation inside a short quotation or bracket does not
   end the sentence around it.

Every regex either matches wherever it is tried or has bounded repetition, and
every look back or ahead from a candidate is bounded or covers text no other
candidate covers, so there is no catastrophic backtracking: 100,000 dots in a
row take milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from factcheck.claims import lexicon

# --------------------------------------------------------------------------
# Word lists, lower case.


# Titles and other abbreviations that stand before a name never end a sentence
# when capitalised: "Dr. Smith" (but "5 Elm dr." may).
_TITLES = lexicon.words(
    """mr mrs ms mx messrs mssrs mme mlle msgr dr drs prof profs rev fr hon pres gov govs
    sen sens rep reps gen lt col maj capt cmdr comdr adm brig sgt cpl pvt pfc sfc supt
    insp det atty attys amb lieut sec ens vs"""
)

# Abbreviations that stand before a number: "p. 55", "No. 5", "Fig. 3".
_NUMBER_ABBREVIATIONS = lexicon.words(
    """no nos n° nº nr p pp art arts ext fig figs vol vols ch chap sec secs para paras pt
    pts op ed eq eqs approx ca c tel ref refs ex"""
)

# Abbreviations that may end a sentence or not ("Briggs & Co. at noon", "Briggs &
# Co. It closed"): they end one only before a typical sentence opener.
_ABBREVIATIONS = lexicon.words(
    """etc inc ltd corp co cos bros jr sr esq approx dept depts univ assn asst ave blvd bldg
    hwy mfg govt intl natl est al jan feb apr jun jul aug sep sept oct nov dec tues thur
    thurs st mt ft rd ct ln sq yr yrs mos hrs mins secs lbs oz misc cf viz"""
)
# The same, but also ordinary words ("mass", "ill", "sun"): abbreviations only
# when capitalised ("Mass.", "Ill.", "Sun.").
_CAPITALISED_ABBREVIATIONS = lexicon.words(
    """ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss
    mo mont neb nebr nev okla ore pa penn tenn tex va vt wash wis wisc wyo dak ont que sask
    mar mon tue wed thu fri sat sun"""
)

# Abbreviations that introduce more text, so never end a sentence.
_NEVER_FINAL = frozenset({"e.g", "i.e", "cf", "viz", "vs", "v"})

# Words that typically open a sentence. After an ambiguous abbreviation or an
# initial ("the U.S.", "Jane and co.", "you and I."), a capitalised word starts a
# new sentence only if it is one of these: "the U.S. Government" is one
# sentence, "the U.S. How about you?" is two. Case-sensitive.
_STARTERS = lexicon.words(
    """A An The This That These Those There Their They Them Then He She It Its I We You Your
    Our My His Her Who What When Where Why How Which Whose If In On At As By For From With
    Without After Before Although Though Because Since While Once Until Unless But And Or
    Nor So Yet Still However Meanwhile Moreover Furthermore Nevertheless Therefore Thus
    Hence Also Even Only Just Now Today Yesterday Tomorrow Here Such Some Many Most Much
    More Few Several Each Every All Both Either Neither No Not None Nobody Nothing One
    Another Being Did Do Does Is Are Was Were Has Have Had Can Could Will Would Should
    Shall Might Must Let Please Indeed Instead Perhaps Maybe Yes Millions Thousands
    Hundreds Among During Despite Into Through Like Unlike Whether"""
)

# Names spelled with "!" ("She works at Yahoo! Finance"). Case-sensitive.
_EXCLAMATION_WORDS = frozenset({"Yahoo", "Jeopardy", "Yum"})

# Words of a bare time phrase like "At 5 a.m.", which is no sentence on its own:
# "At 5 a.m. Mr. Smith went to the bank" does not split after "a.m.".
_TIME_PHRASE_WORDS = lexicon.words(
    """at by before after until till since from around about approximately roughly shortly
    just near past on to and between circa early late this each every today yesterday
    tomorrow tonight morning evening afternoon night monday tuesday wednesday thursday
    friday saturday sunday"""
)

# Words that carry on a time after "a.m."/"p.m.": "8 p.m. Tuesday", "8 p.m. EST".
_TIME_QUALIFIERS = lexicon.words(
    """eastern pacific central mountain atlantic local est edt cst cdt mst mdt pst pdt et ct
    mt pt gmt utc bst cet monday tuesday wednesday thursday friday saturday sunday mon tue
    tues wed thu thur thurs fri sat sun jan january feb february mar march apr april may
    june jul july aug august sep sept september oct october nov november dec
    december"""
)

# Words that start with an apostrophe rather than open a quotation: "'round".
_ELISIONS = frozenset({"em", "til", "tis", "twas", "round", "cause", "n", "s"})

# --------------------------------------------------------------------------
# Characters and compiled patterns.

_BULLETS = "•⁃◦▪‣●"
_CLOSERS = "\"'”’»)]}*_`」』）】〕》"  # may follow the punctuation, still in the sentence
_OPENERS = "\"'“‘«([{*_`¿¡"  # may come before the first word of a sentence
_FULL_WIDTH_STOPS = "。．！？"  # these end a sentence even with no space after

# A cluster of terminal punctuation (spaced ellipses included: ". . . .") or a
# closing parenthesis. It matches wherever it starts, so it never backtracks.
_CLUSTER = re.compile(r"[.!?…‼⁇⁈⁉。．！？]+(?:[ \u00a0][.…]+)*|\)")
_NON_SPACE = re.compile(r"\S")
# Any character that could split a block (the fast path skips blocks without one).
_MAY_SPLIT = re.compile(r"[.!?…‼⁇⁈⁉。．！？)" + _BULLETS + "]")

# Roman numerals up to 13, as list markers.
_ROMAN = r"(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3}|I{1,3}|IV|VI{0,3}|IX|XI{0,3})"
# Line starts that open a block of their own.
_HEADING = re.compile(r"#{1,6}(?=\s|$)")
_FENCE = re.compile(r"```|~~~")
_LIST_ITEM = re.compile(
    r"(?:[-*+" + _BULLETS + r"]|\(?(?:\d{1,3}|[a-z]|" + _ROMAN + r")[.)]|\(?[A-Z]\)|\d{1,3}\.\))"
    r"(?=\s)"
)
# Inline list markers, "1." "2.)" "3)" "(4)" "a." "(b)", between white space
# (or a bullet) and white space.
_ENUMERATOR = re.compile(r"(?<![^\s" + _BULLETS + r"])(\()?(\d{1,3}|[a-z])(\.\)|\.|\))(?=\s)")
_BULLET = re.compile("[" + _BULLETS + "]")
# A parenthesis that is only a list marker: "(a)", "(iv)", "(12)".
_PAREN_MARKER = re.compile(r"\((?:\d{1,3}|[A-Za-z]|" + _ROMAN + r")\)")
# Footnote marks after a full stop: "martyr.[1] The", "(1987).1 According".
_FOOTNOTE = re.compile(r"(?:\[\d{1,3}(?:[–-]\d{1,3})?\])+|\d{1,3}(?=\s)")
# "U.S", "E.U", "a.m", "Ph.D", "U.S.A": the last dot is the candidate itself.
_DOTTED_ABBREVIATION = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")
_CLOCK = re.compile(r"\d{1,2}(?:[:.]\d{2})?")
# Quotation marks and brackets, whose contents are shielded from splitting.
_SHIELD_CHARS = re.compile(r"[\"“”()\[\]'‘’`]")
_PAIRS = {"”": "“", ")": "(", "]": "["}

_SHIELD_MAX = 600  # a longer quotation is split like ordinary text
_SINGLE_SHIELD_MAX = 300  # single quotes double as apostrophes: trust them less
_MAX_TOKEN = 64  # a longer word is no abbreviation
_MAX_TITLE = 80  # the longest line taken for an unmarked heading
_MAX_LABEL = 40  # the longest lower-case line taken for an item of a plain list


def sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, trimmed of white space.

    Spans index the original string, are in order, do not overlap and are never
    empty; ``text[start:end]`` has no leading or trailing white space.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _blocks(text):
        _split_block(text, start, end, spans)
    return spans


# --------------------------------------------------------------------------
# Pass 1: blocks of lines.


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each run of lines that no line-level break divides."""
    block_start = -1  # start of the open block; -1 when there is none
    block_end = block_lines = 0
    label = ""  # what _label_kind says of the open block's first line
    in_code = False
    for line_start, line_end in _lines(text):
        first = _NON_SPACE.search(text, line_start, line_end)
        if first is None:  # a blank line
            if block_start >= 0:
                yield block_start, block_end
                block_start = -1
            continue
        begin = first.start()
        kind = _line_kind(text, begin, line_end)
        if kind == "fence":
            in_code = not in_code
        alone = in_code or kind in ("heading", "table", "fence")
        after_label = block_lines == 1 and (
            label == "label" or (label == "title" and _starts_capitalised(text, begin))
        )
        if block_start >= 0 and (kind != "text" or alone or after_label):
            yield block_start, block_end
            block_start = -1
        if kind == "rule":
            continue  # decoration, not a sentence
        if block_start < 0:
            block_start, block_lines = begin, 0
            label = _label_kind(text, begin, line_end) if kind == "text" else ""
        block_end = line_end
        block_lines += 1
        if alone:
            yield block_start, block_end
            block_start = -1
    if block_start >= 0:
        yield block_start, block_end


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line, without its line break."""
    pos = 0
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            yield pos, len(text)
            return
        yield pos, newline
        pos = newline + 1


def _line_kind(text: str, first: int, end: int) -> str:
    """Classify a non-blank line by how it starts: heading, fence, table, rule, item, text."""
    char = text[first]
    if char == "#" and _HEADING.match(text, first, end):
        return "heading"
    if char in "`~" and _FENCE.match(text, first, end):
        return "fence"
    if char == "|":
        return "table"
    if char in "-*_=~" and _is_rule(text[first:end]):
        return "rule"
    if _LIST_ITEM.match(text, first, end):
        return "item"
    return "text"


def _is_rule(line: str) -> bool:
    """A horizontal rule or Setext underline: '---', '* * *', '====='."""
    marks = line.replace(" ", "").rstrip()
    return len(marks) >= 3 and marks == marks[0] * len(marks)


def _label_kind(text: str, start: int, end: int) -> str:
    """Is this line a heading or label standing on its own, with no punctuation?

    "title": short and Title Case ("The Road Ahead", "WASHINGTON"); it stands
    alone if the next line starts with a capital. "label": very short and lower
    case ("contact manager", in a plain list); it always stands alone. A
    soft-wrapped line of prose is neither: it is long, or not Title Case.
    """
    if end - start > _MAX_TITLE or not text[end - 1].isalnum():
        return ""
    if end - start <= _MAX_LABEL and text[start].islower():
        return "label"
    words = text[start:end].split()
    if len(words) <= 12 and all(not word[0].islower() for word in words if len(word) >= 4):
        return "title"
    return ""


def _starts_capitalised(text: str, pos: int) -> bool:
    pos = _skip(text, pos, len(text), _OPENERS)
    return pos < len(text) and (text[pos].isupper() or text[pos].isdigit())


# --------------------------------------------------------------------------
# Pass 2: sentence boundaries inside a block.


def _split_block(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append the sentence spans of text[start:end] to ``spans``."""
    if not _MAY_SPLIT.search(text, start, end):
        _append_trimmed(spans, text, start, end)  # a heading, label or one-line item
        return
    list_cuts, marker_dots = _inline_lists(text, start, end)
    shields = _shields(text, start, end)
    closes = dict(shields)
    sentence_start = start
    next_cut = next_shield = 0  # indexes into list_cuts and shields
    shielded_until = -1  # the furthest close of the shields opened so far
    for match in _CLUSTER.finditer(text, start, end):
        first, last = match.span()
        while next_cut < len(list_cuts) and list_cuts[next_cut] <= first:
            _append_trimmed(spans, text, sentence_start, list_cuts[next_cut])
            sentence_start = list_cuts[next_cut]  # a list marker, never white space
            next_cut += 1
        while next_shield < len(shields) and shields[next_shield][0] < first:
            shielded_until = max(shielded_until, shields[next_shield][1])
            next_shield += 1
        if first in marker_dots:
            cut = None
        elif text[first] == ")":
            cut = _parenthesis_ends(text, first, sentence_start, end, closes)
        else:
            cut = _boundary(text, first, last, sentence_start, end, shielded_until)
        if cut is not None:
            _append_trimmed(spans, text, sentence_start, cut)
            sentence_start = _skip_space(text, cut, end)
    for cut in list_cuts[next_cut:]:
        _append_trimmed(spans, text, sentence_start, cut)
        sentence_start = cut
    _append_trimmed(spans, text, sentence_start, end)


def _parenthesis_ends(
    text: str, close: int, sentence_start: int, end: int, closes: dict[int, int]
) -> int | None:
    """A parenthesis that is a whole sentence ends it: "(APPLAUSE) Thank you."."""
    if closes.get(sentence_start) != close or text[sentence_start] != "(":
        return None
    if _PAREN_MARKER.fullmatch(text, sentence_start, close + 1):
        return None  # "(a) Hello world.": a list marker
    return close + 1 if _capital_follows(text, close + 1, end) else None


def _boundary(
    text: str, first: int, last: int, sentence_start: int, end: int, shielded_until: int
) -> int | None:
    """Where the sentence ends if the punctuation text[first:last] ends it, else None."""
    after = _after_punctuation(text, first, last, end)
    if after >= end:
        return None  # the block ends here anyway
    if text[last - 1] in _FULL_WIDTH_STOPS:
        # "これはペンです。それは" splits; the number "３．２９" does not.
        in_number = text[last - 1] == "．" and text[first - 1 : first].isdigit()
        return None if in_number and text[last].isdigit() else after
    if not text[after].isspace():
        # "world.Today": a missing space after a full stop.
        if after == last and text[first:last] == "." and _glued_sentence(text, first, end):
            return last
        return None
    if shielded_until >= after:
        return None  # inside a quotation or parenthesis that goes on
    word = _skip(text, _skip_space(text, after, end), end, _OPENERS)
    if word >= end or not _may_start_sentence(text[word]):
        return None  # lower case or punctuation: the sentence goes on
    if first <= sentence_start or _is_marker(text, sentence_start, first):
        return None  # nothing but a list marker or an ellipsis so far
    cluster = text[first:last]
    if cluster.strip(".… \u00a0"):
        return _exclamation_ends(text, first, cluster, sentence_start, after)
    if cluster != ".":
        return _ellipsis_ends(text, first, last, after, word)
    return after if _full_stop_ends(text, first, sentence_start, word) else None


def _after_punctuation(text: str, first: int, last: int, end: int) -> int:
    """Skip closing quotes and brackets after the punctuation, and footnote marks."""
    after = _skip(text, last, end, _CLOSERS)
    if after < end and text[first] == "." and first > 0 and not text[first - 1].isdigit():
        footnote = _FOOTNOTE.match(text, after, end)
        # "martyr.[1] The", or digits right after the dot: "(1987).1 According".
        if footnote and (text[after] == "[" or after == last):
            return footnote.end()
    return after


def _may_start_sentence(char: str) -> bool:
    """Can a sentence start with this character? Not lower case, not punctuation."""
    if char.isupper() or char.isdigit() or char in "$£€¥#@":
        return True
    return char.isalpha() and not char.islower()  # a script without case (CJK...)


def _exclamation_ends(
    text: str, first: int, cluster: str, sentence_start: int, after: int
) -> int | None:
    """'!' and '?' end a sentence before a capital, except in "Yahoo! Finance"."""
    if cluster == "!" and _token_before(text, first, sentence_start) in _EXCLAMATION_WORDS:
        return None
    return after


def _ellipsis_ends(text: str, first: int, last: int, after: int, word: int) -> int | None:
    """Decide for ellipses before a capital: '...', '…', '. . .' and four-dot forms."""
    cluster = text[first:last]
    dots = cluster.count(".") + 3 * cluster.count("…")
    if text[first - 1 : first] == "[" or not text[word].isupper():
        return None  # "[...]" is an editorial omission
    if text[first - 1 : first].isspace():
        # "the thing is . . . I didn't": an omission inside a sentence; with a
        # fourth dot ("a period . . . . Next") it is an omission and a full stop.
        return after if dots >= 4 else None
    if " " in cluster and dots >= 4:
        # "compounds. . . . The practice": a full stop, then an ellipsis that
        # opens the next sentence.
        return first + 1
    return after  # "I never meant that.... She", "He paused... Then"


def _full_stop_ends(text: str, dot: int, sentence_start: int, word: int) -> bool:
    """Does the full stop at ``dot`` end a sentence, given the word at ``word``?"""
    token = _token_before(text, dot, sentence_start)
    lower = token.lower()
    digit_follows = text[word].isdigit()
    if len(token) == 1 and token.isalpha():
        # An initial ("Jonas E. Smith"), "I" ("you and I. Did"), "p. 55".
        return not digit_follows and _starts_sentence(text, word)
    if _DOTTED_ABBREVIATION.fullmatch(token):
        if lower in _NEVER_FINAL or digit_follows:
            return False
        if lower in ("a.m", "p.m"):
            return _time_ends(text, dot, sentence_start, word)
        return _starts_sentence(text, word)  # "the U.S. How", not "the U.S. Army"
    if lower in _NEVER_FINAL or (lower in _TITLES and token[0].isupper()):
        return False
    if lower in _NUMBER_ABBREVIATIONS and digit_follows:
        return False
    if lower in _ABBREVIATIONS or (lower in _CAPITALISED_ABBREVIATIONS and token[0].isupper()):
        return not digit_follows and _starts_sentence(text, word)
    return True  # an ordinary word or number: "Jonas.", "$100.00.", "1026.253.553."


def _time_ends(text: str, dot: int, sentence_start: int, word: int) -> bool:
    """After "a.m."/"p.m." and a capital: "at 6 P.M. Mr. Smith then went" ends there.

    But "At 5 a.m. Mr. Smith went" goes on (a bare time phrase is no sentence),
    and so does "at 8 p.m. Tuesday" or "at 8 p.m. Eastern Time".
    """
    if dot - sentence_start <= 60 and _is_time_phrase(text[sentence_start:dot]):
        return False
    return _token_after(text, word).lower() not in _TIME_QUALIFIERS


def _is_time_phrase(fragment: str) -> bool:
    words = fragment.split()[:-1]  # the last word is the "a.m"/"p.m" itself
    return bool(words) and all(
        w.lower().strip(",") in _TIME_PHRASE_WORDS or _CLOCK.fullmatch(w) for w in words
    )


def _starts_sentence(text: str, word: int) -> bool:
    """Is the word at ``word`` a typical sentence opener (and not an initial)?"""
    token = _token_after(text, word)
    if len(token) == 1 and text.startswith(".", word + 1):
        return False  # "J. R. R. Tolkien": another initial, not the word "A" or "I"
    return token in _STARTERS


def _glued_sentence(text: str, dot: int, end: int) -> bool:
    """Is this '.' between two sentences with no space: 'world.Today', '1,000.That'?"""
    nxt = dot + 1
    if not (nxt + 1 < end and text[nxt].isupper() and text[nxt + 1].islower()):
        return False
    start = dot
    while start > 0 and dot - start < _MAX_TOKEN and not text[start - 1].isspace():
        if text[start - 1] == ".":
            return False  # a dotted name: "www.testurl.Awesome.com", "a.b.Cd"
        start -= 1
    word = text[start:dot].lstrip(_OPENERS)
    if len(word) < 2 or word.lower() in _TITLES or word.lower() in _ABBREVIATIONS:
        return False
    if not ((word.isalpha() and word[-2:].islower()) or word.replace(",", "").isdigit()):
        return False
    # Not inside an e-mail address, URL or path: "Jane.Doe@example.com".
    stop = nxt
    while stop < end and stop - dot < _MAX_TOKEN and not text[stop].isspace():
        stop += 1
    return not any(mark in text[nxt:stop] for mark in "@/\\:_")


def _is_marker(text: str, sentence_start: int, dot: int) -> bool:
    """Is the sentence so far only a list marker: '1', '12', 'a', '• 9', '(b'?"""
    if dot - sentence_start > 8:
        return False
    core = text[sentence_start:dot].strip().lstrip(_BULLETS + "-*+(").strip()
    return (core.isdigit() and len(core) <= 3) or (len(core) == 1 and core.isalpha())


def _token_before(text: str, dot: int, floor: int) -> str:
    """The word ending at ``dot`` (not before ``floor``), without opening quotes.

    A word too long to be an abbreviation comes back as '…', an ordinary word.
    """
    start = dot
    while start > floor and not text[start - 1].isspace():
        start -= 1
        if dot - start > _MAX_TOKEN:
            return "…"
    return text[start:dot].lstrip(_OPENERS + _BULLETS)


def _token_after(text: str, pos: int) -> str:
    """The run of letters starting at ``pos`` (at most 20 of them)."""
    stop = pos
    limit = min(len(text), pos + 20)
    while stop < limit and text[stop].isalpha():
        stop += 1
    return text[pos:stop]


def _capital_follows(text: str, pos: int, end: int) -> bool:
    """White space, then a capital letter (after any opening quotes)?"""
    if pos >= end or not text[pos].isspace():
        return False
    word = _skip(text, _skip_space(text, pos, end), end, _OPENERS)
    return word < end and text[word].isupper()


def _skip(text: str, pos: int, end: int, chars: str) -> int:
    while pos < end and text[pos] in chars:
        pos += 1
    return pos


def _skip_space(text: str, pos: int, end: int) -> int:
    found = _NON_SPACE.search(text, pos, end)
    return end if found is None else found.start()


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


# --------------------------------------------------------------------------
# Inline lists.


@dataclass(slots=True)
class _OpenList:
    """A run of inline list markers of one style ("1." or "a)"...) seen so far."""

    next_value: int  # the number the next item must have: 2 after "1."
    first_item: int  # where the first item starts (its marker or bullet)
    first_dot: int  # the first marker's "." or ")"
    last_marker_end: int
    confirmed: bool = False  # a second item has been found


def _inline_lists(text: str, start: int, end: int) -> tuple[list[int], set[int]]:
    """Cuts before inline list items, and the positions of their markers' dots.

    A numbered ("2.", "2)", "2.)", "(2)") or lettered ("b.") item is cut off only
    when it continues a sequence begun at the block start or after '.', '!',
    '?' or ':' ("1. The first item 2. The second item"), so a stray number ("in
    2. the") is not; nor is an enumeration inside a sentence ("1) cost, 2)
    time"). A bullet ("•", "⁃") always begins an item.
    """
    cuts = [bullet.start() for bullet in _BULLET.finditer(text, start + 1, end)]
    dots: set[int] = set()
    lists: dict[tuple[bool, str], _OpenList] = {}
    for match in _ENUMERATOR.finditer(text, start, end):
        paren, label, suffix = match.groups()
        if paren and suffix != ")":
            continue
        value = ord(label) - ord("a") + 1 if label.isalpha() else int(label)
        style = (label.isalpha(), (paren or "") + suffix)
        dot = match.start(3)
        item = _bullet_before(text, start, match.start())
        run = lists.get(style)
        if run and value == run.next_value and text[run.last_marker_end : match.start()].strip():
            if _item_may_start(text, match.start()):
                if not run.confirmed and run.first_item > start:
                    cuts.append(run.first_item)  # "Steps: 1. Plan 2. Act"
                cuts.append(item)
                dots.update((run.first_dot, dot))
                run.confirmed = True
            run.next_value, run.last_marker_end = value + 1, match.end()
        elif _list_may_start(text, start, match.start(), value, label.isalpha()):
            lists[style] = _OpenList(value + 1, item, dot, match.end())
        if item < match.start():
            dots.add(dot)  # "• 9. The first item": the dot belongs to the marker
    return sorted(set(cuts)), dots


def _item_may_start(text: str, marker: int) -> bool:
    """Can an item begin at ``marker``: not right after ',', ';', 'and' or 'or'?"""
    before = marker
    while before > 0 and text[before - 1].isspace():
        before -= 1
    if text[before - 1] in ",;":
        return False
    return text[max(0, before - 4) : before].lower() not in (" and", " or")


def _list_may_start(text: str, start: int, pos: int, value: int, alpha: bool) -> bool:
    """Can a list begin at ``pos``: at the block start, or after '.', '!', '?' or ':'?"""
    before = pos
    while before > start and text[before - 1] in " \t" + _BULLETS:
        before -= 1
    at_start = before == start
    if alpha:
        return value == 1 and (at_start or text[before - 1] in ".!?:")
    return at_start or (value <= 1 and text[before - 1] in ".!?:")


def _bullet_before(text: str, start: int, pos: int) -> int:
    """The position of a bullet just before ``pos`` ("• 9."), else ``pos``."""
    before = pos
    while before > start and text[before - 1] == " ":
        before -= 1
    return before - 1 if before > start and text[before - 1] in _BULLETS else pos


# --------------------------------------------------------------------------
# Quotations and brackets.


def _shields(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) of the short quotations and brackets in the block, by open.

    Straight double quotes pair up in order; curly double quotes and brackets
    nest; single quotes pair up as _single_quote says. An unclosed mark shields
    nothing, so a stray quote cannot swallow the rest of the text.
    """
    shields: list[tuple[int, int]] = []
    double = single = -1  # the open straight double / single quote, if any
    stack: list[tuple[str, int]] = []  # open curly quotes and brackets
    for match in _SHIELD_CHARS.finditer(text, start, end):
        char, pos = match.group(), match.start()
        if char == '"':
            if double < 0:
                double = pos
            else:
                shields.append((double, pos))
                double = -1
        elif char in "“([":
            stack.append((char, pos))
        elif char in _PAIRS:
            while stack and stack[-1][0] != _PAIRS[char]:
                stack.pop()
            if stack:
                shields.append((stack.pop()[1], pos))
        else:
            role = _single_quote(text, pos, end)
            if role == "open" and single < 0:
                single = pos
            elif role == "close" and single >= 0:
                if pos - single <= _SINGLE_SHIELD_MAX:
                    shields.append((single, pos))
                single = -1
    return sorted((a, b) for a, b in shields if b - a <= _SHIELD_MAX)


def _single_quote(text: str, pos: int, end: int) -> str:
    """Does the single quote at ``pos`` open or close a quotation ('' if neither)?

    After white space and before a letter it opens ("'This", "‘This", "`This"),
    unless it starts an elision ("'round"); after a non-space and before white
    space or punctuation it closes ("great.'"). In "they'll" it is an apostrophe.
    """
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + 1] if pos + 1 < end else " "
    char = text[pos]
    if char in "'‘`" and (before.isspace() or before in _OPENERS) and after.isalpha():
        elision = char != "‘" and _token_after(text, pos + 1).lower() in _ELISIONS
        return "" if elision else "open"
    if char in "'’" and not before.isspace() and not after.isalnum():
        return "close"
    return ""

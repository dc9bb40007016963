"""Where a sentence sits on the page: headings and paragraph breaks.

A title or heading ("The Next Step? Think Vietnam." above the essay) is not a
claim, however much it sounds like one; and "the next day" does not reach back
into the previous paragraph. Both are read from lines, in one linear pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from factcheck.claims.lexicon import words

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
# Words a title leaves in lower case ("The Road to Baghdad"); verbs such as
# "is" are capitalised in a title, so "Iraq is not Vietnam" is a sentence.
_SMALL_WORDS = words("a an the and or but nor of in on at to for by with from as vs via per")
_MAX_HEADING = 100  # characters
_MAX_HEADING_WORDS = 15
_SENTENCE_END = ".,;:!?\"'”’)…"


def heading_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines that are headings, trimmed of white space, in order.

    A heading is a Markdown heading ("# ..."), or a short Title Case line that
    stands alone between blank lines (or at either end of the text), or one
    without final punctuation right above a paragraph. A text that is nothing
    but that one line has no heading: it is the claim.
    """
    lines = list(_content_lines(text))
    headings = []
    for index, (start, end) in enumerate(lines):
        if len(lines) == 1 and text[start] != "#":
            break
        before_blank = index == 0 or paragraph_break_between(text, lines[index - 1][1], start)
        after_blank = index == len(lines) - 1 or paragraph_break_between(
            text, end, lines[index + 1][0]
        )
        line = text[start:end]
        if line.startswith("#") or (
            _is_title(line) and before_blank and (after_blank or line[-1] not in _SENTENCE_END)
        ):
            headings.append((start, end))
    return headings


def paragraph_break_between(text: str, start: int, end: int) -> bool:
    """Is there a blank line in text[start:end]?"""
    return _PARAGRAPH_BREAK.search(text, start, end) is not None


def _content_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line, trimmed of white space."""
    position = 0
    while position <= len(text):
        newline = text.find("\n", position)
        line_end = len(text) if newline < 0 else newline
        start, end = position, line_end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            yield start, end
        if newline < 0:
            return
        position = newline + 1


def _is_title(line: str) -> bool:
    if len(line) > _MAX_HEADING:
        return False
    title_words = _WORD.findall(line)
    if not title_words or len(title_words) > _MAX_HEADING_WORDS:
        return False
    return title_words[0][0].isupper() and all(
        word[0].isupper() or word.lower() in _SMALL_WORDS for word in title_words
    )

"""Quoted passages and brackets inside one sentence, found in one linear pass.

The kind rules look for opinion and prediction cues only *outside* quotation
marks ("I believe ..." inside a quotation is the speaker's opinion, but that
the speaker said it is a checkable fact), and a sentence is never split inside
quotation marks or brackets.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_OPENING = "“«„"
_CLOSING = "”»"
_STRAIGHT = '"'
# A straight quote right after one of these opens a quotation: "(", "—", ...
_BEFORE_OPENING = "([{—–-/"
_QUOTE_MARKS = re.compile('["“”«»„]')
_BRACKETS = re.compile(r"[()\[\]]")


def quoted_regions(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each quoted passage, quotation marks included, in order.

    A quotation left open runs to the end of the sentence (quotations that span
    sentences or paragraphs often close only at their very end); a closing mark
    with no opening one before it closes a quotation that began in an earlier
    sentence, so the passage runs from the start of this one.
    """
    regions: list[tuple[int, int]] = []
    opened = -1
    for match in _QUOTE_MARKS.finditer(sentence):
        pos, char = match.start(), match.group()
        if opened >= 0:
            if char in _CLOSING or char == _STRAIGHT:
                regions.append((opened, pos + 1))
                opened = -1
        elif char in _OPENING or (char == _STRAIGHT and _opens(sentence, pos)):
            opened = pos
        elif not regions and not (pos and sentence[pos - 1].isdigit()):  # 6" is six inches
            regions.append((0, pos + 1))  # closes a quotation begun before this sentence
    if opened >= 0:
        regions.append((opened, len(sentence)))
    return regions


def _opens(sentence: str, pos: int) -> bool:
    """Does the straight quote at ``pos`` open a quotation (rather than close one)?"""
    before = sentence[pos - 1] if pos > 0 else " "
    return before.isspace() or before in _BEFORE_OPENING


def bracketed_regions(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost (...) or [...] passage; an unclosed one runs to the end."""
    regions: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    for match in _BRACKETS.finditer(sentence):
        pos, char = match.start(), match.group()
        if char in "([":
            if depth == 0:
                opened = pos
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
            if depth == 0:
                regions.append((opened, pos + 1))
    if depth:
        regions.append((opened, len(sentence)))
    return regions


def mask(sentence: str, regions: list[tuple[int, int]]) -> str:
    """The sentence with each region blanked out by spaces (offsets are kept)."""
    parts = []
    last = 0
    for start, end in regions:
        parts.append(sentence[last:start])
        parts.append(" " * (end - start))
        last = end
    parts.append(sentence[last:])
    return "".join(parts)


def merge(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort the regions and join those that overlap (a quotation inside brackets)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(regions):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def inside(regions: list[tuple[int, int]], pos: int) -> bool:
    """Is ``pos`` inside one of the sorted, non-overlapping ``regions``?"""
    index = bisect_right(regions, (pos, float("inf"))) - 1
    return index >= 0 and regions[index][0] <= pos < regions[index][1]

"""Turn an essay's text into claims: spans, kinds, check-worthiness, and what they name.

``split(text, published_at)`` cuts the text into sentences (``segmentation``),
scores them (``checkworthiness``), cuts a sentence into atomic claims when it
cleanly holds several (``atoms``), and for each claim finds its kind
(``kinds``), quantities, dates and names. Every claim's ``text`` is exactly
``text[start:end]`` of the essay, trimmed of white space. Headings are kept,
as the kind "heading", and are not checkable.

``dates`` lists, for each date the claim mentions, its day, or the first and
last day of the week, month or year it names ("last week" in an essay
published on Monday 27 November 2006 gives 2006-11-20 and 2006-11-26); see
``dates`` for how relative dates resolve. Without a publication date, dates
relative to it are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from factcheck.claims.atoms import atomic_spans
from factcheck.claims.checkworthiness import score
from factcheck.claims.dates import DateMention, DateReader
from factcheck.claims.entities import capitalised_inside, find_entities
from factcheck.claims.kinds import KINDS, NOT_CHECKABLE_KINDS, classify, is_question
from factcheck.claims.layout import heading_lines, paragraph_break_between
from factcheck.claims.quantities import Quantity, find_quantities
from factcheck.claims.segmentation import sentences

__all__ = [
    "KINDS",
    "NOT_CHECKABLE_KINDS",
    "ExtractedClaim",
    "Quantity",
    "classify",
    "split",
]


@dataclass(frozen=True)
class ExtractedClaim:
    text: str
    start: int
    end: int
    kind: str
    checkworthiness: float
    checkable: bool
    entities: list[str] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    heading: bool = False  # a title or heading line: the essay's metadata, not a claim


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    worthiness: float
    heading: bool


def split(text: str, published_at: date | None = None) -> list[ExtractedClaim]:
    """Split ``text`` into claims; each claim's span indexes ``text`` exactly."""
    found = _sentences(text)
    known = capitalised_inside(text[s.start : s.end] for s in found if not s.heading)
    reader = DateReader(published_at)
    claims = []
    previous_end = 0
    for sentence in found:
        if paragraph_break_between(text, previous_end, sentence.start):
            reader.new_paragraph()
        previous_end = sentence.end
        for start, end in _atoms(text, sentence):
            claims.append(_claim(text, start, end, sentence, reader, known))
    return claims


def essay_claims(text: str, published_at: date | None = None) -> list[ExtractedClaim]:
    """The claims an essay's split keeps: all but its title and headings, which are
    the essay's metadata (an editor may still add one by hand)."""
    return [claim for claim in split(text, published_at) if not claim.heading]


def describe(
    text: str, start: int, end: int, published_at: date | None = None, wording: str | None = None
) -> ExtractedClaim:
    """A claim an editor marked by hand at ``text[start:end]``, described as ``split``
    describes the claims it finds: kind, entities, quantities and dates read from its
    ``wording`` (by default the span itself), check-worthiness from the essay's
    sentence it lies in most, scored among its neighbours."""
    found = _sentences(text)
    known = capitalised_inside(text[s.start : s.end] for s in found if not s.heading)
    sentence = max(
        found,
        key=lambda s: min(end, s.end) - max(start, s.start),
        default=_Sentence(start, end, 0.0, False),
    )
    words = text[start:end] if wording is None else wording
    inside = _Sentence(0, len(words), sentence.worthiness, sentence.heading)
    described = _claim(words, 0, len(words), inside, DateReader(published_at), known)
    return replace(described, start=start, end=end)


def _sentences(text: str) -> list[_Sentence]:
    """The sentences of the text with their scores, and whether each is a heading."""
    spans = [span for span in (_trim(text, start, end) for start, end in sentences(text)) if span]
    scores = score([text[start:end] for start, end in spans])
    headings = iter(heading_lines(text))
    heading = next(headings, None)
    found = []
    for (start, end), worthiness in zip(spans, scores, strict=True):
        while heading is not None and heading[1] <= start:
            heading = next(headings, None)  # both lists are in text order
        in_heading = heading is not None and heading[0] <= start and end <= heading[1]
        found.append(_Sentence(start, end, _unit_interval(worthiness), in_heading))
    return found


def _atoms(text: str, sentence: _Sentence) -> list[tuple[int, int]]:
    """Spans (in the text) of the sentence's atomic claims; headings and questions stay whole."""
    body = text[sentence.start : sentence.end]
    if sentence.heading or is_question(body):
        return [(sentence.start, sentence.end)]
    spans = atomic_spans(body, standalone=_is_standalone_fact)
    return [(sentence.start + start, sentence.start + end) for start, end in spans]


def _is_standalone_fact(clause: str) -> bool:
    """A closing relative clause that states an office or a figure of its own."""
    return classify(clause) in ("attribution", "statistic")


def _claim(
    text: str,
    start: int,
    end: int,
    sentence: _Sentence,
    reader: DateReader,
    known: frozenset[str],
) -> ExtractedClaim:
    clause = text[start:end]
    mentions = reader.read(clause)
    # A calendar date's digits are not a quantity; "30 years ago" is both.
    calendar = [(m.start, m.end) for m in mentions if not m.duration]
    quantities = find_quantities(clause, skip=calendar)
    kind = classify(clause, quantities)
    entities = find_entities(clause, known)
    if sentence.heading:
        if kind != "question":  # "The Next Step?" is still a question, and not checkable
            kind = "heading"
        # Title Case makes every word look like a name; keep those the essay also uses.
        entities = [name for name in entities if all(word in known for word in name.split())]
    return ExtractedClaim(
        text=clause,
        start=start,
        end=end,
        kind=kind,
        checkworthiness=round(sentence.worthiness, 4),
        checkable=kind not in NOT_CHECKABLE_KINDS,
        entities=entities,
        quantities=quantities,
        dates=_dates(mentions),
        heading=sentence.heading,
    )


def _dates(mentions: Iterable[DateMention]) -> list[date]:
    """Each resolved mention's day, or the first and last day of its period; each once."""
    days: dict[date, None] = {}  # a dict keeps the order and drops repeats
    for mention in mentions:
        for day in (mention.first, mention.last):
            if day is not None:
                days[day] = None
    return list(days)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without white space at either end (the segmenter's promise, kept here too)."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _unit_interval(value: float) -> float:
    """Clamp a score into [0, 1]; a NaN scores 0."""
    return 0.0 if math.isnan(value) else min(1.0, max(0.0, value))

"""Turn an essay's text into claims: spans, wordings, kinds, check-worthiness, and names.

``split(text, published_at)`` cuts the text into sentences (``segmentation``),
cuts a sentence into atomic claims when it cleanly holds several (``atoms``),
words each claim as a sentence of its own (``standalone``: "which is run by
..." gets its antecedent, "was attacked by it" its subject and "it" its name),
scores each claim's wording among its neighbours (``checkworthiness``; two claims
cut from one sentence are scored apart), and for each claim finds
its kind (``kinds``), quantities, dates and names in that wording. Every
claim's ``start`` and ``end`` index the essay's own words, trimmed of white
space; its ``text`` is the standalone wording, ``text[start:end]`` of the
essay unless a repair changed it. Titles and headings are the essay's
metadata, not claims: they are left out.

``dates`` lists, for each date the claim mentions, its day, or the first and
last day of the week, month or year it names ("last week" in an essay
published on Monday 27 November 2006 gives 2006-11-20 and 2006-11-26); see
``dates`` for how relative dates resolve. Without a publication date, dates
relative to it are left out.
"""

from __future__ import annotations

import itertools
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
from factcheck.claims.standalone import antecedent
from factcheck.claims.standalone import wording as wording_of

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
    heading: bool


@dataclass(frozen=True)
class _Unit:
    """An atomic claim before it is described: its span and its standalone wording."""

    start: int
    end: int
    wording: str


def split(text: str, published_at: date | None = None) -> list[ExtractedClaim]:
    """Split ``text`` into claims; each claim's span indexes ``text`` exactly."""
    found = [sentence for sentence in _sentences(text) if not sentence.heading]
    known = capitalised_inside(text[s.start : s.end] for s in found)
    units = _units(text, found)
    reader = DateReader(published_at)
    claims = []
    previous_end = 0
    for sentence, atoms in zip(found, units, strict=True):
        if paragraph_break_between(text, previous_end, sentence.start):
            reader.new_paragraph()
        previous_end = sentence.end
        claims.extend(_claim(unit, False, reader, known) for unit in atoms)
    # Scored with the kinds just found: classifying is most of the scoring's CPU.
    scores = _scores([claim.text for claim in claims], [claim.kind for claim in claims])
    return [_with_worthiness(claim, value) for claim, value in zip(claims, scores, strict=True)]


def describe(
    text: str, start: int, end: int, published_at: date | None = None, wording: str | None = None
) -> ExtractedClaim:
    """A claim an editor marked by hand at ``text[start:end]``, described as ``split``
    describes the claims it finds: kind, entities, quantities and dates read from its
    ``wording`` (by default the span, worded to stand alone), check-worthiness from
    that wording scored in the place of the claims it covers, among its neighbours."""
    found = _sentences(text)
    body = [sentence for sentence in found if not sentence.heading]
    known = capitalised_inside(text[s.start : s.end] for s in body)
    sentence = max(found, key=lambda s: _overlap(s, start, end), default=None)
    worded = _units(text, body)
    if wording is None:
        wording = _own_wording(text, start, end, sentence, dict(zip(body, worded, strict=True)))
    units = list(itertools.chain.from_iterable(worded))
    before = [unit.wording for unit in units if unit.end <= start]
    after = [unit.wording for unit in units if unit.start >= end]
    worthiness = _scores([*before, wording, *after])[len(before)]
    heading = sentence is not None and sentence.heading
    unit = _Unit(start, end, wording)
    return _with_worthiness(_claim(unit, heading, DateReader(published_at), known), worthiness)


def _own_wording(
    text: str,
    start: int,
    end: int,
    sentence: _Sentence | None,
    worded: dict[_Sentence, list[_Unit]],
) -> str:
    """The span's standalone wording when it lies inside one sentence; else its words."""
    if sentence is None or sentence.heading or not sentence.start <= start < end <= sentence.end:
        return text[start:end]
    body = list(worded)
    index = body.index(sentence)
    before = _joined_wordings(worded[body[index - 1]]) if index else ""
    sentence_text = text[sentence.start : sentence.end]
    own = text[start:end]
    repaired = wording_of(sentence_text, start - sentence.start, end - sentence.start, before)
    # An editor's cut keeps its case ("in Sadr City on Thursday."); a repair is taken.
    return repaired if repaired.lower() != own.lower() else own


def _overlap(sentence: _Sentence, start: int, end: int) -> int:
    return min(end, sentence.end) - max(start, sentence.start)


def _sentences(text: str) -> list[_Sentence]:
    """The sentences of the text, and whether each is a heading."""
    spans = [span for span in (_trim(text, start, end) for start, end in sentences(text)) if span]
    headings = iter(heading_lines(text))
    heading = next(headings, None)
    found = []
    for start, end in spans:
        while heading is not None and heading[1] <= start:
            heading = next(headings, None)  # both lists are in text order
        in_heading = heading is not None and heading[0] <= start and end <= heading[1]
        found.append(_Sentence(start, end, in_heading))
    return found


def _units(text: str, found: list[_Sentence]) -> list[list[_Unit]]:
    """Each sentence's atomic claims, worded to stand alone (questions stay whole)."""
    units = []
    previous = ""  # the sentence before, as worded: where "they" finds "U.S. forces"
    for sentence in found:
        body = text[sentence.start : sentence.end]
        spans = (
            [(0, len(body))]
            if is_question(body)
            else atomic_spans(body, standalone=_is_standalone_fact, checkable=_is_checkable)
        )
        atoms = [
            _Unit(sentence.start + a, sentence.start + b, wording_of(body, a, b, previous))
            for a, b in spans
        ]
        previous = _joined_wordings(atoms)
        units.append(atoms)
    return units


def _joined_wordings(atoms: list[_Unit]) -> str:
    """A sentence's claims as the context of the next; "; " keeps a name that ends one
    claim from running into one that opens the next."""
    return "; ".join(unit.wording for unit in atoms)


def _is_standalone_fact(before: str, clause: str) -> bool:
    """A closing relative clause that states a fact of its own about a name before it
    ("the Ministry of Education, which still retains some Sunnis")."""
    if antecedent(before, clause) is None:
        return False
    sentence = f"{before}, {clause}"
    worded = wording_of(sentence, len(sentence) - len(clause), len(sentence))
    return _is_checkable(worded)


def _is_checkable(clause: str) -> bool:
    return classify(clause) not in NOT_CHECKABLE_KINDS


def _scores(wordings: list[str], kinds: list[str] | None = None) -> list[float]:
    """Check-worthiness of each claim's wording among its neighbours, in [0, 1]
    (``kinds``: the wordings' kinds, when already classified)."""
    if not wordings:
        return []
    return [_unit_interval(value) for value in score(wordings, sentence_kinds=kinds)]


def _with_worthiness(claim: ExtractedClaim, worthiness: float) -> ExtractedClaim:
    return replace(claim, checkworthiness=round(worthiness, 4))


def _claim(unit: _Unit, heading: bool, reader: DateReader, known: frozenset[str]) -> ExtractedClaim:
    """The claim of ``unit``, described; its check-worthiness is set after (0 here)."""
    clause = unit.wording
    mentions = reader.read(clause)
    # A calendar date's digits are not a quantity; "30 years ago" is both.
    calendar = [(m.start, m.end) for m in mentions if not m.duration]
    quantities = find_quantities(clause, skip=calendar)
    kind = classify(clause, quantities)
    entities = find_entities(clause, known)
    if heading:
        if kind != "question":  # "The Next Step?" is still a question, and not checkable
            kind = "heading"
        # Title Case makes every word look like a name; keep those the essay also uses.
        entities = [name for name in entities if all(word in known for word in name.split())]
    return ExtractedClaim(
        text=clause,
        start=unit.start,
        end=unit.end,
        kind=kind,
        checkworthiness=0.0,
        checkable=kind not in NOT_CHECKABLE_KINDS,
        entities=entities,
        quantities=quantities,
        dates=_dates(mentions),
        heading=heading,
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

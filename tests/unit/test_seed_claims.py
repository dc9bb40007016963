"""The seed essay's atomic claims against the hand-made list in tests/data/seed_claims.json:
each claim a sentence of its own, none merging two checkable facts, no pronoun left
where the essay names the one person it stands for, and each claim scored on its own."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from factcheck.claims.extraction import ExtractedClaim, split
from factcheck.claims.quotes import inside, quoted_regions
from factcheck.claims.segmentation import sentences
from factcheck.publishing.services import marked_segments
from tests.conftest import SEED_ESSAY

LIST = Path(__file__).parent.parent / "data" / "seed_claims.json"
# How a subjectless fragment opens: with a relative pronoun ("which is run by"), or
# with a verb, perhaps after a conjunction ("and, the next day, was attacked by it").
RELATIVE = {"which", "who", "whom", "whose"}
CONJUNCTIONS = {"and", "but", "or", "nor", "yet", "so"}
VERBS = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could"}
# A pronoun opening a claim whose name is outside it; "It is ... to" points at nothing.
OPENING_PRONOUN = re.compile(r"(?:he|she|they|it)\b(?!['’]s \w+ to|\s+is \w+ to)", re.IGNORECASE)
PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|his)\b(?!['’])", re.IGNORECASE)


# The people the seed essay names, each with the forms it names them by.
PEOPLE = {
    "Moqtada al-Sadr": r"\bSadr\b(?! City)",
    "Bayan Jabr": r"\bJabr\b",
    "Omar Fadhlil": r"\bOmar\b",
    "Mohammed Fadhlil": r"\bMohammed\b",
    "George W. Bush": r"\bBush\b",
    "Nuri al-Maliki": r"\bal-Maliki\b",
    "James Baker": r"\bBaker\b",
    "Henry Kissinger": r"\bKissinger\b",
}


@cache
def hand_made() -> list[dict]:
    return json.loads(LIST.read_text(encoding="utf-8"))["claims"]


@cache
def found() -> tuple[ExtractedClaim, ...]:
    return tuple(split(SEED_ESSAY))


def test_the_split_gives_the_hand_made_claims_in_order():
    assert [claim.text for claim in found()] == [entry["text"] for entry in hand_made()]


def test_each_claims_span_is_the_essays_words():
    for claim, entry in zip(found(), hand_made(), strict=True):
        assert SEED_ESSAY[claim.start : claim.end] == entry.get("span", entry["text"])


def test_no_claim_is_a_fragment_without_a_subject():
    for entry in hand_made():
        text = entry["text"]
        opening = [word.lower() for word in re.findall(r"[\w'’]+", text)[:2]]
        first = opening[1] if opening[0] in CONJUNCTIONS else opening[0]
        assert text[0].isupper() or text[0] in "\"“'‘", text
        assert opening[0] not in RELATIVE or text.endswith("?"), text  # "Who are ...?"
        assert first not in VERBS or text.endswith("?"), text
        assert not OPENING_PRONOUN.match(text), text


def test_no_claim_merges_two_checkable_facts_but_the_recorded_gaps():
    merged = [entry for entry in hand_made() if entry["facts"] > 1]
    assert all(entry.get("gap") for entry in merged)
    assert merged == []  # every sentence with two facts is cut


def test_no_claim_is_left_with_a_gap():
    """Every claim stands alone: the list records no gap, merged facts or otherwise (the
    last two, "it" for America and for the United States, are resolved), and the
    split's wordings are the list's (``test_the_split_gives_the_hand_made_claims_in_order``)."""
    gaps = [entry["text"] for entry in hand_made() if "gap" in entry]
    assert gaps == []
    resolved = [claim.text for claim in found() if " it " in SEED_ESSAY[claim.start : claim.end]]
    assert any("the one America faced" in text for text in resolved)
    assert any("in which the United States could not" in text for text in resolved)


def test_no_pronoun_is_left_where_the_essay_names_the_one_person_it_stands_for():
    """he, she, him or his in a claim, outside quotation marks, with exactly one of the
    essay's people (listed by hand) named before it in its sentence or, if none is, in
    the sentence before: the claim should name that person instead."""
    people = {person: re.compile(pattern) for person, pattern in PEOPLE.items()}
    for claim in found():
        quoted = quoted_regions(claim.text)
        for pronoun in PERSON_PRONOUN.finditer(claim.text):
            if inside(quoted, pronoun.start()):
                continue
            same, previous = _contexts(claim, pronoun.start())
            named = _named(people, same) or _named(people, previous)
            assert len(named) != 1, f"{pronoun.group()!r} for {named} in {claim.text!r}"


def test_claims_cut_from_one_sentence_are_each_scored_on_their_own():
    by_sentence: dict[int, list[float]] = {}
    for claim in found():
        by_sentence.setdefault(_sentence_index(claim.start), []).append(claim.checkworthiness)
    cut = [scores for scores in by_sentence.values() if len(scores) > 1]
    assert len(cut) >= 7  # the seven sentences the list cuts in two or three
    for scores in cut:
        assert len(set(scores)) == len(scores), scores


def test_the_title_gives_no_claims():
    title_end = SEED_ESSAY.index("\n")
    assert all(claim.start > title_end for claim in found())


def _sentence_index(position: int) -> int:
    return next(
        i for i, (start, end) in enumerate(sentences(SEED_ESSAY)) if start <= position < end
    )


def _contexts(claim: ExtractedClaim, position: int) -> tuple[str, str]:
    """The essay's words before ``position`` in the claim's sentence, and the sentence before."""
    spans = sentences(SEED_ESSAY)
    index = _sentence_index(claim.start)
    start = spans[index][0]
    same = SEED_ESSAY[start : claim.start] + " " + claim.text[:position]
    previous = SEED_ESSAY[slice(*spans[index - 1])] if index else ""
    return same, previous


def _named(people: dict[str, re.Pattern[str]], text: str) -> list[str]:
    return [person for person, pattern in people.items() if pattern.search(text)]


def test_the_reader_marks_the_essays_own_words_not_the_wordings():
    segments = marked_segments(SEED_ESSAY, list(found()))
    assert "".join(text for text, _ in segments) == SEED_ESSAY
    marked = [(text, claim) for text, claim in segments if claim is not None]
    assert len(marked) == len(found())  # no two claims' spans overlap: each is marked
    assert all(text == SEED_ESSAY[claim.start : claim.end] for text, claim in marked)
    reworded = [claim for text, claim in marked if text != claim.text]
    assert len(reworded) == sum("span" in entry for entry in hand_made())

"""The seed essay's atomic claims against the hand-made list in tests/data/seed_claims.json:
each claim a sentence of its own, none merging two checkable facts but the known gaps
the list records."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from factcheck.claims.extraction import ExtractedClaim, split
from tests.conftest import SEED_ESSAY

LIST = Path(__file__).parent.parent / "data" / "seed_claims.json"
# How a subjectless fragment opens: with a relative pronoun ("which is run by"), or
# with a verb, perhaps after a conjunction ("and, the next day, was attacked by it").
RELATIVE = {"which", "who", "whom", "whose"}
CONJUNCTIONS = {"and", "but", "or", "nor", "yet", "so"}
VERBS = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could"}
# A pronoun opening a claim whose name is outside it; "It is ... to" points at nothing.
OPENING_PRONOUN = re.compile(r"(?:he|she|they|it)\b(?!['’]s \w+ to|\s+is \w+ to)", re.IGNORECASE)


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
    assert len(merged) <= 5  # the known gaps, each explained in the list


def test_the_title_gives_no_claims():
    title_end = SEED_ESSAY.index("\n")
    assert all(claim.start > title_end for claim in found())

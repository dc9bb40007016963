"""Claims that stand alone: a relative clause's antecedent, a pronoun's name."""

from __future__ import annotations

import pytest

from factcheck.claims.extraction import describe, split
from factcheck.claims.standalone import wording
from tests.conftest import SEED_ESSAY


def claim_after(sentence: str, words: str, previous: str = "") -> str:
    """The standalone wording of the claim that starts at ``words`` and ends the sentence."""
    start = sentence.index(words)
    return wording(sentence, start, len(sentence), previous)


def test_a_relative_clause_gets_its_antecedent():
    sentence = "Bombs hit Sadr City, which is run by one of Moqtada al-Sadr's followers."
    assert claim_after(sentence, "which") == (
        "Sadr City is run by one of Moqtada al-Sadr's followers."
    )


def test_a_plural_verb_after_one_name_points_further_back():
    sentence = 'He mocked the "realists," like James Baker, who are pushing for a deal.'
    assert claim_after(sentence, "who").startswith("Who are pushing")  # left as it is


@pytest.mark.parametrize(
    ("sentence", "words", "previous", "expected"),
    [
        (
            "Bayan Jabr ran the ministry; he's now Iraq's Finance minister.",
            "he's",
            "",
            "Bayan Jabr is now Iraq's Finance minister.",
        ),
        (
            "Last week they threw in the towel.",
            "Last",
            "The blog of Omar and Mohammed Fadhlil was upbeat.",
            "Last week Omar and Mohammed Fadhlil threw in the towel.",
        ),
        (
            "They were not allowed to stop traffic.",
            "They",
            "U.S. forces have been blocked from going after Mahdi leaders.",
            "U.S. forces were not allowed to stop traffic.",
        ),
        (
            "It is run by a cleric.",
            "It",
            "The Ministry of Health was attacked on Thursday.",
            "The Ministry of Health is run by a cleric.",
        ),
        (
            "But he needs to deliver an ultimatum.",
            "But",
            "When President Bush meets Nuri al-Maliki, he should speak plainly.",
            "But Bush needs to deliver an ultimatum.",
        ),
        # Nothing to point at: left as they are.
        ("It is hard to see how.", "It", "The Ministry of Health was attacked.", None),
        ("It was meant to last six months.", "It", "The motel program began in 2020.", None),
        ("He left.", "He", "The weather was fine.", None),
    ],
)
def test_an_opening_pronoun_gets_its_name(sentence, words, previous, expected):
    assert claim_after(sentence, words, previous) == (expected or sentence)


def test_the_span_stays_the_essays_words_and_each_claim_has_its_own_score():
    text = "Gunmen attacked the Ministry of Education, which still retains some Sunnis."
    attack, retains = split(text)
    assert retains.text == "The Ministry of Education still retains some Sunnis."
    assert text[retains.start : retains.end] == "which still retains some Sunnis."
    assert attack.checkworthiness != retains.checkworthiness
    # A claim marked by hand over the same span is worded and scored the same way.
    again = describe(text, retains.start, retains.end)
    assert (again.text, again.checkworthiness) == (retains.text, retains.checkworthiness)


def test_a_seed_claim_marked_by_hand_is_worded_and_scored_as_the_split_did():
    for found in split(SEED_ESSAY):
        again = describe(SEED_ESSAY, found.start, found.end)
        assert (again.text, again.kind, again.checkworthiness, again.entities) == (
            found.text,
            found.kind,
            found.checkworthiness,
            found.entities,
        )

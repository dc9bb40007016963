"""The kind features tried for check-worthiness, (b) adopted as v3
(``bench/checkworthiness_kinds.py``, which reads ``kinds.classified``): they compute
what the benchmark's table says, so that it can be trusted and reproduced."""

from __future__ import annotations

import numpy as np
import pytest

from bench import checkworthiness_kinds as bench
from factcheck.claims import kinds

SENTENCES = [
    "Unemployment fell to 4.1 percent in March, the lowest in a decade.",
    "The city should stop wasting money on stadiums.",
    "Will the council ever listen?",
    "The mayor opened the new bridge on Tuesday.",
    "Dr. Samuel Reyes told me the problem is not money.",
    "Prices will rise next year.",
    "The State of the Union is strong.",
    "Our economy is the envy of the world.",  # the rules say event, the model opinion
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_the_kind_is_classifys(sentence: str) -> None:
    # ``classified`` keeps the probability that ``classify`` drops; the kind is the same.
    kind, _ = kinds.classified(sentence)
    assert kind == kinds.classify(sentence)


def test_the_model_turns_a_plain_fact_into_an_opinion() -> None:
    sentence = SENTENCES[-1]
    assert kinds.read(sentence)[0] == "event"
    assert kinds.classified(sentence)[0] == "opinion"


def test_the_probability_is_given_only_where_the_model_is_asked() -> None:
    for sentence in SENTENCES:
        rules_kind, _ = kinds.read(sentence)
        _, probability = kinds.classified(sentence)
        if rules_kind in kinds.REFINED_KINDS:
            assert 0.0 < probability < 1.0
        else:
            assert probability == 0.0


def test_columns_are_a_one_hot_of_the_kind_then_the_probability() -> None:
    columns = bench.kind_columns(SENTENCES, with_probability=True)
    assert columns.shape == (len(SENTENCES), len(kinds.KINDS) + 1)
    np.testing.assert_array_equal(columns[:, :-1].sum(axis=1), 1.0)
    for row, sentence in zip(columns, SENTENCES, strict=True):
        kind, probability = kinds.classified(sentence)
        assert kinds.KINDS[int(np.argmax(row[:-1]))] == kind
        assert row[-1] == probability
    assert bench.kind_columns(SENTENCES, with_probability=False).shape[1] == len(kinds.KINDS)

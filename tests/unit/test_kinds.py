"""Claim kinds: the labelled op-ed and news set of tests/data/kinds, and the cases
that used to be confused (reported speech, normative statements, predictions,
rhetorical questions, quotations)."""

from __future__ import annotations

import pytest

from factcheck.claims.extraction import split
from factcheck.claims.kinds import KINDS, NOT_CHECKABLE_KINDS, classify
from factcheck.claims.layout import heading_lines
from factcheck.claims.segmentation import sentences as segment
from tests.conftest import SEED_ESSAY
from tests.kinds_data import FOLDER, documents, evaluate, sentences

# --------------------------------------------------------------------------
# The labelled set.


def test_the_set_has_three_hundred_labelled_sentences_with_sources():
    rows = sentences()
    assert len(rows) >= 300
    assert {row.kind for row in rows} <= set(KINDS) - {"heading"}
    assert all(row.checkable == (row.kind not in NOT_CHECKABLE_KINDS) for row in rows)
    for record in documents():
        assert record["source"] and record["licence"] and record["split"] in ("dev", "test")
        assert (FOLDER / record["file"]).is_file()
    assert sorted(path.name for path in FOLDER.glob("*.tsv")) == sorted(
        record["file"] for record in documents()
    )


def test_a_third_of_it_is_held_aside_by_whole_documents():
    test, dev = sentences("test"), sentences("dev")
    assert 0.3 <= len(test) / (len(test) + len(dev)) <= 0.4
    assert not {row.document for row in test} & {row.document for row in dev}
    assert "seed.tsv" not in {row.document for row in test}


def test_the_seed_rows_are_the_essays_sentences_without_its_title():
    title = heading_lines(SEED_ESSAY)[0]
    essay = [SEED_ESSAY[a:b] for a, b in segment(SEED_ESSAY) if a >= title[1]]
    assert [row.sentence for row in sentences(document="seed.tsv")] == essay


@pytest.mark.parametrize("split", ["test", "dev"])
def test_checkable_against_opinion_f1_is_at_least_nine_tenths(split):
    rows = sentences(split)
    scores = evaluate(rows, [classify(row.sentence) for row in rows])
    assert scores.checkable[2] >= 0.90  # bench/kinds.py prints the whole table


# --------------------------------------------------------------------------
# The three op-ed sentences of issue 17, and their like.


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Housing is a human right.", "opinion"),
        ("It is hard to see how anyone could call it anything but a failure.", "opinion"),
        (
            "Dr. Samuel Reyes, an economist at the Univ. of Michigan who studies housing, "
            "told me the problem is not money.",
            "attribution",
        ),
        (
            "Critics, including Sen. Tom Becker (R-Dist. 12), argue that the county should "
            "stop paying for motel rooms.",
            "attribution",
        ),
    ],
)
def test_issue_op_ed_sentences(sentence, kind):
    assert classify(sentence) == kind


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # Reported speech: the desk checks that it was said.
        ("According to Reyes, most of the money went to motels.", "attribution"),
        ("The mayor said the city should raise taxes.", "attribution"),
        ("Analysts say prices will rise next year.", "attribution"),
        ("Prices will rise next year, analysts said.", "attribution"),
        ("Turnout fell to 41 percent, according to the commission.", "statistic"),
        # The writer's own beliefs, rights and wrongs.
        ("I think the problem is not money.", "opinion"),
        ("We should listen when economists say the problem is money.", "opinion"),
        ("That would be a mistake.", "opinion"),
        ("Every family deserves a safe place to live.", "opinion"),
        ("It is time the council listened.", "opinion"),
        ("Reliable transit is not a luxury.", "opinion"),
        # Predictions, rhetorical questions, quotations.
        ("If nothing changes, the shelter count will pass 1,500 by 2027.", "prediction"),
        ("Rents are likely to keep rising.", "prediction"),
        ("But who will build them?", "question"),
        ('"We know what works," said Reyes.', "quotation"),
        # Numbers that name rather than count.
        ("Firefighters rescued a woman from a car on Route 9.", "event"),
        ("The bridge was damaged by a 12-ton truck.", "statistic"),
    ],
)
def test_kinds_that_used_to_be_confused(sentence, kind):
    assert classify(sentence) == kind


def test_issue_op_ed_sentences_through_the_split():
    text = (
        "Housing is a human right. The county has spent more every year; it is hard to see "
        "how anyone could call it anything but a failure. Dr. Samuel Reyes, an economist at "
        "the Univ. of Michigan ..., told me the problem is not money. Critics, including Sen. "
        "Tom Becker (R-Dist. 12), argue the program wastes money."
    )
    kinds = [(claim.text, claim.kind, claim.checkable) for claim in split(text)]
    assert kinds == [
        ("Housing is a human right.", "opinion", False),
        ("The county has spent more every year", "event", True),
        ("It is hard to see how anyone could call it anything but a failure.", "opinion", False),
        (
            "Dr. Samuel Reyes, an economist at the Univ. of Michigan ..., told me the problem "
            "is not money.",
            "attribution",
            True,
        ),
        (
            "Critics, including Sen. Tom Becker (R-Dist. 12), argue the program wastes money.",
            "attribution",
            True,
        ),
    ]

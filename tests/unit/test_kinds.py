"""Claim kinds: the labelled op-ed and news set of tests/data/kinds, and the cases
that used to be confused (reported speech, normative statements, predictions,
rhetorical questions, quotations)."""

from __future__ import annotations

import pytest

from factcheck.claims.extraction import split
from factcheck.claims.kinds import KINDS, NOT_CHECKABLE_KINDS, classify, read
from factcheck.claims.layout import heading_lines
from factcheck.claims.segmentation import sentences as segment
from tests.conftest import SEED_ESSAY
from tests.kinds_data import FOLDER, documents, evaluate, sentences

# --------------------------------------------------------------------------
# The labelled set.


def test_the_set_has_three_hundred_labelled_sentences_from_real_texts_with_sources():
    rows = sentences()
    # Evaluation sentences, without the training documents; those written for the
    # project are extra.
    assert len(sentences("dev", real=True) + sentences("test", real=True)) >= 300
    assert {row.kind for row in rows} <= set(KINDS) - {"heading"}
    assert all(row.checkable == (row.kind not in NOT_CHECKABLE_KINDS) for row in rows)
    for record in documents():
        assert record["source"] and record["licence"]
        # train: the opinion model's only; test2, test3: the second and third held-aside
        # sets (news, op-eds); spare: labelled prose the shipped models were not fitted on
        assert record["split"] in ("train", "dev", "test", "test2", "test3", "spare")
        assert isinstance(record["real"], bool)
        assert (FOLDER / record["file"]).is_file()
    assert sorted(path.name for path in FOLDER.glob("*.tsv")) == sorted(
        record["file"] for record in documents()
    )


@pytest.mark.parametrize("real", [None, True])
def test_a_third_of_it_is_held_aside_by_whole_documents(real):
    test, dev = sentences("test", real=real), sentences("dev", real=real)
    assert 0.3 <= len(test) / (len(test) + len(dev)) <= 0.4
    assert not {row.document for row in test} & {row.document for row in dev}
    assert "seed.tsv" not in {row.document for row in test}


HELD_ASIDE = ("test", "test2", "test3")


def _openly_licensed(licence: str) -> bool:
    return "public domain" in licence or licence.startswith("CC BY")


def test_the_training_documents_are_real_open_texts_apart_from_the_held_aside():
    train = documents("train")
    assert len(train) >= 26 and len(sentences("train")) >= 1300
    assert all(record["real"] and _openly_licensed(record["licence"]) for record in train)
    held_aside = {record["file"] for split in HELD_ASIDE for record in documents(split)}
    assert not {record["file"] for record in train} & held_aside
    # No training sentence is a held-aside or development sentence.
    others = {row.sentence for split in (*HELD_ASIDE, "dev") for row in sentences(split)}
    assert not {row.sentence for row in sentences("train")} & others


@pytest.mark.parametrize(("split", "size"), [("test2", 150), ("test3", 180)])
def test_the_later_held_aside_sets_are_real_news_and_op_ed_prose_of_their_own(split, size):
    records = documents(split)
    assert len(sentences(split)) >= size
    assert {record["genre"] for record in records} >= {"news", "op-ed"}
    assert all(record["real"] and _openly_licensed(record["licence"]) for record in records)
    # Whole documents: none is in another split, and no sentence is either.
    elsewhere = [row for row in sentences() if row.document not in {r["file"] for r in records}]
    assert not {row.document for row in elsewhere} & {record["file"] for record in records}
    assert not {row.sentence for row in elsewhere} & {row.sentence for row in sentences(split)}


def test_the_seed_rows_are_the_essays_sentences_without_its_title():
    title = heading_lines(SEED_ESSAY)[0]
    essay = [SEED_ESSAY[a:b] for a, b in segment(SEED_ESSAY) if a >= title[1]]
    assert [row.sentence for row in sentences(document="seed.tsv")] == essay


# The measured level (docs/benchmarks.md, "Claim kinds"), so that a rule or a model that
# loses ground fails here. The held-aside figures are those of the rules with the blended
# opinion check (the regression and the fine-tuned MiniLM, adopted 2026-12-07: the first
# held-aside set's seventh measurement, test2's fourth, test3's second), both refitted
# with the fourth round of training documents (the eighth, fifth and third: test 0.906,
# test2 0.789, test3 0.792), then the rules for attributions as news writes them and the
# regression refitted on them (the ninth, sixth and fourth: test 0.903, real texts 0.800,
# test2 0.789, test3 0.792); test2 and test3 are below the issue's target of 0.90: the
# floors hold the kinds where they are, they do not say the target is met. test3 beats
# its all-checkable baseline (0.770; with the regression alone it did not: 0.756).
# The development figures are in-sample for the models (both are fitted on those
# documents; bench/kinds.py prints the regression's leave-one-document-out figures,
# bench/kinds_finetune.py the blend's by grouped 5-fold cross-validation).
@pytest.mark.parametrize(
    ("split", "real", "document", "floor", "beats_baseline"),
    [
        ("test", None, None, 0.9, True),
        ("test", True, None, 0.8, True),
        ("test2", None, None, 0.78, True),
        ("test3", None, None, 0.79, True),
        ("dev", None, None, 0.96, True),
        ("dev", True, None, 0.93, True),
        (None, None, "seed.tsv", 0.94, True),
    ],
)
def test_checkable_against_opinion_f1_holds_its_measured_level(
    split, real, document, floor, beats_baseline
):
    rows = sentences(split, document=document, real=real)
    scores = evaluate(rows, [classify(row.sentence) for row in rows])
    baseline = evaluate(rows, ["event"] * len(rows))  # every sentence checkable
    assert scores.checkable[2] >= floor  # bench/kinds.py prints the whole table
    if beats_baseline:
        assert scores.checkable[2] > baseline.checkable[2]


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


# --------------------------------------------------------------------------
# Rules fixed on the real texts of the development set (State of the Union 1962
# and 2002, The Federalist No. 1, the seed), each with the sentence that showed it.


@pytest.mark.parametrize(
    "sentence",
    [
        "Yet the state of our Union has never been stronger.",
        "Too many unemployed are still looking for the blessings of prosperity.",
        "Our cause is just, and it continues.",
        "But I strongly urge them - for their country's interest, and for their own - to apply "
        "the test of the public interest to these transactions.",
        "It is my task to report the State of the Union - to improve it is the task of us all.",
        "This is a disturbing figure - reflected in Selective Service rejection rates - reflected "
        "in welfare rolls and crime rates.",
        "Equally important to our strength is the quality of our education.",
        "By seeking weapons of mass destruction, these regimes pose a grave and growing danger.",
        "Our second goal is to prevent regimes that sponsor terror from threatening America or "
        "our friends and allies with weapons of mass destruction.",
    ],
)
def test_a_speakers_judgment_without_should_is_an_opinion(sentence):
    assert classify(sentence) == "opinion"


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # Speculation is a forecast...
        ("They could attack our allies or attempt to blackmail the United States.", "prediction"),
        ("In any of these cases, the price of indifference would be catastrophic.", "prediction"),
        # ... but a past inability, a measure or a judgment is not.
        (
            "With a losing hand and deteriorating conditions on the ground, Kissinger maneuvered "
            "to extricate the United States from a situation in which it could not achieve its "
            "objectives.",
            "event",
        ),
        (
            "Its waiting list for vouchers closed in 2018 because the list had grown longer than "
            "the authority could serve in a decade.",
            "comparison",
        ),
        ("That would be a mistake.", "opinion"),
        # "Going to school" is no future tense.
        (
            "The last time we met in this chamber, the mothers and daughters of Afghanistan were "
            "captives in their own homes, forbidden from working or going to school.",
            "event",
        ),
    ],
)
def test_speculation_is_a_prediction_and_what_only_looks_like_it_is_not(sentence, kind):
    assert classify(sentence) == kind


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Expectant mothers will be referred to Lakeview Medical Center.", "event"),
        ("The hospital's emergency room and surgical units will remain open.", "event"),
        (
            "The police department will receive $71 million, about $2 million less than Okafor "
            "had proposed.",
            "statistic",
        ),
        (
            "I shall also recommend bills to improve educational quality, to stimulate the arts, "
            "and to provide Federal loans for the construction of academic facilities.",
            "event",
        ),
    ],
)
def test_an_arrangement_announced_in_the_future_tense_is_no_forecast(sentence, kind):
    assert classify(sentence) == kind


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # A report without its speaker, or with one the verb does not stand next to.
        (
            "It has been frequently remarked that it seems to have been reserved to the people "
            "of this country to decide the important question.",
            "attribution",
        ),
        ("The mayor has long said the bridge is safe.", "attribution"),
        ("Some suggested that the sanctions were a mistake.", "attribution"),
        ("The family said the fire started in the kitchen.", "attribution"),
        # The speaker's own findings are no report of someone else's.
        (
            "We have found diagrams of American nuclear power plants and public water facilities.",
            "event",
        ),
    ],
)
def test_reports_with_and_without_a_speaker_next_to_the_verb(sentence, kind):
    assert classify(sentence) == kind


# --------------------------------------------------------------------------
# Rules fixed on the news and op-ed training documents (The Conversation, 2026), each
# with the sentence that showed it.


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # What could have been done is a judgment of the past, not a fact.
        ("This suffering could have been foreseen and minimised.", "opinion"),
        (
            "Pressure against the United Arab Emirates – the Rapid Support Forces’ main "
            "supporter – could have curbed the flow of weapons to the group.",
            "opinion",
        ),
        # Speculation reported of others is a report, not the writer's forecast.
        (
            "Because neutrinos can cross enormous distances and pass through matter almost "
            "undisturbed, scientists have even speculated about whether they might one day be "
            "used for communication across interstellar distances.",
            "attribution",
        ),
    ],
)
def test_judgments_of_the_past_and_reported_speculation(sentence, kind):
    assert classify(sentence) == kind


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # The line that introduces a blogger's words (Global Voices, the spare documents).
        ("Ahmed Shakeel tweets:", "attribution"),
        ("Again, Jing Gao reflects:", "attribution"),
        ("Ben Wedeman, CNN anchor and reporter, tweeted sarcastically:", "attribution"),
        ("Judge Chanatip Mueanpawong clarified the verdict:", "attribution"),
        ("Blogger Iyad El-Baghdadi summarized their priorities:", "attribution"),
        # A view held by others, its holders unnamed.
        ("Guterres was seen as an energetic moderniser.", "attribution"),
        ("This has been disputed by Iran.", "attribution"),
        (
            "Her removal was allegedly plotted to preserve the elitist and corrupted "
            "structures that the new pact had not fixed.",
            "attribution",
        ),
        # The present forms are nouns and names too: only a closing "tweets:" reports.
        ("Orville made successful flights in the United States at the time.", "event"),
        ("The two sites halt the posting of comments for three days.", "event"),
        ("Social media was flooded with comments regarding his life and his work.", "event"),
    ],
)
def test_reports_that_introduce_a_quote_and_views_held_by_others(sentence, kind):
    assert read(sentence)[0] == kind


def test_what_was_not_needed_is_no_recommendation():
    # By the rules alone: the learned check may still read the sentence as it reads facts.
    sentence = (
        "And the detector that made this new astronomy possible did not need to contain a "
        "cubic kilometre of manufactured material."
    )
    assert read(sentence)[0] == "event"
    assert read("The county needs to stop paying for motel rooms.")[0] == "opinion"

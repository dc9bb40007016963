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


def texts(text: str) -> list[str]:
    return [claim.text for claim in split(text)]


def spans(text: str) -> list[str]:
    return [text[claim.start : claim.end] for claim in split(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Ministry of Education, which still retains some Sunnis, was attacked on Tuesday.",
            [
                "The Ministry of Education still retains some Sunnis",
                "The Ministry of Education was attacked on Tuesday.",
            ],
        ),
        (
            "Bayan Jabr, who ran the Interior Ministry, is now Iraq's Finance minister.",
            ["Bayan Jabr ran the Interior Ministry", "Bayan Jabr is now Iraq's Finance minister."],
        ),
        (
            "Reporters met Omar and Mohammed Fadhlil, whose blog, Iraq the Model, has run since"
            " 2003.",
            [
                "Reporters met Omar and Mohammed Fadhlil",
                "Omar and Mohammed Fadhlil's blog, Iraq the Model, has run since 2003.",
            ],
        ),
    ],
)
def test_a_relative_clause_inside_the_sentence_is_a_claim_and_the_rest_keeps_its_subject(
    text, expected
):
    assert texts(text) == expected
    # The spans are the essay's words in order, with only the commas between them left out.
    assert " ".join(spans(text)).replace(",", "").split() == text.replace(",", "").split()


@pytest.mark.parametrize(
    "text",
    [
        "The report said that Bayan Jabr, who ran the ministry, was wrong.",  # "Jabr" is no subject
        'The "realists," like James Baker, who are pushing for a deal, were heard.',  # plural
    ],
)
def test_a_relative_clause_that_is_not_the_subjects_stays(text):
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Last week the Labour Party was leading the polls and, the next day, was accused of"
            " fraud by the Electoral Commission.",
            [
                "Last week the Labour Party was leading the polls",
                "The next day, the Labour Party was accused of fraud by the Electoral Commission.",
            ],
        ),
        (  # "it" is not the clause's own subject: the other body named before it
            "One day the Lebanese Army was guarding the Health Ministry and, the next day, was"
            " barred by it.",
            [
                "One day the Lebanese Army was guarding the Health Ministry",
                "The next day, the Lebanese Army was barred by the Health Ministry.",
            ],
        ),
    ],
)
def test_a_verb_that_shares_its_subject_is_a_claim_with_the_subject_repeated(text, expected):
    assert texts(text) == expected
    assert spans(text)[1].startswith("the next day, was")  # the essay's own words


def test_a_shared_subject_that_names_nothing_is_not_cut():
    text = "We were winning the war and, the next day, were losing it."
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Senator Maria Lopez wrote the bill when she chaired the Finance Committee.",
            ["Senator Maria Lopez wrote the bill", "Maria Lopez chaired the Finance Committee."],
        ),
        (
            "Two days after the mayor resigned, the police closed City Hall.",
            ["The mayor resigned", "The police closed City Hall."],
        ),
        (
            "On Thursday, just hours before a storm hit the coast, the governor ordered an"
            " evacuation.",
            [
                "On Thursday, a storm hit the coast",
                "On Thursday, the governor ordered an evacuation.",
            ],
        ),
    ],
)
def test_a_time_clause_with_a_fact_of_its_own_is_a_claim(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # The time clause frames the main fact: cut, the main one would lose its point.
        "When U.S. forces tried to stop the carnage, goons began firing on American helicopters.",
        "The army fled when they saw the rebels.",  # "they": no person to give it
        "The storm hit the coast when he was asleep.",  # no person before "he"
    ],
)
def test_a_time_clause_that_frames_the_main_fact_stays(text):
    assert texts(text) == [text]


def test_an_opinion_gives_up_the_fact_in_its_when_clause():
    text = (
        "When President Bush meets Nuri al-Maliki in Jordan this week, he should make clear"
        " that the deadline is real."
    )
    assert texts(text) == [
        "President Bush meets Nuri al-Maliki in Jordan this week",
        "Bush should make clear that the deadline is real.",
    ]


def test_the_verb_a_contrast_leaves_out_is_given_back():
    text = "Some critics said the law went too far, others that it did too little."
    assert texts(text) == [
        "Some critics said the law went too far",
        "Others said that it did too little.",
    ]


def test_a_quotation_that_goes_on_names_its_speaker():
    text = '"We will win," Maria Lopez said. "The polls are wrong."'
    assert texts(text)[1] == 'Maria Lopez said: "The polls are wrong."'
    assert spans(text)[1] == '"The polls are wrong."'
    unattributed = 'The slogan was "we will win." "The polls are wrong."'
    assert texts(unattributed)[1] == '"The polls are wrong."'


@pytest.mark.parametrize(
    ("sentence", "previous", "expected"),
    [
        (
            "Critics say he moved too slowly.",
            "Henry Kissinger negotiated the peace.",
            "Critics say Henry Kissinger moved too slowly.",
        ),
        (
            "Few saw the difficulty of his task.",
            "Henry Kissinger's talks were criticised.",
            "Few saw the difficulty of Henry Kissinger's task.",
        ),
        (
            "Voters believe they could win.",
            "Omar and Mohammed Fadhlil ran for office.",
            "Voters believe Omar and Mohammed Fadhlil could win.",
        ),
        # Two people, or none, or the speaker's own words: left as they are.
        ("Critics say he moved too slowly.", "Henry Kissinger met Le Duc Tho.", None),
        ("Critics say he moved too slowly.", "The talks were long.", None),
        ('Critics wrote "he moved too slowly."', "Henry Kissinger negotiated the peace.", None),
        (  # two bodies the sentence before: no country in the claim's own to prefer
            "Critics faced the one it lost.",
            "The Defense Ministry and the U.S. Army disagreed.",
            None,
        ),
    ],
)
def test_a_pronoun_inside_a_claim_gets_the_one_name_it_can_stand_for(sentence, previous, expected):
    assert wording(sentence, 0, len(sentence), previous) == (expected or sentence)


def test_a_pronoun_looks_in_its_own_sentence_before_the_one_before():
    sentence = "Bayan Jabr said he would resign."
    assert wording(sentence, 0, len(sentence), "Henry Kissinger spoke.") == (
        "Bayan Jabr said Bayan Jabr would resign."
    )


def test_the_ministry_of_a_cut_claim_is_the_one_named_before():
    sentence = "Bayan Jabr built the squads when he ran the ministry."
    start = sentence.index("when")
    one = "The Ministry of the Interior houses the Badr Brigades."
    two = "The Ministry of the Interior and the Ministry of Health are rivals."
    assert wording(sentence, start, len(sentence), one) == (
        "Bayan Jabr ran the Ministry of the Interior."
    )
    assert wording(sentence, start, len(sentence), two) == "Bayan Jabr ran the ministry."


def test_a_speakers_first_name_is_the_one_person_of_the_sentence_before_it_starts():
    text = 'Last week Omar and Mohammed Fadhlil quit. "We are done," Mohammed wrote. "It is over."'
    assert texts(text)[1:] == [
        '"We are done," Mohammed Fadhlil wrote.',
        'Mohammed Fadhlil wrote: "It is over."',
    ]
    two = 'Mohammed Ali and Mohammed Fadhlil quit. "We are done," Mohammed wrote.'
    assert texts(two)[1] == '"We are done," Mohammed wrote.'


@pytest.mark.parametrize(
    ("sentence", "previous", "expected"),
    [
        (  # the person the sentence was about, before one named only as an owner
            "He was confirmed unanimously.",
            "To fill Antonin Scalia's seat, we have chosen Judge Neil Gorsuch.",
            "Neil Gorsuch was confirmed unanimously.",
        ),
        ("Critics say he erred.", "The general briefed our Vice President.", None),  # a title
        ("They named Sergey Kislyak, who he called twice.", "", None),  # not who "who" is
        ("The decline made it impossible to hire nurses.", "The Mercy Hospital board met.", None),
    ],
)
def test_a_pronoun_is_not_given_a_name_it_cannot_stand_for(sentence, previous, expected):
    assert wording(sentence, 0, len(sentence), previous) == (expected or sentence)


def test_a_when_clause_that_names_no_one_stays_with_its_opinion():
    text = "When we have all of this, we will have made the city greater than ever."
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Britain's debt after the war in India was larger than the one it carried in 1900.",
            "Britain's debt after the war in India was larger than the one Britain carried in"
            " 1900.",
        ),
        (
            "Diplomats pulled the United States out of a war in which it could not win.",
            "Diplomats pulled the United States out of a war in which the United States could"
            " not win.",
        ),
        (  # a country named as a place ("in Iraq") is not the actor "it" takes up
            "The U.S.-led coalition in Iraq lost the support that America had when it invaded.",
            "The U.S.-led coalition in Iraq lost the support that America had when America"
            " invaded.",
        ),
    ],
)
def test_it_gets_the_one_country_its_sentence_names(sentence, expected):
    assert wording(sentence, 0, len(sentence), "Mexico and Canada were not asked.") == expected


@pytest.mark.parametrize(
    ("sentence", "previous"),
    [
        # Two countries before "it".
        ("France lost more men than Germany, and the war it started ruined both.", ""),
        ("After Spain's treaty with Portugal, it could not claim the islands.", ""),
        # "it" that points at nothing.
        ("Critics say America made it impossible to leave.", ""),
        ("The United States knew that it was clear that the war was lost.", ""),
        ("When Vietnam fell, it was hard to say who had won.", ""),
        # A named body competes with the country.
        ("The Defense Ministry told Britain that it could not pay.", ""),
        ("America's quarrel with the U.S. Army began when it cut the budget.", ""),
        # Inside quotation marks: the speaker's own words.
        ('Critics wrote that Canada "cannot pay what it promised."', ""),
        ('"Mexico will pay," he said, "because it promised."', ""),
        ('The slogan "America first" was dropped when it failed.', ""),  # a quoted country
        # A country only in the sentence before, or only as a noun's word or an object.
        ("Critics say it failed.", "Japan signed the treaty."),
        ("U.S. forces left because it ordered them out.", ""),
        ("We sold Canada the plan and it worked.", ""),  # "it" the plan, not Canada
        ("Critics of China say we must stop it.", ""),
        ("Canada signed the deal because it is cheap.", ""),  # "it is": the deal, often
    ],
)
def test_it_is_left_when_no_one_country_is_what_it_stands_for(sentence, previous):
    assert wording(sentence, 0, len(sentence), previous) == sentence

"""The learned opinion check of the kind rules (factcheck.claims.opinion): shipped as
package data, read without a network, reproducible from its training module, and
turning opinion stated as fact into opinion while plain facts stay checkable."""

from __future__ import annotations

import importlib.resources
import socket

import numpy as np
import pytest

from factcheck.claims import finetuned, opinion
from factcheck.claims.kinds import NOT_CHECKABLE_KINDS, REFINED_KINDS, classify, read, refined
from factcheck.factchecks import static
from tests.kinds_data import sentences

# From the development documents (never the held-aside ones): the rules read these as
# plain facts; a reader, and now the model, as the speaker's or writer's judgment.
OPINION_AS_FACT = [
    "Members of the Congress, the Constitution makes us not rivals for power but partners "
    "for progress.",
    "But recession is only one enemy of a free economy - inflation is another.",
    "But this is a thing more ardently to be wished than seriously to be expected.",
    "For those families, a bus that does not come is a wall between them and a job.",
]
FACTS = [
    "The American flag flies again over our embassy in Kabul.",
    "Harmon County has not approved a single new public housing project since 2011.",
    "The nurses' union filed a complaint with the state labor board on Tuesday.",
    "Within a couple of hours, American units arrived at the scene and chased off the attackers.",
    "The public comment period ended eighteen months ago.",
]


def test_the_model_is_package_data_read_without_a_network(monkeypatch):
    data = importlib.resources.files("factcheck.claims") / "data"
    assert (data / opinion.WEIGHTS_PATH.name).is_file()
    assert (data / opinion.LEXICON_PATH.name).is_file()

    def no_network(*args, **kwargs):
        raise AssertionError("the opinion model must not reach the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    model = opinion.Model.load()
    assert len(model.weights) > 1000 and 0.5 <= model.threshold < 1
    assert len(model.dense) == static.load().dims  # one weight per dimension of the vectors
    assert "superb" in opinion._lexicon()


@pytest.mark.parametrize("sentence", OPINION_AS_FACT)
def test_opinion_stated_as_fact_is_an_opinion(sentence):
    assert read(sentence)[0] in REFINED_KINDS  # the rules alone call it a fact
    assert classify(sentence) == "opinion"


@pytest.mark.parametrize("sentence", FACTS)
def test_plain_facts_stay_checkable(sentence):
    assert classify(sentence) not in NOT_CHECKABLE_KINDS


def test_the_examples_are_development_sentences():
    development = {row.sentence: row for row in sentences("dev")}
    for sentence in OPINION_AS_FACT + FACTS:
        row = development[sentence]
        assert row.checkable == (sentence in FACTS)


def test_the_model_only_refines_plain_facts():
    # A figure, a report, a quotation and a question keep the rules' kind whatever the model.
    for sentence, kind in [
        ("Turnout fell to 41 percent, according to the commission.", "statistic"),
        ("The mayor said the city is strong.", "attribution"),
        ('"Our cause is just," the senator said.', "quotation"),
        ("Is the state of our Union strong?", "question"),
    ]:
        assert classify(sentence) == kind


def test_classify_reads_the_features_training_reads():
    # classify skips the cues a plain fact cannot hold; the model must see what it was
    # trained on all the same. Every third labelled sentence: each kind is there many
    # times over, and the fine-tuned model takes about 10 ms a sentence.
    model = opinion.model()
    for row in sentences()[::3]:
        kind, cues = read(row.sentence)
        if kind not in REFINED_KINDS:
            assert classify(row.sentence) == kind
            continue
        found = opinion.features(row.sentence, kind, cues)
        regression = model.probability(found, opinion.vector(row.sentence))
        probability = (regression + finetuned.probability(row.sentence)) / 2
        assert classify(row.sentence) == refined(kind, probability, finetuned.threshold())


def test_probabilities_are_bounded_for_extreme_scores():
    model = opinion.Model({"a": 1000.0, "b": -1000.0}, 0.0, 0.5)
    nowhere = np.array([1.0, 0.0])  # a model without dense weights ignores the vector
    assert model.probability(["a"], nowhere) == 1.0
    assert model.probability(["b"], nowhere) == 0.0
    assert model.probability(["a", "a", "b"], nowhere) == 0.5  # a feature counts once


def test_the_dense_weights_score_the_sentence_vector():
    model = opinion.Model({"a": 1.0}, -1.0, 0.5, dense=[2.0, -3.0])
    assert model.probability(["a"], np.array([0.0, 0.0])) == 0.5
    assert model.probability([], np.array([1.0, 0.0])) == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert model.probability(["a"], np.array([0.6, 0.8])) == pytest.approx(
        1 / (1 + np.exp(-(1.0 - 1.0 + 1.2 - 2.4)))
    )


def test_the_sentence_vector_is_the_unit_mean_of_its_tokens_rows():
    table = static.load()
    sentence = "The committee's decision was an extraordinary betrayal of voters."
    rows = table.rows(sentence)
    mean = table.vectors[rows].mean(axis=0)
    found = opinion.vector(sentence)
    assert found == pytest.approx(mean / np.linalg.norm(mean), abs=1e-5)
    assert np.linalg.norm(found) == pytest.approx(1.0, abs=1e-5)
    # Words the training set never saw still land near their neighbours.
    assert np.linalg.norm(opinion.vector("Zorblax quixotically flummoxed.")) > 0.99
    assert not opinion.vector("... !!! ---").any()  # no token with a row: zero


def test_the_sentence_vector_needs_the_static_table(monkeypatch):
    monkeypatch.setattr(static, "load", lambda: None)
    with pytest.raises(FileNotFoundError):
        opinion.vector("The bridge opened in 1932.")


def test_training_rebuilds_the_shipped_weights():
    training = pytest.importorskip("factcheck.claims.opinion_training")
    pytest.importorskip("sklearn")
    rebuilt = training.fit(training.examples())
    shipped = opinion.Model.load()
    assert rebuilt.threshold == shipped.threshold
    assert rebuilt.bias == pytest.approx(shipped.bias, abs=1e-3)
    assert rebuilt.weights.keys() == shipped.weights.keys()
    assert all(
        rebuilt.weights[name] == pytest.approx(weight, abs=1e-3)
        for name, weight in shipped.weights.items()
    )
    assert rebuilt.dense == pytest.approx(shipped.dense, abs=1e-3)

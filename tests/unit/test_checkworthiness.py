"""Check-worthiness scorer: behaviour of ``score``, the metric, and numpy/sklearn parity."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from factcheck.claims import finetuned, kinds, score
from factcheck.claims import training as tr
from factcheck.claims.checkworthiness import (
    BLEND_PATH,
    HAND_FEATURES,
    KIND_FEATURES,
    WEIGHTS_PATH,
    Finetuned,
    Model,
    kind_features,
    smooth,
    tokens,
)

WORTHY = "Unemployment fell from 10 percent to 4.9 percent in 2016."
PLEASANTRY = "Thank you all very much, it is great to be here."
DOCUMENT = [
    "Good evening, and welcome to the debate.",
    "(APPLAUSE)",
    WORTHY,
    "What do you think about that?",
    "We spent $6 billion on the wall, more than any administration before us.",
    PLEASANTRY,
    "",
    "Le président a dit « non » — 33 000 emplois ?",
]


# --- score() ----------------------------------------------------------------


def test_scores_are_probabilities_one_per_sentence() -> None:
    scores = score(DOCUMENT)
    assert len(scores) == len(DOCUMENT)
    assert all(isinstance(s, float) and math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)


def test_empty_document_scores_nothing() -> None:
    assert score([]) == []


def test_check_worthy_claim_outranks_pleasantry() -> None:
    worthy, pleasantry = score([WORTHY, PLEASANTRY])
    assert worthy > pleasantry
    # Each alone, too: the ranking comes from the sentences, not the context.
    assert score([WORTHY])[0] > score([PLEASANTRY])[0]


def test_scores_follow_their_sentences_in_order() -> None:
    forward = score([WORTHY, PLEASANTRY])
    backward = score([PLEASANTRY, WORTHY])
    assert forward[0] > forward[1]
    assert backward[1] > backward[0]


def test_a_sentence_scores_the_same_in_the_same_context() -> None:
    # Same document twice: deterministic, and inputs are not mutated.
    document = list(DOCUMENT)
    assert score(document) == score(tuple(DOCUMENT))
    assert document == DOCUMENT


def test_numbers_become_their_kind() -> None:
    assert tokens("It cost $6 billion, 25% of the 2016 budget: 33,000 jobs didn’t come.") == [
        "it",
        "cost",
        "_money_",
        "billion",
        "_pct_",
        "of",
        "the",
        "_year_",
        "budget",
        "_num_",
        "jobs",
        "didn't",
        "come",
    ]


def test_committed_weights_match_the_code() -> None:
    model = Model.load(WEIGHTS_PATH)
    assert model.meta["version"] == tr.VERSION
    assert WEIGHTS_PATH.name == f"{tr.VERSION}.npz"
    assert model.claimbuster is not None and model.claimbuster_weight > 0
    # v3: the CLEF model reads the kind one-hot after the hand features; ClaimBuster's does not.
    columns = {"debates": HAND_FEATURES + KIND_FEATURES, "claimbuster": HAND_FEATURES}
    for name, part in (("debates", model.debates), ("claimbuster", model.claimbuster)):
        assert model.meta[name]["hand_features"] == list(columns[name])
        assert part.with_kinds == (name == "debates")
        assert len(part.index) == len(part.idf) == len(part.term_coef)
        assert len(part.hand_coef) == len(part.hand_mean) == len(columns[name])
    assert WEIGHTS_PATH.stat().st_size < 2 * 1024 * 1024


# --- the fine-tuned MiniLM (v4) ------------------------------------------------


def _fake_checkworthiness_logits(monkeypatch: pytest.MonkeyPatch, logits: np.ndarray) -> None:
    """The check-worthiness model's outputs are ``logits``; the opinion model's are its own."""
    real = finetuned.outputs

    def outputs(path: Path, sentences: list[str]) -> np.ndarray:
        if path == finetuned.CHECKWORTHINESS_PATH:
            return logits[: len(sentences)]
        return real(path, sentences)

    monkeypatch.setattr(finetuned, "outputs", outputs)


def test_the_shipped_scorer_averages_in_the_finetuned_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = Model.load()
    part = model.finetuned
    assert part is not None and part.path == finetuned.CHECKWORTHINESS_PATH
    assert part.weight > 0 and part.scale > 0
    linear = model.linear_decision(DOCUMENT)
    logits = np.linspace(-3.0, 3.0, len(DOCUMENT))
    _fake_checkworthiness_logits(monkeypatch, logits)
    expected = (linear + part.weight * (part.scale * logits + part.shift)) / (1 + part.weight)
    np.testing.assert_allclose(model.decision(DOCUMENT), expected)
    # And the logit moves the score: the highest logit's sentence gains on the lowest's.
    before = Model.load(with_finetuned=False).probabilities(DOCUMENT)
    after = model.probabilities(DOCUMENT)
    assert after[-1] - before[-1] > after[0] - before[0]


def test_the_blend_maps_the_logit_onto_the_linear_spread_and_centre(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    linear = Model.load(with_finetuned=False)
    sentences = DOCUMENT[:6]
    logits = np.array([5.0, -1.0, 2.0, 0.5, 9.0, -4.0])
    _fake_checkworthiness_logits(monkeypatch, logits)
    part = Finetuned.mapped(finetuned.CHECKWORTHINESS_PATH, 1.0, linear, sentences)
    target = linear.linear_decision(sentences)
    mapped = part.decision(sentences)
    assert mapped.mean() == pytest.approx(target.mean())
    assert mapped.std() == pytest.approx(target.std())
    assert np.argsort(mapped).tolist() == np.argsort(logits).tolist()
    assert part.settings() == {"weight": 1.0, "scale": part.scale, "shift": part.shift}


def test_the_blend_settings_are_the_shipped_files() -> None:
    part = Finetuned.load()
    assert part.settings() == json.loads(BLEND_PATH.read_text(encoding="utf-8"))
    assert part.path.is_file()


def test_the_finetuned_logit_ranks_a_claim_above_a_pleasantry() -> None:
    worthy, pleasantry = finetuned.outputs(finetuned.CHECKWORTHINESS_PATH, [WORTHY, PLEASANTRY])
    assert worthy > pleasantry + 1.0


def test_a_sentences_logit_does_not_depend_on_the_sentences_beside_it() -> None:
    path = finetuned.CHECKWORTHINESS_PATH
    finetuned.output.cache_clear()  # each run below is a run of the model, not a lookup
    together = finetuned.outputs(path, DOCUMENT)
    finetuned.output.cache_clear()
    alone = [finetuned.outputs(path, [sentence])[0] for sentence in DOCUMENT]
    assert together.tolist() == alone


# --- the claim kind as features -----------------------------------------------


def test_kind_features_are_a_one_hot_of_classify() -> None:
    found = kind_features(DOCUMENT)
    assert found.shape == (len(DOCUMENT), len(KIND_FEATURES))
    np.testing.assert_array_equal(found.sum(axis=1), 1.0)
    for row, sentence in zip(found, DOCUMENT, strict=True):
        assert KIND_FEATURES[int(np.argmax(row))] == f"kind_{kinds.classify(sentence)}"


def test_the_kind_reaches_the_clef_models_score(monkeypatch: pytest.MonkeyPatch) -> None:
    model = Model.load(WEIGHTS_PATH, with_finetuned=False)
    kind = kinds.classify(WORTHY)
    before = model.decision([WORTHY])
    monkeypatch.setattr(kinds, "classify", lambda sentence, quantities=None: "opinion")
    after = model.decision([WORTHY])
    # Only the CLEF model's kind columns move: by their coefficients over their scale.
    part = model.debates
    column = {name: i for i, name in enumerate(HAND_FEATURES + KIND_FEATURES)}
    weights = part.hand_coef / part.hand_scale * part.hand_weight
    expected = weights[column["kind_opinion"]] - weights[column[f"kind_{kind}"]]
    assert kind != "opinion" and abs(expected) > 0.01
    np.testing.assert_allclose(after - before, expected, rtol=1e-6, atol=1e-9)


def test_kinds_given_by_the_caller_stand_in_for_classifying() -> None:
    found = [kinds.classify(sentence) for sentence in DOCUMENT]
    assert score(DOCUMENT, sentence_kinds=found) == score(DOCUMENT)
    other = ["opinion" if kind != "opinion" else "event" for kind in found]
    assert score(DOCUMENT, sentence_kinds=other) != score(DOCUMENT)
    with pytest.raises(ValueError, match="kinds for"):
        score(DOCUMENT, sentence_kinds=found[:-1])


def test_split_classifies_each_claim_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The claims' kinds reach the scorer: it never classifies a sentence again."""
    from factcheck.claims.extraction import split

    expected = split(" ".join(DOCUMENT[:6]))

    def again(sentence: str, quantities: object = None) -> str:
        raise AssertionError(f"classified again: {sentence!r}")

    monkeypatch.setattr(kinds, "classify", again)  # what the scorer calls, not split
    found = split(" ".join(DOCUMENT[:6]))
    assert [c.checkworthiness for c in found] == [c.checkworthiness for c in expected]
    assert len(found) >= 4


# --- context smoothing ------------------------------------------------------


def test_smoothing_leaves_single_and_constant_documents_alone() -> None:
    assert smooth(np.array([1.5]), 2, 0.3).tolist() == [1.5]
    np.testing.assert_allclose(smooth(np.full(5, -2.0), 2, 0.3), np.full(5, -2.0))
    assert smooth(np.zeros(0), 2, 0.3).shape == (0,)


def test_smoothing_lifts_the_neighbours_of_a_high_score() -> None:
    smoothed = smooth(np.array([0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0]), 2, 0.3)
    assert smoothed[3] == max(smoothed)
    assert smoothed[2] > 0 and smoothed[4] > 0 and smoothed[0] == 0


# --- average precision ------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "labels", "expected"),
    [
        ([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], (1 / 1 + 2 / 3) / 2),  # hits at ranks 1 and 3
        ([0.1, 0.5, 0.9], [1, 0, 0], 1 / 3),  # the one positive ranked last of three
        ([0.2, 0.4, 0.6, 0.8], [1, 1, 0, 0], (1 / 3 + 2 / 4) / 2),  # ranks 3 and 4
        ([3.0, 2.0, 1.0], [1, 1, 1], 1.0),
        ([0.5, 0.5], [0, 1], 1 / 2),  # ties keep document order, as the CLEF scorer
        ([0.5, 0.5], [1, 0], 1.0),
        ([0.3, 0.2], [0, 0], 0.0),  # no positives: 0, as the CLEF scorer
    ],
)
def test_average_precision_by_hand(scores: list[float], labels: list[int], expected: float) -> None:
    assert tr.average_precision(scores, labels) == pytest.approx(expected)


def test_mean_average_precision_averages_documents() -> None:
    runs = [([0.9, 0.1], [1, 0]), ([0.1, 0.5, 0.9], [1, 0, 0])]
    assert tr.mean_average_precision(runs) == pytest.approx((1.0 + 1 / 3) / 2)
    assert tr.mean_average_precision([]) == 0.0


# --- data loading -----------------------------------------------------------


def test_csv_quoting_is_undone_only_for_wrapped_fields() -> None:
    assert tr.unquote('"He said ""no"" twice."') == 'He said "no" twice.'
    assert tr.unquote('"Guam"') == "Guam"
    quoted_speech = '"Whenever the President finds" — see, it says he.'
    assert tr.unquote(quoted_speech) == quoted_speech
    assert tr.unquote('"a" and "b"') == '"a" and "b"'


def test_load_document_reads_the_clef_format(tmp_path: Path) -> None:
    path = tmp_path / "debate.tsv"
    rows = ["1\tHOLT\tGood evening.\t0", "2\tSYSTEM\t(APPLAUSE)\t0"]
    rows.append('3\tTRUMP\t"We owe ""$20 trillion""."\t1')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = tr.load_document(path)
    assert doc.name == "debate"
    assert doc.sentences == ["Good evening.", "(APPLAUSE)", 'We owe "$20 trillion".']
    assert doc.labels.tolist() == [0, 0, 1]


# --- training-time parity ---------------------------------------------------


def _synthetic_documents() -> list[tr.Document]:
    rng = np.random.default_rng(7)
    claims = [
        "The deficit grew by {n} percent in {y}.",
        "He voted for the war in {y} and said so {n} times.",
        "We lost {n} million jobs to Mexico since {y}.",
        "Crime fell {n} percent, the lowest level since {y}.",
    ]
    filler = [
        "Thank you so much, it is great to be here.",
        "I think we need to come together.",
        "What would you do about it?",
        "(APPLAUSE)",
        "We love this country and we love our people.",
        "Let me say one more thing about that.",
    ]
    docs = []
    for d in range(3):
        sentences, labels = [], []
        for _ in range(40):
            if rng.random() < 0.2:
                text = claims[rng.integers(len(claims))]
                sentences.append(text.format(n=rng.integers(2, 90), y=rng.integers(1990, 2019)))
                labels.append(1)
            else:
                sentences.append(filler[rng.integers(len(filler))])
                labels.append(0)
        docs.append(tr.Document(f"doc{d}", sentences, np.array(labels)))
    return docs


def test_numpy_scorer_reproduces_the_sklearn_model(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    docs = _synthetic_documents()
    # The third document stands in for the ClaimBuster rows.
    blend = tr.fit_blend(docs[:2], docs[2], weight=0.4)
    assert blend.debates.with_kinds  # the parity covers the kind columns
    path = tmp_path / "weights.npz"
    tr.save_weights(tr.export(blend), path)
    model = Model.load(path, with_finetuned=False)
    probe = [*docs[0].sentences, WORTHY, PLEASANTRY, "", "Words never seen in training."]
    np.testing.assert_allclose(
        model.decision(probe), tr.sklearn_decision(blend, probe), rtol=1e-5, atol=1e-5
    )
    # Each part counts: the blend is neither model alone.
    alone = tr.sklearn_decision(tr.Blend(blend.debates, None, 0.0), probe)
    assert not np.allclose(model.decision(probe), alone)
    # And the model learnt something: the claims rank first in a training document.
    assert tr.average_precision(model.probabilities(docs[0].sentences), docs[0].labels) > 0.9


def test_saved_weights_are_byte_for_byte_reproducible(tmp_path: Path) -> None:
    arrays = {"b": np.arange(3, dtype=np.float32), "a": np.frombuffer(b"x\ny", dtype=np.uint8)}
    first, second = tmp_path / "1.npz", tmp_path / "2.npz"
    tr.save_weights(arrays, first)
    tr.save_weights(arrays, second)
    assert first.read_bytes() == second.read_bytes()
    with np.load(first) as loaded:
        assert loaded["b"].tolist() == [0.0, 1.0, 2.0]


def test_claimbuster_rows_load_and_drop_the_test_documents_lines(tmp_path: Path) -> None:
    path = tmp_path / "claimbuster.tsv"
    rows = ["sentence_id\ttext\tlabel", "1\tWe lost 700,000 jobs.\t1", "2\tThank you.\t0"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rows_doc = tr.load_claimbuster(path)
    assert rows_doc.sentences == ["We lost 700,000 jobs.", "Thank you."]
    assert rows_doc.labels.tolist() == [1, 0]
    kept = tr.without(rows_doc, ["WE LOST 700,000  jobs.", "Good night."])
    assert kept.sentences == ["Thank you."] and kept.labels.tolist() == [0]
    assert tr.without(rows_doc, ["Good night."]) is rows_doc


def test_the_v3_ranker_reads_its_claimbuster_rows_and_ranks_a_new_document(
    tmp_path: Path,
) -> None:
    pytest.importorskip("sklearn")
    docs = _synthetic_documents()
    path = tmp_path / "claimbuster.tsv"
    # Lines that also occur in the test document are dropped: these differ from its.
    labelled = zip(docs[2].sentences, docs[2].labels, strict=True)
    rows = [f"{i}\tSo: {s}\t{y}" for i, (s, y) in enumerate(labelled)]
    path.write_text("sentence_id\ttext\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    scores = tr.ours(path)([docs[1]], docs[0])
    assert len(scores) == len(docs[0].sentences)
    assert tr.average_precision(scores, docs[0].labels) > 0.9
    assert not np.allclose(scores, tr.previous([docs[1]], docs[0]))
    # v2's recipe differs from v3's only by the kind one-hot, and that changes the scores.
    assert not np.allclose(scores, tr.previous_v2(path)([docs[1]], docs[0]))

"""The fine-tuned MiniLMs (factcheck.claims.finetuned): shipped as package data, loaded
without a network; the opinion check's separates opinion from plain reports and is
blended with the logistic regression at the one threshold kinds reads (check-worthiness's
blend: tests/unit/test_checkworthiness.py)."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx.reference import ReferenceEvaluator

from factcheck.claims import finetuned, kinds, opinion

# From the training documents (never the held-aside ones), labelled opinion and event.
OPINIONS = [
    "Our estimates, however, should be read with caution.",
    "This is why awareness and rapid testing matter, especially for those who may have "
    "been exposed.",
    "Similarly, pay attention to the clothes in the posts you scroll rather than the way "
    "they have been packaged.",
    "Next, we need to find out what happens to the extra grass.",
    "Our findings therefore add an overlooked process to the climate-change story.",
]
REPORTS = [
    "I remember a meeting sometime in 2018 with Guterres at UN headquarters in New York.",
    "The Taiwanese sport minister, Lee Yang, was then barred from attending the athletes’ "
    "village welcoming ceremony.",
    "These include a ceasefire on all fronts, the lifting of the US blockade of Iranian "
    "ports and the unfreezing of Iran’s assets.",
    "I am a plant ecologist who studies how savannas respond to environmental change.",
    "The cast also celebrates performers with Filipino background, including H.E.R., "
    "Soberano, Salonga, Dolly de Leon and Jo Koy.",
]
ROOT = Path(__file__).resolve().parents[2]


def test_the_model_is_package_data_and_returns_probabilities():
    data = importlib.resources.files("factcheck.claims") / "data"
    assert (data / finetuned.MODEL_PATH.name).is_file()
    assert (data / finetuned.THRESHOLD_PATH.name).is_file()
    assert (data / finetuned.CHECKWORTHINESS_PATH.name).is_file()
    assert (data / "checkworthiness-minilm.json").is_file()
    for sentence in [*OPINIONS, *REPORTS, "", "?" * 500, "word " * 300]:
        assert 0.0 <= finetuned.probability(sentence) <= 1.0


def reference_outputs(path: Path, sentences: list[str]) -> np.ndarray:
    """The model's outputs as the ONNX operators define them (onnx's reference
    evaluator, in numpy: integer products summed exactly)."""
    model = onnx.load(str(path))
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            # The evaluator implements DequantizeLinear from opset 19 on; 17 to 19 only
            # added float8 types, which these models do not use.
            opset.version = max(opset.version, 19)
    evaluator = ReferenceEvaluator(model)
    return np.array([evaluator.run(None, finetuned.inputs(s))[0][0] for s in sentences])


@pytest.mark.parametrize(
    ("path", "tolerance"),
    # Mean absolute difference: of a probability for the opinion model, of a logit for
    # check-worthiness's. With int8 weights onnxruntime missed by 0.016 and 0.155 on an
    # AVX-only CPU; with the weights stored unsigned, by 0.0002 and 0.014.
    [(finetuned.MODEL_PATH, 0.005), (finetuned.CHECKWORTHINESS_PATH, 0.05)],
    ids=["opinion", "checkworthiness"],
)
def test_onnxruntime_answers_as_the_onnx_reference_does_on_this_cpu(path, tolerance):
    sentences = [*OPINIONS[:2], *REPORTS[:2]]
    found = finetuned.outputs(path, sentences)
    assert np.abs(found - reference_outputs(path, sentences)).mean() <= tolerance


def test_a_sentence_runs_once_per_model_and_process(monkeypatch):
    runs = []

    class Counting:
        def __init__(self, path):
            self.real = finetuned.open_session(path)

        def run(self, names, feed):
            runs.append(feed["ids"].tolist())
            return self.real.run(names, feed)

    sessions = {
        path: Counting(path) for path in (finetuned.MODEL_PATH, finetuned.CHECKWORTHINESS_PATH)
    }
    monkeypatch.setattr(finetuned, "session", sessions.__getitem__)
    finetuned.output.cache_clear()
    try:
        first = finetuned.outputs(finetuned.MODEL_PATH, [*REPORTS, *OPINIONS])
        again = [finetuned.probability(sentence) for sentence in [*OPINIONS, *REPORTS]]
        assert len(runs) == len(REPORTS) + len(OPINIONS)
        assert again == [*first[len(REPORTS) :], *first[: len(REPORTS)]]
        finetuned.outputs(finetuned.CHECKWORTHINESS_PATH, REPORTS[:2])  # another model
        assert len(runs) == len(REPORTS) + len(OPINIONS) + 2
    finally:
        finetuned.output.cache_clear()  # nothing counted stays for other tests


def test_the_weights_are_stored_unsigned():
    # The kernels that multiply uint8 by uint8 sum exactly on every x86 CPU; those for
    # int8 weights do not everywhere (factcheck.claims.opinion_finetune.unsigned_weights).
    for path in (finetuned.MODEL_PATH, finetuned.CHECKWORTHINESS_PATH):
        graph = onnx.load(str(path)).graph
        types = {tensor.name: tensor.data_type for tensor in graph.initializer}
        weights = [node.input[1] for node in graph.node if node.op_type == "MatMulInteger"]
        assert len(weights) == 37
        assert {types[name] for name in weights} == {onnx.TensorProto.UINT8}


def test_loading_needs_no_network_and_no_http_library():
    # A fresh process: the test run has imported requests long since.
    code = (
        "import socket, sys\n"
        "def no_network(*args, **kwargs):\n"
        "    raise AssertionError('the fine-tuned model must not reach the network')\n"
        "socket.socket = no_network\n"
        "socket.create_connection = no_network\n"
        "from factcheck.claims import finetuned\n"
        "p = finetuned.probability('The bridge opened in 1932.')\n"
        "assert 0.0 <= p <= 1.0\n"
        "from factcheck.claims import score\n"
        "assert len(score(['The bridge opened in 1932.', 'Thank you.'])) == 2\n"
        "assert finetuned.session.cache_info().currsize == 2, 'both models ran'\n"
        "assert not {'requests', 'urllib3'} & set(sys.modules), sys.modules.keys()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_opinions_score_higher_than_plain_reports():
    scores = {sentence: finetuned.probability(sentence) for sentence in OPINIONS + REPORTS}
    assert min(scores[s] for s in OPINIONS) > max(scores[s] for s in REPORTS)


def test_the_examples_are_training_sentences():
    from tests.kinds_data import sentences

    training = {row.sentence: row for row in sentences("train")}
    assert all(training[s].kind == "opinion" for s in OPINIONS)
    assert all(training[s].kind == "event" for s in REPORTS)


def test_classified_blends_the_two_models(monkeypatch):
    sentence = "The state of our Union is strong."
    assert kinds.read(sentence)[0] in kinds.REFINED_KINDS
    found = []
    for value in (0.0, 1.0):
        monkeypatch.setattr(finetuned, "probability", lambda s, value=value: value)
        found.append(kinds.classified(sentence)[1])
    assert found[1] - found[0] == pytest.approx(0.5)  # half of the fine-tuned model's move
    kind, cues = kinds.read(sentence)
    features = opinion.features(sentence, kind, cues)
    regression = opinion.model().probability(features, opinion.vector(sentence))
    assert found[0] == pytest.approx(regression / 2)


def test_the_threshold_lives_in_one_place(monkeypatch):
    sentence = "The state of our Union is strong."
    _, probability = kinds.classified(sentence)
    assert finetuned.threshold() == json.loads(finetuned.THRESHOLD_PATH.read_text())["threshold"]
    monkeypatch.setattr(finetuned, "threshold", lambda: probability)
    assert kinds.classified(sentence)[0] == "opinion"
    monkeypatch.setattr(finetuned, "threshold", lambda: probability + 1e-6)
    assert kinds.classified(sentence)[0] in kinds.REFINED_KINDS
    # Neither training module writes it: opinion_training saves its own file, and the
    # fine-tune writes the ONNX graph alone.
    package = ROOT / "factcheck"
    readers = {
        path.name
        for path in package.rglob("*.py")
        if "THRESHOLD_PATH" in path.read_text(encoding="utf-8")
        or finetuned.THRESHOLD_PATH.name in path.read_text(encoding="utf-8")
    }
    assert readers == {"finetuned.py"}

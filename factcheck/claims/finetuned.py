"""The fine-tuned all-MiniLM-L6-v2 models, run as int8 ONNX.

Two files, each MiniLM's six transformer layers with a linear head, fine-tuned at dev
time with torch:

- the opinion check's second model (``MODEL_PATH``; built by
  ``factcheck.claims.opinion_finetune``): a sentence -> P(not checkable), trained on the
  labelled ``train`` and ``dev`` sentences. ``kinds`` averages it with the logistic
  regression of ``opinion`` for the sentences the rules call a plain fact, and turns
  those at or above ``threshold()`` into opinions (docs/benchmarks.md, "The fine-tuned
  MiniLM in the opinion check");
- check-worthiness's second model (``CHECKWORTHINESS_PATH``; built by
  ``factcheck.claims.checkworthiness_finetune``): a sentence -> the logit of
  check-worthy, trained on the CLEF-2019 debates, which ``checkworthiness`` blends with
  its linear models (v4).

Run time needs onnxruntime (a 23 MB int8 graph runs at about 5 ms per sentence on one
thread; numpy would take several times as long) and nothing from the network: the
models are local package files, and the tokenizer's vocabulary is the static table's
(``factcheck.factchecks.static``), which the opinion model reads already.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factcheck.factchecks import static
from factcheck.factchecks.encoder import padded

DATA = Path(__file__).parent / "data"
MODEL_PATH = DATA / "opinion-minilm-int8.onnx"
CHECKWORTHINESS_PATH = DATA / "checkworthiness-minilm-int8.onnx"
# The blend's threshold, and only here: fixed by bench/kinds_finetune.py's
# cross-validation (the threshold every fold chose on the other four), not refitted by
# ``opinion_training`` or ``opinion_finetune``.
THRESHOLD_PATH = DATA / "opinion-minilm.json"
MAX_TOKENS = 64  # as trained


@functools.cache
def session(path: Path):  # -> onnxruntime.InferenceSession
    """A model's session, made once per process (always pass ``path`` positionally, so
    that each file has one cache entry)."""
    return open_session(path)


def open_session(path: Path):  # -> onnxruntime.InferenceSession
    """An ONNX file's session on one thread, since the workers are one process per core."""
    import onnxruntime  # here, not at import: only the sentences of plain fact need it

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@functools.cache
def threshold() -> float:
    """The blended probability at or above which a plain statement of fact is an opinion."""
    return float(json.loads(THRESHOLD_PATH.read_text(encoding="utf-8"))["threshold"])


def probability(sentence: str) -> float:
    """The opinion model's probability that ``sentence`` is not checkable."""
    return output(MODEL_PATH, sentence)


def outputs(path: Path, sentences: Sequence[str]) -> np.ndarray:
    """The output of the model at ``path`` for each sentence (``output``)."""
    return np.array([output(path, sentence) for sentence in sentences], dtype=float)


@functools.lru_cache(maxsize=8192)
def output(path: Path, sentence: str) -> float:
    """The output of the model at ``path`` for one sentence.

    One sentence per run, not a padded batch: the int8 graph quantizes its activations
    with scales taken from the whole input, so a sentence's output would depend on the
    sentences beside it (and on the essay it came in). Since it does not, it is kept per
    process: an essay split again after an edit runs only its new sentences, and a
    sentence the opinion check and check-worthiness both read runs once per model.
    """
    return float(session(path).run(None, inputs(sentence))[0][0])


def inputs(sentence: str) -> dict[str, np.ndarray]:
    """The models' inputs for one sentence: its token ids and mask, a batch of one."""
    table = static.load()
    if table is None:
        raise FileNotFoundError(f"the static table is package data: {static.TABLE_PATH}")
    ids, keep = padded([table.tokenizer.encode(sentence, MAX_TOKENS)])
    return {"ids": ids, "keep": keep}

"""The opinion check's second model: all-MiniLM-L6-v2 fine-tuned, run as int8 ONNX.

A sentence -> P(not checkable), from MiniLM's six transformer layers fine-tuned on the
labelled ``train`` and ``dev`` sentences (``factcheck.claims.opinion_finetune`` builds
the file, with torch, at dev time). ``kinds`` averages it with the logistic regression
of ``opinion`` for the sentences the rules call a plain fact, and turns those at or
above ``threshold()`` into opinions: the blend that grouped cross-validation chose
(docs/benchmarks.md, "The fine-tuned MiniLM in the opinion check").

Run time needs onnxruntime (a 23 MB int8 graph runs at about 5 ms per sentence on one
thread; numpy would take several times as long) and nothing from the network: the
model is a local package file, and the tokenizer's vocabulary is the static table's
(``factcheck.factchecks.static``), which the opinion model reads already.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from factcheck.factchecks import static
from factcheck.factchecks.encoder import padded

DATA = Path(__file__).parent / "data"
MODEL_PATH = DATA / "opinion-minilm-int8.onnx"
# The blend's threshold, and only here: fixed by bench/kinds_finetune.py's
# cross-validation (the threshold every fold chose on the other four), not refitted by
# ``opinion_training`` or ``opinion_finetune``.
THRESHOLD_PATH = DATA / "opinion-minilm.json"
MAX_TOKENS = 64  # as trained


@functools.cache
def session():  # -> onnxruntime.InferenceSession
    """The model's session, made once per process."""
    return open_session(MODEL_PATH)


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
    """The fine-tuned model's probability that ``sentence`` is not checkable."""
    table = static.load()
    if table is None:
        raise FileNotFoundError(f"the static table is package data: {static.TABLE_PATH}")
    ids, keep = padded([table.tokenizer.encode(sentence, MAX_TOKENS)])
    return float(session().run(None, {"ids": ids, "keep": keep})[0][0])

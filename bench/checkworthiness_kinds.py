"""Claim kinds as check-worthiness features: v2 against v2 + the kind signal (issue 17).

Run from the repository root (needs the ``train`` extra):

    .venv/bin/python bench/checkworthiness_kinds.py --data DIR [--claimbuster TSV]

Variants, fixed before the first run:

- (a) v2, the shipped recipe (``training.ours``), the reference;
- (b) v2 with a one-hot of ``kinds.classify(sentence)`` (one column per ``kinds.KINDS``)
  appended to its CLEF model's hand features, standardised and weighted like them;
- (c) (b) plus the opinion model's probability, where ``classify`` computes it (the
  sentences the rules call event, comparison or cause), else 0: the one-hot already
  says whether it was computed.

The ClaimBuster model is v2's in every variant (its features unchanged); its rows
that also occur in the test document are dropped per test document, as in
``bench/checkworthiness.py``. Evaluations are the same three: the two time splits
(2016 -> 2017-19, 2016-17 -> 2018-19) and leave-one-document-out, MAP as CLEF
defines it, scored through the numpy inference code (``checkworthiness.Linear``).
Then the paired per-document differences against v2 (mean ± standard error,
documents won/lost), and the cost of the kind features: MB/s of ``classify`` over
the CLEF sentences and CPU ms per seed essay, beside ``score``'s.

Decision rule, pre-registered: a variant is adopted only if ahead of v2 on all three.
Outcome: (b) was, and ships as v3 (``training.ours``; docs/benchmarks.md). The
variants here are still built from v2's recipe, so the run reproduces the decision.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkworthiness import FIRST_TEST_YEARS, paired, seed_sentences, year  # noqa: E402
from factcheck.claims import kinds, training  # noqa: E402
from factcheck.claims.checkworthiness import Model, score, smooth, tokens  # noqa: E402

Documents = list[training.Document]
VARIANTS = ("(a) v2", "(b) v2 + kind one-hot", "(c) v2 + kind one-hot + opinion p")


def kind_columns(sentences: Sequence[str], with_probability: bool) -> np.ndarray:
    """One-hot of the kind (``kinds.KINDS`` order), and the probability if asked."""
    rows = []
    for sentence in sentences:
        kind, probability = kinds.classified(sentence)
        row = [float(kind == k) for k in kinds.KINDS]
        if with_probability:
            row.append(probability)
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(sentences), -1)


def with_columns(doc: training.Document, extra: np.ndarray) -> training.Document:
    """``doc`` whose hand features carry ``extra`` columns after v2's."""
    out = training.Document(doc.name, doc.sentences, doc.labels)
    out._ngrams = doc.ngrams()
    out._hand = np.hstack([doc.hand(), extra])
    return out


def variant_documents(docs: Documents) -> list[Documents]:
    """Per variant, the documents with that variant's hand features."""
    full = {doc.name: kind_columns(doc.sentences, with_probability=True) for doc in docs}
    return [
        docs,
        [with_columns(doc, full[doc.name][:, :-1]) for doc in docs],
        [with_columns(doc, full[doc.name]) for doc in docs],
    ]


def decision(clef: Model, extra: Model, test: training.Document) -> np.ndarray:
    """v2's blend with the CLEF model given ``test``'s (maybe extended) hand features."""
    token_lists = [tokens(s) for s in test.sentences]
    plain = test.hand()[:, : len(extra.debates.hand_mean)]
    raw = clef.debates.decision(token_lists, test.hand()) + (
        training.CLAIMBUSTER_WEIGHT * extra.debates.decision(token_lists, plain)
    )
    return smooth(raw, training.CONTEXT_WINDOW, training.CONTEXT_WEIGHT)


def per_document(variants: list[Documents], claimbuster: training.Document) -> dict:
    """Variant -> per evaluation, each test document's AP. Fits are cached: a CLEF
    model per (variant, training set), a ClaimBuster model per test document."""
    names = [d.name for d in variants[0]]
    folds = []
    for first in FIRST_TEST_YEARS:
        train = tuple(i for i, d in enumerate(variants[0]) if year(d) < first)
        folds.append([(train, j) for j, d in enumerate(variants[0]) if year(d) >= first])
    folds.append([(tuple(i for i in range(len(names)) if i != j), j) for j in range(len(names))])

    clef_models: dict[tuple[int, tuple[int, ...]], Model] = {}
    extra_models: dict[int, Model] = {}

    def clef(v: int, train: tuple[int, ...]) -> Model:
        if (v, train) not in clef_models:
            fitted = training.fit([variants[v][i] for i in train])
            clef_models[v, train] = Model(training.export(training.Blend(fitted, None, 0.0)))
        return clef_models[v, train]

    def extra(test: int) -> Model:
        if test not in extra_models:
            rows = training.without(claimbuster, variants[0][test].sentences)
            fitted = training.fit([rows], training.CLAIMBUSTER_C)
            extra_models[test] = Model(training.export(training.Blend(fitted, None, 0.0)))
        return extra_models[test]

    out: dict[str, list[np.ndarray]] = {name: [] for name in VARIANTS}
    for fold in folds:
        for v, name in enumerate(VARIANTS):
            aps = [
                training.average_precision(
                    decision(clef(v, train), extra(test), variants[v][test]),
                    variants[v][test].labels,
                )
                for train, test in fold
            ]
            out[name].append(np.array(aps))
    return out


def best_cpu_ms(work: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best * 1000


def speed(docs: Documents, repeats: int) -> None:
    """The kind features' cost beside ``score``'s: MB/s and CPU ms per seed essay."""
    texts = [s for doc in docs for s in doc.sentences]
    megabytes = sum(len(s.encode("utf-8")) for s in texts) / 1e6
    essay = seed_sentences()
    score(essay)  # loads the shipped weights (the kinds' models are loaded by now)
    print(f"Speed (one core; MB/s in one pass, CPU per seed essay best of {repeats})")
    print(f"{'step':<34} {'MB/s':>6} {'CPU ms per seed essay':>22}")
    for name, work in (
        ("score() (v3, shipped)", lambda texts: score(texts)),
        ("kind one-hot + opinion p", lambda texts: kind_columns(texts, True)),
    ):
        start = time.perf_counter()
        work(texts)
        mb_per_s = megabytes / (time.perf_counter() - start)
        ms = best_cpu_ms(lambda work=work: work(essay), repeats)
        print(f"{name:<34} {mb_per_s:>6.2f} {ms:>22.1f}")
    print(f"(seed essay: {len(essay)} sentences, {sum(len(s) for s in essay) / 1000:.1f} kB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--claimbuster", type=Path, help="default: beside --data")
    parser.add_argument("--repeats", type=int, default=5, help="speed runs (best is kept)")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    docs = training.load_documents(args.data)
    claimbuster = training.load_claimbuster(
        args.claimbuster or args.data.parent / "claimbuster" / "claimbuster_kfold25.tsv"
    )
    start = time.perf_counter()
    variants = variant_documents(docs)
    print(
        f"kinds of {sum(len(d.labels) for d in docs)} sentences: "
        f"{time.perf_counter() - start:.0f} s"
    )
    start = time.perf_counter()
    results = per_document(variants, claimbuster)
    print(f"fits and scoring: {time.perf_counter() - start:.0f} s\n")
    header = f"{'2016->2017-19':>20} {'2016-17->2018-19':>20} {'LOO (19)':>20}"
    print("MAP")
    print(f"{'variant':<36}" + header)
    for name, runs in results.items():
        print(f"{name:<36}" + "".join(f"{r.mean():>20.4f}" for r in runs))
    print("\nPaired per document against v2: mean difference ± s.e., documents won/lost")
    print(f"{'variant':<36}" + header)
    base = results[VARIANTS[0]]
    for name in VARIANTS[1:]:
        cells = [paired(r, b) for r, b in zip(results[name], base, strict=True)]
        print(f"{name:<36}" + "".join(f"{c:>20}" for c in cells))
    print()
    speed(docs, args.repeats)


if __name__ == "__main__":
    main()

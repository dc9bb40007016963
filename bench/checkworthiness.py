"""Benchmark the check-worthiness model: LOO-CV MAP against baselines, and speed.

Run from the repository root:

    .venv/bin/python bench/checkworthiness.py [--data DIR] [--workers N] [--seeds N]

It needs scikit-learn (the ``train`` extra) and the CLEF-2019 CheckThat! Task 1
training documents (read from ../shared/data, never copied into the repository).
It prints, for each method, the mean over the 19 documents of the average
precision of the check-worthy sentences, each document ranked by a model trained
on the other 18 (leave-one-document-out cross-validation):

- random: a random ranking, averaged over ``--seeds`` seeds;
- n-gram SVM: word 1-3 gram tf-idf and a linear SVM, scikit-learn defaults;
- CLEF SVM: the task's own baseline script (unigram tf-idf, RBF SVM), which
  scored 0.121 on the official test split: a yardstick for how much LOO-CV on
  the training split flatters every method;
- ours: the recipe of ``factcheck.claims.training``, scored through the same
  numpy code as production (``checkworthiness.Model``).

Then the same methods trained on the earlier documents and tested on the later ones
(2016 -> 2017-19, 2016-17 -> 2018-19), with ours / CLEF SVM: the later documents
are shorter and richer in check-worthy lines (random scores higher there), so these
figures are not comparable with the hidden test's either, but the ratio to the CLEF
baseline is (see docs/benchmarks.md).

Then the throughput of ``factcheck.claims.score`` on the training documents'
text (weights already loaded; best of ``--repeats`` runs, one core), and the
size of the committed weights file.

These are cross-validation figures on the training split, not the official
test split: there the task's references are random 0.034, the CLEF SVM 0.121,
best submitted system 0.166. LOO-CV numbers run higher than test numbers (the
random ranking gets about twice its test MAP here, the CLEF SVM about 1.4
times), so compare methods with each other, not with the test-split figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.claims import score, training  # noqa: E402
from factcheck.claims.checkworthiness import WEIGHTS_PATH  # noqa: E402


def random_map(docs: list[training.Document], seeds: int) -> float:
    """LOO-CV MAP of a random ranking, averaged over seeds to tame its noise."""
    runs = [np.mean(training.leave_one_out(docs, training.random_ranking(s))) for s in range(seeds)]
    return float(np.mean(runs))


def year(doc: training.Document) -> int:
    return int(doc.name[:4])  # file names start with the date (20182601_... is 2018)


def later_documents(
    docs: list[training.Document], ranker: training.Ranker, first_test_year: int
) -> float:
    """MAP on the documents from ``first_test_year`` on, trained on the earlier ones:
    closer to how the hidden test split is used (new debates after the training ones)."""
    train = [doc for doc in docs if year(doc) < first_test_year]
    tests = [doc for doc in docs if year(doc) >= first_test_year]
    return training.mean_average_precision([(ranker(train, doc), doc.labels) for doc in tests])


def throughput(docs: list[training.Document], repeats: int) -> float:
    """Megabytes of UTF-8 text scored per second, document by document, best run."""
    megabytes = sum(len(s.encode("utf-8")) for doc in docs for s in doc.sentences) / 1e6
    score(docs[0].sentences[:5])  # load the weights outside the timing
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for doc in docs:
            score(doc.sentences)
        best = min(best, time.perf_counter() - start)
    return megabytes / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--workers", type=int, default=2, help="processes for the CV folds")
    parser.add_argument("--seeds", type=int, default=20, help="random rankings to average")
    parser.add_argument("--repeats", type=int, default=5, help="throughput runs (best is kept)")
    args = parser.parse_args()

    docs = training.load_documents(args.data)

    def loo(ranker: training.Ranker) -> list[float]:
        return training.leave_one_out(docs, ranker, args.workers)

    n_sentences = sum(len(d.labels) for d in docs)
    n_positive = sum(int(d.labels.sum()) for d in docs)
    print(f"{len(docs)} documents, {n_sentences} sentences, {n_positive} check-worthy")
    print()
    print(f"{'method':<12} {'LOO-CV MAP':>10}  {'seconds':>7}  per-document AP")
    rows = [
        ("random", lambda: [random_map(docs, args.seeds)]),
        ("n-gram SVM", lambda: loo(training.ngram_svm_baseline)),
        ("CLEF SVM", lambda: loo(training.clef_official_baseline)),
        ("ours", lambda: loo(training.ours)),
    ]
    for name, run in rows:
        start = time.perf_counter()
        aps = run()
        seconds = time.perf_counter() - start
        detail = " ".join(f"{ap:.2f}" for ap in aps)
        if len(aps) == 1:
            detail = f"(mean of {args.seeds} seeds)"
        print(f"{name:<12} {np.mean(aps):>10.4f}  {seconds:>7.1f}  {detail}")
    print()
    print("Trained on earlier documents, tested on later ones (MAP; ours / CLEF SVM):")
    print(f"{'method':<12} {'test 2017-19':>12} {'test 2018-19':>12}")
    rankers = {
        "random": [training.random_ranking(seed) for seed in range(args.seeds)],
        "n-gram SVM": [training.ngram_svm_baseline],
        "CLEF SVM": [training.clef_official_baseline],
        "ours": [training.ours],
    }
    later: dict[str, list[float]] = {}
    for name, runs in rankers.items():  # random: the mean over its seeds
        later[name] = [
            float(np.mean([later_documents(docs, ranker, first) for ranker in runs]))
            for first in (2017, 2018)
        ]
        print(f"{name:<12} {later[name][0]:>12.4f} {later[name][1]:>12.4f}")
    ratios = [ours / clef for ours, clef in zip(later["ours"], later["CLEF SVM"], strict=True)]
    print(f"{'ours / CLEF':<12} {ratios[0]:>12.2f} {ratios[1]:>12.2f}")
    print()
    print(f"throughput: {throughput(docs, args.repeats):.2f} MB/s of text (one core)")
    print(f"weights: {WEIGHTS_PATH.name}, {WEIGHTS_PATH.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()

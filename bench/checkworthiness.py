"""Benchmark the check-worthiness model: time-split and leave-one-document-out MAP, speed.

Run from the repository root:

    .venv/bin/python bench/checkworthiness.py [--data DIR] [--workers N] [--seeds N]
        [--finetuned [--finetune-cache DIR]]

It needs scikit-learn (the ``train`` extra), the CLEF-2019 CheckThat! Task 1
training documents and the ClaimBuster sentences (read from ../shared/data, never
copied into the repository). Each method is measured two ways, MAP as the task
defines it (per document, the average precision of the check-worthy sentences):

- time split, as the held-out test sets are built (later debates by other
  speakers): trained on the documents before 2017 and tested on 2017-19, and
  trained on those before 2018 and tested on 2018-19;
- leave-one-document-out over the 19 documents.

Methods:

- random: a random ranking, averaged over ``--seeds`` seeds;
- CLEF SVM (``--clef-svm``, slow): the task's own baseline (unigram tf-idf, RBF
  SVM), 0.121 on the 2019 test split: how far these figures run above that split;
- n-gram LR: word 1-2 and character 2-5 gram tf-idf, logistic regression;
- v1: the first model's recipe (CLEF model alone);
- v2: the recipe before v3, ``training.previous_v2`` (CLEF model plus the
  ClaimBuster model). ClaimBuster rows that also occur in a test document are
  dropped from that fold's training (hundreds of lines of the 2016 debates are in both);
- v3: the previous recipe, ``training.ours``: v2 with the one-hot of the claim kind
  (``kinds.classify``) among the CLEF model's hand features;
- v4 (``--finetuned``, slow: a fine-tune of MiniLM per fold, about 3 min of one core
  each, 21 in all): the shipped recipe, ``checkworthiness_finetune.Ranker``: v3 with
  MiniLM fine-tuned on the fold's training documents averaged in, run through its int8
  ONNX file. Each fold's file is kept in ``--finetune-cache``, so a second run only
  scores.

Every model is scored through the same code as production (``checkworthiness.Model``);
each is then compared with v3 document by document (mean difference, its standard
error, documents won and lost).
Then the scoring speed of v1, v2 and v3 (trained on all documents here) and of the
shipped v4 (the package files): MB/s of text over the training documents, and CPU
milliseconds per call of ``score`` on the seed essay's sentences (5 KB), the
check-worthiness share of the pipeline's CPU per essay.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import SEED  # noqa: E402
from factcheck.claims import training  # noqa: E402
from factcheck.claims.checkworthiness import WEIGHTS_PATH, Model  # noqa: E402
from factcheck.claims.finetuned import CHECKWORTHINESS_PATH  # noqa: E402
from factcheck.claims.segmentation import sentences  # noqa: E402

Documents = list[training.Document]
FIRST_TEST_YEARS = (2017, 2018)


def year(doc: training.Document) -> int:
    return int(doc.name[:4])  # file names start with the date (20182601_... is 2018)


def time_split(docs: Documents, ranker: training.Ranker, first_test_year: int) -> np.ndarray:
    """Average precision on each document from ``first_test_year`` on, trained on the
    earlier ones (their mean is the MAP)."""
    train = [doc for doc in docs if year(doc) < first_test_year]
    tests = [doc for doc in docs if year(doc) >= first_test_year]
    return np.array([training.average_precision(ranker(train, doc), doc.labels) for doc in tests])


def evaluate(docs: Documents, rankers: Sequence[training.Ranker], workers: int) -> list[np.ndarray]:
    """Per-document average precision of [time split 1, time split 2, LOO]; several
    rankers (random seeds) are averaged document by document."""
    runs = [
        [time_split(docs, r, first) for first in FIRST_TEST_YEARS]
        + [np.array(training.leave_one_out(docs, r, workers))]
        for r in rankers
    ]
    return [np.mean([run[i] for run in runs], axis=0) for i in range(len(runs[0]))]


def paired(ours: np.ndarray, base: np.ndarray) -> str:
    """Mean per-document difference ± its standard error, documents won/lost."""
    diff = ours - base
    wins, losses = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    return f"{diff.mean():+.3f}±{se:.3f} {wins}/{losses}"


def seed_sentences() -> list[str]:
    """The seed essay's sentences, split as the pipeline splits them."""
    return [SEED[start:end].strip() for start, end in sentences(SEED)]


def speed(model: Model, docs: Documents, repeats: int) -> tuple[float, float]:
    """(MB/s over the documents, CPU ms per seed essay), each the best of ``repeats``."""
    megabytes = sum(len(s.encode("utf-8")) for doc in docs for s in doc.sentences) / 1e6
    essay = seed_sentences()
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for doc in docs:
            model.probabilities(doc.sentences)
        best_wall = min(best_wall, time.perf_counter() - start)
        cpu = time.process_time()
        model.probabilities(essay)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return megabytes / best_wall, best_cpu * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--claimbuster", type=Path, help="default: beside --data")
    parser.add_argument("--workers", type=int, default=2, help="processes for the LOO folds")
    parser.add_argument("--seeds", type=int, default=20, help="random rankings to average")
    parser.add_argument("--clef-svm", action="store_true", help="add the CLEF baseline")
    parser.add_argument("--repeats", type=int, default=5, help="speed runs (best is kept)")
    parser.add_argument("--finetuned", action="store_true", help="add v4's folds (slow)")
    parser.add_argument(
        "--finetune-cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "factcheck-checkworthiness-minilm",
        help="where v4's fine-tuned fold models are kept between runs",
    )
    args = parser.parse_args()

    docs = training.load_documents(args.data)
    claimbuster_path = (
        args.claimbuster or args.data.parent / "claimbuster" / "claimbuster_kfold25.tsv"
    )
    claimbuster = training.load_claimbuster(claimbuster_path)
    claimbuster.ngrams()  # featurised once, before the folds fork

    n_sentences = sum(len(d.labels) for d in docs)
    n_positive = sum(int(d.labels.sum()) for d in docs)
    print(f"{len(docs)} documents, {n_sentences} sentences, {n_positive} check-worthy;")
    print(f"ClaimBuster: {len(claimbuster.labels)} sentences, {claimbuster.labels.sum()} positive")
    print()
    methods: dict[str, Callable[[], Sequence[training.Ranker]]] = {
        "random": lambda: [training.random_ranking(seed) for seed in range(args.seeds)],
        "n-gram LR": lambda: [training.ngram_lr_baseline],
        "v1 (first)": lambda: [training.previous],
        "v2": lambda: [training.previous_v2(claimbuster_path)],
        "v3 (previous)": lambda: [training.ours(claimbuster_path)],
    }
    if args.finetuned:
        from factcheck.claims import checkworthiness_finetune

        methods["v4 (shipped)"] = lambda: [
            checkworthiness_finetune.Ranker(claimbuster_path, args.finetune_cache)
        ]
    if args.clef_svm:
        methods["CLEF SVM"] = lambda: [training.clef_official_baseline]
    header = f"{'method':<14} {'2016->2017-19':>16} {'2016-17->2018-19':>16} {'LOO (19)':>16}"
    print("MAP: time split (trained on earlier documents, tested on later) and LOO")
    print(header + f" {'seconds':>8}")
    results = {}
    for name, rankers in methods.items():
        start = time.perf_counter()
        results[name] = evaluate(docs, rankers(), args.workers)
        seconds = time.perf_counter() - start
        cells = "".join(f" {aps.mean():>16.4f}" for aps in results[name])
        print(f"{name:<14}{cells} {seconds:>8.0f}")
    print()
    print("Paired per document against v3 (mean difference ± s.e., documents won/lost)")
    print(header)
    base = results["v3 (previous)"]
    for name, per_document in results.items():
        if name != "v3 (previous)":
            cells = [paired(a, b) for a, b in zip(per_document, base, strict=True)]
            print(f"{name:<14}" + "".join(f" {cell:>16}" for cell in cells))
    print()
    print("Scoring speed (trained on all documents; one core)")
    print(f"{'model':<14} {'MB/s':>6} {'CPU ms per seed essay (5 KB)':>29}")
    models = {
        "v1 (first)": Model(training.export(training.fit_blend(docs, None, with_kinds=False))),
        "v2": Model(training.export(training.fit_blend(docs, claimbuster, with_kinds=False))),
        "v3 (previous)": Model(training.export(training.fit_blend(docs, claimbuster))),
        "v4 (shipped)": Model.load(),
    }
    for name, model in models.items():
        mb_per_s, cpu_ms = speed(model, docs, args.repeats)
        print(f"{name:<14} {mb_per_s:>6.2f} {cpu_ms:>29.1f}")
    print(f"weights: {WEIGHTS_PATH.name}, {WEIGHTS_PATH.stat().st_size / 1024:.0f} KiB;")
    print(f"{CHECKWORTHINESS_PATH.name}, {CHECKWORTHINESS_PATH.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

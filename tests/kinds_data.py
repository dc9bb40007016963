"""The labelled op-ed and news sentences of tests/data/kinds (see the README there).

Each document is a TSV file of ``kind``, ``checkable`` and ``sentence``;
``documents.json`` names its source, licence and split: ``dev`` to build the
rules on, ``test`` held aside (a third of the evaluation sentences, whole
documents), ``test2`` and ``test3`` a second and a third held-aside set (real
news and op-eds added in December 2026, whole documents), ``train`` only to fit
the opinion model (with ``dev``), ``spare`` labelled training prose that the
pre-registered rule kept out of the shipped models; and whether the text is
``real`` (published prose) or written for the project.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from factcheck.claims.kinds import NOT_CHECKABLE_KINDS

FOLDER = Path(__file__).parent / "data" / "kinds"


@dataclass(frozen=True)
class Labelled:
    document: str
    sentence: str
    kind: str
    checkable: bool


def documents(split: str | None = None, real: bool | None = None) -> list[dict]:
    """The documents' records from documents.json, of one split or all, real texts or all."""
    records = json.loads((FOLDER / "documents.json").read_text(encoding="utf-8"))
    return [
        record
        for record in records
        if (split is None or record["split"] == split) and (real is None or record["real"] == real)
    ]


def sentences(
    split: str | None = None, document: str | None = None, real: bool | None = None
) -> list[Labelled]:
    """The labelled sentences of a split (``train``, ``dev``, ``test``, ``test2``,
    ``test3`` or ``spare``), of real texts, or of one file; all of them when no split is
    named."""
    found = []
    for record in documents(split, real):
        if document is not None and record["file"] != document:
            continue
        with (FOLDER / record["file"]).open(encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE):
                checkable = row["checkable"] == "yes"
                found.append(Labelled(record["file"], row["sentence"], row["kind"], checkable))
    return found


@dataclass(frozen=True)
class Scores:
    per_kind: dict[str, tuple[float, float, int]]  # kind: precision, recall, sentences labelled
    accuracy: float  # share of sentences given their labelled kind
    checkable: tuple[float, float, float]  # precision, recall, F1 of "checkable"


def evaluate(rows: list[Labelled], kinds: list[str]) -> Scores:
    """Compare predicted ``kinds`` (one per row) with the labels."""
    per_kind = {}
    for kind in sorted({row.kind for row in rows} | set(kinds)):
        labelled = [row.kind == kind for row in rows]
        predicted = [found == kind for found in kinds]
        per_kind[kind] = (*_precision_recall(labelled, predicted), sum(labelled))
    correct = sum(row.kind == found for row, found in zip(rows, kinds, strict=True))
    labelled = [row.checkable for row in rows]
    predicted = [found not in NOT_CHECKABLE_KINDS for found in kinds]
    precision, recall = _precision_recall(labelled, predicted)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(per_kind, correct / len(rows), (precision, recall, f1))


def _precision_recall(labelled: list[bool], predicted: list[bool]) -> tuple[float, float]:
    hits = sum(a and b for a, b in zip(labelled, predicted, strict=True))
    precision = hits / sum(predicted) if any(predicted) else float("nan")
    recall = hits / sum(labelled) if any(labelled) else float("nan")
    return precision, recall

"""Claim kinds on the labelled op-ed and news sentences of tests/data/kinds.

Run from the repository root:

    .venv/bin/python bench/kinds.py

For the held-aside third (whole documents, never used to write the rules or fit
the opinion model), the second held-aside set (real news and op-eds, whole
documents, added in December 2026) and both held-aside sets together, the third
held-aside set (the same kind of prose, added on 7 December 2026) and all three
together, the development set, each of them on its real texts only (published prose, without the
texts written for the project), the seed essay alone, the training documents and the
``spare`` documents (labelled, not fitted on: out of sample for the shipped models),
it prints per-kind precision and recall of ``factcheck.claims.kinds.classify`` (the
rules and the learned opinion check) and the precision, recall and F1 of
"checkable" against the rest (opinion, prediction, question), for the rules alone
and for the rules with the model. The baseline row
calls every sentence checkable, as a splitter without kinds would.

The shipped models (the logistic regression and the fine-tuned MiniLM, blended) were
fitted on the development and training documents, so their figures there are
in-sample; the last section refits the regression alone, at its own threshold,
leaving each of those documents out in turn (``--no-lodo`` skips it; it needs
scikit-learn). The fine-tuned model is not refitted there (34 fine-tunes);
``bench/kinds_finetune.py`` gives the blend's figures by grouped 5-fold
cross-validation over the same documents.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import table  # noqa: E402

from factcheck.claims.kinds import classify, read, refined  # noqa: E402
from tests.kinds_data import Labelled, evaluate, sentences  # noqa: E402

SETS = {
    "held-aside test": lambda: sentences("test"),
    "held-aside test, real texts only": lambda: sentences("test", real=True),
    "held-aside test2 (news and op-eds, added December 2026)": lambda: sentences("test2"),
    "both held-aside sets": lambda: sentences("test") + sentences("test2"),
    "held-aside test3 (news and op-eds, added 7 December 2026)": lambda: sentences("test3"),
    "all held-aside sets": lambda: sentences("test") + sentences("test2") + sentences("test3"),
    "development": lambda: sentences("dev"),
    "development, real texts only": lambda: sentences("dev", real=True),
    "seed essay": lambda: sentences(document="seed.tsv"),
    "training documents": lambda: sentences("train"),
    "spare (Global Voices, not fitted on)": lambda: sentences("spare"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lodo", action="store_true", help="skip the refits")
    args = parser.parse_args()
    for name, load in SETS.items():
        rows = load()
        report(name, rows)
    if not args.no_lodo:
        leave_one_document_out()


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
    rules = evaluate(rows, [read(row.sentence)[0] for row in rows])
    print(f"kind accuracy of the rules alone {rules.accuracy:.3f}\n")
    print(
        table(
            ["checkable vs opinion", "precision", "recall", "F1"],
            [
                ("all checkable (baseline)", *baseline.checkable),
                ("kind rules alone", *rules.checkable),
                ("kind rules + opinion model", *scores.checkable),
            ],
        )
    )


def leave_one_document_out() -> None:
    """The regression's figures on the documents it is fitted on, each left out in turn."""
    from factcheck.claims.opinion_training import MIN_DOCUMENTS, THRESHOLD, C, examples
    from factcheck.claims.opinion_training import leave_one_document_out as refits

    data = examples()
    probabilities = refits(data, C, MIN_DOCUMENTS)
    kinds = {
        (e.row.document, e.row.sentence): refined(e.kind, p, THRESHOLD)
        for e, p in zip(data, probabilities, strict=True)
    }
    print(
        "\n## leave-one-document-out over the development and training documents"
        " (the regression alone, at its own threshold; not the blend)\n"
    )
    found = []
    for name, rows in (
        ("development", sentences("dev")),
        ("development, real texts only", sentences("dev", real=True)),
        ("seed essay", sentences(document="seed.tsv")),
        ("training documents", sentences("train")),
        ("development and training", [e.row for e in data]),
    ):
        scores = evaluate(rows, [kinds[(row.document, row.sentence)] for row in rows])
        rules = evaluate(rows, [read(row.sentence)[0] for row in rows])
        found.append((name, len(rows), *rules.checkable, *scores.checkable))
    print(
        table(["set", "sentences", "rules P", "rules R", "rules F1", "+ model P", "R", "F1"], found)
    )


if __name__ == "__main__":
    main()

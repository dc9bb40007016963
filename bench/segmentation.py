"""Benchmark the sentence segmenter against pySBD: accuracy and speed.

Run from the repository root:

    .venv/bin/python bench/segmentation.py [--repeats N]

It prints, for ours and for pySBD (``pip install pysbd``, the ``bench`` extra):

- golden rules: English "Golden Rules" cases segmented exactly right, for the
  48 cases pySBD tests itself on and for all 52 of the original list;
- CLEF F1: sentence-end F1 on the CLEF-2019 check-worthiness debates, whose
  rows are one sentence each (rows joined eight to a paragraph; read from
  /work/shared/data, never copied into the repository);
- throughput in characters per second (best of N runs) over a corpus of the
  golden-rule texts, the seed essay and the CLEF debates, and the speed ratio.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from golden_rules_en import EXTRA_RULES, GOLDEN_RULES, Case  # noqa: E402

from factcheck.claims.segmentation import sentences  # noqa: E402

Spans = list[tuple[int, int]]
Segmenter = Callable[[str], Spans]

ESSAY = ROOT / "seeds" / "the-next-step-think-vietnam.txt"
CLEF_DIR = Path("/work/shared/data/checkworthiness/clef2019-train")
ROWS_PER_PARAGRAPH = 8


def pysbd_segmenter() -> Segmenter | None:
    """pySBD as a span segmenter (trimmed spans, like ours), or None if not installed."""
    try:
        import pysbd
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def segment(text: str) -> Spans:
        spans = []
        for span in segmenter.segment(text):
            stripped = span.sent.strip()
            if stripped:
                start = span.start + span.sent.index(stripped)
                spans.append((start, start + len(stripped)))
        return spans

    return segment


def golden_passes(segment: Segmenter, cases: list[Case]) -> int:
    """How many cases come out exactly as expected."""
    return sum(
        [text[start:end] for start, end in segment(text)] == expected for _, text, expected in cases
    )


def clef_paragraphs() -> list[tuple[str, set[int]]]:
    """(paragraph, gold sentence ends) for each run of rows in the CLEF debates."""
    paragraphs = []
    for path in sorted(CLEF_DIR.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            rows = [row[2].strip() for row in reader if len(row) > 2 and row[2].strip()]
        for i in range(0, len(rows), ROWS_PER_PARAGRAPH):
            chunk = rows[i : i + ROWS_PER_PARAGRAPH]
            ends, pos = set(), 0
            for row in chunk:
                pos += len(row)
                ends.add(pos)
                pos += 1
            paragraphs.append((" ".join(chunk), ends))
    return paragraphs


def boundary_f1(segment: Segmenter, paragraphs: list[tuple[str, set[int]]]) -> float:
    """F1 of predicted sentence ends against the gold ones."""
    hits = predicted = gold = 0
    for text, ends in paragraphs:
        found = {end for _, end in segment(text)}
        hits += len(found & ends)
        predicted += len(found)
        gold += len(ends)
    if not hits:
        return 0.0
    precision, recall = hits / predicted, hits / gold
    return 2 * precision * recall / (precision + recall)


def throughput(segment: Segmenter, documents: list[str], repeats: int) -> float:
    """Characters per second over all documents, best of ``repeats`` runs."""
    size = sum(len(document) for document in documents)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for document in documents:
            segment(document)
        best = min(best, time.perf_counter() - started)
    return size / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, best kept")
    args = parser.parse_args()

    paragraphs = clef_paragraphs() if CLEF_DIR.is_dir() else []
    documents = [text for _, text, _ in GOLDEN_RULES + EXTRA_RULES]
    documents.append(ESSAY.read_text(encoding="utf-8"))
    documents.extend(text for text, _ in paragraphs)
    size = sum(len(document) for document in documents)

    contenders: dict[str, Segmenter | None] = {"ours": sentences, "pySBD": pysbd_segmenter()}
    print(f"corpus: {len(documents)} documents, {size:,} characters; best of {args.repeats}")
    if not paragraphs:
        print(f"(no CLEF data at {CLEF_DIR}: CLEF F1 not measured)")
    header = f"{'':8} {'golden 48':>10} {'golden 52':>10} {'CLEF F1':>8} {'chars/s':>12}"
    print(header)
    print("-" * len(header))
    speeds = {}
    for name, segment in contenders.items():
        if segment is None:
            print(f"{name:8} (not installed)")
            continue
        core = golden_passes(segment, GOLDEN_RULES)
        every = core + golden_passes(segment, EXTRA_RULES)
        f1 = f"{boundary_f1(segment, paragraphs):.4f}" if paragraphs else "-"
        speeds[name] = throughput(segment, documents, args.repeats)
        print(
            f"{name:8} {core:>4}/{len(GOLDEN_RULES):<5} {every:>4}/{len(GOLDEN_RULES) + 4:<5}"
            f" {f1:>8} {speeds[name]:>12,.0f}"
        )
    if len(speeds) == 2:
        print(f"speed ratio ours/pySBD: {speeds['ours'] / speeds['pySBD']:.1f}x")


if __name__ == "__main__":
    main()

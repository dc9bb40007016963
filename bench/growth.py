"""How the time of sentence splitting and claim extraction grows with the input.

Run from the repository root:

    .venv/bin/python bench/growth.py [--sizes 20000,200000] [--repeats 3]

For each adversarial input of tests/adversarial.py it prints the seconds (best of
N runs) at each size and the ratio of each time to the first. Linear code gives
a ratio close to the ratio of the sizes; quadratic code its square. The tests
count work instead of timing it (tests/work.py), so a busy machine cannot fail
them; this is where the times are.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.claims.extraction import split  # noqa: E402
from factcheck.claims.segmentation import sentences  # noqa: E402
from tests.adversarial import ADVERSARIAL, GROWING  # noqa: E402

PUBLISHED = date(2006, 11, 27)


def best_seconds(run: Callable[[str], object], text: str, repeats: int) -> float:
    """The best of ``repeats`` runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run(text)
        best = min(best, time.perf_counter() - started)
    return best


def table(
    title: str,
    run: Callable[[str], object],
    inputs: dict[str, Callable[[int], str]],
    sizes: list[int],
    repeats: int,
) -> None:
    print(f"\n{title}")
    print(f"{'input':<20} {'size':>9} {'seconds':>9} {'ratio':>7}")
    for name, make in inputs.items():
        first = None
        for size in sizes:
            seconds = best_seconds(run, make(size), repeats)
            first = first or max(seconds, 1e-6)
            print(f"{name:<20} {size:>9,} {seconds:>9.4f} {seconds / first:>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000", help="input sizes, in characters")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    table("Sentence splitting (sentences)", sentences, ADVERSARIAL, sizes, args.repeats)
    table(
        "Claim extraction (split)",
        lambda text: split(text, PUBLISHED),
        GROWING,
        sizes,
        args.repeats,
    )


if __name__ == "__main__":
    main()

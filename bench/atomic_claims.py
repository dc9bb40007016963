"""The seed essay's atomic claims: how many, how many reworded to stand alone, the gaps
the hand-made list records, and what the split costs.

Run from the repository root:

    .venv/bin/python bench/atomic_claims.py [--root PATH] [--repeats 20]

``--root`` measures another checkout's code and its own list (tests/data/seed_claims.json),
so that a change can be set against the code before it. The split time is the best
of N runs of ``split()`` over the whole essay, title included.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))
    sys.path.insert(1, str(HERE))
    from bench.common import machine, table
    from factcheck.claims.extraction import split

    essay = (args.root / "seeds" / "the-next-step-think-vietnam.txt").read_text()
    listed = json.loads((args.root / "tests/data/seed_claims.json").read_text())["claims"]
    claims = split(essay)
    best = float("inf")
    for _ in range(args.repeats):
        started = time.perf_counter()
        split(essay)
        best = min(best, time.perf_counter() - started)
    row = [
        len(claims),
        sum(claim.text != essay[claim.start : claim.end] for claim in claims),
        sum(claim.checkable for claim in claims),
        sum(entry["facts"] > 1 for entry in listed),
        sum(entry["facts"] <= 1 and "gap" in entry for entry in listed),
        best * 1000,
    ]
    headers = [
        "claims",
        "reworded to stand alone",
        "checkable",
        "merged-fact gaps (list)",
        "other gaps (list)",
        f"split() ms, best of {args.repeats}",
    ]
    print(f"{args.root} on {machine()}\n")
    print(table(headers, [row]))


if __name__ == "__main__":
    main()

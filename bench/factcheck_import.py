"""Importing earlier fact-checks: 100,000 synthetic ClaimReview records on SQLite and
PostgreSQL, records per second for each step.

The records are a JSON Lines dump, the shape fact-checkers publish: a claim of 8-30
words with names, numbers and dates, a headline, a textual rating (a third of them
not on our scale), a publisher among 40, a URL and a review date. Each stack imports
the file into an empty archive (all new), again (all unchanged), and a third time
with a tenth of the ratings changed (updated), each in one transaction as
`factcheck fact-checks import` runs it; then builds the matcher's index over it.
Records per second are by the clock; records per CPU-second count this process's CPU
(SQLite's work included, PostgreSQL's server not), which the machine's other load
does not move.

    .venv/bin/python bench/factcheck_import.py [--records 100000] [--stacks sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import MachineLoad, machine, postgres_database, table
from factcheck import migrate
from factcheck.db import Database
from factcheck.factchecks import formats, index
from factcheck.factchecks import services as archive

PEOPLE = [
    "President Obama",
    "Senator Warren",
    "Governor DeSantis",
    "Joe Biden",
    "Donald Trump",
    "the mayor of Chicago",
    "Nancy Pelosi",
    "Boris Johnson",
    "a viral post",
    "Elon Musk",
]
THINGS = [
    "detainees",
    "migrants",
    "vaccinated adults",
    "police officers",
    "teachers",
    "factory jobs",
    "wind turbines",
    "gun owners",
    "refugees",
    "nurses",
    "voters",
]
VERBS = [
    "were released from",
    "were arrested in",
    "lost their jobs in",
    "moved to",
    "were counted in",
    "died in",
    "were hired in",
    "were paid in",
]
PLACES = [
    "Guantanamo Bay",
    "Charlotte",
    "Texas",
    "South Africa",
    "Ohio",
    "the UK",
    "New York City",
    "Florida",
    "Wisconsin",
    "Canada",
    "the European Union",
]
RATINGS = ["False", "True", "Mostly False", "Mostly True", "Half True", "Pants on Fire!",
           "Misleading", "Miscaptioned", "Unproven", "Mixture", "Correct Attribution",
           "Four Pinocchios", "Satire"]  # fmt: skip
PUBLISHERS = [f"Checker {n}" for n in range(40)]


def claim_text(rng: random.Random) -> str:
    number = rng.choice([str(rng.randint(2, 999)), f"{rng.randint(1, 99)} per cent",
                         f"{rng.randint(1, 99)}%", f"{rng.randint(1, 20)} million"])  # fmt: skip
    words = [rng.choice(PEOPLE), "said", number, rng.choice(THINGS), rng.choice(VERBS),
             rng.choice(PLACES), "in", str(rng.randint(1990, 2024))]  # fmt: skip
    tail = " ".join(rng.choice(THINGS + PLACES) for _ in range(rng.randint(0, 12)))
    return " ".join(words) + (f" after {tail}" if tail else "") + "."


def claim_review(n: int, rng: random.Random, rating: str | None = None) -> dict:
    claim = claim_text(rng)
    publisher = PUBLISHERS[n % len(PUBLISHERS)]
    day = f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    speaker = {"@type": "Person", "name": rng.choice(PEOPLE)}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://{publisher.replace(' ', '').lower()}.example/checks/{n}",
        "claimReviewed": claim,
        "headline": f"Did {claim[:60]}?",
        "datePublished": day,
        "author": {"@type": "Organization", "name": publisher, "url": "https://example.org"},
        "reviewRating": {"@type": "Rating", "alternateName": rating or rng.choice(RATINGS)},
        "itemReviewed": {"@type": "Claim", "author": speaker},
        "inLanguage": "en",
    }


def dump(records: int, changed_share: float = 0.0) -> str:
    """The JSON Lines file; ``changed_share`` of the records get another rating."""
    rng, flip = random.Random(18), random.Random(81)
    lines = []
    for n in range(records):
        review = claim_review(n, rng)
        if changed_share and flip.random() < changed_share:
            review["reviewRating"]["alternateName"] = "Changed rating"
        lines.append(json.dumps(review))
    return "\n".join(lines) + "\n"


@dataclass
class Timed:
    parse_cpu: float  # CPU seconds of this process to parse the file alone
    wall: float  # seconds to parse and store in one transaction
    cpu: float  # CPU seconds of this process for that (SQLite's work included)
    result: archive.ImportResult


def timed_import(database: Database, text: str) -> Timed:
    started = time.process_time()
    parsed = list(formats.read(text, "claimreview"))
    parse_cpu = time.process_time() - started
    started, cpu = time.perf_counter(), time.process_time()
    with database.scope() as session:
        result = archive.import_records(
            session, formats.read(text, "claimreview"), name="bench.jsonl", format="claimreview"
        )
    assert len(parsed) == result.new + result.updated + result.unchanged + result.refused_count
    return Timed(parse_cpu, time.perf_counter() - started, time.process_time() - cpu, result)


def run_stack(name: str, url: str, files: dict[str, str], records: int) -> list[list[str]]:
    migrate.upgrade(url)
    database = Database(url)
    rows = []
    try:
        for step, text in files.items():
            with MachineLoad() as load:
                timed = timed_import(database, text)
            result = timed.result
            outcome = f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged"
            rows.append([name, step, f"{records / timed.wall:,.0f}", f"{records / timed.cpu:,.0f}",
                         f"{records / timed.parse_cpu:,.0f}", f"{timed.wall:.1f}", outcome,
                         load.describe()])  # fmt: skip
        index.forget()
        started = time.perf_counter()
        with database.read_scope() as session, tempfile.TemporaryDirectory() as data_dir:
            built = index.current(session, data_dir=Path(data_dir))  # built and saved
        rows.append([name, f"index build ({len(built.matcher):,} records)", "", "", "",
                     f"{time.perf_counter() - started:.1f}", "the matcher", ""])  # fmt: skip
    finally:
        database.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--stacks", default="sqlite,postgres")
    args = parser.parse_args()
    first = dump(args.records)
    files = {
        "first import (all new)": first,
        "same file again (all unchanged)": first,
        "a tenth of the ratings changed": dump(args.records, 0.1),
    }
    print(f"{args.records:,} ClaimReview records, {len(first) / 1e6:.1f} MB of JSON Lines")
    rows = []
    for stack in args.stacks.split(","):
        if stack == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                url = f"sqlite:///{directory}/bench.sqlite"
                rows += run_stack("SQLite", url, files, args.records)
        elif stack == "postgres":
            with postgres_database("factcheck_import") as url:
                rows += run_stack("PostgreSQL", url, files, args.records)
    headers = ["stack", "step", "records/s", "records per CPU-s", "parse only, per CPU-s",
               "seconds", "outcome", "while"]  # fmt: skip
    print(table(headers, rows))
    print(machine())


if __name__ == "__main__":
    main()

"""Gathering evidence for 100 claims against local servers that answer in 50-200 ms.

Each (claim, connector) pair is one `gather_from` task, as the workers run the
network connectors' runs (here the library's too, for comparison): read the claim,
search, rank, look up the archive, store. The fan-out runs the
pairs on N workers at once (threads standing in for worker processes); the
sequential run does them one after another. Both use the same SQLite database
layout and the same fake sources, and print side by side.

    .venv/bin/python bench/gathering.py [--claims 100] [--workers 1,8,32]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck import jobs, migrate  # noqa: E402
from factcheck.accounts import services as accounts  # noqa: E402
from factcheck.claims import split  # noqa: E402
from factcheck.claims.services import extract_claims  # noqa: E402
from factcheck.db import Database  # noqa: E402
from factcheck.essays.services import submit_essay  # noqa: E402
from factcheck.settings import get_settings  # noqa: E402
from factcheck.sources import library  # noqa: E402
from factcheck.sources.services import RunClock, plan_runs  # noqa: E402
from tests.fakes.world import EvidenceWorld  # noqa: E402

SEED = (ROOT / "seeds" / "the-next-step-think-vietnam.txt").read_text()
CONNECTORS = ["library", "wikipedia", "factcheck_tools", "cited_links"]
CLOCK = RunClock(resend_after=timedelta(minutes=5))


def prepare(data_dir: Path, text: str, claims_wanted: int) -> tuple[Database, list[int]]:
    """A fresh database holding ``claims_wanted`` claims in ``gathering``."""
    url = f"sqlite:///{data_dir / 'factcheck.sqlite'}"
    migrate.upgrade(url)
    database = Database(url)
    claim_ids: list[int] = []
    jobs.set_dispatcher(lambda *_: None)  # the runs are carried out below, not sent
    with database.scope() as session:
        library.import_library(session, ROOT / "seeds" / "library.json")
        editor = accounts.create_user(session, "bench", "editor")
        while len(claim_ids) < claims_wanted:
            essay = submit_essay(session, editor, get_settings(), title="Bench", text=text)
            claim_ids += extract_claims(session, essay.id)
    claim_ids = claim_ids[:claims_wanted]
    with database.scope() as session:
        plan_runs(session, claim_ids, CONNECTORS, CLOCK, get_settings().gather_batch_runs)
    return database, claim_ids


def run(world: EvidenceWorld, text: str, claims: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        os.environ["FACTCHECK_DATA_DIR"] = directory
        get_settings.cache_clear()
        database, claim_ids = prepare(Path(directory), text, claims)
        from factcheck.sources import tasks  # reads the settings above

        tasks._connectors.cache_clear()
        pairs = [(claim_id, name) for claim_id in claim_ids for name in CONNECTORS]
        before = len(world.server.requests)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            stored = sum(pool.map(lambda pair: tasks.gather_from.run(*pair), pairs))
        seconds = time.perf_counter() - started
        requests = len(world.server.requests) - before
        database.engine.dispose()
    return {"seconds": seconds, "requests": requests, "records": stored, "tasks": len(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--workers", default="1,8,32", help="comma-separated worker counts")
    parser.add_argument("--latency", default="0.05,0.2", help="low,high seconds per answer")
    args = parser.parse_args()
    low, high = (float(part) for part in args.latency.split(","))
    with EvidenceWorld(latency=(low, high)) as world:
        text = world.with_links(SEED)
        world.stock([claim.text for claim in split(text) if claim.checkable])
        os.environ.update(world.environment())
        rows = [(n, run(world, text, args.claims, n)) for n in map(int, args.workers.split(","))]
    print(
        f"gathering {args.claims} claims x {len(CONNECTORS)} connectors; "
        f"each answer takes {low * 1000:.0f}-{high * 1000:.0f} ms"
    )
    print(
        f"{'workers':>8} {'wall s':>8} {'tasks':>6} {'requests':>9} {'req/s':>7} "
        f"{'claims/s':>9} {'records':>8} {'speed-up':>9}"
    )
    base = rows[0][1]["seconds"]
    for workers, row in rows:
        print(
            f"{workers:>8} {row['seconds']:>8.1f} {row['tasks']:>6} {row['requests']:>9} "
            f"{row['requests'] / row['seconds']:>7.1f} {args.claims / row['seconds']:>9.2f} "
            f"{row['records']:>8} {base / row['seconds']:>8.1f}x"
        )


if __name__ == "__main__":
    main()

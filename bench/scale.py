"""Latency with 1,000,000 claims against 10,000: the queue and the essay pages, and the
plans of the hot queries.

Each size is a desk bulk-loaded in PostgreSQL (``common.load_desk``: seed essays with
their 45 real claims; the newest 1% of claims await review with an open task, the
older checkable ones are approved with their tasks and verdicts; one essay is
published). gunicorn serves it; ``--clients`` threads time, back to back:

* ``POST /api/v1/queue/next`` then ``POST /api/v1/tasks/{id}/release`` (the queue);
* ``GET /api/v1/essays/{id}`` and ``GET /api/v1/essays/{id}/claims`` for random essays;
* ``GET /fact-checks/{id}`` of the published essay.

Then ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements the product actually sends,
captured from its own service functions inside a transaction that is rolled back, with
a summary of the indexes used and of sequential scans; the plans at the largest size
are printed.

    .venv/bin/python bench/scale.py [--sizes 10000,1000000] [--seconds 5] [--clients 4]
        [--plans]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from common import (
    REDIS_URL,
    Desk,
    MachineLoad,
    flush_redis,
    load_desk,
    machine,
    percentile,
    plan_of,
    postgres_database,
    request,
    table,
    web_service,
)
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.accounts.models import User
from factcheck.claims import services as claims
from factcheck.claims.models import Claim
from factcheck.db import Database
from factcheck.publishing import services as publishing
from factcheck.review import services as review
from factcheck.review import stats
from factcheck.review.models import ReviewTask

BIG_TABLES = ("claims", "review_tasks", "audit_events", "essays", "verdicts")

# --- timing requests ---------------------------------------------------------------------------


def timed(
    operation: Callable[[random.Random, int], list[tuple[str, float]]],
    clients: int,
    seconds: float,
) -> dict[str, list[float]]:
    """``clients`` threads call ``operation`` back to back for ``seconds``; each call
    returns (name, seconds) pairs, gathered by name."""
    found: dict[str, list[float]] = {}
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def work(n: int) -> None:
        rng = random.Random(n)
        mine: list[tuple[str, float]] = []
        while time.monotonic() < until:
            mine += operation(rng, n)
        with lock:
            for name, value in mine:
                found.setdefault(name, []).append(value)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def check(answer: Any, *expected: int) -> float:
    if answer.status not in expected:
        raise RuntimeError(f"unexpected {answer.status}: {str(answer.body)[:300]}")
    return answer.seconds


def measure(base_url: str, desk: Desk, clients: int, seconds: float) -> dict[str, list[float]]:
    tokens = desk.reviewer_tokens

    def queue(_rng: random.Random, n: int) -> list[tuple[str, float]]:
        token = tokens[n]
        claimed = request("POST", f"{base_url}/api/v1/queue/next", token)
        if claimed.status == 204:
            return [("claim (queue empty)", claimed.seconds)]
        check(claimed, 200)
        released = request("POST", f"{base_url}/api/v1/tasks/{claimed.body['id']}/release", token)
        return [
            ("POST /queue/next", claimed.seconds),
            ("POST /tasks/{id}/release", check(released, 200)),
        ]

    def essay(rng: random.Random, _n: int) -> list[tuple[str, float]]:
        essay_id = rng.randint(1, desk.essays)
        answer = request("GET", f"{base_url}/api/v1/essays/{essay_id}", desk.editor_token)
        return [("GET /essays/{id}", check(answer, 200))]

    def essay_claims(rng: random.Random, _n: int) -> list[tuple[str, float]]:
        essay_id = rng.randint(1, desk.essays)
        answer = request("GET", f"{base_url}/api/v1/essays/{essay_id}/claims", desk.editor_token)
        return [("GET /essays/{id}/claims", check(answer, 200))]

    def page(_rng: random.Random, _n: int) -> list[tuple[str, float]]:
        answer = request("GET", f"{base_url}/fact-checks/{desk.published_essay_id}")
        return [("GET /fact-checks/{id}", check(answer, 200))]

    results: dict[str, list[float]] = {}
    for operation in (queue, essay, essay_claims, page):
        results.update(timed(operation, clients, seconds))
    return results


def serve_and_measure(
    desk: Desk, clients: int, seconds: float, web_workers: int
) -> tuple[dict[str, list[float]], MachineLoad]:
    with web_service(desk.url, web_workers) as (base_url, _):
        measure(base_url, desk, clients, 1.0)  # warm: every worker connected, pages compiled
        with MachineLoad() as load:
            results = measure(base_url, desk, clients, seconds)
    return results, load


# --- plans ---------------------------------------------------------------------------------------


def hot_queries(desk: Desk, database: Database) -> list[tuple[str, Callable[[Any], Any], str]]:
    """(name, call on a session, a fragment of the statement to explain)."""
    with database.scope() as session:
        reviewer = session.scalars(select(User).where(User.role == "reviewer")).first()
        reviewer_id = reviewer.id
        leased = session.scalar(
            select(ReviewTask.id).where(ReviewTask.state == "open").order_by(ReviewTask.id)
        )
        some_claim = session.scalar(
            select(Claim.id).where(Claim.status == "approved").order_by(Claim.id).limit(1)
        )
    essay_id = max(1, desk.essays // 2)

    def as_reviewer(session: Any) -> User:
        return session.get_one(User, reviewer_id)

    def release(session: Any) -> None:
        task = session.get_one(ReviewTask, leased)
        task.state, task.assignee_id = "leased", reviewer_id
        task.lease_expires_at = task.updated_at.replace(year=2999)
        session.flush()
        review.held_task(session, leased, as_reviewer(session))

    return [
        (
            "claim_next (the queue)",
            lambda s: review.claim_next(s, as_reviewer(s), 600),
            "SKIP LOCKED",
        ),
        ("held_task (release, verdict)", release, "FOR UPDATE"),
        ("claims of an essay", lambda s: claims.essay_claims(s, essay_id), "FROM claims"),
        (
            "claim counts by status, one essay",
            lambda s: claims.counts_by_status(s, essay_id),
            "count(*)",
        ),
        (
            "token to user (every API call)",
            lambda s: accounts.user_for_token(s, desk.editor_token),
            "api_tokens",
        ),
        (
            "fact-check page versions",
            lambda s: publishing.versions(s, desk.published_essay_id or essay_id),
            "publications",
        ),
        (
            "dashboard: claims by status (all)",
            lambda s: stats._counted(s, Claim.status),
            "count(*)",
        ),
        ("dashboard: queue depth", stats._queue_depth, "review_tasks"),
        (
            "claim history: its tasks",
            lambda s: review.claim_history(s, some_claim),
            "FROM review_tasks",
        ),
    ]


def plans(desk: Desk) -> list[tuple[str, str, str]]:
    """(name, statement, plan) of each hot query."""
    database = Database(desk.url)
    try:
        return [
            (name, *plan_of(database, call, pick))
            for name, call, pick in hot_queries(desk, database)
        ]
    finally:
        database.engine.dispose()


def summary(plan: str) -> tuple[str, str, float]:
    """(indexes used, sequential scans of big tables, execution ms) of a plan's text."""
    import re

    indexes = sorted(set(re.findall(r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)", plan)))
    indexes += sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", plan)))
    scanned = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
    seq = [f"{t} (BIG)" if t in BIG_TABLES else f"{t} (small)" for t in scanned]
    ms = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return ", ".join(indexes) or "-", ", ".join(seq) or "none", float(ms.group(1)) if ms else 0.0


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="claims, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="per operation and phase")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--backlog", type=float, default=0.01, help="share of claims awaiting")
    parser.add_argument("--plans", action="store_true", help="print each statement too")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    latency: dict[int, dict[str, list[float]]] = {}
    loads: dict[int, MachineLoad] = {}
    explained: dict[int, list[tuple[str, str, str]]] = {}
    loaded: dict[int, tuple[Desk, float]] = {}
    for size in sizes:
        with postgres_database(f"scale{size}") as url:
            started = time.perf_counter()
            desk = load_desk(url, -(-size // 45), max(1, int(size * args.backlog)), publish=True)
            loaded[size] = (desk, time.perf_counter() - started)
            flush_redis(REDIS_URL)
            explained[size] = plans(desk)
            latency[size], loads[size] = serve_and_measure(
                desk, args.clients, args.seconds, args.web_workers
            )
    report(args, sizes, loaded, latency, loads, explained)


def report(
    args: argparse.Namespace,
    sizes: list[int],
    loaded: dict[int, tuple[Desk, float]],
    latency: dict[int, dict[str, list[float]]],
    loads: dict[int, MachineLoad],
    explained: dict[int, list[tuple[str, str, str]]],
) -> None:
    print(f"machine: {machine()}")
    print(
        table(
            ["claims", "essays", "open tasks", "load s"],
            [
                (f"{d.claims:,}", f"{d.essays:,}", f"{d.open_tasks:,}", s)
                for d, s in loaded.values()
            ],
        )
    )
    print(
        f"\n{args.clients} clients, back to back, {args.seconds:.0f} s per operation; "
        f"gunicorn --workers {args.web_workers}; latency in ms"
    )
    small, big = sizes[0], sizes[-1]
    rows = []
    for name in latency[small]:
        a, b = latency[small][name], latency[big].get(name, [])
        rows.append(
            (
                name,
                len(b),
                1000 * percentile(a, 50),
                1000 * percentile(b, 50),
                1000 * percentile(a, 99),
                1000 * percentile(b, 99),
                f"{percentile(b, 50) / percentile(a, 50):.2f}x",
                f"{percentile(b, 99) / percentile(a, 99):.2f}x",
                "yes"
                if percentile(b, 99) <= 2 * percentile(a, 99)
                and percentile(b, 50) <= 2 * percentile(a, 50)
                else "NO",
            )
        )
    print(
        table(
            [
                "operation",
                "requests",
                f"p50 {small:,}",
                f"p50 {big:,}",
                f"p99 {small:,}",
                f"p99 {big:,}",
                "p50 ratio",
                "p99 ratio",
                "within 2x",
            ],
            rows,
        )
    )
    print(
        "machine during the timed phases: "
        + "; ".join(f"{size:,}: {load.describe()}" for size, load in loads.items())
    )
    print("\nHot queries as the product sends them: EXPLAIN (ANALYZE, BUFFERS)")
    rows = []
    for size, found in explained.items():
        for name, _statement, plan in found:
            indexes, seq, ms = summary(plan)
            rows.append((f"{size:,}", name, indexes, seq, ms))
    print(
        table(
            [
                "claims",
                "query",
                "indexes used",
                "sequential scans",
                "execution ms",
            ],
            rows,
        )
    )
    print(f"\nPlans at {big:,} claims" + ("" if args.plans else " (--plans adds the statements)"))
    for name, statement, plan in explained[big]:
        print(f"\n-- {name}")
        if args.plans or name.startswith("claim_next"):
            print(statement.strip())
        print(plan)


if __name__ == "__main__":
    main()

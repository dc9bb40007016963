"""The reviewer queue under 50 concurrent reviewers: claim the next task, hold it a
moment, release it, again; over HTTP against gunicorn, and on the same harness straight
against PostgreSQL, with the product's claim statement and with a naive one.

10,000 open review tasks in PostgreSQL (bulk-loaded). Each reviewer client loops
``POST /api/v1/queue/next``, holds the task ``--hold-ms``, ``POST
/api/v1/tasks/{id}/release``. With no pause between cycles the server is saturated (a
closed loop: latency = clients / throughput, whatever the code); a second run pauses
between cycles (each of ``--think-ms``, comma-separated), loads the machine can carry.

Duplicates are checked two ways. Each client notes, for every task it got, when the
claim answered and when it began to release it: in between it certainly held the
task, so two such intervals of one task that overlap mean two reviewers held it at
once. For the HTTP runs the audit trail is replayed too: per task, ``task.leased``
and ``task.released`` must alternate.

The naive claim (in this script only) is what a first attempt looks like::

    SELECT id FROM review_tasks WHERE state = 'open' ORDER BY ... LIMIT 1;
    UPDATE review_tasks SET state = 'leased', assignee_id = :me WHERE id = :id;

Client threads are spread over ``--client-processes`` processes.

    .venv/bin/python bench/reviewer_queue.py [--tasks 10000] [--clients 50] [--seconds 12]
        [--web-workers 2,4] [--hold-ms 20] [--think-ms 250,1000]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from common import (
    REDIS_URL,
    MachineLoad,
    flush_redis,
    load_desk,
    machine,
    percentile,
    postgres_database,
    psycopg_url,
    request,
    server_cpu,
    session_cpu,
    table,
    web_service,
)


@dataclass
class Outcome:
    """What the clients of one run saw."""

    claim: list[float] = field(default_factory=list)  # seconds per claim request
    release: list[float] = field(default_factory=list)
    holds: list[tuple[int, float, float, int]] = field(default_factory=list)  # task, got, gave
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    client_cpu: float = 0.0  # CPU seconds of the client processes themselves

    def merge(self, other: Outcome) -> None:
        self.claim += other.claim
        self.release += other.release
        self.holds += other.holds
        self.client_cpu += other.client_cpu
        for key, count in other.errors.items():
            self.errors[key] += count

    @property
    def operations(self) -> int:
        return len(self.claim) + len(self.release)


def overlapping(holds: list[tuple[int, float, float, int]]) -> int:
    """Claims that got a task while another client certainly still held it."""
    by_task: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for task_id, got, gave, client in holds:
        by_task[task_id].append((got, gave, client))
    duplicates = 0
    for intervals in by_task.values():
        intervals.sort()
        held_until = float("-inf")
        for got, gave, _client in intervals:
            if got < held_until:
                duplicates += 1
            held_until = max(held_until, gave)
    return duplicates


# --- the three ways of claiming ---------------------------------------------------------------


class Claimer(Protocol):
    def claim(self, n: int) -> int | None: ...  # reviewer n takes the next task (None: none)

    def release(self, n: int, task_id: int) -> None: ...

    def close(self) -> None: ...


class Refused(Exception):
    """The server answered with an unexpected status."""


class HttpClaimer:
    """The API, as a reviewer's browser or script calls it."""

    def __init__(self, base_url: str, tokens: list[str]) -> None:
        self.base_url, self.tokens = base_url, tokens

    def claim(self, n: int) -> int | None:
        answer = request("POST", f"{self.base_url}/api/v1/queue/next", self.tokens[n])
        if answer.status == 204:
            return None
        if answer.status != 200:
            raise Refused(f"claim {answer.status}")
        return answer.body["id"]

    def release(self, n: int, task_id: int) -> None:
        answer = request("POST", f"{self.base_url}/api/v1/tasks/{task_id}/release", self.tokens[n])
        if answer.status != 200:
            raise Refused(f"release {answer.status}")

    def close(self) -> None:
        pass


class ProductClaimer:
    """``review.claim_next`` and ``review.release`` in-process, one transaction each."""

    def __init__(self, url: str, clients: list[int]) -> None:
        from sqlalchemy import select

        from factcheck.accounts.models import User
        from factcheck.db import Database
        from factcheck.review import services as review

        self.review, self.user_model = review, User
        self.database = Database(url, pool_size=len(clients), max_overflow=0)
        with self.database.scope() as session:
            self.reviewer_ids = session.scalars(
                select(User.id).where(User.role == "reviewer").order_by(User.id)
            ).all()

    def claim(self, n: int) -> int | None:
        with self.database.lease_scope() as session:  # as the web's queue requests
            user = session.get_one(self.user_model, self.reviewer_ids[n])
            task = self.review.claim_next(session, user, 600)
            return task.id if task else None

    def release(self, n: int, task_id: int) -> None:
        with self.database.lease_scope() as session:
            user = session.get_one(self.user_model, self.reviewer_ids[n])
            self.review.release(session, task_id, user)

    def close(self) -> None:
        self.database.dispose()


NAIVE_SELECT = (
    "SELECT id FROM review_tasks WHERE state = 'open'"
    " ORDER BY deadline ASC NULLS LAST, priority DESC, created_at, id LIMIT 1"
)
NAIVE_UPDATE = (
    "UPDATE review_tasks SET state = 'leased', assignee_id = %s,"
    " lease_expires_at = now() + interval '10 minutes', updated_at = now() WHERE id = %s"
)
NAIVE_RELEASE = (
    "UPDATE review_tasks SET state = 'open', assignee_id = NULL, lease_expires_at = NULL,"
    " updated_at = now() WHERE id = %s"
)


class NaiveClaimer:
    """Select the first open task, then update it: no row lock, no re-check of its state.
    Its commits, like the product's lease commits, do not wait for the disk."""

    def __init__(self, url: str, clients: list[int]) -> None:
        import psycopg

        from factcheck.db import ASYNC_COMMIT

        self.connections = {
            n: psycopg.connect(psycopg_url(url), options=ASYNC_COMMIT) for n in clients
        }
        any_connection = self.connections[clients[0]]
        self.reviewer_ids = [
            row[0]
            for row in any_connection.execute(
                "SELECT id FROM users WHERE role = 'reviewer' ORDER BY id"
            )
        ]
        any_connection.commit()

    def claim(self, n: int) -> int | None:
        connection = self.connections[n]
        with connection.transaction():
            row = connection.execute(NAIVE_SELECT).fetchone()
            if row is None:
                return None
            connection.execute(NAIVE_UPDATE, (self.reviewer_ids[n], row[0]))
        return row[0]

    def release(self, n: int, task_id: int) -> None:
        connection = self.connections[n]
        with connection.transaction():
            connection.execute(NAIVE_RELEASE, (task_id,))

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


# --- running clients ---------------------------------------------------------------------------


def run_threads(
    claimer: Claimer, clients: list[int], until: float, hold: float, think: float
) -> Outcome:
    """One thread per reviewer in ``clients``: claim, hold the task ``hold`` s, release,
    pause, again, until the monotonic time ``until``. With ``think`` the pause is drawn
    uniformly from 0.5-1.5 x ``think`` and each reviewer starts at a random moment in
    its first pause, so that reviewers do not click in step."""
    outcomes = {n: Outcome() for n in clients}
    gate = threading.Barrier(len(clients))

    def work(n: int) -> None:
        out = outcomes[n]
        rng = random.Random(n)
        gate.wait()
        if think:
            time.sleep(rng.uniform(0, think))
        while time.monotonic() < until:
            try:
                started = time.monotonic()
                task_id = claimer.claim(n)
                got = time.monotonic()
                out.claim.append(got - started)
                if task_id is not None:  # else the queue was empty: claim again
                    time.sleep(hold)
                    giving = time.monotonic()
                    claimer.release(n, task_id)
                    out.release.append(time.monotonic() - giving)
                    out.holds.append((task_id, got, giving, n))
            except Exception as error:  # counted; the reviewer carries on
                out.errors[str(error)[:40] or type(error).__name__] += 1
            if think:  # no pause past the end: the run's time counts operations only
                pause = rng.uniform(0.5 * think, 1.5 * think)
                time.sleep(max(0.0, min(pause, until - time.monotonic())))

    threads = [threading.Thread(target=work, args=(n,)) for n in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Outcome()
    for outcome in outcomes.values():
        total.merge(outcome)
    return total


def make_claimer(way: str, target: str, tokens: list[str], clients: list[int]) -> Claimer:
    if way == "http":
        return HttpClaimer(target, tokens)
    if way == "product":
        return ProductClaimer(target, clients)
    return NaiveClaimer(target, clients)


def _part(args: tuple[str, str, list[str], list[int], float, float, float, float]) -> Outcome:
    way, target, tokens, clients, start_at, seconds, hold, think = args
    claimer = make_claimer(way, target, tokens, clients)
    # What the client process inherited lives as long as it does: a full collection
    # that scanned it would pause every reviewer in it, and count as the server's time.
    gc.freeze()
    try:
        time.sleep(max(0.0, start_at - time.time()))
        cpu_before = time.process_time()
        outcome = run_threads(claimer, clients, time.monotonic() + seconds, hold, think)
        outcome.client_cpu = time.process_time() - cpu_before
        return outcome
    finally:
        claimer.close()


def run_clients(
    way: str,
    target: str,
    tokens: list[str],
    clients: int,
    seconds: float,
    hold: float,
    think: float,
    processes: int,
    window: Window,
) -> Outcome:
    """Reviewers spread over a few client processes, so that no one interpreter lock
    paces them all; ``way`` is http (``target`` the base URL), product or naive
    (``target`` the database URL). ``window`` measures from the moment they start
    (not while the processes fork and connect) until the last one is done."""
    groups = [list(range(clients))[p::processes] for p in range(processes)]
    start_at = time.time() + 2.0  # every process connected and waiting
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending = pool.map_async(
            _part,
            [(way, target, tokens, group, start_at, seconds, hold, think) for group in groups],
        )
        time.sleep(max(0.0, start_at - time.time()))
        with window:
            parts = pending.get()
    total = Outcome()
    for part in parts:
        total.merge(part)
    return total


class Window:
    """The clients' timed phase: its length, how busy the machine was, and (given the
    service's process sessions) the CPU the service and PostgreSQL used."""

    def __init__(self, service_sessions: list[int] | None = None) -> None:
        self.service_sessions = service_sessions
        self.server_seconds: float | None = None

    def _server_cpu(self) -> float:
        assert self.service_sessions is not None
        return session_cpu(self.service_sessions) + server_cpu(False)

    def __enter__(self) -> Window:
        self.load = MachineLoad().__enter__()
        if self.service_sessions is not None:
            self.server_before = self._server_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.load.__exit__(*exc)
        if self.service_sessions is not None:
            self.server_seconds = self._server_cpu() - self.server_before


# --- checks on the database --------------------------------------------------------------------


def audit_violations(url: str) -> tuple[int, int]:
    """(leases, leases taken while the task was still leased to someone) from the audit trail."""
    import psycopg

    with psycopg.connect(psycopg_url(url)) as connection:
        rows = connection.execute(
            "SELECT subject_id, action FROM audit_events WHERE subject_type = 'review_tasks'"
            " AND action IN ('task.leased', 'task.released') ORDER BY subject_id, id"
        ).fetchall()
    leased: dict[int, bool] = {}
    leases = violations = 0
    for task_id, action in rows:
        if action == "task.leased":
            leases += 1
            if leased.get(task_id):
                violations += 1
            leased[task_id] = True
        else:
            leased[task_id] = False
    return leases, violations


def reset_queue(url: str) -> None:
    """Every task open again, every claim awaiting review (after a run stopped mid-cycle),
    and the tables vacuumed."""
    import psycopg

    with psycopg.connect(psycopg_url(url)) as connection:
        connection.execute(
            "UPDATE review_tasks SET state = 'open', assignee_id = NULL, lease_expires_at = NULL"
            " WHERE state = 'leased'"
        )
        connection.execute(
            "UPDATE claims SET status = 'awaiting_review' WHERE status = 'in_review'"
        )
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        # Each run starts on tables as clean as the first's, the last run's dead rows gone.
        connection.execute("VACUUM ANALYZE review_tasks, claims, audit_events")


# --- main --------------------------------------------------------------------------------------


HEADERS = [
    "run",
    "cycles",
    "ops/s",
    "claim p50 ms",
    "claim p99 ms",
    "release p50 ms",
    "release p99 ms",
    "all p50 ms",
    "all p99 ms",
    "duplicates (overlap)",
    "duplicates (audit)",
    "errors",
    "server CPU ms/op",
    "client CPU ms/op",
    "machine busy",
]


def row(name: str, outcome: Outcome, window: Window, audit: str = "-") -> tuple[Any, ...]:
    both = outcome.claim + outcome.release
    errors = ", ".join(f"{k}: {v}" for k, v in outcome.errors.items()) or "0"
    return (
        name,
        len(outcome.holds),
        outcome.operations / window.load.seconds,
        1000 * percentile(outcome.claim, 50),
        1000 * percentile(outcome.claim, 99),
        1000 * percentile(outcome.release, 50),
        1000 * percentile(outcome.release, 99),
        1000 * percentile(both, 50),
        1000 * percentile(both, 99),
        overlapping(outcome.holds),
        audit,
        errors,
        1000 * window.server_seconds / outcome.operations if window.server_seconds else "-",
        1000 * outcome.client_cpu / outcome.operations,
        f"{100 * window.load.busy_share:.0f}%",
    )


def http_runs(args: argparse.Namespace, url: str, tokens: list[str], web_workers: int) -> list[Any]:
    rows = []
    with web_service(url, web_workers) as (base_url, processes):
        for n in range(web_workers * 4):  # every web process opens its pool
            request("GET", f"{base_url}/api/v1/queue/mine", tokens[n % len(tokens)])
        paces = [("no pause (saturated)", 0.0)] + [
            (f"~{ms} ms pause", int(ms) / 1000) for ms in args.think_ms.split(",")
        ]
        for pace, think in paces:
            name = f"HTTP, {web_workers} web workers, {pace}"
            before = audit_violations(url)
            window = Window(processes.session_ids())
            outcome = run_clients(
                "http",
                base_url,
                tokens,
                args.clients,
                args.seconds,
                args.hold_ms / 1000,
                think,
                args.client_processes,
                window,
            )
            after = audit_violations(url)
            audit = f"{after[1] - before[1]} in {after[0] - before[0]:,} leases"
            rows.append(row(name, outcome, window, audit))
            processes.check_alive()
            reset_queue(url)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=12.0, help="per run")
    parser.add_argument(
        "--web-workers", default="2,4", help="gunicorn processes (sync), each count in turn"
    )
    parser.add_argument("--hold-ms", type=float, default=20.0, help="a task held before release")
    parser.add_argument("--think-ms", default="250,1000", help="pauses of the paced runs")
    parser.add_argument("--client-processes", type=int, default=2)
    args = parser.parse_args()
    essays = -(-args.tasks // 29)  # the seed essay has 29 checkable claims
    rows = []
    with postgres_database("queue") as url:
        desk = load_desk(url, essays, args.tasks, reviewers=args.clients)
        flush_redis(REDIS_URL)
        tokens = desk.reviewer_tokens
        for web_workers in map(int, args.web_workers.split(",")):
            rows += http_runs(args, url, tokens, web_workers)
        for name, way in (
            ("direct SQL, product claim_next", "product"),
            ("direct SQL, naive select-then-update", "naive"),
        ):
            window = Window()
            outcome = run_clients(
                way,
                url,
                tokens,
                args.clients,
                args.seconds,
                args.hold_ms / 1000,
                0.0,
                args.client_processes,
                window,
            )
            rows.append(row(name, outcome, window))
            reset_queue(url)
    print(f"machine: {machine()}")
    print(
        f"{desk.open_tasks:,} open review tasks; {args.clients} reviewer clients, each: claim, "
        f"hold {args.hold_ms:.0f} ms, release, (pause), again; {args.seconds:.0f} s per run; "
        "gunicorn sync workers; ops = claims + releases\n"
    )
    print(table(HEADERS, rows))


if __name__ == "__main__":
    main()

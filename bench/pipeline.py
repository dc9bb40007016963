"""Essays through the pipeline over HTTP: submit, split, gather, until every checkable
claim is awaiting review; on PostgreSQL + Redis and on the embedded default (SQLite +
the SQL broker), with the reference-library connector only.

Each stack is ``factcheck up --demo`` as a user starts it (gunicorn with 2 web
processes, a Celery worker with 2 pool processes, beat). For each stack, in one run:

* latency: ``--singles`` essays one after another, each from the moment its POST is
  sent to the moment its last checkable claim reaches ``awaiting_review``
  (``claims.status_changed_at``, written by the worker on the same clock);
* throughput: a batch of essays POSTed at once (one thread per essay), essays per
  second until the last claim of the batch is awaiting review;
* where the time goes: each task's own run time (the worker's "succeeded in" log
  lines), CPU seconds per process group (web, worker, PostgreSQL, Redis, this client,
  everything else on the machine) and the core-seconds the service spent per essay;
* memory: the peak RSS (VmHWM) of every web and worker process over the whole run,
  and the peak of their summed PSS;
* then, on PostgreSQL, the task bodies of a few essays run in-process one after
  another, timed phase by phase (extraction, planning, library search, ranking and
  hints, storing), with this process's CPU time against the wall time.

The SQLite batch is smaller by default (the SQL broker makes it slow); the stack
``sqlite-fast-poll`` polls that broker every 10 ms instead of 100 ms, and
``postgres-unbatched`` sends each library run in a task of its own
(``FACTCHECK_GATHER_BATCH_RUNS=1``) to show what batching the runs is worth.

    .venv/bin/python bench/pipeline.py [--essays 200] [--sqlite-essays 20] [--singles 20]
        [--sqlite-singles 10] [--inside 3]
        [--stacks postgres,postgres-unbatched,sqlite,sqlite-fast-poll]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common import (
    REDIS_URL,
    ROOT,
    SEED,
    MemoryWatch,
    classify,
    cpu_seconds,
    flush_redis,
    machine,
    percentile,
    postgres_cpu,
    postgres_database,
    redis_cpu,
    request,
    session_pids,
    table,
)
from sqlalchemy import func, select

from factcheck.claims.models import Claim
from factcheck.db import Database
from factcheck.essays.models import Essay
from tests.service import Service, start_service

ESSAY = {
    "title": "The Next Step? Think Vietnam.",
    "text": SEED,
    "author": "Fareed Zakaria",
    "published_at": "2006-11-27",
}
CORES = os.cpu_count() or 1
POOL = 2  # Celery pool processes of `factcheck up` (cli.worker_command's default)
TASK_LINE = re.compile(r"Task (factcheck\.[\w.]+)\[[^\]]+\] succeeded in ([0-9.e-]+)s")


@dataclass
class StackResult:
    name: str
    singles: list[float] = field(default_factory=list)  # seconds, submit to all awaiting review
    singles_split: list[float] = field(default_factory=list)  # seconds, submit to split
    batch: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    memory: list[tuple[str, int, int]] = field(default_factory=list)  # group, processes, KiB
    peak_pss_kib: int = 0
    peak_rss_kib: int = 0
    claims_per_essay: int = 0
    checkable_per_essay: int = 0


# --- watching the database -----------------------------------------------------------------


def unfinished(database: Database, essay_ids: list[int]) -> int:
    """Essays not yet split plus claims still extracted or gathering, among ``essay_ids``."""
    with database.read_scope() as session:
        essays = session.scalar(
            select(func.count()).where(Essay.id.in_(essay_ids), Essay.status == "submitted")
        )
        claims = session.scalar(
            select(func.count()).where(
                Claim.essay_id.in_(essay_ids), Claim.status.in_(("extracted", "gathering"))
            )
        )
    return essays + claims


def wait_done(database: Database, essay_ids: list[int], timeout: float, poll: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if unfinished(database, essay_ids) == 0:
            return True
        time.sleep(poll)
    return False


def finished_at(database: Database, essay_ids: list[int]) -> dict[int, float]:
    """For each essay, when its last checkable claim reached awaiting review (epoch s)."""
    with database.read_scope() as session:
        rows = session.execute(
            select(Claim.essay_id, func.max(Claim.status_changed_at))
            .where(Claim.essay_id.in_(essay_ids), Claim.status == "awaiting_review")
            .group_by(Claim.essay_id)
        ).all()
    return {essay_id: _epoch(at) for essay_id, at in rows}


def split_at(database: Database, essay_ids: list[int]) -> dict[int, float]:
    with database.read_scope() as session:
        rows = session.execute(
            select(Essay.id, Essay.status_changed_at).where(Essay.id.in_(essay_ids))
        ).all()
    return {essay_id: _epoch(at) for essay_id, at in rows}


def claim_counts(database: Database, essay_id: int) -> tuple[int, int]:
    with database.read_scope() as session:
        total = session.scalar(select(func.count()).where(Claim.essay_id == essay_id))
        checkable = session.scalar(
            select(func.count()).where(Claim.essay_id == essay_id, Claim.checkable.is_(True))
        )
    return total, checkable


def _epoch(value: Any) -> float:
    if isinstance(value, str):  # SQLite's func.max() comes back untyped
        value = datetime.fromisoformat(value)
    return value.timestamp()


# --- CPU by process group -----------------------------------------------------------------------


def cpu_snapshot(service: Service, service_uses_servers: bool) -> dict[str, float]:
    """CPU seconds so far of each group; PostgreSQL's exited backends are in the
    postmaster's children time, so the sum covers connections that came and went."""
    groups: dict[str, float] = defaultdict(float)
    pids = session_pids(service.process.pid)
    lines = {pid: _line(pid) for pid in pids}
    for pid in pids:
        groups[classify(pid, lines[pid], lines)] += cpu_seconds(pid)
    if service_uses_servers:
        groups["postgresql"] = postgres_cpu()
        groups["redis"] = redis_cpu()
    groups["this client (submits, polls, log reader)"] = time.process_time()
    groups[MACHINE] = machine_busy_seconds()
    return groups


MACHINE = "whole machine"


def machine_busy_seconds() -> float:
    from common import CLOCK_TICKS, _cpu_times

    return _cpu_times()[0] / CLOCK_TICKS


def _line(pid: int) -> str:
    from common import command_line

    return command_line(pid)


# --- running one stack ---------------------------------------------------------------------------


def submit(service: Service, token: str) -> tuple[int, float]:
    """POST one essay; return its id and when the request was sent (epoch s)."""
    sent = time.time()
    answer = request("POST", service.base_url + "/api/v1/essays", token, ESSAY)
    if answer.status != 201:
        raise RuntimeError(f"submit: {answer.status} {answer.body!r}")
    return answer.body["id"], sent


def run_singles(
    service: Service, token: str, database: Database, count: int
) -> tuple[list[float], list[float]]:
    """Seconds from each POST to its essay split, and to its last claim awaiting review."""
    splits, latencies = [], []
    for _ in range(count):
        essay_id, sent = submit(service, token)
        if not wait_done(database, [essay_id], timeout=60, poll=0.005):
            raise RuntimeError(f"essay {essay_id} not through the pipeline within 60 s")
        latencies.append(finished_at(database, [essay_id])[essay_id] - sent)
        splits.append(split_at(database, [essay_id])[essay_id] - sent)
        time.sleep(0.2)  # let the worker go idle: each essay meets an empty pipeline
    return splits, latencies


def run_batch(
    service: Service, token: str, database: Database, count: int, timeout: float
) -> dict[str, Any]:
    ids: list[int] = []
    posts: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(count + 1)

    def one() -> None:
        gate.wait()
        essay_id, _ = submit(service, token)
        with lock:
            ids.append(essay_id)
            posts.append(time.time())

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    started = time.time()
    gate.wait()
    for thread in threads:
        thread.join()
    done = wait_done(database, ids, timeout=timeout, poll=0.25)
    ends = finished_at(database, ids)
    splits = split_at(database, ids)
    end = max(ends.values()) if done else time.time()
    complete = len(ends) if done else count - _essays_unfinished(database, ids)
    completion = sorted(at - started for at in ends.values())
    return {
        "essays": count,
        "complete": complete,
        "seconds": end - started,
        "essays_per_s": complete / (end - started),
        "last_post_s": max(posts) - started,
        "all_split_s": max(splits.values()) - started,
        "first_done_s": completion[0] if completion else float("nan"),
        "p50_done_s": percentile(completion, 50),
        "claims": _claims_reviewable(database, ids),
    }


def _essays_unfinished(database: Database, essay_ids: list[int]) -> int:
    with database.read_scope() as session:
        return session.scalar(
            select(func.count(func.distinct(Essay.id)))
            .select_from(Essay)
            .outerjoin(Claim, Claim.essay_id == Essay.id)
            .where(
                Essay.id.in_(essay_ids),
                (Essay.status == "submitted") | Claim.status.in_(("extracted", "gathering")),
            )
        )


def _claims_reviewable(database: Database, essay_ids: list[int]) -> int:
    with database.read_scope() as session:
        return session.scalar(
            select(func.count()).where(
                Claim.essay_id.in_(essay_ids), Claim.status == "awaiting_review"
            )
        )


def task_times(output: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for line in output:
        if match := TASK_LINE.search(line):
            times[match.group(1).rsplit(".", 1)[1]].append(float(match.group(2)))
    return times


def run_stack(
    name: str,
    database_url: str | None,
    broker_url: str | None,
    essays: int,
    singles: int,
    extra_env: dict[str, str] | None = None,
) -> StackResult:
    result = StackResult(name)
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as directory:
        data_dir = Path(directory)
        env = {
            "FACTCHECK_CONNECTORS": "library",
            # Empty means the embedded default, whatever this shell exports.
            "FACTCHECK_DATABASE_URL": database_url or "",
            "FACTCHECK_BROKER_URL": broker_url or "",
            **(extra_env or {}),
        }
        if broker_url:
            flush_redis(broker_url)
        service = start_service(env, data_dir)
        url = database_url or f"sqlite:///{data_dir.resolve() / 'factcheck.sqlite'}"
        database = Database(url)
        try:
            token = service.tokens["editor"]
            with MemoryWatch([service.process.pid]) as memory:
                warm_up = [
                    submit(service, token)[0] for _ in range(2)
                ]  # imports, first model loads
                wait_done(database, warm_up, timeout=120, poll=0.05)
                result.claims_per_essay, result.checkable_per_essay = claim_counts(
                    database, warm_up[0]
                )
                result.singles_split, result.singles = run_singles(
                    service, token, database, singles
                )
                log_mark = len(service.output)
                before = cpu_snapshot(service, database_url is not None)
                result.batch = run_batch(service, token, database, essays, timeout=600)
                after = cpu_snapshot(service, database_url is not None)
                result.cpu = {group: after[group] - before.get(group, 0.0) for group in after}
                result.tasks = task_times(service.output[log_mark:])
            result.memory = memory_table(memory)
            result.peak_pss_kib = memory.peak_pss_total
            result.peak_rss_kib = memory.peak_rss_total
        finally:
            database.engine.dispose()
            service.stop()
    return result


def memory_table(memory: MemoryWatch) -> list[tuple[str, int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for pid, hwm in memory.peak_hwm.items():
        groups[classify(pid, memory.lines[pid], memory.lines)].append(hwm)
    return [(group, len(values), max(values)) for group, values in sorted(groups.items())]


# --- inside the tasks: one essay's task bodies, in-process, timed by phase ------------------------


class PhaseTimer:
    """Wall and CPU seconds (this process only) spent inside wrapped functions."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, name: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[name] += time.perf_counter() - wall
                self.cpu[name] += time.process_time() - cpu
                self.calls[name] += 1

        return timed


def inside_tasks(database_url: str, essays: int) -> tuple[PhaseTimer, int]:
    """Run split_essay and its gather_local tasks for ``essays`` essays one after
    another in this process (as a worker would, minus Celery), timing their phases."""
    import os

    from factcheck import migrate
    from factcheck.accounts import services as accounts
    from factcheck.claims import services as claim_services
    from factcheck.settings import get_settings
    from factcheck.sources import connectors as connector_module
    from factcheck.sources import library
    from factcheck.sources import services as sources

    os.environ.update(
        {
            "FACTCHECK_DATABASE_URL": database_url,
            "FACTCHECK_CONNECTORS": "library",
            "FACTCHECK_BROKER_URL": "memory://",
        }
    )
    get_settings.cache_clear()
    migrate.upgrade(database_url)
    from factcheck import jobs
    from factcheck.claims.tasks import split_essay
    from factcheck.sources.tasks import gather_local
    from factcheck.tasks import database as task_database

    database = task_database()
    with database.scope() as session:
        library.import_library(session, ROOT / "seeds" / "library.json")
        editor = accounts.create_user(session, "inside", "editor")
    sent: list[tuple[str, tuple[Any, ...]]] = []
    jobs.set_dispatcher(lambda job, *args: sent.append((job.name, args)))
    timer = PhaseTimer()
    claim_services.split = timer.wrap("split_essay: extraction (split)", claim_services.split)
    sources.plan_runs = timer.wrap("split_essay: plan_runs", sources.plan_runs)
    sources.begin_runs = timer.wrap("gather_local: begin_runs", sources.begin_runs)
    sources.enrich = timer.wrap("gather_local: rank and hints (enrich)", sources.enrich)
    sources.finish_runs = timer.wrap(
        "gather_local: finish_runs (store, audit, review tasks)", sources.finish_runs
    )
    connector_module.LibraryConnector.find = timer.wrap(
        "gather_local: library search", connector_module.LibraryConnector.find
    )
    split_task = timer.wrap("split_essay", split_essay.run)
    local_task = timer.wrap("gather_local", gather_local.run)
    measured = PhaseTimer()
    for n in range(essays + 1):  # the first warms up
        if n == 1:
            measured = timer
            for table_ in (timer.wall, timer.cpu, timer.calls):
                table_.clear()
        with database.scope() as session:
            essay = Essay(title="inside", text=SEED, submitted_by_id=editor.id)
            session.add(essay)
        sent.clear()
        split_task(essay.id)
        for task, args in list(sent):
            assert task == "gather_local", task
            local_task(*args)
    database.engine.dispose()
    return measured, essays


# --- printing ------------------------------------------------------------------------------------


def report(results: list[StackResult]) -> None:
    print(f"machine: {machine()}")
    first = results[0]
    print(
        f"essay: the seed essay ({len(SEED):,} characters, {first.claims_per_essay} claims, "
        f"{first.checkable_per_essay} checkable); connectors: library only; "
        "2 gunicorn workers, Celery worker --concurrency 2, beat\n"
    )
    print("Throughput: a batch of essays POSTed at once, until every checkable claim awaits review")
    print(
        table(
            [
                "stack",
                "essays",
                "through",
                "wall s",
                "essays/s",
                "claims/s",
                "last POST s",
                "all split s",
                "first essay done s",
                "median essay done s",
            ],
            [
                (
                    r.name,
                    r.batch["essays"],
                    r.batch["complete"],
                    r.batch["seconds"],
                    r.batch["essays_per_s"],
                    r.batch["claims"] / r.batch["seconds"],
                    r.batch["last_post_s"],
                    r.batch["all_split_s"],
                    r.batch["first_done_s"],
                    r.batch["p50_done_s"],
                )
                for r in results
            ],
        )
    )
    print("\nLatency: single essays in turn, from the POST sent to the last claim awaiting review")
    print(
        table(
            [
                "stack",
                "essays",
                "p50 ms",
                "p90 ms",
                "max ms",
                "mean ms",
                "of which to split, p50 ms",
                "split to all awaiting review, p50 ms",
                "under 1 s",
            ],
            [
                (
                    r.name,
                    len(r.singles),
                    1000 * percentile(r.singles, 50),
                    1000 * percentile(r.singles, 90),
                    1000 * max(r.singles),
                    1000 * statistics.fmean(r.singles),
                    1000 * percentile(r.singles_split, 50),
                    1000
                    * percentile(
                        [a - b for a, b in zip(r.singles, r.singles_split, strict=True)], 50
                    ),
                    f"{sum(1 for v in r.singles if v < 1)}/{len(r.singles)}",
                )
                for r in results
            ],
        )
    )
    for r in results:
        wall = r.batch["seconds"]
        busy = sum(sum(v) for v in r.tasks.values())
        print(f"\nWhere the batch's time goes, {r.name}: task run times (worker log)")
        print(
            table(
                ["task", "runs", "mean ms", "p99 ms", "total s", "share of task time"],
                [
                    (
                        task,
                        len(v),
                        1000 * statistics.fmean(v),
                        1000 * percentile(v, 99),
                        sum(v),
                        f"{100 * sum(v) / busy:.0f}%",
                    )
                    for task, v in sorted(r.tasks.items(), key=lambda kv: -sum(kv[1]))
                ],
            )
        )
        print(
            f"task time {busy:.1f} s over {wall:.1f} s wall on {POOL} pool processes: "
            f"pool busy {100 * busy / (POOL * wall):.0f}%"
        )
        cpu = dict(r.cpu)
        busy = cpu.pop(MACHINE)
        cpu["everything else on the machine"] = max(0.0, busy - sum(cpu.values()))
        print(
            f"\nCPU seconds during the batch, {r.name}: {wall:.1f} s wall x {CORES} cores = "
            f"{CORES * wall:.1f} core-s, of which {busy:.1f} busy"
        )
        print(
            table(
                ["process group", "CPU s", "share of the busy time"],
                [
                    (group, seconds, f"{100 * seconds / busy:.0f}%")
                    for group, seconds in sorted(cpu.items(), key=lambda kv: -kv[1])
                    if seconds > 0.05
                ],
            )
        )
        ours = sum(
            seconds
            for group, seconds in cpu.items()
            if not group.startswith(("everything else", "this client"))
        )
        per_essay = ours / r.batch["complete"]
        print(
            f"the service (web, worker, beat, databases) used {per_essay:.2f} core-s per essay: "
            f"on {CORES} otherwise idle cores at most {CORES / per_essay:.1f} essays/s"
        )
    print("\nMemory over the whole run (warm-up, singles, batch): peak RSS per process")
    rows = []
    for r in results:
        for group, count, kib in r.memory:
            rows.append((r.name, group, count, kib / 1024))
        rows.append((r.name, "all of them, summed PSS at peak", "", r.peak_pss_kib / 1024))
        rows.append((r.name, "all of them, summed RSS at peak", "", r.peak_rss_kib / 1024))
    print(table(["stack", "process", "processes", "peak RSS MiB (max of group)"], rows))


TASKS = ("split_essay", "gather_local")


def report_inside(timer: PhaseTimer, essays: int) -> None:
    wall, cpu, calls = timer.wall, timer.cpu, timer.calls
    for task in TASKS:
        parts = [name for name in wall if name.startswith(f"{task}: ")]
        rest = f"{task}: the rest (other SQL, commits, task code)"
        wall[rest] = wall[task] - sum(wall[p] for p in parts)
        cpu[rest] = cpu[task] - sum(cpu[p] for p in parts)
        calls[rest] = calls[task]
    total = sum(wall[task] for task in TASKS)
    order = sorted(wall, key=lambda name: (TASKS.index(name.split(":")[0]), ":" in name))
    print(
        f"\nInside the tasks: {essays} essays' task bodies run one after another in one "
        "process on PostgreSQL (no Celery, no concurrency); per essay"
    )
    print(
        table(
            ["task / phase", "calls", "wall ms", "CPU ms in the worker", "share of wall"],
            [
                (
                    (name if ":" in name else f"**{name}**"),
                    calls[name] // essays,
                    1000 * wall[name] / essays,
                    1000 * cpu[name] / essays,
                    f"{100 * wall[name] / total:.0f}%",
                )
                for name in order
            ],
        )
    )
    print(
        f"one essay's task bodies: {1000 * total / essays:.0f} ms wall, "
        f"{1000 * sum(cpu[task] for task in TASKS) / essays:.0f} ms CPU in the worker; the "
        "difference is PostgreSQL's work and waits (round trips, commit flushes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=200, help="batch size on PostgreSQL")
    parser.add_argument("--sqlite-essays", type=int, default=20, help="batch size on SQLite")
    parser.add_argument("--singles", type=int, default=20, help="single essays on PostgreSQL")
    parser.add_argument("--sqlite-singles", type=int, default=10, help="single essays on SQLite")
    parser.add_argument(
        "--stacks",
        default="postgres,postgres-unbatched,sqlite",
        help="postgres, postgres-unbatched, sqlite, sqlite-fast-poll",
    )
    parser.add_argument("--inside", type=int, default=3, help="essays timed in-process (0: skip)")
    args = parser.parse_args()
    results = []
    for stack in args.stacks.split(","):
        if stack == "postgres":
            with postgres_database("pipeline") as url:
                results.append(
                    run_stack("PostgreSQL + Redis", url, REDIS_URL, args.essays, args.singles)
                )
            flush_redis(REDIS_URL)
        elif stack == "postgres-unbatched":  # one library run per task, for comparison
            with postgres_database("unbatched") as url:
                results.append(
                    run_stack(
                        "PostgreSQL + Redis, one run per gather task",
                        url,
                        REDIS_URL,
                        args.essays,
                        args.singles,
                        {"FACTCHECK_GATHER_BATCH_RUNS": "1"},
                    )
                )
            flush_redis(REDIS_URL)
        elif stack == "sqlite":
            results.append(
                run_stack(
                    "SQLite + SQL broker", None, None, args.sqlite_essays, args.sqlite_singles
                )
            )
        elif stack == "sqlite-fast-poll":  # the broker polled every 10 ms instead of 100 ms
            results.append(
                run_stack(
                    "SQLite + SQL broker polled every 0.01 s",
                    None,
                    None,
                    args.sqlite_essays,
                    args.sqlite_singles,
                    {"FACTCHECK_BROKER_POLLING_INTERVAL": "0.01"},
                )
            )
        else:
            raise SystemExit(f"unknown stack {stack!r}")
    report(results)
    if "postgres" in args.stacks.split(",") and args.inside:
        with postgres_database("inside") as url:
            timer, essays = inside_tasks(url, args.inside)
        report_inside(timer, essays)


if __name__ == "__main__":
    main()

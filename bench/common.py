"""What the service benchmarks share: databases, processes, HTTP, percentiles, tables.

Everything runs on 127.0.0.1. PostgreSQL databases are created per run as
``factcheck_bench_<what>_<pid>`` and dropped afterwards; Redis db 8 is flushed
before use.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = (ROOT / "seeds" / "the-next-step-think-vietnam.txt").read_text()
POSTGRES_ADMIN = os.environ.get("FACTCHECK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("FACTCHECK_BENCH_REDIS", "redis://127.0.0.1:6379/8")
PYTHON = sys.executable


# --- services ------------------------------------------------------------------------


@contextmanager
def postgres_database(what: str) -> Iterator[str]:
    """A new empty PostgreSQL database; yields its SQLAlchemy URL, drops it afterwards."""
    import psycopg

    name = f"factcheck_bench_{what}_{os.getpid()}"
    with psycopg.connect(f"{POSTGRES_ADMIN}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES_ADMIN}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(data_dir: Path, database_url: str | None, broker_url: str | None) -> dict[str, str]:
    """The environment of a service process: the library connector only, as the issue asks."""
    env = {
        **os.environ,
        "FACTCHECK_DATA_DIR": str(data_dir),
        "FACTCHECK_CONNECTORS": "library",
        "PYTHONPATH": str(ROOT),
    }
    for key in ("FACTCHECK_DATABASE_URL", "FACTCHECK_BROKER_URL"):
        env.pop(key, None)
    if database_url:
        env["FACTCHECK_DATABASE_URL"] = database_url
    if broker_url:
        env["FACTCHECK_BROKER_URL"] = broker_url
    return env


@dataclass
class Processes:
    """Service processes this benchmark started (each in its own session)."""

    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        log = log_dir / f"{name}.log"
        handle = log.open("wb")
        self.started.append(
            subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        self.logs.append(log)

    def session_ids(self) -> list[int]:
        return [process.pid for process in self.started]

    def check_alive(self) -> None:
        for process, log in zip(self.started, self.logs, strict=True):
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{process.args[:4]} exited {process.returncode}:\n{tail}")

    def stop(self, grace: float = 20.0) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.started:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def web_service(database_url: str, web_workers: int) -> Iterator[tuple[str, Processes]]:
    """gunicorn as ``factcheck up`` starts it (with a deep accept backlog for 50 clients)
    against ``database_url``, on a free port; yields its base URL once healthy, and the
    processes; stops them afterwards."""
    from factcheck.cli import web_command

    with tempfile.TemporaryDirectory() as directory:
        port = free_port()
        processes = Processes()
        env = service_env(Path(directory), database_url, REDIS_URL)
        command = [*web_command("127.0.0.1", port, web_workers), "--backlog", "2048"]
        processes.start("web", command, env, Path(directory))
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base_url, processes)
            yield base_url, processes
        finally:
            processes.stop()


def wait_healthy(base_url: str, processes: Processes, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            if request("GET", base_url + "/healthz", timeout=5).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url} never became healthy")


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: Any
    seconds: float


def request(
    method: str, url: str, token: str | None = None, body: Any = None, timeout: float = 60.0
) -> Answer:
    """One HTTP request on a fresh connection (gunicorn's sync workers close each one)."""
    assert url.startswith("http://")
    host, _, path = url[len("http://") :].partition("/")
    hostname, _, port = host.partition(":")
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(hostname, int(port or 80), timeout=timeout)
    try:
        connection.request(method, "/" + path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    content_type = response.getheader("Content-Type", "")
    parsed: Any = json.loads(data) if "json" in content_type and data else data
    return Answer(response.status, parsed, seconds)


# --- processes: memory and CPU from /proc -----------------------------------------------


def stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [0] is field 3 (state); [] if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def session_pids(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        fields = stat_fields(int(entry)) if entry.isdigit() else []
        if fields and int(fields[3]) == sid:  # field 6 of stat: session id
            pids.append(int(entry))
    return pids


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _kib(path: str, key: str) -> int:
    """The ``Key:   123 kB`` line of a /proc file, in KiB (0 if the process is gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def status_kib(pid: int, key: str) -> int:
    """A ``VmRSS``/``VmHWM`` style line of /proc/PID/status, in KiB (0 if gone)."""
    return _kib(f"/proc/{pid}/status", key)


def pss_kib(pid: int) -> int:
    return _kib(f"/proc/{pid}/smaps_rollup", "Pss")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU of a process (with ``children``: also of its reaped children)."""
    fields = stat_fields(pid)
    if not fields:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def pids_by_name(name: str) -> list[int]:
    """Processes whose executable name (/proc/PID/comm) is ``name``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == name:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def parent_of(pid: int) -> int:
    fields = stat_fields(pid)
    return int(fields[1]) if fields else 0


class MemoryWatch:
    """Peak RSS of every process in the given sessions, and the peak of their summed PSS.

    VmHWM is the kernel's own high-water mark of each process's resident set, so
    no sample can miss it; the sampler adds the summed proportional set size
    (shared pages counted once), which is what the machine actually had to hold.
    """

    def __init__(self, session_ids: Sequence[int], interval: float = 0.5) -> None:
        self.session_ids = list(session_ids)
        self.interval = interval
        self.peak_hwm: dict[int, int] = {}
        self.lines: dict[int, str] = {}
        self.peak_pss_total = 0
        self.peak_rss_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        pss_total = rss_total = 0
        for sid in self.session_ids:
            for pid in session_pids(sid):
                self.peak_hwm[pid] = max(self.peak_hwm.get(pid, 0), status_kib(pid, "VmHWM"))
                self.lines.setdefault(pid, command_line(pid))
                pss_total += pss_kib(pid)
                rss_total += status_kib(pid, "VmRSS")
        self.peak_pss_total = max(self.peak_pss_total, pss_total)
        self.peak_rss_total = max(self.peak_rss_total, rss_total)


def classify(pid: int, line: str, pids_lines: dict[int, str]) -> str:
    parent = parent_of(pid)
    if "gunicorn" in line:
        parent_is_gunicorn = "gunicorn" in pids_lines.get(parent, "")
        return "web: gunicorn worker" if parent_is_gunicorn else "web: gunicorn master"
    if "celery" in line and " beat" in line:
        return "beat"
    if "celery" in line:
        parent_is_celery = "celery" in pids_lines.get(parent, "")
        return "worker: pool process" if parent_is_celery else "worker: celery main"
    if "factcheck" in line and " up" in line:
        return "factcheck up supervisor"
    return line[:30] or "?"


# --- numbers and tables -------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, so the output pastes into docs/benchmarks.md as it is."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return "-"
            return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in text:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = status_total_memory_gib()
    return f"{os.cpu_count()} CPU ({cpu}), {memory:.0f} GiB, Python {sys.version.split()[0]}"


def status_total_memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


# --- a desk's worth of rows, loaded in bulk ---------------------------------------------------


@dataclass
class Desk:
    """What ``load_desk`` made: API tokens and the ids a benchmark needs."""

    url: str
    editor_token: str
    reviewer_tokens: list[str]
    essays: int
    claims: int
    open_tasks: int
    published_essay_id: int | None = None


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def load_desk(
    url: str,
    essays: int,
    open_tasks: int,
    reviewers: int = 50,
    publish: bool = False,
    text: str = SEED,
    claims_per_essay: int | None = None,
) -> Desk:
    """Migrate ``url`` and fill it as a desk that has worked for a while.

    Every essay is ``text`` (the seed essay) with its real claims (45, 29 checkable;
    the first ``claims_per_essay`` of them if given), every checkable one chosen for
    checking. The
    newest checkable claims, ``open_tasks`` of them, await review with an open
    task; every older checkable claim is approved, with its done review and
    approval tasks and its approved verdict; the rest are not checkable. Each
    claim has one audit event. Rows are made by INSERT ... SELECT inside
    PostgreSQL (the claims from the seed essay's split, crossed with the essays),
    which loads a million claims in well under a minute.
    """
    import psycopg

    from factcheck import migrate
    from factcheck.accounts import services as accounts
    from factcheck.claims import split
    from factcheck.db import Database

    migrate.upgrade(url)
    database = Database(url)
    with database.scope() as session:
        editor = accounts.create_user(session, "bench-editor", "editor")
        editor_token = accounts.issue_token(session, editor)
        reviewer_users = [
            accounts.create_user(session, f"bench-reviewer-{n}", "reviewer")
            for n in range(reviewers)
        ]
        reviewer_tokens = [accounts.issue_token(session, user) for user in reviewer_users]
        editor_id = editor.id
        reviewer_ids = [user.id for user in reviewer_users]
    database.engine.dispose()
    template = split(text)[:claims_per_essay]
    columns = (
        [c.start for c in template],
        [c.end for c in template],
        [c.text for c in template],
        [c.kind for c in template],
        [c.checkworthiness for c in template],
        [c.checkable for c in template],
        [
            json.dumps({"entities": list(c.entities), "quantities": [], "dates": []})
            for c in template
        ],
    )
    first, last = min(reviewer_ids), max(reviewer_ids)
    with psycopg.connect(psycopg_url(url)) as connection:
        run = connection.execute
        run(
            "INSERT INTO essays (title, text, author, published_at, status,"
            " status_changed_at, submitted_by_id, created_at, hold_for_review)"
            " SELECT 'Bench essay ' || g, %(text)s, 'Fareed Zakaria', DATE '2006-11-27',"
            " 'split', now() - (%(n)s - g) * interval '1 minute', %(editor)s,"
            " now() - (%(n)s - g) * interval '1 minute', false"
            " FROM generate_series(1, %(n)s) AS g",
            {"text": text, "n": essays, "editor": editor_id},
        )
        run(
            'INSERT INTO claims (essay_id, start, "end", text, kind, checkworthiness, checkable,'
            " details, status, status_changed_at, version, created_at, triage)"
            " SELECT e.id, t.start, t.stop, t.text, t.kind, t.score, t.checkable, t.details::json,"
            " CASE WHEN t.checkable THEN 'approved' ELSE 'not_checkable' END,"
            " e.created_at, 1, e.created_at, CASE WHEN t.checkable THEN 'check' END"
            " FROM essays e CROSS JOIN unnest(%s::int[], %s::int[], %s::text[], %s::text[],"
            " %s::float8[], %s::bool[], %s::text[])"
            " AS t(start, stop, text, kind, score, checkable, details)"
            " ORDER BY e.id, t.start",
            columns,
        )
        run(
            "UPDATE claims SET status = 'awaiting_review' WHERE id IN (SELECT id FROM claims"
            " WHERE checkable ORDER BY essay_id DESC, start LIMIT %s)",
            (open_tasks,),
        )
        reviewer = f"{first} + mod(c.id, {last - first + 1})"
        other = f"{first} + mod(c.id + 1, {last - first + 1})"
        run(
            "INSERT INTO verdicts (claim_id, rating, rationale, state, author_id, approver_id,"
            " created_at, decided_at, version)"
            " SELECT c.id, (ARRAY['true','mostly-true','half-true','mostly-false','false'])"
            f"[1 + mod(c.id, 5)], 'Checked against the cited sources.', 'approved', {reviewer},"
            f" {other}, c.created_at, c.created_at + interval '1 hour', 1"
            " FROM claims c WHERE c.status = 'approved'"
        )
        run(
            "INSERT INTO review_tasks (claim_id, kind, state, priority, submitter_id, author_id,"
            " assignee_id, verdict_id, created_at, updated_at)"
            f" SELECT c.id, 'review', 'done', c.checkworthiness, %(editor)s, NULL, {reviewer},"
            " NULL, c.created_at, c.created_at FROM claims c WHERE c.status = 'approved'"
            " UNION ALL"
            f" SELECT c.id, 'approval', 'done', c.checkworthiness, %(editor)s, {reviewer},"
            f" {other}, v.id, c.created_at, c.created_at"
            " FROM claims c JOIN verdicts v ON v.claim_id = c.id WHERE c.status = 'approved'"
            " UNION ALL"
            " SELECT c.id, 'review', 'open', c.checkworthiness, %(editor)s, NULL, NULL, NULL,"
            " c.created_at, c.created_at FROM claims c WHERE c.status = 'awaiting_review'",
            {"editor": editor_id},
        )
        run(
            "INSERT INTO audit_events (at, actor_id, action, subject_type, subject_id, after)"
            " SELECT c.status_changed_at, NULL, 'claim.' || c.status, 'claims', c.id,"
            " json_build_object('status', c.status) FROM claims c"
        )
        claims = run("SELECT count(*) FROM claims").fetchone()[0]
        opened = run("SELECT count(*) FROM review_tasks WHERE state = 'open'").fetchone()[0]
        oldest_done = run(
            "SELECT min(id) FROM essays e WHERE NOT EXISTS (SELECT 1 FROM claims c"
            " WHERE c.essay_id = e.id AND c.status = 'awaiting_review')"
        ).fetchone()[0]
    desk = Desk(url, editor_token, reviewer_tokens, essays, claims, opened)
    if publish and oldest_done is not None:
        desk.published_essay_id = publish_essay(url, oldest_done, editor_id)
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        # Write the load out now, not in the background while a benchmark times requests.
        connection.execute("CHECKPOINT")
    return desk


def publish_essay(url: str, essay_id: int, editor_id: int) -> int:
    """Publish one fully approved essay through the product's own service."""
    from factcheck.accounts.models import User
    from factcheck.db import Database
    from factcheck.publishing import services as publishing

    database = Database(url)
    with database.scope() as session:
        editor = session.get_one(User, editor_id)
        masthead = publishing.Masthead(name="factcheck desk", url="http://127.0.0.1")
        publishing.publish(session, essay_id, editor, masthead, base_url="http://127.0.0.1")
    database.engine.dispose()
    return essay_id


# --- query plans of what the product actually sends ------------------------------------------


def explain(database: Any, statement: str, parameters: Any) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement, in a transaction rolled back."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        try:
            cursor = connection.connection.dbapi_connection.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            transaction.rollback()


def plan_of(database: Any, call: Any, pick: str) -> tuple[str, str]:
    """Run ``call(session)`` in a transaction that is rolled back, capture the first
    statement containing ``pick``, and return it with its EXPLAIN (ANALYZE, BUFFERS)."""
    from factcheck.db import captured_statements

    with captured_statements(database.engine) as seen:
        session = database.sessions()
        try:
            call(session)
        finally:
            session.rollback()
            session.close()
    for statement, parameters in seen:
        if pick in statement:
            return statement, explain(database, statement, parameters)
    raise LookupError(f"no statement with {pick!r} among {[s for s, _ in seen]}")


class MachineLoad:
    """How busy the whole machine was during a block: this benchmark shares it."""

    def __enter__(self) -> MachineLoad:
        self.before = _cpu_times()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        after = _cpu_times()
        self.seconds = time.monotonic() - self.started
        busy = after[0] - self.before[0]
        total = after[1] - self.before[1]
        self.busy_share = busy / total if total else 0.0
        self.load_average = os.getloadavg()[0]

    def describe(self) -> str:
        return f"machine {100 * self.busy_share:.0f}% busy, load average {self.load_average:.1f}"


def _cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    total = sum(fields[:8])  # up to steal; guest time is inside user already
    return total - idle, total


def session_cpu(session_ids: Sequence[int]) -> float:
    """CPU seconds of every live process in the given sessions (and their reaped children)."""
    return sum(cpu_seconds(pid, children=True) for sid in session_ids for pid in session_pids(sid))


def postgres_cpu() -> float:
    """CPU seconds of PostgreSQL so far: its live processes, plus the backends that
    exited, which the postmaster (the one whose parent is not PostgreSQL) has reaped.
    Shared with anyone else using the server at the time."""
    postgres = set(pids_by_name("postgres"))
    return sum(cpu_seconds(pid, children=parent_of(pid) not in postgres) for pid in postgres)


def redis_cpu() -> float:
    return sum(cpu_seconds(pid) for pid in pids_by_name("redis-server"))


def server_cpu(with_redis: bool = True) -> float:
    """CPU seconds of PostgreSQL and (``with_redis``) Redis so far."""
    return postgres_cpu() + (redis_cpu() if with_redis else 0.0)

"""/healthz and a desk page while 200 slow clients (slowloris) hold connections open.

Each slow client sends a request line, then one header line every 2 s, never ending
its header; one whose connection the server closes is replaced at once, so 200 are
open all the time (``tests/slowloris.py``). For each front, in one run:

* ``up``: gunicorn as ``factcheck up`` starts it (``factcheck.cli.web_command``:
  gthread workers, 256 threads each);
* ``sync``: gunicorn with sync workers, as ``up`` started it before;
* ``nginx``: ``deploy/nginx.conf`` (as compose runs it) in front of gunicorn with
  sync workers (compose's web command).

Each runs 2 web processes on the embedded default (SQLite and the SQL broker) in a
fresh data dir. It measures ``--requests`` sequential GETs of /healthz and of the
desk's home page (signed in as an editor), first with no slow clients, then with
``--slow`` of them, 12 s after they connected: time to the last byte, p50/p99, and
how many requests got no answer within ``--timeout`` seconds (a front stops being
measured after three in a row).

    .venv/bin/python bench/slow_clients.py [--slow 200] [--requests 100] [--timeout 10]
        [--fronts up,sync,nginx]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from common import (
    PYTHON,
    Processes,
    free_port,
    machine,
    percentile,
    service_env,
    table,
    wait_healthy,
)

from factcheck.cli import web_command
from tests import nginx
from tests.service import signed_in
from tests.slowloris import Slowloris

EDITOR = "bench-editor"
PASSWORD = "bench password, long enough"
WEB_PROCESSES = 2
PATHS = ("/healthz", "/desk/")
GIVE_UP_AFTER = 3  # timeouts in a row


def sync_command(port: int) -> list[str]:
    """gunicorn as `factcheck up` started it before gthread, and as compose runs it."""
    return [PYTHON, "-m", "gunicorn", "web.wsgi:app", "--bind", f"127.0.0.1:{port}",
            "--workers", str(WEB_PROCESSES), "--graceful-timeout", "5"]  # fmt: skip


def prepare(data_dir: Path) -> dict[str, str]:
    """A migrated embedded database with one editor who has a password."""
    env = service_env(data_dir, None, None)
    subprocess.run([PYTHON, "-m", "factcheck", "db", "upgrade"], env=env, check=True)
    subprocess.run(
        [PYTHON, "-m", "factcheck", "users", "add", EDITOR, "--role", "editor", "--password-stdin"],
        env=env, input=PASSWORD + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    return env


@contextmanager
def front(name: str, env: dict[str, str], log_dir: Path) -> Iterator[str]:
    """The front ``name`` running; yields the URL clients use."""
    processes = Processes()
    web_port = free_port()
    try:
        if name == "up":
            processes.start("web", web_command("127.0.0.1", web_port, WEB_PROCESSES), env, log_dir)
        else:
            processes.start("web", sync_command(web_port), env, log_dir)
        url = f"http://127.0.0.1:{web_port}"
        wait_healthy(url, processes)
        if name == "nginx":
            binary = nginx.binary()
            assert binary, "no nginx: apt-get install nginx-light"
            listen = free_port()
            config = nginx.local_config(log_dir, web_port, listen)
            processes.start("nginx", nginx.command(binary, config), env, log_dir)
            url = f"http://127.0.0.1:{listen}"
            wait_healthy(url, processes)
        yield url
    finally:
        processes.stop()


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    timeouts: int = 0
    sent: int = 0


def measure(browser: requests.Session, url: str, count: int, timeout: float) -> dict[str, Timings]:
    """``count`` GETs of each path, interleaved; gives up after three timeouts in a row."""
    found = {path: Timings() for path in PATHS}
    in_a_row = 0
    for _ in range(count):
        for path in PATHS:
            timings = found[path]
            timings.sent += 1
            started = time.perf_counter()
            try:
                answer = browser.get(url + path, timeout=timeout)
                answer.raise_for_status()
            except requests.RequestException:
                timings.timeouts += 1
                in_a_row += 1
                if in_a_row >= GIVE_UP_AFTER:
                    return found
                continue
            in_a_row = 0
            timings.seconds.append(time.perf_counter() - started)
    return found


def rows_of(name: str, slow: int, found: dict[str, Timings], timeout: float) -> list[list[object]]:
    rows = []
    for path, timings in found.items():
        answered = len(timings.seconds)
        p99 = percentile(timings.seconds, 99) * 1000 if answered else math.nan
        rows.append([
            name, slow, path, f"{answered}/{timings.sent}",
            percentile(timings.seconds, 50) * 1000 if answered else math.nan,
            p99 if not timings.timeouts else f"> {timeout * 1000:,.0f}",
            "yes" if answered == timings.sent and p99 < 1000 else "no",
        ])  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--fronts", default="up,sync,nginx")
    options = parser.parse_args()
    rows: list[list[object]] = []
    notes = []
    with tempfile.TemporaryDirectory() as directory:
        env = prepare(Path(directory) / "data")
        for name in options.fronts.split(","):
            log_dir = Path(directory) / name
            log_dir.mkdir()
            with front(name, env, log_dir) as url:
                browser = signed_in(url, EDITOR, PASSWORD)
                quiet = measure(browser, url, options.requests, options.timeout)
                rows += rows_of(name, 0, quiet, options.timeout)
                host, port = url.removeprefix("http://").split(":")
                with Slowloris(host, int(port), options.slow, reopen=True) as slow:
                    # Past nginx's 10 s header timeout: it has been closing them,
                    # and they have been coming back, while we measure.
                    slow.wait_rounds(6)
                    busy = measure(browser, url, options.requests, options.timeout)
                    notes.append(f"{name}: {slow.closed_by_server} slow connections closed by it")
                rows += rows_of(name, options.slow, busy, options.timeout)
    print(machine())
    headers = ["front", "slow clients", "path", "answered", "p50 ms", "p99 ms", "p99 < 1 s"]
    print(table(headers, rows))
    print("\n".join(notes))


if __name__ == "__main__":
    main()

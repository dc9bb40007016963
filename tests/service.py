"""`factcheck up --demo` as a user starts it, in a subprocess, driven over HTTP."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from factcheck import migrate
from factcheck.accounts import services as accounts
from factcheck.db import Database
from factcheck.sources import library
from tests.conftest import SEEDS, xdist_worker
from tests.flow import Reply


def wait_for(happened: Callable[[], object], what: str, timeout: float = 60) -> None:
    """Poll until ``happened()`` is true. The deadline only bounds a failure: it is
    generous so that a busy machine is never mistaken for a broken one."""
    deadline = time.monotonic() + timeout
    while not happened():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


def free_port() -> int:
    """A port to give a service we start, from below the kernel's ephemeral range.

    Port 0 would hand out an ephemeral port, which any outgoing connection (to
    PostgreSQL, Redis, another test's service) may take as its source port before
    our service binds it. Each xdist worker draws from its own band, so two tests
    running at once never pick the same port."""
    low = 20_000 + 1_000 * (xdist_worker() % 12)
    for port in random.sample(range(low, low + 1_000), 1_000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{low + 999}")


@dataclass
class Service:
    """A `factcheck up --demo` process and what it printed."""

    process: subprocess.Popen[str]
    base_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> Reply:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = requests.request(
                method, self.base_url + path, json=body, headers=headers, timeout=30
            )
        except requests.ConnectionError as error:
            tail = "".join(self.output[-60:])
            raise AssertionError(f"{method} {path}: {error}\nthe service said:\n{tail}") from error
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return Reply(response.status_code, payload, dict(response.headers), response.text)

    def wait_until_gathered(self, essay_id: int, timeout: float = 150.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            essay = self.call("GET", f"/api/v1/essays/{essay_id}", self.tokens["editor"]).body
            counts = essay["claim_counts"]
            if essay["status"] != "submitted" and not {"extracted", "gathering"} & counts.keys():
                return essay
            time.sleep(0.1)
        raise AssertionError(f"essay {essay_id} still not gathered: {essay}")

    def wait_for_line(self, text: str, timeout: float = 60.0) -> str:
        """The first line of output holding ``text``, once it is printed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.process.poll() is not None
            for line in list(self.output):
                if text in line:
                    return line
            if exited:  # and everything it printed before was read
                break
            time.sleep(0.05)
        tail = "".join(self.output[-60:])
        raise AssertionError(f"factcheck up never printed {text!r}; it said:\n{tail}")

    def run_beside(self, command: list[str], timeout: float, **options: Any) -> tuple[int, str]:
        """Run ``command`` while the service runs; its exit code and output. If the
        service exits first, stop the command and fail with what the service said
        (a command polling a dead service would otherwise wait out ``timeout``)."""
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **options
        ) as process:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    output, _ = process.communicate(timeout=0.5)
                    return process.returncode, output
                except subprocess.TimeoutExpired:
                    pass
                if self.process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    output, _ = process.communicate()
                    why = "factcheck up exited" if self.process.poll() is not None else "timed out"
                    raise AssertionError(
                        f"{why} while {command[0]} ran; it printed:\n{output}\n"
                        f"the service said:\n{self.log_tail()}"
                    )

    def log_tail(self, lines: int = 80) -> str:
        """The last of what the service printed, leaving out its access log, which
        only repeats the requests of whoever drove it."""
        said = [line for line in self.output if '"logger": "factcheck.access"' not in line]
        return "".join(said[-lines:])

    def stop(self, timeout: float = 30.0) -> int:
        """Stop it as Ctrl-C would; return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


DEMO_PASSWORD = "factcheck-demo"  # seeds/accounts.json


def signed_in(base_url: str, name: str, password: str = DEMO_PASSWORD) -> requests.Session:
    """A browser session of ``name`` (a demo account), signed in through the login form."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/login", timeout=30)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text[:500]
    form = {"name": name, "password": password, "csrf_token": token.group(1)}
    answer = browser.post(f"{base_url}/login", data=form, timeout=30)
    assert answer.status_code == 200 and "/desk/" in answer.url, answer.text[:500]
    return browser


TOKEN_LINE = re.compile(r"token for (\w+) \(\w+\): (\S+)")


def launch(env: dict[str, str], data_dir: Path, *options: str) -> Service:
    """`factcheck up` with ``options`` on a free port, its output read in the background.
    One web process, not two: each loads the app (seconds of CPU on a busy machine),
    and no test here needs two."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "factcheck", "up", *options, "--port", str(port), "--workers", "1"],
        env={
            **os.environ,
            "FACTCHECK_CONNECTORS": "library,desk",  # no network here; tests may override
            **env,
            "FACTCHECK_DATA_DIR": str(data_dir),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    service = Service(process, f"http://127.0.0.1:{port}")
    _drain_in_background(service)
    return service


def start_service(env: dict[str, str], data_dir: Path, timeout: float = 60.0) -> Service:
    """`factcheck up --demo`, once it answers, with the tokens it printed."""
    deadline = time.monotonic() + timeout
    service = launch(env, data_dir, "--demo")
    service.wait_for_line("Ctrl-C stops it", timeout)
    for line in service.output:
        if match := TOKEN_LINE.search(line):
            service.tokens[match.group(1)] = match.group(2)
    _wait_healthy(service, deadline)
    return service


def _drain_in_background(service: Service) -> None:
    def drain() -> None:
        assert service.process.stdout is not None
        for line in service.process.stdout:
            service.output.append(line)

    threading.Thread(target=drain, daemon=True).start()


def _wait_healthy(service: Service, deadline: float, stack: Stack | None = None) -> None:
    output = stack.output if stack else service.output
    while time.monotonic() < deadline:
        if service.process is not None and service.process.poll() is not None:
            raise AssertionError("factcheck up exited:\n" + "".join(output[-60:]))
        try:
            if requests.get(service.base_url + "/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError("the service never became healthy:\n" + "".join(output[-60:]))


def processes_on(data_dir: Path) -> list[int]:
    """Processes whose environment says FACTCHECK_DATA_DIR is ``data_dir``: what a
    `factcheck up` on it started, wherever they are (they run in their own sessions)."""
    wanted = {f"FACTCHECK_DATA_DIR={path}".encode() for path in (data_dir, data_dir.resolve())}
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes() if entry.name.isdigit() else b""
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if wanted & set(environ.split(b"\0")):
            found.append(int(entry.name))
    return found


def assert_stopped_cleanly(service: Service, data_dir: Path, quiet: bool = True) -> None:
    """After a signal: exit status 0, `factcheck stopped` as the last line, no process
    left on its data dir and, when ``quiet``, no traceback printed (a full flow's
    workers may log one for a retried task)."""
    try:
        code = service.process.wait(60.0)  # bounds a failure; `up` takes 10 s at most
    except subprocess.TimeoutExpired:
        service.process.kill()
        raise
    service.wait_for_line("factcheck stopped")
    output = "".join(service.output)
    assert code == 0, output[-4000:]
    assert service.output[-1] == "factcheck stopped\n", output[-4000:]
    for word in ("Traceback", "KeyboardInterrupt") if quiet else ():
        at = output.find(word)
        assert at < 0, output[max(0, at - 500) : at + 3000]
    wait_for(lambda: processes_on(data_dir) == [], "every process of factcheck up ending")


class Stack:
    """Web, workers and beat as separate processes, so a test can kill and restart
    one of them, on the settings in ``env`` (PostgreSQL + Redis in the fault tests)."""

    def __init__(self, env: dict[str, str], data_dir: Path) -> None:
        self.env = {**os.environ, **env, "FACTCHECK_DATA_DIR": str(data_dir)}
        self.data_dir = data_dir
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self.output: list[str] = []
        self.service = Service(process=None, base_url=f"http://127.0.0.1:{self.port}")  # type: ignore[arg-type]

    def prepare(self) -> None:
        """Schema, reference library, and an editor and two reviewers with tokens, made
        in this process (the commands that do the same are tested in test_cli)."""
        url = self.env["FACTCHECK_DATABASE_URL"]
        migrate.upgrade(url)
        database = Database(url)
        with database.scope() as session:
            library.import_library(session, SEEDS / "library.json")
            for name, role in [
                ("editor", "editor"),
                ("reviewer1", "reviewer"),
                ("reviewer2", "reviewer"),
            ]:
                user = accounts.create_user(session, name, role)
                self.service.tokens[name] = accounts.issue_token(session, user)
        database.engine.dispose()

    def start(self, name: str, argv: list[str]) -> None:
        process = subprocess.Popen(
            argv,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.processes[name] = process

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.output.append(f"{name}: {line}")

        threading.Thread(target=drain, daemon=True).start()

    def start_all(self) -> None:
        from factcheck.cli import beat_command, web_command, worker_command

        self.start("web", web_command("127.0.0.1", self.port, 1))
        self.start("worker", worker_command("worker1", concurrency=4))
        self.start("beat", beat_command(self.data_dir))
        deadline = time.monotonic() + 60
        _wait_healthy(self.service, deadline, self)

    def signal(self, name: str, signum: int) -> None:
        """Send ``signum`` to a process and every process it started."""
        os.killpg(self.processes[name].pid, signum)

    def wait(self, name: str, timeout: float = 60.0) -> int:
        return self.processes[name].wait(timeout)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

"""`factcheck up --demo` as a user starts it, in a subprocess, driven over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.flow import Reply


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    """A `factcheck up --demo` process and what it printed."""

    process: subprocess.Popen[str]
    base_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> Reply:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(
            method, self.base_url + path, json=body, headers=headers, timeout=30
        )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return Reply(response.status_code, payload, dict(response.headers), response.text)

    def wait_until_gathered(self, essay_id: int, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            essay = self.call("GET", f"/api/v1/essays/{essay_id}", self.tokens["editor"]).body
            counts = essay["claim_counts"]
            if essay["status"] != "submitted" and not {"extracted", "gathering"} & counts.keys():
                return essay
            time.sleep(0.1)
        raise AssertionError(f"essay {essay_id} still not gathered: {essay}")

    def stop(self, timeout: float = 30.0) -> int:
        """Stop it as Ctrl-C would; return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


TOKEN_LINE = re.compile(r"token for (\w+) \(\w+\): (\S+)")


def start_service(env: dict[str, str], data_dir: Path, timeout: float = 60.0) -> Service:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "factcheck", "up", "--demo", "--port", str(port)],
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
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        service.output.append(line)
        if match := TOKEN_LINE.search(line):
            service.tokens[match.group(1)] = match.group(2)
        if "Ctrl-C stops it" in line or time.monotonic() > deadline:
            break
    _drain_in_background(service)
    _wait_healthy(service, deadline)
    return service


def _drain_in_background(service: Service) -> None:
    def drain() -> None:
        assert service.process.stdout is not None
        for line in service.process.stdout:
            service.output.append(line)

    threading.Thread(target=drain, daemon=True).start()


def _wait_healthy(service: Service, deadline: float) -> None:
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise AssertionError("factcheck up exited:\n" + "".join(service.output[-60:]))
        try:
            if requests.get(service.base_url + "/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError("factcheck up never became healthy:\n" + "".join(service.output[-60:]))


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in result.stdout.split() if int(p) != pid]

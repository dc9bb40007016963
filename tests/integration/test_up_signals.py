"""Ctrl-C (SIGINT) or SIGTERM stops `factcheck up` cleanly whenever it comes.

Each test waits for what `up` prints at a stage, signals it then, and checks the
one outcome allowed at any moment: exit status 0, `factcheck stopped` as the last
line, no traceback, and no process left on its data dir. The deadlines only bound
a failure; `up` itself stops its children within 10 s.
"""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.service import Service, _wait_healthy, launch, processes_on, wait_for

pytestmark = pytest.mark.integration

STOP_DEADLINE = 60.0


def assert_stopped_cleanly(service: Service, data_dir) -> None:
    try:
        code = service.process.wait(STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        service.process.kill()
        raise
    service.wait_for_line("factcheck stopped")
    output = "".join(service.output)
    assert code == 0, output[-4000:]
    assert service.output[-1] == "factcheck stopped\n", output[-4000:]
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output[-4000:]
    wait_for(lambda: processes_on(data_dir) == [], "every process of factcheck up ending")


@pytest.mark.parametrize(
    ("stage", "signum"),
    [
        ("migrating the database", signal.SIGINT),
        ("loading the demo library and accounts", signal.SIGTERM),
        ("starting web, worker and beat", signal.SIGINT),
    ],
)
def test_a_signal_during_start_up_stops_everything(tmp_path, stage, signum):
    service = launch({}, tmp_path, "--demo")
    service.wait_for_line(stage)
    service.process.send_signal(signum)
    assert_stopped_cleanly(service, tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_running_stops_everything(tmp_path, signum):
    service = launch({}, tmp_path, "--demo")
    service.wait_for_line("Ctrl-C stops it")
    _wait_healthy(service, time.monotonic() + 60.0)
    service.process.send_signal(signum)
    assert_stopped_cleanly(service, tmp_path)

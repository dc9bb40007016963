"""Ctrl-C (SIGINT) or SIGTERM stops `factcheck up` cleanly whenever it comes.

Each test waits for what `up` prints at a stage, signals it then, and checks the
one outcome allowed at any moment: exit status 0, `factcheck stopped` as the last
line, no traceback, and no process left on its data dir. The deadlines only bound
a failure; `up` itself stops its children within 10 s.
"""

from __future__ import annotations

import signal
import time

import pytest

from tests.service import _wait_healthy, assert_stopped_cleanly, launch

pytestmark = pytest.mark.integration


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


def test_sigterm_while_running_stops_everything(tmp_path):
    """Ctrl-C while running: every test that starts a service stops it so
    (``Service.stop``), the full flows and the README walk with these checks."""
    service = launch({}, tmp_path, "--demo")
    service.wait_for_line("Ctrl-C stops it")
    _wait_healthy(service, time.monotonic() + 60.0)
    service.process.send_signal(signal.SIGTERM)
    assert_stopped_cleanly(service, tmp_path)

"""How `factcheck up` turns signals into one stop, and stops its children."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from factcheck.supervisor import Children, Stop, StopSignals

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
# Ignores SIGTERM, starts a child of its own (in its process group), then writes that
# child's pid to the file named by its argument.
STUBBORN = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[1] + ".part", "w").write(str(child.pid))
os.rename(sys.argv[1] + ".part", sys.argv[1])
time.sleep(600)
"""
DEADLINE = 60.0  # bounds a failure only


@pytest.fixture
def signals():
    signals = StopSignals()
    signals.install()
    yield signals
    signals.restore()


def test_a_signal_raises_stop_once(signals):
    with pytest.raises(Stop):
        os.kill(os.getpid(), signal.SIGTERM)
    signals.stopping()
    os.kill(os.getpid(), signal.SIGINT)  # noted, not raised: the stop is under way
    assert signals.received == signal.SIGINT


def test_a_signal_inside_deferred_waits_for_its_end(signals):
    with pytest.raises(Stop), signals.deferred():
        os.kill(os.getpid(), signal.SIGINT)
        reached = True
    assert reached


def test_children_report_the_first_to_exit_and_all_stop(signals):
    children = Children(signals)
    children.start("quick", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ))
    children.start("slow", SLEEPER, dict(os.environ))
    assert children.watch() == "quick exited with status 3"
    children.stop()
    assert children.processes["slow"].returncode == -signal.SIGTERM


def test_stop_kills_what_ignores_sigterm_with_its_group(signals, tmp_path):
    children = Children(signals)
    ready = tmp_path / "grandchild.pid"
    children.start("stubborn", [sys.executable, "-c", STUBBORN, str(ready)], dict(os.environ))
    grandchild = int(wait_for_file(ready).read_text())
    children.stop(grace=0.5)
    assert children.processes["stubborn"].returncode == -signal.SIGKILL
    assert wait_until_dead(grandchild)


def wait_for_file(path: Path) -> Path:
    deadline = time.monotonic() + DEADLINE
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)
    return path


def wait_until_dead(pid: int) -> bool:
    """Gone, or a zombie that only waits for whoever adopted it to reap it."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "\nState:\tZ" in status:
            return True
        time.sleep(0.02)
    return False

"""The processes `factcheck up` runs, and how a signal stops them all.

SIGINT and SIGTERM become a ``Stop`` exception in the main thread, wherever it is
(checking, migrating, loading the demo, starting or watching children), so one
``except Stop`` in `up` stops everything. The children run in their own sessions:
the terminal's Ctrl-C reaches only `up`, which stops them with SIGTERM, and
SIGKILL for what still runs after a grace period.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 7.0  # SIGTERM, then SIGKILL: all gone within 10 s of the signal
POLL_SECONDS = 0.2


class Stop(BaseException):
    """A signal asked `factcheck up` to stop. A BaseException, as KeyboardInterrupt is,
    so that no ``except Exception`` in a library on the way swallows it."""


class StopSignals:
    """Turns SIGINT and SIGTERM into ``Stop``; inside ``deferred()`` the signal waits
    for the block's end, and once stopping, later signals change nothing."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._deferring = False
        self._stopping = False
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        """The handlers from before ``install`` (for a caller that goes on, as tests do)."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def stopping(self) -> None:
        """From now on a signal is noted, not raised: the stop is under way."""
        self._stopping = True

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """No ``Stop`` inside the block, raised at its end instead: a child started in
        it is always recorded, database work is never cut off mid-statement."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self.received is not None and not self._stopping:
            raise Stop

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        first = self.received is None
        self.received = signum
        if first and not self._deferring and not self._stopping:
            raise Stop


class Children:
    """The processes one `factcheck up` started, by name."""

    def __init__(self, signals: StopSignals) -> None:
        self.signals = signals
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        with self.signals.deferred():
            self.processes[name] = subprocess.Popen(command, env=env, start_new_session=True)

    def watch(self) -> str:
        """Wait until a child exits, and say which and how (a signal raises ``Stop``)."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return f"{name} exited with status {process.returncode}"
            time.sleep(POLL_SECONDS)

    def stop(self, grace: float = GRACE_SECONDS) -> None:
        """SIGTERM to each child, SIGKILL to its whole group after ``grace`` seconds."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.0, deadline - time.monotonic()))
        for process in self.processes.values():
            # Its group also holds what it started (Celery's pool, gunicorn's workers).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

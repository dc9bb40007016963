"""Slow clients (slowloris): connections that send a request's headers one line every
few seconds and never finish them, each holding whatever the server gave it."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Slowloris:
    """``count`` connections to host:port, each sending a header line every ``interval``
    seconds from one background thread, until the block ends. With ``reopen``, a
    connection the server closes is replaced, as an attacker would (bench/slow_clients.py),
    so that ``count`` are open at all times."""

    def __init__(
        self, host: str, port: int, count: int = 200, interval: float = 2.0, reopen: bool = False
    ) -> None:
        self.host = host
        self.port = port
        self.count = count
        self.interval = interval
        self.reopen = reopen
        self.sockets: list[socket.socket] = []
        self.open: set[socket.socket] = set()
        self.closed_by_server = 0
        self.rounds = 0  # header lines sent on every connection still open
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)

    def __enter__(self) -> Slowloris:
        for _ in range(self.count):
            self._connect()
        self._thread.start()
        return self

    def _connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=10)
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {self.host}\r\n".encode())
        self.sockets.append(sock)
        self.open.add(sock)

    def __exit__(
        self, _type: type[BaseException] | None, _value: object, _tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()

    def wait_rounds(self, rounds: int) -> None:
        """Until every open connection has sent ``rounds`` more header lines."""
        target = self.rounds + rounds
        while self.rounds < target and not self._stop.is_set():
            self._stop.wait(0.1)

    def _drip(self) -> None:
        line = 0
        while not self._stop.wait(self.interval):
            line += 1
            for sock in list(self.open):
                try:
                    sock.sendall(f"X-Slow-{line}: {line}\r\n".encode())
                except OSError:  # the server closed it: it no longer holds anything
                    self.open.discard(sock)
                    sock.close()
                    self.closed_by_server += 1
                    if self.reopen:
                        with contextlib.suppress(OSError):  # refused: one fewer from now on
                            self._connect()
            self.rounds = line

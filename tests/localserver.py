"""A real HTTP server on 127.0.0.1 for tests: answers the way a remote API would.

    with LocalServer() as server:
        server.route("/w/api.php", lambda request: Answer.json({...}))
        client.get(server.url("/w/api.php"))

Handlers get the parsed request and return an ``Answer``; every request is
recorded in ``server.requests`` so tests can check what was sent. An ``Answer``
may be sent chunked (no Content-Length); ``LocalServer(tls=context)`` serves https.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Answer:
    status: int = 200
    body: bytes | Callable[[], Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (latency, hangs)
    chunked: bool = False  # send the body chunked, with no Content-Length

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> Answer:
        return cls(
            status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers}
        )

    @classmethod
    def html(cls, text: str, status: int = 200, **headers: str) -> Answer:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8", **headers})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Answer:
        return cls(status, b"", {"Location": location})


Handler = Callable[[Request], Answer]


class LocalServer:
    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.scheme = "https" if tls else "http"
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a hanging answer must not hold up shutdown
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def host(self) -> str:
        return f"{self._server.server_address[0]}:{self._server.server_address[1]}"

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://{self.host}{path}"

    def route(self, path: str, handler: Handler | Answer) -> None:
        self.routes[path] = handler if callable(handler) else (lambda _request: handler)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_HEAD(self) -> None:
                self._answer()

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                server.requests.append(request)
                handler = server.routes.get(parts.path)
                answer = handler(request) if handler else Answer(404, b"not found")
                if answer.delay:
                    time.sleep(answer.delay)
                body = answer.body() if callable(answer.body) else answer.body
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may give up early (a size cap, a time-out): that is expected.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if self.command != "HEAD":
                        self._write_body(body, answer.chunked)

            def _write_body(self, body: bytes, chunked: bool, size: int = 64 * 1024) -> None:
                if not chunked:
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), size):
                    piece = body[start : start + size]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *_args: object) -> None:
                pass

        return _Handler

"""What every fake remote API shares: a LocalServer route, latency and failure modes.

A fake answers on one path of a ``LocalServer`` (its own, or one shared with
other fakes). Set ``latency`` (seconds, or a (low, high) range) to slow every
answer down, and ``failure`` to one of ``FAILURES`` to make it misbehave; with
``fail_times=N`` only the first N requests fail, so retries can be tested. All
three may be changed while running.
"""

from __future__ import annotations

import random
from typing import Any, Self

from factcheck.http import HttpClient
from factcheck.settings import Settings
from tests.localserver import Answer, LocalServer, Request

# The failure modes, and what the fake does for each:
FAILURES = (
    "rate_limited",  # 429 with Retry-After: 1
    "unavailable",  # 503 with Retry-After: 1
    "hang",  # answers only after hang_seconds, past any sane read time-out
    "huge",  # a 20 MB body
    "wrong_type",  # 200, but text/html instead of JSON
    "invalid_json",  # 200 application/json that does not parse
    "redirect_metadata",  # 302 to the cloud metadata address (the SSRF guard must refuse)
)
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
HUGE_BYTES = 20 * 1024 * 1024
# Far past any client time-out, so that on a busy machine no retry ever sees the answer.
HANG_SECONDS = 60.0


def failure_answer(failure: str, hang_seconds: float = HANG_SECONDS) -> Answer:
    """The answer for one of ``FAILURES``."""
    if failure == "rate_limited":
        return Answer.json({"error": "rate limited"}, status=429, **{"Retry-After": "1"})
    if failure == "unavailable":
        return Answer(
            503, b"Service Unavailable", {"Content-Type": "text/plain", "Retry-After": "1"}
        )
    if failure == "hang":
        return Answer(200, b"{}", {"Content-Type": "application/json"}, delay=hang_seconds)
    if failure == "huge":
        return Answer(200, lambda: b" " * HUGE_BYTES, {"Content-Type": "application/json"})
    if failure == "wrong_type":
        return Answer.html("<html><body>Not the API</body></html>")
    if failure == "invalid_json":
        return Answer(200, b'{"query": {"search": [', {"Content-Type": "application/json"})
    if failure == "redirect_metadata":
        return Answer.redirect(METADATA_URL)
    raise ValueError(f"unknown failure mode {failure!r}; one of {FAILURES}")


def delay_of(latency: float | tuple[float, float]) -> float:
    """A fixed latency, or one drawn uniformly from (low, high) for each answer."""
    return random.uniform(*latency) if isinstance(latency, tuple) else latency


class FakeService:
    """Base class: subclasses set ``path`` and implement ``answer(request)``."""

    path = "/"

    def __init__(
        self,
        *,
        server: LocalServer | None = None,
        latency: float | tuple[float, float] = 0.0,
        failure: str | None = None,
        fail_times: int | None = None,
        hang_seconds: float = HANG_SECONDS,
    ) -> None:
        self._owns_server = server is None
        self.server = server or LocalServer()
        self.latency = latency
        self.failure = failure
        self.fail_times = fail_times
        self.hang_seconds = hang_seconds
        self._failed = 0
        self.server.route(self.path, self._handle)

    def __enter__(self) -> Self:
        if self._owns_server:
            self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owns_server:
            self.server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def requests(self) -> list[Request]:
        return [request for request in self.server.requests if request.path == self.path]

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    def _handle(self, request: Request) -> Answer:
        answer = self._failure() or self.answer(request)
        answer.delay += delay_of(self.latency)
        return answer

    def _failure(self) -> Answer | None:
        if self.failure is None:
            return None
        if self.fail_times is not None and self._failed >= self.fail_times:
            return None
        self._failed += 1
        return failure_answer(self.failure, self.hang_seconds)


def fake_settings(*hosts: str, **overrides: Any) -> Settings:
    """Settings for talking to fakes: their hosts allowed past the SSRF guard, no
    retries, no rate limit and short time-outs, so failure tests run fast."""
    values: dict[str, Any] = {
        "http_allow_hosts": ",".join(hosts),
        "http_retries": 0,
        "http_rate_per_host": 0,
        "http_ratelimit_redis_url": "",
        "broker_url": "",  # not Redis, so the rate limiter stays in-process
        "http_connect_timeout": 1.0,
        "http_read_timeout": 1.0,
        "http_total_timeout": 5.0,
        "http_backoff_seconds": 0.01,
    }
    values.update(overrides)
    return Settings(**values)


def client_for(server: LocalServer | FakeService | None = None, **overrides: Any) -> HttpClient:
    """An HTTP client that lets ``server`` past the SSRF guard (none: it guards everything)."""
    hosts = (server.host,) if server else ()
    return HttpClient(fake_settings(*hosts, **overrides))

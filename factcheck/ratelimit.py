"""Per-host rate limits for the outbound HTTP client, shared by every worker.

A limiter hands out time slots: ``reserve(host)`` books the next free slot for
that host and returns how many seconds the caller must wait before sending.
Slots are ``1 / rate`` seconds apart, so requests to one host are spaced
evenly (a leaky bucket without a burst allowance) however many workers send.

In production the slots live in Redis (one key per host, booked by a small Lua
script that uses Redis' own clock, so workers on different machines agree);
otherwise in the process. If Redis stops answering, the process falls back to
its own limiter rather than failing every fetch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

from factcheck.settings import Settings

log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    def reserve(self, host: str) -> float:
        """Book the next slot for ``host``; return the seconds to wait before using it."""
        ...


class LocalRateLimiter:
    """Slots kept in this process (thread-safe); for the embedded stack and tests."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock = clock
        self._next_free: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, host: str) -> float:
        if not self.interval:
            return 0.0
        with self._lock:
            now = self.clock()
            slot = max(now, self._next_free.get(host, now))
            self._next_free[host] = slot + self.interval
            if len(self._next_free) > 10_000:  # hosts seen once long ago need no slot
                self._forget_past(now)
            return slot - now

    def _forget_past(self, now: float) -> None:
        for host in [h for h, free in self._next_free.items() if free <= now]:
            del self._next_free[host]


# KEYS[1]: the host's key. ARGV[1]: the interval in milliseconds. Returns the wait in ms.
# TIME inside a script is fine since Redis 5 (scripts replicate their effects).
_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1])) or now)
local ttl = math.ceil(slot + interval - now) + 1000
redis.call('SET', KEYS[1], string.format('%.3f', slot + interval), 'PX', ttl)
return string.format('%.3f', slot - now)
"""


class RedisRateLimiter:
    """Slots kept in Redis, so every worker process shares one limit per host."""

    def __init__(
        self,
        client: redis.Redis,
        per_second: float,
        fallback: RateLimiter,
        prefix: str = "factcheck:http:rate:",
    ) -> None:
        self.interval_ms = 1000.0 / per_second if per_second > 0 else 0.0
        self.client = client
        self.fallback = fallback
        self.prefix = prefix
        self._script = client.register_script(_RESERVE_SCRIPT)

    def reserve(self, host: str) -> float:
        if not self.interval_ms:
            return 0.0
        try:
            wait_ms = self._script(keys=[self.prefix + host], args=[self.interval_ms])
        except redis.RedisError as error:
            log.warning("rate limit: Redis unavailable (%s); limiting in this process only", error)
            return self.fallback.reserve(host)
        return float(wait_ms) / 1000.0


def redis_url_for_rate_limits(settings: Settings) -> str:
    """The dedicated setting, else the broker when it is Redis, else "" (in-process)."""
    if settings.http_ratelimit_redis_url:
        return settings.http_ratelimit_redis_url
    if settings.broker_url.startswith(("redis://", "rediss://")):
        return settings.broker_url
    return ""


def make_rate_limiter(
    settings: Settings, clock: Callable[[], float] = time.monotonic
) -> RateLimiter:
    local = LocalRateLimiter(settings.http_rate_per_host, clock)
    url = redis_url_for_rate_limits(settings)
    if not url:
        return local
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return RedisRateLimiter(client, settings.http_rate_per_host, fallback=local)

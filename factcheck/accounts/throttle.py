"""Slow down password guessing: failed sign-ins are counted per account and per
address in fixed windows; past a limit, sign-in answers 429 until the window ends.

The counts must be shared by every web process: in Redis when the broker is
Redis (production), else in the database (the embedded default).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import redis
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import ThrottleCount
from factcheck.db import Database


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window_seconds: int = 15 * 60


class Counter(Protocol):
    def count(self, key: str, window: int) -> int: ...

    def hit(self, key: str, window: int) -> int: ...

    def clear(self, key: str) -> None: ...


class RedisCounter:
    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=2)

    def count(self, key: str, window: int) -> int:
        return int(self.redis.get(self._key(key, window)) or 0)

    def hit(self, key: str, window: int) -> int:
        name = self._key(key, window)
        with self.redis.pipeline() as pipe:
            pipe.incr(name)
            pipe.expire(name, window)
            hits, _ = pipe.execute()
        return int(hits)

    def clear(self, key: str) -> None:
        for name in self.redis.scan_iter(f"factcheck:throttle:{key}:*"):
            self.redis.delete(name)

    @staticmethod
    def _key(key: str, window: int) -> str:
        return f"factcheck:throttle:{key}:{int(time.time()) // window}"


class DatabaseCounter:
    def __init__(self, database: Database) -> None:
        self.database = database

    def count(self, key: str, window: int) -> int:
        with self.database.read_scope() as session:
            row = session.get(ThrottleCount, (key, _window_start(window)))
            return row.hits if row else 0

    def hit(self, key: str, window: int) -> int:
        start = _window_start(window)
        with self.database.scope() as session:
            row = session.get(ThrottleCount, (key, start), with_for_update=True)
            if row is None:
                row = ThrottleCount(key=key, window_start=start, hits=0)
                session.add(row)
            row.hits += 1
            _forget_old(session, start)
            return row.hits

    def clear(self, key: str) -> None:
        with self.database.scope() as session:
            session.execute(delete(ThrottleCount).where(ThrottleCount.key == key))


def _window_start(window: int) -> int:
    return int(time.time()) // window * window


def _forget_old(session: Session, current: int) -> None:
    stale = select(ThrottleCount.key).where(ThrottleCount.window_start < current).limit(100)
    if session.scalar(stale) is not None:
        session.execute(delete(ThrottleCount).where(ThrottleCount.window_start < current))


class SigninThrottle:
    def __init__(self, counter: Counter, limits: Limits = Limits()) -> None:
        self.counter = counter
        self.limits = limits

    def retry_after(self, name: str, address: str) -> int | None:
        """Seconds to wait when either count is at its limit, else None."""
        window = self.limits.window_seconds
        if (
            self.counter.count(_account(name), window) >= self.limits.per_account
            or self.counter.count(_address(address), window) >= self.limits.per_address
        ):
            return window - int(time.time()) % window
        return None

    def failed(self, name: str, address: str) -> None:
        self.counter.hit(_account(name), self.limits.window_seconds)
        self.counter.hit(_address(address), self.limits.window_seconds)

    def succeeded(self, name: str) -> None:
        self.counter.clear(_account(name))


def _account(name: str) -> str:
    return f"account:{name.strip().lower()[:64]}"


def _address(address: str) -> str:
    return f"address:{address[:64]}"

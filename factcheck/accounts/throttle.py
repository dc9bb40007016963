"""Slow down password guessing without letting anyone lock a user out.

Sign-in attempts are counted in fixed windows (15 minutes) per address and per
(account, address), where an address is an IPv4 address or an IPv6 /64 (one
subscriber's network: an attacker holding one has all its addresses):

- an address that made ``per_address`` attempts that failed, on any accounts, waits
  for the window's end (password spraying);
- so does an (account, address) pair after ``per_pair`` (guessing one password);
- past ``free_failures`` failures of an account, from anywhere, an address that has
  already failed for it gets one attempt every 2, 4, 8 ... s (at most
  ``max_delay_seconds``), shared by all such addresses (a progressive slow-down).

An address that has not failed for the account always gets its attempt: thirty
wrong passwords from thirty addresses never keep the owner out from another one.

Counting is atomic: an attempt books its place before the password is checked
(an INCRBY in Redis, an ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the
database) and is refused if the count it got is past the limit, so concurrent
attempts cannot all read a count under the limit and all go ahead. A right password
gives its place back. The counts are shared by every web process: in Redis when the
broker is Redis (production), else in the database (the embedded default).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Protocol

import redis
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from factcheck.accounts.models import ThrottleCount
from factcheck.db import Database


@dataclass(frozen=True)
class Limits:
    per_pair: int = 5  # attempts of one address on one account
    per_address: int = 20  # attempts of one address, on every account
    free_failures: int = 5  # an account's failures before it is slowed down
    max_delay_seconds: int = 60
    window_seconds: int = 15 * 60

    def delay(self, failures: int) -> int:
        """Seconds between attempts on an account with ``failures`` in the window."""
        if failures < self.free_failures:
            return 0
        return min(2 ** (failures - self.free_failures + 1), self.max_delay_seconds)


class Counter(Protocol):
    def add(self, key: str, window: int, amount: int = 1) -> int:
        """Add ``amount`` to the window's count, atomically; return the new count."""
        ...

    def count(self, key: str, window: int) -> int: ...

    def take_slot(self, key: str, seconds: int) -> int:
        """Hold ``key`` for ``seconds`` unless it is held: 0 when taken, else the
        seconds until it is free. Atomic."""
        ...

    def clear(self, key: str) -> None: ...


class RedisCounter:
    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, socket_timeout=2)

    def add(self, key: str, window: int, amount: int = 1) -> int:
        name = self._key(key, window)
        with self.redis.pipeline() as pipe:  # MULTI ... EXEC
            pipe.incrby(name, amount)
            pipe.expire(name, window)
            hits, _ = pipe.execute()
        return int(hits)

    def count(self, key: str, window: int) -> int:
        return int(self.redis.get(self._key(key, window)) or 0)

    def take_slot(self, key: str, seconds: int) -> int:
        name = f"factcheck:throttle:{key}"
        if self.redis.set(name, 1, nx=True, ex=seconds):
            return 0
        return max(int(self.redis.ttl(name)), 1)

    def clear(self, key: str) -> None:
        for name in self.redis.scan_iter(f"factcheck:throttle:{key}:*"):
            self.redis.delete(name)
        self.redis.delete(f"factcheck:throttle:{key}")

    @staticmethod
    def _key(key: str, window: int) -> str:
        return f"factcheck:throttle:{key}:{int(time.time()) // window}"


class DatabaseCounter:
    """Counts in ``throttle_counts``; a slot is a row whose ``hits`` is the time it
    is held until."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, key: str, window: int, amount: int = 1) -> int:
        start = _window_start(window)
        with self.database.scope() as session:
            upsert = _insert(session).values(key=key, window_start=start, hits=amount)
            hits = session.scalar(
                upsert.on_conflict_do_update(
                    index_elements=["key", "window_start"],
                    set_={"hits": ThrottleCount.hits + upsert.excluded.hits},
                ).returning(ThrottleCount.hits)
            )
            _forget_old(session, start)
            return int(hits or 0)

    def count(self, key: str, window: int) -> int:
        with self.database.read_scope() as session:
            row = session.get(ThrottleCount, (key, _window_start(window)))
            return row.hits if row else 0

    def take_slot(self, key: str, seconds: int) -> int:
        now = int(time.time())
        with self.database.scope() as session:
            upsert = _insert(session).values(key=key, window_start=0, hits=now + seconds)
            taken = session.scalar(
                upsert.on_conflict_do_update(
                    index_elements=["key", "window_start"],
                    set_={"hits": upsert.excluded.hits},
                    where=ThrottleCount.hits <= now,  # only a slot no longer held
                ).returning(ThrottleCount.hits)
            )
            if taken is not None:
                return 0
            held_until = session.scalar(
                select(ThrottleCount.hits).where(
                    ThrottleCount.key == key, ThrottleCount.window_start == 0
                )
            )
            return max((held_until or now) - now, 1)

    def clear(self, key: str) -> None:
        with self.database.scope() as session:
            session.execute(delete(ThrottleCount).where(ThrottleCount.key == key))


def _insert(session: Session) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ThrottleCount)


def _window_start(window: int) -> int:
    return int(time.time()) // window * window


def _forget_old(session: Session, current: int) -> None:
    """Counts of past windows, and slots no longer held (window 0), are dropped."""
    stale = (ThrottleCount.window_start > 0) & (ThrottleCount.window_start < current)
    free = (ThrottleCount.window_start == 0) & (ThrottleCount.hits < int(time.time()))
    if session.scalar(select(ThrottleCount.key).where(stale | free).limit(1)) is not None:
        session.execute(delete(ThrottleCount).where(stale | free))


class SigninThrottle:
    def __init__(self, counter: Counter, limits: Limits = Limits()) -> None:
        self.counter = counter
        self.limits = limits

    def attempt(self, name: str, address: str) -> int | None:
        """Book a sign-in attempt: None to go ahead (then ``failed`` or ``succeeded``
        must follow), else the seconds to wait (and nothing is booked)."""
        window, limits = self.limits.window_seconds, self.limits
        address_key = _address(address_group(address))
        pair_key = _pair(name, address_group(address))
        if self.counter.add(address_key, window) > limits.per_address:
            return self._refused([address_key], self._window_left())
        earlier = self.counter.add(pair_key, window) - 1
        if earlier >= limits.per_pair:
            return self._refused([address_key, pair_key], self._window_left())
        delay = limits.delay(self.counter.count(_account(name), window)) if earlier else 0
        wait = self.counter.take_slot(_slot(name), delay) if delay else 0
        if wait:  # this address failed for this account, and it is being slowed down
            return self._refused([address_key, pair_key], wait)
        return None

    def _refused(self, booked: list[str], wait: int) -> int:
        """Give back the places booked by a refused attempt: only tries count."""
        for key in booked:
            self.counter.add(key, self.limits.window_seconds, -1)
        return wait

    def failed(self, name: str, address: str) -> None:
        self.counter.add(_account(name), self.limits.window_seconds)

    def succeeded(self, name: str, address: str) -> None:
        """The owner is in: the address gets its place back; the account's failures
        and this address's on it are forgotten."""
        self.counter.add(_address(address_group(address)), self.limits.window_seconds, -1)
        self.counter.clear(_pair(name, address_group(address)))
        self.counter.clear(_account(name))
        self.counter.clear(_slot(name))

    def _window_left(self) -> int:
        window = self.limits.window_seconds
        return window - int(time.time()) % window


def address_group(address: str) -> str:
    """What one client is counted as: an IPv4 address, or an IPv6 address's /64
    (IPv4-mapped IPv6 is the IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _name(name: str) -> str:
    return name.strip().lower()[:64]


def _account(name: str) -> str:
    return f"account:{_name(name)}"


def _slot(name: str) -> str:
    return f"slot:{_name(name)}"


def _pair(name: str, group: str) -> str:
    # Hashed: the name and an IPv6 network together could pass the key's 80 characters.
    digest = hashlib.sha256(f"{_name(name)}\n{group}".encode()).hexdigest()[:40]
    return f"pair:{digest}"


def _address(group: str) -> str:
    return f"address:{group}"

"""Failed sign-ins counted per key, shared by every process of the service (issue 16.5: the
per-address throttle lived in one process's memory), and requests counted per key for the public
/verify look-ups (issue 16.6: 40 look-ups in 0.29 s listed holders; the first limiter was in one
process's memory too, so two waitress processes or a restart doubled or reset it).

Two stores with one interface: the database (the default: a row per key in ``login_throttle``,
written in the request's own transaction, which a failed sign-in keeps) and Redis when
``WUHAO_REDIS_URL`` is set (a hash per key that expires with its window).

``fail`` counts one failure (a new window when the last one is over) and sets how long the key
must wait before the next attempt is even checked; ``state`` reads that; ``clear`` forgets a key.
``hit`` counts one request in a fixed window and answers 0 (allowed) or the whole seconds until the
window ends; ``count_request`` does that in its own short transaction (a GET's session only reads).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

import redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import session_scope
from .models import LoginThrottle

Delay = Callable[[int], float]  # failures so far -> seconds to wait before the next attempt


@dataclass(frozen=True)
class State:
    failures: int
    blocked_until: Optional[datetime]

    def wait_seconds(self, now: datetime) -> float:
        if self.blocked_until is None:
            return 0.0
        return max(0.0, (self.blocked_until - now).total_seconds())


def _aware(value: Optional[datetime]) -> Optional[datetime]:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class DatabaseStore:
    """Rows of ``login_throttle`` in the caller's session (committed with the failed sign-in)."""

    def __init__(self, session: Session):
        self.session = session

    def state(self, key: str, window: float, now: datetime) -> State:
        row = self.session.get(LoginThrottle, key)
        if row is None or (now - _aware(row.window_start)).total_seconds() > window:
            return State(0, None)
        return State(row.failures, _aware(row.blocked_until))

    def fail(self, key: str, window: float, now: datetime, delay: Delay) -> int:
        row = self.session.get(LoginThrottle, key)
        if row is None:
            savepoint = self.session.begin_nested()
            try:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                self.session.add(row)
                self.session.flush()
                savepoint.commit()
            except IntegrityError:  # another process counted this key's first failure meanwhile
                savepoint.rollback()
                row = self.session.get(LoginThrottle, key)
        if (now - _aware(row.window_start)).total_seconds() > window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        wait = delay(row.failures)
        row.blocked_until = now + timedelta(seconds=wait) if wait > 0 else None
        self.session.flush()
        return row.failures

    def hit(self, key: str, limit: int, window: float, now: datetime) -> int:
        """One request of ``key``: 0 if allowed, else the whole seconds until its window ends. The row
        is read FOR UPDATE (PostgreSQL; SQLite's writers queue on BEGIN IMMEDIATE), so two processes
        counting the same key at once never both take the last request of a window."""
        row = self._locked(key)
        if row is None:
            savepoint = self.session.begin_nested()
            try:
                self.session.add(LoginThrottle(key=key, failures=0, window_start=now))
                self.session.flush()
                savepoint.commit()
            except IntegrityError:  # another process counted this key's first request meanwhile
                savepoint.rollback()
            row = self._locked(key)
        elapsed = (now - _aware(row.window_start)).total_seconds()
        if elapsed >= window or elapsed < 0:
            row.failures, row.window_start, elapsed = 0, now, 0.0
        if row.failures >= limit:
            return max(1, math.ceil(window - elapsed))
        row.failures += 1
        self.session.flush()
        return 0

    def _locked(self, key: str) -> Optional[LoginThrottle]:
        return self.session.execute(select(LoginThrottle).where(LoginThrottle.key == key)
                                    .with_for_update().execution_options(populate_existing=True)
                                    ).scalar_one_or_none()

    def clear(self, key: str) -> None:
        row = self.session.get(LoginThrottle, key)
        if row is not None:
            self.session.delete(row)
            self.session.flush()


class RedisStore:
    """A hash per key (``failures``, ``until`` as epoch seconds) that expires with its window."""

    PREFIX = "wuhao:login:"

    def __init__(self, client: "redis.Redis"):
        self.client = client

    def state(self, key: str, window: float, now: datetime) -> State:
        data = self.client.hgetall(self.PREFIX + key)
        if not data:
            return State(0, None)
        until = float(data.get(b"until", 0) or 0)
        return State(int(data.get(b"failures", 0)),
                     datetime.fromtimestamp(until, timezone.utc) if until else None)

    def fail(self, key: str, window: float, now: datetime, delay: Delay) -> int:
        name = self.PREFIX + key
        pipe = self.client.pipeline()
        pipe.hincrby(name, "failures", 1)
        pipe.expire(name, int(window) + 1, nx=True)
        failures = int(pipe.execute()[0])
        wait = delay(failures)
        self.client.hset(name, "until", now.timestamp() + wait if wait > 0 else 0)
        return failures

    def hit(self, key: str, limit: int, window: float, now: datetime) -> int:
        """One request of ``key`` in a counter that expires with its window (INCR is atomic across
        processes); past ``limit`` the caller waits for the counter's remaining life."""
        name = self.PREFIX + key
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, max(1, math.ceil(window)), nx=True)
        pipe.ttl(name)
        count, _, ttl = pipe.execute()
        if int(count) <= limit:
            return 0
        return max(1, int(ttl) if int(ttl) > 0 else math.ceil(window))

    def clear(self, key: str) -> None:
        self.client.delete(self.PREFIX + key)


_CLIENTS: dict[str, "redis.Redis"] = {}


def store_for(session: Session, redis_url: Optional[str]):
    """The throttle store of this deployment: Redis when configured, else the database."""
    if not redis_url:
        return DatabaseStore(session)
    client = _CLIENTS.get(redis_url)
    if client is None:
        client = _CLIENTS[redis_url] = redis.Redis.from_url(redis_url, socket_timeout=2)
    return RedisStore(client)


def count_request(database_url: str, redis_url: Optional[str], key: str, limit: int, window: float) -> int:
    """Count one request of ``key`` (at most ``limit`` per ``window`` seconds) in the shared store,
    committed at once in a transaction of its own: 0 if allowed, else the seconds to wait."""
    now = datetime.now(timezone.utc)
    if redis_url:
        return store_for(None, redis_url).hit(key, limit, window, now)
    with session_scope(database_url) as session:
        return DatabaseStore(session).hit(key, limit, window, now)

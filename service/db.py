"""Database plumbing: the declarative base, engines and sessions.

The same models and migrations serve SQLite (the embedded default) and PostgreSQL.
Request code gets a session from ``get_session()``; scripts use ``session_scope``.

SQLite never freezes (issue 16: during a 34 s upload ``GET /api/v1/me`` failed with
``database is locked``): WAL lets readers and one writer work at once; requests that only
read (GET, HEAD, OPTIONS) begin DEFERRED and never take the write lock; writers begin
IMMEDIATE (so two writers queue instead of failing on a stale snapshot), and slow work —
parsing, rendering — runs between transactions (``release``), never inside one. A writer
waits at most ``BUSY_TIMEOUT_MS`` for the lock; past that the request gets a 503 with
``Retry-After`` (``is_busy``), not a 500.

The writers of one process queue for the lock in arrival order (``_WriteGate``) before they ask
SQLite for it. SQLite's own busy handler polls with sleeps growing to 100 ms, so a writer that
arrived first often lost the lock to later ones again and again: with 50 clients uploading, the
slowest 1% of uploads waited 0.85 s for ``BEGIN IMMEDIATE`` (up to 1.6 s) while the lock was held
13 ms per transaction. The busy handler now only arbitrates between processes (batch workers,
the ``wuhao`` command).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import deque
from contextlib import contextmanager
from typing import Iterator

from flask import current_app, g, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names so Alembic migrations are identical on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


BUSY_TIMEOUT_MS = 5000  # a writer waits this long for the lock; write transactions last milliseconds
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Take transaction control away from pysqlite (its implicit BEGIN breaks
    # SAVEPOINT); _sqlite_begin below starts each transaction itself.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at each checkpoint, no fsync per commit
    cur.close()


class _WriteGate:
    """A lock taken in arrival order (a ticket queue), with a timeout; held by a connection
    from its ``BEGIN IMMEDIATE`` to its commit or rollback, whichever thread ends it."""

    def __init__(self):
        self._cond = threading.Condition()
        self._queue: deque = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._cond:
            if not self._held and not self._queue:
                self._held = True
                return True
            me = object()
            self._queue.append(me)
            deadline = time.monotonic() + timeout
            try:
                while self._held or self._queue[0] is not me:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
                self._held = True
                return True
            finally:
                self._queue.remove(me)
                self._cond.notify_all()  # a new head of the queue (or one gone): let it look

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()


_GATES: dict[str, _WriteGate] = {}
_GATES_LOCK = threading.Lock()


# a forked child (Celery's prefork pool) starts with gates of its own: a parent's thread may have
# held one at the fork, and nothing in the child would ever let it go
os.register_at_fork(after_in_child=_GATES.clear)


def _gate_for(url: str) -> _WriteGate:
    with _GATES_LOCK:
        return _GATES.setdefault(url, _WriteGate())


class _GatedConnection(sqlite3.Connection):
    """A pysqlite connection that lets go of its write gate when its transaction ends."""

    write_gate: _WriteGate | None = None

    def _let_go(self, closing: bool = False) -> None:
        gate = self.write_gate
        if gate is not None and (closing or not self.in_transaction):
            self.write_gate = None
            gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go(closing=True)


def _sqlite_begin(conn) -> None:
    # Writers: IMMEDIATE takes the write lock up front, so two writers queue on
    # busy_timeout instead of one failing with "database is locked" on upgrade; within this
    # process they queue first on the database's write gate, in arrival order.
    # Readers (sessions from reader_factory): DEFERRED, never the write lock.
    if conn.get_execution_options().get("wuhao_read_only"):
        conn.exec_driver_sql("BEGIN DEFERRED")
        return
    raw = conn.connection.dbapi_connection
    gate = _gate_for(str(conn.engine.url)) if isinstance(raw, _GatedConnection) else None
    if gate is not None:
        if not gate.acquire(BUSY_TIMEOUT_MS / 1000):
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked (this process's writers queue)"))
        raw.write_gate = gate
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if gate is not None:
            raw.write_gate = None
            gate.release()
        raise


_ENGINES: dict[str, Engine] = {}
_FACTORIES: dict[str, sessionmaker] = {}


def engine_for(url: str) -> Engine:
    """One engine per URL per process (worker processes build their own)."""
    engine = _ENGINES.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000,
                                                 "factory": _GatedConnection})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _ENGINES[url] = engine
    return engine


def session_factory(url: str) -> sessionmaker[Session]:
    factory = _FACTORIES.get(url)
    if factory is None:
        factory = _FACTORIES[url] = sessionmaker(bind=engine_for(url), expire_on_commit=False)
    return factory


def reader_factory(url: str) -> sessionmaker[Session]:
    """Sessions for requests that only read: on SQLite their transactions begin DEFERRED."""
    key = "read-only:" + url
    factory = _FACTORIES.get(key)
    if factory is None:
        engine = engine_for(url).execution_options(wuhao_read_only=True)
        factory = _FACTORIES[key] = sessionmaker(bind=engine, expire_on_commit=False)
    return factory


def _note_write(session: Session, _flush_context) -> None:
    session.info["wrote"] = True


def _forget_write(session: Session, *_args) -> None:
    session.info.pop("wrote", None)


event.listen(Session, "after_flush", _note_write)
event.listen(Session, "after_commit", _forget_write)
event.listen(Session, "after_rollback", _forget_write)


def release(session: Session) -> None:
    """End a transaction that has only read, before slow work (a parse, a render).

    On SQLite the write lock (IMMEDIATE) or the WAL snapshot is let go, so other requests
    write meanwhile; the next statement begins a fresh, short transaction. A transaction
    that has written is a bug here (its writes would be committed half-way): it raises.
    """
    if has_written(session):
        raise RuntimeError("release() inside a transaction that has written: do the slow work first")
    if session.in_transaction():
        session.commit()
    writer_url = session.info.pop("writer_url", None)
    if writer_url is not None:  # a request that read first (reads_first): from here on it writes
        session.bind = engine_for(writer_url)


def has_written(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get("wrote"))


_BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked",
                  "could not obtain lock", "lock timeout", "deadlock detected",
                  "could not serialize access", "canceling statement due to lock timeout")


def is_busy(exc: BaseException) -> bool:
    """A lock that was not granted in time (SQLite busy, PostgreSQL lock timeout, deadlock or
    serialization failure): the request may simply be retried."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return any(m in text for m in _BUSY_MESSAGES)


def dispose_all() -> None:
    """Close every pooled connection (tests drop databases; forked workers start clean)."""
    for engine in list(_ENGINES.values()):  # a background thread (the OCR reaper) may add one meanwhile
        engine.dispose()
    _ENGINES.clear()
    _FACTORIES.clear()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def reads_first() -> None:
    """This request only reads until its use case calls :func:`release` (an upload: who is asking,
    for which branch, then the parse): its first transaction begins DEFERRED like a GET's, and
    ``release`` makes the session a writer's. On SQLite an upload then takes the write lock once,
    for its writes, instead of twice (its token and branch look-ups queued behind every writer:
    with 50 uploaders the lock was busy 70% of the time). Call it before anything opens the
    session; later it changes nothing."""
    if "db_session" not in g:
        g.wuhao_reads_first = True


def get_session() -> Session:
    """The request-scoped session of the current Flask app (closed at teardown)."""
    if "db_session" not in g:
        url = current_app.config["DATABASE_URL"]
        if request.method in READ_ONLY_METHODS:
            g.db_session = reader_factory(url)()
        elif g.get("wuhao_reads_first"):
            g.db_session = reader_factory(url)()
            g.db_session.info["writer_url"] = url
        else:
            g.db_session = session_factory(url)()
    return g.db_session


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()

"""Engines and sessions: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL.

SQLite writers start with ``BEGIN IMMEDIATE`` so a read-then-write transaction can never fail
half-way with a stale snapshot; readers start a plain deferred transaction so they run in parallel
with the single writer (WAL). PostgreSQL runs at READ COMMITTED; the audit head row is locked
``FOR UPDATE`` by every writer, which serialises the hash chain.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from abscopal.config import Settings


def is_sqlite(url: str) -> bool:
    """Whether a database URL points at SQLite."""
    return url.startswith("sqlite")


def make_engine(settings: Settings) -> Engine:
    """Create the engine for ``settings.database_url`` with the durability pragmas set."""
    url = settings.database_url
    if is_sqlite(url):
        in_memory = url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url
        pool_args: dict[str, Any] = {} if in_memory else {"pool_size": settings.db_pool_size, "max_overflow": 20}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
            **pool_args,
        )
        busy = int(settings.sqlite_busy_timeout_ms)
        sync = settings.sqlite_synchronous

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take over transaction control from the sqlite3 module (it would BEGIN lazily).
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={busy}")
            cur.execute(f"PRAGMA synchronous={sync}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(
        url, pool_size=settings.db_pool_size, max_overflow=10, pool_recycle=1800
    )


@dataclass
class Database:
    """An engine plus the two session factories the service uses (read and write).

    With SQLite, ``write_lock`` queues this process's writers in front of the database (fairly,
    without holding pool connections) instead of letting them poll SQLite's busy handler.
    """

    engine: Engine
    read: sessionmaker[Session]
    write: sessionmaker[Session]
    write_lock: threading.Lock | None = None

    @contextmanager
    def write_turn(self) -> Iterator[None]:
        """Wait for this process's turn to write (no-op for PostgreSQL)."""
        if self.write_lock is None:
            yield
            return
        with self.write_lock:
            yield

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: commit on success, roll back on any exception."""
        with self.write_turn(), self.write() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction (always rolled back)."""
        with self.read() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    """Open (not migrate) the database named by the settings."""
    engine = make_engine(settings)
    write_bind: Engine = (
        engine.execution_options(sqlite_begin="IMMEDIATE")
        if is_sqlite(settings.database_url)
        else engine
    )
    return Database(
        engine=engine,
        read=sessionmaker(bind=engine, expire_on_commit=False),
        write=sessionmaker(bind=write_bind, expire_on_commit=False),
        write_lock=threading.Lock() if is_sqlite(settings.database_url) else None,
    )


__all__ = ["Database", "is_sqlite", "make_engine", "open_database"]

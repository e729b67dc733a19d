"""Engines and sessions for the embedded SQLite file and for PostgreSQL.

SQLite: WAL, a busy timeout, and write transactions opened with
`BEGIN IMMEDIATE` so that several worker processes queue for the write lock
instead of failing with "database is locked" when a read turns into a write
(testing-notes.md; SQLAlchemy's pysqlite "serializable isolation" recipe).
Read-only transactions stay deferred so readers never wait for writers.

PostgreSQL: psycopg 3, a sized pool, and a connect timeout so an unreachable
server turns into a quick 503 rather than a hung request. A pooled connection
is pinged at checkout only when it has sat idle, and all are replaced once one
is found dead (`_ping_when_idle`): under load SQLAlchemy's `pool_pre_ping`
would add a round trip to every request. A transaction in flight when the
server goes away fails either way: a 503 the client retries with its
idempotency key (testing-notes.md, "PostgreSQL faults").

A request's database work runs inline on the event loop, so a write waiting
for a row lock held elsewhere would stall every request of the process, and
keep its connection from the pool, for as long as that lock is held:
`lock_timeout` bounds such a wait by the pool timeout, after which the
request answers 503 like one that found no free connection.

Three ways off the loop were measured with bench/load.py, and each made the
service slower on two cores shared with PostgreSQL:
- writes in the threadpool halved the reads' wait behind writes but doubled
  the writes' tail;
- SQLAlchemy's asyncio engine (psycopg's AsyncConnection, the repositories
  run through `run_sync`) cut the mix's maximum from 2,411 to 1,488 req/s:
  its greenlet and adapter layers cost more than the waits they free;
- psycopg's sync connection yielding its waits to the loop through a
  greenlet kept most of the maximum (2,083-2,133 against 2,411 req/s) but
  raised p99 at 70% load from 14.9 to 21.7 ms: a worker then runs several
  transactions at once, and their CPU work only interleaves.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

from app.settings import Settings

WRITE = "followup_write"
#: Marks a pooled connection whose psycopg autocommit `driver_autocommit`
#: switched on; the next checkout switches it back.
_DRIVER_AUTOCOMMIT = "followup_driver_autocommit"


def make_engine(settings: Settings) -> Engine:
    """The process's engine. Both kinds hide a failed statement's values from its error's
    text (`hide_parameters`): they are names, emails and notes, and the text is logged."""
    url = settings.database_url
    if url.startswith("sqlite"):
        return _sqlite_engine(url, settings)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": settings.db_connect_timeout,
            # UTC sessions: psycopg then returns timestamps with `datetime.UTC`,
            # which driver.utc passes through instead of converting from Etc/UTC.
            # With orjson below, in process: the reads and planning of an event
            # 323 -> 271 us of CPU, a stored-plan read 139 -> 112 us (medians).
            "options": f"-c lock_timeout={round(settings.db_pool_timeout * 1000)} -c timezone=UTC",
            **network_timeouts(settings.db_network_timeout),
        },
        # JSON columns (an interview's topics, agency) parsed by orjson, ~3x faster than json.loads.
        json_deserializer=orjson.loads,
        hide_parameters=True,
    )
    _ping_when_idle(engine)
    return engine


def network_timeouts(seconds: int) -> dict[str, int]:
    """libpq's TCP settings that bound a silent network path to about `seconds`.

    Database work runs inline on a worker's event loop (`Database.session`), so
    a query whose packets are dropped (a failed-over host, a firewall that
    forgot the connection) would hold the worker, `/healthz` included, for
    the kernel's defaults: about 15 minutes for sent data, for ever for an
    awaited answer. Keepalives notice a peer gone quiet; TCP_USER_TIMEOUT
    caps how long sent data may stay unacknowledged. The request then fails
    like any lost connection: a 503 with Retry-After.
    """
    return {
        "keepalives": 1,
        "keepalives_idle": max(1, seconds // 3),
        "keepalives_interval": max(1, seconds // 6),
        "keepalives_count": 3,
        "tcp_user_timeout": seconds * 1000,
    }


#: A pooled connection unused for longer than this is pinged before use.
IDLE_PING_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """`pool_pre_ping` for the connections that need it, without a round trip for the rest.

    - A connection that sat in the pool may have lost its server (a restart,
      a proxy's idle timeout): it is pinged at checkout.
    - Once any connection is found dead (the pool's `invalidate` event, fired
      for Core and driver-level statements alike), every connection opened
      before that moment is replaced at its next checkout, unpinged: they
      shared the server that went away.
    - A connection returned moments ago is as alive as a ping would show.

    Raising DisconnectionError at checkout makes the pool drop the connection
    and open a fresh one (SQLAlchemy's documented pessimistic recipe).
    """
    dialect = engine.dialect
    lost_at = [0.0]  # monotonic time a connection was last found dead

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):
        record.info["connected_at"] = time.monotonic()

    @event.listens_for(engine, "invalidate")
    def _invalidated(_dbapi_connection, _record, exception):
        if exception is not None:
            lost_at[0] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        if record.info.get("connected_at", 0.0) < lost_at[0]:
            raise DisconnectionError("opened before the server was lost")
        if record.info.pop(_DRIVER_AUTOCOMMIT, False):
            # Back to psycopg's own transactions (`driver_autocommit`); a
            # connection that cannot is replaced.
            try:
                dbapi_connection.autocommit = False
            except dialect.loaded_dbapi.Error as error:
                raise DisconnectionError(f"connection left in a transaction: {error}") from error
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"idle connection lost: {error}") from error


def _sqlite_engine(url: str, settings: Settings) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        hide_parameters=True,
    )
    busy_ms = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight to the driver: a SQLAlchemy round trip here would cost
        # more than the whole query on the hot read path.
        mode = "BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE) else "BEGIN"
        connection.connection.driver_connection.execute(mode)

    return engine


class Database:
    """The engine of one process, with a variant whose transactions write."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self._writer = self.engine.execution_options(**{WRITE: True})
        self._postgres = self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self, *, write: bool) -> Iterator[Connection]:
        """One transaction: commit on success, roll back on error (style habit 9).

        A Core `Connection`, not an ORM `Session`: the repositories speak Core,
        and the Session's bookkeeping cost ~4x the whole read on the hot path
        (measured while building bench/actions_route.py).
        """
        with (self._writer if write else self.engine).connect() as connection:
            if self._postgres and not write:
                # PostgreSQL reads run in autocommit: under READ COMMITTED a
                # read-only transaction gives no extra consistency, and
                # BEGIN/COMMIT would cost two round trips per request. (SQLite
                # read statements autocommit too.) Reads that must agree run
                # in one snapshot: `RawSQL.all_together(snapshot=True)`. SQLAlchemy's `isolation_level=
                # "AUTOCOMMIT"` option did the same through its connection
                # characteristics, at ~20 us of a read session's ~44 us (CPU).
                driver_autocommit(connection)
            try:
                yield connection
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def driver_autocommit(connection: Connection) -> None:
    """Switch the session's psycopg connection to autocommit, until its next checkout.

    For a read session (`Database.session`) and for a write whose pipeline
    sends its own BEGIN (driver._begin_in_pipeline). SQLAlchemy's commit and
    rollback still work: psycopg sends them by the server's transaction
    status, whatever its autocommit flag. The pool record is marked, and the
    checkout listener (`_ping_when_idle`) switches autocommit back, so the
    next session gets psycopg's own transactions whatever this one did.
    """
    connection.connection.info[_DRIVER_AUTOCOMMIT] = True
    connection.connection.driver_connection.autocommit = True

"""Driver-level reads for the hottest queries.

A SQLAlchemy Core round trip costs ~60-120 µs of Python on top of a query
that SQLite answers in ~3 µs (measured for bench/actions_route.py), so the
few reads every per-interview request makes go straight to the DB-API cursor
of the session's connection, inside the session's transaction. The SQL is
written once with `?` placeholders; values come back as the same Python
types the SQLAlchemy column types would give.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from app.db.engine import WRITE, driver_autocommit

_IDLE = TransactionStatus.IDLE


class RawSQL:
    """Runs plain SQL on the session's DB-API connection, in its transaction.

    Reads (`all`) and the few writes every event makes (`execute`,
    `executemany`): through Core each statement costs more Python than the
    database spends on it. Parameters go through `param` (timestamps stored as
    the column type would store them).

    A driver error is raised as SQLAlchemy's wrapper of it, as a Core query
    would raise it, so the API maps it once (app.api.problems): a lock
    timeout or a lost server is an OperationalError, hence a 503, not a 500;
    a lost connection is invalidated so the pool does not hand it out again.
    """

    __slots__ = ("_connection", "_cursor", "_pg")

    def __init__(self, session: Connection) -> None:
        connection = session
        _begin_if_writing(connection)
        self._connection = connection
        self._pg = connection.dialect.name == "postgresql"
        self._cursor = kept_cursors(connection, 1)[0]

    def all(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        sql = self._dialect_sql(sql)
        try:
            self._cursor.execute(sql, params)
            return self._cursor.fetchall()
        except self._connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(error, sql, params) from error

    def all_together(self, queries: Sequence[tuple[str, Sequence[Any]]], *, snapshot: bool = False) -> list[list[tuple]]:
        """The rows of several reads, sent in one round trip on PostgreSQL.

        psycopg's pipeline mode sends every query before reading any result;
        the server still runs them in order, in this transaction (so a read
        after a `FOR UPDATE` runs with the lock held). SQLite runs them one by
        one: it has no round trips to save.

        With `snapshot`, reads that must agree with each other (a page and
        the contacts of the same page, found again by its filter) see one
        snapshot: on a PostgreSQL read session, which autocommits each
        statement, the pipeline wraps them in a read-only REPEATABLE READ
        transaction, still one round trip. A SQLite read session autocommits
        each statement too (app.db.engine), so they run in a deferred
        transaction of their own: its first read fixes the snapshot (WAL),
        and a write that commits meanwhile is not seen by the later ones.
        """
        if not self._pg:
            return self._sqlite_together(queries, snapshot=snapshot)
        driver = self._cursor.connection
        begin = _begin_in_pipeline(self._connection)
        alone = snapshot and begin is None and driver.autocommit and driver.info.transaction_status == _IDLE
        cursors = kept_cursors(self._connection, 1 + len(queries))[1 : 1 + len(queries)]
        try:
            with driver.pipeline():
                if begin is not None:
                    self._cursor.execute(begin)
                if alone:
                    self._cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                for cursor, (sql, params) in zip(cursors, queries):
                    cursor.execute(self._dialect_sql(sql), params)
                if alone:
                    self._cursor.execute("COMMIT")
            return [cursor.fetchall() for cursor in cursors]
        except self._connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(error, "; ".join(sql for sql, _ in queries), ()) from error

    def _sqlite_together(self, queries: Sequence[tuple[str, Sequence[Any]]], *, snapshot: bool) -> list[list[tuple]]:
        driver = self._cursor.connection
        if not snapshot or driver.in_transaction:  # a write session's transaction is one snapshot already
            return [self.all(sql, params) for sql, params in queries]
        self.execute("BEGIN", ())
        try:
            return [self.all(sql, params) for sql, params in queries]
        finally:
            if driver.in_transaction:
                self.execute("COMMIT", ())  # nothing was written: COMMIT only ends the snapshot

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        self._run(self._cursor.execute, sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._run(self._cursor.executemany, sql, rows)

    def param(self, value: datetime | None) -> datetime | str | None:
        """A timestamp as UTCDateTime stores it: aware on PostgreSQL, UTC text on SQLite."""
        if value is None or self._pg:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def _run(self, method, sql: str, params: Any) -> None:
        sql = self._dialect_sql(sql)
        try:
            method(sql, params)
        except self._connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(error, sql, params) from error

    def _dialect_sql(self, sql: str) -> str:
        """The SQL is written with `?`; psycopg wants `%s`."""
        return sql.replace("?", "%s") if self._pg else sql

    def _wrap(self, error: Exception, sql: str, params: Sequence[Any]) -> DBAPIError:
        return _wrapped(self._connection, error, sql, params, self._cursor)

    def close(self) -> None:
        """Nothing to release: the cursor stays with its connection (`kept_cursors`)."""

    def __enter__(self) -> RawSQL:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


#: Where a pooled connection keeps the cursors `RawSQL` reuses (its pool record's info).
_CURSORS = "followup_cursors"


def kept_cursors(session: Connection, count: int) -> list[Any]:
    """At least `count` cursors of the session's driver connection, kept with it for the next session.

    A psycopg cursor costs ~14 us of CPU to make, and an event write made
    eight (interleaved, worker CPU per request: 1,410/1,405 -> 1,335/1,386 us
    at 400 writes/s, 820/805 -> 771/780 us in bench/load.py's mix at 1,000
    req/s). Reusing them is safe because `RawSQL` reads a query's rows as soon
    as it runs it (or never, for a write), so a cursor is free again when
    the call that used it returns; `all_together` takes one cursor per query,
    as their results arrive together; and a connection serves one session
    at a time. A connection the pool replaced gets cursors of its own.
    """
    pooled = session.connection
    driver = pooled.driver_connection
    kept = pooled.info.get(_CURSORS)
    if kept is None or kept[0] is not driver:
        kept = pooled.info[_CURSORS] = (driver, [])
    cursors = kept[1]
    while len(cursors) < count:
        cursors.append(driver.cursor())
    return cursors


@contextmanager
def batched(session: Connection, *, commit: bool = False) -> Iterator[None]:
    """Writes whose results nobody reads, sent in one round trip on PostgreSQL.

    Every statement the block runs on this session's connection (through
    `RawSQL` or Core) is queued in psycopg's pipeline mode and sent at the
    end of the block, where an error surfaces as it would from a single
    statement (SQLAlchemy's wrapper, so the API maps it once). On SQLite the
    block runs as written: there is no round trip to save.

    With `commit`, the transaction's COMMIT is queued last, in the same round
    trip, so the block must be the transaction's last work; the session's own
    commit then finds the transaction closed and sends nothing. A statement
    that fails makes the server skip the COMMIT, and the session rolls back
    as usual. With the BEGIN carried by the first pipeline
    (`_begin_in_pipeline`), an event write is two round trips: the locked
    reads, then the writes with the COMMIT (tests/db/test_round_trips.py
    counts them in libpq's trace).

    psycopg flushes a pipeline after each statement, so the server wakes for
    each. Holding them with TCP_CORK until the block ended (one segment per
    round trip) was measured and not kept: CPU per request of the mix fell
    ~12% and its maximum rose ~5%, but the server no longer worked on the
    first statements while the worker built the rest, so a worker waited
    longer for each write: one write alone took 1.61-1.67 -> 1.81-1.91 ms
    and p99/p50 at 70% load rose (4.61, 4.13 -> 5.29, 5.98; bench/load.py,
    interleaved). The tail follows how long a worker is blocked, not its CPU.
    """
    if session.dialect.name != "postgresql":
        yield
        return
    _begin_if_writing(session)
    driver = session.connection.driver_connection
    begin = _begin_in_pipeline(session)
    try:
        with driver.pipeline():
            if begin is not None:
                driver.execute(begin)
            yield
            if commit:
                driver.execute("COMMIT")
    except session.dialect.loaded_dbapi.Error as error:
        raise _wrapped(session, error, "(batched statements)", ()) from error


def _begin_if_writing(connection: Connection) -> None:
    """Begin through SQLAlchemy on a write session, so its transaction (and the
    commit the session scope makes) covers driver-level statements, and SQLite
    writers take their lock (BEGIN IMMEDIATE) before they read. Read sessions
    skip it: their statements autocommit on both databases, and reads that
    must agree ask `RawSQL.all_together` for one snapshot."""
    if not connection.in_transaction() and connection.get_execution_options().get(WRITE):
        connection.begin()


def _begin_in_pipeline(session: Connection) -> str | None:
    """The BEGIN the pipeline about to open must send itself, if it opens a write transaction.

    psycopg begins a transaction lazily, at the first statement, and in
    pipeline mode it syncs right after its BEGIN: a round trip of its own,
    before the pipeline's statements go out (strace of an event write: three
    round trips where two were meant). So at a write transaction's first
    statement the driver connection is switched to autocommit
    (`engine.driver_autocommit`, undone at its next checkout), which keeps
    psycopg from beginning, and the pipeline sends BEGIN as its first
    statement, naming the isolation level psycopg's would name.
    """
    driver = session.connection.driver_connection
    if driver.autocommit or driver.info.transaction_status != _IDLE or not session.get_execution_options().get(WRITE):
        return None
    level = driver.isolation_level
    driver_autocommit(session)
    return "BEGIN" if level is None else f"BEGIN ISOLATION LEVEL {level.name.replace('_', ' ')}"


def _wrapped(connection: Connection, error: Exception, sql: str, params: Sequence[Any], cursor: Any = None) -> DBAPIError:
    """A driver error as SQLAlchemy's wrapper of it; a lost connection is invalidated."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(
        sql,
        params,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=connection.engine.hide_parameters,  # personal data stays out of the logs (make_engine)
        connection_invalidated=lost,
        dialect=dialect,
    )


def rows_by_first(rows: Sequence[Sequence], keys: Sequence[Any]) -> dict[Any, list[Sequence]]:
    """Rows grouped by their first column, in order, for each of `keys` (a key without rows
    gets none; rows of other keys are dropped): the contacts or plan rows of a page."""
    grouped: dict[Any, list[Sequence]] = {key: [] for key in keys}
    for row in rows:
        if row[0] in grouped:
            grouped[row[0]].append(row)
    return grouped


def utc(value: datetime | str | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite keeps UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        # Parsing the offset along is ~6x faster than .replace(tzinfo=UTC) afterwards.
        return datetime.fromisoformat(value + "+00:00")
    tz = value.tzinfo
    if tz is UTC:  # PostgreSQL's, from a UTC session (engine.py): ~85 of these per event write
        return value
    return value.replace(tzinfo=UTC) if tz is None else value.astimezone(UTC)


def json_value(value: Any) -> Any:
    """A JSON column's value (SQLite returns its text, psycopg the parsed value)."""
    if isinstance(value, (str, bytes)):
        return orjson.loads(value)
    return value

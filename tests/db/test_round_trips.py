"""The write path's round-trip savings keep their promises (app/db/driver.py, app/db/engine.py).

- `RawSQL.all_together` answers like separate reads, on both databases.
- `batched` writes what it is given, inside the session's transaction, and a
  failing statement surfaces as SQLAlchemy's error, rolling everything back.
  With `commit`, PostgreSQL commits in the batch's own round trip (another
  connection sees the rows before the session ends); SQLite commits when
  the session does.
- A write transaction's BEGIN rides in its first pipeline on PostgreSQL
  (psycopg would sync its own BEGIN alone first): reads, then writes with
  the COMMIT, are two round trips, counted in libpq's protocol trace; the
  connection runs ordinary psycopg transactions again at its next checkout.
- `all_together(snapshot=True)` reads in one read-only REPEATABLE READ
  transaction on a PostgreSQL read session, still one round trip, and leaves
  the connection idle, even when a read fails.
- Without `pool_pre_ping`, PostgreSQL connections still recover: an idle one
  whose server side is gone is replaced at checkout, and once one is found
  dead, the others opened before are replaced too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.db import engine as engine_module
from app.db.driver import RawSQL, batched, kept_cursors, utc
from app.db.engine import Database
from app.settings import Settings
from tests.conftest import _truncate_all, postgres_admin_url
from tests.pgtrace import round_trips

#: A bare tenant row (id, name), in driver SQL.
INSERT_TENANT = (
    "INSERT INTO tenant (id, name, policy, policy_version, created_at, template_count) "
    "VALUES (?, ?, '{}', 1, CURRENT_TIMESTAMP, 0)"
)


def _tenant(session, tenant_id: str) -> None:
    with RawSQL(session) as raw:
        raw.execute(INSERT_TENANT, (tenant_id, tenant_id))


def test_all_together_answers_like_separate_reads(db):
    with db.session(write=True) as session:
        _tenant(session, "t-1")
        _tenant(session, "t-2")
    queries = [("SELECT id FROM tenant WHERE id = ?", ("t-1",)), ("SELECT id FROM tenant ORDER BY id", ())]
    with db.session(write=True) as session, RawSQL(session) as raw:
        together = raw.all_together(queries)
        apart = [raw.all(sql, params) for sql, params in queries]
    assert together == apart == [[("t-1",)], [("t-1",), ("t-2",)]]


def test_kept_cursors_serve_the_next_session_and_each_batch_gets_its_own_rows(db):
    with db.session(write=False) as session, RawSQL(session) as raw:
        assert raw.all_together([("SELECT 1", ()), ("SELECT 2", ()), ("SELECT 3", ())]) == [[(1,)], [(2,)], [(3,)]]
        driver, first = session.connection.driver_connection, kept_cursors(session, 1)[0]
    with db.session(write=False) as session, RawSQL(session) as raw:
        # fewer queries than kept cursors: the rows of these, and no others
        assert raw.all_together([("SELECT 4", ())]) == [[(4,)]]
        assert raw.all("SELECT 5", ()) == [(5,)]
        if session.connection.driver_connection is driver:
            assert kept_cursors(session, 1)[0] is first


def test_batched_writes_land_in_the_session_transaction(db):
    with db.session(write=True) as session:
        with batched(session), RawSQL(session) as raw:
            for n in range(3):
                raw.execute(INSERT_TENANT, (f"b-{n}", f"b-{n}"))
        assert session.execute(text("SELECT count(*) FROM tenant")).scalar() == 3
    with db.session(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM tenant")).scalar() == 3


def test_a_failing_batched_statement_is_sqlalchemys_error_and_rolls_back(db):
    with pytest.raises(IntegrityError), db.session(write=True) as session:
        with batched(session), RawSQL(session) as raw:
            raw.execute(INSERT_TENANT, ("dup", "first"))
            raw.execute(INSERT_TENANT, ("dup", "again"))  # primary key violation
    with db.session(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM tenant")).scalar() == 0


def _count_elsewhere(db) -> int:
    with db.session(write=False) as other:
        return other.execute(text("SELECT count(*) FROM tenant")).scalar()


def test_batched_with_commit_commits_in_the_batch_on_postgresql(db):
    postgres = db.engine.dialect.name == "postgresql"
    with db.session(write=True) as session:
        assert _count_elsewhere(db) == 0
        with batched(session, commit=True), RawSQL(session) as raw:
            for n in range(3):
                raw.execute(INSERT_TENANT, (f"c-{n}", f"c-{n}"))
        # Committed by the batch itself on PostgreSQL; SQLite's writer holds them until the session ends.
        assert _count_elsewhere(db) == (3 if postgres else 0)
    assert _count_elsewhere(db) == 3


def test_a_failing_statement_in_a_committing_batch_commits_nothing(db):
    with pytest.raises(IntegrityError), db.session(write=True) as session:
        with batched(session, commit=True), RawSQL(session) as raw:
            raw.execute(INSERT_TENANT, ("ok", "first"))
            raw.execute(INSERT_TENANT, ("ok", "again"))  # primary key violation: the server skips the COMMIT
    assert _count_elsewhere(db) == 0
    with db.session(write=True) as session:  # and the pooled connection serves the next transaction
        _tenant(session, "next")
    assert _count_elsewhere(db) == 1


@pytest.mark.postgres
def test_postgresql_sessions_run_in_utc_so_timestamps_need_no_conversion(pg_db):
    """driver.utc returns a `datetime.UTC` value as it is; from an Etc/UTC
    session every stored timestamp would be converted (~85 per event write)."""
    with pg_db.session(write=False) as session, RawSQL(session) as raw:
        (stamp,), = raw.all("SELECT TIMESTAMPTZ '2026-03-29 01:30:00+02'", ())
        (topics,), = raw.all("SELECT CAST('[\"streaming\", 1]' AS json)", ())
    assert stamp.tzinfo is UTC and stamp == datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert utc(stamp) is stamp
    assert topics == ["streaming", 1]


@pytest.fixture
def one_pg_connection(postgres_database):
    """A PostgreSQL database whose pool holds one connection, so each session reuses it."""
    _truncate_all(postgres_database)
    database = Database(Settings(database_url=postgres_database, run_jobs=False, db_pool_size=1, db_max_overflow=0))
    yield database
    database.dispose()
    _truncate_all(postgres_database)


@pytest.mark.postgres
def test_reads_then_writes_with_the_commit_are_two_round_trips_on_postgresql(one_pg_connection):
    db = one_pg_connection
    with round_trips(db.engine) as counted, db.session(write=True) as session:
        with RawSQL(session) as raw:
            assert raw.all_together([("SELECT count(*) FROM tenant", ()), ("SELECT 2", ())]) == [[(0,)], [(2,)]]
        with batched(session, commit=True), RawSQL(session) as raw:
            raw.execute(INSERT_TENANT, ("t-1", "t-1"))
    assert counted == [2]  # psycopg alone: its BEGIN, the reads, the writes
    assert _count_elsewhere(db) == 1


def _pipelined_write(db) -> None:
    with pytest.raises(RuntimeError), db.session(write=True) as session, RawSQL(session) as raw:
        raw.all_together([("SELECT 1", ()), ("SELECT 2", ())])
        raise RuntimeError("the request failed after its reads")


def _failed_pipelined_write(db) -> None:
    with pytest.raises(DBAPIError), db.session(write=True) as session, RawSQL(session) as raw:
        raw.all_together([("SELECT 1", ()), ("SELECT * FROM no_such_table", ())])


def _snapshot_read(db) -> None:
    with db.session(write=False) as session, RawSQL(session) as raw:
        assert raw.all_together([("SELECT count(*) FROM tenant", ()), ("SELECT 2", ())], snapshot=True) == [[(0,)], [(2,)]]


def _failed_snapshot_read(db) -> None:
    with pytest.raises(DBAPIError), db.session(write=False) as session, RawSQL(session) as raw:
        raw.all_together([("SELECT 1", ()), ("SELECT * FROM no_such_table", ()), ("SELECT 3", ())], snapshot=True)


def _read(db) -> None:
    with db.session(write=False) as session, RawSQL(session) as raw:
        assert raw.all("SELECT count(*) FROM tenant", ()) == [(0,)]
        # autocommit: no transaction stays open on the server between statements
        assert session.connection.driver_connection.info.transaction_status.name == "IDLE"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "first",
    [_pipelined_write, _failed_pipelined_write, _read, _snapshot_read, _failed_snapshot_read],
    ids=["after a pipelined write", "after a failed one", "after a read", "after a snapshot read", "after a failed snapshot read"],
)
def test_the_next_transaction_on_the_connection_is_atomic_again(one_pg_connection, first):
    """A read session, and a write whose pipeline sends its own BEGIN, switch
    psycopg's autocommit on; left on, the next session's statements would each
    commit alone, and this rolled-back insert would stay."""
    db = one_pg_connection
    first(db)
    with pytest.raises(RuntimeError), db.session(write=True) as session:
        session.execute(text(INSERT_TENANT.replace("?", ":p")), {"p": "kept?"})
        raise RuntimeError("the request failed after its write")
    with db.engine.connect() as other:  # not a session of ours: nothing switched
        assert other.execute(text("SELECT count(*) FROM tenant")).scalar() == 0
    with db.session(write=True) as session, RawSQL(session) as raw:
        raw.execute(INSERT_TENANT, ("t-2", "t-2"))
    assert _count_elsewhere(db) == 1


#: When the statement's transaction began, and how it isolates.
_TRANSACTION = "SELECT transaction_timestamp(), current_setting('transaction_isolation'), current_setting('transaction_read_only')"


@pytest.mark.postgres
def test_snapshot_reads_run_in_one_read_only_repeatable_read_transaction_in_one_round_trip(one_pg_connection):
    """`all_together(snapshot=True)` on a read session (which autocommits each
    statement) wraps the reads in one transaction, in the same pipeline."""
    db = one_pg_connection
    queries = [(_TRANSACTION, ()), ("SELECT pg_sleep(0.005)", ()), (_TRANSACTION, ())]
    with round_trips(db.engine) as counted, db.session(write=False) as session, RawSQL(session) as raw:
        first, _, last = raw.all_together(queries, snapshot=True)
        assert session.connection.driver_connection.info.transaction_status.name == "IDLE"
    assert first == last
    assert first[0][1:] == ("repeatable read", "on")
    assert counted == [1]
    with db.session(write=False) as session, RawSQL(session) as raw:
        first, _, last = raw.all_together(queries)  # without: READ COMMITTED, a snapshot per statement
    assert first[0][1:] == last[0][1:] == ("read committed", "off")


def _backend_pid(connection) -> int:
    return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def _terminate(pids) -> None:
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for pid in pids:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.fixture
def pg_db(postgres_database):
    database = Database(Settings(database_url=postgres_database, run_jobs=False, db_pool_size=2))
    yield database
    database.dispose()


@pytest.mark.postgres
def test_an_idle_connection_whose_server_side_died_is_replaced_at_checkout(pg_db, monkeypatch):
    with pg_db.session(write=False) as session:
        first = _backend_pid(session)
    _terminate([first])
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)  # it has now sat idle "long enough"
    with pg_db.session(write=False) as session:
        again = _backend_pid(session)  # no error: the ping found it dead, the pool reconnected
    assert again != first


@pytest.mark.postgres
def test_a_connection_in_use_a_moment_ago_is_not_pinged(pg_db, monkeypatch):
    """The round trip saved: a dead connection used a moment ago fails once (the 503
    a client retries), and the next request gets a fresh one."""
    with pg_db.session(write=False) as session:
        first = _backend_pid(session)
    _terminate([first])
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 3600.0)
    with pytest.raises(DBAPIError) as failed, pg_db.session(write=False) as session:
        _backend_pid(session)
    assert failed.value.connection_invalidated
    with pg_db.session(write=False) as session:
        assert _backend_pid(session) != first


@pytest.mark.postgres
def test_once_one_connection_is_found_dead_the_older_ones_are_replaced(pg_db, monkeypatch):
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 3600.0)  # no ping: only the lost-server rule acts
    with pg_db.session(write=False) as a, pg_db.session(write=False) as b:
        old = {_backend_pid(a), _backend_pid(b)}  # two pooled connections
    _terminate(old)  # the server "restarted" under both
    with pytest.raises(DBAPIError), pg_db.session(write=True) as session, RawSQL(session) as raw:
        raw.all("SELECT 1", ())  # the first request finds its connection dead (driver-level SQL)
    with pg_db.session(write=False) as a, pg_db.session(write=False) as b:
        fresh = {_backend_pid(a), _backend_pid(b)}  # neither is handed out dead again
    assert not fresh & old

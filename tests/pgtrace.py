"""Round trips to PostgreSQL, counted in libpq's protocol trace.

Each round trip ends in exactly one ReadyForQuery, whether a pipeline's Sync
or a simple query asked for it, so counting those in the trace counts the
waits a request made, whatever the driver did to send its statements.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def round_trips(engine: Engine) -> Iterator[list[int]]:
    """Traces every connection of `engine` checked out during the block; the
    count is in the list once the block ends (open sessions inside it)."""
    from psycopg import pq

    counted: list[int] = []
    with tempfile.TemporaryFile("w+") as trace:

        def traced(dbapi_connection, _record, _proxy):
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

        def untraced(dbapi_connection, _record):
            if dbapi_connection is not None and not dbapi_connection.closed:
                dbapi_connection.pgconn.untrace()

        event.listen(engine, "checkout", traced)
        event.listen(engine, "checkin", untraced)
        try:
            yield counted
        finally:
            event.remove(engine, "checkout", traced)
            event.remove(engine, "checkin", untraced)
        trace.seek(0)
        counted.append(sum(1 for line in trace if line.startswith("B\t") and "\tReadyForQuery" in line))

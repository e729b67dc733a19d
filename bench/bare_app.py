"""The control of every HTTP benchmark: a bare FastAPI app, one `async def`
endpoint returning a small constant dict, no middleware (performance-notes.md).

`/bare/db` is bench/load.py's second control: the same endpoint after one
`SELECT 1` on PostgreSQL, on a psycopg connection kept by the worker and
used inline (as the service runs its database work, app/db/engine.py). It
shows the tail any request that waits once for a PostgreSQL sharing the
cores gets, without SQLAlchemy, a pool or any of the service's work. The
server is told where the database is by BENCH_BARE_DATABASE_URL (a libpq
URL); the other benchmarks never call it.
"""

import os

import psycopg
from fastapi import FastAPI

app = FastAPI()
_connection: psycopg.Connection | None = None


@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/bare/db")
async def bare_db() -> dict[str, str]:
    global _connection  # one per worker process, made at its first request
    if _connection is None:
        _connection = psycopg.connect(os.environ["BENCH_BARE_DATABASE_URL"], autocommit=True)
    _connection.execute("SELECT 1").fetchone()
    return {"status": "ok"}

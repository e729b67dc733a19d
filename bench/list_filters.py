"""Benchmark: the list filters that a plain keyset scan serves badly, at scale (PostgreSQL).

`GET /v1/actions?kind=close_out` (and `kind=wait,close_out`, `kind=close_out&state=done`):
a rare kind among the tenant's open actions. `GET /v1/interviews?updated_after=...`
with windows from a day to everything (a first sync from long ago asks for more
than 100,000 changed interviews), alone and with a company or a status. The common filters are measured beside them as
the control. Target: every page under 50 ms (actions) and 100 ms (interviews) at
the server, on 1,000,000 interviews of one tenant (plus 200,000 of three others),
loaded as bench/due_list.py loads them.

Requests go through the whole ASGI app in process, as in bench/due_list.py; each
case is a first page and two pages after it (its cursor), repeated. With
`--explain` every statement a case's first page sent is printed with
EXPLAIN (ANALYZE, BUFFERS). Exits non-zero when a target is missed.

    python bench/list_filters.py                                # a fresh database, dropped after
    python bench/list_filters.py --database NAME --keep         # load once into NAME (kept) ...
    python bench/list_filters.py --database NAME --keep --explain   # ... and measure it again
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app.db.migrate import upgrade  # noqa: E402
from bench import in_process  # noqa: E402
from bench.due_list import NOW, PG_ADMIN, _create_key, base_plans, load_postgres  # noqa: E402

AT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
ACTIONS_TARGET_MS = 50.0
INTERVIEWS_TARGET_MS = 100.0


def _since(days: int) -> str:
    return quote((NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ"))


#: (path, query, target ms); the first of each group are the common filters, for comparison.
CASES = [
    ("/v1/actions", f"at={AT}", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=send_follow_up", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=wait", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=close_out", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=wait,close_out", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=close_out&state=done", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=close_out&state=upcoming,due,overdue,done", ACTIONS_TARGET_MS),
    ("/v1/actions", f"at={AT}&kind=close_out,send_thank_you", ACTIONS_TARGET_MS),
    ("/v1/interviews", "", INTERVIEWS_TARGET_MS),
    *[("/v1/interviews", f"updated_after={_since(days)}", INTERVIEWS_TARGET_MS) for days in (1, 7, 30, 90, 365, 3650)],
    *[
        ("/v1/interviews", f"updated_after={_since(days)}&{other}", INTERVIEWS_TARGET_MS)
        for days in (1, 90, 3650)
        for other in ("company_name=Acme", "status=scheduled", "status=active")
    ],
]


class App:
    """The service's ASGI app, called in process."""

    def __init__(self, url: str, key: str) -> None:
        from app.api.app import create_app
        from app.settings import Settings

        self.app = create_app(Settings(database_url=url, run_jobs=False, db_pool_size=2))
        self.key = key

    async def get(self, path: str, query: str) -> tuple[float, dict]:
        elapsed, body = await in_process.get(self.app, self.key, path, query)
        return elapsed, orjson.loads(body)


def _with_cursor(query: str, cursor: str) -> str:
    return f"{query}&cursor={cursor}" if query else f"cursor={cursor}"


async def measure(app: App, repeat: int) -> list[tuple[str, str, float, float | None, float, int]]:
    """(path, query, first page p50 ms, later pages p50 ms, target, items on the first page) per case."""
    results = []
    async with app.app.router.lifespan_context(app.app):
        for path, query, target in CASES:
            await app.get(path, query)  # warm the caches this case reads
            firsts, laters, count = [], [], 0
            for _ in range(repeat):
                elapsed, body = await app.get(path, query)
                firsts.append(elapsed)
                count = len(body["items"])
                for _page in range(2):
                    if not body["next_cursor"]:
                        break
                    elapsed, body = await app.get(path, _with_cursor(query, body["next_cursor"]))
                    laters.append(elapsed)
            results.append((path, query, statistics.median(firsts), statistics.median(laters) if laters else None, target, count))
    return results


async def statements(app: App, path: str, query: str) -> list[tuple[str, object]]:
    """The SELECTs one request sends (the key lookup aside)."""
    captured: list[tuple[str, object]] = []
    original = psycopg.Cursor.execute

    def execute(self, sql, params=None, **kwargs):
        captured.append((sql if isinstance(sql, str) else sql.as_string(self), params))
        return original(self, sql, params, **kwargs)

    async with app.app.router.lifespan_context(app.app):
        psycopg.Cursor.execute = execute
        try:
            await app.get(path, query)
        finally:
            psycopg.Cursor.execute = original
    return [(q, p) for q, p in captured if q.lstrip().upper().startswith("SELECT") and "api_key" not in q]


def explain(url: str, reads: list[tuple[str, object]]) -> str:
    out = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        for query, params in reads:
            plan = connection.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params).fetchall()
            out.append("    " + " ".join(query.split())[:300])
            out.extend("      " + row[0] for row in plan)
    return "\n".join(out)


def _due_read(url: str, tenant_id: str, query: str) -> list[tuple[str, object]]:
    """The due list's statement for `query` (sent through SQLAlchemy, which the capture above misses)."""
    from urllib.parse import parse_qs

    from app.db.plans import OPEN, DueQuery, due_sql
    from app.domain.model import ActionKind, ActionState

    asked = {name: values[0].split(",") for name, values in parse_qs(query).items()}
    due = DueQuery(
        tenant_id=tenant_id, at=NOW, after=None, limit=50, due_before=None,
        states=frozenset(map(ActionState, asked["state"])) if "state" in asked else OPEN,
        kinds=frozenset(map(ActionKind, asked["kind"])) if "kind" in asked else None,
    )  # fmt: skip
    engine = create_engine(url)
    compiled = due_sql(due).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    engine.dispose()
    return [(str(compiled), None)]


def _main_tenant(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT tenant_id FROM interview GROUP BY tenant_id ORDER BY count(*) DESC LIMIT 1")
        ).first()
    engine.dispose()
    return row[0] if row else None


def _changed(url: str, tenant_id: str, query: str) -> str:
    if not query.startswith("updated_after="):
        return ""
    since = datetime.fromisoformat(query.split("&")[0].split("=", 1)[1].replace("%3A", ":").replace("Z", "+00:00"))
    engine = create_engine(url)
    with engine.connect() as connection:
        changed = connection.execute(
            text("SELECT count(*) FROM interview WHERE tenant_id = :t AND updated_at > :s"), {"t": tenant_id, "s": since}
        ).scalar_one()
    engine.dispose()
    return f" ({changed:,} changed)"


def run(url: str, interviews: int, repeat: int, show_plans: bool) -> bool:
    tenant_id = _main_tenant(url)
    if tenant_id is None:
        tenant_id = str(uuid.uuid4())
        tenants = [(tenant_id, interviews)] + [(str(uuid.uuid4()), 200_000 // 3) for _ in range(3)]
        started = time.perf_counter()
        load_postgres(url, tenants, base_plans(2000))
        print(f"loaded {interviews:,} interviews of the measured tenant + 200,000 of 3 others in {time.perf_counter() - started:.0f} s")
    app = App(url, _create_key(url, tenant_id))
    if show_plans:
        for path, query, _target in CASES:
            print(f"GET {path}?{query}{_changed(url, tenant_id, query)}, first page:")
            reads = _due_read(url, tenant_id, query) if path == "/v1/actions" else asyncio.run(statements(app, path, query))
            print(explain(url, reads))
    ok = True
    for path, query, first, later, target, count in asyncio.run(measure(app, repeat)):
        slowest = max(first, later or 0)
        ok &= slowest < target
        later_text = f"{later:8.2f}" if later is not None else "       -"
        print(
            f"{path}?{query}{_changed(url, tenant_id, query)}: first page {first:8.2f} ms ({count} items), "
            f"next pages {later_text} ms (p50 of {repeat}; target < {target:.0f} ms) {'ok' if slowest < target else 'MISS'}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="load into (or reuse) this database; created when missing")
    parser.add_argument("--keep", action="store_true", help="do not drop the database afterwards")
    parser.add_argument("--interviews", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of each first page")
    parser.add_argument("--only", default="", help="only the cases whose path and query contain this text")
    args = parser.parse_args()
    name = args.database or f"followup_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        CASES[:] = [case for case in CASES if args.only in f"{case[0]}?{case[1]}"]
        ok = run(url, args.interviews, args.repeat, args.explain)
    finally:
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

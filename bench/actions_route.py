"""Benchmark: GET /v1/interviews/{id}/actions against a bare FastAPI endpoint.

Target (issue 3): served by one uvicorn worker on a SQLite file, at least
half the requests per second of a bare FastAPI app in a separate process,
same load generator (wrk), same connections, interleaved in one run.
Prints the raw figures; exits non-zero when the target is missed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.httpbench import run_wrk, server, uvicorn_command  # noqa: E402
from bench.seed import seed  # noqa: E402

TARGET_RATIO = 0.5
ROUNDS = 3
SECONDS = 4
CONNECTIONS = 16


def main() -> int:
    from app.db.engine import Database
    from app.db.migrate import upgrade
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database(Settings(database_url=url))
        key, ids = seed(db, count=300)
        db.dispose()
        paths = [f"/v1/interviews/{i}/actions" for i in ids]
        env = {"FOLLOWUP_DATABASE_URL": url, "FOLLOWUP_RUN_JOBS": "false"}
        bare_rps, app_rps, app_p99 = [], [], []
        with server(uvicorn_command("bench.bare_app:app"), health="/bare") as bare_url, server(
            uvicorn_command("app.server:app_factory", factory=True), env=env
        ) as app_url:
            run_wrk(bare_url, ["/bare"], seconds=1, connections=CONNECTIONS)  # warm-up
            run_wrk(app_url, paths, auth=f"Bearer {key}", seconds=1, connections=CONNECTIONS)
            for round_ in range(ROUNDS):
                bare = run_wrk(bare_url, ["/bare"], seconds=SECONDS, connections=CONNECTIONS)
                app = run_wrk(app_url, paths, auth=f"Bearer {key}", seconds=SECONDS, connections=CONNECTIONS)
                if app.errors or app.non_2xx:
                    print(f"round {round_}: {app.errors} socket errors, {app.non_2xx} non-2xx answers")
                    return 1
                bare_rps.append(bare.requests_per_second)
                app_rps.append(app.requests_per_second)
                app_p99.append(app.p99_ms)
                print(
                    f"round {round_ + 1}: bare {bare.requests_per_second:8.0f} req/s (p50 {bare.p50_ms:.2f} ms) | "
                    f"actions {app.requests_per_second:8.0f} req/s (p50 {app.p50_ms:.2f} ms, p99 {app.p99_ms:.2f} ms) | "
                    f"ratio {app.requests_per_second / bare.requests_per_second:.2f}"
                )
    ratio = statistics.median(a / b for a, b in zip(app_rps, bare_rps, strict=True))
    print(
        f"GET /v1/interviews/{{id}}/actions on SQLite, 1 worker, {len(paths)} interviews, wrk -c{CONNECTIONS}: "
        f"median ratio {ratio:.2f} of bare FastAPI (target >= {TARGET_RATIO})"
    )
    verdict = ratio >= TARGET_RATIO
    print("PASS" if verdict else "MISS")
    return 0 if verdict else 1


if __name__ == "__main__":
    raise SystemExit(main())

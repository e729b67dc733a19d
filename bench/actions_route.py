"""Benchmark: GET /v1/interviews/{id}/actions against a bare FastAPI endpoint.

Target (issue 3): served by one uvicorn worker on a SQLite file, at least
half the requests per second of a bare FastAPI app in a separate process,
same load generator (wrk), same connections, interleaved in one run, over
300 varied interviews. Exits non-zero when the target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.httpbench import compare_with_bare  # noqa: E402
from bench.seed import seed  # noqa: E402


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
        ok = compare_with_bare(
            label="GET /v1/interviews/{id}/actions",
            database_url=url,
            paths=[f"/v1/interviews/{i}/actions" for i in ids],
            auth=f"Bearer {key}",
            target_ratio=0.5,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    raise SystemExit(main())

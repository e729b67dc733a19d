"""Benchmark: GET /v1/interviews/{id}/messages/{kind} against a bare FastAPI endpoint.

Target (issue 4): the message route serves at least 40% of a bare FastAPI
endpoint's requests per second in the same run (one uvicorn worker each,
SQLite, wrk, interleaved), over varied interviews, contacts, message kinds
and locales. Exits non-zero when the target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.httpbench import compare_with_bare  # noqa: E402
from bench.seed import seed  # noqa: E402


def main() -> int:
    from app.db import interviews as interviews_repo
    from app.db import tenants as tenants_repo
    from app.db.engine import Database
    from app.db.migrate import upgrade
    from app.settings import Settings

    rng = random.Random(4)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database(Settings(database_url=url))
        key, ids = seed(db, count=200)
        paths = []
        with db.session(write=False) as session:
            tenant_id = tenants_repo.tenant_for_key(session, key).tenant_id
            for interview_id in ids:
                stored = interviews_repo.load_interview(session, tenant_id=tenant_id, interview_id=interview_id)
                humans = [c for c in stored.interview.interviewers if c.is_human]
                locale = rng.choice(["en", "de", "fr", "es"])
                if humans:
                    contact = rng.choice(humans)
                    paths.append(f"/v1/interviews/{interview_id}/messages/thank_you?contact_id={contact.id}&locale={locale}")
                paths.append(f"/v1/interviews/{interview_id}/messages/follow_up?locale={locale}")
        db.dispose()
        rng.shuffle(paths)
        ok = compare_with_bare(
            label="GET /v1/interviews/{id}/messages/{kind}",
            database_url=url,
            paths=paths,
            auth=f"Bearer {key}",
            target_ratio=0.4,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    raise SystemExit(main())

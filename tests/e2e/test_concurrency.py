"""Several worker processes write at once: nothing is lost, nothing fails.

SQLite is the hard case (one writer at a time): `BEGIN IMMEDIATE` and the busy
timeout must turn contention into queueing, never into "database is locked".
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.live import create_tenant_key, live_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CLIENTS = 8
POSTS_EACH = 100


@pytest.mark.timeout(300)
def test_800_concurrent_event_posts_on_4_workers_all_stored(database_url, tmp_path):
    key = create_tenant_key(database_url, "acme")
    headers = {"Authorization": f"Bearer {key}"}
    starts = datetime.now(UTC) - timedelta(days=3)
    with live_server(database_url, workers=4, log_dir=tmp_path) as server:
        interview_ids = []
        for number in range(CLIENTS):
            created = httpx.post(
                server.url + "/v1/interviews",
                headers=headers,
                json={
                    "candidate_name": f"Candidate {number}",
                    "job_title": "Data Engineer",
                    "company_name": "Acme",
                    "starts_at": starts.isoformat(),
                    "format": "virtual",
                    "interviewers": [{"name": "Dana Lee", "email": "dana@acme.example"}],
                },
                timeout=30,
            )
            assert created.status_code == 201, created.text
            interview_ids.append(created.json()["id"])

        def client(number: int) -> list[int]:
            interview_id = interview_ids[number]
            statuses = []
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
                for i in range(POSTS_EACH):
                    occurred = starts + timedelta(hours=2, seconds=number * POSTS_EACH + i)
                    answer = http.post(
                        f"/v1/interviews/{interview_id}/events",
                        json={"type": "linkedin_request_sent", "occurred_at": occurred.isoformat(), "note": f"{number}-{i}"},
                    )
                    statuses.append(answer.status_code)
            return statuses

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [s for result in pool.map(client, range(CLIENTS)) for s in result]
        assert statuses.count(201) == CLIENTS * POSTS_EACH, {s: statuses.count(s) for s in set(statuses)}

        notes = []
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            for interview_id in interview_ids:
                page = http.get(f"/v1/interviews/{interview_id}/events", params={"limit": 200}).json()
                assert page["next_cursor"] is None
                notes.extend(item["note"] for item in page["items"])
        assert len(notes) == CLIENTS * POSTS_EACH
        assert set(notes) == {f"{n}-{i}" for n in range(CLIENTS) for i in range(POSTS_EACH)}
        assert "database is locked" not in server.log()

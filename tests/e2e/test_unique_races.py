"""Racing writes of one unique name: one wins, the rest get 409, nothing is a 500.

An interview's `external_ref` and a template's (kind, locale) are unique per
tenant. The services check before they write, but two requests can both pass
the check before either commits; on PostgreSQL (READ COMMITTED) the second
insert then meets the unique constraint. That is a client's conflict, not a
server fault: it must be answered like the checked case (409 problem+json
naming the clash) and leave exactly one row. SQLite's `BEGIN IMMEDIATE`
serialises the writers, so there the check alone decides; the test runs on
both databases all the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.live import create_tenant_key, live_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]
RACERS = 8
ROUNDS = 6
PROBLEM = "application/problem+json"


def interview(number: int, **fields) -> dict:
    return {
        "candidate_name": f"Candidate {number}",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        "format": "virtual",
        "interviewers": [{"name": "Dana Lee", "email": "dana@acme.example"}],
        **fields,
    }


def template(locale: str) -> dict:
    return {"message_kind": "thank_you", "locale": locale, "subject": "Thanks", "text": "Thank you, {{ interviewer_name }}."}


def race(url: str, headers: dict, send: Callable[[httpx.Client, int], httpx.Response]) -> list[httpx.Response]:
    """RACERS requests released together, each on a connection opened beforehand."""
    start = threading.Barrier(RACERS)

    def racer(number: int) -> httpx.Response:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            http.get("/healthz")
            start.wait()
            return send(http, number)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(racer, range(RACERS)))


def assert_one_winner(answers: list[httpx.Response], winner: int, clash: str) -> None:
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [winner] + [409] * (RACERS - 1), [(a.status_code, a.json().get("detail")) for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.headers["content-type"].startswith(PROBLEM)
            assert clash in answer.json()["detail"], answer.json()


def test_racing_writes_of_one_unique_name(database_url, tmp_path):
    """One server (four workers) for the three races: its start-up is most of a race's cost."""
    headers = {"Authorization": f"Bearer {create_tenant_key(database_url, 'acme')}"}
    with live_server(database_url, workers=4, log_dir=tmp_path) as server:
        creates_of_one_external_ref(server.url, headers)
        renames_to_one_external_ref(server.url, headers)
        creates_and_moves_of_one_template_slot(server.url, headers)
        log = server.log()
    assert "Traceback" not in log, log[-4000:]


def stored_with_ref(url: str, headers: dict, ref: str) -> list[dict]:
    return httpx.get(f"{url}/v1/interviews", headers=headers, params={"external_ref": ref}).json()["items"]


def creates_of_one_external_ref(url: str, headers: dict) -> None:
    for round_ in range(ROUNDS):
        ref = f"ats-{round_}"
        answers = race(url, headers, lambda http, n: http.post("/v1/interviews", json=interview(n, external_ref=ref)))
        assert_one_winner(answers, 201, ref)
        assert len(stored_with_ref(url, headers, ref)) == 1


def renames_to_one_external_ref(url: str, headers: dict) -> None:
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        ids = [http.post("/v1/interviews", json=interview(n)).json()["id"] for n in range(RACERS)]
    for round_ in range(ROUNDS):
        ref = f"renamed-{round_}"
        answers = race(url, headers, lambda http, n: http.patch(f"/v1/interviews/{ids[n]}", json={"external_ref": ref}))
        assert_one_winner(answers, 200, ref)
        [winner] = stored_with_ref(url, headers, ref)
        freed = httpx.patch(f"{url}/v1/interviews/{winner['id']}", headers=headers, json={"external_ref": None})
        assert freed.status_code == 200  # the name is free again, and the winner races in the next round


def creates_and_moves_of_one_template_slot(url: str, headers: dict) -> None:
    for round_ in range(ROUNDS):
        locale = f"q{chr(ord('a') + round_)}"
        answers = race(url, headers, lambda http, n: http.post("/v1/templates", json=template(locale)))
        assert_one_winner(answers, 201, locale)
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        ids = [http.post("/v1/templates", json=template(f"z{chr(ord('a') + n)}")).json()["id"] for n in range(RACERS)]
    for round_ in range(ROUNDS):
        locale = f"y{chr(ord('a') + round_)}"
        answers = race(url, headers, lambda http, n: http.put(f"/v1/templates/{ids[n]}", json=template(locale)))
        assert_one_winner(answers, 200, locale)
    locales = [t["locale"] for t in httpx.get(f"{url}/v1/templates", headers=headers, params={"limit": 200}).json()["items"]]
    assert len(locales) == len(set(locales)) == ROUNDS + RACERS, locales
